//! Offline organization imports made safe: validate, plan against the deployment (or its last
//! snapshot), keep the plan, and apply exactly it by id — refusing a stale plan and mass
//! deletions before any write, recording every step so an interrupted apply resumes.

use super::org_per_unit::{ApplyPath, apply_per_unit, cheaper_path, payload_file, writes_needed};
use crate::error::{ConsoleError, ConsoleResult, PartialChange};
use crate::laps::Laps;
use crate::operation::{Operation, OperationKind};
use crate::plan::PlanKind;
use crate::{Console, Imports, Observer, Target};
use cloo_domain::org::import_file::{ImportFile, Validated, validate_import};
use cloo_domain::org::import_plan::{
    OrgImportPlan, OrgState, People, PlanOptions, ShapedUnit, StoredOrg, StoredUnit, differences,
    digest, plan_import, shape,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The format tag of a plan document.
pub const ORG_PLAN_FORMAT: &str = "cloosphere-org-import-plan/2";

/// A plan as saved with `--out` and in the local store: everything needed to apply it later
/// and to check that the deployment has not moved on since.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgPlanDocument {
    /// [`ORG_PLAN_FORMAT`].
    pub format: String,
    /// Plan id.
    pub id: String,
    /// The console tenant it was made for.
    pub tenant: String,
    /// The imported file's name.
    pub file_name: String,
    /// Epoch seconds.
    pub created_at: i64,
    /// Made against the last snapshot instead of the live deployment.
    pub offline: bool,
    /// When that state was read (epoch seconds).
    pub state_read_at: i64,
    /// Planning choices.
    pub options: PlanOptions,
    /// Fingerprint of the state the plan was made against.
    pub base_fingerprint: String,
    /// That state, as much of it as naming what changed since needs.
    pub base: PlanBase,
    /// What will happen.
    pub plan: OrgImportPlan,
    /// The exact body to push.
    pub push: PushBody,
}

/// The exact body a plan pushes, kept as the JSON text it will be sent as: written once when
/// the plan is made, stored and read back without becoming a tree (tens of megabytes for a
/// large organization), and read as units only by an apply that writes unit by unit.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PushBody(Box<RawValue>);

impl PushBody {
    /// The body of `file` as it will be pushed.
    pub fn of(file: &ImportFile) -> ConsoleResult<PushBody> {
        RawValue::from_string(file.payload_json())
            .map(PushBody)
            .map_err(|e| ConsoleError::Internal(format!("writing the push body: {e}")))
    }

    /// The JSON text.
    pub fn json(&self) -> &str {
        self.0.get()
    }

    /// The body as a tree.
    pub fn to_value(&self) -> ConsoleResult<Value> {
        serde_json::from_str(self.json()).map_err(|e| {
            ConsoleError::Internal(format!("the stored push body does not parse: {e}"))
        })
    }
}

impl PartialEq for PushBody {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json()
    }
}

/// The state a plan was made against, kept small: each unit's shape (its fields, and digests of
/// its members and meta) and the organization record's name and meta digest. Enough to name the
/// units that changed since, without a copy of every member list in every stored plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanBase {
    /// The organization record's `(name, digest of meta)`; `None` when it did not exist.
    pub organization: Option<(String, String)>,
    /// Every unit, shaped.
    pub units: Vec<ShapedUnit>,
}

impl PlanBase {
    /// The base of `state`.
    pub fn of(state: &OrgState) -> PlanBase {
        PlanBase {
            organization: organization_shape(state),
            units: shape(&state.units),
        }
    }
}

fn organization_shape(state: &OrgState) -> Option<(String, String)> {
    state
        .organization
        .as_ref()
        .map(|o| (o.name.clone(), digest(o.meta.as_ref())))
}

/// What an organization plan is made against.
#[derive(Debug)]
pub(crate) enum PlanBasis {
    /// The deployment, read now.
    Live,
    /// The last snapshot kept in the store (planning offline).
    Offline,
    /// The deployment as the caller has just read it ([`Console::org_state`]), for a caller that
    /// reads it while doing something else.
    Read(Box<OrgState>),
}

