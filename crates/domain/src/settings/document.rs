//! Settings as code: the document `clooctl settings export` writes and `settings plan` reads —
//! keyed by tab, then by the field names of the tab's endpoints as the server spells them — with
//! every secret replaced by a reference (`keep`, or `env:NAME` to supply one), and the plan that
//! compares such a document with what a deployment answers.

use super::catalogue::{SECTIONS, Section, Tab};
use super::masking::is_secret_name;
use super::write_back::{Edit, editable_view};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The document's format marker.
pub const SETTINGS_DOCUMENT_FORMAT: &str = "cloosphere-settings/1";

/// A reference standing for a secret in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum SecretRef {
    /// Keep the deployment's secret.
    Keep,
    /// No secret (an empty value).
    Empty,
    /// The value of environment variable `NAME` when the plan is applied.
    Env(String),
    /// The secret filed under `NAME` in the OS keychain (`clooctl secret set NAME`), read when
    /// the plan is applied.
    Keychain(String),
}

/// Whether `name` may name an environment variable or a keychain secret in a document: letters,
/// digits, `_`, `-` and `.`, not empty.
pub fn is_reference_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl SecretRef {
    /// Reads a reference as a document writes it (`keep`, `""`, `env:NAME`, `keychain:NAME`).
    pub fn parse(text: &str) -> Result<SecretRef, String> {
        if let Some(name) = text.strip_prefix("env:") {
            return if !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                Ok(SecretRef::Env(name.to_owned()))
            } else {
                Err(format!(
                    "{name:?} is not an environment variable name (letters, digits, _)"
                ))
            };
        }
        if let Some(name) = text.strip_prefix("keychain:") {
            return if is_reference_name(name) {
                Ok(SecretRef::Keychain(name.to_owned()))
            } else {
                Err(format!(
                    "{name:?} is not a keychain secret name (letters, digits, _, - and .)"
                ))
            };
        }
        match text {
            "keep" => Ok(SecretRef::Keep),
            "" => Ok(SecretRef::Empty),
            _ => Err(
                "a secret in a settings document must be a reference (keep, env:NAME, keychain:NAME or \"\"), never the secret itself".to_owned(),
            ),
        }
    }

    /// As a document writes it.
    pub fn text(&self) -> String {
        match self {
            SecretRef::Keep => "keep".into(),
            SecretRef::Empty => String::new(),
            SecretRef::Env(name) => format!("env:{name}"),
            SecretRef::Keychain(name) => format!("keychain:{name}"),
        }
    }
}

/// Where a section's fields go in the document: straight under the tab, or under the section's
/// key where its field names would collide with another section's (`storage` and
/// `file_storage` both have `provider`).
fn nested(section: &Section) -> bool {
    matches!(
        section.key,
        "storage" | "file_storage" | "ldap_server" | "webhook"
    )
}

/// Fields a section leaves to another tab in the document (`web` is Web Search's).
fn left_out(section: &Section) -> &'static [&'static str] {
    match section.key {
        "retrieval" => &["web"],
        _ => &[],
    }
}

/// A section's values as they go into a document: secrets as references.
fn exported_values(section: &Section, values: &Value) -> Value {
    fn walk(secret: bool, v: &Value) -> Value {
        match v {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, x)| (k.clone(), walk(is_secret_name(k), x)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|x| walk(secret, x)).collect()),
            Value::String(s) if secret => Value::String(if s.is_empty() {
                String::new()
            } else {
                SecretRef::Keep.text()
            }),
            Value::Null if secret => Value::String(String::new()),
            other => other.clone(),
        }
    }
    let mut out = walk(false, values);
    if let Value::Object(map) = &mut out {
        for field in left_out(section) {
            map.remove(*field);
        }
    }
    out
}

/// The document of the sections read (`answers`: section key → the deployment's answer), with
/// the config `version` they were read at.
pub fn export_document(answers: &[(&'static Section, Value)], version: Option<i64>) -> Value {
    let mut tabs = Map::new();
    for (section, answer) in answers {
        let values = exported_values(section, &editable_view(section, answer));
        let tab = tabs
            .entry(section.tab.name().to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(tab) = tab else { continue };
        if nested(section) {
            tab.insert(section.key.to_owned(), values);
        } else if let Value::Object(fields) = values {
            tab.extend(fields);
        }
    }
    let mut doc = Map::new();
    doc.insert(
        "format".into(),
        Value::String(SETTINGS_DOCUMENT_FORMAT.into()),
    );
    if let Some(v) = version {
        doc.insert("version".into(), Value::from(v));
    }
    doc.extend(tabs);
    Value::Object(doc)
}

/// A problem in a document, with its JSON path (`$.tools.TOOL_SERVER_CONNECTIONS[0].key`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DocumentProblem {
    /// Where.
    pub position: String,
    /// What is wrong.
    pub message: String,
}

/// What a document changes in one section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionChanges {
    /// The section.
    pub section: String,
    /// Fields set to the document's value (secrets inside as the deployment's masked value
    /// when kept, or `""`).
    pub edits: Vec<PlannedEdit>,
    /// Secrets to supply when the plan is applied.
    pub secrets: Vec<PlannedSecret>,
}

/// One field of a section set to a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedEdit {
    /// Dotted path within the section.
    pub path: String,
    /// The value.
    pub value: Value,
}

