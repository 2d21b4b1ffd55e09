//! Small sections: the Google chat integrations (Connections tab; each flag optional on POST,
//! the OAuth status computed), the default models (`/configs/models`, which the web panel no
//! longer calls but the server still serves), and the default prompt suggestions (POST only:
//! they are read back from `GET /api/config` by its token cookie).

use super::{F, Masked, body_object, read_flat, write_present, write_required};
use crate::AppState;
use crate::auth::{SettingsReader, SettingsWriter};
use crate::errors::ApiResult;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/api/v1/configs/google_integration",
            get(get_google_integration).post(set_google_integration),
        )
        .route(
            "/api/v1/configs/models",
            get(get_models_config).post(set_models_config),
        )
        .route(
            "/api/v1/configs/suggestions",
            axum::routing::post(set_suggestions),
        )
}

/// `POST /configs/suggestions`: `{"suggestions": [{title: [string…], content: string}]}`
/// replaces the list; answers the list.
async fn set_suggestions(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let Some(Value::Array(list)) = map.get("suggestions") else {
        return Err(super::missing(&["suggestions"]));
    };
    let mut issues = Vec::new();
    for (i, s) in list.iter().enumerate() {
        let titles_ok = s["title"]
            .as_array()
            .is_some_and(|t| t.iter().all(Value::is_string));
        if !titles_ok {
            issues.push(
                serde_json::json!({"type": "list_type", "loc": ["body", "suggestions", i, "title"],
                "msg": "Input should be a valid list", "input": s.get("title")}),
            );
        }
        if !s["content"].is_string() {
            issues.push(serde_json::json!({"type": "string_type", "loc": ["body", "suggestions", i, "content"],
                "msg": "Input should be a valid string", "input": s.get("content")}));
        }
    }
    if !issues.is_empty() {
        return Err(crate::errors::ApiFailure::validation(issues));
    }
    let list = Value::Array(list.clone());
    super::assign(&state, "DEFAULT_PROMPT_SUGGESTIONS", &list).await?;
    Ok(Json(list))
}

const GOOGLE_INTEGRATION: &[F] = &[
    F(
        "ENABLE_GMAIL_INTEGRATION",
        "ENABLE_GMAIL_INTEGRATION",
        "false",
        Masked::No,
    ),
    F(
        "ENABLE_CALENDAR_INTEGRATION",
        "ENABLE_CALENDAR_INTEGRATION",
        "false",
        Masked::No,
    ),
    F(
        "ENABLE_DRIVE_INTEGRATION",
        "ENABLE_DRIVE_INTEGRATION",
        "false",
        Masked::No,
    ),
];

/// `GET /configs/google_integration`: the three flags, and whether Google sign-in is set up
/// (never, in the sandbox: it has no OAuth client).
async fn get_google_integration(
    State(state): State<Arc<AppState>>,
    _: SettingsReader,
) -> ApiResult<Json<Value>> {
    let mut out = read_flat(&state, GOOGLE_INTEGRATION).await?;
    out.insert("GOOGLE_OAUTH_CONFIGURED".into(), Value::Bool(false));
    Ok(Json(Value::Object(out)))
}

/// `POST /configs/google_integration`: a flag left out or null keeps its value; the OAuth
/// status sent is ignored.
async fn set_google_integration(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    write_present(&state, GOOGLE_INTEGRATION, body_object(&body)?).await?;
    get_google_integration(State(state), SettingsReader).await
}

const MODELS: &[F] = &[
    F("DEFAULT_MODELS", "DEFAULT_MODELS", "null", Masked::No),
    F("MODEL_ORDER_LIST", "MODEL_ORDER_LIST", "[]", Masked::No),
];

async fn get_models_config(
    State(state): State<Arc<AppState>>,
    _: SettingsReader,
) -> ApiResult<Json<Value>> {
    Ok(Json(Value::Object(read_flat(&state, MODELS).await?)))
}

/// `POST /configs/models`: both fields required (each may be null).
async fn set_models_config(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    write_required(&state, MODELS, &body).await?;
    get_models_config(State(state), SettingsReader).await
}
