//! The client's one error type, classified the way errors.md says the server means it.
//!
//! The status code alone is not enough: a 401 is either "sign in again" or "you lack the role",
//! told apart only by `detail`, and not-found comes back as 400, 401, 404 or even 500 depending
//! on the endpoint. The few detail strings the contract names are matched by prefix; any other
//! text is carried through untouched.

use serde::Deserialize;
use serde_json::Value;
use std::fmt;

/// Why the server did not accept the credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// 403 `Not authenticated`: no credential was sent.
    Missing,
    /// 401 `401 Unauthorized`: the token could not be verified (bad signature, expired, garbage).
    InvalidToken,
    /// 401 `Your session has expired or the token is invalid.`: the token's user is gone, or the
    /// `sk-` key is unknown.
    SessionExpired,
}

/// A well-known `detail` string of errors.md §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownDetail {
    /// Sign-in failed: wrong e-mail or password.
    InvalidCredentials,
    /// Wrong current password on a password change.
    InvalidPassword,
    /// Role or delegated permission insufficient.
    AccessProhibited,
    /// Business-rule refusal (own role, first user, delete yourself…).
    ActionProhibited,
    /// API keys are disabled, or the path is not on the allow-list.
    ApiKeyNotAllowed,
    /// API key creation is disabled.
    ApiKeyCreationNotAllowed,
    /// The user has no API key.
    ApiKeyNotFound,
    /// The e-mail belongs to another user.
    EmailTaken,
    /// The e-mail failed the server's format check.
    InvalidEmailFormat,
    /// Password over 72 bytes.
    PasswordTooLong,
    /// Password under the sign-up policy.
    PasswordTooWeak,
    /// The generic "could not find" text, used for users and more.
    NotFound,
    /// A license-gated module is not licensed.
    LicenseRequired,
}

impl KnownDetail {
    /// Recognises a detail string by the stable beginning errors.md gives.
    pub fn recognise(detail: &str) -> Option<Self> {
        const PREFIXES: &[(&str, KnownDetail)] = &[
            (
                "The email or password provided is incorrect",
                KnownDetail::InvalidCredentials,
            ),
            (
                "The password provided is incorrect",
                KnownDetail::InvalidPassword,
            ),
            (
                "You do not have permission to access this resource",
                KnownDetail::AccessProhibited,
            ),
            (
                "The requested action has been restricted",
                KnownDetail::ActionProhibited,
            ),
            (
                "Use of API key is not enabled",
                KnownDetail::ApiKeyNotAllowed,
            ),
            (
                "API key creation is not allowed",
                KnownDetail::ApiKeyCreationNotAllowed,
            ),
            (
                "Oops! It looks like there's a hiccup. The API key is missing",
                KnownDetail::ApiKeyNotFound,
            ),
            (
                "Uh-oh! This email is already registered",
                KnownDetail::EmailTaken,
            ),
            (
                "The email format you entered is invalid",
                KnownDetail::InvalidEmailFormat,
            ),
            (
                "Uh-oh! The password you entered is too long",
                KnownDetail::PasswordTooLong,
            ),
            (
                "Password does not meet the minimum requirements",
                KnownDetail::PasswordTooWeak,
            ),
            (
                "We could not find what you're looking for",
                KnownDetail::NotFound,
            ),
            (
                "This feature requires a valid license",
                KnownDetail::LicenseRequired,
            ),
        ];
        PREFIXES
            .iter()
            .find(|(prefix, _)| detail.starts_with(prefix))
            .map(|(_, known)| *known)
    }
}

/// One element of a 422 `loc` path: a field name or an index.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum LocPart {
    /// A field name (or `body` / `query` / `path`).
    Field(String),
    /// A list index or a JSON position.
    Index(i64),
}

impl fmt::Display for LocPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocPart::Field(s) => f.write_str(s),
            LocPart::Index(i) => write!(f, "{i}"),
        }
    }
}

/// One entry of a 422 `detail` list (Pydantic v2 format).
///
/// For a missing field Pydantic echoes the *whole request body* as `input`, which may hold a
/// password: `input` is kept for code that needs it but never printed, not even by `Debug`.
#[derive(Clone, PartialEq, Deserialize)]
pub struct ValidationIssue {
    /// Error type, e.g. `missing`, `int_parsing`, `literal_error`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Where: `body` / `query` / `path`, then field names or indices.
    pub loc: Vec<LocPart>,
    /// The server's message.
    pub msg: String,
    /// The offending input.
    #[serde(default)]
    pub input: Value,
    /// Extra context for some types.
    #[serde(default)]
    pub ctx: Option<Value>,
}

impl fmt::Debug for ValidationIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValidationIssue")
            .field("kind", &self.kind)
            .field("loc", &self.loc)
            .field("msg", &self.msg)
            .field("input", &"(not shown)")
            .finish()
    }
}

impl fmt::Display for ValidationIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path: Vec<String> = self.loc.iter().map(ToString::to_string).collect();
        write!(f, "{}: {}", path.join("."), self.msg)
    }
}

