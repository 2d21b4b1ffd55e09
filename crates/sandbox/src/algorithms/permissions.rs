//! Feature permissions as the server computes them (permissions.md §1–§4): the key catalogue
//! with its built-in and POST defaults, the per-user group merge, the normalised GET and the
//! replacing POST of the default permissions, and the two styles of delegated admin check.

use serde_json::{Map, Value, json};

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `"none" | "access" | "read" | "write"`.
    Level,
    /// A boolean.
    Bool,
}

/// A default value in the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Preset {
    /// A level string.
    L(&'static str),
    /// A boolean.
    B(bool),
    /// Not in this object.
    Absent,
}

/// One row of the catalogue (permissions.md §1).
#[derive(Debug, Clone, Copy)]
pub struct CatalogueKey {
    /// Section: `admin`, `workspace`, `sharing`, `chat`, `features`.
    pub section: &'static str,
    /// Key inside the section.
    pub key: &'static str,
    /// Level or boolean.
    pub kind: KeyKind,
    builtin: Preset,
    post: Preset,
}

impl CatalogueKey {
    /// Whether the default-permissions model (GET and POST) knows the key.
    pub fn in_defaults_model(&self) -> bool {
        self.post != Preset::Absent
    }
}

const fn lvl(
    section: &'static str,
    key: &'static str,
    builtin: Preset,
    post: Preset,
) -> CatalogueKey {
    CatalogueKey {
        section,
        key,
        kind: KeyKind::Level,
        builtin,
        post,
    }
}

const fn flag(
    section: &'static str,
    key: &'static str,
    builtin: Preset,
    post: Preset,
) -> CatalogueKey {
    CatalogueKey {
        section,
        key,
        kind: KeyKind::Bool,
        builtin,
        post,
    }
}

use Preset::{Absent, B, L};

/// Every key, in the server's order, with its built-in (environment) default and the value the
/// POST stores when the key is omitted.
pub const CATALOGUE: &[CatalogueKey] = &[
    lvl("admin", "users", L("none"), L("none")),
    lvl("admin", "evaluations", L("none"), L("none")),
    lvl("admin", "functions", Absent, L("none")),
    lvl("admin", "settings", L("none"), L("none")),
    lvl("admin", "monitoring", L("none"), L("none")),
    lvl("workspace", "agents", L("none"), L("none")),
    lvl("workspace", "knowledge", L("none"), L("none")),
    lvl("workspace", "prompts", L("none"), L("none")),
    lvl("workspace", "tools", L("none"), L("none")),
    lvl("workspace", "databases", L("none"), L("none")),
    lvl("workspace", "glossaries", L("none"), L("none")),
    lvl("workspace", "knowledge_graphs", L("none"), L("none")),
    lvl("workspace", "guardrails", L("none"), L("none")),
    lvl("workspace", "agent_flows", L("none"), L("none")),
    lvl("workspace", "schedules", L("read"), L("none")),
    lvl("workspace", "tags", L("write"), L("none")),
    lvl("workspace", "marketplace", L("none"), L("none")),
    flag("sharing", "public_agents", B(false), B(true)),
    flag("sharing", "public_knowledge", B(false), B(true)),
    flag("sharing", "public_prompts", B(false), B(true)),
    flag("sharing", "public_tools", B(false), B(true)),
    flag("sharing", "public_databases", B(false), Absent),
    flag("sharing", "public_glossaries", B(false), Absent),
    flag("chat", "controls", B(true), B(true)),
    flag("chat", "file_upload", B(true), B(true)),
    flag("chat", "delete", B(true), B(true)),
    flag("chat", "edit", B(true), B(true)),
    flag("chat", "stt", B(true), B(true)),
    flag("chat", "tts", B(true), B(true)),
    flag("chat", "call", B(true), B(true)),
    flag("chat", "multiple_models", B(true), B(true)),
    flag("chat", "temporary", B(true), B(true)),
    flag("chat", "temporary_enforced", B(false), B(false)),
    flag("features", "direct_tool_servers", B(false), B(false)),
    flag("features", "web_search", B(true), B(true)),
    flag("features", "image_generation", B(true), B(true)),
    flag("features", "code_interpreter", Absent, B(true)),
    flag("features", "gmail", B(true), Absent),
    flag("features", "calendar", B(true), Absent),
    flag("features", "drive", B(true), Absent),
    flag("features", "scheduled_tasks", B(true), Absent),
    flag("features", "code_gateway", B(false), Absent),
];

fn to_json(d: Preset) -> Option<Value> {
    match d {
        L(s) => Some(json!(s)),
        B(b) => Some(json!(b)),
        Absent => None,
    }
}

