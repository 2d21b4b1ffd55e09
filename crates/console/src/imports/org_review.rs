//! The desktop's organization import review: the file's problems, then the plan drawn as the
//! file's tree with each unit marked created, changed, moved, unchanged — and the units the
//! server will delete after them. The plan itself stays in the local store under its id.

use super::{OrgPlanDocument, PlanBasis};
use crate::error::{ConsoleError, ConsoleResult};
use crate::{Imports, Target};
use cloo_domain::guard::DeletionGuard;
use cloo_domain::org::import_file::{FileProblem, ImportFile, validate_import};
use cloo_domain::org::import_plan::PlanOptions;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use ts_rs::TS;

/// Most rows a review carries over IPC; a bigger plan shows its changes first.
pub const REVIEW_ROWS: usize = 5_000;

/// One unit in the review tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ReviewNode {
    /// External key.
    pub key: String,
    /// Name after the import.
    pub name: String,
    /// Depth in the file (0 for deleted units).
    #[ts(type = "number")]
    pub depth: usize,
    /// `create`, `update`, `move`, `delete` or `unchanged`.
    pub status: String,
    /// What changes, in words.
    pub detail: String,
    /// A fix-up follows the push for this unit.
    pub fixup: bool,
}

/// A reviewed organization import.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct OrgImportReview {
    /// The stored plan's id (`None` when the file has errors).
    pub plan_id: Option<String>,
    /// The file's name.
    pub file_name: String,
    /// The organization's `tenant_id`.
    pub org_tenant_id: String,
    /// Every problem of the file.
    pub problems: Vec<FileProblem>,
    /// `create`, `update` or `unchanged`: the organization record.
    pub organization_action: String,
    /// Units in the review tree (at most [`REVIEW_ROWS`]).
    pub nodes: Vec<ReviewNode>,
    /// Rows left out of `nodes` (unchanged units of a very large plan).
    #[ts(type = "number")]
    pub nodes_left_out: usize,
    /// Counts.
    #[ts(type = "number")]
    pub creates: usize,
    /// Counts.
    #[ts(type = "number")]
    pub updates: usize,
    /// Counts.
    #[ts(type = "number")]
    pub moves: usize,
    /// Counts.
    #[ts(type = "number")]
    pub deletes: usize,
    /// Fix-ups after the push.
    #[ts(type = "number")]
    pub fixups: usize,
    /// The mass-deletion guard: how many deletions the plan makes against how many are allowed
    /// without an explicit allowance.
    pub deletion: DeletionGuard,
    /// Units whose OU settings are carried over.
    pub carried: Vec<String>,
    /// Units whose OU settings the import wipes (carry-over off).
    pub wiped: Vec<String>,
    /// Members matching no user.
    #[ts(type = "number")]
    pub unmatched_members: usize,
    /// A few of them, as `unit: member — reason`.
    pub unmatched_sample: Vec<String>,
    /// Anything to apply.
    pub has_changes: bool,
}

impl Imports<'_> {
    /// Validates and plans a file for review (the plan is stored: apply it by id); a file with
    /// errors gives its problems and no plan.
    pub async fn review_org(
        &self,
        target: &Target,
        file_name: &str,
        bytes: &[u8],
        carry_over_settings: bool,
    ) -> ConsoleResult<OrgImportReview> {
        let validated = validate_import(bytes);
        let org_tenant_id = validated
            .file
            .as_ref()
            .and_then(|f| f.tenant_id())
            .unwrap_or_default()
            .to_owned();
        if !validated.is_valid() {
            return Ok(OrgImportReview {
                plan_id: None,
                file_name: file_name.to_owned(),
                org_tenant_id,
                problems: validated.problems,
                organization_action: String::new(),
                nodes: Vec::new(),
                nodes_left_out: 0,
                creates: 0,
                updates: 0,
                moves: 0,
                deletes: 0,
                fixups: 0,
                deletion: DeletionGuard::new(0, 0),
                carried: Vec::new(),
                wiped: Vec::new(),
                unmatched_members: 0,
                unmatched_sample: Vec::new(),
                has_changes: false,
            });
        }
        let Some(file) = validated.file else {
            return Err(ConsoleError::Internal("a valid file without a body".into()));
        };
        let warnings = validated.problems;
        let options = PlanOptions {
            carry_over_settings,
        };
        let (_, review) = self
            .c
            .plan_org_file(
                target,
                file_name,
                file,
                options,
                PlanBasis::Live,
                |document, file| review_of(document, file, file_name, warnings),
            )
            .await?;
        Ok(review)
    }
}

