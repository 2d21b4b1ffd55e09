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

/// Engines whose settings the embedding POST applies; with any other (the local engine) it
/// keeps batch size, dimensions and every provider block as they were.
pub const REMOTE_EMBEDDING_ENGINES: [&str; 5] =
    ["ollama", "openai", "azure_openai", "gemini", "vertex_ai"];

/// Why a change at `path` would be ignored or half-applied given the whole edited section
/// `edited`, if it would: rules that depend on another field.
pub fn ignored_in_context(section: &str, path: &str, edited: &Value) -> Option<String> {
    let top = path.split('.').next().unwrap_or(path);
    match section {
        "embedding" if top != "embedding_engine" && top != "embedding_model" => {
            let engine = edited["embedding_engine"].as_str().unwrap_or_default();
            (!REMOTE_EMBEDDING_ENGINES.contains(&engine)).then(|| {
                format!(
                    "the server applies it only with a remote engine ({}); with {:?} it would keep the old value",
                    REMOTE_EMBEDDING_ENGINES.join(", "),
                    engine
                )
            })
        }
        "image_config" if path == "IMAGE_SIZE" => {
            let size = edited["IMAGE_SIZE"].as_str().unwrap_or_default();
            (!is_image_size(size)).then(|| {
                format!(
                    "{size:?} is not WIDTHxHEIGHT (like 512x512): the server would refuse it after writing MODEL"
                )
            })
        }
        "image_config" if path == "IMAGE_STEPS" => {
            let ok = edited["IMAGE_STEPS"].as_i64().is_some_and(|s| s >= 0);
            (!ok).then(|| {
                "steps must be a whole number of 0 or more: the server would refuse it after writing MODEL"
                    .to_owned()
            })
        }
        _ => None,
    }
}

/// `<W>x<H>` in digits.
pub fn is_image_size(text: &str) -> bool {
    text.split_once('x').is_some_and(|(w, h)| {
        !w.is_empty()
            && !h.is_empty()
            && w.bytes().all(|b| b.is_ascii_digit())
            && h.bytes().all(|b| b.is_ascii_digit())
    })
}

/// A value as the server will store it, where it converts silently (the Images config: empty
/// AUTOMATIC1111 cfg scale, sampler and scheduler become null, the cfg scale a float, the
/// ComfyUI URL loses its trailing slashes), so the review shows what will be stored.
pub fn as_stored(section: &str, path: &str, value: Value) -> Value {
    if section != "images" {
        return value;
    }
    let field = path.rsplit('.').next().unwrap_or(path);
    match (field, &value) {
        (
            "AUTOMATIC1111_CFG_SCALE" | "AUTOMATIC1111_SAMPLER" | "AUTOMATIC1111_SCHEDULER",
            Value::String(s),
        ) if s.is_empty() => Value::Null,
        ("AUTOMATIC1111_CFG_SCALE", Value::Number(n)) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(value),
        ("AUTOMATIC1111_CFG_SCALE", Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(value),
        ("COMFYUI_BASE_URL", Value::String(s)) => Value::String(s.trim_end_matches('/').to_owned()),
        _ => value,
    }
}

#[cfg(test)]
mod context_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn embedding_settings_other_than_engine_and_model_need_a_remote_engine() {
        let local = json!({"embedding_engine": "", "embedding_batch_size": 8});
        assert!(ignored_in_context("embedding", "embedding_batch_size", &local).is_some());
        assert!(ignored_in_context("embedding", "openai_config.key", &local).is_some());
        assert!(ignored_in_context("embedding", "embedding_model", &local).is_none());
        let remote = json!({"embedding_engine": "openai", "embedding_batch_size": 8});
        assert!(ignored_in_context("embedding", "embedding_batch_size", &remote).is_none());
    }

    #[test]
    fn image_size_and_steps_are_checked_before_the_model_is_written() {
        let bad = json!({"MODEL": "m", "IMAGE_SIZE": "512", "IMAGE_STEPS": -1});
        assert!(ignored_in_context("image_config", "IMAGE_SIZE", &bad).is_some());
        assert!(ignored_in_context("image_config", "IMAGE_STEPS", &bad).is_some());
        let good = json!({"MODEL": "m", "IMAGE_SIZE": "1024x768", "IMAGE_STEPS": 30});
        assert!(ignored_in_context("image_config", "IMAGE_SIZE", &good).is_none());
        assert!(ignored_in_context("image_config", "IMAGE_STEPS", &good).is_none());
    }

    #[test]
    fn image_values_are_shown_as_the_server_stores_them() {
        assert_eq!(
            as_stored("images", "automatic1111.AUTOMATIC1111_SAMPLER", json!("")),
            Value::Null
        );
        assert_eq!(
            as_stored("images", "automatic1111.AUTOMATIC1111_CFG_SCALE", json!(7)),
            json!(7.0)
        );
        assert_eq!(
            as_stored(
                "images",
                "comfyui.COMFYUI_BASE_URL",
                json!("http://c:8188/")
            ),
            json!("http://c:8188")
        );
        assert_eq!(as_stored("tasks", "X", json!("")), json!(""));
    }
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
