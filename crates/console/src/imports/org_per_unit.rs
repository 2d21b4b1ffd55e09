//! Applying an organization plan unit by unit (organizations.md #8 create, #9 update, #12
//! delete) instead of re-importing the whole tree, so the cost of an apply grows with the change,
//! not with the organization. Each unit is brought from what the deployment holds now to what
//! the plan predicts the whole import would leave (the same fields, applied the same "only
//! non-null" way), parents first; so a re-run after a failure writes only what is still missing.
//!
//! The organization record itself, when it changes, is pushed through the import with no units:
//! one request with exactly the import's semantics, and no unit deleted (no unit type is named).

use super::{OrgPlanDocument, PushBody};
use crate::error::{ConsoleError, ConsoleResult, PartialChange};
use crate::operation::Operation;
use crate::session::Session;
use cloo_domain::org::import_file::{FileUnit, ImportFile, validate_import_value};
use cloo_domain::org::import_plan::{OrgImportPlan, OrgState, ShapedUnit, StoredUnit, shape};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
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

/// What a unit needs to reach the plan's prediction, before its file unit is looked up.
enum Needed<'a> {
    Create(&'a ShapedUnit),
    Update(&'a ShapedUnit, &'a str),
    Delete(&'a str),
}

/// The units of `predicted` that `current` does not hold as predicted (missing, or different),
/// and the planned deletions that still exist. Units the file does not carry (`kept`: left in
/// place or orphaned by the import) are never written.
fn needed<'a>(
    predicted: &'a [ShapedUnit],
    current: &'a OrgState,
    delete: &'a [String],
    kept: &HashSet<&str>,
) -> Vec<Needed<'a>> {
    let now = shape(&current.units);
    let now: HashMap<&str, &ShapedUnit> = now.iter().map(|u| (u.key.as_str(), u)).collect();
    let ids: HashMap<&str, &str> = current
        .units
        .iter()
        .filter_map(|u| Some((u.external_id.as_deref()?, u.id.as_str())))
        .collect();
    let mut out = Vec::new();
    for p in predicted.iter().filter(|p| !kept.contains(p.key.as_str())) {
        match (ids.get(p.key.as_str()), now.get(p.key.as_str())) {
            (None, _) => out.push(Needed::Create(p)),
            (Some(id), Some(n)) if *n != p => out.push(Needed::Update(p, id)),
            _ => {}
        }
    }
    for key in delete {
        if let Some(id) = ids.get(key.as_str()) {
            out.push(Needed::Delete(id));
        }
    }
    out
}

/// The keys of units the import leaves alone (not in the file), from the plan.
fn kept_keys(plan: &OrgImportPlan) -> HashSet<&str> {
    plan.left_in_place
        .iter()
        .chain(&plan.orphaned)
        .map(|u| u.key.as_str())
        .collect()
}

/// How many unit writes bring `current` to the plan's prediction (for choosing a path; the
/// payload need not be read for it).
pub(crate) fn writes_needed(plan: &OrgImportPlan, current: &OrgState) -> usize {
    needed(&plan.predicted, current, &plan.delete, &kept_keys(plan)).len()
}

/// The writes that bring `current` to the plan's prediction, each with its unit of the file.
pub(crate) fn writes<'a>(
    file: &'a ImportFile,
    plan: &'a OrgImportPlan,
    current: &'a OrgState,
) -> Vec<UnitWrite<'a>> {
    let units: HashMap<&str, &FileUnit> = file
        .units
        .iter()
        .filter_map(|u| Some((u.key()?, u)))
        .collect();
    needed(&plan.predicted, current, &plan.delete, &kept_keys(plan))
        .into_iter()
        .filter_map(|n| match n {
            Needed::Create(p) => Some(UnitWrite::Create(units.get(p.key.as_str())?, p)),
            Needed::Update(p, id) => Some(UnitWrite::Update(
                units.get(p.key.as_str())?,
                p,
                id.to_owned(),
            )),
            Needed::Delete(id) => Some(UnitWrite::Delete(id.to_owned())),
        })
        .collect()
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

/// Reads a plan's push body as an import file (the organization record and its units,
/// pre-order, parents first).
pub(crate) fn payload_file(push: &PushBody) -> ConsoleResult<ImportFile> {
    validate_import_value(push.to_value()?)
        .file
        .ok_or_else(|| ConsoleError::Internal("the stored plan's payload does not parse".into()))
}

/// What the per-unit path did.
#[derive(Debug, Default)]
pub(crate) struct PerUnitDone {
    pub(crate) requests: usize,
    pub(crate) created: usize,
    pub(crate) updated: usize,
    pub(crate) deleted: usize,
    /// The organization record was written too (its new form is not in any answer).
    pub(crate) organization_written: bool,
    /// The server's answer to each unit write, by unit id: the unit as stored, or `None` for
    /// a deletion.
    pub(crate) answers: HashMap<String, Option<StoredUnit>>,
}

