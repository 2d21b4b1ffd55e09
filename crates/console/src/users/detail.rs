//! One user in detail: her record, groups, units, limits, badges — and what may be done to her,
//! decided here so both shells show the same refusals (her role may not change when she is the
//! signed-in account or the first user).

use super::directory::UserRow;
use crate::error::{ConsoleResult, RoleChangeReason};
use crate::{Target, Users};
use cloo_api::PerModel;
use cloo_domain::Role;
use cloo_domain::admin::check_role_change;
use cloo_domain::permissions::AdminCapability;
use serde::Serialize;
use ts_rs::TS;

/// A group or unit as a detail view names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct NamedRef {
    /// Id.
    pub id: String,
    /// Name shown.
    pub name: String,
}

/// A role an admin may give, and whether giving it to this user is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RoleChoice {
    /// `admin`, `user` or `pending`.
    pub role: String,
    /// Why this user's role cannot become it, if so.
    pub refused: Option<RoleChangeReason>,
}

/// An admin right a non-admin may hold through her groups (permissions.md §4), decided the way
/// the server's endpoint decides it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DelegatedRight {
    /// `users_read`, `users_write`, `groups_manage`, `monitoring_read`, `settings_read`,
    /// `settings_write`.
    pub capability: String,
    /// The server lets her through.
    pub allowed: bool,
    /// Why, in one sentence (the group that grants it, or what is missing).
    pub reason: String,
}

/// Everything about one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UserDetail {
    /// The record (no secret).
    pub user: UserRow,
    /// Groups she is a direct member of.
    pub groups: Vec<NamedRef>,
    /// Groups that reach her through one of her units.
    pub groups_via_units: Vec<NamedRef>,
    /// Units she directly belongs to (read-only: they come from the directory sync).
    pub units: Vec<NamedRef>,
    /// Her own per-model limit overrides.
    #[ts(type = "Record<string, number>")]
    pub limits: PerModel,
    /// She is the designated Super Admin.
    pub is_super_admin: bool,
    /// She is the first user (her role cannot be changed).
    pub is_first_user: bool,
    /// She is the signed-in account.
    pub is_me: bool,
    /// Why her role cannot be changed at all (own account, first user), if so.
    pub role_change_refused: Option<RoleChangeReason>,
    /// The roles that may be given, each with the rules' answer for her.
    pub role_choices: Vec<RoleChoice>,
    /// Her account cannot be deleted from this console (it is the signed-in one).
    pub delete_refused: bool,
    /// The admin rights her groups delegate to her, each decided as the server decides it
    /// (every right for an admin).
    pub delegated: Vec<DelegatedRight>,
}

/// What deleting a user removes and what it leaves (users.md §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DeletionImpact {
    /// Removed with the account.
    pub goes: Vec<String>,
    /// Left in place.
    pub stays: Vec<String>,
    /// The gentler alternative.
    pub suggestion: String,
}

/// The deletion impact, as the server behaves.
pub fn deletion_impact() -> DeletionImpact {
    DeletionImpact {
        goes: vec![
            "all her chats, and the public shared copies of them".into(),
            "her settings and info, including her personal usage limits".into(),
            "her API key and sign-in credential".into(),
            "her membership of every group".into(),
        ],
        stays: vec![
            "workspace resources she owns (agents, knowledge bases, prompts, tools, files, schedules…)".into(),
            "groups she created".into(),
            "usage and audit logs (they keep her name)".into(),
            "OU membership entries (they come from the directory sync)".into(),
            "the Super Admin designation, if it is her".into(),
        ],
        suggestion: "To keep her history, set her role to pending instead: she can no longer use the workspace.".into(),
    }
}

/// The roles a person may give, in the order the screens list them.
pub fn roles() -> Vec<String> {
    Role::ASSIGNABLE
        .iter()
        .map(|r| r.as_str().to_owned())
        .collect()
}

impl Users<'_> {
    /// Everything about one user, with what the rules allow for her.
    pub async fn get(&self, target: &Target, who: &str) -> ConsoleResult<UserDetail> {
        let (snapshot, ix) = self.c.resolve_user(target, who).await?;
        let user = &snapshot.directory.users()[ix];
        let rules_ix = snapshot.rules.user(&user.id);
        let memberships = rules_ix
            .map(|u| snapshot.rules.memberships(u))
            .unwrap_or_default();
        let (direct, via): (Vec<_>, Vec<_>) = memberships
            .groups
            .iter()
            .partition(|g| matches!(g.via, cloo_domain::permissions::Via::Direct));
        let named = |g: &cloo_domain::access::SubjectGroup| NamedRef {
            id: g.id.to_string(),
            name: g.name.to_string(),
        };
        let units = rules_ix
            .map(|u| {
                snapshot
                    .rules
                    .access_units(u)
                    .iter()
                    .map(|&ix| {
                        let unit = snapshot.rules.tree().unit(ix);
                        NamedRef {
                            id: unit.id.clone(),
                            name: unit.label().to_owned(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let is_super_admin = snapshot
            .super_admin
            .clone()
            .flatten()
            .is_some_and(|e| e.eq_ignore_ascii_case(&user.email));
        let first = snapshot.first_user().map(|f| f.id.clone());
        let verdict = |role: &str| {
            check_role_change(&snapshot.me.id, &user.id, first.as_deref(), role)
                .err()
                .map(|r| RoleChangeReason::from(&r))
        };
        let role_choices: Vec<RoleChoice> = roles()
            .into_iter()
            .map(|role| RoleChoice {
                refused: verdict(&role),
                role,
            })
            .collect();
        // Refused whatever the role: the refusal is about her, not the role asked for.
        let role_change_refused = role_choices
            .iter()
            .filter_map(|c| c.refused)
            .find(|r| *r != RoleChangeReason::UnknownRole)
            .filter(|_| role_choices.iter().all(|c| c.refused.is_some()));
        let delegated = rules_ix
            .map(|u| {
                AdminCapability::ALL
                    .iter()
                    .map(|&cap| {
                        let d = snapshot.rules.delegation(u, cap);
                        DelegatedRight {
                            capability: cap.name().to_owned(),
                            allowed: d.allowed,
                            reason: d.reason,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(UserDetail {
            delegated,
            user: UserRow::from(user),
            groups: direct.into_iter().map(named).collect(),
            groups_via_units: via.into_iter().map(named).collect(),
            units,
            limits: snapshot.user_limits[ix].clone(),
            is_super_admin,
            is_first_user: first.as_deref() == Some(user.id.as_str()),
            is_me: snapshot.me.id == user.id,
            role_change_refused,
            role_choices,
            delete_refused: snapshot.me.id == user.id,
        })
    }
}
