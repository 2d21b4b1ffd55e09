//! Incremental reads with Graph's delta links: after a full read, later runs read only what
//! changed (`/users/delta`, `/groups/delta` and `/directory/administrativeUnits/delta`, the last
//! two with `members`, as Graph documents for both) and merge it into the directory kept from the
//! last run — updated properties, `@removed` objects, `members@delta` additions and removals, and
//! objects repeated across pages. A quiet tenant costs a handful of requests whatever its size.
//!
//! A full read first asks each delta function for `$deltatoken=latest`, so changes made while it
//! runs are read again next time (merging is idempotent). An expired or refused delta link
//! (`syncStateNotFound`, 410, or a 400/404) makes the run a full read, and the result says why.
//! A delta function Graph refuses when the links are taken (a national cloud or a proxy without
//! it) is named in the result, and what it tracks is read in full on every run while the rest
//! still comes by delta. With a group filter, groups are read in full (Graph's group delta cannot
//! filter by name).

use crate::error::{EntraError, EntraResult};
use crate::graph::GraphClient;
use crate::model::{AdminUnit, Directory, Group, Member, RawMember, User};
use crate::read::{ReadOptions, USER_SELECT, read_directory};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// What a run keeps for the next one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeltaState {
    /// The options the state was read with; other options need a full read.
    pub options: StateOptions,
    /// The directory as of the links.
    pub directory: Directory,
    /// The next `/users/delta` round.
    pub users_link: Option<String>,
    /// The next `/groups/delta` round.
    pub groups_link: Option<String>,
    /// The next `/directory/administrativeUnits/delta` round.
    pub admin_units_link: Option<String>,
}

/// The read options a state belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateOptions {
    /// Administrative units read.
    pub admin_units: bool,
    /// Groups read.
    pub groups: bool,
    /// Users read.
    pub users: bool,
    /// The group filter.
    pub group_filter: Option<String>,
}

impl From<&ReadOptions> for StateOptions {
    fn from(o: &ReadOptions) -> StateOptions {
        StateOptions {
            admin_units: o.admin_units,
            groups: o.groups,
            users: o.users,
            group_filter: o.group_filter.clone().filter(|f| !f.is_empty()),
        }
    }
}

/// How a run read the directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeltaSummary {
    /// `full` or `delta`.
    pub kind: String,
    /// Why a full read was made when a delta read was possible or asked for.
    pub full_because: Option<String>,
    /// Users added or changed.
    pub users_changed: usize,
    /// Users removed.
    pub users_removed: usize,
    /// Groups added or changed.
    pub groups_changed: usize,
    /// Groups removed.
    pub groups_removed: usize,
    /// Administrative units added, changed or removed.
    pub admin_units_changed: usize,
    /// Group and administrative-unit memberships added or removed.
    pub member_changes: usize,
    /// Delta functions this Graph refuses (a national cloud or a proxy without them), each with
    /// the answer: what they track is read in full on every run instead.
    #[serde(default)]
    pub read_in_full: Vec<String>,
}

/// A finished read: the state to keep (the directory now and the links), and what happened.
#[derive(Debug, Clone)]
pub struct DeltaRead {
    /// Keep it for the next run; [`DeltaRead::directory`] is in it (one copy, not two).
    pub state: DeltaState,
    /// What was read.
    pub summary: DeltaSummary,
}

const GROUP_DELTA_SELECT: &str = "id,displayName,description,groupTypes,membershipRule,members";
const ADMIN_UNIT_DELTA_SELECT: &str = "id,displayName,description,membershipType,members";

/// Reads the directory: from `previous` and the delta links when they fit `options` and
/// `full` is not asked for, else in full (keeping new links).
pub async fn read_changes(
    client: &Arc<GraphClient>,
    options: &ReadOptions,
    previous: Option<DeltaState>,
    full: bool,
) -> EntraResult<DeltaRead> {
    let wanted = StateOptions::from(options);
    let reason = match &previous {
        _ if full => Some("a full read was asked for".to_owned()),
        None => Some("no earlier read is kept for this profile".to_owned()),
        Some(p) if p.options != wanted => {
            Some("the sync options changed since the last read".to_owned())
        }
        Some(_) => None,
    };
    if let (None, Some(state)) = (&reason, previous) {
        match incremental(client, options, state).await {
            Ok(read) => return Ok(read),
            Err(EntraError::DeltaExpired { call, status, code }) => {
                let why = format!(
                    "Graph no longer accepts the delta link of {call} (HTTP {status} {code})"
                );
                return full_read(client, options, Some(why)).await;
            }
            Err(e) => return Err(e),
        }
    }
    full_read(client, options, reason).await
}

