//! The organizations router (organizations.md): organizations, units, OU settings, the JSON
//! import (in `org_import`), and a test-only fault switch under `/_sandbox/`.

use crate::auth::{AdminUser, Verified};
use crate::db::{OrgRow, UnitRow};
use crate::errors::{ApiFailure, ApiResult};
use crate::validate::{Field, Form, Kind, Valid};
use crate::{AppState, now};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/organizations/", get(list_orgs).post(create_org))
        .route(
            "/api/v1/organizations/units",
            get(list_units).post(create_unit),
        )
        .route(
            "/api/v1/organizations/units/{id}",
            get(get_unit).post(update_unit).delete(delete_unit),
        )
        .route(
            "/api/v1/organizations/units/{id}/usage-limit",
            get(get_unit_limit).post(set_unit_limit),
        )
        .route(
            "/api/v1/organizations/units/{id}/guardrails",
            get(get_guardrails).post(set_guardrails),
        )
        .route(
            "/api/v1/organizations/units/{id}/member-emails",
            get(member_emails),
        )
        .route(
            "/api/v1/organizations/units/{id}/permissions",
            get(unit_permissions),
        )
        .route("/api/v1/organizations/{id}/units", get(units_of_org))
        .route("/api/v1/organizations/{id}/units/tree", get(tree_of_org))
        .route(
            "/api/v1/organizations/{id}",
            get(get_org).post(update_org).delete(delete_org),
        )
        .route(
            "/api/v1/organizations/sync/json",
            post(super::org_import::sync_json),
        )
        .route(
            "/api/v1/organizations/sync/msgraph",
            post(super::msgraph_sync::sync_msgraph),
        )
}

/// The test-only fault switch (mounted only when the sandbox is started for tests).
pub(super) fn test_hooks() -> Router<Arc<AppState>> {
    Router::new()
        .route("/_sandbox/faults", post(set_faults))
        .route("/_sandbox/microsoft_sign_ins", post(microsoft_sign_ins))
}

fn unknown() -> ApiFailure {
    ApiFailure::not_found(crate::errors::NOT_FOUND)
}

async fn existing_unit(state: &AppState, id: &str) -> ApiResult<UnitRow> {
    state.db.unit(id).await?.ok_or_else(unknown)
}

