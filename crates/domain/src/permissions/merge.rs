//! Effective feature permissions, merged exactly as the server merges them (permissions.md §3).
//!
//! 1. start from the stored default permissions (or the built-in object if never saved);
//! 2. merge every group of the user, in order: nested objects recursively; two strings → the
//!    higher level (unknown strings rank 0, a tie keeps the earlier); anything else → Python's
//!    `existing or new`; a key not yet present → added as it is;
//! 3. fill still-missing keys from the stored defaults, then from the built-in object.
//!
//! Step 2's `or` is where the server's quirks come from: the default `"none"` is a non-empty
//! string, so a group's boolean `true` for that key is lost; and for a key missing from the
//! defaults, a `true` followed by `"read"` keeps `true` while `"read"` followed by `true`
//! keeps `"read"` (the result depends on group order). Both are reproduced, and recorded as
//! [`Quirk`]s so the console can say why a grant did not take.
//!
//! The contract documents the string/string and boolean/boolean cases and the string-then-true
//! loss; the mixed cases beyond those are inferred from Python's `or` and are marked as such.
//!
//! Seed 001 says default permissions are "for users not in any group"; the server applies them
//! to everyone, as a floor no group can lower (except through the missing-key quirk above).
//!
//! Every effective leaf carries the [`Source`] that set it, so a value and its explanation are
//! one datum and cannot disagree.

use super::{Key, Node, PermValue, PermissionTree, Tree};
use std::fmt;

/// An organizational unit as explanations name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnitRef {
    /// Unit id.
    pub id: std::sync::Arc<str>,
    /// `display_name or name`, as the server shows it.
    pub name: std::sync::Arc<str>,
}

/// How a user reaches a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// Listed in the group's `user_ids`.
    Direct,
    /// The group is linked (`meta.org_unit_ids`) to `linked`, and the user is a direct member of
    /// `member`, which is that unit or one of its descendants.
    OrgUnit {
        /// The unit named in the group's `meta.org_unit_ids`.
        linked: UnitRef,
        /// The unit the user is a direct member of.
        member: UnitRef,
    },
}

/// A group whose permissions apply to the user.
#[derive(Debug, Clone)]
pub struct GroupGrant<'a> {
    /// Group id.
    pub id: &'a str,
    /// Group name (not unique on the server).
    pub name: &'a str,
    /// How the user belongs to it.
    pub via: Via,
    /// Its `permissions` object (empty when `null`).
    pub permissions: &'a PermissionTree,
}

/// Where an effective value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The stored default permissions.
    StoredDefaults,
    /// The deployment's built-in object.
    BuiltIn,
    /// The grant at this index of the list given to [`effective_permissions`].
    Group(usize),
}

/// An effective value and what set it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    /// The value the server reports.
    pub value: PermValue,
    /// What set it.
    pub source: Source,
}

/// A group value that did not count the way its author probably meant.
#[derive(Debug, Clone, PartialEq)]
pub enum Quirk {
    /// A group's value would rank higher, but the merge kept the existing value because the two
    /// are not both strings (e.g. the default `"none"` kept over a group's `true`).
    GrantLost {
        /// Dotted key.
        path: String,
        /// The grant index.
        group: usize,
        /// What the group stored.
        offered: PermValue,
        /// What was kept.
        kept: PermValue,
    },
    /// The default permissions do not store this key, so a group's lower value took it before
    /// the built-in value could be filled in: adding the group lowered the user's permission.
    BelowBuiltIn {
        /// Dotted key.
        path: String,
        /// The grant index.
        group: usize,
        /// The built-in value the user would have had without the group.
        builtin: PermValue,
    },
    /// A group stores an object where the running value is a plain value (or the reverse); the
    /// server fails on the first and keeps the object on the second. The console keeps the
    /// existing value in both cases.
    ShapeConflict {
        /// Dotted key.
        path: String,
        /// The grant index.
        group: usize,
    },
}

/// Whether the merge starts from stored defaults or from the built-in object.
#[derive(Debug, Clone, Copy)]
pub enum Base<'a> {
    /// Defaults saved on the deployment (what `GET /users/permissions` starts from).
    Stored(&'a PermissionTree),
    /// The built-in object (never saved; also the base of admin-delegation checks).
    BuiltIn,
}

/// A user's effective permissions with the source of every value.
#[derive(Debug, Clone)]
pub struct EffectivePermissions<'a> {
    /// The object, each leaf with its source.
    pub tree: Tree<Decided>,
    /// Group values that were lost or skipped.
    pub quirks: Vec<Quirk>,
    grants: Vec<GroupGrant<'a>>,
}

