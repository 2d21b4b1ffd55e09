//! Deployment base URLs.

use crate::ApiError;
use url::Url;

/// Turns what a person types into a deployment base URL.
///
/// `chat.example.com` becomes `https://chat.example.com/`; a path prefix is kept and always ends
/// with `/` so that API paths join under it; query and fragment are refused.
pub fn normalize_base_url(input: &str) -> Result<Url, ApiError> {
    let trimmed = input.trim();
    let invalid = |reason: &str| ApiError::InvalidUrl {
        url: trimmed.to_owned(),
        reason: reason.to_owned(),
    };
    if trimmed.is_empty() {
        return Err(invalid("it is empty"));
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_owned()
    } else {
        format!("https://{trimmed}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| invalid(&e.to_string()))?;
    match url.scheme() {
        "http" | "https" => {}
        other => return Err(invalid(&format!("scheme {other} is not http or https"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a deployment URL has no query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("credentials do not belong in the URL"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_scheme_and_trailing_slash() {
        let cases = [
            ("chat.example.com", "https://chat.example.com/"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
            (
                " https://corp.example.com/cloosphere ",
                "https://corp.example.com/cloosphere/",
            ),
            (
                "https://corp.example.com/cloosphere/",
                "https://corp.example.com/cloosphere/",
            ),
        ];
        for (given, want) in cases {
            assert_eq!(normalize_base_url(given).expect(given).as_str(), want);
        }
    }

    #[test]
    fn refuses_what_is_not_a_deployment_url() {
        for bad in [
            "",
            "ftp://example.com",
            "https://example.com/?x=1",
            "https://u:p@example.com",
            "https://",
        ] {
            assert!(
                matches!(normalize_base_url(bad), Err(ApiError::InvalidUrl { .. })),
                "{bad:?} should be refused"
            );
        }
    }
}
