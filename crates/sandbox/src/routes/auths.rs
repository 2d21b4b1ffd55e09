//! The auth router (auth.md): sign-in, sign-up, sessions, admin add, API keys, Super Admin,
//! admin details and the usage-limit settings; plus the public bootstrap endpoints.

use super::SERVER_VERSION;
use crate::auth::{self, AdminUser, AnyUser};
use crate::db::{NewUser, UserRow};
use crate::errors::{self, ApiFailure, ApiResult};
use crate::validate::{Field, Form, Kind, Valid};
use crate::{AppState, now};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// The auth router's routes (and the public bootstrap endpoints).
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/health", get(health))
        .route("/api/version", get(version))
        .route("/api/config", get(app_config))
        .route("/api/v1/auths/", get(session_user))
        .route("/api/v1/auths/signin", post(signin))
        .route("/api/v1/auths/signup", post(signup))
        .route("/api/v1/auths/add", post(add_user))
        .route(
            "/api/v1/auths/api_key",
            get(get_api_key).post(create_api_key).delete(delete_api_key),
        )
        .route("/api/v1/auths/admin/sa", post(set_super_admin))
        .route("/api/v1/auths/admin/details", get(admin_details))
        .route(
            "/api/v1/auths/admin/config/usage-limit",
            get(get_usage_limit_config).post(set_usage_limit_config),
        )
        .route("/api/v1/configs/export", get(config_export))
}

async fn health() -> Json<Value> {
    Json(json!({"status": true}))
}

async fn version() -> Json<Value> {
    Json(json!({"version": SERVER_VERSION}))
}

async fn app_config(
    State(state): State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
) -> ApiResult<Json<Value>> {
    let onboarding = state.db.user_count().await? == 0;
    let enable_signup = state.setting_bool("ENABLE_SIGNUP", true).await?;
    let enable_api_key = state.setting_bool("ENABLE_API_KEY", true).await?;
    let mut config = json!({
        "onboarding": onboarding,
        "status": true,
        "name": "ClooSphere",
        "version": SERVER_VERSION,
        "default_locale": "",
        "branding": {
            "favicon_url": "/api/v1/branding/favicon",
            "favicon_dark_url": "/api/v1/branding/favicon-dark",
            "logo_url": "/api/v1/branding/logo",
            "splash_url": "/api/v1/branding/splash",
            "splash_dark_url": "/api/v1/branding/splash-dark",
            "browser_favicon_url": "/api/v1/branding/browser-favicon",
        },
        "oauth": {"providers": {}},
        "features": {
            "auth": true,
            "auth_trusted_header": false,
            "enable_ldap": false,
            "enable_api_key": enable_api_key,
            "enable_signup": enable_signup,
            "enable_login_form": true,
            "enable_email_deidentify": false,
            "enable_websocket": false,
        },
    });
    // Signed in by the token cookie (the only way this endpoint knows anyone): the
    // authenticated fields too.
    if crate::auth::cookie_user(&state, &headers).await.is_some() {
        config["default_models"] = state
            .db
            .config("DEFAULT_MODELS")
            .await?
            .unwrap_or(Value::Null);
        config["default_prompt_suggestions"] = state
            .db
            .config("DEFAULT_PROMPT_SUGGESTIONS")
            .await?
            .unwrap_or_else(|| json!([]));
    }
    Ok(Json(config))
}

#[derive(Deserialize)]
struct SigninForm {
    email: String,
    password: String,
}

impl Form for SigninForm {
    const FIELDS: &'static [Field] = &[Field::string("email"), Field::string("password")];
}

#[derive(Deserialize)]
struct SignupForm {
    name: String,
    email: String,
    password: String,
    profile_image_url: Option<String>,
}

impl Form for SignupForm {
    const FIELDS: &'static [Field] = &[
        Field::string("name"),
        Field::string("email"),
        Field::string("password"),
        Field::optional_string("profile_image_url"),
    ];
}

