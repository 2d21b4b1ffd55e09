//! An organization import file (org-import-format.md): read once, every problem found in one
//! pass with its JSONPath, and the units kept in the server's processing order (pre-order).
//!
//! The units are taken apart without copying their contents; [`ImportFile::payload`] puts the
//! body back together, nested as it came, for the push.

use super::digest::{digest_value, object_digest};
use super::import_plan::{People, UnmatchedMember};
use crate::credentials::check_email_format;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The file cannot be imported safely.
    Error,
    /// The file can be imported, but probably not as meant.
    Warning,
}

/// One problem, positioned by a JSONPath such as `$.units[2].children[0].id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FileProblem {
    /// Error or warning.
    pub severity: Severity,
    /// Where: a JSONPath, with `line L, column C` for a file that is not JSON.
    pub path: String,
    /// What is wrong and, where useful, what to do.
    pub message: String,
}

/// One unit of the file, in pre-order. Its own keys are kept as written, without `children`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileUnit {
    /// JSONPath of the unit in the file.
    pub path: String,
    /// The unit's own keys, `children` removed.
    pub fields: Map<String, Value>,
    /// Index (in [`ImportFile::units`]) of the unit it is nested in.
    pub parent: Option<u32>,
    /// Nesting depth: the `level` the server will store.
    pub level: i64,
    /// Digest of `meta` when it is an object, taken while checking (cleared when the console
    /// changes `meta`).
    #[serde(skip)]
    pub meta_digest: Option<u64>,
}

impl FileUnit {
    /// The input id (`id`), when it is a non-empty string.
    pub fn input_id(&self) -> Option<&str> {
        self.fields
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The external key: `external_id` when non-empty, else `id`.
    pub fn key(&self) -> Option<&str> {
        self.fields
            .get("external_id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .or_else(|| self.input_id())
    }

    /// A field as the server reads it: absent, null, or a value.
    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }

    /// A string field that is present and not null.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }
}

/// A file that parsed as an import body (it may still have problems).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportFile {
    /// The `organization` object as written.
    pub organization: Map<String, Value>,
    /// Every unit, pre-order (parents before children), as the server processes them.
    pub units: Vec<FileUnit>,
    /// Other top-level keys are ignored by the server; kept for the record.
    #[serde(default)]
    pub ignored_keys: Vec<String>,
    /// Members that match no user, when the file was checked against the deployment's people.
    #[serde(skip)]
    pub unmatched: Option<Vec<UnmatchedMember>>,
}

impl ImportFile {
    /// The organization's `tenant_id`, when it is a non-empty string.
    pub fn tenant_id(&self) -> Option<&str> {
        self.organization
            .get("tenant_id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The body to push, nested as the file nested it.
    pub fn payload(&self) -> Value {
        let (roots, children) = self.nesting();
        fn build(i: u32, units: &[FileUnit], children: &[Vec<u32>]) -> Value {
            let unit = &units[i as usize];
            let mut map = unit.fields.clone();
            let kids = &children[i as usize];
            if !kids.is_empty() {
                map.insert(
                    "children".into(),
                    Value::Array(kids.iter().map(|&k| build(k, units, children)).collect()),
                );
            }
            Value::Object(map)
        }
        let units: Vec<Value> = roots
            .iter()
            .map(|&r| build(r, &self.units, &children))
            .collect();
        let mut body = Map::new();
        body.insert(
            "organization".into(),
            Value::Object(self.organization.clone()),
        );
        body.insert("units".into(), Value::Array(units));
        Value::Object(body)
    }

    /// [`ImportFile::payload`] written straight out as JSON text (the same text), without
    /// copying the file into a tree first: the push body of a large organization is tens of
    /// megabytes.
    pub fn payload_json(&self) -> String {
        let (roots, children) = self.nesting();
        let body = PayloadOut {
            organization: &self.organization,
            units: NestedUnits {
                indexes: &roots,
                units: &self.units,
                children: &children,
            },
        };
        // Maps with string keys and JSON values always serialize.
        serde_json::to_string(&body).unwrap_or_default()
    }

    /// The top-level units' indexes, and each unit's children's indexes, in file order.
    fn nesting(&self) -> (Vec<u32>, Vec<Vec<u32>>) {
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); self.units.len()];
        let mut roots = Vec::new();
        for (i, u) in self.units.iter().enumerate() {
            match u.parent {
                Some(p) => children[p as usize].push(i as u32),
                None => roots.push(i as u32),
            }
        }
        (roots, children)
    }
}

