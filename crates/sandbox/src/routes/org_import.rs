//! `POST /api/v1/organizations/sync/json`: the server's upsert engine, quirks included
//! (org-import-format.md, "Server algorithm"). Every row is written as it is processed, with no
//! transaction, so a failure half-way leaves what was done and skips the deletions.
//!
//! This is written from the contract independently of the console's planner, so that tests
//! comparing the planner's prediction with what this engine does mean something.

use crate::auth::AdminUser;
use crate::db::{OrgRow, UnitRow};
use crate::errors::{ApiFailure, ApiResult};
use crate::validate::{Field, Form, Kind, Valid};
use crate::{AppState, now};
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// The config key of a one-shot fault: the import fails after this many units (tests only).
pub(super) const IMPORT_FAULT_KEY: &str = "SANDBOX_FAULT_IMPORT_AFTER_UNITS";

#[derive(Deserialize)]
pub(super) struct ImportForm {
    organization: Map<String, Value>,
    #[serde(default)]
    units: Vec<Value>,
}

impl Form for ImportForm {
    const FIELDS: &'static [Field] = &[
        Field {
            name: "organization",
            kind: Kind::Object,
            required: true,
        },
        Field::optional("units", Kind::ObjectList),
    ];
}

/// One payload unit after parsing: where it sits and its keys.
struct Parsed<'a> {
    raw: &'a Map<String, Value>,
    input_id: String,
    external_key: String,
    parent_input: Option<String>,
    level: i64,
}

#[derive(Default)]
pub(super) struct Counters {
    created: u64,
    updated: u64,
    deleted: u64,
}

/// Steps 2–6 for a list of units, once the organization row exists.
pub(super) async fn import_units(
    state: &AppState,
    organization: &OrgRow,
    units: &[Value],
) -> ApiResult<Counters> {
    let mut parsed = Vec::new();
    for unit in units {
        parse(unit, None, 0, &mut parsed)?;
    }
    upsert_units(state, organization, &parsed).await
}

pub(super) async fn sync_json(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Valid(form): Valid<ImportForm>,
) -> ApiResult<Json<Value>> {
    let (org_created, org_updated, organization) =
        match upsert_org(&state, &form.organization).await? {
            Some((created, org)) => (u64::from(created), u64::from(!created), org),
            None => return Ok(Json(result(0, 0, &Counters::default()))),
        };
    let mut parsed = Vec::new();
    for unit in &form.units {
        parse(unit, None, 0, &mut parsed)?;
    }
    let counters = upsert_units(&state, &organization, &parsed).await?;
    Ok(Json(result(org_created, org_updated, &counters)))
}

pub(super) fn result(org_created: u64, org_updated: u64, units: &Counters) -> Value {
    json!({"success": true, "result": {
        "organization": {"created": org_created, "updated": org_updated},
        "units": {"created": units.created, "updated": units.updated, "deleted": units.deleted},
    }})
}

fn wrapped(message: &str) -> ApiFailure {
    ApiFailure::bad_request(&format!("[ERROR: {message}]"))
}

/// Python truthiness of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// `str(value)` for a key.
fn key_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An optional text field: `None` when absent or null.
fn text(unit: &Map<String, Value>, key: &str) -> Option<String> {
    unit.get(key).filter(|v| !v.is_null()).map(key_text)
}

/// Step 1: the organization by `tenant_id`. `None`: the request is a silent no-op.
pub(super) async fn upsert_org(
    state: &AppState,
    org: &Map<String, Value>,
) -> ApiResult<Option<(bool, OrgRow)>> {
    let tenant_id = match org.get("tenant_id") {
        Some(v) if truthy(v) => key_text(v),
        _ => return Ok(None),
    };
    let name = match org.get("name") {
        None => Some(tenant_id.clone()),
        Some(Value::Null) => None,
        Some(v) => Some(key_text(v)),
    };
    let meta = match org.get("meta") {
        None => Some(json!({}).to_string()),
        Some(Value::Null) => None,
        Some(v) => Some(v.to_string()),
    };
    let t = now();
    if let Some(mut row) = state.db.organization_by_tenant(&tenant_id).await? {
        if let Some(name) = name {
            row.name = name;
        }
        if let Some(d) = text(org, "display_name") {
            row.display_name = Some(d);
        }
        if let Some(d) = text(org, "domain") {
            row.domain = Some(d);
        }
        if meta.is_some() {
            row.meta = meta;
        }
        row.updated_at = t;
        state.db.update_organization(&row).await?;
        return Ok(Some((false, row)));
    }
    let Some(name) = name else {
        return Err(wrapped("NOT NULL constraint failed: organization.name"));
    };
    let row = OrgRow {
        id: uuid::Uuid::new_v4().to_string(),
        tenant_id,
        name,
        display_name: text(org, "display_name"),
        domain: text(org, "domain"),
        meta,
        created_at: t,
        updated_at: t,
    };
    state.db.insert_organization(&row).await?;
    Ok(Some((true, row)))
}

