//! The recommended build: parity plus what the server's own sync gets wrong.
//!
//! * Members grant access: a user member who has signed in to the deployment with Microsoft
//!   appears in `member_ids` as her `oauth_sub` (found through her `oauth_oid`); every kept
//!   member is listed in `meta.members` with a lower-cased e-mail, so e-mail matching works for
//!   people who have not signed in yet. Raw object ids, which match no account, are not sent.
//! * Group nesting: a group that is a member of another synced group is placed under the first
//!   such group (payload order), never in a cycle.
//! * Guests and disabled accounts are left out of every member list unless asked for; a
//!   department left with nobody is not created.

use super::compare::Keep;
use super::parity::departments;
use super::{
    Accounts, BuildCounts, BuildMode, BuildOptions, Built, admin_unit_unit, department_unit,
    group_unit, organization_record, unique_ids,
};
use crate::model::{Directory, MemberKind, User};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// Builds the recommended payload.
pub fn build(directory: &Directory, options: &BuildOptions, accounts: &Accounts) -> Built {
    build_kept(directory, options, accounts, Keep::Whole)
}

/// [`build`], keeping each unit as `keep` says.
pub(crate) fn build_kept(
    directory: &Directory,
    options: &BuildOptions,
    accounts: &Accounts,
    keep: Keep,
) -> Built {
    let mut counts = BuildCounts::default();
    let mut warnings = Vec::new();
    let users: HashMap<&str, &User> = directory
        .users
        .iter()
        .flatten()
        .map(|u| (u.id.as_str(), u))
        .collect();
    let members_of = |ids: Vec<&str>, counts: &mut BuildCounts| {
        let mut member_ids = Vec::new();
        let mut members = Vec::with_capacity(ids.len());
        let mut seen = HashSet::with_capacity(ids.len());
        for id in ids {
            if !seen.insert(id) {
                continue;
            }
            let user = users.get(id).copied();
            if let Some(u) = user {
                if u.is_guest() && !options.include_guests {
                    counts.guests_left_out += 1;
                    continue;
                }
                if u.is_disabled() && !options.include_disabled {
                    counts.disabled_left_out += 1;
                    continue;
                }
            }
            match accounts.oauth_sub(id) {
                Some(sub) => {
                    member_ids.push(Value::String(sub.to_owned()));
                    counts.members_matched += 1;
                }
                None => counts.members_by_email_only += 1,
            }
            members.push(json!({
                "id": id,
                "name": user.and_then(|u| u.display_name.clone()),
                "email": user.and_then(|u| u.email()).map(str::to_lowercase),
                "job_title": user.and_then(|u| u.job_title.clone()),
            }));
        }
        (member_ids, members)
    };
    let direct_users = |id: &str, counts: &mut BuildCounts| -> Vec<&str> {
        let list = directory.members.get(id).map(Vec::as_slice).unwrap_or(&[]);
        counts.non_user_members += list.iter().filter(|m| m.kind != MemberKind::User).count();
        list.iter()
            .filter(|m| m.kind == MemberKind::User)
            .map(|m| m.id.as_str())
            .collect()
    };

    let mut flat: Vec<Value> = Vec::new();
    if options.admin_units {
        for au in &directory.admin_units {
            let ids = direct_users(&au.id, &mut counts);
            let (member_ids, members) = members_of(ids, &mut counts);
            flat.push(keep.unit(admin_unit_unit(au, member_ids, Some(members))));
            counts.admin_units += 1;
        }
    }
    let mut group_ids: Vec<String> = Vec::new();
    if options.groups {
        for g in &directory.groups {
            let ids = direct_users(&g.id, &mut counts);
            let (member_ids, members) = members_of(ids, &mut counts);
            flat.push(keep.unit(group_unit(g, member_ids, Some(members))));
            group_ids.push(g.id.clone());
            counts.groups += 1;
        }
    }
    if options.departments {
        for (name, people) in departments(directory) {
            let (member_ids, members) =
                members_of(people.iter().map(|u| u.id.as_str()).collect(), &mut counts);
            if members.is_empty() {
                continue;
            }
            flat.push(keep.unit(department_unit(name, member_ids, members)));
            counts.departments += 1;
        }
    }
    unique_ids(&mut flat, &mut warnings);

    let parents = group_parents(directory, &group_ids);
    counts.nested = parents.len();
    let units = nest(flat, &parents);
    Built {
        mode: BuildMode::Recommended,
        payload: json!({"organization": organization_record(directory), "units": units}),
        counts,
        warnings,
    }
}

