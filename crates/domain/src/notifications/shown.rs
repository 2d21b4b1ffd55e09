//! What of a channel may be shown, journaled or exported. The server answers two credentials in
//! clear — a webhook `url` (a Slack, Teams or Discord URL is its own password) and an Azure
//! Communication Services `connection_string` (it holds the access key) — so the console shows
//! them cut down to where they reach, as it shows a masked secret.

use crate::settings::{get_path, mask, set_path};
use serde_json::Value;

use super::ChannelKind;

/// Fields the server answers in clear that are credentials all the same.
pub const CLEAR_CREDENTIALS: [&str; 2] = ["url", "azure.connection_string"];

/// A webhook URL cut to its scheme, host and the last four characters of the rest:
/// `https://hooks.slack.com/…Xy9q`.
pub fn shown_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return if url.is_empty() {
            String::new()
        } else {
            mask(url)
        };
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if path.is_empty() {
        return format!("{scheme}://{host}/");
    }
    let tail: String = {
        let chars: Vec<char> = path.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    };
    format!("{scheme}://{host}/…{tail}")
}

/// An ACS connection string with its access key masked (`endpoint=…;accesskey=****abcd`).
pub fn shown_connection_string(text: &str) -> String {
    text.split(';')
        .map(|part| match part.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("endpoint") => format!("{k}={v}"),
            Some((k, v)) => format!("{k}={}", mask(v)),
            None => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// A field's value as it may be shown (the credentials in clear cut down; the rest as is).
pub fn shown_field(path: &str, value: &Value) -> Value {
    match (path, value.as_str()) {
        ("url", Some(url)) => Value::String(shown_url(url)),
        ("azure.connection_string", Some(cs)) => Value::String(shown_connection_string(cs)),
        _ => value.clone(),
    }
}

/// A channel as it may be shown: secrets as the server masked them, and the credentials it
/// answers in clear cut down.
pub fn shown_channel(kind: ChannelKind, values: &Value) -> Value {
    let mut v = values.clone();
    let fields: &[&str] = match kind {
        ChannelKind::Email => &["azure.connection_string"],
        ChannelKind::Webhook => &["url"],
    };
    for path in fields {
        if let Some(value) = get_path(values, path) {
            let _ = set_path(&mut v, path, shown_field(path, value));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_url_shows_only_where_it_goes() {
        assert_eq!(
            shown_url("https://hooks.slack.com/services/T000/B000/XXXXsecretY9q2"),
            "https://hooks.slack.com/…Y9q2"
        );
        assert_eq!(shown_url("https://example.com"), "https://example.com/");
        assert_eq!(shown_url(""), "");
    }

    #[test]
    fn a_connection_string_keeps_its_endpoint_and_hides_its_key() {
        let shown = shown_connection_string(
            "endpoint=https://acme.communication.azure.com/;accesskey=c2VjcmV0LWtleS12YWx1ZQ==",
        );
        assert!(shown.starts_with("endpoint=https://acme.communication.azure.com/;accesskey=***"));
        assert!(!shown.contains("c2VjcmV0"));
    }
}