#[derive(Deserialize)]
struct AddUserForm {
    name: String,
    email: String,
    password: String,
    profile_image_url: Option<String>,
    role: Option<String>,
}

impl Form for AddUserForm {
    const FIELDS: &'static [Field] = &[
        Field::string("name"),
        Field::string("email"),
        Field::string("password"),
        Field::optional_string("profile_image_url"),
        Field::optional_string("role"),
    ];
}

/// The `SessionUserResponse` with a fresh token, and the `token` cookie the server sets.
async fn session_response(state: &AppState, user: &UserRow) -> ApiResult<Response> {
    let (token, expires_at) = auth::issue_token(&state.jwt_key, &user.id, state.token_lifetime)?;
    let body = json!({
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "profile_image_url": user.profile_image_url,
        "token": token,
        "token_type": "Bearer",
        "expires_at": expires_at,
        "permissions": crate::rules::effective(state, user).await?,
    });
    let cookie = format!("token={token}; HttpOnly; Path=/; SameSite=lax");
    let mut response = Json(body).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

async fn signin(
    State(state): State<Arc<AppState>>,
    Valid(form): Valid<SigninForm>,
) -> ApiResult<Response> {
    let email = form.email.trim().to_lowercase();
    let invalid = || ApiFailure::bad_request(errors::INVALID_CRED);
    let Some((id, hash)) = state.db.password_hash(&email).await? else {
        crate::audit_trail::sign_in(&state, None, &email).await;
        return Err(invalid());
    };
    if !auth::verify_password(&form.password, &hash) {
        crate::audit_trail::sign_in(&state, None, &email).await;
        return Err(invalid());
    }
    let user = state.db.user_by_id(&id).await?.ok_or_else(invalid)?;
    crate::audit_trail::sign_in(&state, Some(&user), &email).await;
    session_response(&state, &user).await
}

/// The checks sign-up and admin-add share: format, uniqueness, then (for sign-up) the policy.
async fn check_new_email(state: &AppState, email: &str) -> ApiResult<()> {
    if !crate::algorithms::credentials::email_format_ok(email) {
        return Err(ApiFailure::bad_request(errors::INVALID_EMAIL_FORMAT));
    }
    if state.db.user_by_email(email).await?.is_some() {
        return Err(ApiFailure::bad_request(errors::EMAIL_TAKEN));
    }
    Ok(())
}

async fn signup(
    State(state): State<Arc<AppState>>,
    Valid(form): Valid<SignupForm>,
) -> ApiResult<Response> {
    let count = state.db.user_count().await?;
    let allowed = count == 0 || state.setting_bool("ENABLE_SIGNUP", true).await?;
    if !allowed {
        return Err(ApiFailure::forbidden(errors::ACCESS_PROHIBITED));
    }
    let email = form.email.to_lowercase();
    check_new_email(&state, &email).await?;
    if form.password.len() > crate::algorithms::credentials::MAX_PASSWORD_BYTES {
        return Err(ApiFailure::bad_request(errors::PASSWORD_TOO_LONG));
    }
    if !crate::algorithms::credentials::password_strong(&form.password) {
        return Err(ApiFailure::bad_request(errors::PASSWORD_TOO_WEAK));
    }
    let role = if count == 0 {
        "admin".to_owned()
    } else {
        state.setting_str("DEFAULT_USER_ROLE", "pending").await?
    };
    let hash = auth::hash_password(&form.password)?;
    let user = NewUser::local(form.name, email, role, form.profile_image_url, now(), hash);
    state.db.insert_users(std::slice::from_ref(&user)).await?;
    let row = state
        .db
        .user_by_id(&user.id)
        .await?
        .ok_or_else(|| ApiFailure::internal("lost new user"))?;
    session_response(&state, &row).await
}

async fn session_user(
    State(state): State<Arc<AppState>>,
    AnyUser(user): AnyUser,
) -> ApiResult<Response> {
    session_response(&state, &user).await
}

async fn add_user(
    State(state): State<Arc<AppState>>,
    AdminUser(_admin): AdminUser,
    Valid(form): Valid<AddUserForm>,
) -> ApiResult<Json<Value>> {
    let email = form.email.to_lowercase();
    check_new_email(&state, &email).await?;
    // No strength check here (auth.md §3.5); an over-long password fails inside the hasher.
    if form.password.len() > crate::algorithms::credentials::MAX_PASSWORD_BYTES {
        return Err(ApiFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            errors::ADD_USER_ERROR,
        ));
    }
    let role = form.role.unwrap_or_else(|| "pending".into());
    let hash = auth::hash_password(&form.password)?;
    let user = NewUser::local(form.name, email, role, form.profile_image_url, now(), hash);
    state.db.insert_users(std::slice::from_ref(&user)).await?;
    // The real server answers with a never-expiring token for the new user.
    let (token, _) = auth::issue_token(&state.jwt_key, &user.id, None)?;
    Ok(Json(json!({
        "token": token,
        "token_type": "Bearer",
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "profile_image_url": user.profile_image_url,
    })))
}