/// Everything that can go wrong talking to a deployment.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The base URL cannot be used.
    #[error("invalid deployment URL {url:?}: {reason}")]
    InvalidUrl {
        /// As given.
        url: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// No connection: refused, unresolvable host, reset.
    #[error("cannot reach {host}: {cause}")]
    Network {
        /// The host asked.
        host: String,
        /// What failed.
        cause: String,
    },
    /// The TLS handshake failed (untrusted or mismatched certificate, protocol error).
    #[error("TLS failure with {host}: {cause}")]
    Tls {
        /// The host asked.
        host: String,
        /// What failed.
        cause: String,
    },
    /// No answer in time.
    #[error("{host} did not answer in time")]
    Timeout {
        /// The host asked.
        host: String,
    },
    /// The credential is missing or no longer valid: sign in again.
    #[error("not signed in: {detail}")]
    NotAuthenticated {
        /// Why.
        reason: AuthFailure,
        /// The server's `detail`.
        detail: String,
    },
    /// Signed in, but the role or delegated permission is not enough (the server's 401
    /// ACCESS_PROHIBITED), or a 403 refusal such as a disabled API key.
    #[error("forbidden: {detail}")]
    Forbidden {
        /// HTTP status.
        status: u16,
        /// The server's `detail`.
        detail: String,
    },
    /// The thing asked for does not exist (whatever status the endpoint uses for it).
    #[error("not found: {detail}")]
    NotFound {
        /// HTTP status.
        status: u16,
        /// The server's `detail`.
        detail: String,
    },
    /// 422: the request did not validate.
    #[error("the server rejected the request: {}", join_issues(.issues))]
    Validation {
        /// Each problem.
        issues: Vec<ValidationIssue>,
    },
    /// Any other 4xx with a detail: wrong password, e-mail taken, action prohibited…
    #[error("refused ({status}): {detail}")]
    Rejected {
        /// HTTP status.
        status: u16,
        /// The server's `detail`.
        detail: String,
    },
    /// 5xx.
    #[error("server error ({status}): {detail}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's `detail`.
        detail: String,
    },
    /// A response that does not fit the contract (not JSON, wrong shape).
    #[error("unexpected response from {endpoint} ({status}): {message}")]
    UnexpectedResponse {
        /// The endpoint called.
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// What did not fit.
        message: String,
    },
}

fn join_issues(issues: &[ValidationIssue]) -> String {
    let parts: Vec<String> = issues.iter().map(ToString::to_string).collect();
    parts.join("; ")
}

impl ApiError {
    /// A stable machine-readable code for IPC and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidUrl { .. } => "invalid_url",
            ApiError::Network { .. } => "network",
            ApiError::Tls { .. } => "tls",
            ApiError::Timeout { .. } => "timeout",
            ApiError::NotAuthenticated { .. } => "not_authenticated",
            ApiError::Forbidden { .. } => "forbidden",
            ApiError::NotFound { .. } => "not_found",
            ApiError::Validation { .. } => "validation",
            ApiError::Rejected { .. } if self.known() == Some(KnownDetail::InvalidCredentials) => {
                "wrong_credentials"
            }
            ApiError::Rejected { .. } => "rejected",
            ApiError::Server { .. } => "server",
            ApiError::UnexpectedResponse { .. } => "unexpected_response",
        }
    }

    /// The well-known detail this error carries, if any.
    pub fn known(&self) -> Option<KnownDetail> {
        match self {
            ApiError::NotAuthenticated { detail, .. }
            | ApiError::Forbidden { detail, .. }
            | ApiError::NotFound { detail, .. }
            | ApiError::Rejected { detail, .. }
            | ApiError::Server { detail, .. } => KnownDetail::recognise(detail),
            _ => None,
        }
    }

    /// Sign-in refused because the e-mail or password is wrong.
    pub fn is_wrong_credentials(&self) -> bool {
        self.known() == Some(KnownDetail::InvalidCredentials)
    }

    /// The session is gone and signing in again may help.
    pub fn needs_sign_in(&self) -> bool {
        matches!(self, ApiError::NotAuthenticated { .. })
    }

    /// Classifies an HTTP error response by status and body, as errors.md §3 describes.
    pub fn from_response(endpoint: &str, status: u16, body: &[u8]) -> Self {
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        let detail_value = parsed.as_ref().and_then(|v| v.get("detail")).cloned();
        if status == 422
            && let Some(list @ Value::Array(_)) = &detail_value
            && let Ok(issues) = serde_json::from_value::<Vec<ValidationIssue>>(list.clone())
        {
            return ApiError::Validation { issues };
        }
        let detail = match detail_value {
            Some(Value::String(s)) => s,
            Some(other) => other.to_string(),
            None => describe_body(body),
        };
        let known = KnownDetail::recognise(&detail);
        match status {
            401 => match known {
                Some(KnownDetail::AccessProhibited) => ApiError::Forbidden { status, detail },
                Some(KnownDetail::NotFound) => ApiError::NotFound { status, detail },
                _ if detail.starts_with("Your session has expired") => ApiError::NotAuthenticated {
                    reason: AuthFailure::SessionExpired,
                    detail,
                },
                _ => ApiError::NotAuthenticated {
                    reason: AuthFailure::InvalidToken,
                    detail,
                },
            },
            403 if detail == "Not authenticated" => ApiError::NotAuthenticated {
                reason: AuthFailure::Missing,
                detail,
            },
            403 => ApiError::Forbidden { status, detail },
            404 => ApiError::NotFound { status, detail },
            400 if known == Some(KnownDetail::NotFound) => ApiError::NotFound { status, detail },
            400..=499 => ApiError::Rejected { status, detail },
            500..=599 => ApiError::Server { status, detail },
            _ => ApiError::UnexpectedResponse {
                endpoint: endpoint.to_owned(),
                status,
                message: detail,
            },
        }
    }
}