async fn units_of_org(
    State(state): State<Arc<AppState>>,
    Verified(_): Verified,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Value>>> {
    if fault_strikes(&state.unit_lists_before_fault) {
        return Err(ApiFailure::internal(
            "test fault: the unit list could not be read",
        ));
    }
    Ok(Json(
        state
            .db
            .units_of(&id)
            .await?
            .iter()
            .map(UnitRow::to_model)
            .collect(),
    ))
}

/// Roots are units without a parent in the same organization (null, empty or dangling);
/// siblings keep the `(level, name)` order.
async fn tree_of_org(
    State(state): State<Arc<AppState>>,
    Verified(_): Verified,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Value>>> {
    let units = state.db.units_of(&id).await?;
    let ids: std::collections::HashSet<&str> = units.iter().map(|u| u.id.as_str()).collect();
    let mut children: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    let mut roots = Vec::new();
    for (i, u) in units.iter().enumerate() {
        match u.parent_id.as_deref() {
            Some(p) if !p.is_empty() && ids.contains(p) => children.entry(p).or_default().push(i),
            _ => roots.push(i),
        }
    }
    fn node(
        i: usize,
        units: &[UnitRow],
        children: &std::collections::HashMap<&str, Vec<usize>>,
        depth: usize,
    ) -> Value {
        let mut v = units[i].to_model();
        let kids: Vec<Value> = if depth > units.len() {
            Vec::new()
        } else {
            children
                .get(units[i].id.as_str())
                .map(|c| {
                    c.iter()
                        .map(|&k| node(k, units, children, depth + 1))
                        .collect()
                })
                .unwrap_or_default()
        };
        v["children"] = Value::Array(kids);
        v
    }
    Ok(Json(
        roots
            .into_iter()
            .map(|i| node(i, &units, &children, 0))
            .collect(),
    ))
}

#[derive(Deserialize)]
struct UnitEdit {
    parent_id: Option<String>,
    name: Option<String>,
    display_name: Option<String>,
    description: Option<String>,
    level: Option<Value>,
    #[serde(rename = "type")]
    kind: Option<String>,
    member_ids: Option<Vec<String>>,
    meta: Option<Value>,
}

impl Form for UnitEdit {
    const FIELDS: &'static [Field] = &[
        Field::optional_string("parent_id"),
        Field::optional_string("name"),
        Field::optional_string("display_name"),
        Field::optional_string("description"),
        Field::optional("level", Kind::OptInt),
        Field::optional_string("type"),
        Field::optional("member_ids", Kind::OptStrList),
        Field::optional("meta", Kind::OptObject),
    ];
}

/// `POST /organizations/units/{id}`: only non-null fields are applied, each replacing the stored
/// value whole.
async fn update_unit(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
    Valid(edit): Valid<UnitEdit>,
) -> ApiResult<Json<Value>> {
    // A database error on update answers 404, as the server's does.
    if unit_write_fails(&state) {
        return Err(unknown());
    }
    let mut row = existing_unit(&state, &id).await?;
    if let Some(v) = edit.parent_id {
        row.parent_id = Some(v);
    }
    if let Some(v) = edit.name {
        row.name = v;
    }
    if let Some(v) = edit.display_name {
        row.display_name = Some(v);
    }
    if let Some(v) = edit.description {
        row.description = Some(v);
    }
    if let Some(v) = edit.level.as_ref().and_then(crate::validate::int_value) {
        row.level = v;
    }
    if let Some(v) = edit.kind {
        row.kind = Some(v);
    }
    if let Some(v) = edit.member_ids {
        row.member_ids = json!(v).to_string();
    }
    if let Some(v) = edit.meta.filter(|m| !m.is_null()) {
        row.meta = Some(v.to_string());
    }
    row.updated_at = now();
    state.db.update_unit(&row).await?;
    Ok(Json(row.to_model()))
}

async fn delete_unit(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    if unit_write_fails(&state) || !state.db.delete_unit(&id).await? {
        return Err(unknown());
    }
    Ok(Json(json!({"success": true})))
}

/// Replaces one key of a unit's `meta` (server-side read-modify-write); `None` removes it.
async fn set_meta_keys(
    state: &AppState,
    row: &mut UnitRow,
    keys: &[(&str, Option<Value>)],
) -> ApiResult<()> {
    let mut meta = match row.meta_json() {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    for (key, value) in keys {
        match value {
            Some(v) => {
                meta.insert((*key).to_owned(), v.clone());
            }
            None => {
                meta.remove(*key);
            }
        }
    }
    row.meta = Some(Value::Object(meta).to_string());
    row.updated_at = now();
    state.db.update_unit(row).await?;
    Ok(())
}

fn per_model(meta: &Value) -> Value {
    let map: serde_json::Map<String, Value> = meta["usage_limit"]["per_model"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    json!({"per_model": map})
}

async fn get_unit_limit(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(per_model(
        &existing_unit(&state, &id).await?.meta_json(),
    )))
}

#[derive(Deserialize)]
struct LimitForm {
    #[serde(default)]
    per_model: serde_json::Map<String, Value>,
}

impl Form for LimitForm {
    const FIELDS: &'static [Field] = &[Field::optional("per_model", Kind::IntMap)];
}

async fn set_unit_limit(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
    Valid(form): Valid<LimitForm>,
) -> ApiResult<Json<Value>> {
    let mut row = existing_unit(&state, &id).await?;
    let map: serde_json::Map<String, Value> = form
        .per_model
        .iter()
        .filter_map(|(k, v)| crate::validate::int_value(v).map(|n| (k.clone(), json!(n))))
        .collect();
    let stored = (!map.is_empty()).then(|| json!({"per_model": map}));
    set_meta_keys(&state, &mut row, &[("usage_limit", stored)]).await?;
    Ok(Json(json!({"per_model": map})))
}

async fn get_guardrails(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let meta = existing_unit(&state, &id).await?.meta_json();
    let ids = meta
        .get("guardrail_ids")
        .filter(|v| !v.is_null())
        .cloned()
        .unwrap_or(json!([]));
    // `meta.follow_global_guardrail or true-if-absent`: absent reads as true.
    let follow = match meta.get("follow_global_guardrail") {
        None | Some(Value::Null) => json!(true),
        Some(v) => v.clone(),
    };
    Ok(Json(json!({"guardrail_ids": ids, "follow_global": follow})))
}

#[derive(Deserialize)]
struct GuardrailForm {
    #[serde(default)]
    guardrail_ids: Vec<String>,
    #[serde(default)]
    follow_global: Option<Value>,
}

impl Form for GuardrailForm {
    const FIELDS: &'static [Field] = &[
        Field::optional("guardrail_ids", Kind::StrList),
        Field::optional("follow_global", Kind::OptBool),
    ];
}

/// Omitting `follow_global` turns inheritance off (its default is false).
async fn set_guardrails(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
    Valid(form): Valid<GuardrailForm>,
) -> ApiResult<Json<Value>> {
    let mut row = existing_unit(&state, &id).await?;
    let follow = form
        .follow_global
        .as_ref()
        .and_then(crate::validate::bool_value)
        .unwrap_or(false);
    set_meta_keys(
        &state,
        &mut row,
        &[
            ("guardrail_ids", Some(json!(form.guardrail_ids))),
            ("follow_global_guardrail", Some(json!(follow))),
        ],
    )
    .await?;
    Ok(Json(
        json!({"guardrail_ids": form.guardrail_ids, "follow_global": follow}),
    ))
}

/// `meta.members` e-mails, then `member_ids` with `@` taken as e-mails, then the rest looked up
/// as user ids; de-duplicated case-insensitively.
async fn member_emails(
    State(state): State<Arc<AppState>>,
    Verified(_): Verified,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<Value>>> {
    let row = existing_unit(&state, &id).await?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let mut push = |name: &str, email: &str| {
        if seen.insert(email.to_lowercase()) {
            out.push(json!({"name": name, "email": email}));
        }
    };
    for m in row.meta_json()["members"].as_array().into_iter().flatten() {
        if let Some(email) = m["email"].as_str().filter(|e| !e.is_empty()) {
            push(
                m["name"]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .unwrap_or(email),
                email,
            );
        }
    }
    let ids = row.member_ids_json();
    let ids: Vec<&str> = ids
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    for id in ids.iter().filter(|i| i.contains('@')) {
        push(id, id);
    }
    for id in ids.iter().filter(|i| !i.contains('@')) {
        if let Some(user) = state.db.user_by_id(id).await? {
            push(&user.name, &user.email);
        }
    }
    Ok(Json(out))
}

async fn get_org(
    State(state): State<Arc<AppState>>,
    Verified(_): Verified,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let org = state.db.organization(&id).await?.ok_or_else(unknown)?;
    Ok(Json(org.to_model()))
}

#[derive(Deserialize)]
struct OrgEdit {
    name: Option<String>,
    display_name: Option<String>,
    domain: Option<String>,
    meta: Option<Value>,
}

impl Form for OrgEdit {
    const FIELDS: &'static [Field] = &[
        Field::optional_string("name"),
        Field::optional_string("display_name"),
        Field::optional_string("domain"),
        Field::optional("meta", Kind::OptObject),
    ];
}

async fn update_org(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
    Valid(edit): Valid<OrgEdit>,
) -> ApiResult<Json<Value>> {
    let mut org = state.db.organization(&id).await?.ok_or_else(unknown)?;
    if let Some(v) = edit.name {
        org.name = v;
    }
    if let Some(v) = edit.display_name {
        org.display_name = Some(v);
    }
    if let Some(v) = edit.domain {
        org.domain = Some(v);
    }
    if let Some(v) = edit.meta.filter(|m| !m.is_null()) {
        org.meta = Some(v.to_string());
    }
    org.updated_at = now();
    state.db.update_organization(&org).await?;
    Ok(Json(org.to_model()))
}

async fn delete_org(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    if !state.db.delete_organization(&id).await? {
        return Err(unknown());
    }
    Ok(Json(json!({"success": true})))
}

/// Test hook: accounts as the Microsoft sign-in creates them (`oauth_sub` `microsoft@<sub>`,
/// `oauth_oid` the Entra object id), which the sandbox cannot do by itself.
/// Body: `{"users": [{"email", "name", "oid"}]}`.
async fn microsoft_sign_ins(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let now = crate::now();
    let users: Vec<crate::db::NewUser> = body
        .get("users")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|u| {
            let text = |k: &str| {
                u.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let oid = text("oid");
            crate::db::NewUser {
                id: uuid::Uuid::new_v4().to_string(),
                name: text("name"),
                email: text("email").to_lowercase(),
                role: "user".into(),
                profile_image_url: "/user.png".into(),
                created_at: now,
                last_active_at: now,
                api_key: None,
                oauth_sub: Some(format!("microsoft@sub-{oid}")),
                oauth_oid: Some(oid),
                password_hash: String::new(),
            }
        })
        .collect();
    state.db.insert_users(&users).await?;
    Ok(Json(json!({"created": users.len()})))
}

/// Test-only faults (not part of the server), each one-shot: `{"import_fail_after_units": N}`
/// makes the next JSON import fail with a database error after N units, and
/// `{"unit_writes_fail_after": N}` the unit write after the next N (create, update or delete),
/// as a real server can half-way, and `{"unit_lists_fail_after": N}` the read of an
/// organization's units after the next N (500). A key left out clears that fault.
async fn set_faults(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let after = body
        .get("import_fail_after_units")
        .cloned()
        .unwrap_or(Value::Null);
    state
        .db
        .set_config(super::org_import::IMPORT_FAULT_KEY, &after)
        .await?;
    let writes = body.get("unit_writes_fail_after").and_then(Value::as_u64);
    if let Ok(mut fault) = state.unit_writes_before_fault.lock() {
        *fault = writes;
    }
    let lists = body.get("unit_lists_fail_after").and_then(Value::as_u64);
    if let Ok(mut fault) = state.unit_lists_before_fault.lock() {
        *fault = lists;
    }
    let settings = body
        .get("settings_reads_fail_after")
        .and_then(Value::as_u64);
    if let Ok(mut fault) = state.settings_reads_before_fault.lock() {
        *fault = settings;
    }
    Ok(Json(
        json!({"import_fail_after_units": after, "unit_writes_fail_after": writes, "unit_lists_fail_after": lists, "settings_reads_fail_after": settings}),
    ))
}

/// Whether the test fault says this unit write fails (then the fault is spent).
fn unit_write_fails(state: &AppState) -> bool {
    fault_strikes(&state.unit_writes_before_fault)
}

/// Counts one request against a test fault: true when it is the one to fail (then the fault
/// is spent).
pub(super) fn fault_strikes(before_fault: &std::sync::Mutex<Option<u64>>) -> bool {
    let Ok(mut fault) = before_fault.lock() else {
        return false;
    };
    match *fault {
        Some(0) => {
            *fault = None;
            true
        }
        Some(n) => {
            *fault = Some(n - 1);
            false
        }
        None => false,
    }
}

async fn list_orgs(
    State(state): State<Arc<AppState>>,
    Verified(_): Verified,
) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(
        state
            .db
            .organizations()
            .await?
            .iter()
            .map(OrgRow::to_model)
            .collect(),
    ))
}