async fn create_api_key(
    State(state): State<Arc<AppState>>,
    AnyUser(user): AnyUser,
) -> ApiResult<Json<Value>> {
    if !state.setting_bool("ENABLE_API_KEY", true).await? {
        return Err(ApiFailure::forbidden(errors::API_KEY_CREATION_NOT_ALLOWED));
    }
    let key = auth::new_api_key();
    state.db.set_api_key(&user.id, Some(&key)).await?;
    Ok(Json(json!({"api_key": key})))
}

async fn get_api_key(AnyUser(user): AnyUser) -> ApiResult<Json<Value>> {
    match user.api_key {
        Some(key) => Ok(Json(json!({"api_key": key}))),
        None => Err(ApiFailure::new(
            StatusCode::NOT_FOUND,
            errors::API_KEY_NOT_FOUND,
        )),
    }
}

async fn delete_api_key(
    State(state): State<Arc<AppState>>,
    AnyUser(user): AnyUser,
) -> ApiResult<Json<bool>> {
    Ok(Json(state.db.set_api_key(&user.id, None).await?))
}

#[derive(Deserialize)]
struct SuperAdminForm {
    email: String,
}

impl Form for SuperAdminForm {
    const FIELDS: &'static [Field] = &[Field::string("email")];
}

/// `POST /auths/admin/sa` (auth.md §3.11).
async fn set_super_admin(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Valid(form): Valid<SuperAdminForm>,
) -> ApiResult<Json<Value>> {
    let email = form.email.trim().to_lowercase();
    if email.is_empty() {
        return Err(ApiFailure::bad_request(errors::SOMETHING_WRONG));
    }
    let user = state
        .db
        .user_by_email(&email)
        .await?
        .ok_or_else(|| ApiFailure::bad_request(errors::NOT_FOUND))?;
    if user.role != "admin" {
        return Err(ApiFailure::bad_request(errors::SA_NOT_ADMIN));
    }
    state
        .db
        .set_config("ADMIN_EMAIL", &Value::String(email.clone()))
        .await?;
    Ok(Json(json!({"email": email})))
}

/// `GET /auths/admin/details`: the Super Admin, else the first user.
async fn admin_details(
    State(state): State<Arc<AppState>>,
    AnyUser(_): AnyUser,
) -> ApiResult<Json<Value>> {
    if !state.setting_bool("SHOW_ADMIN_DETAILS", true).await? {
        return Err(ApiFailure::bad_request(errors::ACTION_PROHIBITED));
    }
    let sa = state.setting_str("ADMIN_EMAIL", "").await?;
    if !sa.is_empty() {
        let name = state.db.user_by_email(&sa).await?.map(|u| u.name);
        return Ok(Json(json!({"name": name, "email": sa})));
    }
    let first = state.db.first_user().await?;
    Ok(Json(
        json!({"name": first.as_ref().map(|u| &u.name), "email": first.as_ref().map(|u| &u.email)}),
    ))
}

