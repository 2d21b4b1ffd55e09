//! Searching, filtering, sorting and paging a deployment's user directory locally.
//!
//! The server's user list has no search, sort, role filter or total (users.md §2): the web UI
//! filters in the browser. The console keeps the directory in Rust and answers every page from
//! it, so only the visible rows ever cross to the UI.

use crate::Role;
use serde::{Deserialize, Serialize};

/// A user as the console keeps it: the contract's field names, and no secret (the server's
/// `api_key`, `settings` and `info` are not here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryUser {
    /// User id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Role as stored.
    pub role: Role,
    /// Avatar URL or path.
    pub profile_image_url: String,
    /// Epoch seconds.
    pub last_active_at: i64,
    /// Epoch seconds (not maintained by the server after creation).
    pub updated_at: i64,
    /// Epoch seconds.
    pub created_at: i64,
    /// SSO subject.
    pub oauth_sub: Option<String>,
    /// Entra object id.
    pub oauth_oid: Option<String>,
}

/// Sort keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum UserSort {
    /// By creation time (the default: oldest first).
    #[default]
    Joined,
    /// By display name.
    Name,
    /// By e-mail.
    Email,
    /// By last activity.
    LastActive,
    /// By role.
    Role,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum SortDirection {
    /// Smallest first.
    #[default]
    Ascending,
    /// Largest first.
    Descending,
}

/// What to show of the directory.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UserQuery {
    /// Case-insensitive substring of the name or the e-mail; blank matches everyone.
    #[serde(default)]
    pub search: String,
    /// Only this exact role string.
    #[serde(default)]
    pub role: Option<String>,
    /// Sort key.
    #[serde(default)]
    pub sort: UserSort,
    /// Sort direction.
    #[serde(default)]
    pub direction: SortDirection,
    /// Rows to skip.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub offset: usize,
    /// Rows to return; 0 means all.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub limit: usize,
}

/// The matching users of one page, and how many match in all.
pub fn query_directory<'a>(
    users: &'a [DirectoryUser],
    query: &UserQuery,
) -> (Vec<&'a DirectoryUser>, usize) {
    let needle = query.search.trim().to_lowercase();
    let mut matching: Vec<&DirectoryUser> = users
        .iter()
        .filter(|u| query.role.as_deref().is_none_or(|r| u.role.as_str() == r))
        .filter(|u| {
            needle.is_empty()
                || u.name.to_lowercase().contains(&needle)
                || u.email.to_lowercase().contains(&needle)
        })
        .collect();
    matching.sort_by(|a, b| {
        let primary = match query.sort {
            UserSort::Joined => a.created_at.cmp(&b.created_at),
            UserSort::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            UserSort::Email => a.email.cmp(&b.email),
            UserSort::LastActive => a.last_active_at.cmp(&b.last_active_at),
            UserSort::Role => a.role.as_str().cmp(b.role.as_str()),
        };
        // Ties fall back to creation time, then id, so pages never overlap or skip.
        let ordered = primary
            .then_with(|| a.created_at.cmp(&b.created_at))
            .then_with(|| a.id.cmp(&b.id));
        match query.direction {
            SortDirection::Ascending => ordered,
            SortDirection::Descending => ordered.reverse(),
        }
    });
    let total = matching.len();
    let page: Vec<&DirectoryUser> = if query.limit == 0 {
        matching.into_iter().skip(query.offset).collect()
    } else {
        matching
            .into_iter()
            .skip(query.offset)
            .take(query.limit)
            .collect()
    };
    (page, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(
        id: &str,
        name: &str,
        email: &str,
        role: &str,
        created: i64,
        active: i64,
    ) -> DirectoryUser {
        DirectoryUser {
            id: id.into(),
            name: name.into(),
            email: email.into(),
            role: Role::from_server(role),
            profile_image_url: "/user.png".into(),
            last_active_at: active,
            updated_at: created,
            created_at: created,
            oauth_sub: None,
            oauth_oid: None,
        }
    }

    fn sample() -> Vec<DirectoryUser> {
        vec![
            user("1", "Mina Lee", "mina.lee@contoso.com", "admin", 10, 50),
            user("2", "김민준", "minjun.kim@contoso.com", "user", 20, 40),
            user("3", "Ethan Brown", "ethan@contoso.com", "pending", 30, 30),
            user("4", "이서연", "seoyeon.lee@contoso.com", "user", 40, 60),
        ]
    }

    fn ids(page: &[&DirectoryUser]) -> Vec<String> {
        page.iter().map(|u| u.id.clone()).collect()
    }

    #[test]
    fn default_is_everyone_oldest_first() {
        let users = sample();
        let (page, total) = query_directory(&users, &UserQuery::default());
        assert_eq!(total, 4);
        assert_eq!(ids(&page), ["1", "2", "3", "4"]);
    }

    #[test]
    fn search_matches_name_or_email_case_insensitively_in_any_script() {
        let users = sample();
        let q = |s: &str| UserQuery {
            search: s.into(),
            ..Default::default()
        };
        assert_eq!(ids(&query_directory(&users, &q("LEE")).0), ["1", "4"]);
        assert_eq!(ids(&query_directory(&users, &q("민준")).0), ["2"]);
        assert_eq!(ids(&query_directory(&users, &q("  ")).0).len(), 4);
        assert_eq!(query_directory(&users, &q("nobody")).1, 0);
    }

    #[test]
    fn role_filter_and_sorts_and_pages() {
        let users = sample();
        let q = UserQuery {
            role: Some("user".into()),
            sort: UserSort::LastActive,
            direction: SortDirection::Descending,
            ..Default::default()
        };
        assert_eq!(ids(&query_directory(&users, &q).0), ["4", "2"]);
        let paged = UserQuery {
            offset: 1,
            limit: 2,
            ..Default::default()
        };
        let (page, total) = query_directory(&users, &paged);
        assert_eq!(
            (ids(&page), total),
            (vec!["2".to_owned(), "3".to_owned()], 4)
        );
        let by_name = UserQuery {
            sort: UserSort::Name,
            ..Default::default()
        };
        assert_eq!(
            ids(&query_directory(&users, &by_name).0),
            ["3", "1", "2", "4"]
        );
    }

    #[test]
    fn pages_partition_the_result_even_with_ties() {
        let users: Vec<DirectoryUser> = (0..25)
            .map(|i| {
                user(
                    &format!("{i:02}"),
                    "Same",
                    &format!("u{i}@x.com"),
                    "user",
                    5,
                    5,
                )
            })
            .collect();
        let mut seen = Vec::new();
        for offset in (0..25).step_by(10) {
            let q = UserQuery {
                sort: UserSort::Name,
                offset,
                limit: 10,
                ..Default::default()
            };
            seen.extend(ids(&query_directory(&users, &q).0));
        }
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(seen.len(), 25);
        assert_eq!(sorted.len(), 25);
    }
}
