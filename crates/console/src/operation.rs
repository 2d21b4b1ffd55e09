//! The operation runner: every write, in every area, goes through it.
//!
//! [`Console::begin`] opens an operation: it refuses a read-only tenant before anything is sent
//! (and journals the refusal), and opens a journal row as `running`. The use case then reports
//! progress ([`Operation::step`], [`Operation::count`]), checks for cancellation between
//! requests ([`Operation::checkpoint`]), records what it changed ([`Operation::record_before`],
//! [`Operation::record_after`]), and ends with [`Operation::finish`], which closes the journal
//! row with the outcome and error code and hands the result back.
//!
//! An [`Observer`] is what a shell gives an operation: where progress goes (an indicatif bar in
//! clooctl, a Tauri channel in the desktop) and the token that cancels it.

use crate::error::{ConsoleError, ConsoleResult, ErrorCode, PartialChange};
use crate::{Console, Target};
use cloo_store::{JournalOutcome, NewJournalEntry, Store};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

/// Every kind of write the console makes. The journal's `operation` column holds the wire name
/// (`user.set_role`); [`OperationKind::ALL`] lets tests enumerate them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum OperationKind {
    /// Add a tenant (local).
    #[serde(rename = "tenant.add")]
    TenantAdd,
    /// Edit a tenant (local).
    #[serde(rename = "tenant.edit")]
    TenantEdit,
    /// Remove a tenant (local).
    #[serde(rename = "tenant.remove")]
    TenantRemove,
    /// Add a user.
    #[serde(rename = "user.add")]
    UserAdd,
    /// Edit a user's name, e-mail, avatar or password.
    #[serde(rename = "user.edit")]
    UserEdit,
    /// Change a user's role.
    #[serde(rename = "user.set_role")]
    UserSetRole,
    /// Delete a user.
    #[serde(rename = "user.delete")]
    UserDelete,
    /// Set or clear a user's daily limit for a model.
    #[serde(rename = "user.set_limit")]
    UserSetLimit,
    /// Designate the Super Admin.
    #[serde(rename = "user.set_super_admin")]
    SuperAdminSet,
    /// Apply a bulk plan on a selection of users.
    #[serde(rename = "users.bulk")]
    UsersBulk,
    /// Apply a CSV user import plan.
    #[serde(rename = "users.import")]
    UsersImport,
    /// Create a group.
    #[serde(rename = "group.create")]
    GroupCreate,
    /// Rename or re-describe a group.
    #[serde(rename = "group.edit")]
    GroupEdit,
    /// Delete a group.
    #[serde(rename = "group.delete")]
    GroupDelete,
    /// Add direct members to a group.
    #[serde(rename = "group.add_members")]
    GroupAddMembers,
    /// Remove direct members from a group.
    #[serde(rename = "group.remove_members")]
    GroupRemoveMembers,
    /// Set a group's permissions.
    #[serde(rename = "group.set_permissions")]
    GroupSetPermissions,
    /// Link a group to organizational units.
    #[serde(rename = "group.link_units")]
    GroupLinkUnits,
    /// Set or clear a group's daily limit for a model.
    #[serde(rename = "group.set_limit")]
    GroupSetLimit,
    /// Save the default permissions.
    #[serde(rename = "defaults.set")]
    DefaultsSet,
    /// Apply an organization import plan.
    #[serde(rename = "org.import")]
    OrgImport,
    /// Delete an organizational unit.
    #[serde(rename = "org.delete_unit")]
    OrgUnitDelete,
    /// Set or clear a unit's daily limit for a model.
    #[serde(rename = "org.set_unit_limit")]
    OrgUnitSetLimit,
    /// Set a unit's guardrails.
    #[serde(rename = "org.set_unit_guardrails")]
    OrgUnitSetGuardrails,
    /// Change fields of one System Settings section.
    #[serde(rename = "settings.set")]
    SettingsSet,
    /// Apply a stored settings plan (its sections are `settings.set` each).
    #[serde(rename = "settings.apply_plan")]
    SettingsApply,
    /// One of the irreversible settings actions (reset the vector database, delete all files,
    /// delete all models).
    #[serde(rename = "settings.wipe")]
    SettingsWipe,
    /// The probe of the image engine, which turns image generation off when it fails.
    #[serde(rename = "settings.probe_images")]
    SettingsProbeImages,
    /// Install a pipeline on a pipeline server.
    #[serde(rename = "pipelines.add")]
    PipelineAdd,
    /// Remove a pipeline from its server.
    #[serde(rename = "pipelines.delete")]
    PipelineDelete,
    /// Change a pipeline's valves.
    #[serde(rename = "pipelines.set_valves")]
    PipelineValvesSet,
    /// Save notification channels (the whole configuration is replaced).
    #[serde(rename = "notifications.save")]
    ChannelsSave,
    /// Submit a Service Request to Cloocus (stored in the outbox, then sent).
    #[serde(rename = "sr.submit")]
    SrSubmit,
    /// Set or clear the direct route of Service Requests (central URL, SR key in the keychain).
    #[serde(rename = "sr.set_direct")]
    SrSetDirect,
    /// Move an inquiry to another status.
    #[serde(rename = "inquiry.move")]
    InquiryMove,
    /// Set an inquiry's admin note.
    #[serde(rename = "inquiry.note")]
    InquiryNote,
    /// Delete an inquiry.
    #[serde(rename = "inquiry.delete")]
    InquiryDelete,
    /// Export the audit log to a file (local: nothing changes on the deployment).
    #[serde(rename = "audit.export")]
    AuditExport,
    /// Copy the audit log's new rows into the local store (local).
    #[serde(rename = "audit.pull")]
    AuditPull,
    /// Send again, or record as delivered, a Service Request that failed or may have arrived.
    #[serde(rename = "sr.resolve")]
    SrResolve,
}

