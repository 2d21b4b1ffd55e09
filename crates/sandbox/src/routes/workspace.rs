//! Knowledge bases and model rows as an admin lists them (resources.md §2.1, §2.2), and the
//! three irreversible settings actions that remove them (settings.md §3, §4): reset the vector
//! database (every knowledge base row goes, project ones too, files stay), delete all files,
//! delete all model rows.

use crate::AppState;
use crate::auth::{AdminUser, SettingsReader, SettingsWriter, Verified};
use crate::db::ModelRow;
use crate::errors::{self, ApiFailure, ApiResult};
use axum::extract::State;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/knowledge/", get(list_knowledge))
        .route("/api/v1/models/", get(list_agents))
        .route("/api/v1/models/base", get(list_base_models))
        .route("/api/v1/retrieval/reset/db", post(reset_vector_db))
        .route("/api/v1/files/all", delete(delete_all_files))
        .route("/api/v1/models/delete/all", delete(delete_all_models))
}

/// `GET /knowledge/`: an admin gets every knowledge base but the projects' ones; anyone else
/// the ones they own (the sandbox shares none). Rows carry `files: []` and `file_count`.
async fn list_knowledge(
    State(state): State<Arc<AppState>>,
    Verified(me): Verified,
) -> ApiResult<Json<Value>> {
    let rows = state.db.listed_knowledge().await?;
    Ok(Json(Value::Array(
        rows.into_iter()
            .filter(|k| me.role == "admin" || k.user_id == me.id)
            .map(|k| {
                json!({
                    "id": k.id, "user_id": k.user_id, "name": k.name,
                    "description": k.description, "data": null, "meta": null,
                    "access_control": {}, "created_at": k.created_at,
                    "updated_at": k.updated_at, "user": null, "files": [],
                    "file_count": k.file_count,
                })
            })
            .collect(),
    )))
}

fn model_json(m: &ModelRow) -> Value {
    json!({
        "id": m.id, "user_id": null, "base_model_id": m.base_model_id, "name": m.name,
        "params": {}, "meta": {"profile_image_url": "/static/favicon.png", "description": null,
        "capabilities": null}, "access_control": null, "is_active": m.is_active,
        "updated_at": m.created_at, "created_at": m.created_at,
    })
}

/// `GET /models/`: every agent for an admin. The sandbox's rows have no owners, so a
/// non-admin is refused as one without `workspace.agents` is (403 ACCESS_PROHIBITED).
async fn list_agents(
    State(state): State<Arc<AppState>>,
    Verified(me): Verified,
) -> ApiResult<Json<Value>> {
    if me.role != "admin" {
        return Err(ApiFailure::forbidden(errors::ACCESS_PROHIBITED));
    }
    let rows = state.db.agents().await?;
    Ok(Json(Value::Array(
        rows.iter()
            .map(|m| {
                let mut v = model_json(m);
                v["user"] = Value::Null;
                v
            })
            .collect(),
    )))
}

/// `GET /models/base`: every row without a base model (admin or `admin.settings` read).
async fn list_base_models(
    State(state): State<Arc<AppState>>,
    _: SettingsReader,
) -> ApiResult<Json<Value>> {
    let rows = state.db.base_models().await?;
    Ok(Json(Value::Array(rows.iter().map(model_json).collect())))
}

/// `POST /retrieval/reset/db`: clears the vector index and deletes every knowledge base row;
/// answers `null`.
async fn reset_vector_db(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
) -> ApiResult<Json<Value>> {
    state.db.delete_all_knowledge().await?;
    Ok(Json(Value::Null))
}

/// `DELETE /files/all`: every file row and its content.
async fn delete_all_files(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
) -> ApiResult<Json<Value>> {
    state.db.delete_all_files().await?;
    Ok(Json(json!({"message": "All files deleted successfully"})))
}

/// `DELETE /models/delete/all` (`admin.settings` write): every model row; answers `true`.
async fn delete_all_models(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
) -> ApiResult<Json<Value>> {
    state.db.delete_all_models().await?;
    Ok(Json(json!(true)))
}

pub(super) fn test_hooks() -> Router<Arc<AppState>> {
    Router::new().route("/_sandbox/counts", get(counts))
}

/// Test hook: how many knowledge bases (project ones included), files and model rows exist —
/// what no admin endpoint counts whole.
async fn counts(State(state): State<Arc<AppState>>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({
        "knowledge": state.db.knowledge_count().await?,
        "files": state.db.file_count().await?,
        "models": state.db.models().await?.len(),
    })))
}
