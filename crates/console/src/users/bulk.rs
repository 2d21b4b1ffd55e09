//! Bulk actions on a selection of users: a stored plan first (what happens to whom, who is
//! refused and why, the mass-deletion guard and the confirmation to type), then exactly that
//! plan, applied by id, refused when the deployment changed since, one result per user.

use crate::error::{ConsoleError, ConsoleResult, PartialChange};
use crate::operation::OperationKind;
use crate::plan::PlanKind;
use crate::{Observer, Target, Users};
use cloo_domain::admin::check_role_change;
use cloo_domain::guard::DeletionGuard;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What to do to every selected user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum BulkAction {
    /// Change the role.
    SetRole {
        /// admin, user or pending.
        role: String,
    },
    /// Add to a group (by id or unique name).
    AddToGroup {
        /// The group.
        group: String,
    },
    /// Delete the accounts.
    Delete,
}

/// One user in a bulk plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BulkItem {
    /// User id.
    pub user_id: String,
    /// E-mail.
    pub email: String,
    /// What will happen, in words ("role user → admin").
    pub change: String,
    /// Why nothing will happen to her, if so.
    pub refused: Option<String>,
}

/// A stored bulk plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BulkPlan {
    /// The stored plan's id: apply it by this.
    pub id: String,
    /// The console tenant it was made for.
    pub tenant: String,
    /// The action.
    pub action: BulkAction,
    /// Every selected user.
    pub items: Vec<BulkItem>,
    /// Users the action will change (the others are refused).
    #[ts(type = "number")]
    pub acting: usize,
    /// For deletions: the mass-deletion guard against the deployment's users.
    pub deletion: Option<DeletionGuard>,
    /// What must be typed to apply it (deletions only).
    pub confirmation: Option<String>,
}

/// What happened to one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BulkResult {
    /// E-mail.
    pub email: String,
    /// `done`, `refused` or `failed`.
    pub outcome: String,
    /// Why, when there is something to say.
    pub message: String,
}

impl BulkPlan {
    fn same_change(&self, other: &BulkPlan) -> bool {
        self.action == other.action && self.items == other.items
    }
}