impl OperationKind {
    /// Every kind, for tests that must cover each write.
    pub const ALL: &'static [OperationKind] = &[
        OperationKind::TenantAdd,
        OperationKind::TenantEdit,
        OperationKind::TenantRemove,
        OperationKind::UserAdd,
        OperationKind::UserEdit,
        OperationKind::UserSetRole,
        OperationKind::UserDelete,
        OperationKind::UserSetLimit,
        OperationKind::SuperAdminSet,
        OperationKind::UsersBulk,
        OperationKind::UsersImport,
        OperationKind::GroupCreate,
        OperationKind::GroupEdit,
        OperationKind::GroupDelete,
        OperationKind::GroupAddMembers,
        OperationKind::GroupRemoveMembers,
        OperationKind::GroupSetPermissions,
        OperationKind::GroupLinkUnits,
        OperationKind::GroupSetLimit,
        OperationKind::DefaultsSet,
        OperationKind::OrgImport,
        OperationKind::OrgUnitDelete,
        OperationKind::OrgUnitSetLimit,
        OperationKind::OrgUnitSetGuardrails,
        OperationKind::SettingsSet,
        OperationKind::SettingsApply,
        OperationKind::SettingsWipe,
        OperationKind::SettingsProbeImages,
        OperationKind::PipelineAdd,
        OperationKind::PipelineDelete,
        OperationKind::PipelineValvesSet,
        OperationKind::ChannelsSave,
        OperationKind::SrSubmit,
        OperationKind::SrSetDirect,
        OperationKind::InquiryMove,
        OperationKind::InquiryNote,
        OperationKind::InquiryDelete,
        OperationKind::AuditExport,
        OperationKind::AuditPull,
        OperationKind::SrResolve,
    ];

    /// The wire name (`user.set_role`).
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::TenantAdd => "tenant.add",
            OperationKind::TenantEdit => "tenant.edit",
            OperationKind::TenantRemove => "tenant.remove",
            OperationKind::UserAdd => "user.add",
            OperationKind::UserEdit => "user.edit",
            OperationKind::UserSetRole => "user.set_role",
            OperationKind::UserDelete => "user.delete",
            OperationKind::UserSetLimit => "user.set_limit",
            OperationKind::SuperAdminSet => "user.set_super_admin",
            OperationKind::UsersBulk => "users.bulk",
            OperationKind::UsersImport => "users.import",
            OperationKind::GroupCreate => "group.create",
            OperationKind::GroupEdit => "group.edit",
            OperationKind::GroupDelete => "group.delete",
            OperationKind::GroupAddMembers => "group.add_members",
            OperationKind::GroupRemoveMembers => "group.remove_members",
            OperationKind::GroupSetPermissions => "group.set_permissions",
            OperationKind::GroupLinkUnits => "group.link_units",
            OperationKind::GroupSetLimit => "group.set_limit",
            OperationKind::DefaultsSet => "defaults.set",
            OperationKind::OrgImport => "org.import",
            OperationKind::OrgUnitDelete => "org.delete_unit",
            OperationKind::OrgUnitSetLimit => "org.set_unit_limit",
            OperationKind::OrgUnitSetGuardrails => "org.set_unit_guardrails",
            OperationKind::SettingsSet => "settings.set",
            OperationKind::SettingsApply => "settings.apply_plan",
            OperationKind::SettingsWipe => "settings.wipe",
            OperationKind::SettingsProbeImages => "settings.probe_images",
            OperationKind::PipelineAdd => "pipelines.add",
            OperationKind::PipelineDelete => "pipelines.delete",
            OperationKind::PipelineValvesSet => "pipelines.set_valves",
            OperationKind::ChannelsSave => "notifications.save",
            OperationKind::SrSubmit => "sr.submit",
            OperationKind::SrSetDirect => "sr.set_direct",
            OperationKind::InquiryMove => "inquiry.move",
            OperationKind::InquiryNote => "inquiry.note",
            OperationKind::InquiryDelete => "inquiry.delete",
            OperationKind::AuditExport => "audit.export",
            OperationKind::AuditPull => "audit.pull",
            OperationKind::SrResolve => "sr.resolve",
        }
    }

    /// Whether it writes to the deployment (and so is refused on a read-only tenant). Tenant
    /// changes are local: a read-only tenant must stay editable, or it could never be made
    /// writable again.
    pub fn writes_deployment(self) -> bool {
        // A Service Request changes nothing on the deployment: a read-only tenant may still
        // ask Cloocus for help.
        !matches!(
            self,
            OperationKind::TenantAdd
                | OperationKind::TenantEdit
                | OperationKind::TenantRemove
                | OperationKind::SrSubmit
                | OperationKind::SrSetDirect
                | OperationKind::AuditExport
                | OperationKind::AuditPull
                | OperationKind::SrResolve
        )
    }
}

