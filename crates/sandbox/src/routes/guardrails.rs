//! The guardrail list the OU guardrail picker reads (`GET /api/v1/guardrails/list`).

use crate::AppState;
use crate::auth::Verified;
use crate::db::GuardrailRow;
use crate::errors::ApiResult;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/guardrails/", get(list))
        .route("/api/v1/guardrails/list", get(list))
}

/// Admins see every guardrail; others the public ones and their own.
async fn list(
    State(state): State<Arc<AppState>>,
    Verified(user): Verified,
) -> ApiResult<Json<Vec<Value>>> {
    let all = state.db.guardrails().await?;
    Ok(Json(
        all.iter()
            .filter(|g| user.role == "admin" || g.access_control.is_none() || g.user_id == user.id)
            .map(GuardrailRow::to_model)
            .collect(),
    ))
}
