//! Values the server would silently ignore (settings.md): it answers 200 and keeps the old value,
//! so the console refuses them before sending, with the reason.

use serde_json::Value;

/// Why `value` for the field at `path` of section `section` would be ignored by the server, if
/// it would.
pub fn ignored_value(section: &str, path: &str, value: &Value) -> Option<String> {
    match (section, path) {
        ("admin_config", "JWT_EXPIRES_IN") => {
            let text = value.as_str().unwrap_or_default();
            (!is_jwt_duration(text)).then(|| {
                format!(
                    "{text:?} is not a duration the server accepts (-1, 0, or a number with ms, s, m, h, d or w, like 4w): it would keep the old value"
                )
            })
        }
        ("admin_config", "DEFAULT_USER_ROLE") => {
            let text = value.as_str().unwrap_or_default();
            let ok = matches!(text, "pending" | "user" | "admin")
                || text
                    .strip_prefix("user:group:")
                    .is_some_and(|id| !id.is_empty());
            (!ok).then(|| {
                format!(
                    "{text:?} is not pending, user, admin or user:group:<group id>: the server would keep the old value"
                )
            })
        }
        _ => None,
    }
}

/// `-1`, `0`, or a non-negative number followed by `ms`, `s`, `m`, `h`, `d` or `w`.
pub fn is_jwt_duration(text: &str) -> bool {
    if text == "-1" || text == "0" {
        return true;
    }
    let number = ["ms", "s", "m", "h", "d", "w"]
        .iter()
        .find_map(|unit| text.strip_suffix(unit));
    number.is_some_and(|n| {
        !n.is_empty()
            && n.chars().all(|c| c.is_ascii_digit() || c == '.')
            && n.parse::<f64>().is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn jwt_durations() {
        for ok in ["-1", "0", "4w", "1.5h", "30m", "500ms", "10s", "7d"] {
            assert!(is_jwt_duration(ok), "{ok}");
        }
        for bad in ["", "1y", "h", "-2h", "forever", "1 h", "1.2.3s"] {
            assert!(!is_jwt_duration(bad), "{bad}");
        }
    }

    #[test]
    fn roles_the_server_would_ignore() {
        assert!(ignored_value("admin_config", "DEFAULT_USER_ROLE", &json!("user")).is_none());
        assert!(
            ignored_value("admin_config", "DEFAULT_USER_ROLE", &json!("user:group:g1")).is_none()
        );
        assert!(ignored_value("admin_config", "DEFAULT_USER_ROLE", &json!("owner")).is_some());
        assert!(ignored_value("other", "DEFAULT_USER_ROLE", &json!("owner")).is_none());
    }
}