/// A secret to supply on apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedSecret {
    /// Dotted path within the section.
    pub path: String,
    /// Where its value comes from.
    pub reference: SecretRef,
}

impl SectionChanges {
    /// The edits in the write-back's terms.
    pub fn domain_edits(&self) -> Vec<Edit> {
        self.edits
            .iter()
            .map(|e| Edit {
                path: e.path.clone(),
                value: e.value.clone(),
            })
            .collect()
    }
}

/// One key of the document that differs from the deployment, for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct KeyChange {
    /// `tab.KEY` (or `tab.section.KEY` for a nested section).
    pub key: String,
    /// The deployment's value (secrets as references).
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub before: Value,
    /// The document's value.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub after: Value,
}

fn json_path(parts: &[&str]) -> String {
    let mut out = String::from("$");
    for p in parts {
        if p.parse::<usize>().is_ok() {
            out.push_str(&format!("[{p}]"));
        } else {
            out.push('.');
            out.push_str(p);
        }
    }
    out
}

/// Replaces the secret references of a document value with what a write-back body holds: the
/// deployment's masked value for `keep` (found at the same place of `current`), `""` for an
/// empty one; `env:` references are listed for the apply and hold the masked value meanwhile.
#[allow(clippy::too_many_arguments)]
fn resolve_refs(
    path: &str,
    secret: bool,
    value: &Value,
    current: Option<&Value>,
    secrets: &mut Vec<PlannedSecret>,
    problems: &mut Vec<DocumentProblem>,
    doc_path: &[&str],
) -> Value {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_owned()
        } else {
            format!("{path}.{k}")
        }
    };
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, x)| {
                    let mut at = doc_path.to_vec();
                    at.push(k);
                    let v = resolve_refs(
                        &join(k),
                        is_secret_name(k),
                        x,
                        current.and_then(|c| c.get(k)),
                        secrets,
                        problems,
                        &at,
                    );
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let index = i.to_string();
                    let mut at = doc_path.to_vec();
                    at.push(&index);
                    resolve_refs(
                        &join(&index),
                        secret,
                        x,
                        current.and_then(|c| c.get(i)),
                        secrets,
                        problems,
                        &at,
                    )
                })
                .collect(),
        ),
        Value::String(text) if secret => match SecretRef::parse(text) {
            Ok(SecretRef::Keep) => current.cloned().unwrap_or(Value::String(String::new())),
            Ok(SecretRef::Empty) => Value::String(String::new()),
            Ok(reference) => {
                secrets.push(PlannedSecret {
                    path: path.to_owned(),
                    reference,
                });
                current.cloned().unwrap_or(Value::String(String::new()))
            }
            Err(message) => {
                problems.push(DocumentProblem {
                    position: json_path(doc_path),
                    message,
                });
                Value::Null
            }
        },
        other => other.clone(),
    }
}