/// Progress of a running operation, as the shells show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Progress {
    /// The operation.
    pub operation: OperationKind,
    /// The stage (`checking`, `pushing`, `creating`, `verifying`…).
    pub step: String,
    /// Done so far in this stage.
    #[ts(type = "number")]
    pub done: u64,
    /// Total of this stage (0 when unknown).
    #[ts(type = "number")]
    pub total: u64,
    /// Free-form counters (`created`, `skipped`, `failed`, `throttled`…).
    #[ts(type = "Record<string, number>")]
    pub counters: BTreeMap<String, u64>,
}

/// Where progress goes.
type ProgressSink = Arc<dyn Fn(&Progress) + Send + Sync>;

/// What a shell gives an operation: where its progress goes and how to cancel it.
#[derive(Clone, Default)]
pub struct Observer {
    sink: Option<ProgressSink>,
    cancel: CancellationToken,
}

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observer")
            .field("watched", &self.sink.is_some())
            .field("cancelled", &self.cancel.is_cancelled())
            .finish()
    }
}

impl Observer {
    /// Nobody watches and nobody cancels.
    pub fn quiet() -> Self {
        Observer::default()
    }

    /// Progress goes to `sink`.
    pub fn watching(sink: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        Observer {
            sink: Some(Arc::new(sink)),
            cancel: CancellationToken::new(),
        }
    }

    /// Cancelled by `token` (shared with whoever may cancel).
    pub fn cancelled_by(mut self, token: CancellationToken) -> Self {
        self.cancel = token;
        self
    }

    /// The token that cancels this observer's operations.
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Reports progress of a read that writes nothing (and so has no operation).
    pub(crate) fn report_progress(&self, progress: &Progress) {
        self.report(progress);
    }

    fn report(&self, progress: &Progress) {
        if let Some(sink) = &self.sink {
            sink(progress);
        }
    }
}

/// The tenant an operation acts on, resolved without a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TenantRef {
    /// The cache and journal key: the tenant id, or `direct:URL`.
    pub(crate) key: String,
    /// Its name.
    pub(crate) name: String,
    /// Writes are refused.
    pub(crate) read_only: bool,
    /// The account the console signs in with.
    pub(crate) actor: String,
}

#[derive(Debug, Default)]
struct Record {
    step: String,
    done: u64,
    total: u64,
    counters: BTreeMap<String, u64>,
    before: Option<String>,
    after: Option<String>,
    target: Option<String>,
    interrupted: Option<String>,
}

