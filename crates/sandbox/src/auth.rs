//! Credentials as the server checks them (errors.md §3): bearer header or `token` cookie,
//! `sk-` API keys, HS256 JWTs whose only claim is `id`, then the role dependency.

use crate::AppState;
use crate::algorithms::permissions::Gate;
use crate::db::UserRow;
use crate::errors::{self, ApiFailure};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The hasher for new passwords: argon2id with light parameters. A practice server gains nothing
/// from a costly hash, and imports of thousands of users stay fast; verification reads the
/// parameters stored in each hash.
fn hasher() -> Argon2<'static> {
    let params = argon2::Params::new(1024, 1, 1, None).unwrap_or_default();
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// Hashes a password (argon2id).
pub fn hash_password(password: &str) -> Result<String, ApiFailure> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiFailure::internal)
}

/// Checks a password against a stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exp: Option<i64>,
}

/// Issues a JWT for `user_id`; without an expiry unless `expires_in` seconds are given.
/// Returns the token and its `expires_at`.
pub fn issue_token(
    key: &[u8],
    user_id: &str,
    expires_in: Option<i64>,
) -> Result<(String, Option<i64>), ApiFailure> {
    let exp = expires_in.map(|secs| crate::now() + secs);
    let claims = Claims {
        id: user_id.to_owned(),
        exp,
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(key),
    )
    .map(|t| (t, exp))
    .map_err(ApiFailure::internal)
}

fn decode_token(key: &[u8], token: &str) -> Option<String> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.required_spec_claims.clear();
    validation.validate_aud = false;
    // PyJWT, which the server uses, allows no leeway on `exp`.
    validation.leeway = 0;
    jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(key), &validation)
        .ok()
        .map(|data| data.claims.id)
}

/// A new API key: `sk-` and 32 lower-case hex characters.
pub fn new_api_key() -> String {
    format!("sk-{}", uuid::Uuid::new_v4().simple())
}

fn credential_of(parts: &Parts) -> Option<String> {
    let bearer = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, rest)| scheme.eq_ignore_ascii_case("bearer") && !rest.trim().is_empty())
        .map(|(_, rest)| rest.trim().to_owned());
    bearer.or_else(|| {
        parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == "token")
            .map(|(_, value)| value.to_owned())
    })
}

/// The user of the `token` cookie alone, as `GET /api/config` finds its caller: a session token
/// (never an API key, never the Authorization header); `None` for anyone else.
pub async fn cookie_user(state: &AppState, headers: &axum::http::HeaderMap) -> Option<UserRow> {
    let token = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "token")
        .map(|(_, value)| value.to_owned())?;
    let id = decode_token(&state.jwt_key, &token)?;
    state.db.user_by_id(&id).await.ok().flatten()
}

/// Resolves the request's credential to a user, or answers as the server does.
async fn authenticate(state: &AppState, parts: &Parts) -> Result<UserRow, ApiFailure> {
    let credential =
        credential_of(parts).ok_or_else(|| ApiFailure::forbidden(errors::NOT_AUTHENTICATED))?;
    let user = if credential.starts_with("sk-") {
        if !state.setting_bool("ENABLE_API_KEY", true).await? {
            return Err(ApiFailure::forbidden(errors::API_KEY_NOT_ALLOWED));
        }
        state
            .db
            .user_by_api_key(&credential)
            .await?
            .ok_or_else(|| ApiFailure::unauthorized(errors::INVALID_TOKEN))?
    } else {
        let id = decode_token(&state.jwt_key, &credential)
            .ok_or_else(|| ApiFailure::unauthorized(errors::UNAUTHORIZED))?;
        state
            .db
            .user_by_id(&id)
            .await?
            .ok_or_else(|| ApiFailure::unauthorized(errors::INVALID_TOKEN))?
    };
    state.db.touch(&user.id, crate::now()).await?;
    Ok(user)
}

/// Any authenticated caller, whatever the role (pending included).
pub struct AnyUser(pub UserRow);

/// A caller whose role is exactly `user` or `admin`.
pub struct Verified(pub UserRow);

