//! Importing users from a CSV file: plan, review, apply — and never a surprise.
//!
//! The plan file holds the decisions and the file's SHA-256, never a password: applying reads
//! the passwords from the same file again, and refuses if the file changed. Apply creates
//! exactly the planned rows; a row whose e-mail exists by then is skipped, so re-running after
//! an interruption finishes the job without duplicates.

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, Target};
use cloo_api::{AddUserForm, ApiError};
use cloo_domain::import::{FileEncoding, ImportPlan, RowAction, decode, plan_import};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// A saved import plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPlanFile {
    /// Format version.
    pub version: u32,
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

/// Progress of an apply: rows done of rows to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    /// Done.
    #[ts(type = "number")]
    pub done: usize,
    /// To do.
    #[ts(type = "number")]
    pub total: usize,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn read(path: &Path) -> ConsoleResult<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| ConsoleError::Invalid(format!("cannot read {}: {e}", path.display())))
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> ConsoleError {
    ConsoleError::Invalid(format!("{}: {e}", path.display()))
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

impl Console {
    /// Plans an import of `path` against the deployment. Nothing is written.
    pub async fn plan_user_import(
        &self,
        target: &Target,
        path: &Path,
        encoding: Option<FileEncoding>,
    ) -> ConsoleResult<ImportPlanFile> {
        let bytes = read(path)?;
        self.plan_user_import_bytes(target, path, &bytes, encoding)
            .await
    }

    /// Plans an import of a file's `bytes` (the desktop reads the file in the webview); `path`
    /// names it in messages and in the plan. Nothing is written.
    pub async fn plan_user_import_bytes(
        &self,
        target: &Target,
        path: &Path,
        bytes: &[u8],
        encoding: Option<FileEncoding>,
    ) -> ConsoleResult<ImportPlanFile> {
        let (text, encoding) = decode(bytes, encoding).map_err(|e| file_error(path, e))?;
        let snapshot = self.snapshot(target, true).await?;
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
            .map_err(|e| file_error(path, e))?;
        let session = self.session(target).await?;
        Ok(ImportPlanFile {
            version: 1,
            base_url: session.client().base_url().to_string(),
            file: path.to_owned(),
            sha256: sha256_hex(bytes),
            created_at: crate::now(),
            plan,
        })
    }

    /// Applies a plan: creates exactly its create rows (skipping any e-mail registered since),
    /// then adds them to their groups. Stops at a lost connection and says how to resume.
    pub async fn apply_user_import(
        &self,
        target: &Target,
        plan: &ImportPlanFile,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> ConsoleResult<ImportOutcome> {
        let bytes = read(&plan.file)?;
        self.apply_user_import_bytes(target, plan, &bytes, progress)
            .await
    }

    /// Applies a plan to the bytes it was made from (checked by their SHA-256).
    pub async fn apply_user_import_bytes(
        &self,
        target: &Target,
        plan: &ImportPlanFile,
        bytes: &[u8],
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> ConsoleResult<ImportOutcome> {
        self.writable(target).await?;
        let session = self.session(target).await?;
        if session.client().base_url().as_str() != plan.base_url {
            return Err(ConsoleError::Invalid(format!(
                "this plan was made for {}, not {}",
                plan.base_url,
                session.client().base_url()
            )));
        }
        if sha256_hex(bytes) != plan.sha256 {
            return Err(ConsoleError::Invalid(format!(
                "{} changed since the plan was made: plan it again",
                plan.file.display()
            )));
        }
        let (text, _) =
            decode(bytes, Some(plan.plan.encoding)).map_err(|e| file_error(&plan.file, e))?;
        // The passwords, read again from the same file; nothing is taken that the plan did not show.
        let (_, with_passwords) =
            plan_import(&text, plan.plan.encoding, &HashSet::new(), &|_| Ok(()))
                .map_err(|e| file_error(&plan.file, e))?;
        let snapshot = self.snapshot(target, true).await?;
        let existing: HashSet<String> = snapshot
            .directory
            .users()
            .iter()
            .map(|u| u.email.to_lowercase())
            .collect();

        let total = plan.plan.creates().count();
        let mut results: BTreeMap<u64, RowResult> = BTreeMap::new();
        let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let (mut created, mut skipped, mut failed, mut done) = (0, 0, 0, 0);
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
            let result = |outcome: &str, message: String| RowResult {
                line: row.line,
                email: row.email.clone(),
                action: "create".into(),
                outcome: outcome.into(),
                message,
            };
            if existing.contains(&row.email) {
                skipped += 1;
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
                    return Err(ConsoleError::Invalid(format!(
                        "line {} of the file no longer matches the plan: plan it again",
                        row.line
                    )));
                };
                let form = AddUserForm {
                    name: &row.name,
                    email: &row.email,
                    password: &source.password,
                    role: &row.role,
                    profile_image_url: None,
                };
                let answer = session
                    .call(|c, t| {
                        let form = form.clone();
                        async move { c.add_user(&t, &form).await }
                    })
                    .await;
                match answer {
                    Ok(_) => {
                        created += 1;
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
                             have been (the connection dropped during its request); run the same import again to continue \
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
                        results.insert(row.line, result("failed", e.to_string()));
                    }
                }
            }
            done += 1;
            progress(ImportProgress { done, total });
        }
        if stopped.is_none() && !members.is_empty() {
            self.invalidate(target).await;
            for (group, emails) in members {
                if let Err(e) = self.add_group_members(target, &group, &emails).await {
                    for email in &emails {
                        if let Some(r) = results.values_mut().find(|r| &r.email == email) {
                            r.message = format!("created, but not added to group {group}: {e}");
                        }
                    }
                }
            }
        }
        self.invalidate(target).await;
        Ok(ImportOutcome {
            rows: results.into_values().collect(),
            created,
            skipped,
            failed,
            stopped,
        })
    }

    /// Writes the result CSV: row, email, action, outcome, message.
    pub fn write_import_result(&self, path: &Path, outcome: &ImportOutcome) -> ConsoleResult<()> {
        let mut writer = csv::Writer::from_path(path).map_err(|e| file_error(path, e))?;
        writer
            .write_record(["row", "email", "action", "outcome", "message"])
            .map_err(|e| file_error(path, e))?;
        for r in &outcome.rows {
            writer
                .write_record([
                    r.line.to_string(),
                    r.email.clone(),
                    r.action.clone(),
                    r.outcome.clone(),
                    r.message.clone(),
                ])
                .map_err(|e| file_error(path, e))?;
        }
        writer.flush().map_err(|e| file_error(path, e))
    }
}