/// Merges `grants` over the base, as the server does.
pub fn effective_permissions<'a>(
    base: Base<'_>,
    builtin: &PermissionTree,
    grants: &[GroupGrant<'a>],
) -> EffectivePermissions<'a> {
    let (start, start_source) = match base {
        Base::Stored(stored) => (stored, Source::StoredDefaults),
        Base::BuiltIn => (builtin, Source::BuiltIn),
    };
    let mut tree = decide(start, start_source);
    let mut quirks = Vec::new();
    let mut path = Vec::new();
    for (index, grant) in grants.iter().enumerate() {
        merge_group(
            &mut tree,
            grant.permissions,
            Source::Group(index),
            &mut path,
            &mut quirks,
        );
    }
    if let Base::Stored(stored) = base {
        fill_missing(&mut tree, stored, Source::StoredDefaults);
    }
    fill_missing(&mut tree, builtin, Source::BuiltIn);
    note_values_below_builtin(&tree, builtin, &mut quirks);
    EffectivePermissions {
        tree,
        quirks,
        grants: grants.to_vec(),
    }
}

fn decide(tree: &PermissionTree, source: Source) -> Tree<Decided> {
    tree.map(&mut |v: &PermValue| Decided {
        value: v.clone(),
        source,
    })
}

fn joined(path: &[Key], key: &str) -> String {
    let mut parts: Vec<&str> = path.iter().map(|k| &**k).collect();
    parts.push(key);
    parts.join(".")
}

fn merge_group(
    running: &mut Tree<Decided>,
    group: &PermissionTree,
    source: Source,
    path: &mut Vec<Key>,
    quirks: &mut Vec<Quirk>,
) {
    let Source::Group(index) = source else { return };
    for (key, offered) in group.entries() {
        match (running.get_mut(key), offered) {
            (None, node) => running.push(key.clone(), decide_node(node, source)),
            (Some(Node::Branch(inner)), Node::Branch(group_inner)) => {
                path.push(key.clone());
                merge_group(inner, group_inner, source, path, quirks);
                path.pop();
            }
            (Some(Node::Branch(inner)), Node::Leaf(value)) => {
                // `{…} or value`: a non-empty object is truthy and stays.
                if inner.is_empty() {
                    running.set(
                        key.clone(),
                        Node::Leaf(Decided {
                            value: value.clone(),
                            source,
                        }),
                    );
                } else {
                    quirks.push(Quirk::ShapeConflict {
                        path: joined(path, key),
                        group: index,
                    });
                }
            }
            (Some(Node::Leaf(_)), Node::Branch(_)) => {
                quirks.push(Quirk::ShapeConflict {
                    path: joined(path, key),
                    group: index,
                });
            }
            (Some(Node::Leaf(existing)), Node::Leaf(value)) => {
                // Merging into a value nobody knows leaves it unknown.
                let take = if existing.value == PermValue::Unknown {
                    false
                } else if existing.value.is_string() && value.is_string() {
                    value.rank() > existing.value.rank()
                } else if existing.value.truthy() {
                    if value.rank() > existing.value.rank() {
                        quirks.push(Quirk::GrantLost {
                            path: joined(path, key),
                            group: index,
                            offered: value.clone(),
                            kept: existing.value.clone(),
                        });
                    }
                    false
                } else {
                    // `falsy or value` is `value`; an identical value keeps its first source.
                    *value != existing.value
                };
                if take {
                    *existing = Decided {
                        value: value.clone(),
                        source,
                    };
                }
            }
        }
    }
}

