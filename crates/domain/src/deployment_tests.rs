use super::*;
use crate::permissions::{builtin_defaults, post_defaults};
use crate::synthetic::{SyntheticSpec, generate};
use proptest::prelude::*;
use serde_json::json;

fn unit(
    id: &str,
    parent: Option<&str>,
    level: i64,
    name: &str,
    member_ids: &[&str],
    emails: &[&str],
    limit: Option<i64>,
) -> UnitRecord {
    let members: Vec<serde_json::Value> = emails.iter().map(|e| json!({"email": e})).collect();
    let mut meta = json!({"members": members});
    let mut limits = PerModel::new();
    if let Some(l) = limit {
        limits.insert("gpt-4o".into(), l);
        meta["usage_limit"] = json!({"per_model": {"gpt-4o": l}});
    }
    let ids: Vec<serde_json::Value> = member_ids.iter().map(|m| json!(m)).collect();
    UnitRecord {
        unit: UnitInput {
            id: id.into(),
            organization_id: "org".into(),
            parent_id: parent.map(str::to_owned),
            name: name.into(),
            level,
            ..UnitInput::default()
        },
        members: UnitMembers::new(&ids, Some(&meta)),
        limits,
    }
}

fn user(id: &str, email: &str, role: Role, sub: Option<&str>) -> UserRecord {
    UserRecord {
        id: id.into(),
        email: email.into(),
        role,
        oauth_sub: sub.map(str::to_owned),
        limits: PerModel::new(),
    }
}

/// Company → Engineering → Backend Team. Mina is in Backend by e-mail, Joe in Engineering by
/// SSO subject, Ann in no unit but in Sales directly; Root is the admin.
fn scenario() -> DeploymentRules {
    let sales_limits: PerModel = [("gpt-4o".to_owned(), 450_000)].into_iter().collect();
    DeploymentRules::new(DeploymentData {
        users: vec![
            user("root", "root@corp.com", Role::Admin, None),
            user("mina", "mina@corp.com", Role::User, None),
            user("joe", "joe@corp.com", Role::User, Some("microsoft@joe")),
            user("ann", "ann@corp.com", Role::User, None),
        ],
        groups: vec![
            GroupRecord {
                id: "g-eng".into(),
                name: "Engineers".into(),
                user_ids: vec![],
                permissions: PermissionTree::from_json(
                    &json!({"workspace": {"knowledge": "write"}}),
                ),
                org_unit_ids: vec!["ou-eng".into()],
                limits: PerModel::new(),
            },
            GroupRecord {
                id: "g-sales".into(),
                name: "Sales".into(),
                user_ids: vec!["ann".into()],
                permissions: PermissionTree::from_json(&json!({"workspace": {"agents": "read"}})),
                org_unit_ids: vec![],
                limits: sales_limits,
            },
        ],
        units: vec![
            unit("ou-co", None, 0, "Company", &[], &[], None),
            unit(
                "ou-eng",
                Some("ou-co"),
                1,
                "Engineering",
                &["microsoft@joe"],
                &[],
                Some(999_999),
            ),
            unit(
                "ou-be",
                Some("ou-eng"),
                2,
                "Backend Team",
                &[],
                &["Mina@Corp.com"],
                None,
            ),
        ],
        resources: vec![
            ResourceRecord {
                id: "r-dev".into(),
                kind: "models".into(),
                name: "Dev Helper".into(),
                owner_id: "root".into(),
                access: AccessControl::from_json(
                    &json!({"read": {"org_unit_ids": ["ou-eng"]}, "write": {"group_ids": ["g-sales"]}}),
                ),
            },
            ResourceRecord {
                id: "r-pub".into(),
                kind: "models".into(),
                name: "Shared".into(),
                owner_id: "root".into(),
                access: AccessControl::Public,
            },
            ResourceRecord {
                id: "r-kb".into(),
                kind: "knowledge".into(),
                name: "Eng KB".into(),
                owner_id: "ann".into(),
                access: AccessControl::from_json(&json!({"write": {"group_ids": ["g-eng"]}})),
            },
        ],
        stored_defaults: Some(post_defaults()),
        builtin: builtin_defaults(),
        limits: GlobalLimits {
            enabled: true,
            default_daily_tokens: 100_000,
            per_model: PerModel::new(),
            exceed_action: "warn".into(),
        },
        like_case: LikeCase::SqliteAsciiInsensitive,
    })
}