/// The review of a stored plan: the tree with each unit's fate, the counts, the guard.
pub(crate) fn review_of(
    document: &OrgPlanDocument,
    file: &ImportFile,
    file_name: &str,
    warnings: Vec<FileProblem>,
) -> OrgImportReview {
    let org_tenant_id = document.plan.tenant_id.clone();
    let plan = &document.plan;
    let create: HashSet<&str> = plan.create.iter().map(String::as_str).collect();
    let moved: HashSet<&str> = plan.moves.iter().map(String::as_str).collect();
    let fixed: HashSet<&str> = plan.fixups.iter().map(|f| f.key.as_str()).collect();
    let changes: HashMap<&str, String> = plan
        .changes
        .iter()
        .map(|c| {
            let fields: Vec<&str> = c.fields.iter().map(|f| f.field.as_str()).collect();
            (c.key.as_str(), fields.join(", "))
        })
        .collect();
    let moves: HashMap<&str, String> = plan
        .moved
        .iter()
        .map(|m| {
            let top = "top level".to_owned();
            (
                m.key.as_str(),
                format!(
                    "{} → {}",
                    m.from.as_ref().unwrap_or(&top),
                    m.to.as_ref().unwrap_or(&top)
                ),
            )
        })
        .collect();
    let mut nodes: Vec<ReviewNode> = file
        .units
        .iter()
        .map(|u| {
            let key = u.key().unwrap_or_default();
            let status = if create.contains(key) {
                "create"
            } else if moved.contains(key) {
                "move"
            } else if changes.contains_key(key) {
                "update"
            } else {
                "unchanged"
            };
            let detail = [moves.get(key), changes.get(key).filter(|c| !c.is_empty())]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join("; ");
            ReviewNode {
                key: key.to_owned(),
                name: u.text("name").unwrap_or("Unnamed").to_owned(),
                depth: usize::try_from(u.level).unwrap_or(0),
                status: status.to_owned(),
                detail,
                fixup: fixed.contains(key),
            }
        })
        .collect();
    nodes.extend(plan.deleted.iter().map(|d| ReviewNode {
        key: d.key.clone(),
        name: d.name.clone(),
        depth: 0,
        status: "delete".to_owned(),
        detail: format!("type {}", d.kind.as_deref().unwrap_or("-")),
        fixup: false,
    }));
    let mut nodes_left_out = 0;
    if nodes.len() > REVIEW_ROWS {
        let before = nodes.len();
        nodes.retain(|n| n.status != "unchanged");
        nodes.truncate(REVIEW_ROWS);
        nodes_left_out = before - nodes.len();
    }
    OrgImportReview {
        plan_id: Some(document.id.clone()),
        file_name: file_name.to_owned(),
        org_tenant_id,
        problems: warnings,
        organization_action: plan.organization.action.clone(),
        nodes,
        nodes_left_out,
        creates: plan.create.len(),
        updates: plan.update.len(),
        moves: plan.moves.len(),
        deletes: plan.delete.len(),
        fixups: plan.fixups.len(),
        deletion: plan.deletion_guard(),
        carried: plan
            .carried_settings
            .iter()
            .map(|c| c.key.clone())
            .collect(),
        wiped: plan.wiped_settings.iter().map(|c| c.key.clone()).collect(),
        unmatched_members: plan.unmatched_count,
        unmatched_sample: plan
            .unmatched_members
            .iter()
            .take(20)
            .map(|m| format!("{}: {} — {}", m.key, m.member, m.reason))
            .collect(),
        has_changes: plan.has_changes(),
    }
}