/// The push body as [`ImportFile::payload_json`] writes it.
#[derive(Serialize)]
struct PayloadOut<'a> {
    organization: &'a Map<String, Value>,
    units: NestedUnits<'a>,
}

/// Units by index, each written as its own fields followed by its `children` when it has any
/// (a unit's fields never hold `children`: reading the file takes them out).
struct NestedUnits<'a> {
    indexes: &'a [u32],
    units: &'a [FileUnit],
    children: &'a [Vec<u32>],
}

/// One unit of [`NestedUnits`].
struct UnitOut<'a> {
    fields: &'a Map<String, Value>,
    children: NestedUnits<'a>,
}

impl Serialize for NestedUnits<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut list = serializer.serialize_seq(Some(self.indexes.len()))?;
        for &i in self.indexes {
            list.serialize_element(&UnitOut {
                fields: &self.units[i as usize].fields,
                children: NestedUnits {
                    indexes: &self.children[i as usize],
                    units: self.units,
                    children: self.children,
                },
            })?;
        }
        list.end()
    }
}

impl Serialize for UnitOut<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let nested = !self.children.indexes.is_empty();
        let mut map = serializer.serialize_map(Some(self.fields.len() + usize::from(nested)))?;
        for (k, v) in self.fields {
            map.serialize_entry(k, v)?;
        }
        if nested {
            map.serialize_entry("children", &self.children)?;
        }
        map.end()
    }
}

/// What reading a file gives: the file (unless it is unusable) and every problem found.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    /// The parsed file; `None` when it is not JSON or not shaped like an import at all.
    pub file: Option<ImportFile>,
    /// Every problem, in file order.
    pub problems: Vec<FileProblem>,
}

impl Validated {
    /// Errors only.
    pub fn errors(&self) -> impl Iterator<Item = &FileProblem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    /// True when nothing stops an import.
    pub fn is_valid(&self) -> bool {
        self.file.is_some() && self.errors().next().is_none()
    }
}

struct Checker<'p> {
    people: Option<&'p People>,
    unmatched: Vec<UnmatchedMember>,
    problems: Vec<FileProblem>,
    first_id: HashMap<String, String>,
    first_key: HashMap<String, String>,
}

impl<'p> Checker<'p> {
    fn new(people: Option<&'p People>) -> Self {
        Checker {
            people,
            unmatched: Vec::new(),
            problems: Vec::new(),
            first_id: HashMap::new(),
            first_key: HashMap::new(),
        }
    }

    fn unmatched(&mut self, key: &str, member: &str, reason: &str) {
        self.unmatched.push(UnmatchedMember {
            key: key.to_owned(),
            member: member.to_owned(),
            reason: reason.to_owned(),
        });
    }

    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(FileProblem {
            severity: Severity::Error,
            path: path.into(),
            message: message.into(),
        });
    }

    fn warn(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(FileProblem {
            severity: Severity::Warning,
            path: path.into(),
            message: message.into(),
        });
    }
}

/// The JSON type name used in messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads and checks an import file. Never fails: a file that is not JSON is one problem with its
/// line and column.
pub fn validate_import(bytes: &[u8]) -> Validated {
    validate_import_with(bytes, None)
}