#[derive(Deserialize)]
struct OrgForm {
    tenant_id: String,
    name: String,
    display_name: Option<String>,
    domain: Option<String>,
    meta: Option<Value>,
}

impl Form for OrgForm {
    const FIELDS: &'static [Field] = &[
        Field::string("tenant_id"),
        Field::string("name"),
        Field::optional_string("display_name"),
        Field::optional_string("domain"),
        Field::optional("meta", Kind::OptObject),
    ];
}

async fn create_org(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Valid(form): Valid<OrgForm>,
) -> ApiResult<Json<Value>> {
    let t = now();
    let row = OrgRow {
        id: uuid::Uuid::new_v4().to_string(),
        tenant_id: form.tenant_id,
        name: form.name,
        display_name: form.display_name,
        domain: form.domain,
        meta: form.meta.filter(|m| !m.is_null()).map(|m| m.to_string()),
        created_at: t,
        updated_at: t,
    };
    state.db.insert_organization(&row).await.map_err(|e| {
        ApiFailure::bad_request(&format!("[ERROR: Error creating organization: {e}]"))
    })?;
    Ok(Json(row.to_model()))
}

async fn list_units(
    State(state): State<Arc<AppState>>,
    Verified(_): Verified,
) -> ApiResult<Json<Vec<Value>>> {
    Ok(Json(
        state
            .db
            .units()
            .await?
            .iter()
            .map(UnitRow::to_model)
            .collect(),
    ))
}

