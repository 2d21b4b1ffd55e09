//! The embedding engine of the Documents tab (settings.md §4): engine and model always
//! applied; batch size, dimensions and the provider blocks only when the engine is a remote one
//! — for the local engine they are silently dropped; masked keys resolved.

use super::{F, Group, Masked, assign, body_object, missing, read_groups, stored};
use crate::AppState;
use crate::algorithms::masking::{mask_tree, resolve};
use crate::auth::AdminUser;
use crate::errors::ApiResult;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/retrieval/embedding", get(get_embedding))
        .route("/api/v1/retrieval/embedding/update", post(set_embedding))
}

const ENGINE: F = F(
    "embedding_engine",
    "RAG_EMBEDDING_ENGINE",
    "\"\"",
    Masked::No,
);
const MODEL: F = F(
    "embedding_model",
    "RAG_EMBEDDING_MODEL",
    "\"sentence-transformers/all-MiniLM-L6-v2\"",
    Masked::No,
);
const BATCH: F = F(
    "embedding_batch_size",
    "RAG_EMBEDDING_BATCH_SIZE",
    "1",
    Masked::No,
);
const DIMENSIONS: F = F(
    "embedding_dimensions",
    "RAG_EMBEDDING_DIMENSIONS",
    "0",
    Masked::No,
);

/// The provider blocks; each requires all its fields when sent.
const PROVIDERS: &[Group] = &[
    Group(
        "openai_config",
        &[
            F("url", "RAG_OPENAI_API_BASE_URL", "\"\"", Masked::No),
            F("key", "RAG_OPENAI_API_KEY", "\"\"", Masked::Resolve),
        ],
        &["url", "key"],
    ),
    Group(
        "ollama_config",
        &[
            F("url", "RAG_OLLAMA_BASE_URL", "\"\"", Masked::No),
            F("key", "RAG_OLLAMA_API_KEY", "\"\"", Masked::Resolve),
        ],
        &["url", "key"],
    ),
    Group(
        "azure_openai_config",
        &[
            F("url", "RAG_AZURE_OPENAI_API_BASE_URL", "\"\"", Masked::No),
            F("key", "RAG_AZURE_OPENAI_API_KEY", "\"\"", Masked::Resolve),
            F(
                "version",
                "RAG_AZURE_OPENAI_API_VERSION",
                "\"\"",
                Masked::No,
            ),
        ],
        &["url", "key", "version"],
    ),
    Group(
        "gemini_config",
        &[F("key", "RAG_GEMINI_API_KEY", "\"\"", Masked::Resolve)],
        &["key"],
    ),
    Group(
        "vertex_ai_config",
        &[
            F("project_id", "RAG_VERTEX_AI_PROJECT_ID", "\"\"", Masked::No),
            F("location", "RAG_VERTEX_AI_LOCATION", "\"\"", Masked::No),
            F(
                "service_account_key",
                "RAG_VERTEX_AI_SERVICE_ACCOUNT_KEY",
                "\"\"",
                Masked::Resolve,
            ),
        ],
        &["project_id", "location", "service_account_key"],
    ),
];

const REMOTE_ENGINES: [&str; 5] = ["ollama", "openai", "azure_openai", "gemini", "vertex_ai"];

async fn read(state: &AppState, with_dimensions: bool) -> ApiResult<Value> {
    let mut out = Map::new();
    out.insert("status".into(), Value::Bool(true));
    for F(name, env, default, _) in [&ENGINE, &MODEL, &BATCH, &DIMENSIONS] {
        if *name == "embedding_dimensions" && !with_dimensions {
            continue;
        }
        out.insert((*name).to_owned(), stored(state, env, default).await?);
    }
    out.extend(read_groups(state, PROVIDERS).await?);
    Ok(mask_tree(&Value::Object(out)))
}

async fn get_embedding(State(state): State<Arc<AppState>>, _: AdminUser) -> ApiResult<Json<Value>> {
    Ok(Json(read(&state, true).await?))
}

async fn set_embedding(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let mut absent: Vec<String> = ["embedding_engine", "embedding_model"]
        .iter()
        .filter(|f| !map.contains_key(**f))
        .map(|f| (*f).to_owned())
        .collect();
    for Group(name, _, required) in PROVIDERS {
        if let Some(block) = map.get(*name).and_then(Value::as_object) {
            absent.extend(
                required
                    .iter()
                    .filter(|f| !block.contains_key(**f))
                    .map(|f| format!("{name}.{f}")),
            );
        }
    }
    if !absent.is_empty() {
        let names: Vec<&str> = absent.iter().map(String::as_str).collect();
        return Err(missing(&names));
    }
    let engine = map["embedding_engine"].clone();
    assign(&state, ENGINE.1, &engine).await?;
    assign(&state, MODEL.1, &map["embedding_model"]).await?;
    if engine.as_str().is_some_and(|e| REMOTE_ENGINES.contains(&e)) {
        let batch = map.get(BATCH.0).cloned().unwrap_or(json!(1));
        assign(&state, BATCH.1, &batch).await?;
        let dims = map.get(DIMENSIONS.0).cloned().unwrap_or(json!(0));
        assign(&state, DIMENSIONS.1, &dims).await?;
        for Group(name, fields, _) in PROVIDERS {
            let Some(block) = map.get(*name).and_then(Value::as_object) else {
                continue;
            };
            for F(field, env, default, how) in *fields {
                let sent = &block[*field];
                let value = match how {
                    Masked::Resolve => resolve(sent, &stored(&state, env, default).await?),
                    _ => sent.clone(),
                };
                assign(&state, env, &value).await?;
            }
        }
    }
    Ok(Json(read(&state, false).await?))
}