/// The link of the next round of a delta function, starting now. A Graph that refuses the
/// function gives no link and a note in `refused`: that part is read in full on later runs.
async fn latest_link(
    client: &Arc<GraphClient>,
    call: &str,
    path: &str,
    refused: &mut Vec<String>,
) -> EntraResult<Option<String>> {
    let url = client.url(&format!("{path}&$deltatoken=latest"));
    let mut next = Some(url);
    while let Some(url) = next {
        let page = match client.delta_page::<Value>(call, &url).await {
            Ok(page) => page,
            Err(EntraError::DeltaExpired { call, status, code }) => {
                refused.push(format!("{call} (HTTP {status} {code})"));
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        if page.delta_link.is_some() {
            return Ok(page.delta_link);
        }
        next = page.next_link;
    }
    Ok(None)
}

async fn full_read(
    client: &Arc<GraphClient>,
    options: &ReadOptions,
    reason: Option<String>,
) -> EntraResult<DeltaRead> {
    let mut refused = Vec::new();
    let users_link = if options.users {
        latest_link(
            client,
            "GET /users/delta",
            &format!("/users/delta?$select={USER_SELECT}"),
            &mut refused,
        )
        .await?
    } else {
        None
    };
    let grouped = options.groups && options.group_filter.as_deref().is_none_or(str::is_empty);
    let groups_link = if grouped {
        latest_link(
            client,
            "GET /groups/delta",
            &format!("/groups/delta?$select={GROUP_DELTA_SELECT}"),
            &mut refused,
        )
        .await?
    } else {
        None
    };
    let admin_units_link = if options.admin_units {
        latest_link(
            client,
            "GET /directory/administrativeUnits/delta",
            &format!("/directory/administrativeUnits/delta?$select={ADMIN_UNIT_DELTA_SELECT}"),
            &mut refused,
        )
        .await?
    } else {
        None
    };
    let directory = read_directory(client, options).await?;
    Ok(DeltaRead {
        state: DeltaState {
            options: StateOptions::from(options),
            directory,
            users_link,
            groups_link,
            admin_units_link,
        },
        summary: DeltaSummary {
            kind: "full".into(),
            full_because: reason,
            read_in_full: refused,
            ..DeltaSummary::default()
        },
    })
}

/// Every item of a delta round, and the link of the next round.
async fn round(
    client: &Arc<GraphClient>,
    call: &str,
    link: &str,
) -> EntraResult<(Vec<Map<String, Value>>, Option<String>)> {
    let mut items = Vec::new();
    let mut next = Some(link.to_owned());
    let mut delta = None;
    while let Some(url) = next {
        let page = client.delta_page::<Map<String, Value>>(call, &url).await?;
        items.extend(page.value);
        next = page.next_link;
        if page.delta_link.is_some() {
            delta = page.delta_link;
        }
    }
    Ok((items, delta))
}

impl DeltaRead {
    /// The directory now.
    pub fn directory(&self) -> &Directory {
        &self.state.directory
    }
}

fn removed(item: &Map<String, Value>) -> bool {
    item.contains_key("@removed")
}

fn id_of(item: &Map<String, Value>) -> String {
    item.get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Overlays the properties present in `change` on `current` (Graph sends at least the changed
/// ones), keeping the rest.
fn merged<T: Serialize + serde::de::DeserializeOwned>(
    current: Option<&T>,
    change: &Map<String, Value>,
) -> Option<T> {
    let mut base = match current {
        Some(c) => serde_json::to_value(c).ok()?,
        None => Value::Object(Map::new()),
    };
    let map = base.as_object_mut()?;
    for (k, v) in change {
        if !k.starts_with('@') && !k.contains("@delta") {
            map.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(base).ok()
}

/// Upserts or removes objects of one kind, keeping Graph order and appending new ones. One
/// index over the list, so a round costs its changes, not changes × list.
fn apply_objects<T: Serialize + serde::de::DeserializeOwned>(
    list: &mut Vec<T>,
    id: impl Fn(&T) -> &str,
    items: &[Map<String, Value>],
) -> (usize, usize, Vec<String>) {
    let mut at: HashMap<String, usize> = list
        .iter()
        .enumerate()
        .map(|(i, o)| (id(o).to_owned(), i))
        .collect();
    let mut changed = 0;
    let mut gone: Vec<String> = Vec::new();
    // Positions removed in this round: a removed object that comes back later in the same round
    // is appended anew, and only the old position goes.
    let mut dead: std::collections::HashSet<usize> = std::collections::HashSet::new();
    for item in items {
        let key = id_of(item);
        if removed(item) {
            if let Some(i) = at.remove(&key) {
                dead.insert(i);
                gone.push(key);
            }
            continue;
        }
        let position = at.get(&key).copied();
        if let Some(next) = merged(position.map(|i| &list[i]), item) {
            match position {
                Some(i) => list[i] = next,
                None => {
                    gone.retain(|g| *g != key);
                    at.insert(key, list.len());
                    list.push(next);
                }
            }
            changed += 1;
        }
    }
    if !dead.is_empty() {
        let mut position = 0;
        list.retain(|_| {
            position += 1;
            !dead.contains(&(position - 1))
        });
    }
    let removed = gone.len();
    (changed, removed, gone)
}

async fn incremental(
    client: &Arc<GraphClient>,
    options: &ReadOptions,
    mut state: DeltaState,
) -> EntraResult<DeltaRead> {
    let mut summary = DeltaSummary {
        kind: "delta".into(),
        ..DeltaSummary::default()
    };
    let directory = &mut state.directory;
    match (options.users, state.users_link.clone()) {
        (false, _) => {}
        (true, None) => {
            // Graph refused the function when the links were taken: users are read in full.
            let fresh = read_directory(client, &only(options, Part::Users)).await?;
            summary.users_changed = fresh.users.as_ref().map_or(0, Vec::len);
            summary.read_in_full.push("GET /users/delta".into());
            directory.users = fresh.users;
        }
        (true, Some(link)) => {
            let (items, next) = round(client, "GET /users/delta", &link).await?;
            let users = directory.users.get_or_insert_with(Vec::new);
            let (changed, removed, gone) = apply_objects::<User>(users, |u| u.id.as_str(), &items);
            summary.users_changed = changed;
            summary.users_removed = removed;
            if !gone.is_empty() {
                let gone: std::collections::HashSet<&str> =
                    gone.iter().map(String::as_str).collect();
                for list in directory.members.values_mut() {
                    list.retain(|m| !gone.contains(m.id.as_str()));
                }
            }
            state.users_link = next.or(state.users_link);
        }
    }
    if options.groups {
        match state.groups_link.clone() {
            Some(link) => {
                let (items, next) = round(client, "GET /groups/delta", &link).await?;
                let (changed, removed, gone) =
                    apply_objects::<Group>(&mut directory.groups, |g| g.id.as_str(), &items);
                summary.groups_changed = changed;
                summary.groups_removed = removed;
                for id in &gone {
                    directory.members.remove(id);
                }
                summary.member_changes += merge_member_changes(&mut directory.members, &items);
                state.groups_link = next.or(state.groups_link);
            }
            None => {
                // A group filter (Graph's group delta cannot filter by name), or a Graph that
                // refused the function: groups and their members are read in full.
                let fresh = read_directory(client, &only(options, Part::Groups)).await?;
                for g in &directory.groups {
                    directory.members.remove(&g.id);
                }
                summary.groups_changed = fresh.groups.len();
                if options.group_filter.as_deref().is_none_or(str::is_empty) {
                    summary.read_in_full.push("GET /groups/delta".into());
                }
                directory.groups = fresh.groups;
                directory.members.extend(fresh.members);
            }
        }
    }
    match (options.admin_units, state.admin_units_link.clone()) {
        (false, _) => {}
        (true, None) => {
            // Graph refused the function when the links were taken: units are read in full.
            let fresh = read_directory(client, &only(options, Part::AdminUnits)).await?;
            for a in &directory.admin_units {
                directory.members.remove(&a.id);
            }
            summary.admin_units_changed = fresh.admin_units.len();
            summary
                .read_in_full
                .push("GET /directory/administrativeUnits/delta".into());
            directory.admin_units = fresh.admin_units;
            directory.members.extend(fresh.members);
        }
        (true, Some(link)) => {
            let (items, next) =
                round(client, "GET /directory/administrativeUnits/delta", &link).await?;
            let (changed, removed, gone) =
                apply_objects::<AdminUnit>(&mut directory.admin_units, |a| a.id.as_str(), &items);
            summary.admin_units_changed = changed + removed;
            for id in &gone {
                directory.members.remove(id);
            }
            summary.member_changes += merge_member_changes(&mut directory.members, &items);
            state.admin_units_link = next.or(state.admin_units_link);
        }
    }
    // An organization rename is rare and cheap to read.
    let organizations: Vec<crate::model::Organization> = client
        .all_pages("GET /organization", &client.url("/organization"))
        .await?;
    if let Some(o) = organizations.into_iter().next() {
        directory.organization = Some(o);
    }
    Ok(DeltaRead { state, summary })
}

/// One part of a directory read.
enum Part {
    Users,
    Groups,
    AdminUnits,
}

/// `options` reading only `part` (with its member lists).
fn only(options: &ReadOptions, part: Part) -> ReadOptions {
    ReadOptions {
        users: matches!(part, Part::Users),
        groups: matches!(part, Part::Groups),
        admin_units: matches!(part, Part::AdminUnits),
        group_filter: options.group_filter.clone(),
    }
}

/// Applies the `members@delta` of a round's groups or administrative units to their member
/// lists (an addition already present and a removal of an absent member change nothing: a
/// replayed round merges to the same lists). Returns the memberships changed.
fn merge_member_changes(
    members: &mut HashMap<String, Vec<Member>>,
    items: &[Map<String, Value>],
) -> usize {
    let mut changes_made = 0;
    for item in items.iter().filter(|i| !removed(i)) {
        let Some(changes) = item.get("members@delta").and_then(Value::as_array) else {
            continue;
        };
        let list = members.entry(id_of(item)).or_default();
        for change in changes.iter().filter_map(Value::as_object) {
            let member = id_of(change);
            let at = list.iter().position(|m| m.id == member);
            if change.contains_key("@removed") {
                if let Some(i) = at {
                    list.remove(i);
                    changes_made += 1;
                }
            } else if at.is_none() {
                list.push(Member::from(RawMember {
                    id: member,
                    odata_type: change
                        .get("@odata.type")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                }));
                changes_made += 1;
            }
        }
    }
    changes_made
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_round_overlays_changes_removes_and_keeps_an_object_that_comes_back() {
        let mut users: Vec<User> = ["a", "b", "c"]
            .iter()
            .map(|id| {
                serde_json::from_value(
                    json!({"id": id, "displayName": id.to_uppercase(), "department": "Ops"}),
                )
                .unwrap_or_else(|e| panic!("{e}"))
            })
            .collect();
        let items = [
            item(json!({"id": "b", "department": "Sales"})),
            item(json!({"id": "c", "@removed": {"reason": "deleted"}})),
            item(json!({"id": "a", "@removed": {"reason": "changed"}})),
            item(json!({"id": "a", "displayName": "A again"})),
            item(json!({"id": "d", "displayName": "D"})),
        ];
        let (changed, removed, gone) = apply_objects(&mut users, |u| u.id.as_str(), &items);
        let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
        assert_eq!(ids, ["b", "a", "d"]);
        assert_eq!(users[0].department.as_deref(), Some("Sales"));
        assert_eq!(
            users[0].display_name.as_deref(),
            Some("B"),
            "unsent properties are kept"
        );
        assert_eq!(users[1].display_name.as_deref(), Some("A again"));
        assert_eq!((changed, removed), (3, 1));
        assert_eq!(gone, ["c"], "an object back in the same round is not gone");
    }
}
