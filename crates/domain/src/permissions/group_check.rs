//! Checks a group's permission object before it is sent. The server stores group permissions
//! without any validation (groups.md §2), so this is the only place mistakes are caught.

use super::catalogue::{KeyKind, key_spec};
use super::{Level, Node, PermValue, PermissionTree};
use std::fmt;

/// What the check changed or noticed.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupNote {
    /// A boolean in a level key: sent as `write`/`none`, because the server's merge would lose a
    /// boolean `true` over the default `"none"`.
    BooleanConverted {
        /// Dotted key.
        path: String,
        /// What is sent.
        level: Level,
    },
    /// A key the server does not know: sent as given, it grants nothing.
    UnknownKey {
        /// Dotted key.
        path: String,
    },
    /// `admin.users` at any level but none opens all group management — and from there full user
    /// administration (groups.md §4).
    GrantsUserAdministration {
        /// The level given.
        level: String,
    },
}

impl fmt::Display for GroupNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupNote::BooleanConverted { path, level } => write!(
                f,
                "{path}: a boolean is sent as {level} (the server would lose a boolean true over the default \"none\")"
            ),
            GroupNote::UnknownKey { path } => write!(
                f,
                "{path} is not a permission the server knows: it grants nothing"
            ),
            GroupNote::GrantsUserAdministration { level } => write!(
                f,
                "admin.users = {level}: members can manage every group, and so give themselves admin.users = write — full user administration"
            ),
        }
    }
}

/// A value the server would store but no rule can use.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupPermissionError {
    /// Dotted key.
    pub path: String,
    /// What was given.
    pub given: PermValue,
    /// What the key takes.
    pub expected: &'static str,
}

impl fmt::Display for GroupPermissionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} is not {}", self.path, self.given, self.expected)
    }
}

impl std::error::Error for GroupPermissionError {}

/// Checks and normalises a group permission object: the object to send and the notes, or every
/// value that cannot be used.
pub fn check_group_permissions(
    wanted: &PermissionTree,
) -> Result<(PermissionTree, Vec<GroupNote>), Vec<GroupPermissionError>> {
    let mut notes = Vec::new();
    let mut errors = Vec::new();
    let mut out = PermissionTree::new();
    for (section, node) in wanted.entries() {
        let Node::Branch(keys) = node else {
            notes.push(GroupNote::UnknownKey {
                path: section.to_string(),
            });
            out.push(section.clone(), node.clone());
            continue;
        };
        let mut inner = PermissionTree::new();
        for (key, value) in keys.entries() {
            let path = format!("{section}.{key}");
            let (Some(spec), Node::Leaf(v)) = (key_spec(section, key), value) else {
                notes.push(GroupNote::UnknownKey { path });
                inner.push(key.clone(), value.clone());
                continue;
            };
            let sent = match (spec.kind, v) {
                (KeyKind::Level, PermValue::Level(_)) | (KeyKind::Toggle, PermValue::Bool(_)) => {
                    v.clone()
                }
                (KeyKind::Level, PermValue::Bool(b)) => {
                    let level = if *b { Level::Write } else { Level::None };
                    notes.push(GroupNote::BooleanConverted {
                        path: path.clone(),
                        level,
                    });
                    PermValue::Level(level)
                }
                (KeyKind::Level, other) => {
                    errors.push(GroupPermissionError {
                        path,
                        given: other.clone(),
                        expected: "none, access, read or write",
                    });
                    continue;
                }
                (KeyKind::Toggle, other) => {
                    errors.push(GroupPermissionError {
                        path,
                        given: other.clone(),
                        expected: "true or false",
                    });
                    continue;
                }
            };
            if path == "admin.users" && sent.grants_any() {
                notes.push(GroupNote::GrantsUserAdministration {
                    level: sent.to_string(),
                });
            }
            inner.push(key.clone(), Node::Leaf(sent));
        }
        out.push(section.clone(), Node::Branch(inner));
    }
    if errors.is_empty() {
        Ok((out, notes))
    } else {
        Err(errors)
    }
}

/// Does this stored group permission object hand out user administration?
pub fn grants_user_administration(permissions: &PermissionTree) -> bool {
    permissions
        .leaf("admin.users")
        .is_some_and(PermValue::grants_any)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn levels_and_toggles_pass_booleans_convert_and_warnings_are_raised() {
        let wanted = PermissionTree::from_json(&json!({
            "workspace": {"knowledge": "write", "agents": true},
            "chat": {"delete": false},
            "admin": {"users": "access"},
            "features": {"time_travel": true}
        }));
        let (sent, notes) = check_group_permissions(&wanted).expect("valid");
        assert_eq!(
            sent.leaf("workspace.agents"),
            Some(&PermValue::Level(Level::Write))
        );
        assert_eq!(sent.leaf("chat.delete"), Some(&PermValue::Bool(false)));
        let texts: Vec<String> = notes.iter().map(ToString::to_string).collect();
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("workspace.agents: a boolean is sent as write")),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("admin.users = access: members can manage every group")),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("features.time_travel is not a permission")),
            "{texts:?}"
        );
        assert!(grants_user_administration(&sent));
    }

    #[test]
    fn values_no_rule_can_use_are_refused_with_their_path() {
        let wanted = PermissionTree::from_json(
            &json!({"workspace": {"tools": "admin"}, "chat": {"edit": "yes"}}),
        );
        let errors = check_group_permissions(&wanted).expect_err("invalid");
        let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "workspace.tools: \"admin\" is not none, access, read or write",
                "chat.edit: \"yes\" is not true or false"
            ]
        );
    }

    #[test]
    fn none_does_not_grant_user_administration() {
        let p = PermissionTree::from_json(&json!({"admin": {"users": "none"}}));
        assert!(!grants_user_administration(&p));
        assert!(check_group_permissions(&p).expect("valid").1.is_empty());
    }
}
