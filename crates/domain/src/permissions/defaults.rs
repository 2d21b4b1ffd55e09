//! The default-permissions endpoints' own rules (permissions.md §2.3): what `GET` shows, and
//! what a `POST` really stores — a full replacement in which omitted keys take the POST
//! defaults and keys outside its model are dropped.

use super::catalogue::{KEYS, KeyKind, KeySpec, SECTIONS};
use super::{Key, Level, Node, PermValue, PermissionTree, Tree};
use serde_json::Value;
use std::fmt;

/// What `GET /api/v1/users/default/permissions` answers for the stored object (`None` when
/// defaults were never saved: then the built-in object is shown through the same filter).
///
/// Exactly the POST model's keys; stored booleans in level sections become `write`/`none`,
/// unknown level strings `none`, and missing keys the POST defaults — so it can show values
/// users do not actually get (`admin.functions`, `features.code_interpreter` before any save).
/// A toggle stored as something other than a boolean is shown as its POST default.
pub fn default_permissions_view(
    stored: Option<&PermissionTree>,
    builtin: &PermissionTree,
) -> PermissionTree {
    let source = stored.unwrap_or(builtin);
    model_tree(|spec, default| {
        let stored = source.leaf(&spec.path());
        match (spec.kind, stored) {
            (KeyKind::Level, Some(PermValue::Bool(b))) => {
                PermValue::Level(if *b { Level::Write } else { Level::None })
            }
            (KeyKind::Level, Some(PermValue::Level(l))) => PermValue::Level(*l),
            (KeyKind::Level, Some(PermValue::Text(_))) => PermValue::Level(Level::None),
            (KeyKind::Toggle, Some(PermValue::Bool(b))) => PermValue::Bool(*b),
            _ => default.to_value(),
        }
    })
}

/// Builds a tree of the POST model's keys, each valued by `value(spec, post_default)`.
fn model_tree(
    mut value: impl FnMut(&KeySpec, super::catalogue::DefaultValue) -> PermValue,
) -> PermissionTree {
    let mut tree = Tree::new();
    for section in SECTIONS {
        let mut inner = Tree::new();
        for spec in KEYS.iter().filter(|k| k.section == section) {
            if let Some(default) = spec.post_default {
                inner.push(Key::from(spec.key), Node::Leaf(value(spec, default)));
            }
        }
        tree.push(Key::from(section), Node::Branch(inner));
    }
    tree
}

/// Something a default-permissions POST would do that its author may not expect.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultsNote {
    /// The key is not part of the POST model: the server drops it and everyone keeps the
    /// built-in value.
    Dropped {
        /// Dotted key.
        path: String,
        /// The value that was asked for.
        wanted: PermValue,
        /// What users keep (the built-in default), if the key has one.
        stays: Option<PermValue>,
    },
    /// A boolean in a level section: the server answers 422, so it is sent as `write`/`none`.
    BooleanConverted {
        /// Dotted key.
        path: String,
        /// The level sent.
        sent: Level,
    },
    /// Not a level: refused; the key is sent as its POST default.
    NotALevel {
        /// Dotted key.
        path: String,
        /// What was given.
        given: PermValue,
    },
    /// Not a boolean for a toggle: the key is sent as its POST default.
    NotAToggle {
        /// Dotted key.
        path: String,
        /// What was given.
        given: PermValue,
    },
    /// Left out: the server stores the POST default, which may differ from today's value.
    Filled {
        /// Dotted key.
        path: String,
        /// What will be stored.
        stored: PermValue,
    },
}

impl fmt::Display for DefaultsNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DefaultsNote::Dropped {
                path,
                wanted,
                stays,
            } => match stays {
                Some(v) => write!(
                    f,
                    "{path} = {wanted} cannot be stored as a default: the server drops it and everyone keeps {v}"
                ),
                None => write!(
                    f,
                    "{path} = {wanted} cannot be stored as a default: the server drops it"
                ),
            },
            DefaultsNote::BooleanConverted { path, sent } => {
                write!(
                    f,
                    "{path} is a level: the boolean is sent as {sent} (the server refuses booleans here)"
                )
            }
            DefaultsNote::NotALevel { path, given } => {
                write!(
                    f,
                    "{path} = {given} is not none/access/read/write: its POST default is sent instead"
                )
            }
            DefaultsNote::NotAToggle { path, given } => {
                write!(
                    f,
                    "{path} = {given} is not on/off: its POST default is sent instead"
                )
            }
            DefaultsNote::Filled { path, stored } => {
                write!(f, "{path} was left out: the server will store {stored}")
            }
        }
    }
}

/// The exact body to POST for `wanted`, and every way the result will differ from it.
pub fn default_permissions_post(
    wanted: &PermissionTree,
    builtin: &PermissionTree,
) -> (Value, Vec<DefaultsNote>) {
    let mut notes = Vec::new();
    let body = model_tree(|spec, default| {
        let path = spec.path();
        match (spec.kind, wanted.leaf(&path)) {
            (KeyKind::Level, Some(PermValue::Level(l))) => PermValue::Level(*l),
            (KeyKind::Level, Some(PermValue::Bool(b))) => {
                let sent = if *b { Level::Write } else { Level::None };
                notes.push(DefaultsNote::BooleanConverted { path, sent });
                PermValue::Level(sent)
            }
            (KeyKind::Toggle, Some(PermValue::Bool(b))) => PermValue::Bool(*b),
            (KeyKind::Level, Some(other)) => {
                notes.push(DefaultsNote::NotALevel {
                    path,
                    given: other.clone(),
                });
                default.to_value()
            }
            (KeyKind::Toggle, Some(other)) => {
                notes.push(DefaultsNote::NotAToggle {
                    path,
                    given: other.clone(),
                });
                default.to_value()
            }
            (_, None) => {
                notes.push(DefaultsNote::Filled {
                    path,
                    stored: default.to_value(),
                });
                default.to_value()
            }
        }
    });
    for (path, value) in wanted.leaves() {
        let in_model = path
            .split_once('.')
            .and_then(|(section, key)| super::catalogue::key_spec(section, key))
            .is_some_and(|spec| spec.post_default.is_some());
        if !in_model {
            notes.push(DefaultsNote::Dropped {
                stays: builtin.leaf(&path).cloned(),
                path,
                wanted: value.clone(),
            });
        }
    }
    (body.to_json(), notes)
}