impl PlanBasis {
    /// Offline or live.
    pub(crate) fn offline(offline: bool) -> PlanBasis {
        if offline {
            PlanBasis::Offline
        } else {
            PlanBasis::Live
        }
    }
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct OrgApplyReport {
    /// Plan id.
    pub plan_id: String,
    /// The organization's database id.
    pub organization_id: String,
    /// This run continued an interrupted one.
    pub resumed: bool,
    /// The plan had been applied completely before; nothing was written.
    pub already_applied: bool,
    /// The server's counters for the push.
    #[ts(type = "unknown")]
    pub counters: Option<Value>,
    /// Fix-ups made.
    #[ts(type = "number")]
    pub fixups_done: usize,
    /// Where the deployment differs from the plan's prediction after the apply (empty: none).
    pub differences: Vec<String>,
    /// `import` (the whole tree in one request) or `per_unit` (one request per changed unit).
    pub path: String,
    /// Requests that wrote something.
    #[ts(type = "number")]
    pub write_requests: usize,
    /// Milliseconds per phase (`load`, `check`, `payload`, `write`, `push`, `fixups`,
    /// `verify`), for the curious.
    #[ts(type = "Record<string, number>")]
    pub timings: BTreeMap<String, u64>,
}

/// The recorded steps of an apply (what lets an interrupted apply resume).
mod step {
    pub const PUSH_STARTED: &str = "push_started";
    pub const PUSH_DONE: &str = "push_done";
    pub const PUSH_FAILED: &str = "push_failed";
    pub const FIXUP_DONE: &str = "fixup_done";
    pub const FIXUP_FAILED: &str = "fixup_failed";
    pub const VERIFIED: &str = "verified";
}

impl Console {
    /// The organization with `org_tenant_id` and its units, read from the deployment; kept as
    /// the snapshot for planning offline.
    pub(crate) async fn org_state(
        &self,
        target: &Target,
        org_tenant_id: &str,
    ) -> ConsoleResult<OrgState> {
        let session = self.session(target).await?;
        let orgs = session
            .call(|c, t| async move { c.organizations(&t).await })
            .await?;
        let Some(org) = orgs.into_iter().find(|o| o.tenant_id == org_tenant_id) else {
            return Ok(OrgState::default());
        };
        let id = org.id.clone();
        let units = session
            .call(|c, t| {
                let id = id.clone();
                async move { c.units_of_org(&t, &id).await }
            })
            .await?;
        let state = OrgState::new(
            Some(StoredOrg::from(org)),
            units.into_iter().map(StoredUnit::from).collect(),
        );
        self.keep_org_snapshot(target, org_tenant_id, &state)
            .await?;
        Ok(state)
    }

    /// Keeps `state` as the snapshot of organization `org_tenant_id` for planning offline; an
    /// organization read again unchanged (a plan after a verified apply, the apply's own checks)
    /// keeps the copy already stored.
    pub(crate) async fn keep_org_snapshot(
        &self,
        target: &Target,
        org_tenant_id: &str,
        state: &OrgState,
    ) -> ConsoleResult<()> {
        let key = self.target_key(target).await?;
        let slot = format!("{key}/{org_tenant_id}");
        let fingerprint = state.fingerprint();
        if Self::lock(&self.kept_org_snapshots).get(&slot) != Some(&fingerprint) {
            let text =
                serde_json::to_string(&state).map_err(|e| ConsoleError::Internal(e.to_string()))?;
            self.store
                .save_org_snapshot(&key, org_tenant_id, crate::now(), &text)
                .await?;
            Self::lock(&self.kept_org_snapshots).insert(slot, fingerprint);
        }
        Ok(())
    }

