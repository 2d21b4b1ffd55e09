//! Who am I, and the user directory.

use crate::error::ConsoleResult;
use crate::{Console, Target};
use cloo_domain::{DirectoryUser, UserQuery};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The signed-in account on a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct WhoAmI {
    /// Base URL.
    pub base_url: String,
    /// Server version.
    pub server_version: Option<String>,
    /// User id.
    pub id: String,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: String,
}

/// One row of the users table (the contract's field names, no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UserRow {
    /// User id.
    pub id: String,
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role as stored.
    pub role: String,
    /// Avatar URL or path (never loaded by the UI: no remote content).
    pub profile_image_url: String,
    /// Epoch seconds.
    #[ts(type = "number")]
    pub last_active_at: i64,
    /// Epoch seconds.
    #[ts(type = "number")]
    pub updated_at: i64,
    /// Epoch seconds.
    #[ts(type = "number")]
    pub created_at: i64,
    /// SSO subject.
    pub oauth_sub: Option<String>,
    /// Entra object id.
    pub oauth_oid: Option<String>,
}

impl From<&DirectoryUser> for UserRow {
    fn from(u: &DirectoryUser) -> Self {
        UserRow {
            id: u.id.clone(),
            name: u.name.clone(),
            email: u.email.clone(),
            role: u.role.to_string(),
            profile_image_url: u.profile_image_url.clone(),
            last_active_at: u.last_active_at,
            updated_at: u.updated_at,
            created_at: u.created_at,
            oauth_sub: u.oauth_sub.clone(),
            oauth_oid: u.oauth_oid.clone(),
        }
    }
}

/// What the users table asks for.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct UsersPageRequest {
    /// Tenant name or id.
    pub tenant: String,
    /// Search, filter, sort and page.
    pub query: UserQuery,
    /// Read the directory from the deployment again first.
    #[serde(default)]
    pub refresh: bool,
}

/// One page of the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct UserPage {
    /// The rows of this page.
    pub users: Vec<UserRow>,
    /// How many users match the query.
    #[ts(type = "number")]
    pub total: usize,
    /// Offset of the first row.
    #[ts(type = "number")]
    pub offset: usize,
    /// How many users the deployment has.
    #[ts(type = "number")]
    pub directory_size: usize,
}

/// The directory form of an API user record (drops `info`).
pub(crate) fn directory_user_of(u: &cloo_api::User) -> DirectoryUser {
    DirectoryUser {
        id: u.id.clone(),
        name: u.name.clone(),
        email: u.email.clone(),
        role: u.role.clone(),
        profile_image_url: u.profile_image_url.clone(),
        last_active_at: u.last_active_at,
        updated_at: u.updated_at,
        created_at: u.created_at,
        oauth_sub: u.oauth_sub.clone(),
        oauth_oid: u.oauth_oid.clone(),
    }
}

impl Console {
    /// The signed-in account.
    pub async fn whoami(&self, target: &Target) -> ConsoleResult<WhoAmI> {
        let session = self.session(target).await?;
        let user = session
            .call(|c, t| async move { c.session_user(&t).await })
            .await?;
        let version = session.client().version().await.ok().map(|v| v.version);
        Ok(WhoAmI {
            base_url: session.client().base_url().to_string(),
            server_version: version,
            id: user.id,
            name: user.name,
            email: user.email,
            role: user.role.to_string(),
        })
    }

    /// All users matching `query`, fresh from the deployment.
    pub async fn list_users(
        &self,
        target: &Target,
        query: &UserQuery,
    ) -> ConsoleResult<Vec<DirectoryUser>> {
        let snapshot = self.snapshot(target, true).await?;
        let (page, _) = snapshot.directory.query(query);
        Ok(page.into_iter().cloned().collect())
    }

    /// One page of the directory, from the kept snapshot unless `refresh` (or none is kept).
    pub async fn users_page(
        &self,
        target: &Target,
        query: &UserQuery,
        refresh: bool,
    ) -> ConsoleResult<UserPage> {
        let snapshot = self.snapshot(target, refresh).await?;
        let (page, total) = snapshot.directory.query(query);
        Ok(UserPage {
            users: page.into_iter().map(UserRow::from).collect(),
            total,
            offset: query.offset,
            directory_size: snapshot.directory.len(),
        })
    }
}
