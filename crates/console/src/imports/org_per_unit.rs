//! Applying an organization plan unit by unit (organizations.md #8 create, #9 update, #12
//! delete) instead of re-importing the whole tree, so the cost of an apply grows with the change,
//! not with the organization. Each unit is brought from what the deployment holds now to what
//! the plan predicts the whole import would leave (the same fields, applied the same "only
//! non-null" way), parents first; so a re-run after a failure writes only what is still missing.
//!
//! The organization record itself, when it changes, is pushed through the import with no units:
//! one request with exactly the import's semantics, and no unit deleted (no unit type is named).

use super::OrgPlanDocument;
use crate::error::{ConsoleError, ConsoleResult, PartialChange};
use crate::operation::Operation;
use crate::session::Session;
use crate::{Console, Target};
use cloo_domain::org::import_file::{FileUnit, validate_import};
use cloo_domain::org::import_plan::{OrgState, ShapedUnit, shape};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::time::Duration;

/// How a plan reaches the deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ApplyPath {
    /// Whichever the cost estimate says is cheaper.
    #[default]
    Auto,
    /// One `POST /organizations/sync/json` with the whole tree.
    Import,
    /// One request per unit that changes.
    PerUnit,
}

impl ApplyPath {
    /// `auto`, `import`, `per-unit`.
    pub fn parse(text: &str) -> Option<ApplyPath> {
        match text {
            "auto" => Some(ApplyPath::Auto),
            "import" => Some(ApplyPath::Import),
            "per-unit" | "per_unit" => Some(ApplyPath::PerUnit),
            _ => None,
        }
    }
}

/// The server's cost of importing one unit (entra-sync.md measured about 5 ms per unit).
pub const IMPORT_MS_PER_UNIT: f64 = 5.0;

/// A unit write still to make.
pub(crate) enum UnitWrite<'a> {
    Create(&'a FileUnit, &'a ShapedUnit),
    Update(&'a FileUnit, &'a ShapedUnit, String),
    Delete(String),
}

/// The writes that bring `current` to the plan's prediction.
pub(crate) fn writes<'a>(
    payload: &'a [FileUnit],
    predicted: &'a [ShapedUnit],
    current: &OrgState,
    delete: &[String],
) -> Vec<UnitWrite<'a>> {
    let predicted: HashMap<&str, &ShapedUnit> =
        predicted.iter().map(|p| (p.key.as_str(), p)).collect();
    let now = shape(&current.units);
    let now: HashMap<&str, &ShapedUnit> = now.iter().map(|u| (u.key.as_str(), u)).collect();
    let ids: HashMap<&str, &str> = current
        .units
        .iter()
        .filter_map(|u| Some((u.external_id.as_deref()?, u.id.as_str())))
        .collect();
    let mut out = Vec::new();
    for unit in payload {
        let Some(key) = unit.key() else { continue };
        let Some(p) = predicted.get(key) else {
            continue;
        };
        match (ids.get(key), now.get(key)) {
            (None, _) => out.push(UnitWrite::Create(unit, p)),
            (Some(id), Some(n)) if *n != *p => {
                out.push(UnitWrite::Update(unit, p, (*id).to_owned()))
            }
            _ => {}
        }
    }
    for key in delete {
        if let Some(id) = ids.get(key.as_str()) {
            out.push(UnitWrite::Delete((*id).to_owned()));
        }
    }
    out
}

/// Which way is cheaper: the whole import costs about [`IMPORT_MS_PER_UNIT`] per unit of the
/// payload on the server plus one round trip; the per-unit path one round trip (and the server's
/// per-unit work) per write.
pub(crate) fn cheaper_path(payload_units: usize, writes: usize, round_trip: Duration) -> ApplyPath {
    let rtt = round_trip.as_secs_f64() * 1000.0;
    let import = IMPORT_MS_PER_UNIT * payload_units as f64 + rtt;
    let per_unit = (rtt + IMPORT_MS_PER_UNIT) * writes as f64;
    if per_unit < import {
        ApplyPath::PerUnit
    } else {
        ApplyPath::Import
    }
}

/// The fields of a create or update body: the import's "only non-null" fields.
fn fields(unit: &FileUnit, p: &ShapedUnit, body: &mut Map<String, Value>) {
    body.insert("name".into(), json!(unit.text("name").unwrap_or("Unnamed")));
    body.insert("level".into(), json!(p.level));
    for field in ["display_name", "description", "type", "meta"] {
        if let Some(v) = unit.field(field).filter(|v| !v.is_null()) {
            body.insert(field.into(), v.clone());
        }
    }
    match unit.field("member_ids").filter(|v| !v.is_null()) {
        Some(v) => body.insert("member_ids".into(), v.clone()),
        None => None,
    };
}