/// Step 2: depth-first, pre-order; a parent before its children.
fn parse<'a>(
    unit: &'a Value,
    parent_input: Option<&str>,
    level: i64,
    out: &mut Vec<Parsed<'a>>,
) -> ApiResult<()> {
    let Value::Object(raw) = unit else {
        return Err(wrapped(&format!(
            "'{}' object has no attribute 'get'",
            python_type(unit)
        )));
    };
    let input_id = match raw.get("id") {
        Some(v) if truthy(v) => key_text(v),
        _ => uuid::Uuid::new_v4().to_string(),
    };
    let external_key = match raw.get("external_id") {
        Some(v) if truthy(v) => key_text(v),
        _ => input_id.clone(),
    };
    out.push(Parsed {
        raw,
        input_id: input_id.clone(),
        external_key,
        parent_input: parent_input.map(str::to_owned),
        level,
    });
    match raw.get("children") {
        None => Ok(()),
        Some(Value::Array(children)) => {
            for child in children {
                parse(child, Some(&input_id), level + 1, out)?;
            }
            Ok(())
        }
        // Iterating an empty str or dict yields nothing; anything else fails.
        Some(Value::String(s)) if s.is_empty() => Ok(()),
        Some(Value::Object(o)) if o.is_empty() => Ok(()),
        Some(Value::String(_)) => Err(wrapped("'str' object has no attribute 'get'")),
        Some(Value::Object(_)) => Err(wrapped("'str' object has no attribute 'get'")),
        Some(other) => Err(wrapped(&format!(
            "'{}' object is not iterable",
            python_type(other)
        ))),
    }
}

fn python_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Step 4: a unit with no members (empty or null) takes the `member_ids` of the first payload
/// unit, in pre-order, whose `id` or `external_id` equals its external key. With unique keys
/// that is the unit itself, so nothing changes.
fn filled_member_ids(unit: &Parsed<'_>, all: &[Parsed<'_>]) -> Value {
    let own = unit.raw.get("member_ids").cloned().unwrap_or(json!([]));
    if truthy(&own) {
        return own;
    }
    let key = Value::String(unit.external_key.clone());
    all.iter()
        .find(|p| p.raw.get("id") == Some(&key) || p.raw.get("external_id") == Some(&key))
        .map(|p| p.raw.get("member_ids").cloned().unwrap_or(json!([])))
        .unwrap_or(own)
}

/// Steps 3, 5 and 6.
async fn upsert_units(
    state: &AppState,
    organization: &OrgRow,
    parsed: &[Parsed<'_>],
) -> ApiResult<Counters> {
    // 3. Existing units by non-empty external id; a later row wins a duplicate key.
    let mut index: HashMap<String, UnitRow> = HashMap::new();
    for row in state.db.units_of_in_storage_order(&organization.id).await? {
        if let Some(ext) = row.external_id.clone().filter(|e| !e.is_empty()) {
            index.insert(ext, row);
        }
    }
    let fault = state
        .db
        .config(IMPORT_FAULT_KEY)
        .await?
        .and_then(|v| v.as_u64());
    let mut counters = Counters::default();
    let mut db_ids: HashMap<String, String> = HashMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut types: HashSet<String> = HashSet::new();
    for (done, unit) in parsed.iter().enumerate() {
        if fault == Some(done as u64) {
            state.db.set_config(IMPORT_FAULT_KEY, &Value::Null).await?;
            return Err(wrapped(&format!(
                "(sqlite3.OperationalError) database is locked (simulated after {done} units)"
            )));
        }
        seen.insert(&unit.external_key);
        if let Some(t) = text(unit.raw, "type").filter(|t| !t.is_empty()) {
            types.insert(t);
        }
        let name = match unit.raw.get("name") {
            None => Some("Unnamed".to_owned()),
            Some(Value::Null) => None,
            Some(v) => Some(key_text(v)),
        };
        let member_ids = Some(filled_member_ids(unit, parsed))
            .filter(|v| !v.is_null())
            .map(|v| v.to_string());
        let meta = match unit.raw.get("meta") {
            None => Some("{}".to_owned()),
            Some(Value::Null) => None,
            Some(v) => Some(v.to_string()),
        };
        let db_parent = unit
            .parent_input
            .as_ref()
            .and_then(|p| db_ids.get(p))
            .cloned();
        let t = now();
        let id = if let Some(existing) = index.get(&unit.external_key) {
            let mut row = existing.clone();
            if let Some(name) = name {
                row.name = name;
            }
            row.level = unit.level;
            if db_parent.is_some() {
                row.parent_id = db_parent;
            }
            if let Some(v) = text(unit.raw, "display_name") {
                row.display_name = Some(v);
            }
            if let Some(v) = text(unit.raw, "description") {
                row.description = Some(v);
            }
            if let Some(v) = text(unit.raw, "type") {
                row.kind = Some(v);
            }
            if let Some(m) = member_ids {
                row.member_ids = m;
            }
            if meta.is_some() {
                row.meta = meta;
            }
            row.updated_at = t;
            state.db.update_unit(&row).await?;
            counters.updated += 1;
            row.id
        } else {
            let Some(name) = name else {
                return Err(wrapped(
                    "NOT NULL constraint failed: organizational_unit.name",
                ));
            };
            let Some(member_ids) = member_ids else {
                return Err(wrapped(
                    "NOT NULL constraint failed: organizational_unit.member_ids",
                ));
            };
            let row = UnitRow {
                id: uuid::Uuid::new_v4().to_string(),
                organization_id: organization.id.clone(),
                parent_id: db_parent,
                name,
                display_name: text(unit.raw, "display_name"),
                description: text(unit.raw, "description"),
                level: unit.level,
                kind: text(unit.raw, "type"),
                external_id: Some(unit.external_key.clone()),
                member_ids,
                meta,
                created_at: t,
                updated_at: t,
            };
            state.db.insert_unit(&row).await?;
            counters.created += 1;
            row.id
        };
        db_ids.insert(unit.input_id.clone(), id);
    }
    // 6. Type-scoped deletion of the indexed units the payload did not name.
    if !types.is_empty() {
        for (ext, row) in &index {
            let in_scope = row.kind.as_ref().is_some_and(|k| types.contains(k));
            if in_scope && !seen.contains(ext.as_str()) && state.db.delete_unit(&row.id).await? {
                counters.deleted += 1;
            }
        }
    }
    Ok(counters)
}