#[test]
fn memberships_follow_units_up_and_links_down() {
    let d = scenario();
    let mina = d.user("mina").expect("mina");
    let m = d.memberships(mina);
    let units: Vec<&str> = m.units.iter().map(|u| &*u.unit.name).collect();
    assert_eq!(units, ["Backend Team", "Engineering", "Company"]);
    assert_eq!(m.groups.len(), 1);
    assert_eq!(&*m.groups[0].name, "Engineers");
    assert!(
        matches!(&m.groups[0].via, Via::OrgUnit { linked, member } if &*linked.name == "Engineering" && &*member.name == "Backend Team")
    );
    let e = d.effective_permissions(mina);
    assert_eq!(
        e.explain("workspace.knowledge").as_deref(),
        Some(
            "workspace.knowledge = write: group Engineers through OU Engineering (member of Backend Team)"
        )
    );
}

#[test]
fn what_one_user_can_use_and_who_can_write() {
    let d = scenario();
    let mina = d.user("mina").expect("mina");
    let mine = d.resources_for(mina);
    let names: Vec<String> = mine
        .iter()
        .map(|a| d.data().resources[a.resource as usize].name.clone())
        .collect();
    assert_eq!(names, ["Dev Helper", "Shared", "Eng KB"]);
    assert_eq!(
        mine[0].read.to_string(),
        "read: OU Engineering, inherited through Backend Team (read list)"
    );
    assert!(mine[0].write.is_none());
    assert_eq!(
        mine[2].write.as_ref().map(ToString::to_string).as_deref(),
        Some(
            "write: group Engineers, which OU Engineering is linked to (member of Backend Team) (write list)"
        )
    );
    // Writers of the Eng KB: the admin, its owner Ann, and Engineers through Engineering (Joe
    // directly in it, Mina below it).
    let kb = 2;
    let writers: Vec<(&str, AccessReason)> = d
        .writers(kb)
        .into_iter()
        .map(|(u, g)| (d.data().users[u as usize].id.as_str(), d.write_reason(&g)))
        .collect();
    let ids: Vec<&str> = writers.iter().map(|(u, _)| *u).collect();
    assert_eq!(ids, ["root", "ann", "joe", "mina"]);
    assert_eq!(writers[0].1, AccessReason::Admin);
    assert_eq!(writers[1].1, AccessReason::Owner);
    let joe = AccessDecision {
        want: Want::Write,
        reason: writers[2].1.clone(),
    };
    assert_eq!(
        joe.to_string(),
        "write: group Engineers, which OU Engineering is linked to (write list)"
    );
}

#[test]
fn limits_use_direct_groups_and_direct_units_only() {
    let d = scenario();
    let (ann, joe, mina, root) = (
        d.user("ann").expect("a"),
        d.user("joe").expect("j"),
        d.user("mina").expect("m"),
        d.user("root").expect("r"),
    );
    assert_eq!(
        d.limit(ann, "gpt-4o").to_string(),
        "limit 450000: group Sales (most permissive of global default 100000, group Sales 450000)"
    );
    assert_eq!(
        d.limit(joe, "gpt-4o").source(),
        "org:Engineering",
        "Joe is in Engineering itself"
    );
    // usage-limits.md §3, last row: Mina's parent unit sets 999999, which is ignored.
    assert_eq!(
        (
            d.limit(mina, "gpt-4o").daily_limit(),
            d.limit(mina, "gpt-4o").source()
        ),
        (100_000, "global:default".to_owned())
    );
    // Linked groups do not count for limits either (Engineers has none here, but Mina is not a
    // direct member of anything).
    let all = d.limits_for_model("gpt-4o");
    for u in [ann, joe, mina, root] {
        assert_eq!(all[u as usize], d.limit(u, "gpt-4o"));
    }
}

