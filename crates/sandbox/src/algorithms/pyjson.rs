//! JSON text as the server's database holds it: Python's `json.dumps` with its defaults
//! (`", "` and `": "` separators, every character outside printable ASCII escaped as `\uXXXX`).
//!
//! It matters where the server searches that text with SQL `LIKE` (OU usage-limit membership,
//! organizations.md): an e-mail with a non-ASCII letter is stored escaped, so a pattern holding
//! the letter itself does not find it.

use serde_json::Value;
use std::fmt::Write;

/// `json.dumps(value)`.
pub fn dumps(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// Re-serializes stored JSON text the way the server would have written it; text that is not
/// JSON is kept as it is.
pub fn normalize(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .map(|v| dumps(&v))
        .unwrap_or_else(|_| text.to_owned())
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_string(out, key);
                out.push_str(": ");
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_is_written_as_pythons_json_dumps_writes_it() {
        assert_eq!(
            dumps(&json!({"members": [{"email": "kim@example.com", "n": 2}], "x": null})),
            r#"{"members": [{"email": "kim@example.com", "n": 2}], "x": null}"#
        );
        assert_eq!(dumps(&json!("김민준")), r#""\uae40\ubbfc\uc900""#);
        assert_eq!(dumps(&json!("😀")), r#""\ud83d\ude00""#);
        assert_eq!(dumps(&json!("a\"b\\c\u{7f}")), r#""a\"b\\c\u007f""#);
        assert_eq!(normalize("not json"), "not json");
        assert_eq!(normalize(r#"["a","b"]"#), r#"["a", "b"]"#);
    }
}