    /// Plans a file already validated against `basis`, and stores the plan. `review` sees the
    /// plan with the file as it will be pushed before the file is let go — before the plan is
    /// written out, so the two largest values of a plan (the file and the plan's text) are
    /// never alive at once.
    pub(crate) async fn plan_org_file<R>(
        &self,
        target: &Target,
        file_name: &str,
        file: ImportFile,
        options: PlanOptions,
        basis: PlanBasis,
        review: impl FnOnce(&OrgPlanDocument, &ImportFile) -> R,
    ) -> ConsoleResult<(OrgPlanDocument, R)> {
        let org_tenant_id = file.tenant_id().unwrap_or_default().to_owned();
        let tenant = self.target_key(target).await?;
        let offline = matches!(basis, PlanBasis::Offline);
        let (state, read_at, people) = if offline {
            let (taken, text) = self
                .store
                .org_snapshot(&tenant, &org_tenant_id)
                .await?
                .ok_or_else(|| {
                    ConsoleError::not_found(
                        "snapshot",
                        &org_tenant_id,
                        format!(
                            "no snapshot of organization {org_tenant_id:?} on this tenant yet: plan once while connected"
                        ),
                    )
                })?;
            let state: OrgState = serde_json::from_str(&text).map_err(|e| {
                ConsoleError::Internal(format!("the stored snapshot is unreadable: {e}"))
            })?;
            (state, taken, None)
        } else {
            let state = match basis {
                PlanBasis::Read(state) => *state,
                _ => self.org_state(target, &org_tenant_id).await?,
            };
            let snapshot = self.snapshot(target, false).await?;
            let people = People::new(
                snapshot
                    .directory
                    .users()
                    .iter()
                    .map(|u| (u.email.as_str(), u.oauth_sub.as_deref())),
            );
            (state, crate::now(), Some(people))
        };
        let planned = plan_import(file, &state, people.as_ref(), options);
        let document = OrgPlanDocument {
            format: ORG_PLAN_FORMAT.to_owned(),
            id: uuid::Uuid::new_v4().to_string(),
            tenant,
            file_name: file_name.to_owned(),
            created_at: crate::now(),
            offline,
            state_read_at: read_at,
            options,
            base_fingerprint: state.fingerprint(),
            base: PlanBase::of(&state),
            push: PushBody::of(&planned.push)?,
            plan: planned.plan,
        };
        let reviewed = review(&document, &planned.push);
        drop(planned.push);
        self.save_plan(
            PlanKind::OrgImport,
            &document.id,
            &document.tenant,
            &document.file_name,
            &document,
        )
        .await?;
        Ok((document, reviewed))
    }

    /// Forgets a tenant's older organization plans titled `prefix…` beyond the newest `keep`,
    /// never one whose apply may still be resumed. A failure is logged: it never undoes a plan.
    pub(crate) async fn prune_org_plans(&self, tenant_key: &str, prefix: &str, keep: u32) {
        let pruned = self
            .store
            .prune_plans(tenant_key, prefix, keep, step::PUSH_STARTED, step::VERIFIED)
            .await;
        match pruned {
            Ok(0) => {}
            Ok(n) => tracing::debug!(tenant = tenant_key, n, "older plans forgotten"),
            Err(e) => tracing::warn!(tenant = tenant_key, "older plans not pruned: {e}"),
        }
    }

    async fn record_step(&self, plan_id: &str, step: &str, detail: &str) -> ConsoleResult<()> {
        self.store
            .record_plan_step(plan_id, crate::now(), step, detail)
            .await?;
        Ok(())
    }
}

impl Imports<'_> {
    /// The organization with `org_tenant_id` and its units as the deployment has them now (kept
    /// as the snapshot for planning offline); empty when there is no such organization.
    pub async fn get_org_state(
        &self,
        target: &Target,
        org_tenant_id: &str,
    ) -> ConsoleResult<OrgState> {
        self.c.org_state(target, org_tenant_id).await
    }

    /// Checks an import file without any connection.
    pub fn validate_org(bytes: &[u8]) -> Validated {
        validate_import(bytes)
    }

