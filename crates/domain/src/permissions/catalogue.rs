//! Every permission key the server knows, with its kind and both of its defaults
//! (permissions.md §1): the built-in (env) default a fresh deployment uses, and the default the
//! POST of default permissions stores when a key is left out. They differ, and some keys exist
//! in only one of the two.

use super::{Key, Level, Node, PermValue, PermissionTree, Tree};

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `none` / `access` / `read` / `write` (legacy booleans accepted).
    Level,
    /// On or off.
    Toggle,
}

/// A default value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultValue {
    /// A level.
    Level(Level),
    /// A toggle.
    Bool(bool),
}

impl DefaultValue {
    /// As a permission value.
    pub fn to_value(self) -> PermValue {
        match self {
            DefaultValue::Level(l) => PermValue::Level(l),
            DefaultValue::Bool(b) => PermValue::Bool(b),
        }
    }
}

/// One permission key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    /// Section: `admin`, `workspace`, `sharing`, `chat` or `features`.
    pub section: &'static str,
    /// Key inside the section.
    pub key: &'static str,
    /// Level or toggle.
    pub kind: KeyKind,
    /// The built-in default; `None` when the key is absent from the built-in object (then it is
    /// missing from effective permissions until defaults are saved or a group sets it).
    pub builtin: Option<DefaultValue>,
    /// What the default-permissions POST stores when the key is omitted; `None` when the key is
    /// not part of that model at all (the POST drops it and everyone keeps the built-in value).
    pub post_default: Option<DefaultValue>,
}

impl KeySpec {
    /// `section.key`.
    pub fn path(&self) -> String {
        format!("{}.{}", self.section, self.key)
    }

    /// Whether the built-in value is fixed in the server's code, so no environment variable
    /// can change it: every `admin.*` key and `features.scheduled_tasks` (permissions.md §1).
    pub fn builtin_is_fixed(&self) -> bool {
        self.section == "admin" || (self.section == "features" && self.key == "scheduled_tasks")
    }
}

use DefaultValue::{Bool as B, Level as L};
use KeyKind::{Level as Lv, Toggle as Tg};
use Level::{None as NONE, Read as READ, Write as WRITE};

const fn spec(
    section: &'static str,
    key: &'static str,
    kind: KeyKind,
    builtin: Option<DefaultValue>,
    post_default: Option<DefaultValue>,
) -> KeySpec {
    KeySpec {
        section,
        key,
        kind,
        builtin,
        post_default,
    }
}

/// The sections, in the server's order.
pub const SECTIONS: [&str; 5] = ["admin", "workspace", "sharing", "chat", "features"];

/// Every key, in the server's order within each section (built-in keys first in built-in order;
/// POST-only keys where the POST model puts them).
pub const KEYS: &[KeySpec] = &[
    spec("admin", "users", Lv, Some(L(NONE)), Some(L(NONE))),
    spec("admin", "evaluations", Lv, Some(L(NONE)), Some(L(NONE))),
    spec("admin", "functions", Lv, None, Some(L(NONE))),
    spec("admin", "settings", Lv, Some(L(NONE)), Some(L(NONE))),
    spec("admin", "monitoring", Lv, Some(L(NONE)), Some(L(NONE))),
    spec("workspace", "agents", Lv, Some(L(NONE)), Some(L(NONE))),
    spec("workspace", "knowledge", Lv, Some(L(NONE)), Some(L(NONE))),
    spec("workspace", "prompts", Lv, Some(L(NONE)), Some(L(NONE))),
    spec("workspace", "tools", Lv, Some(L(NONE)), Some(L(NONE))),
    spec("workspace", "databases", Lv, Some(L(NONE)), Some(L(NONE))),
    spec("workspace", "glossaries", Lv, Some(L(NONE)), Some(L(NONE))),
    spec(
        "workspace",
        "knowledge_graphs",
        Lv,
        Some(L(NONE)),
        Some(L(NONE)),
    ),
    spec("workspace", "guardrails", Lv, Some(L(NONE)), Some(L(NONE))),
    spec("workspace", "agent_flows", Lv, Some(L(NONE)), Some(L(NONE))),
    spec("workspace", "schedules", Lv, Some(L(READ)), Some(L(NONE))),
    spec("workspace", "tags", Lv, Some(L(WRITE)), Some(L(NONE))),
    spec("workspace", "marketplace", Lv, Some(L(NONE)), Some(L(NONE))),
    spec(
        "sharing",
        "public_agents",
        Tg,
        Some(B(false)),
        Some(B(true)),
    ),
    spec(
        "sharing",
        "public_knowledge",
        Tg,
        Some(B(false)),
        Some(B(true)),
    ),
    spec(
        "sharing",
        "public_prompts",
        Tg,
        Some(B(false)),
        Some(B(true)),
    ),
    spec("sharing", "public_tools", Tg, Some(B(false)), Some(B(true))),
    spec("sharing", "public_databases", Tg, Some(B(false)), None),
    spec("sharing", "public_glossaries", Tg, Some(B(false)), None),
    spec("chat", "controls", Tg, Some(B(true)), Some(B(true))),
    spec("chat", "file_upload", Tg, Some(B(true)), Some(B(true))),
    spec("chat", "delete", Tg, Some(B(true)), Some(B(true))),
    spec("chat", "edit", Tg, Some(B(true)), Some(B(true))),
    spec("chat", "stt", Tg, Some(B(true)), Some(B(true))),
    spec("chat", "tts", Tg, Some(B(true)), Some(B(true))),
    spec("chat", "call", Tg, Some(B(true)), Some(B(true))),
    spec("chat", "multiple_models", Tg, Some(B(true)), Some(B(true))),
    spec("chat", "temporary", Tg, Some(B(true)), Some(B(true))),
    spec(
        "chat",
        "temporary_enforced",
        Tg,
        Some(B(false)),
        Some(B(false)),
    ),
    spec(
        "features",
        "direct_tool_servers",
        Tg,
        Some(B(false)),
        Some(B(false)),
    ),
    spec("features", "web_search", Tg, Some(B(true)), Some(B(true))),
    spec(
        "features",
        "image_generation",
        Tg,
        Some(B(true)),
        Some(B(true)),
    ),
    spec("features", "code_interpreter", Tg, None, Some(B(true))),
    spec("features", "gmail", Tg, Some(B(true)), None),
    spec("features", "calendar", Tg, Some(B(true)), None),
    spec("features", "drive", Tg, Some(B(true)), None),
    spec("features", "scheduled_tasks", Tg, Some(B(true)), None),
    spec("features", "code_gateway", Tg, Some(B(false)), None),
];

