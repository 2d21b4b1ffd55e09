//! User administration: everything seed 001's "Overview" tab does, with the rules the server
//! enforces only in places (role changes) applied everywhere, and its gaps (no password policy
//! on admin add or reset, no role validation) closed before anything is sent.

use crate::error::{ConsoleError, ConsoleResult};
use crate::snapshot::Snapshot;
use crate::users::UserRow;
use crate::{Console, Target};
use cloo_api::{AddUserForm, PerModel, UserUpdateForm};
use cloo_domain::admin::{
    SuperAdminState, check_role_change, check_super_admin_candidate, super_admin_state,
};
use cloo_domain::{Role, Secret, check_email_format, check_password_policy};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
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
}

/// A new user.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewUserRequest {
    /// Display name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Initial password (checked against the sign-up policy).
    #[ts(type = "string")]
    pub password: Secret,
    /// `admin`, `user` or `pending`.
    pub role: String,
}

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[ts(export)]
pub struct EditUserRequest {
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// New avatar URL.
    #[serde(default)]
    pub profile_image_url: Option<String>,
    /// New password (checked against the sign-up policy).
    #[serde(default)]
    #[ts(type = "string | null")]
    pub password: Option<Secret>,
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

fn password_problems(password: &Secret) -> ConsoleResult<()> {
    let problems = check_password_policy(password.expose());
    if problems.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
    Err(ConsoleError::Invalid(format!(
        "the password does not meet the deployment's policy (8+ characters, upper, lower, digit, at most 72 bytes): {}",
        list.join(", ")
    )))
}

impl Console {
    /// Refuses writes to a read-only tenant.
    pub(crate) async fn writable(&self, target: &Target) -> ConsoleResult<()> {
        let tenant = match target {
            Target::Tenant(name) => self.store.tenant(name).await.ok(),
            Target::Current => match self.store.current_tenant_id().await? {
                Some(id) => self.store.tenant(&id).await.ok(),
                None => None,
            },
            Target::Direct(_) => None,
        };
        match tenant {
            Some(t) if t.read_only => Err(ConsoleError::Invalid(format!(
                "{} is read-only in this console: nothing is written to it",
                t.name
            ))),
            _ => Ok(()),
        }
    }

    /// A user by e-mail or id, refreshing the snapshot once if she is not in it.
    pub(crate) async fn resolve_user(
        &self,
        target: &Target,
        who: &str,
    ) -> ConsoleResult<(Arc<Snapshot>, usize)> {
        let snapshot = self.snapshot(target, false).await?;
        if let Some((ix, _)) = snapshot.find_user(who) {
            return Ok((snapshot, ix));
        }
        let fresh = self.snapshot(target, true).await?;
        let ix = fresh
            .find_user(who)
            .map(|(ix, _)| ix)
            .ok_or_else(|| ConsoleError::Invalid(format!("no user with e-mail or id {who:?}")))?;
        Ok((fresh, ix))
    }

    /// Everything about one user.
    pub async fn user_detail(&self, target: &Target, who: &str) -> ConsoleResult<UserDetail> {
        let (snapshot, ix) = self.resolve_user(target, who).await?;
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
        Ok(UserDetail {
            user: UserRow::from(user),
            groups: direct.into_iter().map(named).collect(),
            groups_via_units: via.into_iter().map(named).collect(),
            units,
            limits: snapshot.user_limits[ix].clone(),
            is_super_admin,
            is_first_user: snapshot.first_user().is_some_and(|f| f.id == user.id),
            is_me: snapshot.me.id == user.id,
        })
    }