/// Keys a group set because the base lacked them, where the built-in value would rank higher.
/// Walks both trees together and builds a path only for a key it reports.
fn note_values_below_builtin(
    tree: &Tree<Decided>,
    builtin: &PermissionTree,
    quirks: &mut Vec<Quirk>,
) {
    fn walk<'t>(
        tree: &'t Tree<Decided>,
        builtin: &PermissionTree,
        path: &mut Vec<&'t str>,
        quirks: &mut Vec<Quirk>,
    ) {
        for (key, node) in tree.entries() {
            match (node, builtin.get(key)) {
                (Node::Branch(inner), Some(Node::Branch(b))) => {
                    path.push(key);
                    walk(inner, b, path, quirks);
                    path.pop();
                }
                (Node::Leaf(d), Some(Node::Leaf(b))) => {
                    if let Source::Group(group) = d.source
                        && b.rank() > d.value.rank()
                        && !d.value.is_string()
                    {
                        let mut parts = path.clone();
                        parts.push(key);
                        quirks.push(Quirk::BelowBuiltIn {
                            path: parts.join("."),
                            group,
                            builtin: b.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
    }
    walk(tree, builtin, &mut Vec::new(), quirks);
}

/// The server's merge of `group` into `running`, without defaults or filling: what a user in
/// both would get from these two alone.
pub fn combine(running: &PermissionTree, group: &PermissionTree) -> PermissionTree {
    let mut tree = decide(running, Source::Group(0));
    merge_group(
        &mut tree,
        group,
        Source::Group(1),
        &mut Vec::new(),
        &mut Vec::new(),
    );
    tree.map(&mut |d: &Decided| d.value.clone())
}

fn decide_node(node: &Node<PermValue>, source: Source) -> Node<Decided> {
    match node {
        Node::Leaf(v) => Node::Leaf(Decided {
            value: v.clone(),
            source,
        }),
        Node::Branch(t) => Node::Branch(decide(t, source)),
    }
}

fn fill_missing(running: &mut Tree<Decided>, filler: &PermissionTree, source: Source) {
    for (key, node) in filler.entries() {
        match (running.get_mut(key), node) {
            (None, node) => running.push(key.clone(), decide_node(node, source)),
            (Some(Node::Branch(inner)), Node::Branch(filler_inner)) => {
                fill_missing(inner, filler_inner, source)
            }
            _ => {}
        }
    }
}

impl EffectivePermissions<'_> {
    /// The object the server returns (`GET /users/permissions`, sign-in `permissions`).
    pub fn to_json(&self) -> serde_json::Value {
        self.tree.to_json_with(&|d: &Decided| d.value.to_json())
    }

    /// The effective value at a dotted path.
    pub fn value(&self, path: &str) -> Option<&PermValue> {
        self.tree.leaf(path).map(|d| &d.value)
    }

    /// The groups given, in order (what [`Source::Group`] indexes).
    pub fn grants(&self) -> &[GroupGrant<'_>] {
        &self.grants
    }

    /// Why `path` has its value, e.g. `workspace.knowledge = write: group Data Team`.
    pub fn explain(&self, path: &str) -> Option<String> {
        let decided = self.tree.leaf(path)?;
        let mut text = format!(
            "{path} = {}: {}",
            decided.value,
            self.describe_source(decided.source)
        );
        for quirk in &self.quirks {
            match quirk {
                Quirk::GrantLost { path: p, group, offered, kept } if p == path => text.push_str(&format!(
                    "; {}'s {offered} was ignored because the server keeps {kept} over a value of another type",
                    self.describe_group(*group)
                )),
                Quirk::BelowBuiltIn { path: p, builtin, .. } if p == path => text.push_str(&format!(
                    "; the default permissions do not store this key, so the group's value replaced the built-in {builtin}"
                )),
                Quirk::ShapeConflict { path: p, group } if p == path => text.push_str(&format!(
                    "; {} stores an object here and was skipped",
                    self.describe_group(*group)
                )),
                _ => {}
            }
        }
        Some(text)
    }

    /// Keys whose value the console cannot know.
    pub fn unknown_paths(&self) -> Vec<String> {
        self.tree
            .leaves()
            .into_iter()
            .filter(|(_, d)| d.value == PermValue::Unknown)
            .map(|(p, _)| p)
            .collect()
    }

    /// Every key with its explanation, in order.
    pub fn explain_all(&self) -> Vec<(String, String)> {
        self.tree
            .leaves()
            .into_iter()
            .filter_map(|(path, _)| self.explain(&path).map(|text| (path, text)))
            .collect()
    }

    fn describe_source(&self, source: Source) -> String {
        match source {
            Source::StoredDefaults => "default permissions".to_owned(),
            Source::BuiltIn => "built-in default".to_owned(),
            Source::Group(i) => self.describe_group(i),
        }
    }

    fn describe_group(&self, index: usize) -> String {
        match self.grants.get(index) {
            Some(g) => GrantLabel(g).to_string(),
            None => format!("group #{index}"),
        }
    }
}

/// "group Sales" or "group Sales through OU Engineering (member of Backend)".
pub struct GrantLabel<'g, 'a>(pub &'g GroupGrant<'a>);

impl fmt::Display for GrantLabel<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "group {}", self.0.name)?;
        if let Via::OrgUnit { linked, member } = &self.0.via {
            if linked.id == member.id {
                write!(f, " through OU {}", linked.name)?;
            } else {
                write!(f, " through OU {} (member of {})", linked.name, member.name)?;
            }
        }
        Ok(())
    }
}
