//! Delta queries on the test server: `/users/delta`, `/groups/delta` (with `members@delta`) and
//! `/directory/administrativeUnits/delta`, `$deltatoken=latest`, paging, links that expire, and
//! the tenant edits that feed them (each recorded with a version, as Graph's change tracking
//! does). The first round repeats a large group across pages, splitting its `members@delta`, as
//! Graph may.

use super::tenant::USER;
use super::{GraphServer, Query, ServerState, graph_error, project};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// What changed, and when (a version number per change).
#[derive(Debug, Default)]
pub struct ChangeLog {
    version: u64,
    expired_before: u64,
    users: HashMap<String, u64>,
    removed_users: HashMap<String, u64>,
    groups: HashMap<String, u64>,
    removed_groups: HashMap<String, u64>,
    admin_units: HashMap<String, u64>,
    removed_admin_units: HashMap<String, u64>,
    /// (group, member, member type, added, version)
    members: Vec<(String, String, &'static str, bool, u64)>,
}

impl ChangeLog {
    fn bump(&mut self) -> u64 {
        self.version += 1;
        self.version
    }
}

impl GraphServer {
    fn edit<R>(&self, f: impl FnOnce(&mut super::Tenant, &mut ChangeLog) -> R) -> R {
        let mut tenant = self.state.tenant.lock().expect("tenant");
        let mut log = self.state.changes.lock().expect("changes");
        f(&mut tenant, &mut log)
    }

    /// Moves a user to another department (`None` clears it).
    pub fn set_department(&self, user_id: &str, department: Option<&str>) {
        self.edit(|t, log| {
            let v = log.bump();
            if let Some(u) = t.users.iter_mut().find(|u| u["id"] == user_id) {
                u["department"] = department.map(|d| json!(d)).unwrap_or(Value::Null);
                log.users.insert(user_id.to_owned(), v);
            }
        });
    }

    /// Renames a group.
    pub fn rename_group(&self, group_id: &str, name: &str) {
        self.edit(|t, log| {
            let v = log.bump();
            if let Some(g) = t.groups.iter_mut().find(|g| g["id"] == group_id) {
                g["displayName"] = json!(name);
                log.groups.insert(group_id.to_owned(), v);
            }
        });
    }

    /// Deletes a group.
    pub fn delete_group(&self, group_id: &str) {
        self.edit(|t, log| {
            let v = log.bump();
            t.groups.retain(|g| g["id"] != group_id);
            t.members.remove(group_id);
            for list in t.members.values_mut() {
                list.retain(|(m, _)| m != group_id);
            }
            log.removed_groups.insert(group_id.to_owned(), v);
        });
    }

    /// Adds a user to a group or administrative unit.
    pub fn add_member(&self, container: &str, user_id: &str) {
        self.edit(|t, log| {
            let v = log.bump();
            let list = t.members.entry(container.to_owned()).or_default();
            if !list.iter().any(|(m, _)| m == user_id) {
                list.push((user_id.to_owned(), USER));
                log.members
                    .push((container.to_owned(), user_id.to_owned(), USER, true, v));
            }
        });
    }

    /// Removes a member from a group or administrative unit.
    pub fn remove_member(&self, container: &str, member_id: &str) {
        self.edit(|t, log| {
            let v = log.bump();
            if let Some(list) = t.members.get_mut(container)
                && let Some(at) = list.iter().position(|(m, _)| m == member_id)
            {
                let (_, kind) = list.remove(at);
                log.members
                    .push((container.to_owned(), member_id.to_owned(), kind, false, v));
            }
        });
    }

    /// Adds a user (a JSON object as Graph returns it).
    pub fn add_user(&self, user: Value) {
        self.edit(|t, log| {
            let v = log.bump();
            let id = user["id"].as_str().unwrap_or_default().to_owned();
            t.users.push(user);
            log.users.insert(id, v);
        });
    }

