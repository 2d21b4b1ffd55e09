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

/// A directory prepared for search-as-you-type: lower-cased names and e-mails, and one
/// pre-sorted order per sort key, so a query is one pass that stops collecting after its page.
#[derive(Debug, Clone, Default)]
pub struct DirectoryIndex {
    users: Vec<DirectoryUser>,
    names: Vec<Box<str>>,
    emails: Vec<Box<str>>,
    orders: [Vec<u32>; 5],
}

const SORTS: [UserSort; 5] = [
    UserSort::Joined,
    UserSort::Name,
    UserSort::Email,
    UserSort::LastActive,
    UserSort::Role,
];

fn sort_slot(sort: UserSort) -> usize {
    SORTS.iter().position(|s| *s == sort).unwrap_or(0)
}

impl DirectoryIndex {
    /// Indexes a directory: O(n log n) once.
    pub fn new(users: Vec<DirectoryUser>) -> Self {
        let names: Vec<Box<str>> = users
            .iter()
            .map(|u| u.name.to_lowercase().into_boxed_str())
            .collect();
        let emails: Vec<Box<str>> = users
            .iter()
            .map(|u| u.email.to_lowercase().into_boxed_str())
            .collect();
        let orders = SORTS.map(|sort| {
            let mut order: Vec<u32> = (0..users.len() as u32).collect();
            order.sort_by(|&a, &b| {
                let (x, y) = (&users[a as usize], &users[b as usize]);
                let primary = match sort {
                    UserSort::Joined => x.created_at.cmp(&y.created_at),
                    UserSort::Name => names[a as usize].cmp(&names[b as usize]),
                    UserSort::Email => x.email.cmp(&y.email),
                    UserSort::LastActive => x.last_active_at.cmp(&y.last_active_at),
                    UserSort::Role => x.role.as_str().cmp(y.role.as_str()),
                };
                primary
                    .then_with(|| x.created_at.cmp(&y.created_at))
                    .then_with(|| x.id.cmp(&y.id))
            });
            order
        });
        DirectoryIndex {
            users,
            names,
            emails,
            orders,
        }
    }

    /// The users, in the order given.
    pub fn users(&self) -> &[DirectoryUser] {
        &self.users
    }

    /// How many users.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// The same answer as [`query_directory`], without sorting or lower-casing per query.
    pub fn query(&self, query: &UserQuery) -> (Vec<&DirectoryUser>, usize) {
        let needle = query.search.trim().to_lowercase();
        let order = &self.orders[sort_slot(query.sort)];
        let matches = |&i: &u32| {
            let u = &self.users[i as usize];
            query.role.as_deref().is_none_or(|r| u.role.as_str() == r)
                && (needle.is_empty()
                    || self.names[i as usize].contains(&needle)
                    || self.emails[i as usize].contains(&needle))
        };
        let end = if query.limit == 0 {
            usize::MAX
        } else {
            query.offset.saturating_add(query.limit)
        };
        let mut page = Vec::new();
        let mut total = 0usize;
        let mut visit = |i: &u32| {
            if matches(i) {
                if total >= query.offset && total < end {
                    page.push(&self.users[*i as usize]);
                }
                total += 1;
            }
        };
        match query.direction {
            SortDirection::Ascending => order.iter().for_each(&mut visit),
            SortDirection::Descending => order.iter().rev().for_each(&mut visit),
        }
        (page, total)
    }
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

    use proptest::prelude::*;

    fn arb_user() -> impl Strategy<Value = DirectoryUser> {
        (
            0u32..40,
            "[a-dA-D가나]{1,4}",
            "[a-c_.]{1,3}",
            0usize..3,
            0i64..20,
            0i64..20,
        )
            .prop_map(|(id, name, mail, role, created, active)| {
                user(
                    &format!("u{id}"),
                    &name,
                    &format!("{mail}@x.com"),
                    ["admin", "user", "pending"][role],
                    created,
                    active,
                )
            })
    }

    proptest! {
        /// The index answers exactly as the plain query does, for every sort, direction, filter
        /// and page.
        #[test]
        fn the_index_agrees_with_the_plain_query(
            users in proptest::collection::vec(arb_user(), 0..40),
            search in "[a-c가_]{0,2}",
            role in proptest::option::of(0usize..3),
            sort in 0usize..5,
            descending in any::<bool>(),
            offset in 0usize..10,
            limit in 0usize..8,
        ) {
            let mut seen = std::collections::HashSet::new();
            let users: Vec<DirectoryUser> = users.into_iter().filter(|u| seen.insert(u.id.clone())).collect();
            let q = UserQuery {
                search,
                role: role.map(|r| ["admin", "user", "pending"][r].to_owned()),
                sort: SORTS[sort],
                direction: if descending { SortDirection::Descending } else { SortDirection::Ascending },
                offset,
                limit,
            };
            let index = DirectoryIndex::new(users.clone());
            let (a, ta) = index.query(&q);
            let (b, tb) = query_directory(&users, &q);
            prop_assert_eq!(ta, tb);
            prop_assert_eq!(ids(&a), ids(&b));
        }
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
