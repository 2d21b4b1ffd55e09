//! The HTTP surface: the endpoints of the contract the sandbox serves, with the server's 404/405
//! answers and its trailing-slash redirects.

mod audit_logs;
mod auths;
mod groups;
mod guardrails;
mod inquiries;
mod license;
mod msgraph_sync;
mod notification_tests;
mod notifications;
mod org_import;
mod orgs;
mod service_requests;
mod settings;
pub(crate) mod settings_registry;
mod users;
mod workspace;

use crate::AppState;
use crate::errors::{self, ApiFailure};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Router, middleware};
use std::sync::Arc;

/// The server version the sandbox reproduces.
pub const SERVER_VERSION: &str = "0.6.5";

/// All routes; with `test_hooks`, also the test-only fault switch under `/_sandbox/`.
pub fn router(state: Arc<AppState>, test_hooks: bool) -> Router {
    let mut router = Router::new();
    if test_hooks {
        router = router
            .merge(orgs::test_hooks())
            .merge(settings::test_hooks())
            .merge(service_requests::test_hooks())
            .merge(audit_logs::test_hooks())
            .merge(workspace::test_hooks());
    }
    router
        .merge(auths::routes())
        .merge(users::routes())
        .merge(groups::routes())
        .merge(orgs::routes())
        .merge(guardrails::routes())
        .merge(license::routes())
        .merge(settings::routes())
        .merge(notifications::routes())
        .merge(notification_tests::routes())
        .merge(service_requests::routes())
        .merge(inquiries::routes())
        .merge(audit_logs::routes())
        .merge(workspace::routes())
        .route("/api/v1/auths", any(redirect_to_slash))
        .route("/api/v1/users", any(redirect_to_slash))
        .route("/api/v1/groups", any(redirect_to_slash))
        .route("/api/v1/organizations", any(redirect_to_slash))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::map_response(process_time_header))
        // The real server reads bodies of any size (an organization import can be tens of MB).
        .layer(axum::extract::DefaultBodyLimit::max(512 * 1024 * 1024))
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

/// The body of `{"per_model": {…}}` requests (usage limits of users, groups and units).
#[derive(serde::Deserialize)]
pub(crate) struct PerModelForm {
    #[serde(default)]
    pub per_model: serde_json::Map<String, serde_json::Value>,
}

impl crate::validate::Form for PerModelForm {
    const FIELDS: &'static [crate::validate::Field] = &[crate::validate::Field::optional(
        "per_model",
        crate::validate::Kind::IntMap,
    )];
}

impl PerModelForm {
    /// The map with integer values (validation guarantees they parse).
    pub fn values(&self) -> serde_json::Map<String, serde_json::Value> {
        self.per_model
            .iter()
            .filter_map(|(k, v)| {
                crate::validate::int_value(v).map(|i| (k.clone(), serde_json::json!(i)))
            })
            .collect()
    }
}