impl PerUnitDone {
    /// The deployment after the writes: `before` (read just before them) with each written
    /// unit as the server answered it. The read-back of the per-unit path: every unit not
    /// written was already as planned in `before`, and every written one is as the server
    /// stored it; no second read of the whole organization.
    pub(crate) fn state_after(&mut self, before: OrgState) -> OrgState {
        let OrgState {
            organization,
            mut units,
            ..
        } = before;
        units.retain(|u| !self.answers.contains_key(&u.id));
        units.extend(std::mem::take(&mut self.answers).into_values().flatten());
        OrgState::new(organization, units)
    }
}

/// The per-unit path's counters, shared by the writes in flight.
#[derive(Default)]
struct Tally {
    sent: AtomicUsize,
    created: AtomicUsize,
    updated: AtomicUsize,
    deleted: AtomicUsize,
    answers: Mutex<HashMap<String, Option<StoredUnit>>>,
}

impl Tally {
    fn done(&self, organization_pushes: usize) -> PerUnitDone {
        PerUnitDone {
            requests: organization_pushes + self.sent.load(Ordering::Relaxed),
            created: self.created.load(Ordering::Relaxed),
            updated: self.updated.load(Ordering::Relaxed),
            deleted: self.deleted.load(Ordering::Relaxed),
            organization_written: organization_pushes > 0,
            answers: self
                .answers
                .lock()
                .map(|mut a| std::mem::take(&mut *a))
                .unwrap_or_default(),
        }
    }

    fn answered(&self, id: String, unit: Option<StoredUnit>) {
        if let Ok(mut answers) = self.answers.lock() {
            answers.insert(id, unit);
        }
    }
}

/// Runs `write` over `items` with at most four in flight, stopping at the first error (writes
/// already sent finish; none start after it). The server's per-request latency, not its work,
/// dominates a small change, and a handful in parallel hides most of it without crowding it.
async fn run_bounded<T, F, Fut>(items: Vec<T>, write: F) -> ConsoleResult<()>
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = ConsoleResult<()>>,
{
    let queue = Mutex::new(VecDeque::from(items));
    let failure: Mutex<Option<ConsoleError>> = Mutex::new(None);
    let worker = || async {
        loop {
            if failure.lock().map(|f| f.is_some()).unwrap_or(true) {
                return;
            }
            let Some(item) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                return;
            };
            if let Err(e) = write(item).await
                && let Ok(mut f) = failure.lock()
            {
                f.get_or_insert(e);
            }
        }
    };
    tokio::join!(worker(), worker(), worker(), worker());
    match failure.into_inner() {
        Ok(Some(e)) => Err(e),
        _ => Ok(()),
    }
}

