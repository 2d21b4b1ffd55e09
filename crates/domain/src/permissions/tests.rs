//! Table tests from seed 003 and permissions.md, the server's quirks pinned, and properties of
//! the merge over well-formed data.

use super::*;
use crate::Role;
use proptest::prelude::*;
use serde_json::{Value, json};

fn tree(v: Value) -> PermissionTree {
    PermissionTree::from_json(&v)
}

fn direct<'a>(name: &'a str, permissions: &'a PermissionTree) -> GroupGrant<'a> {
    GroupGrant {
        id: name,
        name,
        via: Via::Direct,
        permissions,
    }
}

fn level(effective: &EffectivePermissions<'_>, path: &str) -> Option<Value> {
    effective.value(path).map(PermValue::to_json)
}

/// Seed 003, "Group Permission Merging": the highest level wins.
#[test]
fn seed_group_merging_table() {
    let builtin = builtin_defaults();
    for (a, b, want) in [
        ("read", "write", "write"),
        ("none", "read", "read"),
        ("access", "write", "write"),
    ] {
        let ga = tree(json!({"workspace": {"agents": a}}));
        let gb = tree(json!({"workspace": {"agents": b}}));
        for order in [[&ga, &gb], [&gb, &ga]] {
            let grants = [direct("A", order[0]), direct("B", order[1])];
            let e = effective_permissions(Base::BuiltIn, &builtin, &grants);
            assert_eq!(
                level(&e, "workspace.agents"),
                Some(json!(want)),
                "{a} + {b}"
            );
        }
    }
}

/// Defaults are a floor for everyone: a group cannot lower them (permissions.md §3).
#[test]
fn defaults_are_a_floor() {
    let builtin = builtin_defaults();
    let stored = tree(json!({"workspace": {"knowledge": "read"}}));
    let group = tree(json!({"workspace": {"knowledge": "none"}}));
    let e = effective_permissions(Base::Stored(&stored), &builtin, &[direct("Locked", &group)]);
    assert_eq!(level(&e, "workspace.knowledge"), Some(json!("read")));
    assert_eq!(
        e.explain("workspace.knowledge").as_deref(),
        Some("workspace.knowledge = read: default permissions")
    );
}

/// The verified pitfall: a group's boolean `true` is lost over the default string `"none"`.
#[test]
fn quirk_boolean_grant_lost_over_a_level_string() {
    let builtin = builtin_defaults();
    let group = tree(json!({"workspace": {"knowledge": true}}));
    let e = effective_permissions(Base::BuiltIn, &builtin, &[direct("Legacy", &group)]);
    assert_eq!(level(&e, "workspace.knowledge"), Some(json!("none")));
    assert!(
        matches!(&e.quirks[..], [Quirk::GrantLost { path, group: 0, .. }] if path == "workspace.knowledge")
    );
    let why = e.explain("workspace.knowledge").expect("explained");
    assert!(
        why.starts_with("workspace.knowledge = none: built-in default;"),
        "{why}"
    );
    assert!(why.contains("group Legacy's true was ignored"), "{why}");
}

/// For a key absent from the defaults, mixed types make the result depend on group order.
#[test]
fn quirk_mixed_types_are_order_dependent() {
    let builtin = builtin_defaults();
    let flag = tree(json!({"admin": {"functions": true}}));
    let read = tree(json!({"admin": {"functions": "read"}}));
    let first = effective_permissions(
        Base::BuiltIn,
        &builtin,
        &[direct("Flag", &flag), direct("Read", &read)],
    );
    let second = effective_permissions(
        Base::BuiltIn,
        &builtin,
        &[direct("Read", &read), direct("Flag", &flag)],
    );
    assert_eq!(level(&first, "admin.functions"), Some(json!(true)));
    assert_eq!(level(&second, "admin.functions"), Some(json!("read")));
    assert_eq!(
        first.value("admin.functions").map(PermValue::as_level),
        Some(Level::Write)
    );
    assert_eq!(
        second.value("admin.functions").map(PermValue::as_level),
        Some(Level::Read)
    );
    // A false then a level string: `False or "read"` is "read".
    let off = tree(json!({"admin": {"functions": false}}));
    let e = effective_permissions(
        Base::BuiltIn,
        &builtin,
        &[direct("Off", &off), direct("Read", &read)],
    );
    assert_eq!(level(&e, "admin.functions"), Some(json!("read")));
}

