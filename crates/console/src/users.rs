//! Who am I, and the user directory.

use crate::error::ConsoleResult;
use crate::{Console, Target};
use cloo_api::User;
use cloo_domain::{DirectoryUser, UserQuery, query_directory};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use ts_rs::TS;

/// Users fetched per request while reading the whole directory.
pub const USER_FETCH_PAGE: u64 = 1000;

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

fn to_directory_user(u: User) -> DirectoryUser {
    DirectoryUser {
        id: u.id,
        name: u.name,
        email: u.email,
        role: u.role,
        profile_image_url: u.profile_image_url,
        last_active_at: u.last_active_at,
        updated_at: u.updated_at,
        created_at: u.created_at,
        oauth_sub: u.oauth_sub,
        oauth_oid: u.oauth_oid,
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

    /// Reads every user of the deployment, page by page, and keeps the directory for paging.
    ///
    /// The server orders by `created_at` only and has no total, so a user created while paging
    /// shifts later pages: rows are de-duplicated by id. A failed page fails the whole read;
    /// it never looks like a shorter directory.
    pub async fn refresh_directory(
        &self,
        target: &Target,
    ) -> ConsoleResult<Arc<Vec<DirectoryUser>>> {
        let session = self.session(target).await?;
        let mut users: Vec<DirectoryUser> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut skip = 0u64;
        loop {
            let page = session
                .call(
                    |c, t| async move { c.list_users(&t, Some(skip), Some(USER_FETCH_PAGE)).await },
                )
                .await?;
            let count = page.len() as u64;
            users.extend(
                page.into_iter()
                    .filter(|u| seen.insert(u.id.clone()))
                    .map(to_directory_user),
            );
            if count < USER_FETCH_PAGE {
                break;
            }
            skip += count;
        }
        let directory = Arc::new(users);
        let key = self.target_key(target, &session).await?;
        Self::lock(&self.directories).insert(key, directory.clone());
        Ok(directory)
    }

    async fn target_key(&self, target: &Target, session: &crate::Session) -> ConsoleResult<String> {
        Ok(match target {
            Target::Tenant(name) => match self.ephemeral_tenant(name) {
                Some(e) => e.view.id,
                None => self.store.tenant(name).await?.id,
            },
            Target::Current => self.store.current_tenant_id().await?.unwrap_or_default(),
            Target::Direct(_) => format!("direct:{}", session.client().base_url()),
        })
    }

    async fn directory(
        &self,
        target: &Target,
        refresh: bool,
    ) -> ConsoleResult<Arc<Vec<DirectoryUser>>> {
        if !refresh {
            let session = self.session(target).await?;
            let key = self.target_key(target, &session).await?;
            if let Some(cached) = Self::lock(&self.directories).get(&key) {
                return Ok(cached.clone());
            }
        }
        self.refresh_directory(target).await
    }

    /// All users matching `query`, fresh from the deployment.
    pub async fn list_users(
        &self,
        target: &Target,
        query: &UserQuery,
    ) -> ConsoleResult<Vec<DirectoryUser>> {
        let directory = self.refresh_directory(target).await?;
        let (page, _) = query_directory(&directory, query);
        Ok(page.into_iter().cloned().collect())
    }

    /// One page of the directory, from the kept copy unless `refresh` (or none is kept yet).
    pub async fn users_page(
        &self,
        target: &Target,
        query: &UserQuery,
        refresh: bool,
    ) -> ConsoleResult<UserPage> {
        let directory = self.directory(target, refresh).await?;
        let (page, total) = query_directory(&directory, query);
        Ok(UserPage {
            users: page.into_iter().map(UserRow::from).collect(),
            total,
            offset: query.offset,
            directory_size: directory.len(),
        })
    }
}