#[test]
fn delegation_through_an_ou_linked_group() {
    let mut data = scenario().data().clone();
    data.groups[0].permissions = PermissionTree::from_json(&json!({"admin": {"users": "read"}}));
    let d = DeploymentRules::new(data);
    let mina = d.user("mina").expect("mina");
    let read = d.delegation(mina, AdminCapability::UsersRead);
    assert!(read.allowed, "{}", read.reason);
    assert!(
        read.reason
            .contains("group Engineers through OU Engineering"),
        "{}",
        read.reason
    );
    assert!(!d.delegation(mina, AdminCapability::UsersWrite).allowed);
    assert!(
        !d.delegation(d.user("ann").expect("ann"), AdminCapability::GroupsManage)
            .allowed
    );
}

/// Does this reason really apply to this user and resource?
fn reason_holds(d: &DeploymentRules, u: UserIx, r: ResourceIx, reason: &AccessReason) -> bool {
    let user = &d.data().users[u as usize];
    let res = &d.data().resources[r as usize];
    let write = res.access.write_grants();
    let m = d.memberships(u);
    match reason {
        AccessReason::Admin => user.role.is_admin(),
        AccessReason::Owner => res.owner_id == user.id,
        AccessReason::User(_) => write.is_some_and(|w| w.user_ids.contains(&user.id)),
        AccessReason::Group(g, _) => {
            write.is_some_and(|w| w.group_ids.iter().any(|id| **id == *g.id))
                && m.groups.iter().any(|mg| mg.id == g.id)
        }
        AccessReason::Unit(su, _) => {
            write.is_some_and(|w| w.org_unit_ids.iter().any(|id| **id == *su.unit.id))
                && m.units.iter().any(|mu| mu.unit.id == su.unit.id)
        }
        AccessReason::Public | AccessReason::Denied | AccessReason::NotVerified(_) => false,
    }
}