/// The catalogue's shape, each key holding what `value` gives (left out when `None`).
fn object_with(value: impl Fn(&CatalogueKey) -> Option<Value>) -> Value {
    let mut out = Map::new();
    for k in CATALOGUE {
        if let Some(v) = value(k) {
            let section = out
                .entry(k.section)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = section {
                m.insert(k.key.to_owned(), v);
            }
        }
    }
    Value::Object(out)
}

fn object_of(pick: impl Fn(&CatalogueKey) -> Preset) -> Value {
    object_with(|k| to_json(pick(k)))
}

/// The object the server starts from when nothing was saved (no environment overrides).
pub fn builtin() -> Value {
    object_of(|k| k.builtin)
}

/// The rank of a value in level comparisons: levels 0–3, `true` 3, anything else 0.
pub fn rank(value: Option<&Value>) -> u8 {
    match value {
        Some(Value::String(s)) => match s.as_str() {
            "access" => 1,
            "read" => 2,
            "write" => 3,
            _ => 0,
        },
        Some(Value::Bool(true)) => 3,
        _ => 0,
    }
}

/// Python truthiness.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Merges one group's permissions into the running object: objects recursively, two strings to
/// the higher level (the running one on a tie), anything else as Python's `running or group`;
/// keys the running object lacks are added as they are. A boolean meeting a string therefore
/// keeps the string: a group's `true` is lost on a `"none"` default.
fn combine(running: &mut Map<String, Value>, group: &Map<String, Value>) {
    for (key, value) in group {
        match (running.get_mut(key), value) {
            (None, Value::Object(inner)) => {
                let mut fresh = Map::new();
                combine(&mut fresh, inner);
                running.insert(key.clone(), Value::Object(fresh));
            }
            (None, v) => {
                running.insert(key.clone(), v.clone());
            }
            (Some(Value::Object(current)), Value::Object(inner)) => combine(current, inner),
            // The server raises on an object meeting a scalar; keep what was there.
            (Some(_), Value::Object(_)) => {}
            (Some(current), v) => {
                let replace = match (&*current, v) {
                    (Value::String(_), Value::String(_)) => rank(Some(v)) > rank(Some(current)),
                    (c, _) => !truthy(c),
                };
                if replace {
                    *current = v.clone();
                }
            }
        }
    }
}

/// Adds the keys `permissions` lacks from `defaults`, recursively.
fn fill_missing(permissions: &mut Map<String, Value>, defaults: &Map<String, Value>) {
    for (key, value) in defaults {
        match (permissions.get_mut(key), value) {
            (None, v) => {
                permissions.insert(key.clone(), v.clone());
            }
            (Some(Value::Object(current)), Value::Object(inner)) => fill_missing(current, inner),
            _ => {}
        }
    }
}

/// The merged object of a user: `base` (copied), each group's permissions merged in order,
/// missing keys filled from `fills` in turn.
pub fn merged(base: &Value, groups: &[&Value], fills: &[&Value]) -> Value {
    let mut running = base.as_object().cloned().unwrap_or_default();
    for group in groups {
        if let Value::Object(g) = group {
            combine(&mut running, g);
        }
    }
    for fill in fills {
        if let Value::Object(f) = fill {
            fill_missing(&mut running, f);
        }
    }
    Value::Object(running)
}

/// `GET /users/permissions` (and the sign-in's `permissions`): the stored defaults (or the
/// built-in object) with every group of the user merged in, then filled.
pub fn effective(stored: Option<&Value>, groups: &[&Value]) -> Value {
    let builtin = builtin();
    match stored {
        Some(stored) => merged(stored, groups, &[stored, &builtin]),
        None => merged(&builtin, groups, &[&builtin]),
    }
}

