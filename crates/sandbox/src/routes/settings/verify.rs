//! The connection tests besides `/openai/verify`: Azure OpenAI (`<url>/openai/models` with the
//! `api-key` header and an `api-version`), Ollama (`<url>/api/version`, the key used as sent —
//! the server resolves no masked Ollama key), and pgvector (200 either way, the verdict in the
//! body; the sandbox checks the required fields and that the database port answers, without
//! signing in).

use super::{body_object, missing, stored};
use crate::AppState;
use crate::algorithms::masking::looks_masked;
use crate::auth::AdminUser;
use crate::errors::{ApiFailure, ApiResult};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/openai/verify/azure-openai", post(verify_azure_openai))
        .route("/ollama/verify", post(verify_ollama))
        .route(
            "/api/v1/retrieval/search-engine/pgvector/test",
            post(test_pgvector),
        )
}

/// Passes an upstream refusal on with its status, as the server does.
async fn upstream(response: reqwest::Response) -> ApiResult<Json<Value>> {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !status.is_success() {
        let code = StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        return Err(ApiFailure::new(code, &format!("External: {text}")));
    }
    Ok(Json(
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    ))
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// `POST /openai/verify/azure-openai`: `{url, key, api_version?, idx?}`; a masked key is the
/// stored key at `idx` (else at the slot with the same URL).
async fn verify_azure_openai(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let (Some(url), Some(key)) = (
        map.get("url").and_then(Value::as_str),
        map.get("key").and_then(Value::as_str),
    ) else {
        return Err(missing(&["url", "key"]));
    };
    let version = map
        .get("api_version")
        .and_then(Value::as_str)
        .unwrap_or("2024-02-15-preview");
    let key = super::verified_key(&state, map, url, key).await?;
    let response = client()
        .get(format!("{}/openai/models", url.trim_end_matches('/')))
        .query(&[("api-version", version)])
        .header("api-key", key)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| ApiFailure::bad_request(&format!("Connection error: {e}")))?;
    upstream(response).await
}

/// `POST /ollama/verify`: `{url, key?}`; probes `<url>/api/version` with the key as sent.
async fn verify_ollama(_: AdminUser, Json(body): Json<Value>) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let Some(url) = map.get("url").and_then(Value::as_str) else {
        return Err(missing(&["url"]));
    };
    let mut request = client()
        .get(format!("{}/api/version", url.trim_end_matches('/')))
        .timeout(Duration::from_secs(10));
    if let Some(key) = map
        .get("key")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
    {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.map_err(|e| {
        ApiFailure::bad_request(&format!("Open WebUI: Server Connection Error: {e}"))
    })?;
    upstream(response).await
}

/// `POST /retrieval/search-engine/pgvector/test`: the search-engine form; always 200 with
/// `{success, message}`.
async fn test_pgvector(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let field = |k: &str| {
        map.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (host, database, user) = (
        field("pgvector_host"),
        field("pgvector_database"),
        field("pgvector_user"),
    );
    if host.is_empty() || database.is_empty() || user.is_empty() {
        return Ok(Json(
            json!({"success": false, "message": "Host, database, and user are required."}),
        ));
    }
    // A masked password is the stored one (the sandbox does not sign in with it).
    let _password = match map.get("pgvector_password").and_then(Value::as_str) {
        Some(p) if looks_masked(p) => {
            stored(&state, "SEARCH_ENGINE_PGVECTOR_PASSWORD", "\"\"").await?
        }
        other => json!(other.unwrap_or_default()),
    };
    let port = map
        .get("pgvector_port")
        .and_then(Value::as_u64)
        .unwrap_or(5432);
    let reached = tokio::time::timeout(
        Duration::from_secs(3),
        tokio::net::TcpStream::connect((host.as_str(), port as u16)),
    )
    .await;
    Ok(Json(match reached {
        Ok(Ok(_)) => {
            json!({"success": true, "message": "Connected. pgvector extension is installed."})
        }
        Ok(Err(e)) => json!({"success": false, "message": format!("Connection failed: {e}")}),
        Err(_) => json!({"success": false, "message": "Connection failed: timeout"}),
    }))
}