    /// Plans an import file and stores the plan. `offline` plans against the last snapshot (no
    /// connection). A file with errors is refused, at the position of the first one.
    pub async fn plan_org(
        &self,
        target: &Target,
        file_name: &str,
        bytes: &[u8],
        options: PlanOptions,
        offline: bool,
    ) -> ConsoleResult<OrgPlanDocument> {
        let validated = validate_import(bytes);
        let first_error = validated.errors().next().cloned();
        let count = validated.errors().count();
        let file = match (validated.file, first_error) {
            (Some(file), None) => file,
            (_, Some(p)) => {
                return Err(ConsoleError::invalid_at(
                    format!("{file_name}: {}", p.path),
                    format!(
                        "{file_name} has {count} error(s), the first at {}: {}",
                        p.path, p.message
                    ),
                ));
            }
            (None, None) => {
                return Err(ConsoleError::invalid_at(
                    file_name,
                    format!("{file_name} is not an organization import"),
                ));
            }
        };
        Ok(self
            .c
            .plan_org_file(
                target,
                file_name,
                file,
                options,
                PlanBasis::offline(offline),
                |_, _| (),
            )
            .await?
            .0)
    }

    /// Keeps a plan document (one read from a `--out` file, say) in the local store.
    pub async fn keep_org_plan(&self, document: &OrgPlanDocument) -> ConsoleResult<()> {
        self.c
            .save_plan(
                PlanKind::OrgImport,
                &document.id,
                &document.tenant,
                &document.file_name,
                document,
            )
            .await
    }

    /// A plan kept in the local store.
    pub async fn get_org_plan(&self, plan_id: &str) -> ConsoleResult<OrgPlanDocument> {
        // Parsed once, straight into the document (the push body alone is tens of megabytes
        // on a large tenant).
        let stored = self
            .c
            .stored_plan_record(PlanKind::OrgImport, plan_id)
            .await?;
        read_plan_document(stored.document.as_bytes(), plan_id)
    }

    /// Applies a stored plan: refuses a stale plan and too many deletions before any write,
    /// pushes the import, makes the fix-ups, re-reads and compares with the prediction. Every
    /// step is recorded; a re-run after a failure continues where it stopped.
    pub async fn apply_org(
        &self,
        target: &Target,
        plan_id: &str,
        allow_deletes: Option<usize>,
        path: ApplyPath,
        observer: &Observer,
    ) -> ConsoleResult<OrgApplyReport> {
        let document = self.get_org_plan(plan_id).await?;
        self.apply_org_plan(target, &document, allow_deletes, path, observer)
            .await
    }

    /// [`Imports::apply_org`] for a plan document the caller has already read from the store.
    pub(crate) async fn apply_org_plan(
        &self,
        target: &Target,
        document: &OrgPlanDocument,
        allow_deletes: Option<usize>,
        path: ApplyPath,
        observer: &Observer,
    ) -> ConsoleResult<OrgApplyReport> {
        let plan_id = document.id.as_str();
        let op = self
            .c
            .begin_plan(
                target,
                OperationKind::OrgImport,
                &format!("{} ({})", document.plan.tenant_id, document.file_name),
                plan_id,
                observer,
            )
            .await?;
        let result = apply_document(self.c, target, document, allow_deletes, path, &op).await;
        if let Ok(report) = &result {
            op.record_after(&serde_json::json!({
                "creates": document.plan.create.len(),
                "updates": document.plan.update.len(),
                "moves": document.plan.moves.len(),
                "deletes": document.plan.delete.len(),
                "fixups_done": report.fixups_done,
                "differences": report.differences.len(),
                "path": report.path,
                "write_requests": report.write_requests,
            }));
        }
        op.finish(result).await
    }
}

