//! Permission objects as ordered trees: sections (objects) and leaves, in the order the server
//! keeps them (Python dicts keep insertion order, and the answers show it).

use super::PermValue;
use serde_json::{Map, Value};
use std::sync::Arc;

/// A key of a permission object.
pub type Key = Arc<str>;

/// A node: a nested object or a leaf.
#[derive(Debug, Clone, PartialEq)]
pub enum Node<L> {
    /// A nested object.
    Branch(Tree<L>),
    /// A value.
    Leaf(L),
}

/// An insertion-ordered object whose leaves carry `L`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree<L> {
    entries: Vec<(Key, Node<L>)>,
}

impl<L> Default for Tree<L> {
    fn default() -> Self {
        Tree {
            entries: Vec::new(),
        }
    }
}

/// A permission object as stored (defaults or a group's `permissions`).
pub type PermissionTree = Tree<PermValue>;

impl<L> Tree<L> {
    /// An empty object.
    pub fn new() -> Self {
        Tree {
            entries: Vec::new(),
        }
    }

    /// The entries in order.
    pub fn entries(&self) -> &[(Key, Node<L>)] {
        &self.entries
    }

    /// True when the object has no key (Python: falsy).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The node at `key`.
    pub fn get(&self, key: &str) -> Option<&Node<L>> {
        self.entries
            .iter()
            .find(|(k, _)| &**k == key)
            .map(|(_, n)| n)
    }

    /// The node at `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node<L>> {
        self.entries
            .iter_mut()
            .find(|(k, _)| &**k == key)
            .map(|(_, n)| n)
    }

    /// Appends a key (the caller checks it is new), as a Python dict does.
    pub fn push(&mut self, key: Key, node: Node<L>) {
        self.entries.push((key, node));
    }

    /// Sets a key: replaces its node in place or appends it.
    pub fn set(&mut self, key: Key, node: Node<L>) {
        match self.get_mut(&key) {
            Some(existing) => *existing = node,
            None => self.entries.push((key, node)),
        }
    }

    /// The leaf at a dotted path such as `workspace.knowledge`.
    pub fn leaf(&self, path: &str) -> Option<&L> {
        let mut parts = path.split('.').peekable();
        let mut tree = self;
        while let Some(part) = parts.next() {
            match (tree.get(part)?, parts.peek()) {
                (Node::Leaf(l), None) => return Some(l),
                (Node::Branch(t), Some(_)) => tree = t,
                _ => return None,
            }
        }
        None
    }

    /// Every leaf with its dotted path, depth first in order.
    pub fn leaves(&self) -> Vec<(String, &L)> {
        let mut out = Vec::new();
        self.collect_leaves("", &mut out);
        out
    }

    fn collect_leaves<'a>(&'a self, prefix: &str, out: &mut Vec<(String, &'a L)>) {
        for (k, node) in &self.entries {
            let path = if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            };
            match node {
                Node::Leaf(l) => out.push((path, l)),
                Node::Branch(t) => t.collect_leaves(&path, out),
            }
        }
    }

    /// The same shape with every leaf mapped.
    pub fn map<M>(&self, f: &mut impl FnMut(&L) -> M) -> Tree<M> {
        Tree {
            entries: self
                .entries
                .iter()
                .map(|(k, node)| {
                    let mapped = match node {
                        Node::Leaf(l) => Node::Leaf(f(l)),
                        Node::Branch(t) => Node::Branch(t.map(f)),
                    };
                    (k.clone(), mapped)
                })
                .collect(),
        }
    }
}

impl PermissionTree {
    /// Reads a permission object. `null` or a non-object (a group with `permissions: null`)
    /// is an empty tree: it grants nothing.
    pub fn from_json(value: &Value) -> PermissionTree {
        match value {
            Value::Object(map) => Self::from_map(map),
            _ => Tree::new(),
        }
    }

    fn from_map(map: &Map<String, Value>) -> PermissionTree {
        Tree {
            entries: map
                .iter()
                .map(|(k, v)| {
                    let node = match v {
                        Value::Object(inner) => Node::Branch(Self::from_map(inner)),
                        leaf => Node::Leaf(PermValue::from_json(leaf)),
                    };
                    (Key::from(k.as_str()), node)
                })
                .collect(),
        }
    }
}

impl<L> Tree<L> {
    /// Writes the tree as JSON with each leaf rendered by `leaf`.
    pub fn to_json_with(&self, leaf: &impl Fn(&L) -> Value) -> Value {
        let mut map = Map::new();
        for (k, node) in &self.entries {
            let v = match node {
                Node::Leaf(l) => leaf(l),
                Node::Branch(t) => t.to_json_with(leaf),
            };
            map.insert(k.to_string(), v);
        }
        Value::Object(map)
    }
}

impl PermissionTree {
    /// Back to JSON, keys in order.
    pub fn to_json(&self) -> Value {
        self.to_json_with(&PermValue::to_json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permissions::Level;
    use serde_json::json;

    #[test]
    fn json_round_trips_in_order() {
        let v = json!({"workspace": {"tags": "write", "agents": "none"}, "chat": {"delete": true}, "odd": 3});
        let t = PermissionTree::from_json(&v);
        assert_eq!(t.to_json(), v);
        assert_eq!(
            serde_json::to_string(&t.to_json()).ok(),
            serde_json::to_string(&v).ok()
        );
        assert_eq!(
            t.leaf("workspace.tags"),
            Some(&PermValue::Level(Level::Write))
        );
        assert_eq!(t.leaf("workspace"), None, "a branch is not a leaf");
        assert_eq!(t.leaf("workspace.tags.x"), None);
        let paths: Vec<String> = t.leaves().into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            ["workspace.tags", "workspace.agents", "chat.delete", "odd"]
        );
    }

    #[test]
    fn null_permissions_grant_nothing() {
        assert!(PermissionTree::from_json(&json!(null)).is_empty());
        assert!(PermissionTree::from_json(&json!("write")).is_empty());
    }
}