/// Admin, or `admin.users` ≥ read from a group.
pub struct UsersReader;

/// Admin, or `admin.users` = write from a group.
pub struct UsersWriter(pub UserRow);

/// Admin, or `admin.users` other than none from a group (the groups router).
pub struct GroupManager(pub UserRow);

/// Admin, or `admin.settings` ≥ read from a group.
pub struct SettingsReader;

/// Admin, or `admin.monitoring` ≥ read from a group.
pub struct MonitoringReader;

/// Admin, or `admin.settings` = write from a group.
pub struct SettingsWriter;

async fn verified(state: &AppState, parts: &Parts) -> Result<UserRow, ApiFailure> {
    let user = authenticate(state, parts).await?;
    if crate::rules::is_verified(&user) {
        Ok(user)
    } else {
        Err(ApiFailure::unauthorized(errors::ACCESS_PROHIBITED))
    }
}

async fn gated(state: &AppState, parts: &Parts, gate: Gate) -> Result<UserRow, ApiFailure> {
    let user = verified(state, parts).await?;
    if crate::rules::allowed(state, &user, gate).await? {
        Ok(user)
    } else {
        Err(ApiFailure::unauthorized(errors::ACCESS_PROHIBITED))
    }
}

/// A caller whose role is exactly `admin`.
pub struct AdminUser(pub UserRow);

impl FromRequestParts<Arc<AppState>> for AnyUser {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        authenticate(state, parts).await.map(AnyUser)
    }
}

impl FromRequestParts<Arc<AppState>> for AdminUser {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        let user = authenticate(state, parts).await?;
        if user.role == "admin" {
            Ok(AdminUser(user))
        } else {
            Err(ApiFailure::unauthorized(errors::ACCESS_PROHIBITED))
        }
    }
}

impl FromRequestParts<Arc<AppState>> for Verified {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        verified(state, parts).await.map(Verified)
    }
}

impl FromRequestParts<Arc<AppState>> for UsersReader {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        gated(state, parts, Gate::AtLeast("users", 2))
            .await
            .map(|_| UsersReader)
    }
}

impl FromRequestParts<Arc<AppState>> for UsersWriter {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        gated(state, parts, Gate::AtLeast("users", 3))
            .await
            .map(UsersWriter)
    }
}

impl FromRequestParts<Arc<AppState>> for GroupManager {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        gated(state, parts, Gate::AnyNonNone("users"))
            .await
            .map(GroupManager)
    }
}

impl FromRequestParts<Arc<AppState>> for SettingsReader {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        gated(state, parts, Gate::AtLeast("settings", 2))
            .await
            .map(|_| SettingsReader)
    }
}

impl FromRequestParts<Arc<AppState>> for MonitoringReader {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        gated(state, parts, Gate::AtLeast("monitoring", 2))
            .await
            .map(|_| MonitoringReader)
    }
}

impl FromRequestParts<Arc<AppState>> for SettingsWriter {
    type Rejection = ApiFailure;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        gated(state, parts, Gate::AtLeast("settings", 3))
            .await
            .map(|_| SettingsWriter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_only_the_id_and_verify_with_their_key() {
        let (token, exp) = issue_token(b"k1", "u-1", None).expect("token");
        assert_eq!(exp, None);
        assert_eq!(decode_token(b"k1", &token).as_deref(), Some("u-1"));
        assert_eq!(decode_token(b"other", &token), None);
        assert_eq!(decode_token(b"k1", "garbage"), None);
    }

    #[test]
    fn expired_tokens_do_not_verify() {
        let (token, exp) = issue_token(b"k", "u", Some(-5)).expect("token");
        assert!(exp.is_some());
        assert_eq!(decode_token(b"k", &token), None);
    }

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("Sandbox-Demo-1").expect("hash");
        assert!(verify_password("Sandbox-Demo-1", &hash));
        assert!(!verify_password("sandbox-demo-1", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn api_keys_have_the_server_format() {
        let key = new_api_key();
        assert_eq!(key.len(), 35);
        assert!(key.starts_with("sk-"));
        assert!(
            key[3..]
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}