#[derive(Deserialize)]
struct UnitForm {
    organization_id: String,
    name: String,
    parent_id: Option<String>,
    display_name: Option<String>,
    description: Option<String>,
    level: Option<Value>,
    #[serde(rename = "type")]
    kind: Option<String>,
    external_id: Option<String>,
    member_ids: Option<Vec<String>>,
    meta: Option<Value>,
}

impl Form for UnitForm {
    const FIELDS: &'static [Field] = &[
        Field::string("organization_id"),
        Field::string("name"),
        Field::optional_string("parent_id"),
        Field::optional_string("display_name"),
        Field::optional_string("description"),
        Field::optional("level", Kind::OptInt),
        Field::optional_string("type"),
        Field::optional_string("external_id"),
        Field::optional("member_ids", Kind::OptStrList),
        Field::optional("meta", Kind::OptObject),
    ];
}

/// `POST /organizations/units`: stored as given (parent and level are not checked).
async fn create_unit(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Valid(form): Valid<UnitForm>,
) -> ApiResult<Json<Value>> {
    if unit_write_fails(&state) {
        return Err(ApiFailure::bad_request(
            "[ERROR: Error creating organizational unit]",
        ));
    }
    let t = now();
    let row = UnitRow {
        id: uuid::Uuid::new_v4().to_string(),
        organization_id: form.organization_id,
        parent_id: form.parent_id,
        name: form.name,
        display_name: form.display_name,
        description: form.description,
        level: form
            .level
            .as_ref()
            .and_then(crate::validate::int_value)
            .unwrap_or(0),
        kind: form.kind,
        external_id: form.external_id,
        member_ids: json!(form.member_ids.unwrap_or_default()).to_string(),
        meta: form.meta.filter(|m| !m.is_null()).map(|m| m.to_string()),
        created_at: t,
        updated_at: t,
    };
    state.db.insert_unit(&row).await?;
    Ok(Json(row.to_model()))
}

