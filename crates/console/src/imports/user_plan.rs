//! Importing users from a CSV file: plan, review, apply — and never a surprise.
//!
//! The plan holds the decisions and the file's SHA-256, never a password: applying reads the
//! passwords from the same bytes again (the file, or the bytes the desktop holds in memory), and
//! refuses if they changed. Apply creates exactly the planned rows; a row whose e-mail exists by
//! then is skipped, so re-running after an interruption finishes the job without duplicates.
//! Plans are stored and applied by id from either shell.

use crate::error::{ConsoleError, ConsoleResult};
use crate::operation::OperationKind;
use crate::plan::PlanKind;
use crate::{Console, Imports, Observer, Target};
use cloo_api::{AddUserForm, ApiError};
use cloo_domain::import::{FileEncoding, ImportPlan, RowAction, decode, plan_import};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// The format tag of a CSV import plan.
pub const USER_PLAN_FORMAT: &str = "cloosphere-user-import-plan/1";

/// A stored CSV import plan (also what `--out` writes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserImportPlan {
    /// [`USER_PLAN_FORMAT`].
    pub format: String,
    /// The stored plan's id.
    pub id: String,
    /// The console tenant it was made for.
    pub tenant: String,
    /// The deployment it was planned against.
    pub base_url: String,
    /// The CSV file.
    pub file: PathBuf,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Epoch seconds.
    pub created_at: i64,
    /// The rows.
    pub plan: ImportPlan,
}

/// What happened to one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RowResult {
    /// Physical line in the file.
    #[ts(type = "number")]
    pub line: u64,
    /// E-mail.
    pub email: String,
    /// What the plan said: create, skip or error.
    pub action: String,
    /// created, skipped, failed, unknown (the connection dropped during its request), not
    /// attempted, or not written (plan errors).
    pub outcome: String,
    /// Why, when there is something to say.
    pub message: String,
}

/// The result of an apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportOutcome {
    /// Every row of the plan, in file order.
    pub rows: Vec<RowResult>,
    /// Users created.
    #[ts(type = "number")]
    pub created: usize,
    /// Rows skipped (already registered).
    #[ts(type = "number")]
    pub skipped: usize,
    /// Rows the server refused.
    #[ts(type = "number")]
    pub failed: usize,
    /// Set when the apply stopped early (connection lost): what happened and how to resume.
    pub stopped: Option<String>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads a file named by the user.
pub fn read_file(path: &Path) -> ConsoleResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| {
        ConsoleError::invalid_at(
            path.display().to_string(),
            format!("cannot read {}: {e}", path.display()),
        )
    })
}

fn file_error(path: &Path, e: &cloo_domain::import::ImportFileError) -> ConsoleError {
    let position = match e.line() {
        Some(line) => format!("{}:{line}", path.display()),
        None => path.display().to_string(),
    };
    ConsoleError::Validation {
        // A file that is not text in the encoding is fixed by choosing another one.
        field: matches!(e, cloo_domain::import::ImportFileError::Encoding(_))
            .then(|| "encoding".to_owned()),
        position: Some(position),
        message: format!("{}: {e}", path.display()),
    }
}

/// Errors that mean the deployment is out of reach: stop, report, let the admin re-run.
fn connection_lost(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Network { .. }
            | ApiError::Timeout { .. }
            | ApiError::Tls { .. }
            | ApiError::NotAuthenticated { .. }
    )
}