/// A running operation. End it with [`Operation::finish`]; one dropped unfinished stays
/// `running` in the journal (the evidence a crash would leave too).
#[must_use = "an operation must be finished, or its journal row stays `running`"]
#[derive(Debug)]
pub struct Operation {
    store: Store,
    journal_id: i64,
    kind: OperationKind,
    tenant: TenantRef,
    observer: Observer,
    record: Mutex<Record>,
    finished: bool,
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

fn to_json(value: &impl Serialize) -> Option<String> {
    serde_json::to_string(value).ok()
}

impl Console {
    /// Opens an operation of `kind` on `target` about `subject`: refuses (and journals the
    /// refusal) on a read-only tenant before anything is sent, else journals it as running.
    pub(crate) async fn begin(
        &self,
        target: &Target,
        kind: OperationKind,
        subject: &str,
        observer: &Observer,
    ) -> ConsoleResult<Operation> {
        self.begin_on(
            self.tenant_ref(target).await?,
            kind,
            subject,
            None,
            observer,
        )
        .await
    }

    /// [`Console::begin`] for the apply of a stored plan.
    pub(crate) async fn begin_plan(
        &self,
        target: &Target,
        kind: OperationKind,
        subject: &str,
        plan_id: &str,
        observer: &Observer,
    ) -> ConsoleResult<Operation> {
        let tenant = self.tenant_ref(target).await?;
        self.begin_on(tenant, kind, subject, Some(plan_id), observer)
            .await
    }

    pub(crate) async fn begin_on(
        &self,
        tenant: TenantRef,
        kind: OperationKind,
        subject: &str,
        plan_id: Option<&str>,
        observer: &Observer,
    ) -> ConsoleResult<Operation> {
        let journal_id = self
            .store
            .open_journal_entry(&NewJournalEntry {
                tenant_id: tenant.key.clone(),
                tenant_name: tenant.name.clone(),
                actor: tenant.actor.clone(),
                started_at: now_ms(),
                operation: kind.as_str().to_owned(),
                target: subject.to_owned(),
                plan_id: plan_id.map(str::to_owned),
            })
            .await?;
        let op = Operation {
            store: self.store.clone(),
            journal_id,
            kind,
            tenant,
            observer: observer.clone(),
            record: Mutex::new(Record::default()),
            finished: false,
        };
        if kind.writes_deployment() && op.tenant.read_only {
            let refusal = ConsoleError::ReadOnlyTenant {
                tenant: op.tenant.name.clone(),
            };
            return op.finish(Err(refusal)).await;
        }
        if op.observer.cancel.is_cancelled() {
            return op
                .finish(Err(ConsoleError::Cancelled(PartialChange {
                    applied: "nothing was applied".into(),
                    resume: "start it again".into(),
                })))
                .await;
        }
        Ok(op)
    }
}

impl Operation {
    fn lock(&self) -> std::sync::MutexGuard<'_, Record> {
        self.record
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The journal key of the tenant it acts on (the tenant id, or `direct:URL`).
    pub(crate) fn tenant_key(&self) -> &str {
        &self.tenant.key
    }

    /// The operation's kind.
    pub fn kind(&self) -> OperationKind {
        self.kind
    }

    /// Enters a stage with `total` steps (0 when unknown) and reports it.
    pub fn step(&self, step: &str, done: u64, total: u64) {
        let progress = {
            let mut r = self.lock();
            r.step = step.to_owned();
            r.done = done;
            r.total = total;
            self.progress_of(&r)
        };
        self.observer.report(&progress);
    }

    /// Advances the current stage by one and reports it.
    pub fn advance(&self) {
        let progress = {
            let mut r = self.lock();
            r.done += 1;
            self.progress_of(&r)
        };
        self.observer.report(&progress);
    }

    /// Adds to a free-form counter (`created`, `throttled`…) and reports it.
    pub fn count(&self, counter: &str, by: u64) {
        let progress = {
            let mut r = self.lock();
            *r.counters.entry(counter.to_owned()).or_default() += by;
            self.progress_of(&r)
        };
        self.observer.report(&progress);
    }

    fn progress_of(&self, r: &Record) -> Progress {
        Progress {
            operation: self.kind,
            step: r.step.clone(),
            done: r.done,
            total: r.total,
            counters: r.counters.clone(),
        }
    }

