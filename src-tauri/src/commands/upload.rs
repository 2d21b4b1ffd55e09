//! Files sent from the webview as raw bytes (not a JSON array of numbers, which is several
//! times larger and slow for a 20 MB import), with their other arguments in headers.

use cloo_console::ErrorView;
use tauri::ipc::{InvokeBody, Request};

/// A file and the arguments that came with it.
pub struct Upload {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    headers: Vec<(String, String)>,
}

impl Upload {
    /// Reads the raw body and the headers of a command invocation.
    pub fn from_request(request: &Request<'_>) -> Result<Upload, ErrorView> {
        let InvokeBody::Raw(bytes) = request.body() else {
            return Err(invalid("the file must be sent as raw bytes"));
        };
        let headers = request
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), percent_decode(v.to_str().ok()?))))
            .collect();
        Ok(Upload {
            bytes: bytes.clone(),
            headers,
        })
    }

    /// A header (names are case-insensitive; values were percent-encoded by the webview).
    pub fn arg(&self, name: &str) -> Result<String, ErrorView> {
        self.optional(name)
            .ok_or_else(|| invalid(&format!("missing argument {name}")))
    }

    /// A header that may be absent.
    pub fn optional(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

fn invalid(message: &str) -> ErrorView {
    ErrorView {
        code: "invalid_input".into(),
        message: message.into(),
    }
}

/// Decodes `%XX` escapes (what `encodeURIComponent` writes) into UTF-8 text.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn percent_escapes_decode_to_utf8_and_stray_signs_stay() {
        assert_eq!(
            percent_decode("%EC%A1%B0%EC%A7%81%EB%8F%84.json"),
            "조직도.json"
        );
        assert_eq!(percent_decode("100%25 done%"), "100% done%");
        assert_eq!(percent_decode("plain"), "plain");
    }
}