/// A short, printable description of a non-JSON body (a proxy's HTML page, say).
fn describe_body(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty body)".to_owned();
    }
    let text = String::from_utf8_lossy(body);
    let squeezed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = squeezed.chars().take(160).collect();
    format!("(not JSON) {cut}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(status: u16, body: &str) -> ApiError {
        ApiError::from_response("GET /x", status, body.as_bytes())
    }

    #[test]
    fn the_two_meanings_of_401_are_told_apart() {
        let bad = classify(401, r#"{"detail":"401 Unauthorized"}"#);
        assert!(matches!(
            bad,
            ApiError::NotAuthenticated {
                reason: AuthFailure::InvalidToken,
                ..
            }
        ));
        let gone = classify(
            401,
            r#"{"detail":"Your session has expired or the token is invalid."}"#,
        );
        assert!(matches!(
            gone,
            ApiError::NotAuthenticated {
                reason: AuthFailure::SessionExpired,
                ..
            }
        ));
        let role = classify(
            401,
            r#"{"detail":"You do not have permission to access this resource. Please contact your administrator for assistance."}"#,
        );
        assert!(matches!(role, ApiError::Forbidden { status: 401, .. }));
        assert!(!role.needs_sign_in());
    }

    #[test]
    fn missing_credential_is_403_not_authenticated() {
        let e = classify(403, r#"{"detail":"Not authenticated"}"#);
        assert!(matches!(
            e,
            ApiError::NotAuthenticated {
                reason: AuthFailure::Missing,
                ..
            }
        ));
        let lic = classify(
            403,
            r#"{"detail":"This feature requires a valid license. Module 'audit_log' is not enabled."}"#,
        );
        assert!(matches!(lic, ApiError::Forbidden { .. }));
        assert_eq!(lic.known(), Some(KnownDetail::LicenseRequired));
    }

    #[test]
    fn not_found_in_all_its_disguises() {
        let msg = r#"{"detail":"We could not find what you're looking for :/"}"#;
        for status in [400, 401, 404] {
            assert!(
                matches!(classify(status, msg), ApiError::NotFound { .. }),
                "{status}"
            );
        }
        assert!(matches!(
            classify(404, r#"{"detail":"Not Found"}"#),
            ApiError::NotFound { .. }
        ));
    }

    #[test]
    fn validation_list_is_parsed_with_locations() {
        let e = classify(
            422,
            r#"{"detail":[{"type":"missing","loc":["body","name"],"msg":"Field required","input":{}},{"type":"int_parsing","loc":["query","skip"],"msg":"Input should be a valid integer","input":"x"}]}"#,
        );
        let ApiError::Validation { issues } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0].to_string(), "body.name: Field required");
        assert_eq!(issues[1].loc[1], LocPart::Field("skip".into()));
        assert_eq!(e.code(), "validation");
    }

    #[test]
    fn validation_input_never_shows_in_debug() {
        let e = classify(
            422,
            r#"{"detail":[{"type":"missing","loc":["body","name"],"msg":"Field required","input":{"password":"Hunter-22-secret"}}]}"#,
        );
        assert!(!format!("{e:?}").contains("Hunter"), "{e:?}");
        assert!(!e.to_string().contains("Hunter"));
        let ApiError::Validation { issues } = e else {
            panic!()
        };
        assert_eq!(
            issues[0].input["password"], "Hunter-22-secret",
            "still available to code"
        );
    }

    #[test]
    fn wrong_password_has_its_own_code() {
        let e = classify(
            400,
            r#"{"detail":"The email or password provided is incorrect. Please check for typos and try logging in again."}"#,
        );
        assert!(e.is_wrong_credentials());
        assert_eq!(e.code(), "wrong_credentials");
    }

    #[test]
    fn non_json_bodies_are_described_not_lost() {
        let e = classify(502, "<html><body>Bad   Gateway</body></html>");
        let ApiError::Server { status, detail } = e else {
            panic!()
        };
        assert_eq!(status, 502);
        assert!(detail.contains("Bad Gateway"), "{detail}");
    }

    #[test]
    fn object_details_are_kept_as_json_text() {
        let e = classify(
            429,
            r#"{"detail":{"code":"USAGE_LIMIT_EXCEEDED","daily_limit":10}}"#,
        );
        let ApiError::Rejected { detail, .. } = e else {
            panic!()
        };
        assert!(detail.contains("USAGE_LIMIT_EXCEEDED"));
    }
}