fn small_spec(seed: u64) -> SyntheticSpec {
    SyntheticSpec {
        users: 300,
        units: 60,
        depth: 4,
        groups: 25,
        resources: 80,
        seed,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10))]

    /// (b) finds exactly the users single decisions allow, and every reason it gives holds.
    #[test]
    fn writers_are_exactly_who_may_write(seed in 1u64..10_000) {
        let d = DeploymentRules::new(generate(small_spec(seed)));
        for r in 0..d.data().resources.len() as ResourceIx {
            let writers = d.writers(r);
            for (u, grant) in &writers {
                prop_assert!(reason_holds(&d, *u, r, &d.write_reason(grant)), "user {} resource {}: {:?}", u, r, grant);
            }
            let found: std::collections::BTreeSet<UserIx> = writers.into_iter().map(|(u, _)| u).collect();
            let allowed: std::collections::BTreeSet<UserIx> = (0..d.data().users.len() as UserIx)
                .filter(|&u| d.access(u, r, Want::Write).allowed())
                .collect();
            prop_assert_eq!(found, allowed, "resource {}", r);
        }
    }

    /// (a) agrees with single decisions, and write implies read.
    #[test]
    fn resources_for_agrees_with_single_decisions(seed in 1u64..10_000) {
        let d = DeploymentRules::new(generate(small_spec(seed)));
        for u in (0..d.data().users.len() as UserIx).step_by(7) {
            let listed: Vec<ResourceIx> = d.resources_for(u).into_iter().map(|a| a.resource).collect();
            for r in 0..d.data().resources.len() as ResourceIx {
                let read = d.access(u, r, Want::Read).allowed();
                let write = d.access(u, r, Want::Write).allowed();
                prop_assert!(!write || read, "write without read: user {} resource {}", u, r);
                prop_assert_eq!(listed.contains(&r), read);
            }
        }
    }

    /// (c) agrees with the one-user path.
    #[test]
    fn limits_for_model_agree_with_single_users(seed in 1u64..10_000) {
        let d = DeploymentRules::new(generate(small_spec(seed)));
        let all = d.limits_for_model(crate::synthetic::LIMITED_MODEL);
        for u in 0..d.data().users.len() as UserIx {
            prop_assert_eq!(&all[u as usize], &d.limit(u, crate::synthetic::LIMITED_MODEL));
        }
    }

    /// A grant on a unit reaches every member of every unit in its subtree, and no one else.
    #[test]
    fn a_unit_grant_reaches_its_subtree_and_nothing_else(seed in 1u64..10_000, pick in 0usize..60) {
        let mut data = generate(small_spec(seed));
        let granted = data.units[pick % data.units.len()].unit.id.clone();
        data.resources = vec![ResourceRecord {
            id: "r".into(), kind: "knowledge".into(), name: "R".into(), owner_id: "nobody".into(),
            access: AccessControl::from_json(&json!({"read": {"org_unit_ids": [granted.clone()]}})),
        }];
        let d = DeploymentRules::new(data);
        let g = d.tree().find(&granted).expect("granted unit");
        for u in 0..d.data().users.len() as UserIx {
            let within = d.access_units(u).iter().any(|&unit| d.tree().is_within(unit, g));
            let role = &d.data().users[u as usize].role;
            prop_assert_eq!(d.access(u, 0, Want::Read).allowed(), role.is_admin() || (within && role.is_verified()));
        }
    }

    /// Any parent links at all — cycles, self-loops, dangling ids — build a finite tree whose
    /// subtree test agrees with its ancestor walk.
    #[test]
    fn any_parent_links_give_a_finite_consistent_tree(parents in proptest::collection::vec(proptest::option::of(0usize..40), 1..40)) {
        let units: Vec<UnitInput> = parents.iter().enumerate().map(|(i, p)| UnitInput {
            id: format!("u{i}"),
            parent_id: p.map(|p| format!("u{p}")),
            ..UnitInput::default()
        }).collect();
        let tree = OuTree::build(units);
        for u in 0..tree.len() as UnitIx {
            let ancestors: Vec<UnitIx> = tree.self_and_ancestors(u).collect();
            prop_assert!(ancestors.len() <= tree.len());
            for r in 0..tree.len() as UnitIx {
                prop_assert_eq!(tree.is_within(u, r), ancestors.contains(&r));
            }
            prop_assert_eq!(tree.subtree(u)[0], u);
        }
    }
}

/// usage-limits.md's text match treats `_` as a wildcard: a user `a_b@…` is counted in a unit
/// that lists `a.b@…` (for limits, on both paths), while access control does not count her.
#[test]
fn an_underscore_email_matches_a_lookalike_for_limits_only() {
    let mut data = scenario().data().clone();
    data.users
        .push(user("ab", "a_b@corp.com", Role::User, None));
    data.units.push(unit(
        "ou-x",
        None,
        0,
        "Lookalikes",
        &[],
        &["a.b@corp.com"],
        Some(7_000_000),
    ));
    let d = DeploymentRules::new(data);
    let ab = d.user("ab").expect("ab");
    assert!(d.access_units(ab).is_empty());
    let single = d.limit(ab, "gpt-4o");
    assert_eq!(single.source(), "org:Lookalikes", "{single}");
    assert_eq!(d.limits_for_model("gpt-4o")[ab as usize], single);
}

#[test]
fn a_census_counts_every_user_once() {
    let d = scenario();
    let census = d.permission_census("workspace.knowledge");
    let total: usize = census.iter().map(|(_, n)| n).sum();
    assert_eq!(total, d.data().users.len());
    // Mina and Joe reach Engineers (write) through Engineering; Root and Ann keep the default.
    assert!(census.contains(&(json!("write"), 2)), "{census:?}");
    assert!(census.contains(&(json!("none"), 2)), "{census:?}");
}