async fn get_unit(
    State(state): State<Arc<AppState>>,
    Verified(_): Verified,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let unit = state
        .db
        .unit(&id)
        .await?
        .ok_or_else(|| ApiFailure::not_found(crate::errors::NOT_FOUND))?;
    Ok(Json(unit.to_model()))
}

/// `GET /organizations/units/{id}/permissions`: resources shared with the unit or one of its
/// ancestors (walked over every organization's units), `inherited` when a match came from an
/// ancestor. The sandbox's only resources with `access_control` are guardrails; the other kinds
/// are empty lists.
async fn unit_permissions(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let unit = existing_unit(&state, &id).await?;
    let all = state.db.units().await?;
    let by_id: std::collections::HashMap<&str, &UnitRow> =
        all.iter().map(|u| (u.id.as_str(), u)).collect();
    let mut ancestors = vec![unit.id.clone()];
    let mut cursor = unit.parent_id.clone();
    while let Some(p) = cursor.filter(|p| !p.is_empty()) {
        let Some(parent) = by_id.get(p.as_str()) else {
            break;
        };
        if ancestors.contains(&parent.id) {
            break;
        }
        ancestors.push(parent.id.clone());
        cursor = parent.parent_id.clone();
    }
    let granted = |ac: &Value, level: &str| -> Vec<String> {
        ac[level]["org_unit_ids"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|u| ancestors.iter().any(|a| a == u))
            .map(str::to_owned)
            .collect()
    };
    let mut guardrails = Vec::new();
    for g in state.db.guardrails().await? {
        let ac = g.to_model()["access_control"].clone();
        if ac.is_null() {
            continue;
        }
        let (read, write) = (granted(&ac, "read"), granted(&ac, "write"));
        if read.is_empty() && write.is_empty() {
            continue;
        }
        let inherited = read.iter().chain(write.iter()).any(|u| *u != unit.id);
        guardrails.push(
            json!({"id": g.id, "name": g.name, "description": g.description,
            "read": !read.is_empty(), "write": !write.is_empty(), "inherited": inherited}),
        );
    }
    Ok(Json(json!({
        "unit_id": unit.id,
        "unit_name": unit.label(),
        "permissions": {"knowledge": [], "tools": [], "prompts": [], "models": [], "databases": [],
                        "glossaries": [], "guardrails": guardrails},
        "ancestor_ids": ancestors,
    })))
}