    /// Whether the shell asked to stop.
    pub fn is_cancelled(&self) -> bool {
        self.observer.cancel.is_cancelled()
    }

    /// Between two requests: stops with [`ConsoleError::Cancelled`] when asked to, saying what
    /// was applied (`applied` is only called then) and how to resume.
    pub fn checkpoint(&self, applied: impl FnOnce() -> String, resume: &str) -> ConsoleResult<()> {
        if self.is_cancelled() {
            Err(ConsoleError::Cancelled(PartialChange {
                applied: applied(),
                resume: resume.to_owned(),
            }))
        } else {
            Ok(())
        }
    }

    /// Records the state before the change (never a secret).
    pub fn record_before(&self, value: &impl Serialize) {
        self.lock().before = to_json(value);
    }

    /// Records the state after the change (never a secret).
    pub fn record_after(&self, value: &impl Serialize) {
        self.lock().after = to_json(value);
    }

    /// Marks an operation that returns its partial result (each row's fate) instead of an
    /// error as stopped part-way: the journal row says `interrupted` with this sentence.
    pub fn mark_interrupted(&self, message: &str) {
        self.lock().interrupted = Some(message.to_owned());
    }

    /// Names the target once it is known (an id resolved to an e-mail, say).
    pub fn set_target(&self, target: &str) {
        self.lock().target = Some(target.to_owned());
    }

    /// Closes the journal row with the outcome of `result`, and returns `result`. A journal that
    /// cannot be written is logged, never allowed to hide what happened on the deployment.
    pub async fn finish<T>(mut self, result: ConsoleResult<T>) -> ConsoleResult<T> {
        self.finished = true;
        let interrupted = self.lock().interrupted.take();
        let (outcome, code, message) = match &result {
            Ok(_) if interrupted.is_some() => (
                "interrupted",
                Some(ErrorCode::Interrupted.as_str().to_owned()),
                interrupted.unwrap_or_default(),
            ),
            Ok(_) => ("done", None, String::new()),
            Err(e) => {
                let code = e.code();
                let outcome = match code {
                    ErrorCode::Cancelled => "cancelled",
                    ErrorCode::Interrupted => "interrupted",
                    c if c.is_guard() || c == ErrorCode::RoleChangeRefused => "refused",
                    ErrorCode::Validation | ErrorCode::ConfirmationMismatch => "refused",
                    _ => "failed",
                };
                (outcome, Some(code.as_str().to_owned()), e.to_string())
            }
        };
        let record = std::mem::take(&mut *self.lock());
        let closed = self
            .store
            .close_journal_entry(
                self.journal_id,
                &JournalOutcome {
                    finished_at: now_ms(),
                    outcome: outcome.to_owned(),
                    error_code: code,
                    message,
                    before: record.before,
                    after: record.after,
                    target: record.target,
                },
            )
            .await;
        if let Err(e) = closed {
            tracing::error!(error = %e, operation = self.kind.as_str(), "the journal row could not be closed");
        }
        result
    }
}

impl Drop for Operation {
    fn drop(&mut self) {
        if !self.finished {
            tracing::warn!(
                operation = self.kind.as_str(),
                tenant = self.tenant.name,
                "an operation ended without being finished; its journal row stays running"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_listed_once_with_its_serialized_name() {
        let mut names = std::collections::HashSet::new();
        for kind in OperationKind::ALL {
            assert!(names.insert(kind.as_str()), "{kind:?} twice");
            assert_eq!(
                serde_json::to_value(kind).expect("json"),
                serde_json::json!(kind.as_str())
            );
        }
    }

    #[test]
    fn a_cancelled_observer_stops_at_the_next_checkpoint() {
        let token = CancellationToken::new();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let observer = Observer::watching(move |p: &Progress| {
            sink.lock().expect("lock").push((p.step.clone(), p.done));
        })
        .cancelled_by(token.clone());
        observer.report(&Progress {
            operation: OperationKind::UsersImport,
            step: "creating".into(),
            done: 1,
            total: 3,
            counters: BTreeMap::new(),
        });
        assert_eq!(seen.lock().expect("lock").len(), 1);
        assert!(!observer.cancel_token().is_cancelled());
        token.cancel();
        assert!(observer.cancel_token().is_cancelled());
    }
}