    /// Deletes a user (and her memberships).
    pub fn delete_user(&self, user_id: &str) {
        self.edit(|t, log| {
            let v = log.bump();
            t.users.retain(|u| u["id"] != user_id);
            for (container, list) in t.members.iter_mut() {
                if list.iter().any(|(m, _)| m == user_id) {
                    list.retain(|(m, _)| m != user_id);
                    log.members
                        .push((container.clone(), user_id.to_owned(), USER, false, v));
                }
            }
            log.removed_users.insert(user_id.to_owned(), v);
        });
    }

    /// Renames an administrative unit.
    pub fn rename_admin_unit(&self, id: &str, name: &str) {
        self.edit(|t, log| {
            let v = log.bump();
            if let Some(a) = t.admin_units.iter_mut().find(|a| a["id"] == id) {
                a["displayName"] = json!(name);
                log.admin_units.insert(id.to_owned(), v);
            }
        });
    }

    /// Every delta link issued so far stops working (`syncStateNotFound`).
    pub fn expire_delta_links(&self) {
        self.edit(|_, log| {
            log.expired_before = log.bump();
        });
    }
}

/// The delta items of groups or administrative units since `since` (everything when `None`):
/// changed containers with their properties, `members@delta` for membership changes when
/// `members` is selected, and removed containers.
#[allow(clippy::too_many_arguments)]
fn containers(
    items: &mut Vec<Value>,
    list: &[Value],
    tenant: &super::Tenant,
    log: &ChangeLog,
    changed_log: &HashMap<String, u64>,
    removed_log: &HashMap<String, u64>,
    since: Option<u64>,
    wants_members: bool,
    select: Option<&[String]>,
) {
    let newer = |v: &u64| since.is_none_or(|s| *v > s);
    for container in list {
        let id = container["id"].as_str().unwrap_or_default();
        let member_changes: Vec<Value> = match since {
            None => tenant
                .members
                .get(id)
                .into_iter()
                .flatten()
                .map(|(m, kind)| json!({"@odata.type": kind, "id": m}))
                .collect(),
            Some(_) => log
                .members
                .iter()
                .filter(|(c, _, _, _, v)| c == id && newer(v))
                .map(|(_, m, kind, added, _)| {
                    if *added {
                        json!({"@odata.type": kind, "id": m})
                    } else {
                        json!({"@odata.type": kind, "id": m, "@removed": {"reason": "deleted"}})
                    }
                })
                .collect(),
        };
        let changed = since.is_none() || changed_log.get(id).is_some_and(newer);
        if !changed && (member_changes.is_empty() || !wants_members) {
            continue;
        }
        let mut object = if changed {
            project(container, select, false)
        } else {
            json!({"id": id})
        };
        if wants_members && !member_changes.is_empty() {
            // A large container comes twice, its members split between the two.
            if member_changes.len() > 500 {
                let (a, b) = member_changes.split_at(member_changes.len() / 2);
                object["members@delta"] = Value::Array(a.to_vec());
                items.push(object.clone());
                let mut again = Map::new();
                again.insert("id".into(), json!(id));
                again.insert("members@delta".into(), Value::Array(b.to_vec()));
                items.push(Value::Object(again));
                continue;
            }
            object["members@delta"] = Value::Array(member_changes);
        }
        items.push(object);
    }
    for (id, v) in removed_log {
        if since.is_some() && newer(v) {
            items.push(removed(id));
        }
    }
}

/// Every item of a delta round since `since` (everything when `None`; nothing for `latest`).
fn round_items(
    tenant: &super::Tenant,
    log: &ChangeLog,
    entity: &str,
    token: Option<&str>,
    since: Option<u64>,
    wants_members: bool,
    plain_select: Option<&[String]>,
) -> Vec<Value> {
    let newer = |v: &u64| since.is_none_or(|s| *v > s);
    let mut items: Vec<Value> = Vec::new();
    if token != Some("latest") {
        match entity {
            "users" => {
                for u in &tenant.users {
                    let id = u["id"].as_str().unwrap_or_default();
                    if since.is_none() || log.users.get(id).is_some_and(newer) {
                        items.push(project(u, plain_select, false));
                    }
                }
                for (id, v) in &log.removed_users {
                    if since.is_some() && newer(v) {
                        items.push(removed(id));
                    }
                }
            }
            "administrativeUnits" => containers(
                &mut items,
                &tenant.admin_units,
                tenant,
                log,
                &log.admin_units,
                &log.removed_admin_units,
                since,
                wants_members,
                plain_select,
            ),
            _ => containers(
                &mut items,
                &tenant.groups,
                tenant,
                log,
                &log.groups,
                &log.removed_groups,
                since,
                wants_members,
                plain_select,
            ),
        }
    }
    items
}

fn removed(id: &str) -> Value {
    json!({"id": id, "@removed": {"reason": "deleted"}})
}

/// Answers a delta function of `entity` (`users`, `groups`, `administrativeUnits`).
pub(super) fn delta(state: &ServerState, entity: &str, path: &str, q: &Query) -> Response {
    let token = q
        .raw
        .iter()
        .find(|(k, _)| k == "$deltatoken")
        .map(|(_, v)| v.clone());
    let tenant = state.tenant.lock().expect("tenant");
    let log = state.changes.lock().expect("changes");
    let since: Option<u64> = match token.as_deref() {
        None => None,
        Some("latest") => Some(log.version),
        Some(t) => match t.strip_prefix("dt-").and_then(|n| n.parse().ok()) {
            Some(n) if n >= log.expired_before => Some(n),
            _ => {
                return graph_error(
                    410,
                    "syncStateNotFound",
                    "The sync state generation is no longer valid.",
                );
            }
        },
    };
    let select: Option<Vec<String>> = q.select.clone();
    let wants_members = select
        .as_ref()
        .is_some_and(|s| s.iter().any(|p| p == "members"));
    let plain_select: Option<Vec<String>> =
        select.map(|s| s.into_iter().filter(|p| p != "members").collect());
    // A round is computed on its first page and its later pages are served from that copy, as
    // Graph's skip tokens carry the round's state (a round costs one pass, not one per page).
    let round_key = format!("{entity}|{}|{:?}", token.as_deref().unwrap_or(""), q.select);
    let kept = match q.skip {
        0 => None,
        _ => state
            .delta_rounds
            .lock()
            .expect("rounds")
            .get(&round_key)
            .cloned(),
    };
    let items = match kept {
        Some(items) => items,
        None => {
            let items = std::sync::Arc::new(round_items(
                &tenant,
                &log,
                entity,
                token.as_deref(),
                since,
                wants_members,
                plain_select.as_deref(),
            ));
            state
                .delta_rounds
                .lock()
                .expect("rounds")
                .insert(round_key, items.clone());
            items
        }
    };
    let page_size = 100;
    let page: Vec<Value> = items.iter().skip(q.skip).take(page_size).cloned().collect();
    let mut body =
        json!({"@odata.context": format!("{}/v1.0/$metadata#{entity}", state.base), "value": page});
    let mut link = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in q
        .raw
        .iter()
        .filter(|(k, _)| k != "$skiptoken" && k != "$deltatoken")
    {
        link.append_pair(k, v);
    }
    if q.skip + page_size < items.len() {
        if let Some(t) = &token {
            link.append_pair("$deltatoken", t);
        }
        link.append_pair("$skiptoken", &format!("RFNwdAIAAQ{}", q.skip + page_size));
        body["@odata.nextLink"] = json!(format!("{}/v1.0{path}?{}", state.base, link.finish()));
    } else {
        link.append_pair("$deltatoken", &format!("dt-{}", log.version));
        body["@odata.deltaLink"] = json!(format!("{}/v1.0{path}?{}", state.base, link.finish()));
    }
    ([("content-type", "application/json")], body.to_string()).into_response()
}