impl Imports<'_> {
    /// Plans an import of a file's `bytes` (`path` names it in messages and in the plan) and
    /// stores the plan. Nothing is written to the deployment.
    pub async fn plan_users(
        &self,
        target: &Target,
        path: &Path,
        bytes: &[u8],
        encoding: Option<FileEncoding>,
    ) -> ConsoleResult<UserImportPlan> {
        let c = self.c;
        let (text, encoding) = decode(bytes, encoding).map_err(|e| file_error(path, &e))?;
        let snapshot = c.snapshot(target, true).await?;
        let existing: HashSet<String> = snapshot
            .directory
            .users()
            .iter()
            .map(|u| u.email.to_lowercase())
            .collect();
        let group_exists = |g: &str| {
            snapshot
                .find_group(g)
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        let (plan, _) = plan_import(&text, encoding, &existing, &group_exists)
            .map_err(|e| file_error(path, &e))?;
        let session = c.session(target).await?;
        let document = UserImportPlan {
            format: USER_PLAN_FORMAT.to_owned(),
            id: uuid::Uuid::new_v4().to_string(),
            tenant: c.target_key(target).await?,
            base_url: session.client().base_url().to_string(),
            file: path.to_owned(),
            sha256: sha256_hex(bytes),
            created_at: crate::now(),
            plan,
        };
        self.keep_users_plan(&document).await?;
        Ok(document)
    }

    /// Keeps a plan document (one read from a `--out` file, say) in the local store.
    pub async fn keep_users_plan(&self, document: &UserImportPlan) -> ConsoleResult<()> {
        if document.format != USER_PLAN_FORMAT {
            return Err(ConsoleError::invalid(
                "plan",
                format!(
                    "plan format {:?} is not {USER_PLAN_FORMAT:?}",
                    document.format
                ),
            ));
        }
        self.c
            .save_plan(
                PlanKind::UserImport,
                &document.id,
                &document.tenant,
                &document.file.display().to_string(),
                document,
            )
            .await
    }

    /// A stored CSV import plan.
    pub async fn get_users_plan(&self, plan_id: &str) -> ConsoleResult<UserImportPlan> {
        Ok(self
            .c
            .stored_plan::<UserImportPlan>(PlanKind::UserImport, plan_id)
            .await?
            .1)
    }

    /// Applies a stored plan to the bytes it was made from (checked by their SHA-256): `bytes`,
    /// or when `None` the bytes held since the desktop planned them. Creates exactly the planned
    /// rows (skipping any e-mail registered since), then adds them to their groups. Stops
    /// between rows when cancelled, and at a lost connection, saying how to resume.
    pub async fn apply_users(
        &self,
        target: &Target,
        plan_id: &str,
        bytes: Option<&[u8]>,
        observer: &Observer,
    ) -> ConsoleResult<ImportOutcome> {
        let c = self.c;
        let plan = self.get_users_plan(plan_id).await?;
        let op = c
            .begin_plan(
                target,
                OperationKind::UsersImport,
                &plan.file.display().to_string(),
                plan_id,
                observer,
            )
            .await?;
        let held = match bytes {
            Some(b) => Some(b.to_vec()),
            None => Console::lock(&c.uploads)
                .get(plan_id)
                .map(|h| h.bytes.clone()),
        };
        let result = async {
            let bytes = held.ok_or_else(|| {
                ConsoleError::invalid(
                    "file",
                    "the file of this plan is no longer open: open it again",
                )
            })?;
            if plan.tenant != c.target_key(target).await? {
                return Err(ConsoleError::invalid(
                    "plan",
                    format!(
                        "this plan was made for another tenant ({}); select that tenant to apply it",
                        plan.tenant
                    ),
                ));
            }
            if sha256_hex(&bytes) != plan.sha256 {
                return Err(ConsoleError::StalePlan {
                    plan_id: plan.id.clone(),
                    changed: vec![plan.file.display().to_string()],
                    changed_count: 1,
                    message: format!(
                        "{} changed since the plan was made: nothing was written; plan it again",
                        plan.file.display()
                    ),
                });
            }
            apply_rows(c, target, &plan, &bytes, &op).await
        }
        .await;
        if let Ok(outcome) = &result {
            op.record_after(&serde_json::json!({
                "created": outcome.created,
                "skipped": outcome.skipped,
                "failed": outcome.failed,
            }));
            if let Some(stopped) = &outcome.stopped {
                op.mark_interrupted(stopped);
            } else {
                Console::lock(&c.uploads).remove(plan_id);
            }
        }
        op.finish(result).await
    }
}

