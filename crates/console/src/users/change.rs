//! Changes to one user: add, edit, role, delete, limits. The rules the server enforces only in
//! places (role changes) are applied everywhere, and its gaps (no password policy on admin add
//! or reset, no role validation) are closed before anything is sent. Each change is one
//! operation of the runner: read-only refusal, a journal row with before and after.

use super::directory::{UserRow, avatar_not_kept, directory_user_of};
use crate::error::{ConsoleError, ConsoleResult};
use crate::operation::OperationKind;
use crate::{Console, Observer, Target, Users, check_limit};
use cloo_api::{AddUserForm, PerModel, UserUpdateForm};
use cloo_domain::admin::check_role_change;
use cloo_domain::{Role, Secret, check_email_format, check_password_policy};
use serde::Deserialize;
use serde_json::json;
use ts_rs::TS;

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

fn password_problems(password: &Secret) -> ConsoleResult<()> {
    let problems = check_password_policy(password.expose());
    if problems.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
    Err(ConsoleError::invalid(
        "password",
        format!(
            "the password does not meet the deployment's policy (8+ characters, upper, lower, digit, at most 72 bytes): {}",
            list.join(", ")
        ),
    ))
}

fn checked_email(email: &str) -> ConsoleResult<String> {
    let email = email.trim().to_lowercase();
    check_email_format(&email).map_err(|e| ConsoleError::invalid("email", e.to_string()))?;
    Ok(email)
}

/// What the journal keeps of a user: the record as the table shows it, never a secret.
fn journal_view(row: &UserRow) -> serde_json::Value {
    json!({"id": row.id, "name": row.name, "email": row.email, "role": row.role})
}

impl Users<'_> {
    /// Adds a user, after the checks the admin endpoint skips.
    pub async fn add(
        &self,
        target: &Target,
        request: &NewUserRequest,
        observer: &Observer,
    ) -> ConsoleResult<UserRow> {
        let c = self.c;
        let op = c
            .begin(
                target,
                OperationKind::UserAdd,
                request.email.trim(),
                observer,
            )
            .await?;
        let result = async {
            let email = checked_email(&request.email)?;
            let role = Role::parse_assignable(&request.role)
                .map_err(|e| ConsoleError::invalid("role", e.to_string()))?;
            password_problems(&request.password)?;
            let name = request.name.trim();
            if name.is_empty() {
                return Err(ConsoleError::invalid("name", "the name is empty"));
            }
            let session = c.session(target).await?;
            let form = AddUserForm {
                name,
                email: &email,
                password: &request.password,
                role: role.as_str(),
                profile_image_url: None,
            };
            let added = session
                .call(|client, t| {
                    let form = form.clone();
                    async move { client.add_user(&t, &form).await }
                })
                .await?;
            // The newest user is first in the server's list: that is her full record.
            let newest = session
                .call(|client, t| async move { client.list_users(&t, None, Some(1)).await })
                .await?;
            match newest.into_iter().next().filter(|u| u.id == added.id) {
                Some(record) => {
                    let row = UserRow::from(&directory_user_of(&record));
                    c.patch(target, |s| s.with_user(record)).await;
                    Ok(row)
                }
                None => {
                    c.invalidate(target).await;
                    let (snapshot, ix) = c.resolve_user(target, &added.id).await?;
                    Ok(UserRow::from(&snapshot.directory.users()[ix]))
                }
            }
        }
        .await;
        if let Ok(row) = &result {
            op.record_after(&journal_view(row));
        }
        op.finish(result).await
    }

    /// Edits name, e-mail, avatar or password. Never the role: that goes through
    /// [`Users::set_role`], whose rules the update endpoint lacks.
    pub async fn edit(
        &self,
        target: &Target,
        who: &str,
        request: &EditUserRequest,
        observer: &Observer,
    ) -> ConsoleResult<UserRow> {
        let c = self.c;
        let op = c
            .begin(target, OperationKind::UserEdit, who, observer)
            .await?;
        let result = async {
            let (snapshot, ix) = c.resolve_user(target, who).await?;
            let current = &snapshot.directory.users()[ix];
            op.set_target(&current.email);
            op.record_before(&journal_view(&UserRow::from(current)));
            let name = request
                .name
                .as_deref()
                .map(str::trim)
                .unwrap_or(&current.name)
                .to_owned();
            let email = match &request.email {
                Some(e) => checked_email(e)?,
                None => current.email.clone(),
            };
            if let Some(p) = &request.password {
                password_problems(p)?;
            }
            let id = current.id.clone();
            let session = c.session(target).await?;
            // The update replaces the avatar with what is sent: when the directory holds only a
            // note about it, the real value is read back first so the edit keeps it.
            let avatar = match &request.profile_image_url {
                Some(given) => given.clone(),
                None if avatar_not_kept(&current.profile_image_url) => {
                    session
                        .call(|client, t| {
                            let id = id.clone();
                            async move { client.user_profile(&t, &id).await }
                        })
                        .await?
                        .profile_image_url
                }
                None => current.profile_image_url.clone(),
            };
            let updated = session
                .call(|client, t| {
                    let form = UserUpdateForm {
                        name: &name,
                        email: &email,
                        profile_image_url: &avatar,
                        password: request.password.as_ref(),
                        role: None,
                    };
                    let id = id.clone();
                    async move { client.update_user(&t, &id, &form).await }
                })
                .await?;
            let row = UserRow::from(&directory_user_of(&updated));
            c.patch(target, |s| s.with_user(updated)).await;
            Ok(row)
        }
        .await;
        if let Ok(row) = &result {
            let mut after = journal_view(row);
            after["password_changed"] = json!(request.password.is_some());
            op.record_after(&after);
        }
        op.finish(result).await
    }

    /// Changes a role through the role endpoint, after the console's rules: a real role, never
    /// one's own, never the first user's.
    pub async fn set_role(
        &self,
        target: &Target,
        who: &str,
        role: &str,
        observer: &Observer,
    ) -> ConsoleResult<UserRow> {
        let op = self
            .c
            .begin(target, OperationKind::UserSetRole, who, observer)
            .await?;
        let result = self.c.set_role_now(target, who, role).await;
        match &result {
            Ok((before, after)) => {
                op.set_target(&after.email);
                op.record_before(&journal_view(before));
                op.record_after(&journal_view(after));
            }
            Err(_) => op.record_after(&json!({"role": role})),
        }
        op.finish(result.map(|(_, after)| after)).await
    }

    /// Deletes a user. `typed_email` must be her e-mail (the confirmation); never oneself.
    pub async fn delete(
        &self,
        target: &Target,
        who: &str,
        typed_email: &str,
        observer: &Observer,
    ) -> ConsoleResult<UserRow> {
        let op = self
            .c
            .begin(target, OperationKind::UserDelete, who, observer)
            .await?;
        let result = self.c.delete_user_now(target, who, Some(typed_email)).await;
        if let Ok(row) = &result {
            op.set_target(&row.email);
            op.record_before(&journal_view(row));
        }
        op.finish(result).await
    }

    /// Sets (or, with `None`, removes) one model's limit for a user; 0 = unlimited.
    pub async fn set_limit(
        &self,
        target: &Target,
        who: &str,
        model: &str,
        tokens: Option<i64>,
        observer: &Observer,
    ) -> ConsoleResult<PerModel> {
        let c = self.c;
        let op = c
            .begin(target, OperationKind::UserSetLimit, who, observer)
            .await?;
        let result = async {
            check_limit(tokens)?;
            let (snapshot, ix) = c.resolve_user(target, who).await?;
            let mut limits = snapshot.user_limits[ix].clone();
            op.set_target(&snapshot.directory.users()[ix].email);
            op.record_before(&limits);
            match tokens {
                Some(t) => limits.insert(model.to_owned(), t),
                None => limits.remove(model),
            };
            let id = snapshot.directory.users()[ix].id.clone();
            let session = c.session(target).await?;
            let stored = session
                .call(|client, t| {
                    let (id, limits) = (id.clone(), limits.clone());
                    async move { client.set_user_limits(&t, &id, &limits).await }
                })
                .await?;
            let (uid, kept) = (id.clone(), stored.per_model.clone());
            c.patch(target, |s| s.with_user_limits(&uid, kept)).await;
            Ok(stored.per_model)
        }
        .await;
        if let Ok(limits) = &result {
            op.record_after(limits);
        }
        op.finish(result).await
    }
}