/// [`validate_import`], also matching every member against the deployment's people in the same
/// pass (the plan then reuses the result).
pub fn validate_import_with(bytes: &[u8], people: Option<&People>) -> Validated {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut checker = Checker::new(people);
    let document: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) => {
            checker.error(
                format!("line {}, column {}", e.line(), e.column()),
                format!("not JSON: {}", strip_position(&e.to_string())),
            );
            return Validated {
                file: None,
                problems: checker.problems,
            };
        }
    };
    check_document(document, checker)
}

/// [`validate_import`] for a document already parsed (a stored plan's push body): the same
/// checks, without writing it out and reading it again.
pub fn validate_import_value(document: Value) -> Validated {
    check_document(document, Checker::new(None))
}

fn check_document(document: Value, mut checker: Checker) -> Validated {
    let people = checker.people;
    let Value::Object(mut top) = document else {
        checker.error(
            "$",
            format!(
                "the file must be a JSON object with `organization` and `units`, not {}",
                kind(&document)
            ),
        );
        return Validated {
            file: None,
            problems: checker.problems,
        };
    };
    let organization = match top.remove("organization") {
        Some(Value::Object(o)) => Some(o),
        None => {
            checker.error(
                "$.organization",
                "missing: the import needs an `organization` object with a `tenant_id`",
            );
            None
        }
        Some(other) => {
            checker.error(
                "$.organization",
                format!("must be an object, not {}", kind(&other)),
            );
            None
        }
    };
    if let Some(org) = &organization {
        check_organization(org, &mut checker);
    }
    let mut units = Vec::new();
    match top.remove("units") {
        None => checker.warn(
            "$.units",
            "no `units`: only the organization record will be written",
        ),
        Some(Value::Array(list)) => {
            for (i, unit) in list.into_iter().enumerate() {
                take_unit(
                    unit,
                    format!("$.units[{i}]"),
                    None,
                    0,
                    &mut units,
                    &mut checker,
                );
            }
        }
        Some(other) => checker.error(
            "$.units",
            format!("must be an array of units, not {}", kind(&other)),
        ),
    }
    let ignored_keys: Vec<String> = top.keys().cloned().collect();
    for key in &ignored_keys {
        checker.warn(
            format!("$.{key}"),
            "not part of the import format: the server ignores it",
        );
    }
    let unmatched = people.map(|_| std::mem::take(&mut checker.unmatched));
    Validated {
        file: organization.map(|organization| ImportFile {
            organization,
            units,
            ignored_keys,
            unmatched,
        }),
        problems: checker.problems,
    }
}

/// serde_json appends " at line L column C"; the position is reported separately.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map(|i| &message[..i])
        .unwrap_or(message)
}

fn check_organization(org: &Map<String, Value>, c: &mut Checker) {
    match org.get("tenant_id") {
        None => c.error(
            "$.organization.tenant_id",
            "missing: without it the server silently does nothing",
        ),
        Some(Value::String(s)) if s.trim().is_empty() => c.error(
            "$.organization.tenant_id",
            "empty: without it the server silently does nothing",
        ),
        Some(Value::String(_)) => {}
        Some(other) => c.error(
            "$.organization.tenant_id",
            format!("must be a string, not {}", kind(other)),
        ),
    }
    match org.get("name") {
        None => c.warn(
            "$.organization.name",
            "missing: the organization will be named after its tenant_id",
        ),
        Some(Value::Null) => c.error(
            "$.organization.name",
            "null: the server fails to create an organization without a name",
        ),
        Some(Value::String(_)) => {}
        Some(other) => c.error(
            "$.organization.name",
            format!("must be a string, not {}", kind(other)),
        ),
    }
    for key in ["display_name", "domain"] {
        if let Some(v) = org.get(key).filter(|v| !v.is_null() && !v.is_string()) {
            c.error(
                format!("$.organization.{key}"),
                format!("must be a string or null, not {}", kind(v)),
            );
        }
    }
    if let Some(v) = org.get("meta").filter(|v| !v.is_null() && !v.is_object()) {
        c.error(
            "$.organization.meta",
            format!("must be an object or null, not {}", kind(v)),
        );
    }
}

