//! Bulk actions on a selection of users: a plan first (what happens to whom, and who is
//! refused and why), then exactly that plan, with a result per user.

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, Target};
use cloo_domain::admin::check_role_change;
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

/// A reviewed bulk plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BulkPlan {
    /// The action.
    pub action: BulkAction,
    /// Every selected user.
    pub items: Vec<BulkItem>,
}

/// What happened to one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct BulkResult {
    /// E-mail.
    pub email: String,
    /// done, refused, failed, or not attempted.
    pub outcome: String,
    /// Why, when there is something to say.
    pub message: String,
}

impl Console {
    /// Plans a bulk action. Nothing is written.
    pub async fn plan_bulk(
        &self,
        target: &Target,
        action: &BulkAction,
        user_ids: &[String],
    ) -> ConsoleResult<BulkPlan> {
        self.plan_bulk_on(target, action, user_ids, false).await
    }

    /// Plans on the cached directory, or on a fresh read of it.
    async fn plan_bulk_on(
        &self,
        target: &Target,
        action: &BulkAction,
        user_ids: &[String],
        refresh: bool,
    ) -> ConsoleResult<BulkPlan> {
        let snapshot = self.snapshot(target, refresh).await?;
        let first = snapshot.first_user().map(|f| f.id.clone());
        let group = match action {
            BulkAction::AddToGroup { group } => Some(snapshot.find_group(group)?.clone()),
            _ => None,
        };
        let mut items = Vec::new();
        for id in user_ids {
            let Some((_, user)) = snapshot.find_user(id) else {
                return Err(ConsoleError::Invalid(format!("no user with id {id:?}")));
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
        Ok(BulkPlan {
            action: action.clone(),
            items,
        })
    }

    /// Applies a reviewed plan: refuses if planning again now gives another plan, then acts on
    /// every item that is not refused, and reports each.
    pub async fn apply_bulk(
        &self,
        target: &Target,
        reviewed: &BulkPlan,
    ) -> ConsoleResult<Vec<BulkResult>> {
        self.writable(target).await?;
        let ids: Vec<String> = reviewed.items.iter().map(|i| i.user_id.clone()).collect();
        let now = self
            .plan_bulk_on(target, &reviewed.action, &ids, true)
            .await?;
        if &now != reviewed {
            return Err(ConsoleError::Invalid(
                "the deployment changed since this plan was shown: review it again".into(),
            ));
        }
        let mut results = Vec::new();
        let acting: Vec<&BulkItem> = reviewed
            .items
            .iter()
            .filter(|i| i.refused.is_none())
            .collect();
        for item in reviewed.items.iter().filter(|i| i.refused.is_some()) {
            results.push(BulkResult {
                email: item.email.clone(),
                outcome: "refused".into(),
                message: item.refused.clone().unwrap_or_default(),
            });
        }
        match &reviewed.action {
            BulkAction::AddToGroup { group } => {
                let who: Vec<String> = acting.iter().map(|i| i.user_id.clone()).collect();
                let outcome = self.add_group_members(target, group, &who).await;
                for item in &acting {
                    results.push(match &outcome {
                        Ok(_) => BulkResult {
                            email: item.email.clone(),
                            outcome: "done".into(),
                            message: String::new(),
                        },
                        Err(e) => BulkResult {
                            email: item.email.clone(),
                            outcome: "failed".into(),
                            message: e.to_string(),
                        },
                    });
                }
            }
            action => {
                let mut stopped: Option<String> = None;
                for item in acting {
                    if let Some(why) = &stopped {
                        results.push(BulkResult {
                            email: item.email.clone(),
                            outcome: "not attempted".into(),
                            message: why.clone(),
                        });
                        continue;
                    }
                    let done = match action {
                        BulkAction::SetRole { role } => {
                            self.set_role(target, &item.user_id, role).await.map(|_| ())
                        }
                        _ => self
                            .delete_user(target, &item.user_id, &item.email)
                            .await
                            .map(|_| ()),
                    };
                    results.push(match done {
                        Ok(()) => BulkResult { email: item.email.clone(), outcome: "done".into(), message: String::new() },
                        Err(ConsoleError::Api(e)) if matches!(e, cloo_api::ApiError::Network { .. } | cloo_api::ApiError::Timeout { .. }) => {
                            stopped = Some(format!("not attempted: the connection was lost ({e}); the ones above marked done are done"));
                            BulkResult { email: item.email.clone(), outcome: "unknown".into(), message: format!("the connection dropped during this change ({e})") }
                        }
                        Err(e) => BulkResult { email: item.email.clone(), outcome: "failed".into(), message: e.to_string() },
                    });
                }
            }
        }
        Ok(results)
    }
}