async fn apply_document(
    c: &Console,
    target: &Target,
    document: &OrgPlanDocument,
    allow_deletes: Option<usize>,
    path: ApplyPath,
    op: &Operation,
) -> ConsoleResult<OrgApplyReport> {
    let key = c.target_key(target).await?;
    if key != document.tenant {
        return Err(ConsoleError::invalid(
            "plan",
            format!(
                "this plan was made for another tenant ({}); select that tenant to apply it",
                document.tenant
            ),
        ));
    }
    let plan = &document.plan;
    plan.check_deletions(allow_deletes)?;
    op.step("checking", 0, 1);
    let mut laps = Laps::start();
    let session = c.session(target).await?;
    let steps = c.store.plan_steps(&document.id).await?;
    let started = steps.iter().any(|j| j.step == step::PUSH_STARTED);
    let verified = steps.iter().any(|j| j.step == step::VERIFIED);
    let read_started = std::time::Instant::now();
    let current = c.org_state(target, &plan.tenant_id).await?;
    // Two GETs: the organizations, then its units.
    let round_trip = read_started.elapsed() / 2;
    let fresh = current.fingerprint() == document.base_fingerprint;
    laps.lap("check");
    if verified && !fresh {
        let left = differences(&plan.predicted, &shape(&current.units));
        if left.is_empty() {
            return Ok(OrgApplyReport {
                plan_id: document.id.clone(),
                organization_id: current.organization.map(|o| o.id).unwrap_or_default(),
                resumed: false,
                already_applied: true,
                counters: None,
                fixups_done: 0,
                differences: Vec::new(),
                path: String::new(),
                write_requests: 0,
                timings: BTreeMap::new(),
            });
        }
    }
    if !fresh {
        let unexplained = if started {
            unexplained_changes(&document.base, &plan.predicted, &current)
        } else {
            changed_units(&document.base, &current)
        };
        if !unexplained.is_empty() || !started {
            let shown: Vec<&str> = unexplained.iter().take(5).map(String::as_str).collect();
            return Err(ConsoleError::StalePlan {
                plan_id: document.id.clone(),
                changed_count: unexplained.len(),
                changed: shown.iter().map(|s| (*s).to_owned()).collect(),
                message: format!(
                    "the plan is stale: organization {:?} changed since it was planned{} ({} unit(s): {}). Nothing was written; make a new plan",
                    plan.tenant_id,
                    if document.offline {
                        " (offline, from the last snapshot)"
                    } else {
                        ""
                    },
                    unexplained.len(),
                    shown.join(", ")
                ),
            });
        }
    }
    let resumed = started && !fresh;
    // Nothing to change: no push, so the server writes no row and no audit entry for units it
    // would only "update" to what they already are.
    if fresh && !plan.has_changes() {
        return Ok(OrgApplyReport {
            plan_id: document.id.clone(),
            organization_id: current.organization.map(|o| o.id).unwrap_or_default(),
            resumed: false,
            already_applied: false,
            counters: None,
            fixups_done: 0,
            differences: Vec::new(),
            path: String::new(),
            write_requests: 0,
            timings: BTreeMap::new(),
        });
    }
    op.checkpoint(
        || "nothing was applied".to_owned(),
        "apply the same plan again",
    )?;

    let chosen = match path {
        ApplyPath::Auto if current.organization.is_none() => ApplyPath::Import,
        ApplyPath::Auto => {
            let file_units = plan
                .predicted
                .len()
                .saturating_sub(plan.left_in_place.len() + plan.orphaned.len());
            cheaper_path(file_units, writes_needed(plan, &current), round_trip)
        }
        other => other,
    };
    if chosen == ApplyPath::PerUnit {
        c.record_step(&document.id, step::PUSH_STARTED, "per_unit")
            .await?;
        let payload = payload_file(&document.push)?;
        laps.lap("payload");
        let mut done = apply_per_unit(&session, document, &current, &payload, op).await?;
        laps.lap("write");
        drop(payload);
        let applied = format!(
            "every unit write of the plan was made ({} created, {} updated, {} deleted)",
            done.created, done.updated, done.deleted
        );
        let counters = serde_json::json!({"units": {"created": done.created, "updated": done.updated, "deleted": done.deleted}});
        let mut report = async {
            c.record_step(&document.id, step::PUSH_DONE, &counters.to_string())
                .await?;
            op.step("verifying", 0, 1);
            // The state read before the writes, with the server's answer to each write, is the
            // read-back; only a written organization record (whose new form no answer carries)
            // needs the whole organization read again.
            let after = if done.organization_written {
                c.org_state(target, &plan.tenant_id).await?
            } else {
                let after = done.state_after(current);
                c.keep_org_snapshot(target, &plan.tenant_id, &after).await?;
                after
            };
            verify(c, document, after, resumed, Some(counters), 0).await
        }
        .await
        .map_err(after_the_writes(applied))?;
        laps.lap("verify");
        report.path = "per_unit".into();
        report.write_requests = done.requests;
        report.timings = laps.into_phases();
        return Ok(report);
    }
    c.record_step(&document.id, step::PUSH_STARTED, "").await?;
    op.step("pushing", 0, 1);
    let body = &document.push;
    let pushed = session
        .call(|client, t| async move { client.import_organization(&t, body).await })
        .await;
    let result = match pushed {
        Ok(r) => r,
        Err(e) => {
            c.record_step(&document.id, step::PUSH_FAILED, &e.to_string())
                .await?;
            let done = c
                .org_state(target, &plan.tenant_id)
                .await
                .map(|s| units_as_planned(&plan.predicted, &s))
                .ok();
            let applied = match done {
                Some(n) => format!(
                    "the server has no transaction: units before the failure are written ({n} of {} planned units are already as planned); no deletions or fix-ups were made",
                    plan.predicted.len()
                ),
                None => "the server has no transaction: units before the failure are written, how far it got could not be read back; no deletions or fix-ups were made".to_owned(),
            };
            return Err(ConsoleError::Interrupted {
                cause: Box::new(e),
                progress: PartialChange {
                    applied,
                    resume: "apply the same plan again to finish: written units are matched, never duplicated".into(),
                },
            });
        }
    };
    let counters = serde_json::to_value(&result.result).ok();
    c.record_step(
        &document.id,
        step::PUSH_DONE,
        &counters.as_ref().map(Value::to_string).unwrap_or_default(),
    )
    .await?;

    laps.lap("push");
    // Fix-ups: detach units the server left under their old parent.
    let after_push = c
        .org_state(target, &plan.tenant_id)
        .await
        .map_err(after_the_writes(format!(
            "the import was pushed; none of the {} fix-up(s) was made",
            plan.fixups.len()
        )))?;
    let by_key: HashMap<&str, &StoredUnit> = after_push
        .units
        .iter()
        .filter_map(|u| u.external_id.as_deref().map(|k| (k, u)))
        .collect();
    let total = plan.fixups.len();
    let mut fixups_done = 0;
    op.step("fixups", 0, total as u64);
    for fixup in &plan.fixups {
        op.checkpoint(
            || format!("the import was pushed; {fixups_done} of {total} fix-ups done"),
            "apply the same plan again to finish the fix-ups",
        )?;
        let Some(unit) = by_key.get(fixup.key.as_str()) else {
            op.advance();
            continue;
        };
        if unit.parent_id.as_deref().is_none_or(str::is_empty) {
            op.advance();
            continue;
        }
        let id = unit.id.clone();
        let done = session
            .call(|client, t| {
                let id = id.clone();
                async move {
                    client
                        .update_org_unit(&t, &id, &serde_json::json!({"parent_id": ""}))
                        .await
                }
            })
            .await;
        if let Err(e) = done {
            c.record_step(&document.id, step::FIXUP_FAILED, &fixup.key)
                .await?;
            return Err(ConsoleError::Interrupted {
                cause: Box::new(e),
                progress: PartialChange {
                    applied: format!(
                        "the import was pushed, but detaching {:?} from its old parent failed; {fixups_done} of {total} fix-ups done",
                        fixup.key
                    ),
                    resume: "apply the same plan again to finish".into(),
                },
            });
        }
        fixups_done += 1;
        c.record_step(&document.id, step::FIXUP_DONE, &fixup.key)
            .await?;
        op.advance();
    }
    laps.lap("fixups");
    op.step("verifying", 0, 1);
    let applied = format!("the import was pushed and its {fixups_done} fix-up(s) made");
    let mut report = async {
        let after = c.org_state(target, &plan.tenant_id).await?;
        verify(c, document, after, resumed, counters, fixups_done).await
    }
    .await
    .map_err(after_the_writes(applied))?;
    laps.lap("verify");
    report.timings = laps.into_phases();
    report.path = "import".into();
    report.write_requests = 1 + fixups_done;
    Ok(report)
}