/// Takes one unit (and, recursively, its children) apart, checking it on the way.
fn take_unit(
    unit: Value,
    path: String,
    parent: Option<u32>,
    level: i64,
    out: &mut Vec<FileUnit>,
    c: &mut Checker,
) {
    let Value::Object(mut fields) = unit else {
        c.error(
            path,
            format!("a unit must be an object, not {}", kind(&unit)),
        );
        return;
    };
    let children = fields.remove("children");
    let meta_digest = check_unit(&fields, &path, c);
    let me = out.len() as u32;
    let child_path = format!("{path}.children");
    out.push(FileUnit {
        path,
        fields,
        parent,
        level,
        meta_digest,
    });
    match children {
        None => {}
        Some(Value::Array(list)) => {
            for (i, child) in list.into_iter().enumerate() {
                take_unit(
                    child,
                    format!("{child_path}[{i}]"),
                    Some(me),
                    level + 1,
                    out,
                    c,
                );
            }
        }
        Some(other) => c.error(
            child_path,
            format!(
                "must be an array of units, not {}: the server stops the import here",
                kind(&other)
            ),
        ),
    }
}

/// Checks one unit's own keys; returns the digest of its `meta` when that is an object.
fn check_unit(fields: &Map<String, Value>, path: &str, c: &mut Checker<'_>) -> Option<u64> {
    let id = match fields.get("id") {
        None | Some(Value::Null) => {
            c.error(
                format!("{path}.id"),
                "missing: the server would give this unit a new random key on every import",
            );
            None
        }
        Some(Value::String(s)) if s.is_empty() => {
            c.error(
                format!("{path}.id"),
                "empty: the server would give this unit a new random key on every import",
            );
            None
        }
        Some(Value::String(s)) => Some(s.as_str()),
        Some(other) => {
            c.error(
                format!("{path}.id"),
                format!("must be a string, not {}", kind(other)),
            );
            None
        }
    };
    let mut duplicate_id = false;
    if let Some(id) = id {
        if let Some(first) = c.first_id.get(id) {
            duplicate_id = true;
            let message = format!(
                "duplicate id {id:?} (first at {first}): children would attach to the wrong parent"
            );
            c.error(format!("{path}.id"), message);
        } else {
            c.first_id.insert(id.to_owned(), path.to_owned());
        }
    }
    let external = match fields.get("external_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(other) => {
            c.error(
                format!("{path}.external_id"),
                format!("must be a string, not {}", kind(other)),
            );
            None
        }
    };
    let key = external.or(if duplicate_id { None } else { id });
    if let Some(key) = key {
        if let Some(first) = c.first_key.get(key) {
            let field = if external.is_some() {
                "external_id"
            } else {
                "id"
            };
            let message = format!(
                "duplicate external key {key:?} (first at {first}): the server would update one unit twice or create orphans"
            );
            c.error(format!("{path}.{field}"), message);
        } else {
            c.first_key.insert(key.to_owned(), path.to_owned());
        }
    }
    let unit_key = external.or(id).unwrap_or_default();
    match fields.get("name") {
        None => c.warn(
            format!("{path}.name"),
            "missing: the unit will be called \"Unnamed\"",
        ),
        Some(Value::Null) => c.error(
            format!("{path}.name"),
            "null: the server fails on a new unit without a name, half-way through the import",
        ),
        Some(Value::String(_)) => {}
        Some(other) => c.error(
            format!("{path}.name"),
            format!("must be a string, not {}", kind(other)),
        ),
    }
    for key in ["display_name", "description", "type"] {
        if let Some(v) = fields.get(key).filter(|v| !v.is_null() && !v.is_string()) {
            c.error(
                format!("{path}.{key}"),
                format!("must be a string or null, not {}", kind(v)),
            );
        }
    }
    if fields
        .get("type")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        c.warn(
            format!("{path}.type"),
            "no type: a later import can never delete this unit",
        );
    }
    match fields.get("member_ids") {
        None => {}
        Some(Value::Null) => c.error(
            format!("{path}.member_ids"),
            "null: the server fails on a new unit with null members; use [] for none",
        ),
        Some(Value::Array(ids)) => {
            for (i, v) in ids.iter().enumerate() {
                match (v, c.people) {
                    (Value::String(id), Some(people)) if !people.has_sub(id) => {
                        let reason = if people.has_email(id) {
                            "an e-mail in member_ids does not count for access control: put it in meta.members"
                        } else {
                            "no user has this oauth_sub"
                        };
                        c.unmatched(unit_key, id, reason);
                    }
                    (Value::String(_), _) => {}
                    _ => c.error(
                        format!("{path}.member_ids[{i}]"),
                        format!("must be a string, not {}", kind(v)),
                    ),
                }
            }
        }
        Some(other) => c.error(
            format!("{path}.member_ids"),
            format!("must be an array of strings, not {}", kind(other)),
        ),
    }
    match fields.get("meta") {
        None | Some(Value::Null) => None,
        Some(Value::Object(meta)) => {
            let members = check_members(meta, path, unit_key, c);
            let entries = meta.iter().map(|(k, v)| match (k.as_str(), members) {
                ("members", Some(d)) => (k.as_str(), d),
                _ => (k.as_str(), digest_value(v)),
            });
            Some(object_digest(entries, meta.len()))
        }
        Some(other) => {
            c.error(
                format!("{path}.meta"),
                format!("must be an object or null, not {}", kind(other)),
            );
            None
        }
    }
}