/// Creates the planned rows of `plan` from `bytes`.
async fn apply_rows(
    c: &Console,
    target: &Target,
    plan: &UserImportPlan,
    bytes: &[u8],
    op: &crate::operation::Operation,
) -> ConsoleResult<ImportOutcome> {
    let session = c.session(target).await?;
    let (text, _) =
        decode(bytes, Some(plan.plan.encoding)).map_err(|e| file_error(&plan.file, &e))?;
    // The passwords, read again from the same file; nothing is taken that the plan did not show.
    let (_, with_passwords) = plan_import(&text, plan.plan.encoding, &HashSet::new(), &|_| Ok(()))
        .map_err(|e| file_error(&plan.file, &e))?;
    let snapshot = c.snapshot(target, true).await?;
    let existing: HashSet<String> = snapshot
        .directory
        .users()
        .iter()
        .map(|u| u.email.to_lowercase())
        .collect();

    let total = plan.plan.creates().count();
    op.step("creating", 0, total as u64);
    let mut results: BTreeMap<u64, RowResult> = BTreeMap::new();
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let (mut created, mut skipped, mut failed) = (0, 0, 0);
    let mut stopped = None;
    for row in &plan.plan.rows {
        let (action, outcome, message) = match &row.action {
            RowAction::Error { reason } => ("error", "not written", reason.clone()),
            RowAction::Skip { reason } => ("skip", "skipped", reason.clone()),
            RowAction::Create => ("create", "", String::new()),
        };
        if row.action != RowAction::Create || stopped.is_some() {
            let outcome = if row.action == RowAction::Create {
                "not attempted"
            } else {
                outcome
            };
            if outcome == "skipped" {
                skipped += 1;
            }
            results.insert(
                row.line,
                RowResult {
                    line: row.line,
                    email: row.email.clone(),
                    action: action.into(),
                    outcome: outcome.into(),
                    message,
                },
            );
            continue;
        }
        op.checkpoint(
            || format!("{created} user(s) created before the stop, row by row in file order"),
            "apply the same plan again: every row is checked first, users already created are skipped",
        )?;
        let result = |outcome: &str, message: String| RowResult {
            line: row.line,
            email: row.email.clone(),
            action: "create".into(),
            outcome: outcome.into(),
            message,
        };
        if existing.contains(&row.email) {
            skipped += 1;
            op.count("skipped", 1);
            results.insert(
                row.line,
                result(
                    "skipped",
                    "already registered (an earlier run, or since the plan)".into(),
                ),
            );
        } else {
            let Some(source) = with_passwords
                .iter()
                .find(|r| r.row.line == row.line && r.row.email == row.email)
            else {
                return Err(ConsoleError::StalePlan {
                    plan_id: plan.id.clone(),
                    changed: vec![format!("{}:{}", plan.file.display(), row.line)],
                    changed_count: 1,
                    message: format!(
                        "line {} of the file no longer matches the plan: plan it again",
                        row.line
                    ),
                });
            };
            let form = AddUserForm {
                name: &row.name,
                email: &row.email,
                password: &source.password,
                role: &row.role,
                profile_image_url: None,
            };
            let answer = session
                .call(|client, t| {
                    let form = form.clone();
                    async move { client.add_user(&t, &form).await }
                })
                .await;
            match answer {
                Ok(_) => {
                    created += 1;
                    op.count("created", 1);
                    results.insert(row.line, result("created", String::new()));
                    for g in &row.groups {
                        members
                            .entry(g.clone())
                            .or_default()
                            .push(row.email.clone());
                    }
                }
                Err(ConsoleError::Api(e)) if connection_lost(&e) => {
                    stopped = Some(format!(
                        "stopped at line {}: {e}. {created} user(s) were created before it, and line {} may or may not \
                         have been (the connection dropped during its request); apply the same plan again to continue \
                         (it checks every row first: nothing is duplicated)",
                        row.line, row.line
                    ));
                    results.insert(
                        row.line,
                        result(
                            "unknown",
                            format!("the connection dropped during this request ({e}): she may or may not exist; the next run checks"),
                        ),
                    );
                }
                Err(e) => {
                    failed += 1;
                    op.count("failed", 1);
                    results.insert(row.line, result("failed", e.to_string()));
                }
            }
        }
        op.advance();
    }
    if stopped.is_none() && !members.is_empty() {
        c.invalidate(target).await;
        for (group, emails) in members {
            if let Err(e) = c.add_group_members_now(target, &group, &emails).await {
                for email in &emails {
                    if let Some(r) = results.values_mut().find(|r| &r.email == email) {
                        r.message = format!("created, but not added to group {group}: {e}");
                    }
                }
            }
        }
    }
    c.invalidate(target).await;
    Ok(ImportOutcome {
        rows: results.into_values().collect(),
        created,
        skipped,
        failed,
        stopped,
    })
}

/// Writes the result CSV of an apply: row, email, action, outcome, message.
pub fn write_result_csv(path: &Path, outcome: &ImportOutcome) -> ConsoleResult<()> {
    let fail = |e: &dyn std::fmt::Display| {
        ConsoleError::invalid_at(
            path.display().to_string(),
            format!("{}: {e}", path.display()),
        )
    };
    let mut writer = csv::Writer::from_path(path).map_err(|e| fail(&e))?;
    writer
        .write_record(["row", "email", "action", "outcome", "message"])
        .map_err(|e| fail(&e))?;
    for r in &outcome.rows {
        writer
            .write_record([
                r.line.to_string(),
                r.email.clone(),
                r.action.clone(),
                r.outcome.clone(),
                r.message.clone(),
            ])
            .map_err(|e| fail(&e))?;
    }
    writer.flush().map_err(|e| fail(&e))
}
