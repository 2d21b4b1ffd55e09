//! The HTTP surface: the endpoints of auth.md and users.md that the sandbox serves.

use crate::auth::{self, AdminUser, AnyUser};
use crate::db::{NewUser, UserRow};
use crate::errors::{self, ApiFailure, ApiResult};
use crate::validate::{Field, Form, Valid, optional_int_query};
use crate::{AppState, now};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router, middleware};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

/// The server version the sandbox reproduces.
pub const SERVER_VERSION: &str = "0.6.5";

/// All routes, with the server's 404/405 answers and its trailing-slash redirects.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/version", get(version))
        .route("/api/config", get(app_config))
        .route("/api/v1/auths/", get(session_user))
        .route("/api/v1/auths", any(redirect_to_slash))
        .route("/api/v1/auths/signin", post(signin))
        .route("/api/v1/auths/signup", post(signup))
        .route("/api/v1/auths/add", post(add_user))
        .route(
            "/api/v1/auths/api_key",
            get(get_api_key).post(create_api_key).delete(delete_api_key),
        )
        .route("/api/v1/users/", get(list_users))
        .route("/api/v1/users", any(redirect_to_slash))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::map_response(process_time_header))
        .with_state(state)
}

async fn process_time_header(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert("x-process-time", HeaderValue::from_static("0"));
    response
}

async fn not_found() -> ApiFailure {
    ApiFailure::new(StatusCode::NOT_FOUND, errors::NOT_FOUND_ROUTE)
}

async fn method_not_allowed() -> ApiFailure {
    ApiFailure::new(StatusCode::METHOD_NOT_ALLOWED, errors::METHOD_NOT_ALLOWED)
}

/// A collection root called without its trailing slash: 307 to the slashed URL, empty body.
async fn redirect_to_slash(headers: HeaderMap, uri: Uri) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    let location = format!("http://{host}{}/{query}", uri.path());
    let mut response = StatusCode::TEMPORARY_REDIRECT.into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

async fn health() -> Json<Value> {
    Json(json!({"status": true}))
}

async fn version() -> Json<Value> {
    Json(json!({"version": SERVER_VERSION}))
}

async fn app_config(State(state): State<Arc<AppState>>) -> ApiResult<Json<Value>> {
    let onboarding = state.db.user_count().await? == 0;
    let enable_signup = state.setting_bool("ENABLE_SIGNUP", true).await?;
    let enable_api_key = state.setting_bool("ENABLE_API_KEY", true).await?;
    Ok(Json(json!({
        "onboarding": onboarding,
        "status": true,
        "name": "ClooSphere",
        "version": SERVER_VERSION,
        "default_locale": "",
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
    })))
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
        "permissions": cloo_domain::permissions::builtin_defaults().to_json(),
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
    let (id, hash) = state.db.password_hash(&email).await?.ok_or_else(invalid)?;
    if !auth::verify_password(&form.password, &hash) {
        return Err(invalid());
    }
    let user = state.db.user_by_id(&id).await?.ok_or_else(invalid)?;
    session_response(&state, &user).await
}

/// The checks sign-up and admin-add share: format, uniqueness, then (for sign-up) the policy.
async fn check_new_email(state: &AppState, email: &str) -> ApiResult<()> {
    if cloo_domain::check_email_format(email).is_err() {
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
    if form.password.len() > cloo_domain::credentials::MAX_PASSWORD_BYTES {
        return Err(ApiFailure::bad_request(errors::PASSWORD_TOO_LONG));
    }
    if !cloo_domain::check_password_policy(&form.password).is_empty() {
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
    if form.password.len() > cloo_domain::credentials::MAX_PASSWORD_BYTES {
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

async fn list_users(
    State(state): State<Arc<AppState>>,
    AdminUser(_admin): AdminUser,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Vec<Value>>> {
    let skip = optional_int_query("skip", params.get("skip").map(String::as_str))?;
    let limit = optional_int_query("limit", params.get("limit").map(String::as_str))?;
    let users = state.db.list_users(skip, limit).await?;
    Ok(Json(users.iter().map(UserRow::to_model).collect()))
}