/// Toggles merge with OR; keys a group adds appear as they are; missing keys come from the
/// built-in object after the stored defaults.
#[test]
fn toggles_or_new_keys_and_fill_order() {
    let builtin = builtin_defaults();
    let stored = post_defaults();
    let group =
        tree(json!({"chat": {"temporary_enforced": true}, "features": {"extra_thing": "write"}}));
    let e = effective_permissions(Base::Stored(&stored), &builtin, &[direct("Strict", &group)]);
    assert_eq!(level(&e, "chat.temporary_enforced"), Some(json!(true)));
    assert_eq!(
        level(&e, "features.extra_thing"),
        Some(json!("write")),
        "added as it is"
    );
    assert_eq!(
        level(&e, "features.gmail"),
        Some(json!(true)),
        "filled from the built-in object"
    );
    assert_eq!(
        e.tree.leaf("features.gmail").map(|d| d.source),
        Some(Source::BuiltIn)
    );
    assert_eq!(
        level(&e, "sharing.public_agents"),
        Some(json!(true)),
        "the POST default that was stored"
    );
    assert_eq!(
        e.tree.leaf("sharing.public_agents").map(|d| d.source),
        Some(Source::StoredDefaults)
    );
    // Before any save, admin.functions and features.code_interpreter are absent.
    let fresh = effective_permissions(Base::BuiltIn, &builtin, &[]);
    assert_eq!(fresh.value("admin.functions"), None);
    assert_eq!(fresh.value("features.code_interpreter"), None);
    assert_eq!(fresh.to_json(), builtin.to_json());
}

/// Stored defaults never hold keys outside the POST model (`features.scheduled_tasks`, …):
/// a group's `false` for one of them takes it before the built-in `true` is filled in, so
/// adding that group lowers the user's permission.
#[test]
fn quirk_a_group_can_lower_a_key_the_defaults_do_not_store() {
    let builtin = builtin_defaults();
    let stored = post_defaults();
    let off = tree(json!({"features": {"scheduled_tasks": false}}));
    let without = effective_permissions(Base::Stored(&stored), &builtin, &[]);
    let with = effective_permissions(
        Base::Stored(&stored),
        &builtin,
        &[direct("No schedules", &off)],
    );
    assert_eq!(
        level(&without, "features.scheduled_tasks"),
        Some(json!(true))
    );
    assert_eq!(level(&with, "features.scheduled_tasks"), Some(json!(false)));
    assert!(
        matches!(&with.quirks[..], [Quirk::BelowBuiltIn { path, .. }] if path == "features.scheduled_tasks")
    );
    let why = with.explain("features.scheduled_tasks").expect("explained");
    assert!(why.contains("replaced the built-in true"), "{why}");
    // A key the defaults do store cannot be lowered that way.
    let chat_off = tree(json!({"chat": {"delete": false}}));
    let e = effective_permissions(Base::Stored(&stored), &builtin, &[direct("x", &chat_off)]);
    assert_eq!(level(&e, "chat.delete"), Some(json!(true)));
}

#[test]
fn groups_with_null_permissions_contribute_nothing() {
    let builtin = builtin_defaults();
    let none = PermissionTree::from_json(&Value::Null);
    let e = effective_permissions(Base::BuiltIn, &builtin, &[direct("Empty", &none)]);
    assert_eq!(e.to_json(), builtin.to_json());
    assert!(e.quirks.is_empty());
}

#[test]
fn explanations_name_the_group_and_the_unit_it_came_through() {
    let builtin = builtin_defaults();
    let data = tree(json!({"workspace": {"knowledge": "write"}}));
    let sales = tree(json!({"workspace": {"agents": "read"}}));
    let grants = [
        direct("Data Team", &data),
        GroupGrant {
            id: "g-sales",
            name: "Sales",
            via: Via::OrgUnit {
                linked: UnitRef {
                    id: "ou-eng".into(),
                    name: "Engineering".into(),
                },
                member: UnitRef {
                    id: "ou-be".into(),
                    name: "Backend Team".into(),
                },
            },
            permissions: &sales,
        },
    ];
    let e = effective_permissions(Base::BuiltIn, &builtin, &grants);
    assert_eq!(
        e.explain("workspace.knowledge").as_deref(),
        Some("workspace.knowledge = write: group Data Team")
    );
    assert_eq!(
        e.explain("workspace.agents").as_deref(),
        Some(
            "workspace.agents = read: group Sales through OU Engineering (member of Backend Team)"
        )
    );
    assert_eq!(
        e.explain("workspace.tags").as_deref(),
        Some("workspace.tags = write: built-in default")
    );
    assert_eq!(e.explain_all().len(), builtin.leaves().len());
}

