//! The desktop's import review: the webview hands over a file's bytes, the console plans them
//! and keeps plan and bytes in memory under an id until the admin applies or drops the review.
//! Nothing crosses IPC but the plan's rows (never a password).

use crate::error::{ConsoleError, ConsoleResult};
use crate::user_import::{ImportOutcome, ImportPlanFile, ImportProgress};
use crate::{Console, Target};
use cloo_domain::import::{FileEncoding, RowAction};
use serde::Serialize;
use std::path::Path;
use ts_rs::TS;

/// One row of a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportReviewRow {
    /// Physical line in the file.
    #[ts(type = "number")]
    pub line: u64,
    /// E-mail.
    pub email: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: String,
    /// Groups to join.
    pub groups: Vec<String>,
    /// create, skip or error.
    pub action: String,
    /// Why a row is skipped or refused.
    pub reason: String,
}

/// A planned import awaiting the admin's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ImportReview {
    /// Handle for applying or dropping it.
    pub id: String,
    /// The file's name.
    pub file_name: String,
    /// The encoding it was read in.
    pub encoding: String,
    /// Every row, in file order.
    pub rows: Vec<ImportReviewRow>,
    /// Rows to create.
    #[ts(type = "number")]
    pub creates: usize,
    /// Rows already registered.
    #[ts(type = "number")]
    pub skips: usize,
    /// Rows refused.
    #[ts(type = "number")]
    pub errors: usize,
}

/// A review held in memory. The bytes hold passwords: never printed.
pub(crate) struct HeldReview {
    tenant: String,
    plan: ImportPlanFile,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for HeldReview {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldReview")
            .field("tenant", &self.tenant)
            .field("file", &self.plan.file)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish()
    }
}

fn review_of(id: &str, plan: &ImportPlanFile) -> ImportReview {
    let (creates, skips, errors) = plan.plan.counts();
    ImportReview {
        id: id.to_owned(),
        file_name: plan.file.display().to_string(),
        encoding: plan.plan.encoding.to_string(),
        rows: plan
            .plan
            .rows
            .iter()
            .map(|r| {
                let (action, reason) = match &r.action {
                    RowAction::Create => ("create", String::new()),
                    RowAction::Skip { reason } => ("skip", reason.clone()),
                    RowAction::Error { reason } => ("error", reason.clone()),
                };
                ImportReviewRow {
                    line: r.line,
                    email: r.email.clone(),
                    name: r.name.clone(),
                    role: r.role.clone(),
                    groups: r.groups.clone(),
                    action: action.to_owned(),
                    reason,
                }
            })
            .collect(),
        creates,
        skips,
        errors,
    }
}

impl Console {
    /// Plans an import of a file's bytes and holds it for review. `encoding`: `None` detects
    /// (UTF-8 with or without BOM, else CP949), or `utf-8` / `cp949` as the admin chose.
    pub async fn review_user_import(
        &self,
        tenant: &str,
        file_name: &str,
        bytes: Vec<u8>,
        encoding: Option<&str>,
    ) -> ConsoleResult<ImportReview> {
        let encoding = match encoding {
            None => None,
            Some(name) => Some(FileEncoding::parse(name).ok_or_else(|| {
                ConsoleError::Invalid(format!("unknown encoding {name:?}: use utf-8 or cp949"))
            })?),
        };
        let target = Target::Tenant(tenant.to_owned());
        let plan = self
            .plan_user_import_bytes(&target, Path::new(file_name), &bytes, encoding)
            .await?;
        let id = uuid::Uuid::new_v4().to_string();
        let review = review_of(&id, &plan);
        Self::lock(&self.reviews).insert(
            id,
            HeldReview {
                tenant: tenant.to_owned(),
                plan,
                bytes,
            },
        );
        Ok(review)
    }

    /// Applies a held review exactly as shown. The review is kept if the apply stopped early,
    /// so applying it again resumes (rows already created are skipped).
    pub async fn apply_user_import_review(
        &self,
        id: &str,
        progress: &(dyn Fn(ImportProgress) + Send + Sync),
    ) -> ConsoleResult<ImportOutcome> {
        let (tenant, plan, bytes) = {
            let reviews = Self::lock(&self.reviews);
            let held = reviews.get(id).ok_or_else(|| {
                ConsoleError::Invalid("this review is no longer open: open the file again".into())
            })?;
            (held.tenant.clone(), held.plan.clone(), held.bytes.clone())
        };
        let target = Target::Tenant(tenant);
        let outcome = self
            .apply_user_import_bytes(&target, &plan, &bytes, progress)
            .await?;
        if outcome.stopped.is_none() {
            self.drop_user_import_review(id);
        }
        Ok(outcome)
    }

    /// Forgets a held review (the bytes, passwords included, leave memory).
    pub fn drop_user_import_review(&self, id: &str) {
        Self::lock(&self.reviews).remove(id);
    }
}