/// One unit write. A parent is looked up when the write starts, so a unit created by an earlier
/// wave is found.
async fn write_unit(
    session: &Session,
    org_id: &str,
    ids: &Mutex<HashMap<String, String>>,
    tally: &Tally,
    write: &UnitWrite<'_>,
) -> ConsoleResult<()> {
    let id_of = |key: &str| ids.lock().ok().and_then(|m| m.get(key).cloned());
    tally.sent.fetch_add(1, Ordering::Relaxed);
    match write {
        UnitWrite::Create(unit, p) => {
            let mut body = Map::new();
            body.insert("organization_id".into(), json!(org_id));
            body.insert("external_id".into(), json!(p.key));
            body.insert("member_ids".into(), json!([]));
            fields(unit, p, &mut body);
            if let Some(parent) = p.parent.as_deref().and_then(id_of) {
                body.insert("parent_id".into(), json!(parent));
            }
            let body = Value::Object(body);
            let created = session
                .call(|client, t| {
                    let body = body.clone();
                    async move { client.create_org_unit(&t, &body).await }
                })
                .await?;
            if let Ok(mut m) = ids.lock() {
                m.insert(p.key.clone(), created.id.clone());
            }
            tally.answered(created.id.clone(), Some(StoredUnit::from(created)));
            tally.created.fetch_add(1, Ordering::Relaxed);
        }
        UnitWrite::Update(unit, p, id) => {
            let mut body = Map::new();
            fields(unit, p, &mut body);
            let parent = p.parent.as_deref().and_then(id_of).unwrap_or_default();
            body.insert("parent_id".into(), json!(parent));
            let body = Value::Object(body);
            let updated = session
                .call(|client, t| {
                    let body = body.clone();
                    async move { client.update_org_unit(&t, id, &body).await }
                })
                .await?;
            tally.answered(id.clone(), Some(StoredUnit::from(updated)));
            tally.updated.fetch_add(1, Ordering::Relaxed);
        }
        UnitWrite::Delete(id) => {
            session
                .call(|client, t| async move { client.delete_org_unit(&t, id).await })
                .await?;
            tally.answered(id.clone(), None);
            tally.deleted.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// Brings the deployment from `state` (read by the apply a moment ago) to the plan's prediction
/// unit by unit: the organization record first when it changes, then new units in waves
/// (parents before children), then updates and deletions, a few at a time.
pub(crate) async fn apply_per_unit(
    session: &Session,
    document: &OrgPlanDocument,
    state: &OrgState,
    file: &ImportFile,
    op: &Operation,
) -> ConsoleResult<PerUnitDone> {
    let org_changes = document.plan.organization.action != "unchanged";
    let mut org_requests = 0;
    let mut org_id = state.organization.as_ref().map(|o| o.id.clone());
    if org_changes || org_id.is_none() {
        let body = json!({"organization": file.organization, "units": []});
        session
            .call(|client, t| {
                let body = body.clone();
                async move { client.import_organization(&t, &body).await }
            })
            .await?;
        org_requests += 1;
        if org_id.is_none() {
            let tenant_id = file.tenant_id().unwrap_or_default();
            let orgs = session
                .call(|c, t| async move { c.organizations(&t).await })
                .await?;
            org_id = orgs
                .into_iter()
                .find(|o| o.tenant_id == tenant_id)
                .map(|o| o.id);
        }
    }
    let org_id = org_id.ok_or_else(|| {
        ConsoleError::Internal("the organization is missing after its push".into())
    })?;
    let planned = writes(file, &document.plan, state);
    let ids = Mutex::new(
        state
            .units
            .iter()
            .filter_map(|u| Some((u.external_id.clone()?, u.id.clone())))
            .collect::<HashMap<String, String>>(),
    );
    let total = planned.len();
    op.step("writing_units", 0, total as u64);
    let tally = Tally::default();
    let interrupted = |e: ConsoleError| {
        let d = tally.done(0);
        let progress = PartialChange {
            applied: format!(
                "{} of {total} unit writes were made ({} created, {} updated, {} deleted); nothing else changed",
                d.created + d.updated + d.deleted,
                d.created,
                d.updated,
                d.deleted
            ),
            resume: "apply the same plan again: what is already as planned is not written again"
                .into(),
        };
        match e {
            ConsoleError::Cancelled(_) => ConsoleError::Cancelled(progress),
            other => ConsoleError::Interrupted {
                cause: Box::new(other),
                progress,
            },
        }
    };
    let write = |w| {
        let (ids, tally, org_id) = (&ids, &tally, org_id.as_str());
        // The message and resume text come from `interrupted`, which knows the counts.
        let stop = op.checkpoint(String::new, "");
        async move {
            stop?;
            write_unit(session, org_id, ids, tally, w).await?;
            op.advance();
            Ok(())
        }
    };
    // New units in waves: a unit whose parent is also new waits for the wave that creates it.
    let (mut creates, rest): (Vec<&UnitWrite>, Vec<&UnitWrite>) = planned
        .iter()
        .partition(|w| matches!(w, UnitWrite::Create(..)));
    while !creates.is_empty() {
        let waiting: std::collections::HashSet<&str> = creates
            .iter()
            .filter_map(|w| match w {
                UnitWrite::Create(_, p) => Some(p.key.as_str()),
                _ => None,
            })
            .collect();
        let (ready, later): (Vec<&UnitWrite>, Vec<&UnitWrite>) =
            creates.into_iter().partition(|w| match w {
                UnitWrite::Create(_, p) => p
                    .parent
                    .as_deref()
                    .is_none_or(|parent| !waiting.contains(parent)),
                _ => true,
            });
        if ready.is_empty() {
            // Not in a tree; send the rest as they are rather than wait forever.
            run_bounded(later, &write).await.map_err(&interrupted)?;
            break;
        }
        run_bounded(ready, &write).await.map_err(&interrupted)?;
        creates = later;
    }
    run_bounded(rest, &write).await.map_err(&interrupted)?;
    Ok(tally.done(org_requests))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str, key: &str, name: &str) -> StoredUnit {
        StoredUnit {
            id: id.into(),
            parent_id: None,
            name: name.into(),
            display_name: None,
            description: None,
            level: 0,
            kind: Some("team".into()),
            external_id: Some(key.into()),
            member_ids: Vec::new(),
            meta: None,
        }
    }

    #[test]
    fn the_state_after_is_the_state_before_with_each_answer_in_place() {
        let before = OrgState::new(
            None,
            vec![
                unit("1", "a", "A"),
                unit("2", "b", "B"),
                unit("3", "c", "C"),
            ],
        );
        let mut done = PerUnitDone::default();
        done.answers
            .insert("2".into(), Some(unit("2", "b", "B renamed")));
        done.answers.insert("3".into(), None);
        done.answers.insert("4".into(), Some(unit("4", "d", "D")));
        let after = done.state_after(before);
        let mut names: Vec<(&str, &str)> = after
            .units
            .iter()
            .map(|u| (u.id.as_str(), u.name.as_str()))
            .collect();
        names.sort();
        assert_eq!(names, vec![("1", "A"), ("2", "B renamed"), ("4", "D")]);
        assert!(done.answers.is_empty(), "the answers move into the state");
    }

    #[test]
    fn the_state_after_fingerprints_as_a_fresh_read_of_the_same_units_would() {
        let fresh = OrgState::new(None, vec![unit("2", "b", "B2"), unit("1", "a", "A")]);
        let mut done = PerUnitDone::default();
        done.answers.insert("2".into(), Some(unit("2", "b", "B2")));
        let after = done.state_after(OrgState::new(
            None,
            vec![unit("1", "a", "A"), unit("2", "b", "B")],
        ));
        assert_eq!(after.fingerprint(), fresh.fingerprint());
    }
}
