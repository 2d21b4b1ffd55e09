//! The user directory: search, filter, sort and page in Rust over the kept snapshot, so only the
//! visible page crosses IPC.

use crate::error::ConsoleResult;
use crate::{Target, Users};
use cloo_domain::{DirectoryUser, UserQuery};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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

/// Avatar values longer than this are not kept in the directory: they are data URIs of tens of
/// kilobytes, which would cost gigabytes at 100,000 users and blow a page past its IPC budget.
pub const KEPT_AVATAR_BYTES: usize = 256;

/// What the directory keeps of an avatar: the value, or a note in brackets (never a URL).
pub(crate) fn kept_avatar(url: &str) -> String {
    if url.len() <= KEPT_AVATAR_BYTES {
        url.to_owned()
    } else {
        let kind = if url.starts_with("data:") {
            "embedded image"
        } else {
            "long URL"
        };
        format!(
            "[{kind} of {} KB, not kept by the console]",
            url.len().div_ceil(1024)
        )
    }
}

/// Whether the directory holds only a note instead of the avatar.
pub(crate) fn avatar_not_kept(kept: &str) -> bool {
    kept.starts_with('[')
}

/// The directory form of an API user record (drops `info`, and avatars too big to keep).
pub(crate) fn directory_user_of(u: &cloo_api::User) -> DirectoryUser {
    DirectoryUser {
        id: u.id.clone(),
        name: u.name.clone(),
        email: u.email.clone(),
        role: u.role.clone(),
        profile_image_url: kept_avatar(&u.profile_image_url),
        last_active_at: u.last_active_at,
        updated_at: u.updated_at,
        created_at: u.created_at,
        oauth_sub: u.oauth_sub.clone(),
        oauth_oid: u.oauth_oid.clone(),
    }
}

impl Users<'_> {
    /// All users matching `query`, fresh from the deployment.
    pub async fn list(
        &self,
        target: &Target,
        query: &UserQuery,
    ) -> ConsoleResult<Vec<DirectoryUser>> {
        let snapshot = self.c.snapshot(target, true).await?;
        let (page, _) = snapshot.directory.query(query);
        Ok(page.into_iter().cloned().collect())
    }

    /// One page of the directory, from the kept snapshot unless `refresh` (or none is kept).
    pub async fn page(
        &self,
        target: &Target,
        query: &UserQuery,
        refresh: bool,
    ) -> ConsoleResult<UserPage> {
        let snapshot = self.c.snapshot(target, refresh).await?;
        let (page, total) = snapshot.directory.query(query);
        Ok(UserPage {
            users: page.into_iter().map(UserRow::from).collect(),
            total,
            offset: query.offset,
            directory_size: snapshot.directory.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A user as large as the server allows in every field the page carries, with a data-URI
    /// avatar of 40 KB.
    fn heaviest(i: usize) -> cloo_api::User {
        let local = format!("{i:03}{}", "x".repeat(60));
        let domain = format!("{}.example.com", "d".repeat(170));
        serde_json::from_value(serde_json::json!({
            "id": format!("{i:08}-0000-4000-a000-000000000000"),
            "name": "김".repeat(100),
            "email": format!("{local}@{domain}"),
            "role": "pending",
            "profile_image_url": format!("data:image/png;base64,{}", "A".repeat(40_000)),
            "last_active_at": 1_790_000_000,
            "updated_at": 1_790_000_000,
            "created_at": 1_790_000_000,
            "oauth_sub": format!("microsoft@{}", "s".repeat(118)),
            "oauth_oid": "00000000-0000-4000-a000-000000000000",
        }))
        .expect("a user record")
    }

    #[test]
    fn a_page_of_the_heaviest_users_fits_the_ipc_budget() {
        let users: Vec<UserRow> = (0..50)
            .map(|i| UserRow::from(&directory_user_of(&heaviest(i))))
            .collect();
        assert!(users[0].email.len() >= 240);
        let page = UserPage {
            users,
            total: 100_000,
            offset: 0,
            directory_size: 100_000,
        };
        let bytes = serde_json::to_vec(&page).expect("json").len();
        assert!(bytes < 64 * 1024, "{bytes} bytes");
    }

    #[test]
    fn big_avatars_are_noted_not_kept() {
        let kept = kept_avatar(&format!("data:image/png;base64,{}", "A".repeat(40_000)));
        assert_eq!(kept, "[embedded image of 40 KB, not kept by the console]");
        assert!(avatar_not_kept(&kept));
        let url = "https://cdn.example.com/avatars/kim.png";
        assert_eq!(kept_avatar(url), url);
        assert!(!avatar_not_kept(url));
        assert!(!avatar_not_kept("/user.png"));
    }
}