    /// Adds a user, after the checks the admin endpoint skips.
    pub async fn add_user(
        &self,
        target: &Target,
        request: &NewUserRequest,
    ) -> ConsoleResult<UserRow> {
        self.writable(target).await?;
        let email = request.email.trim().to_lowercase();
        check_email_format(&email).map_err(|e| ConsoleError::Invalid(e.to_string()))?;
        let role = Role::parse_assignable(&request.role)
            .map_err(|e| ConsoleError::Invalid(e.to_string()))?;
        password_problems(&request.password)?;
        let name = request.name.trim();
        if name.is_empty() {
            return Err(ConsoleError::Invalid("the name is empty".into()));
        }
        let session = self.session(target).await?;
        let form = AddUserForm {
            name,
            email: &email,
            password: &request.password,
            role: role.as_str(),
            profile_image_url: None,
        };
        let added = session
            .call(|c, t| {
                let form = form.clone();
                async move { c.add_user(&t, &form).await }
            })
            .await?;
        // The newest user is first in the server's list: that is her full record.
        let newest = session
            .call(|c, t| async move { c.list_users(&t, None, Some(1)).await })
            .await?;
        match newest.into_iter().next().filter(|u| u.id == added.id) {
            Some(record) => {
                let row = UserRow::from(&crate::users::directory_user_of(&record));
                self.patch(target, |s| s.with_user(record)).await;
                Ok(row)
            }
            None => {
                self.invalidate(target).await;
                let (snapshot, ix) = self.resolve_user(target, &added.id).await?;
                Ok(UserRow::from(&snapshot.directory.users()[ix]))
            }
        }
    }

    /// Edits name, e-mail, avatar or password. Never the role: that goes through
    /// [`Console::set_role`], whose rules the update endpoint lacks.
    pub async fn edit_user(
        &self,
        target: &Target,
        who: &str,
        request: &EditUserRequest,
    ) -> ConsoleResult<UserRow> {
        self.writable(target).await?;
        let (snapshot, ix) = self.resolve_user(target, who).await?;
        let current = &snapshot.directory.users()[ix];
        let name = request
            .name
            .as_deref()
            .map(str::trim)
            .unwrap_or(&current.name)
            .to_owned();
        let email = request
            .email
            .as_deref()
            .map(|e| e.trim().to_lowercase())
            .unwrap_or_else(|| current.email.clone());
        check_email_format(&email).map_err(|e| ConsoleError::Invalid(e.to_string()))?;
        if let Some(p) = &request.password {
            password_problems(p)?;
        }
        let id = current.id.clone();
        let session = self.session(target).await?;
        // The update replaces the avatar with what is sent: when the directory holds only a
        // note about it, the real value is read back first so the edit keeps it.
        let avatar = match &request.profile_image_url {
            Some(given) => given.clone(),
            None if crate::users::avatar_not_kept(&current.profile_image_url) => {
                session
                    .call(|c, t| {
                        let id = id.clone();
                        async move { c.user_profile(&t, &id).await }
                    })
                    .await?
                    .profile_image_url
            }
            None => current.profile_image_url.clone(),
        };
        let updated = session
            .call(|c, t| {
                let form = UserUpdateForm {
                    name: &name,
                    email: &email,
                    profile_image_url: &avatar,
                    password: request.password.as_ref(),
                    role: None,
                };
                let id = id.clone();
                async move { c.update_user(&t, &id, &form).await }
            })
            .await?;
        let row = UserRow::from(&crate::users::directory_user_of(&updated));
        self.patch(target, |s| s.with_user(updated)).await;
        Ok(row)
    }

    /// Changes a role through the role endpoint, after the console's rules: a real role, never
    /// one's own, never the first user's.
    pub async fn set_role(&self, target: &Target, who: &str, role: &str) -> ConsoleResult<UserRow> {
        self.writable(target).await?;
        let (snapshot, ix) = self.resolve_user(target, who).await?;
        let user = &snapshot.directory.users()[ix];
        let first = snapshot.first_user().map(|f| f.id.clone());
        let role = check_role_change(&snapshot.me.id, &user.id, first.as_deref(), role)
            .map_err(|e| ConsoleError::Invalid(e.to_string()))?;
        let id = user.id.clone();
        let session = self.session(target).await?;
        let updated = session
            .call(|c, t| {
                let (id, role) = (id.clone(), role.clone());
                async move { c.update_role(&t, &id, &role).await }
            })
            .await?;
        let row = UserRow::from(&crate::users::directory_user_of(&updated));
        self.patch(target, |s| s.with_user(updated)).await;
        Ok(row)
    }

