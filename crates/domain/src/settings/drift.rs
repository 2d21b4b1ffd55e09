//! Drift across tenants: the same settings compared key by key between deployments. Secrets are
//! compared by the masked form each deployment answers, which tells only so much: different
//! last four characters mean different secrets, the same ones mean "same tail" (probably the
//! same), and `***` (a secret of three characters or fewer) tells nothing.

use super::catalogue::Section;
use super::masking::{hides_a_secret, is_secret_name};
use super::write_back::editable_view;
use serde::Serialize;
use serde_json::Value;

/// How the tenants' values of one key compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Equal everywhere.
    Same,
    /// Not equal somewhere (for secrets: different masked forms).
    Differs,
    /// Secrets whose masked forms agree: same length class and last four characters.
    SameTail,
    /// Secrets that cannot be compared (`***`).
    Unknown,
    /// Some tenant has no such key (not readable there, or an older server).
    Missing,
}

impl Verdict {
    /// Whether it is drift a scheduler should act on: a value that differs or is missing.
    /// Secrets that only look alike (same tail) or cannot be compared (`***`) are shown, not
    /// counted.
    pub fn is_drift(self) -> bool {
        matches!(self, Verdict::Differs | Verdict::Missing)
    }
}

/// One key across the tenants.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct DriftRow {
    /// `tab.FIELD` or deeper (`tools.TOOL_SERVER_CONNECTIONS.0.key`).
    pub key: String,
    /// Each tenant's value, in the order given (secrets masked; null where missing).
    #[cfg_attr(feature = "ts", ts(type = "Array<unknown>"))]
    pub values: Vec<Value>,
    /// How they compare.
    pub verdict: Verdict,
    /// Whether the key is a secret.
    pub secret: bool,
}

fn walk(prefix: &str, secret: bool, v: &Value, out: &mut Vec<(String, Value, bool)>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                walk(&join(k), is_secret_name(k), x, out);
            }
        }
        Value::Array(items) if secret || items.iter().any(Value::is_object) => {
            for (i, x) in items.iter().enumerate() {
                walk(&join(&i.to_string()), secret, x, out);
            }
        }
        other => out.push((prefix.to_owned(), other.clone(), secret)),
    }
}

/// Compares the tenants' settings key by key; only keys that are not the same everywhere are
/// returned, in the first tenant's order.
pub fn compare(tenants: &[Vec<(&'static Section, Value)>]) -> Vec<DriftRow> {
    let flat: Vec<Vec<(String, Value, bool)>> =
        tenants.iter().map(|answers| flatten(answers)).collect();
    let mut keys: Vec<(String, bool)> = Vec::new();
    for tenant in &flat {
        for (k, _, secret) in tenant {
            if !keys.iter().any(|(x, _)| x == k) {
                keys.push((k.clone(), *secret));
            }
        }
    }
    let mut rows = Vec::new();
    for (key, secret) in keys {
        let values: Vec<Option<&Value>> = flat
            .iter()
            .map(|t| t.iter().find(|(k, ..)| *k == key).map(|(_, v, _)| v))
            .collect();
        let verdict = if values.iter().any(Option::is_none) {
            Verdict::Missing
        } else {
            let vs: Vec<&Value> = values.iter().flatten().copied().collect();
            let all_equal = vs.windows(2).all(|w| w[0] == w[1]);
            if !secret {
                if all_equal {
                    Verdict::Same
                } else {
                    Verdict::Differs
                }
            } else {
                let texts: Vec<&str> = vs.iter().map(|v| v.as_str().unwrap_or_default()).collect();
                if texts.iter().all(|t| t.is_empty()) {
                    Verdict::Same
                } else if texts.contains(&"***") {
                    Verdict::Unknown
                } else if all_equal && texts.iter().all(|t| hides_a_secret(t)) {
                    Verdict::SameTail
                } else {
                    Verdict::Differs
                }
            }
        };
        if verdict != Verdict::Same {
            rows.push(DriftRow {
                key,
                values: values
                    .into_iter()
                    .map(|v| v.cloned().unwrap_or(Value::Null))
                    .collect(),
                verdict,
                secret,
            });
        }
    }
    rows
}

/// The settings of one tenant as `tab.FIELD…` → value with secrets masked as the deployment
/// answered them, in the export's layout (tabs, nested sections, `web` under Web Search).
fn flatten(answers: &[(&'static Section, Value)]) -> Vec<(String, Value, bool)> {
    let mut out = Vec::new();
    for (section, answer) in answers {
        let mut view = editable_view(section, answer);
        if section.key == "retrieval"
            && let Value::Object(m) = &mut view
        {
            m.remove("web");
        }
        let prefix = if matches!(
            section.key,
            "storage" | "file_storage" | "ldap_server" | "webhook"
        ) {
            format!("{}.{}", section.tab.name(), section.key)
        } else {
            section.tab.name().to_owned()
        };
        walk(&prefix, false, &view, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tenant(chunk: i64, tool_key: &str, sougou: &str) -> Vec<(&'static Section, Value)> {
        vec![
            (
                Section::find("retrieval").expect("section"),
                json!({"status": true, "CHUNK_SIZE": chunk, "web": {"ENABLE_WEB_SEARCH": true, "SOUGOU_API_SK": sougou}}),
            ),
            (
                Section::find("web").expect("section"),
                json!({"status": true, "CHUNK_SIZE": chunk, "web": {"ENABLE_WEB_SEARCH": true, "SOUGOU_API_SK": sougou}}),
            ),
            (
                Section::find("tool_servers").expect("section"),
                json!({"TOOL_SERVER_CONNECTIONS": [{"url": "https://a", "key": tool_key}]}),
            ),
        ]
    }

    #[test]
    fn finds_exactly_the_planted_differences() {
        let rows = compare(&[
            tenant(1000, "*****aaaa", "*****9f3a"),
            tenant(800, "*****bbbb", "*****9f3a"),
        ]);
        let got: Vec<(&str, Verdict)> = rows.iter().map(|r| (r.key.as_str(), r.verdict)).collect();
        assert_eq!(
            got,
            [
                ("documents.CHUNK_SIZE", Verdict::Differs),
                ("web_search.SOUGOU_API_SK", Verdict::SameTail),
                ("tools.TOOL_SERVER_CONNECTIONS.0.key", Verdict::Differs),
            ]
        );
        let rows = compare(&[
            tenant(1000, "*****aaaa", "***"),
            tenant(1000, "*****aaaa", "***"),
        ]);
        assert_eq!(
            rows.iter()
                .map(|r| (r.key.as_str(), r.verdict))
                .collect::<Vec<_>>(),
            [
                ("web_search.SOUGOU_API_SK", Verdict::Unknown),
                ("tools.TOOL_SERVER_CONNECTIONS.0.key", Verdict::SameTail),
            ]
        );
    }

    #[test]
    fn only_differences_and_missing_keys_are_drift() {
        let drift: Vec<Verdict> = [
            Verdict::Same,
            Verdict::Differs,
            Verdict::SameTail,
            Verdict::Unknown,
            Verdict::Missing,
        ]
        .into_iter()
        .filter(|v| v.is_drift())
        .collect();
        assert_eq!(drift, [Verdict::Differs, Verdict::Missing]);
    }

    #[test]
    fn a_short_secret_cannot_be_compared_and_a_missing_key_says_so() {
        let mut b = tenant(1000, "*****aaaa", "");
        b.pop();
        let rows = compare(&[tenant(1000, "*****aaaa", ""), b]);
        assert_eq!(rows[0].verdict, Verdict::Missing);
        assert_eq!(rows[0].values[1], Value::Null);
    }
}