/// permissions.md §4: stored defaults never delegate; `access` is enough for group
/// management but not for the users router.
#[test]
fn delegation_styles() {
    let builtin = builtin_defaults();
    let user = Role::User;
    let none: [GroupGrant<'_>; 0] = [];
    assert!(!delegated(AdminCapability::UsersRead, &user, &builtin, &none).allowed);
    assert!(delegated(AdminCapability::UsersWrite, &Role::Admin, &builtin, &none).allowed);

    let access = tree(json!({"admin": {"users": "access"}}));
    let g = [direct("Helpdesk", &access)];
    assert!(delegated(AdminCapability::GroupsManage, &user, &builtin, &g).allowed);
    let read = delegated(AdminCapability::UsersRead, &user, &builtin, &g);
    assert!(!read.allowed, "{}", read.reason);

    let legacy = tree(json!({"admin": {"users": true}}));
    let g = [direct("Old", &legacy)];
    assert!(delegated(AdminCapability::GroupsManage, &user, &builtin, &g).allowed);
    // Merged over the built-in "none", a boolean true is lost for the min-level style.
    assert!(!delegated(AdminCapability::UsersRead, &user, &builtin, &g).allowed);

    let write = tree(json!({"admin": {"users": "write", "monitoring": "read"}}));
    let g = [direct("Ops", &write)];
    let d = delegated(AdminCapability::UsersWrite, &user, &builtin, &g);
    assert!(d.allowed);
    assert!(d.reason.contains("group Ops"), "{}", d.reason);
    assert!(delegated(AdminCapability::MonitoringRead, &user, &builtin, &g).allowed);
    assert!(!delegated(AdminCapability::SettingsRead, &user, &builtin, &g).allowed);
    // The server's verified-user check comes first: a pending user's groups do not count.
    let pending = delegated(AdminCapability::UsersWrite, &Role::Pending, &builtin, &g);
    assert!(!pending.allowed, "{}", pending.reason);
}

/// permissions.md §2.3: the GET view and the POST body of default permissions.
#[test]
fn default_permissions_get_and_post() {
    let builtin = builtin_defaults();
    let never_saved = default_permissions_view(None, &builtin).to_json();
    assert_eq!(never_saved["admin"]["functions"], "none");
    assert_eq!(never_saved["features"]["code_interpreter"], true);
    assert_eq!(
        never_saved["sharing"]["public_agents"], false,
        "the built-in value, shown"
    );
    assert!(
        never_saved["features"].get("gmail").is_none(),
        "not in the model"
    );
    assert_eq!(never_saved["workspace"]["tags"], "write");

    let stored = tree(
        json!({"workspace": {"agents": true, "prompts": "superuser"}, "chat": {"delete": "yes"}}),
    );
    let view = default_permissions_view(Some(&stored), &builtin).to_json();
    assert_eq!(view["workspace"]["agents"], "write");
    assert_eq!(view["workspace"]["prompts"], "none");
    assert_eq!(view["workspace"]["tags"], "none", "missing → POST default");
    assert_eq!(view["chat"]["delete"], true);

    // Posting only one key: everything else becomes a POST default, and that is said.
    let (body, notes) =
        default_permissions_post(&tree(json!({"workspace": {"agents": "read"}})), &builtin);
    assert_eq!(body["workspace"]["agents"], "read");
    assert_eq!(body["sharing"]["public_agents"], true);
    assert_eq!(body["workspace"]["schedules"], "none");
    assert!(
        notes.iter().any(
            |n| matches!(n, DefaultsNote::Filled { path, .. } if path == "workspace.schedules")
        )
    );

    // Keys outside the model are dropped; booleans in level sections are converted.
    let wanted = tree(
        json!({"features": {"gmail": false}, "admin": {"users": true}, "workspace": {"tags": "maybe"}}),
    );
    let (body, notes) = default_permissions_post(&wanted, &builtin);
    assert!(body["features"].get("gmail").is_none());
    assert_eq!(body["admin"]["users"], "write");
    assert_eq!(body["workspace"]["tags"], "none");
    let texts: Vec<String> = notes.iter().map(ToString::to_string).collect();
    assert!(texts.iter().any(|t| t == "features.gmail = false cannot be stored as a default: the server drops it and everyone keeps true"), "{texts:?}");
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("admin.users is a level")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("workspace.tags = \"maybe\" is not")),
        "{texts:?}"
    );
}

// ---- properties over well-formed data: level strings for level keys, booleans for toggles ----

