//! The desktop's review of a CSV import: the webview hands over a file's bytes, the console
//! plans them like any import (a stored plan, applied by id) and holds the bytes in memory under
//! the plan's id until the admin applies or drops the review. Nothing crosses IPC but the
//! plan's rows (never a password).

use super::{HeldFile, UserImportPlan};
use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, Imports, Target};
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
    /// The stored plan's id: apply or drop it by this.
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

fn review_of(plan: &UserImportPlan) -> ImportReview {
    let (creates, skips, errors) = plan.plan.counts();
    ImportReview {
        id: plan.id.clone(),
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

impl Imports<'_> {
    /// Plans an import of a file's bytes, keeps the plan, and holds the bytes in memory for
    /// the apply. `encoding`: `None` detects (UTF-8 with or without BOM, else CP949), or
    /// `utf-8` / `cp949` as the admin chose.
    pub async fn review_users(
        &self,
        target: &Target,
        file_name: &str,
        bytes: Vec<u8>,
        encoding: Option<&str>,
    ) -> ConsoleResult<ImportReview> {
        let encoding = match encoding {
            None => None,
            Some(name) => Some(FileEncoding::parse(name).ok_or_else(|| {
                ConsoleError::invalid(
                    "encoding",
                    format!("unknown encoding {name:?}: use utf-8 or cp949"),
                )
            })?),
        };
        let plan = self
            .plan_users(target, Path::new(file_name), &bytes, encoding)
            .await?;
        Console::lock(&self.c.uploads).insert(plan.id.clone(), HeldFile { bytes });
        Ok(review_of(&plan))
    }

    /// Forgets a review: its bytes (passwords included) leave memory and its plan the store.
    pub async fn drop_review(&self, plan_id: &str) -> ConsoleResult<()> {
        Console::lock(&self.c.uploads).remove(plan_id);
        self.c.store.delete_plan(plan_id).await?;
        Ok(())
    }
}