/// Checks `meta.members` (and matches each e-mail when people are known); returns the digest
/// of the members array, taken in the same pass while each member is at hand.
fn check_members(
    meta: &Map<String, Value>,
    path: &str,
    unit_key: &str,
    c: &mut Checker<'_>,
) -> Option<u64> {
    let members = match meta.get("members") {
        None => return None,
        Some(Value::Array(m)) => m,
        Some(other) => {
            c.error(
                format!("{path}.meta.members"),
                format!("must be an array of members, not {}", kind(other)),
            );
            return None;
        }
    };
    let mut digest = super::digest::list_start(members.len());
    for (i, member) in members.iter().enumerate() {
        digest = super::digest::list_add(digest, digest_value(member));
        // Paths are only built for problems: a file has hundreds of thousands of members.
        let here = || format!("{path}.meta.members[{i}]");
        let Value::Object(m) = member else {
            c.error(
                here(),
                format!("a member must be an object, not {}", kind(member)),
            );
            continue;
        };
        match m.get("email") {
            None | Some(Value::Null) => c.warn(
                format!("{}.email", here()),
                "no e-mail: this member cannot be matched to a user",
            ),
            Some(Value::String(email)) => {
                if check_email_format(email).is_err() {
                    c.error(
                        format!("{}.email", here()),
                        format!("{email:?} is not an e-mail address"),
                    );
                } else {
                    if email.chars().any(|ch| ch.is_uppercase()) {
                        c.warn(
                            format!("{}.email", here()),
                            "has upper-case letters: OU usage limits match e-mails case-sensitively; write it in lower case",
                        );
                    }
                    if c.people.is_some_and(|p| !p.has_email(email)) {
                        c.unmatched(unit_key, email, "no user has this e-mail");
                    }
                }
            }
            Some(other) => c.error(
                format!("{}.email", here()),
                format!("must be a string, not {}", kind(other)),
            ),
        }
    }
    Some(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<(Severity, String, String)> {
        validate_import(text.as_bytes())
            .problems
            .into_iter()
            .map(|p| (p.severity, p.path, p.message))
            .collect()
    }

    fn error_paths(text: &str) -> Vec<String> {
        problems(text)
            .into_iter()
            .filter(|p| p.0 == Severity::Error)
            .map(|p| p.1)
            .collect()
    }

    #[test]
    fn a_file_that_is_not_json_is_positioned_by_line_and_column() {
        let found = problems("{\n  \"organization\": {\"tenant_id\": \"t\"},\n  \"units\": [,]\n}");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, "line 3, column 13");
        assert!(found[0].2.starts_with("not JSON"), "{}", found[0].2);
    }

    #[test]
    fn every_problem_of_a_broken_file_is_found_in_one_pass_with_its_path() {
        let text = r#"{
          "organization": {"tenant_id": "", "name": null},
          "units": [
            {"id": "a", "name": "A", "type": "division", "children": [
              {"id": "b", "name": null, "type": "team", "member_ids": null},
              {"name": "no id", "type": "team"},
              {"id": "a", "name": "dup", "type": "team", "children": null}
            ]},
            {"id": "c", "external_id": "b", "name": "C", "type": "division",
             "meta": {"members": [{"email": "not-an-email"}, {"email": "ok@example.com"}]}},
            7
          ]
        }"#;
        assert_eq!(
            error_paths(text),
            vec![
                "$.organization.tenant_id",
                "$.organization.name",
                "$.units[0].children[0].name",
                "$.units[0].children[0].member_ids",
                "$.units[0].children[1].id",
                "$.units[0].children[2].id",
                "$.units[0].children[2].children",
                "$.units[1].external_id",
                "$.units[1].meta.members[0].email",
                "$.units[2]",
            ]
        );
    }

    #[test]
    fn units_are_kept_in_pre_order_with_levels_and_rebuilt_as_written() {
        let text = r#"{"organization": {"tenant_id": "t", "name": "T"}, "units": [
            {"id": "a", "name": "A", "type": "d", "children": [
                {"id": "a1", "name": "A1", "type": "t", "children": [{"id": "a11", "name": "A11", "type": "u"}]},
                {"id": "a2", "name": "A2", "type": "t"}]},
            {"id": "b", "name": "B", "type": "d"}]}"#;
        let v = validate_import(text.as_bytes());
        assert!(v.is_valid(), "{:?}", v.problems);
        let file = v.file.expect("file");
        let order: Vec<(&str, i64, Option<u32>)> = file
            .units
            .iter()
            .map(|u| (u.key().unwrap_or(""), u.level, u.parent))
            .collect();
        assert_eq!(
            order,
            vec![
                ("a", 0, None),
                ("a1", 1, Some(0)),
                ("a11", 2, Some(1)),
                ("a2", 1, Some(0)),
                ("b", 0, None)
            ]
        );
        let original: Value = serde_json::from_str(text).expect("json");
        assert_eq!(file.payload(), original);
        // Written straight out, the same text as the tree written out (keys in file order).
        assert_eq!(
            file.payload_json(),
            serde_json::to_string(&original).expect("text")
        );
    }

    #[test]
    fn upper_case_emails_and_untyped_units_are_warnings_not_errors() {
        let text = r#"{"organization": {"tenant_id": "t", "name": "T"}, "units": [
            {"id": "a", "name": "A", "meta": {"members": [{"email": "Kim@Example.com"}]}}]}"#;
        let v = validate_import(text.as_bytes());
        assert!(v.is_valid());
        let paths: Vec<&str> = v.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["$.units[0].type", "$.units[0].meta.members[0].email"]
        );
    }

    #[test]
    fn a_missing_organization_or_a_non_object_file_has_no_usable_file() {
        assert!(validate_import(b"[1, 2]").file.is_none());
        let v = validate_import(br#"{"units": []}"#);
        assert!(v.file.is_none());
        assert_eq!(v.problems[0].path, "$.organization");
    }
}
