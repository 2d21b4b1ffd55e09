//! The Super Admin: the contact shown to pending users (no extra rights), checked against the
//! directory because the server keeps only an e-mail that nobody clears.

use crate::error::{ConsoleError, ConsoleResult};
use crate::operation::OperationKind;
use crate::{Observer, Target, Users};
use cloo_domain::admin::{SuperAdminState, check_super_admin_candidate, super_admin_state};
use serde::Serialize;
use serde_json::json;
use ts_rs::TS;

/// The Super Admin designation, for a banner and a badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SuperAdminView {
    /// `unset`, `admin`, `not_admin` (the user was demoted), `missing` (no such user any more)
    /// or `unknown` (this account may not read it).
    pub state: String,
    /// The stored e-mail.
    pub email: Option<String>,
    /// The user it points to, when she exists.
    pub user_id: Option<String>,
    /// One sentence for the admin.
    pub message: String,
}

impl Users<'_> {
    /// The Super Admin designation against the directory (unknown when the config is not
    /// readable by this account).
    pub async fn super_admin_state(
        &self,
        target: &Target,
    ) -> ConsoleResult<Option<SuperAdminState>> {
        let snapshot = self.c.snapshot(target, false).await?;
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

    /// The Super Admin designation against the directory.
    pub async fn get_super_admin(&self, target: &Target) -> ConsoleResult<SuperAdminView> {
        let view = |state: &str,
                    email: Option<String>,
                    user_id: Option<String>,
                    message: String| SuperAdminView {
            state: state.to_owned(),
            email,
            user_id,
            message,
        };
        Ok(match self.super_admin_state(target).await? {
            None => view(
                "unknown",
                None,
                None,
                "only an admin can read the Super Admin designation".into(),
            ),
            Some(SuperAdminState::Unset) => view(
                "unset",
                None,
                None,
                "no Super Admin is set: users who contact an admin reach the first user".into(),
            ),
            Some(SuperAdminState::Admin { user_id, email }) => {
                let message = format!("{email} is the Super Admin");
                view("admin", Some(email), Some(user_id), message)
            }
            Some(SuperAdminState::NotAdmin {
                user_id,
                email,
                role,
            }) => {
                let message = format!(
                    "the Super Admin is {email}, who is no longer an admin (now {role}): designate an admin"
                );
                view("not_admin", Some(email), Some(user_id), message)
            }
            Some(SuperAdminState::Missing { email }) => {
                let message = format!(
                    "the Super Admin is {email}, but no user has that e-mail any more: designate an admin"
                );
                view("missing", Some(email), None, message)
            }
        })
    }

    /// Designates the Super Admin (an admin), replacing the current one.
    pub async fn set_super_admin(
        &self,
        target: &Target,
        who: &str,
        observer: &Observer,
    ) -> ConsoleResult<SuperAdminView> {
        let c = self.c;
        let op = c
            .begin(target, OperationKind::SuperAdminSet, who, observer)
            .await?;
        let result = async {
            let before = self.get_super_admin(target).await?;
            op.record_before(&json!({"email": before.email}));
            let (snapshot, ix) = c.resolve_user(target, who).await?;
            let user = &snapshot.directory.users()[ix];
            op.set_target(&user.email);
            check_super_admin_candidate(&user.role)
                .map_err(|e| ConsoleError::invalid("user", e.to_string()))?;
            let email = user.email.clone();
            let session = c.session(target).await?;
            let stored = session
                .call(|client, t| {
                    let email = email.clone();
                    async move { client.set_super_admin(&t, &email).await }
                })
                .await?;
            c.patch(target, |s| s.with_super_admin(&stored)).await;
            op.record_after(&json!({"email": stored}));
            self.get_super_admin(target).await
        }
        .await;
        op.finish(result).await
    }
}