fn well_formed_group() -> impl Strategy<Value = PermissionTree> {
    let keys: Vec<&'static KeySpec> = KEYS.iter().collect();
    proptest::collection::vec(proptest::option::of(0u8..4), keys.len()).prop_map(move |choices| {
        let mut root = serde_json::Map::new();
        for (spec, choice) in keys.iter().zip(choices) {
            let Some(c) = choice else { continue };
            let value = match spec.kind {
                KeyKind::Level => json!(Level::ALL[usize::from(c)].as_str()),
                KeyKind::Toggle => json!(c % 2 == 1),
            };
            let section = root.entry(spec.section).or_insert_with(|| json!({}));
            if let Value::Object(m) = section {
                m.insert(spec.key.to_owned(), value);
            }
        }
        PermissionTree::from_json(&Value::Object(root))
    })
}

/// A complete base (every catalogue key): the missing-key quirks are pinned by table tests,
/// the properties hold for what a saved default-permissions object plus the built-in fill gives.
fn complete_base() -> impl Strategy<Value = PermissionTree> {
    well_formed_group().prop_map(|partial| {
        let mut full = partial.clone();
        for spec in KEYS {
            if full.leaf(&spec.path()).is_none() {
                let value = spec
                    .builtin
                    .or(spec.post_default)
                    .map(|d| d.to_value())
                    .unwrap_or(PermValue::Bool(false));
                let section = match full.get_mut(spec.section) {
                    Some(Node::Branch(t)) => t,
                    _ => {
                        full.push(Key::from(spec.section), Node::Branch(Tree::new()));
                        match full.get_mut(spec.section) {
                            Some(Node::Branch(t)) => t,
                            _ => unreachable!("just pushed a branch"),
                        }
                    }
                };
                section.push(Key::from(spec.key), Node::Leaf(value));
            }
        }
        full
    })
}

fn merged(base: &PermissionTree, groups: &[PermissionTree]) -> Value {
    let builtin = builtin_defaults();
    let grants: Vec<GroupGrant<'_>> = groups.iter().map(|g| direct("g", g)).collect();
    effective_permissions(Base::Stored(base), &builtin, &grants).to_json()
}

/// The values of every leaf, order-insensitive (key order follows first appearance).
fn values(v: &Value) -> std::collections::BTreeMap<String, Value> {
    PermissionTree::from_json(v)
        .leaves()
        .into_iter()
        .map(|(p, v)| (p, v.to_json()))
        .collect()
}

proptest! {
    #[test]
    fn merge_is_commutative(base in complete_base(), a in well_formed_group(), b in well_formed_group()) {
        prop_assert_eq!(values(&merged(&base, &[a.clone(), b.clone()])), values(&merged(&base, &[b, a])));
    }

    #[test]
    fn merge_is_associative(a in well_formed_group(), b in well_formed_group(), c in well_formed_group()) {
        // (a ∪ b) ∪ c == a ∪ (b ∪ c), where x ∪ y is the server's merge of y into x.
        let left = combine(&combine(&a, &b), &c);
        let right = combine(&a, &combine(&b, &c));
        prop_assert_eq!(values(&left.to_json()), values(&right.to_json()));
    }

    #[test]
    fn merge_is_idempotent(base in complete_base(), a in well_formed_group()) {
        prop_assert_eq!(merged(&base, &[a.clone(), a.clone()]), merged(&base, &[a]));
    }

    #[test]
    fn adding_a_group_never_lowers_a_permission(base in complete_base(), groups in proptest::collection::vec(well_formed_group(), 0..4), extra in well_formed_group()) {
        let before = values(&merged(&base, &groups));
        let mut more = groups.clone();
        more.push(extra);
        let after = values(&merged(&base, &more));
        for (path, old) in before {
            let new = after.get(&path).cloned().unwrap_or(Value::Null);
            let rank = |v: &Value| PermValue::from_json(v).rank();
            prop_assert!(rank(&new) >= rank(&old), "{} went from {} to {}", path, old, new);
            if old == json!(true) { prop_assert_eq!(new, json!(true)); }
        }
    }

    #[test]
    fn every_value_is_the_value_of_the_source_it_names(base in well_formed_group(), groups in proptest::collection::vec(well_formed_group(), 0..5)) {
        let builtin = builtin_defaults();
        let grants: Vec<GroupGrant<'_>> = groups.iter().map(|g| direct("g", g)).collect();
        let e = effective_permissions(Base::Stored(&base), &builtin, &grants);
        for (path, decided) in e.tree.leaves() {
            let from = match decided.source {
                Source::StoredDefaults => base.leaf(&path),
                Source::BuiltIn => builtin.leaf(&path),
                Source::Group(i) => groups[i].leaf(&path),
            };
            prop_assert_eq!(from, Some(&decided.value), "{}", path);
            let text = e.explain(&path).expect("explained");
            let expected_prefix = format!("{path} = {}: ", decided.value);
            prop_assert!(text.starts_with(&expected_prefix), "{}", text);
        }
    }
}
