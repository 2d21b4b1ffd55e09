//! Wire types of the endpoints the console uses. Field names are the contract's.
//!
//! Responses are parsed leniently (unknown keys ignored, optional keys defaulted) because real
//! deployments add fields between versions; requests carry exactly the documented fields.

use cloo_domain::{Role, Secret};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always `true` on a live server.
    pub status: bool,
}

/// `GET /api/version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// The server version, e.g. `0.6.5`.
    pub version: String,
}

/// `GET /api/config`: the public bootstrap configuration. Every key is optional because the
/// answer differs with and without a session, and between versions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AppConfig {
    /// Product name shown by the web UI (`ClooSphere`).
    #[serde(default)]
    pub name: Option<String>,
    /// Server version.
    #[serde(default)]
    pub version: Option<String>,
    /// `true` on a working server.
    #[serde(default)]
    pub status: Option<bool>,
    /// True while the deployment has no user yet.
    #[serde(default)]
    pub onboarding: Option<bool>,
    /// Default UI locale.
    #[serde(default)]
    pub default_locale: Option<String>,
    /// Feature switches relevant before sign-in.
    #[serde(default)]
    pub features: AppFeatures,
}

/// `features` of [`AppConfig`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppFeatures {
    /// Authentication is on (false only for single-user installs).
    #[serde(default)]
    pub auth: Option<bool>,
    /// Sign-in through a trusted header (SSO proxy).
    #[serde(default)]
    pub auth_trusted_header: Option<bool>,
    /// LDAP sign-in offered.
    #[serde(default)]
    pub enable_ldap: Option<bool>,
    /// API keys may be used.
    #[serde(default)]
    pub enable_api_key: Option<bool>,
    /// Self sign-up open.
    #[serde(default)]
    pub enable_signup: Option<bool>,
    /// The e-mail/password form is shown.
    #[serde(default)]
    pub enable_login_form: Option<bool>,
}

/// Body of `POST /api/v1/auths/signin`.
#[derive(Debug, Clone, Serialize)]
pub struct SigninForm<'a> {
    /// Lower-cased by the server.
    pub email: &'a str,
    /// Plain password (sent over TLS).
    pub password: &'a Secret,
}

/// Body of `POST /api/v1/auths/signup`.
#[derive(Debug, Clone, Serialize)]
pub struct SignupForm<'a> {
    /// Display name (not validated).
    pub name: &'a str,
    /// E-mail; format-checked.
    pub email: &'a str,
    /// Must meet the sign-up policy.
    pub password: &'a Secret,
}

/// Body of `POST /api/v1/auths/add` (admin creates a user).
#[derive(Debug, Clone, Serialize)]
pub struct AddUserForm<'a> {
    /// Display name.
    pub name: &'a str,
    /// E-mail; format-checked and lower-cased by the server.
    pub email: &'a str,
    /// No strength check on the server: check it before sending.
    pub password: &'a Secret,
    /// Role; the server stores any string, so send only `admin|user|pending`.
    pub role: &'a str,
    /// Avatar; the server's default is `/user.png`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_image_url: Option<&'a str>,
}

/// `SessionUserResponse`: the answer of sign-in, sign-up and `GET /api/v1/auths/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionUser {
    /// User id.
    pub id: String,
    /// Lower-cased e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role as stored.
    pub role: Role,
    /// Avatar URL, path or data URI.
    #[serde(default)]
    pub profile_image_url: String,
    /// The JWT to send as `Authorization: Bearer`.
    pub token: Secret,
    /// Always `Bearer`.
    #[serde(default)]
    pub token_type: String,
    /// Epoch seconds; `None` = never expires.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// Effective feature permissions (permissions.md §3); absent from some answers.
    #[serde(default)]
    pub permissions: Option<Value>,
}

/// `SigninResponse` of `POST /api/v1/auths/add`. The server also returns a never-expiring JWT
/// *for the new user*; it is not even parsed, so it cannot leak.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AddedUser {
    /// New user id.
    pub id: String,
    /// Stored (lower-cased) e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role as stored.
    pub role: Role,
    /// Avatar.
    #[serde(default)]
    pub profile_image_url: String,
}

/// `{"api_key": "sk-…"}` of the API-key endpoints.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiKeyResponse {
    /// The plaintext key.
    pub api_key: Option<Secret>,
}

/// A user record of `GET /api/v1/users/` (`UserModel`), without its secrets.
///
/// The real record carries the user's plaintext `api_key` and UI `settings`; neither is a field
/// here, so they are discarded during parsing and cannot be stored, printed or sent over IPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// User id (UUID).
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail as stored (lower-cased, or only the local part on de-identifying servers).
    pub email: String,
    /// Role as stored; may be any string.
    #[serde(default = "pending_role")]
    pub role: Role,
    /// Avatar URL, path or data URI.
    #[serde(default)]
    pub profile_image_url: String,
    /// Epoch seconds of the last authenticated request.
    pub last_active_at: i64,
    /// Epoch seconds; set at creation and not maintained by the server.
    pub updated_at: i64,
    /// Epoch seconds of creation.
    pub created_at: i64,
    /// Free-form info; holds `usage_limit.per_model` overrides.
    #[serde(default)]
    pub info: Option<Value>,
    /// SSO subject.
    #[serde(default)]
    pub oauth_sub: Option<String>,
    /// Entra object id.
    #[serde(default)]
    pub oauth_oid: Option<String>,
}

fn pending_role() -> Role {
    Role::Pending
}
