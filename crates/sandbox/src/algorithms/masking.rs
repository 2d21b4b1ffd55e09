//! The server's secret masker and its write-back resolver (settings.md rules 2 and 3), as the
//! sandbox reads them: which key names are secret, what a masked value looks like, and how a
//! masked value sent back is replaced by the stored one.

use serde_json::Value;

/// Whether the server masks values under a key with this name.
pub fn sensitive(key: &str) -> bool {
    let k = key.to_lowercase();
    const EXACT: [&str; 7] = [
        "key",
        "keys",
        "api_auth",
        "client_secret",
        "access_key_id",
        "sougou_api_sk",
        "bot_token",
    ];
    const CONTAINS: [&str; 9] = [
        "secret",
        "password",
        "api_key",
        "api_keys",
        "credentials",
        "access_key",
        "credentials_json",
        "subscription_key",
        "service_account_key",
    ];
    const ENDS: [&str; 5] = ["_key", "_keys", "_secret", "_password", "_token"];
    EXACT.contains(&k.as_str())
        || CONTAINS.iter().any(|c| k.contains(c))
        || ENDS.iter().any(|e| k.ends_with(e))
        || registered_sensitive(&k)
}

/// Whether the appendix registers a setting of this (lower-cased) name as sensitive
/// (`AUTOMATIC1111_API_AUTH`, which no word or ending of the rule catches).
fn registered_sensitive(lower: &str) -> bool {
    crate::routes::settings_registry::entries()
        .iter()
        .any(|(name, _, sensitive)| *sensitive && name.eq_ignore_ascii_case(lower))
}

/// One value masked: the last four characters behind `*` (at least three); three characters or
/// fewer become `***`.
pub fn mask_str(s: &str) -> String {
    let n = s.chars().count();
    if n == 0 {
        return String::new();
    }
    if n <= 3 {
        return "***".into();
    }
    let tail: String = s.chars().skip(n - 4).collect();
    format!("{}{}", "*".repeat(std::cmp::max(n - 4, 3)), tail)
}

/// Whether the server takes a sent value for a masked one: four characters or more, starting
/// with three `*`.
pub fn looks_masked(s: &str) -> bool {
    s.chars().count() >= 4 && s.starts_with("***")
}

/// `value` with every value under a sensitive key masked (lists element by element), as the
/// server's GET responses are.
pub fn mask_tree(value: &Value) -> Value {
    fn masked_leaf(v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(mask_str(s)),
            Value::Array(items) => Value::Array(items.iter().map(masked_leaf).collect()),
            other => other.clone(),
        }
    }
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let out = if sensitive(k) && !v.is_object() {
                        masked_leaf(v)
                    } else {
                        mask_tree(v)
                    };
                    (k.clone(), out)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(mask_tree).collect()),
        other => other.clone(),
    }
}

/// A sent secret with a masked value replaced by the stored one.
pub fn resolve(sent: &Value, stored: &Value) -> Value {
    match sent {
        Value::String(s) if looks_masked(s) => stored.clone(),
        other => other.clone(),
    }
}

/// A sent object with every masked value under a sensitive key replaced by the stored one at the
/// same key (recursively; lists by index), as most POST handlers do.
pub fn resolve_tree(sent: &Value, stored: &Value) -> Value {
    match (sent, stored) {
        (Value::Object(s), _) => Value::Object(
            s.iter()
                .map(|(k, v)| {
                    let old = stored.get(k).unwrap_or(&Value::Null);
                    let out = if sensitive(k) {
                        match v {
                            Value::Array(items) => Value::Array(
                                items
                                    .iter()
                                    .enumerate()
                                    .map(|(i, x)| resolve(x, old.get(i).unwrap_or(&Value::Null)))
                                    .collect(),
                            ),
                            Value::Object(_) => resolve_tree(v, old),
                            _ => resolve(v, old),
                        }
                    } else {
                        resolve_tree(v, old)
                    };
                    (k.clone(), out)
                })
                .collect(),
        ),
        (Value::Array(items), _) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| resolve_tree(x, stored.get(i).unwrap_or(&Value::Null)))
                .collect(),
        ),
        (other, _) => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_by_key_name_and_resolves_back() {
        let stored = json!({"url": "u", "key": "abcdefgh", "nested": {"api_key": "zyxwvuts"}, "keys": ["k1", "k2-long"]});
        let masked = mask_tree(&stored);
        assert_eq!(masked["key"], "****efgh");
        assert_eq!(masked["keys"], json!(["***", "***long"]));
        assert_eq!(masked["nested"]["api_key"], "****vuts");
        let back = resolve_tree(&masked, &stored);
        assert_eq!(back["key"], "abcdefgh");
        assert_eq!(back["keys"], json!(["***", "k2-long"]));
    }
}