impl Users<'_> {
    /// Plans a bulk action and stores the plan. Nothing is written to the deployment.
    pub async fn plan_bulk(
        &self,
        target: &Target,
        action: &BulkAction,
        user_ids: &[String],
    ) -> ConsoleResult<BulkPlan> {
        let plan = self.bulk_plan_now(target, action, user_ids, false).await?;
        self.c
            .save_plan(
                PlanKind::UsersBulk,
                &plan.id,
                &plan.tenant,
                &format!("{} user(s)", plan.items.len()),
                &plan,
            )
            .await?;
        Ok(plan)
    }

    /// A stored bulk plan.
    pub async fn get_bulk_plan(&self, plan_id: &str) -> ConsoleResult<BulkPlan> {
        Ok(self
            .c
            .stored_plan::<BulkPlan>(PlanKind::UsersBulk, plan_id)
            .await?
            .1)
    }

    /// Plans on the kept directory, or on a fresh read of it.
    async fn bulk_plan_now(
        &self,
        target: &Target,
        action: &BulkAction,
        user_ids: &[String],
        refresh: bool,
    ) -> ConsoleResult<BulkPlan> {
        let snapshot = self.c.snapshot(target, refresh).await?;
        let tenant = self.c.target_key(target).await?;
        let first = snapshot.first_user().map(|f| f.id.clone());
        let group = match action {
            BulkAction::AddToGroup { group } => Some(snapshot.find_group(group)?.clone()),
            _ => None,
        };
        let mut items = Vec::new();
        for id in user_ids {
            let Some((_, user)) = snapshot.find_user(id) else {
                return Err(ConsoleError::not_found(
                    "user",
                    id,
                    format!("no user with id {id:?}"),
                ));
            };
            let (change, refused) = match action {
                BulkAction::SetRole { role } => {
                    match check_role_change(&snapshot.me.id, &user.id, first.as_deref(), role) {
                        Ok(r) if r == user.role => (
                            format!("role stays {r}"),
                            Some("already has this role".to_owned()),
                        ),
                        Ok(r) => (format!("role {} → {r}", user.role), None),
                        Err(e) => (format!("role {}", user.role), Some(e.to_string())),
                    }
                }
                BulkAction::AddToGroup { .. } => {
                    let g = group
                        .as_ref()
                        .ok_or_else(|| ConsoleError::Internal("group vanished".into()))?;
                    if g.user_ids.contains(&user.id) {
                        (
                            format!("stays in {}", g.name),
                            Some("already a member".to_owned()),
                        )
                    } else {
                        (format!("added to {}", g.name), None)
                    }
                }
                BulkAction::Delete if user.id == snapshot.me.id => (
                    "delete".into(),
                    Some("you cannot delete your own account".into()),
                ),
                BulkAction::Delete => ("delete".into(), None),
            };
            items.push(BulkItem {
                user_id: user.id.clone(),
                email: user.email.clone(),
                change,
                refused,
            });
        }
        let acting = items.iter().filter(|i| i.refused.is_none()).count();
        let deleting = matches!(action, BulkAction::Delete);
        Ok(BulkPlan {
            id: uuid::Uuid::new_v4().to_string(),
            tenant,
            action: action.clone(),
            items,
            acting,
            deletion: deleting.then(|| DeletionGuard::new(acting, snapshot.directory.len())),
            confirmation: deleting.then(|| format!("delete {acting}")),
        })
    }

    /// Applies a stored bulk plan exactly: checks the typed confirmation and the mass-deletion
    /// guard, refuses if planning again now gives another plan, then acts on every user not
    /// refused, stopping between users when cancelled.
    pub async fn apply_bulk(
        &self,
        target: &Target,
        plan_id: &str,
        typed_confirmation: Option<&str>,
        allow_deletes: Option<usize>,
        observer: &Observer,
    ) -> ConsoleResult<Vec<BulkResult>> {
        let c = self.c;
        let (_, reviewed) = c
            .stored_plan::<BulkPlan>(PlanKind::UsersBulk, plan_id)
            .await?;
        let op = c
            .begin_plan(
                target,
                OperationKind::UsersBulk,
                &format!("{} user(s)", reviewed.items.len()),
                plan_id,
                observer,
            )
            .await?;
        op.record_before(&reviewed);
        let result = async {
            if reviewed.tenant != c.target_key(target).await? {
                return Err(ConsoleError::invalid(
                    "plan",
                    format!(
                        "this plan was made for another tenant ({}); select that tenant to apply it",
                        reviewed.tenant
                    ),
                ));
            }
            if let Some(expected) = &reviewed.confirmation
                && typed_confirmation.map(str::trim) != Some(expected.as_str())
            {
                return Err(ConsoleError::ConfirmationMismatch {
                    expected: expected.clone(),
                });
            }
            if let Some(guard) = &reviewed.deletion {
                guard.check(allow_deletes)?;
            }
            op.step("checking", 0, 1);
            let ids: Vec<String> = reviewed.items.iter().map(|i| i.user_id.clone()).collect();
            let now = match self
                .bulk_plan_now(target, &reviewed.action, &ids, true)
                .await
            {
                // Someone in the plan is gone: the deployment outran it.
                Err(ConsoleError::NotFound {
                    what: "user", key, ..
                }) => {
                    return Err(ConsoleError::StalePlan {
                        plan_id: reviewed.id.clone(),
                        changed: vec![key],
                        changed_count: 1,
                        message: "a user of this plan no longer exists: nothing was written; plan it again".into(),
                    });
                }
                other => other?,
            };
            if !now.same_change(&reviewed) {
                let changed: Vec<String> = now
                    .items
                    .iter()
                    .zip(&reviewed.items)
                    .filter(|(a, b)| a != b)
                    .map(|(a, _)| a.email.clone())
                    .collect();
                return Err(ConsoleError::StalePlan {
                    plan_id: reviewed.id.clone(),
                    changed_count: changed.len(),
                    changed: changed.into_iter().take(5).collect(),
                    message: "the deployment changed since this plan was made: nothing was written; plan it again".into(),
                });
            }
            let mut results: Vec<BulkResult> = reviewed
                .items
                .iter()
                .filter_map(|i| {
                    i.refused.as_ref().map(|why| BulkResult {
                        email: i.email.clone(),
                        outcome: "refused".into(),
                        message: why.clone(),
                    })
                })
                .collect();
            let acting: Vec<&BulkItem> = reviewed
                .items
                .iter()
                .filter(|i| i.refused.is_none())
                .collect();
            op.step("applying", 0, acting.len() as u64);
            if let BulkAction::AddToGroup { group } = &reviewed.action {
                // One request adds everyone: the server replaces the member list whole.
                let who: Vec<String> = acting.iter().map(|i| i.user_id.clone()).collect();
                c.add_group_members_now(target, group, &who).await?;
                for item in &acting {
                    results.push(BulkResult {
                        email: item.email.clone(),
                        outcome: "done".into(),
                        message: String::new(),
                    });
                    op.advance();
                }
                return Ok(results);
            }
            let mut done: Vec<&str> = Vec::new();
            for item in &acting {
                let applied = || {
                    format!(
                        "{} of {} user(s) changed ({})",
                        done.len(),
                        acting.len(),
                        if done.is_empty() {
                            "none".to_owned()
                        } else {
                            done.join(", ")
                        }
                    )
                };
                op.checkpoint(applied, "plan the same selection again: the users already changed show as refused, so applying it finishes the rest")?;
                let outcome = match &reviewed.action {
                    BulkAction::SetRole { role } => {
                        c.set_role_now(target, &item.user_id, role).await.map(|_| ())
                    }
                    _ => c
                        .delete_user_now(target, &item.user_id, None)
                        .await
                        .map(|_| ()),
                };
                match outcome {
                    Ok(()) => {
                        done.push(&item.email);
                        results.push(BulkResult {
                            email: item.email.clone(),
                            outcome: "done".into(),
                            message: String::new(),
                        });
                        op.count("done", 1);
                    }
                    Err(ConsoleError::Api(e))
                        if matches!(
                            e,
                            cloo_api::ApiError::Network { .. } | cloo_api::ApiError::Timeout { .. }
                        ) =>
                    {
                        return Err(ConsoleError::Interrupted {
                            cause: Box::new(ConsoleError::Api(e)),
                            progress: PartialChange {
                                applied: format!(
                                    "{}; the change to {} may or may not have been made (the connection dropped during it)",
                                    applied(),
                                    item.email
                                ),
                                resume: "plan the same selection again once the deployment answers: users already changed show as refused".into(),
                            },
                        });
                    }
                    Err(e) => {
                        results.push(BulkResult {
                            email: item.email.clone(),
                            outcome: "failed".into(),
                            message: e.to_string(),
                        });
                        op.count("failed", 1);
                    }
                }
                op.advance();
            }
            Ok(results)
        }
        .await;
        if let Ok(results) = &result {
            op.record_after(results);
        }
        op.finish(result).await
    }
}
