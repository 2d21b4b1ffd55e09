//! A settings document cut down to chosen keys, for copying some settings (not whole tabs) from
//! one deployment to others. A key is written as the drift view and the plans write it
//! (`code_execution.CODE_EXECUTION_JUPYTER_TIMEOUT`, `connections.storage.s3.bucket_name`); the
//! smallest unit that is copied is one field of the document — a tab's field, or a field of a
//! nested section — because the server takes lists and objects whole.

use serde_json::{Map, Value};

/// The document keys a key stands for: its tab and field, and the nested section's field when
/// the field is a nested section in `doc` (an object holding the next segment).
fn unit_of<'a>(doc: &Value, key: &'a str) -> Option<Vec<&'a str>> {
    let parts: Vec<&str> = key.split('.').collect();
    let (tab, field) = (parts.first()?, parts.get(1)?);
    let value = doc.get(tab)?.get(field)?;
    match (parts.get(2), value) {
        (Some(inner), Value::Object(map)) if map.contains_key(*inner) && is_nested(tab, field) => {
            Some(vec![tab, field, inner])
        }
        _ => Some(vec![tab, field]),
    }
}

/// Whether `tab.field` is a nested section in a document (its own fields under the section's
/// key), as `document::nested` places them.
fn is_nested(tab: &str, field: &str) -> bool {
    matches!(
        (tab, field),
        ("connections", "storage" | "file_storage") | ("general", "ldap_server" | "webhook")
    )
}

/// `doc` with only the fields `keys` name (and its `format` and `version`); keys it does not
/// hold are returned as unknown, so a caller can refuse them.
pub fn select_keys(doc: &Value, keys: &[String]) -> (Value, Vec<String>) {
    let mut out = Map::new();
    for marker in ["format", "version"] {
        if let Some(v) = doc.get(marker) {
            out.insert(marker.to_owned(), v.clone());
        }
    }
    let mut unknown = Vec::new();
    for key in keys {
        let Some(unit) = unit_of(doc, key) else {
            unknown.push(key.clone());
            continue;
        };
        let mut from = doc;
        let mut to = &mut out;
        for (i, part) in unit.iter().enumerate() {
            let Some(next) = from.get(part) else {
                break;
            };
            if i + 1 == unit.len() {
                to.insert((*part).to_owned(), next.clone());
            } else {
                let entry = to
                    .entry((*part).to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                let Value::Object(map) = entry else {
                    break;
                };
                to = map;
                from = next;
            }
        }
    }
    (Value::Object(out), unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "format": "cloosphere-settings/1",
            "version": 7,
            "code_execution": {"CODE_EXECUTION_JUPYTER_TIMEOUT": 60, "ENABLE_CODE_EXECUTION": true},
            "connections": {
                "OPENAI_API_CONFIGS": {"0": {"enable": true}},
                "storage": {"provider": "s3", "s3": {"bucket_name": "b", "access_key_id": "keep"}}
            }
        })
    }

    #[test]
    fn a_field_key_keeps_that_field_only() {
        let (picked, unknown) = select_keys(
            &doc(),
            &["code_execution.CODE_EXECUTION_JUPYTER_TIMEOUT".into()],
        );
        assert!(unknown.is_empty());
        assert_eq!(
            picked,
            json!({"format": "cloosphere-settings/1", "version": 7,
                   "code_execution": {"CODE_EXECUTION_JUPYTER_TIMEOUT": 60}})
        );
    }

    #[test]
    fn a_leaf_key_copies_its_whole_field_and_a_nested_section_field_stays_nested() {
        let (picked, _) = select_keys(
            &doc(),
            &[
                "connections.OPENAI_API_CONFIGS.0.enable".into(),
                "connections.storage.s3.bucket_name".into(),
            ],
        );
        assert_eq!(
            picked["connections"]["OPENAI_API_CONFIGS"],
            json!({"0": {"enable": true}})
        );
        assert_eq!(
            picked["connections"]["storage"],
            json!({"s3": {"bucket_name": "b", "access_key_id": "keep"}}),
            "the storage section's s3 field, not its provider"
        );
    }

    #[test]
    fn keys_the_document_does_not_hold_are_reported() {
        let (_, unknown) = select_keys(&doc(), &["audio.tts.ENGINE".into(), "nope".into()]);
        assert_eq!(unknown, ["audio.tts.ENGINE", "nope"]);
    }
}