impl Console {
    /// A role change without an operation of its own (the bulk apply runs one for all).
    /// Returns her record before and after.
    pub(crate) async fn set_role_now(
        &self,
        target: &Target,
        who: &str,
        role: &str,
    ) -> ConsoleResult<(UserRow, UserRow)> {
        let (snapshot, ix) = self.resolve_user(target, who).await?;
        let user = &snapshot.directory.users()[ix];
        let first = snapshot.first_user().map(|f| f.id.clone());
        let role = check_role_change(&snapshot.me.id, &user.id, first.as_deref(), role)?;
        let before = UserRow::from(user);
        let id = user.id.clone();
        let session = self.session(target).await?;
        let updated = session
            .call(|client, t| {
                let (id, role) = (id.clone(), role.clone());
                async move { client.update_role(&t, &id, &role).await }
            })
            .await?;
        let row = UserRow::from(&directory_user_of(&updated));
        self.patch(target, |s| s.with_user(updated)).await;
        Ok((before, row))
    }

    /// A deletion without an operation of its own. `typed_email`, when given, must be her
    /// e-mail; nobody deletes their own account.
    pub(crate) async fn delete_user_now(
        &self,
        target: &Target,
        who: &str,
        typed_email: Option<&str>,
    ) -> ConsoleResult<UserRow> {
        let (snapshot, ix) = self.resolve_user(target, who).await?;
        let user = snapshot.directory.users()[ix].clone();
        if user.id == snapshot.me.id {
            return Err(ConsoleError::invalid(
                "user",
                "you cannot delete your own account",
            ));
        }
        if let Some(typed) = typed_email
            && !typed.trim().eq_ignore_ascii_case(&user.email)
        {
            return Err(ConsoleError::ConfirmationMismatch {
                expected: user.email.clone(),
            });
        }
        let id = user.id.clone();
        let session = self.session(target).await?;
        session
            .call(|client, t| {
                let id = id.clone();
                async move { client.delete_user(&t, &id).await }
            })
            .await?;
        self.patch(target, |s| s.without_user(&id)).await;
        Ok(UserRow::from(&user))
    }
}