    /// Deletes a user. `typed_email` must be her e-mail (the confirmation); never oneself.
    pub async fn delete_user(
        &self,
        target: &Target,
        who: &str,
        typed_email: &str,
    ) -> ConsoleResult<UserRow> {
        self.writable(target).await?;
        let (snapshot, ix) = self.resolve_user(target, who).await?;
        let user = snapshot.directory.users()[ix].clone();
        if user.id == snapshot.me.id {
            return Err(ConsoleError::Invalid(
                "you cannot delete your own account".into(),
            ));
        }
        if !typed_email.trim().eq_ignore_ascii_case(&user.email) {
            return Err(ConsoleError::Invalid(format!(
                "to confirm, type her e-mail exactly: {}",
                user.email
            )));
        }
        let id = user.id.clone();
        let session = self.session(target).await?;
        session
            .call(|c, t| {
                let id = id.clone();
                async move { c.delete_user(&t, &id).await }
            })
            .await?;
        self.patch(target, |s| s.without_user(&id)).await;
        Ok(UserRow::from(&user))
    }

    /// Sets (or, with `None`, removes) one model's limit for a user; 0 = unlimited.
    pub async fn set_user_limit(
        &self,
        target: &Target,
        who: &str,
        model: &str,
        tokens: Option<i64>,
    ) -> ConsoleResult<PerModel> {
        self.writable(target).await?;
        if tokens.is_some_and(|t| t < 0) {
            return Err(ConsoleError::Invalid(
                "a limit is 0 (unlimited) or a positive number of tokens".into(),
            ));
        }
        let (snapshot, ix) = self.resolve_user(target, who).await?;
        let mut limits = snapshot.user_limits[ix].clone();
        match tokens {
            Some(t) => limits.insert(model.to_owned(), t),
            None => limits.remove(model),
        };
        let id = snapshot.directory.users()[ix].id.clone();
        let session = self.session(target).await?;
        let stored = session
            .call(|c, t| {
                let (id, limits) = (id.clone(), limits.clone());
                async move { c.set_user_limits(&t, &id, &limits).await }
            })
            .await?;
        let (uid, kept) = (id.clone(), stored.per_model.clone());
        self.patch(target, |s| s.with_user_limits(&uid, kept)).await;
        Ok(stored.per_model)
    }

    /// Designates the Super Admin (an admin), replacing the current one.
    pub async fn set_super_admin(&self, target: &Target, who: &str) -> ConsoleResult<String> {
        self.writable(target).await?;
        let (snapshot, ix) = self.resolve_user(target, who).await?;
        let user = &snapshot.directory.users()[ix];
        check_super_admin_candidate(&user.role).map_err(ConsoleError::Invalid)?;
        let email = user.email.clone();
        let session = self.session(target).await?;
        let stored = session
            .call(|c, t| {
                let email = email.clone();
                async move { c.set_super_admin(&t, &email).await }
            })
            .await?;
        self.patch(target, |s| s.with_super_admin(&stored)).await;
        Ok(stored)
    }

    /// The Super Admin designation against the directory (unknown when the config is not
    /// readable by this account).
    pub async fn super_admin(&self, target: &Target) -> ConsoleResult<Option<SuperAdminState>> {
        let snapshot = self.snapshot(target, false).await?;
        Ok(snapshot.super_admin.as_ref().map(|email| {
            super_admin_state(
                email.as_deref(),
                snapshot
                    .directory
                    .users()
                    .iter()
                    .map(|u| (u.id.as_str(), u.email.as_str(), &u.role)),
            )
        }))
    }
}