/// Parses the push payload into its units (pre-order, parents first).
pub(crate) fn payload_units(push: &Value) -> ConsoleResult<Vec<FileUnit>> {
    let bytes = serde_json::to_vec(push).map_err(|e| ConsoleError::Internal(e.to_string()))?;
    validate_import(&bytes)
        .file
        .map(|f| f.units)
        .ok_or_else(|| ConsoleError::Internal("the stored plan's payload does not parse".into()))
}

/// What the per-unit path did.
pub(crate) struct PerUnitDone {
    pub(crate) requests: usize,
    pub(crate) created: usize,
    pub(crate) updated: usize,
    pub(crate) deleted: usize,
}

/// Brings the deployment to the plan's prediction unit by unit.
pub(crate) async fn apply_per_unit(
    c: &Console,
    target: &Target,
    session: &Session,
    document: &OrgPlanDocument,
    op: &Operation,
) -> ConsoleResult<PerUnitDone> {
    let push = &document.push;
    let (predicted, delete) = (&document.plan.predicted, &document.plan.delete);
    let org_changes = document.plan.organization.action != "unchanged";
    let tenant_id = push["organization"]["tenant_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut done = PerUnitDone {
        requests: 0,
        created: 0,
        updated: 0,
        deleted: 0,
    };
    let mut state = c.org_state(target, &tenant_id).await?;
    if org_changes || state.organization.is_none() {
        let body = json!({"organization": push["organization"], "units": []});
        session
            .call(|client, t| {
                let body = body.clone();
                async move { client.import_organization(&t, &body).await }
            })
            .await?;
        done.requests += 1;
        state = c.org_state(target, &tenant_id).await?;
    }
    let org_id = state
        .organization
        .as_ref()
        .map(|o| o.id.clone())
        .ok_or_else(|| {
            ConsoleError::Internal("the organization is missing after its push".into())
        })?;
    let units = payload_units(push)?;
    let planned = writes(&units, predicted, &state, delete);
    let mut ids: HashMap<String, String> = state
        .units
        .iter()
        .filter_map(|u| Some((u.external_id.clone()?, u.id.clone())))
        .collect();
    let total = planned.len();
    op.step("writing units", 0, total as u64);
    for (n, write) in planned.iter().enumerate() {
        op.checkpoint(
            || format!("{n} of {total} unit writes done"),
            "apply the same plan again: what is already as planned is not written again",
        )?;
        let result = match write {
            UnitWrite::Create(unit, p) => {
                let mut body = Map::new();
                body.insert("organization_id".into(), json!(org_id));
                body.insert("external_id".into(), json!(p.key));
                body.insert("member_ids".into(), json!([]));
                fields(unit, p, &mut body);
                if let Some(parent) = p.parent.as_ref().and_then(|k| ids.get(k)) {
                    body.insert("parent_id".into(), json!(parent));
                }
                let body = Value::Object(body);
                let created = session
                    .call(|client, t| {
                        let body = body.clone();
                        async move { client.create_org_unit(&t, &body).await }
                    })
                    .await;
                created.map(|u| {
                    ids.insert(p.key.clone(), u.id);
                    done.created += 1;
                })
            }
            UnitWrite::Update(unit, p, id) => {
                let mut body = Map::new();
                fields(unit, p, &mut body);
                let parent = match &p.parent {
                    Some(k) => ids.get(k).cloned().unwrap_or_default(),
                    None => String::new(),
                };
                body.insert("parent_id".into(), json!(parent));
                let body = Value::Object(body);
                let id = id.clone();
                session
                    .call(|client, t| {
                        let (body, id) = (body.clone(), id.clone());
                        async move { client.update_org_unit(&t, &id, &body).await }
                    })
                    .await
                    .map(|_| done.updated += 1)
            }
            UnitWrite::Delete(id) => {
                let id = id.clone();
                session
                    .call(|client, t| {
                        let id = id.clone();
                        async move { client.delete_org_unit(&t, &id).await }
                    })
                    .await
                    .map(|_| done.deleted += 1)
            }
        };
        done.requests += 1;
        if let Err(e) = result {
            return Err(ConsoleError::Interrupted {
                cause: Box::new(e),
                progress: PartialChange {
                    applied: format!(
                        "{n} of {total} unit writes were made ({} created, {} updated, {} deleted); nothing else changed",
                        done.created, done.updated, done.deleted
                    ),
                    resume:
                        "apply the same plan again: what is already as planned is not written again"
                            .into(),
                },
            });
        }
        op.advance();
    }
    Ok(done)
}
