//! Files sent from the webview as raw bytes (not a JSON array of numbers, which is several
//! times larger and slow for a 20 MB import), with their other arguments in headers.

// An argument's failure is the command's reply, which is an ErrorView whatever its size.
#![allow(clippy::result_large_err)]

use cloo_console::{ErrorCode, ErrorView};
use tauri::ipc::{InvokeBody, Request};

/// An upload argument read from its header.
pub trait FromHeader: Sized {
    /// Reads the header's (decoded) value; `None` when the header is absent.
    fn from_header(name: &str, value: Option<String>) -> Result<Self, ErrorView>;
}

impl FromHeader for String {
    fn from_header(name: &str, value: Option<String>) -> Result<Self, ErrorView> {
        value.ok_or_else(|| invalid(&format!("missing argument {name}")))
    }
}

impl FromHeader for Option<String> {
    fn from_header(_: &str, value: Option<String>) -> Result<Self, ErrorView> {
        Ok(value.filter(|v| !v.is_empty()))
    }
}

impl FromHeader for bool {
    fn from_header(name: &str, value: Option<String>) -> Result<Self, ErrorView> {
        match value.as_deref() {
            Some("1" | "true") => Ok(true),
            Some("0" | "false") | None => Ok(false),
            Some(other) => Err(invalid(&format!("{name}: {other:?} is not a yes or no"))),
        }
    }
}

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

    /// An argument from its header (names are case-insensitive; values were percent-encoded
    /// by the webview).
    pub fn arg<T: FromHeader>(&self, name: &str) -> Result<T, ErrorView> {
        T::from_header(name, self.header(name))
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

fn invalid(message: &str) -> ErrorView {
    ErrorView::new(ErrorCode::Validation, message)
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