/// For a failure after writes were made (reading back, recording): the deployment has changed,
/// so the error says what was written and how to finish, instead of looking like nothing
/// happened.
fn after_the_writes(applied: String) -> impl FnOnce(ConsoleError) -> ConsoleError {
    move |cause| {
        ConsoleError::after_writes(
            cause,
            applied,
            "apply the same plan again to finish: what is already as planned is matched, never written twice, and the result is checked",
        )
    }
}

/// Compares the organization as read back after the writes with the plan's prediction.
async fn verify(
    c: &Console,
    document: &OrgPlanDocument,
    after: OrgState,
    resumed: bool,
    counters: Option<Value>,
    fixups_done: usize,
) -> ConsoleResult<OrgApplyReport> {
    let plan = &document.plan;
    let differences = differences(&plan.predicted, &shape(&after.units));
    c.record_step(
        &document.id,
        step::VERIFIED,
        &format!("{} difference(s)", differences.len()),
    )
    .await?;
    Ok(OrgApplyReport {
        plan_id: document.id.clone(),
        organization_id: after.organization.map(|o| o.id).unwrap_or_default(),
        resumed,
        already_applied: false,
        counters,
        fixups_done,
        differences,
        path: String::new(),
        write_requests: 0,
        timings: BTreeMap::new(),
    })
}