/// The changes `doc` makes to the deployment whose sections answered `answers`, section by
/// section and key by key; or every problem of the document, positioned.
pub fn plan_document(
    doc: &Value,
    answers: &[(&'static Section, Value)],
) -> Result<(Vec<SectionChanges>, Vec<KeyChange>), Vec<DocumentProblem>> {
    let mut problems = Vec::new();
    let Some(root) = doc.as_object() else {
        return Err(vec![DocumentProblem {
            position: "$".into(),
            message: "a settings document is a JSON object keyed by tab".into(),
        }]);
    };
    match root.get("format").and_then(Value::as_str) {
        Some(SETTINGS_DOCUMENT_FORMAT) => {}
        other => problems.push(DocumentProblem {
            position: "$.format".into(),
            message: format!(
                "expected {SETTINGS_DOCUMENT_FORMAT:?}, found {}",
                other.map_or("nothing".to_owned(), |o| format!("{o:?}"))
            ),
        }),
    }
    let mut sections: Vec<SectionChanges> = Vec::new();
    let mut keys = Vec::new();
    for (tab_name, fields) in root
        .iter()
        .filter(|(k, _)| !["format", "version"].contains(&k.as_str()))
    {
        let Some(tab) = Tab::parse(tab_name).filter(|t| t.name() == tab_name) else {
            problems.push(DocumentProblem {
                position: json_path(&[tab_name]),
                message: format!(
                    "no settings tab {tab_name:?} (tabs: {})",
                    Tab::ALL.map(Tab::name).join(", ")
                ),
            });
            continue;
        };
        let Some(fields) = fields.as_object() else {
            problems.push(DocumentProblem {
                position: json_path(&[tab_name]),
                message: "a tab is an object of fields".into(),
            });
            continue;
        };
        for (field, wanted) in fields {
            // The section that owns the key: a nested section by its key, else the flat one
            // whose answer has the field.
            let owner = answers.iter().find(|(s, answer)| {
                s.tab == tab
                    && if nested(s) {
                        s.key == field
                    } else {
                        !left_out(s).contains(&field.as_str())
                            && editable_view(s, answer).get(field).is_some()
                    }
            });
            let Some((section, answer)) = owner else {
                problems.push(DocumentProblem {
                    position: json_path(&[tab_name, field]),
                    message: format!(
                        "the {tab_name} tab has no field {field:?} on this deployment"
                    ),
                });
                continue;
            };
            let view = editable_view(section, answer);
            let pairs: Vec<(String, &Value, Option<&Value>)> = if nested(section) {
                match wanted.as_object() {
                    Some(map) => map
                        .iter()
                        .map(|(k, v)| (k.clone(), v, view.get(k)))
                        .collect(),
                    None => {
                        problems.push(DocumentProblem {
                            position: json_path(&[tab_name, field]),
                            message: "a nested section is an object of fields".into(),
                        });
                        continue;
                    }
                }
            } else {
                vec![(field.clone(), wanted, view.get(field))]
            };
            for (name, wanted, current) in pairs {
                if current.is_none() {
                    problems.push(DocumentProblem {
                        position: if nested(section) {
                            json_path(&[tab_name, field, &name])
                        } else {
                            json_path(&[tab_name, field])
                        },
                        message: format!("{} has no field {name:?}", section.key),
                    });
                    continue;
                }
                let mut doc_path = vec![tab_name.as_str()];
                if nested(section) {
                    doc_path.push(field.as_str());
                }
                doc_path.push(name.as_str());
                let mut secrets = Vec::new();
                let value = resolve_refs(
                    &name,
                    is_secret_name(&name),
                    wanted,
                    current,
                    &mut secrets,
                    &mut problems,
                    &doc_path,
                );
                let shown_now = current.map(|c| {
                    let mut one = Map::new();
                    one.insert(name.clone(), c.clone());
                    exported_values(section, &Value::Object(one))[&name].clone()
                });
                if Some(&value) == current && secrets.is_empty() {
                    continue;
                }
                let key = doc_path.join(".");
                keys.push(KeyChange {
                    key,
                    before: shown_now.unwrap_or(Value::Null),
                    after: wanted.clone(),
                });
                let index = match sections.iter().position(|s| s.section == section.key) {
                    Some(i) => i,
                    None => {
                        sections.push(SectionChanges {
                            section: section.key.to_owned(),
                            edits: Vec::new(),
                            secrets: Vec::new(),
                        });
                        sections.len() - 1
                    }
                };
                let entry = &mut sections[index];
                if Some(&value) != current {
                    entry.edits.push(PlannedEdit {
                        path: name.clone(),
                        value,
                    });
                }
                entry.secrets.extend(secrets);
            }
        }
    }
    if problems.is_empty() {
        Ok((sections, keys))
    } else {
        Err(problems)
    }
}

/// The sections to read for a document of `tabs` (all when empty).
pub fn sections_of(tabs: &[Tab]) -> Vec<&'static Section> {
    SECTIONS
        .iter()
        .filter(|s| tabs.is_empty() || tabs.contains(&s.tab))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answers() -> Vec<(&'static Section, Value)> {
        let find = |k: &str| Section::find(k).expect("section");
        vec![
            (
                find("tool_servers"),
                json!({"TOOL_SERVER_CONNECTIONS": [
                    {"url": "https://a", "path": "openapi.json", "auth_type": "bearer", "key": "*****oken", "config": {"enable": true}},
                    {"url": "https://b", "path": "openapi.json", "auth_type": "session", "key": "", "config": null}]}),
            ),
            (
                find("storage"),
                json!({"image_upload_mode": "base64", "provider": "s3",
                       "s3": {"bucket_name": "b", "access_key_id": "****KEY1", "secret_access_key": "****cret"}}),
            ),
            (
                find("file_storage"),
                json!({"provider": "local", "s3": {"bucket_name": "", "access_key_id": "", "secret_access_key": ""}}),
            ),
            (
                find("retrieval"),
                json!({"status": true, "CHUNK_SIZE": 1000, "web": {"ENABLE_WEB_SEARCH": false}}),
            ),
            (
                find("web"),
                json!({"status": true, "CHUNK_SIZE": 1000, "web": {"ENABLE_WEB_SEARCH": false, "SOUGOU_API_SK": "*****9f3a"}}),
            ),
        ]
    }

    #[test]
    fn an_export_holds_references_not_secrets_and_plans_no_change() {
        let doc = export_document(&answers(), Some(7));
        assert_eq!(doc["version"], 7);
        assert_eq!(doc["tools"]["TOOL_SERVER_CONNECTIONS"][0]["key"], "keep");
        assert_eq!(doc["tools"]["TOOL_SERVER_CONNECTIONS"][1]["key"], "");
        assert_eq!(doc["connections"]["storage"]["s3"]["access_key_id"], "keep");
        assert_eq!(doc["connections"]["file_storage"]["provider"], "local");
        assert_eq!(doc["documents"]["CHUNK_SIZE"], 1000);
        assert!(doc["documents"].get("web").is_none(), "web is Web Search's");
        assert_eq!(doc["web_search"]["SOUGOU_API_SK"], "keep");
        assert!(!doc.to_string().contains("****"), "no masked value: {doc}");
        let (sections, keys) = plan_document(&doc, &answers()).expect("plans");
        assert!(
            sections.is_empty() && keys.is_empty(),
            "{sections:?} {keys:?}"
        );
    }

    #[test]
    fn one_edited_key_plans_exactly_that_key() {
        let mut doc = export_document(&answers(), None);
        doc["documents"]["CHUNK_SIZE"] = json!(800);
        doc["connections"]["storage"]["provider"] = json!("local");
        let (sections, keys) = plan_document(&doc, &answers()).expect("plans");
        assert_eq!(
            keys.iter().map(|k| k.key.as_str()).collect::<Vec<_>>(),
            ["connections.storage.provider", "documents.CHUNK_SIZE"]
        );
        assert_eq!(sections.len(), 2);
        assert_eq!(
            sections[1].edits,
            vec![PlannedEdit {
                path: "CHUNK_SIZE".into(),
                value: json!(800)
            }]
        );
        // A kept secret inside an edited list goes back as the deployment's masked value.
        doc["tools"]["TOOL_SERVER_CONNECTIONS"][1]["url"] = json!("https://c");
        let (sections, _) = plan_document(&doc, &answers()).expect("plans");
        let tools = sections
            .iter()
            .find(|s| s.section == "tool_servers")
            .expect("tools");
        assert_eq!(tools.edits[0].value[0]["key"], "*****oken");
    }

    #[test]
    fn secrets_in_a_document_are_refused_and_env_references_planned() {
        let mut doc = export_document(&answers(), None);
        doc["tools"]["TOOL_SERVER_CONNECTIONS"][0]["key"] = json!("the-real-token");
        let problems = plan_document(&doc, &answers()).expect_err("refused");
        assert_eq!(
            problems[0].position,
            "$.tools.TOOL_SERVER_CONNECTIONS[0].key"
        );
        doc["tools"]["TOOL_SERVER_CONNECTIONS"][0]["key"] = json!("env:TOOL_TOKEN");
        let (sections, keys) = plan_document(&doc, &answers()).expect("plans");
        assert_eq!(keys.len(), 1);
        assert_eq!(
            sections[0].secrets,
            vec![PlannedSecret {
                path: "TOOL_SERVER_CONNECTIONS.0.key".into(),
                reference: SecretRef::Env("TOOL_TOKEN".into())
            }]
        );
    }

    #[test]
    fn unknown_tabs_and_fields_are_positioned() {
        let doc = json!({"format": SETTINGS_DOCUMENT_FORMAT, "tools": {"NOPE": 1}, "toolz": {}});
        let problems = plan_document(&doc, &answers()).expect_err("refused");
        let positions: Vec<&str> = problems.iter().map(|p| p.position.as_str()).collect();
        assert_eq!(positions, ["$.tools.NOPE", "$.toolz"]);
        let problems = plan_document(&json!({"tools": {}}), &answers()).expect_err("no format");
        assert_eq!(problems[0].position, "$.format");
    }
}
