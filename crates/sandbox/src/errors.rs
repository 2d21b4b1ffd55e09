//! Error answers in the server's shape: `{"detail": ...}` with the server's status codes and
//! its exact detail texts (errors.md §2).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// No credential was sent.
pub const NOT_AUTHENTICATED: &str = "Not authenticated";
/// The token could not be verified.
pub const UNAUTHORIZED: &str = "401 Unauthorized";
/// A valid token whose user is gone, or an unknown API key.
pub const INVALID_TOKEN: &str =
    "Your session has expired or the token is invalid. Please sign in again.";
/// Role or permission insufficient.
pub const ACCESS_PROHIBITED: &str = "You do not have permission to access this resource. Please contact your administrator for assistance.";
/// Sign-in failed.
pub const INVALID_CRED: &str =
    "The email or password provided is incorrect. Please check for typos and try logging in again.";
/// Duplicate e-mail.
pub const EMAIL_TAKEN: &str = "Uh-oh! This email is already registered. Sign in with your existing account or choose another email to start anew.";
/// E-mail format check failed.
pub const INVALID_EMAIL_FORMAT: &str = "The email format you entered is invalid. Please double-check and make sure you're using a valid email address (e.g., yourname@domain.com).";
/// Password over 72 bytes.
pub const PASSWORD_TOO_LONG: &str = "Uh-oh! The password you entered is too long. Please make sure your password is less than 72 bytes long.";
/// Password under the sign-up policy.
pub const PASSWORD_TOO_WEAK: &str = "Password does not meet the minimum requirements. It must be at least 8 characters long and include at least one uppercase letter, one lowercase letter, and one number.";
/// `sk-` key used while API keys are disabled.
pub const API_KEY_NOT_ALLOWED: &str = "Use of API key is not enabled in the environment.";
/// API key creation while API keys are disabled.
pub const API_KEY_CREATION_NOT_ALLOWED: &str =
    "API key creation is not allowed in the environment.";
/// The caller has no API key.
pub const API_KEY_NOT_FOUND: &str = "Oops! It looks like there's a hiccup. The API key is missing. Please make sure to provide a valid API key to access this feature.";
/// Insert of a new user failed.
pub const ADD_USER_ERROR: &str = "An internal error occurred while adding the user.";
/// The generic not-found text (users, groups, Super Admin).
pub const NOT_FOUND: &str = "We could not find what you're looking for :/";
/// Business-rule refusal.
pub const ACTION_PROHIBITED: &str =
    "The requested action has been restricted as a security measure.";
/// Delete of a user failed (also for an unknown id).
pub const DELETE_USER_ERROR: &str =
    "Oops! Something went wrong. We encountered an issue while trying to delete the user.";
/// Generic 400.
pub const SOMETHING_WRONG: &str = "Something went wrong :/";
/// Update of an unknown group.
pub const GROUP_UPDATE_ERROR: &str = "[ERROR: 400: [ERROR: Error updating group]]";
/// Delete of an unknown group.
pub const GROUP_DELETE_ERROR: &str = "[ERROR: 400: [ERROR: Error deleting group]]";
/// Super Admin on a non-admin.
pub const SA_NOT_ADMIN: &str = "[ERROR: User must have admin role]";
/// Unknown route.
pub const NOT_FOUND_ROUTE: &str = "Not Found";
/// Known route, wrong method.
pub const METHOD_NOT_ALLOWED: &str = "Method Not Allowed";

/// An error answer.
#[derive(Debug)]
pub struct ApiFailure {
    status: StatusCode,
    detail: Value,
}

impl ApiFailure {
    /// A `{"detail": "<text>"}` answer.
    pub fn new(status: StatusCode, detail: &str) -> Self {
        ApiFailure {
            status,
            detail: Value::String(detail.to_owned()),
        }
    }

    /// A 422 with a Pydantic-style list.
    pub fn validation(issues: Vec<Value>) -> Self {
        ApiFailure {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: Value::Array(issues),
        }
    }

    /// A status with a structured `detail` object (the 409 of a config import).
    pub fn with_detail(status: StatusCode, detail: Value) -> Self {
        ApiFailure { status, detail }
    }

    /// 400 with `detail`.
    pub fn bad_request(detail: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 401 with `detail`.
    pub fn unauthorized(detail: &str) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
    }

    /// 404 with `detail`.
    pub fn not_found(detail: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    /// 403 with `detail`.
    pub fn forbidden(detail: &str) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    /// 500 `Internal server error`, logging the real cause server-side only.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "sandbox internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "detail": self.detail }))).into_response()
    }
}

impl From<sqlx::Error> for ApiFailure {
    fn from(e: sqlx::Error) -> Self {
        ApiFailure::internal(e)
    }
}

/// Handler result.
pub type ApiResult<T> = Result<T, ApiFailure>;