/// How a delegated admin endpoint reads `admin.<area>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// The groups merged over the *built-in* defaults, compared to a minimum rank
    /// (users router: read 2 / write 3; configs: read 2).
    AtLeast(&'static str, u8),
    /// Any group holding a string other than `"none"`, or `true` (groups router).
    AnyNonNone(&'static str),
}

/// Whether a non-admin with these groups (direct and OU-linked) passes a delegated gate.
/// Stored default permissions play no part.
pub fn passes(gate: Gate, groups: &[&Value]) -> bool {
    match gate {
        Gate::AtLeast(area, min) => {
            let builtin = builtin();
            let merged = merged(&builtin, groups, &[&builtin]);
            rank(merged.get("admin").and_then(|a| a.get(area))) >= min
        }
        Gate::AnyNonNone(area) => {
            let grants = |v: Option<&Value>| match v {
                Some(Value::String(s)) => s != "none",
                Some(Value::Bool(b)) => *b,
                _ => false,
            };
            groups
                .iter()
                .any(|g| grants(g.get("admin").and_then(|a| a.get(area))))
                || grants(builtin().get("admin").and_then(|a| a.get(area)))
        }
    }
}

/// Is a string one of the four levels?
pub fn is_level(s: &str) -> bool {
    matches!(s, "none" | "access" | "read" | "write")
}

/// `GET /users/default/permissions`: every key of the defaults model, read from the stored
/// object (or, never saved, the built-in one), normalised — booleans in level sections become
/// `write`/`none`, unknown strings `none` — and missing keys filled with the POST defaults.
pub fn defaults_view(stored: Option<&Value>) -> Value {
    let builtin = builtin();
    let source = stored.unwrap_or(&builtin);
    object_of(|k| {
        if !k.in_defaults_model() {
            return Absent;
        }
        let held = source.get(k.section).and_then(|s| s.get(k.key));
        match (k.kind, held) {
            (KeyKind::Level, Some(Value::String(s))) if is_level(s) => match s.as_str() {
                "access" => L("access"),
                "read" => L("read"),
                "write" => L("write"),
                _ => L("none"),
            },
            (KeyKind::Level, Some(Value::Bool(true))) => L("write"),
            (KeyKind::Level, Some(_)) => L("none"),
            (KeyKind::Bool, Some(Value::Bool(b))) => B(*b),
            _ => k.post,
        }
    })
}

/// `POST /users/default/permissions` after validation: exactly the body's keys of the defaults
/// model (others dropped), with the POST defaults for every key left out. `body` has its lax
/// booleans already read as booleans.
pub fn defaults_stored(body: &Value) -> Value {
    object_with(|k| {
        if !k.in_defaults_model() {
            return None;
        }
        body.get(k.section)
            .and_then(|s| s.get(k.key))
            .cloned()
            .or_else(|| to_json(k.post))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_object_matches_the_captured_sign_in() {
        let b = builtin();
        assert_eq!(b["workspace"]["schedules"], "read");
        assert_eq!(b["workspace"]["tags"], "write");
        assert!(b["admin"].get("functions").is_none());
        assert!(b["features"].get("code_interpreter").is_none());
        assert_eq!(b["features"]["gmail"], true);
        assert_eq!(b["sharing"].as_object().map(Map::len), Some(6));
    }

    #[test]
    fn strings_take_the_higher_level_and_a_boolean_on_a_string_is_lost() {
        let g1 = json!({"workspace": {"knowledge": "read", "tools": true}, "chat": {"temporary_enforced": true}});
        let g2 = json!({"workspace": {"knowledge": "access"}, "admin": {"functions": "write"}});
        let e = effective(None, &[&g1, &g2]);
        assert_eq!(e["workspace"]["knowledge"], "read");
        assert_eq!(e["workspace"]["tools"], "none", "the pitfall");
        assert_eq!(e["chat"]["temporary_enforced"], true);
        assert_eq!(e["admin"]["functions"], "write", "added as it is");
    }

    #[test]
    fn defaults_are_a_floor_and_the_post_fills_its_own_defaults() {
        let stored = defaults_stored(
            &json!({"workspace": {"agents": "read"}, "features": {"gmail": false}}),
        );
        assert_eq!(stored["sharing"]["public_agents"], true);
        assert_eq!(stored["workspace"]["tags"], "none");
        assert!(stored["features"].get("gmail").is_none(), "dropped");
        let e = effective(Some(&stored), &[&json!({"workspace": {"agents": "none"}})]);
        assert_eq!(e["workspace"]["agents"], "read");
        assert_eq!(e["features"]["gmail"], true, "from the built-in object");
    }

    #[test]
    fn only_groups_delegate() {
        let read = json!({"admin": {"users": "read"}});
        let access = json!({"admin": {"users": "access"}});
        assert!(passes(Gate::AtLeast("users", 2), &[&read]));
        assert!(!passes(Gate::AtLeast("users", 3), &[&read]));
        assert!(!passes(Gate::AtLeast("users", 2), &[&access]));
        assert!(passes(Gate::AnyNonNone("users"), &[&access]));
        assert!(!passes(Gate::AnyNonNone("users"), &[]));
    }

    #[test]
    fn the_view_normalises_and_fills() {
        let v = defaults_view(Some(
            &json!({"admin": {"users": true, "settings": "bogus"}}),
        ));
        assert_eq!(v["admin"]["users"], "write");
        assert_eq!(v["admin"]["settings"], "none");
        assert_eq!(v["sharing"]["public_tools"], true);
        let never = defaults_view(None);
        assert_eq!(never["workspace"]["schedules"], "read");
        assert_eq!(never["admin"]["functions"], "none");
        assert_eq!(never["features"]["code_interpreter"], true);
        assert!(never["features"].get("gmail").is_none());
    }
}