async fn get_usage_limit_config(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
) -> ApiResult<Json<Value>> {
    Ok(Json(crate::rules::global_limits_json(
        &crate::rules::global_limits(&state).await?,
    )))
}

#[derive(Deserialize)]
struct UsageLimitConfigForm {
    #[serde(rename = "ENABLE_USAGE_LIMIT")]
    enable: Option<Value>,
    #[serde(rename = "USAGE_LIMIT_DEFAULT_DAILY_TOKENS")]
    default: Option<Value>,
    #[serde(rename = "USAGE_LIMIT_EXCEED_ACTION")]
    action: Option<String>,
    #[serde(rename = "USAGE_LIMIT_PER_MODEL")]
    per_model: Option<serde_json::Map<String, Value>>,
}

impl Form for UsageLimitConfigForm {
    const FIELDS: &'static [Field] = &[
        Field::optional("ENABLE_USAGE_LIMIT", Kind::OptBool),
        Field::optional("USAGE_LIMIT_DEFAULT_DAILY_TOKENS", Kind::OptInt),
        Field::optional_string("USAGE_LIMIT_EXCEED_ACTION"),
        Field::optional("USAGE_LIMIT_PER_MODEL", Kind::OptIntMap),
    ];
}

/// `POST /auths/admin/config/usage-limit`: each non-null key replaces its value.
async fn set_usage_limit_config(
    State(state): State<Arc<AppState>>,
    AdminUser(_): AdminUser,
    Valid(form): Valid<UsageLimitConfigForm>,
) -> ApiResult<Json<Value>> {
    use crate::validate::{bool_value, int_value};
    if let Some(b) = form.enable.as_ref().and_then(bool_value) {
        state.db.set_config("ENABLE_USAGE_LIMIT", &json!(b)).await?;
    }
    if let Some(n) = form.default.as_ref().and_then(int_value) {
        state
            .db
            .set_config("USAGE_LIMIT_DEFAULT_DAILY_TOKENS", &json!(n))
            .await?;
    }
    if let Some(a) = form.action {
        state
            .db
            .set_config("USAGE_LIMIT_EXCEED_ACTION", &json!(a))
            .await?;
    }
    if let Some(map) = form.per_model {
        let clean: serde_json::Map<String, Value> = map
            .iter()
            .filter_map(|(k, v)| int_value(v).map(|i| (k.clone(), json!(i))))
            .collect();
        state
            .db
            .set_config("USAGE_LIMIT_PER_MODEL", &Value::Object(clean))
            .await?;
    }
    Ok(Json(crate::rules::global_limits_json(
        &crate::rules::global_limits(&state).await?,
    )))
}

/// `GET /configs/export`: the parts of the configuration document the sandbox keeps. Keys never
/// saved are absent, as on the server.
async fn config_export(
    State(state): State<Arc<AppState>>,
    _: crate::auth::SettingsReader,
) -> ApiResult<Json<Value>> {
    let mut admin = json!({"show": state.setting_bool("SHOW_ADMIN_DETAILS", true).await?});
    if let Some(email) = state.db.config("ADMIN_EMAIL").await? {
        admin["email"] = email;
    }
    let mut doc = super::settings_registry::export(&state).await?;
    doc["auth"]["admin"] = admin;
    doc["auth"]["api_key"]["enable"] = json!(state.setting_bool("ENABLE_API_KEY", true).await?);
    if let Some(stored) = state
        .db
        .config(crate::rules::DEFAULT_PERMISSIONS_KEY)
        .await?
    {
        doc["user"] = json!({"permissions": stored});
    }
    // The export names the usage-limit settings by their config keys, not their env names.
    let limits = crate::rules::global_limits(&state).await?;
    doc["usage_limit"] = json!({
        "enabled": limits.enabled,
        "default_daily_tokens": limits.default_daily_tokens,
        "exceed_action": limits.exceed_action,
        "per_model": limits.per_model,
    });
    Ok(Json(doc))
}