/// Each synced group's parent: the first synced group (in order) that lists it as a member,
/// skipping any choice that would close a cycle.
///
/// An administrative unit that holds a group never becomes its parent. In Entra, adding a group
/// to an administrative unit brings the group itself into the unit's management scope, not its
/// members; in the deployment, a member of a unit counts as a member of every unit above it
/// for resource access and for groups bound to units (organizations.md, "Membership
/// semantics"), so nesting the group under the unit would hand the group's members access
/// Entra never gave them. A group inside a group is different: its members are
/// transitive members of the outer group, as the nesting says.
fn group_parents(directory: &Directory, group_ids: &[String]) -> HashMap<String, String> {
    let synced: HashSet<&str> = group_ids.iter().map(String::as_str).collect();
    let mut parents: HashMap<String, String> = HashMap::new();
    for parent in group_ids {
        for m in directory.members.get(parent).into_iter().flatten() {
            if m.kind != MemberKind::Group
                || !synced.contains(m.id.as_str())
                || parents.contains_key(&m.id)
            {
                continue;
            }
            // Would `parent` end up under `m.id`?
            let mut up = Some(parent.as_str());
            let mut cycle = false;
            while let Some(p) = up {
                if p == m.id {
                    cycle = true;
                    break;
                }
                up = parents.get(p).map(String::as_str);
            }
            if !cycle {
                parents.insert(m.id.clone(), parent.clone());
            }
        }
    }
    parents
}

/// Moves nested groups into their parent's `children`, depth first, keeping order.
fn nest(flat: Vec<Value>, parents: &HashMap<String, String>) -> Vec<Value> {
    let mut by_id: HashMap<String, Value> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut kids: HashMap<String, Vec<String>> = HashMap::new();
    for unit in flat {
        let id = unit
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if let Some(p) = parents.get(&id) {
            kids.entry(p.clone()).or_default().push(id.clone());
        }
        order.push(id.clone());
        by_id.insert(id, unit);
    }
    fn emit(
        id: &str,
        by_id: &mut HashMap<String, Value>,
        kids: &HashMap<String, Vec<String>>,
    ) -> Option<Value> {
        let mut unit = by_id.remove(id)?;
        let children: Vec<Value> = kids
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|k| emit(k, by_id, kids))
            .collect();
        if !children.is_empty()
            && let Value::Object(map) = &mut unit
        {
            map.insert("children".into(), Value::Array(children));
        }
        Some(unit)
    }
    let roots: Vec<String> = order
        .into_iter()
        .filter(|id| !parents.contains_key(id))
        .collect();
    let mut out = Vec::new();
    for id in roots {
        if let Some(u) = emit(&id, &mut by_id, &kids) {
            out.push(u);
        }
    }
    // Anything left (cannot happen without a cycle) stays at the top rather than vanishing.
    let mut rest: Vec<(String, Value)> = by_id.into_iter().collect();
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    out.extend(rest.into_iter().map(|(_, mut v)| {
        if let Value::Object(m) = &mut v {
            m.remove("children");
        }
        v
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AdminUnit, Group, Member, MemberKind};

    fn group(id: &str) -> Group {
        Group {
            id: id.into(),
            display_name: Some(id.to_uppercase()),
            description: None,
            group_types: None,
            membership_rule: None,
        }
    }

    fn member(id: &str, kind: MemberKind) -> Member {
        Member {
            id: id.into(),
            kind,
        }
    }

    #[test]
    fn a_group_nests_under_the_group_holding_it_but_not_under_an_administrative_unit() {
        let mut directory = Directory {
            admin_units: vec![AdminUnit {
                id: "au".into(),
                display_name: Some("AU".into()),
                description: None,
                membership_type: None,
            }],
            groups: vec![group("outer"), group("inner")],
            ..Directory::default()
        };
        directory.members.insert(
            "au".into(),
            vec![
                member("outer", MemberKind::Group),
                member("inner", MemberKind::Group),
            ],
        );
        directory
            .members
            .insert("outer".into(), vec![member("inner", MemberKind::Group)]);
        let options = BuildOptions {
            admin_units: true,
            groups: true,
            departments: false,
            ..BuildOptions::default()
        };
        let built = build(&directory, &options, &Accounts::new([]));
        let top: Vec<&str> = built.payload["units"]
            .as_array()
            .expect("units")
            .iter()
            .map(|u| u["id"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(top, vec!["au", "outer"]);
        let au = &built.payload["units"][0];
        assert!(au.get("children").is_none(), "{au}");
        assert_eq!(built.payload["units"][1]["children"][0]["id"], "inner");
        assert_eq!(built.counts.nested, 1);
    }
}