/// The spec of `section.key`, if the server knows the key.
pub fn key_spec(section: &str, key: &str) -> Option<&'static KeySpec> {
    KEYS.iter().find(|k| k.section == section && k.key == key)
}

fn tree_of(pick: impl Fn(&KeySpec) -> Option<DefaultValue>) -> PermissionTree {
    let mut tree = Tree::new();
    for section in SECTIONS {
        let mut inner = Tree::new();
        for k in KEYS.iter().filter(|k| k.section == section) {
            if let Some(v) = pick(k) {
                inner.push(Key::from(k.key), Node::Leaf(v.to_value()));
            }
        }
        tree.push(Key::from(section), Node::Branch(inner));
    }
    tree
}

/// The built-in permission object of a deployment whose `USER_PERMISSIONS_*` variables are at
/// their defaults: what every user gets before defaults are saved or groups exist.
pub fn builtin_defaults() -> PermissionTree {
    tree_of(|k| k.builtin)
}

/// What the default-permissions POST stores for an empty body.
pub fn post_defaults() -> PermissionTree {
    tree_of(|k| k.post_default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The `permissions` of a fresh deployment's sign-in answer (captured 010_auths_signin).
    #[test]
    fn builtin_defaults_are_what_a_fresh_server_reports() {
        let fresh = json!({
            "admin": {"users": "none", "evaluations": "none", "settings": "none", "monitoring": "none"},
            "workspace": {"agents": "none", "knowledge": "none", "prompts": "none", "tools": "none",
                "databases": "none", "glossaries": "none", "knowledge_graphs": "none", "guardrails": "none",
                "agent_flows": "none", "schedules": "read", "tags": "write", "marketplace": "none"},
            "sharing": {"public_agents": false, "public_knowledge": false, "public_prompts": false,
                "public_tools": false, "public_databases": false, "public_glossaries": false},
            "chat": {"controls": true, "file_upload": true, "delete": true, "edit": true, "stt": true,
                "tts": true, "call": true, "multiple_models": true, "temporary": true, "temporary_enforced": false},
            "features": {"direct_tool_servers": false, "web_search": true, "image_generation": true,
                "gmail": true, "calendar": true, "drive": true, "scheduled_tasks": true, "code_gateway": false}
        });
        let ours = builtin_defaults().to_json();
        assert_eq!(ours, fresh);
        assert_eq!(
            serde_json::to_string(&ours).ok(),
            serde_json::to_string(&fresh).ok(),
            "same order"
        );
    }

    #[test]
    fn post_defaults_differ_where_the_contract_says() {
        let post = post_defaults();
        assert_eq!(
            post.leaf("workspace.schedules"),
            Some(&PermValue::Level(Level::None))
        );
        assert_eq!(
            post.leaf("workspace.tags"),
            Some(&PermValue::Level(Level::None))
        );
        assert_eq!(
            post.leaf("sharing.public_agents"),
            Some(&PermValue::Bool(true))
        );
        assert_eq!(
            post.leaf("admin.functions"),
            Some(&PermValue::Level(Level::None))
        );
        assert_eq!(
            post.leaf("features.code_interpreter"),
            Some(&PermValue::Bool(true))
        );
        assert_eq!(post.leaf("features.gmail"), None, "not in the POST model");
        assert_eq!(post.leaves().len(), 35);
        assert_eq!(builtin_defaults().leaves().len(), 40);
        assert_eq!(KEYS.len(), 42);
    }
}