/// Reads a plan document (from a file or the store), checking its format.
pub fn read_plan_document(bytes: &[u8], source: &str) -> ConsoleResult<OrgPlanDocument> {
    let document: OrgPlanDocument = serde_json::from_slice(bytes).map_err(|e| {
        ConsoleError::invalid_at(
            source,
            format!("{source}: not an organization import plan ({e})"),
        )
    })?;
    if document.format != ORG_PLAN_FORMAT {
        return Err(ConsoleError::invalid_at(
            source,
            format!(
                "{source}: plan format {:?} is not {ORG_PLAN_FORMAT:?}",
                document.format
            ),
        ));
    }
    Ok(document)
}

/// Keys of units that differ between two states (added, removed or changed).
fn changed_units(base: &PlanBase, current: &OrgState) -> Vec<String> {
    let now = shape(&current.units);
    let mut out: Vec<String> = differences(&base.units, &now)
        .into_iter()
        .map(|d| d.split(':').next().unwrap_or_default().to_owned())
        .collect();
    if base.organization != organization_shape(current) {
        out.push("(the organization record)".to_owned());
    }
    out
}

/// After an interrupted apply, units that are neither as before nor as planned: someone else
/// changed them, so continuing would overwrite work the plan never showed.
fn unexplained_changes(
    base: &PlanBase,
    predicted: &[ShapedUnit],
    current: &OrgState,
) -> Vec<String> {
    let before: HashMap<&str, &ShapedUnit> =
        base.units.iter().map(|u| (u.key.as_str(), u)).collect();
    let planned: HashMap<&str, &ShapedUnit> =
        predicted.iter().map(|u| (u.key.as_str(), u)).collect();
    let now = shape(&current.units);
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for unit in &now {
        seen.insert(unit.key.clone());
        let as_before = before
            .get(unit.key.as_str())
            .is_some_and(|b| same_but_parent(b, unit));
        let as_planned = planned
            .get(unit.key.as_str())
            .is_some_and(|p| same_but_parent(p, unit));
        if !as_before && !as_planned {
            out.push(unit.key.clone());
        }
    }
    // A unit gone that the plan keeps (the plan's deletions are expected).
    for key in before.keys() {
        if !seen.contains(*key) && planned.contains_key(key) {
            out.push((*key).to_owned());
        }
    }
    out
}

/// Equal except for the parent, which a half-done import may leave for the fix-ups.
fn same_but_parent(a: &ShapedUnit, b: &ShapedUnit) -> bool {
    a.name == b.name
        && a.display_name == b.display_name
        && a.description == b.description
        && a.kind == b.kind
        && a.member_ids == b.member_ids
        && a.meta == b.meta
}

/// How many predicted units the deployment already holds as planned.
fn units_as_planned(predicted: &[ShapedUnit], state: &OrgState) -> usize {
    let now: HashMap<String, ShapedUnit> = shape(&state.units)
        .into_iter()
        .map(|u| (u.key.clone(), u))
        .collect();
    predicted
        .iter()
        .filter(|p| now.get(&p.key).is_some_and(|u| same_but_parent(p, u)))
        .count()
}
