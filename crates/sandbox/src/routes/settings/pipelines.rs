//! Pipelines (settings.md §11): pipeline servers are the OpenAI-compatible connections whose
//! `/models` answer carries a `pipelines` key; every other call is proxied to the server at
//! `urlIdx` with that connection's key, its status and detail passed on. No audit.

use super::{body_object, missing, read_openai};
use crate::AppState;
use crate::auth::AdminUser;
use crate::errors::{ApiFailure, ApiResult};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/pipelines/list", get(list_servers))
        .route("/api/v1/pipelines/", get(list_pipelines))
        .route("/api/v1/pipelines/add", post(add_pipeline))
        .route("/api/v1/pipelines/delete", delete(delete_pipeline))
        .route("/api/v1/pipelines/{id}/valves", get(valves))
        .route("/api/v1/pipelines/{id}/valves/spec", get(valves_spec))
        .route("/api/v1/pipelines/{id}/valves/update", post(update_valves))
}

#[derive(Deserialize)]
struct UrlIdx {
    #[serde(rename = "urlIdx")]
    url_idx: usize,
}

/// The URL and key of connection `idx`.
async fn connection(state: &AppState, idx: usize) -> ApiResult<(String, String)> {
    let config = read_openai(state).await?;
    let url = config["OPENAI_API_BASE_URLS"][idx]
        .as_str()
        .ok_or_else(|| ApiFailure::not_found("Pipeline not found"))?
        .trim_end_matches('/')
        .to_owned();
    let key = config["OPENAI_API_KEYS"][idx]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Ok((url, key))
}

/// Sends one proxied request and answers what the pipeline server answered.
async fn proxy(request: reqwest::RequestBuilder) -> ApiResult<Json<Value>> {
    let response = request
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| ApiFailure::new(StatusCode::NOT_FOUND, &format!("Pipeline not found: {e}")))?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        return Ok(Json(body));
    }
    let detail = body["detail"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| "Pipeline not found".to_owned());
    Err(ApiFailure::new(
        StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::NOT_FOUND),
        &detail,
    ))
}

/// `GET /pipelines/list`: the connections whose `/models` answer has a `pipelines` key.
async fn list_servers(State(state): State<Arc<AppState>>, _: AdminUser) -> ApiResult<Json<Value>> {
    let config = read_openai(&state).await?;
    let urls = config["OPENAI_API_BASE_URLS"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut data = Vec::new();
    for (idx, url) in urls.iter().enumerate() {
        let Some(url) = url.as_str() else { continue };
        let (_, key) = connection(&state, idx).await?;
        let answer = reqwest::Client::new()
            .get(format!("{}/models", url.trim_end_matches('/')))
            .bearer_auth(key)
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        let Ok(answer) = answer else { continue };
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        if body.get("pipelines").is_some() {
            data.push(json!({"url": url, "idx": idx}));
        }
    }
    Ok(Json(json!({"data": data})))
}

async fn list_pipelines(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Query(q): Query<UrlIdx>,
) -> ApiResult<Json<Value>> {
    let (url, key) = connection(&state, q.url_idx).await?;
    proxy(
        reqwest::Client::new()
            .get(format!("{url}/pipelines"))
            .bearer_auth(key),
    )
    .await
}

/// The `urlIdx` of a JSON body.
fn url_idx(map: &serde_json::Map<String, Value>) -> ApiResult<usize> {
    map.get("urlIdx")
        .and_then(Value::as_u64)
        .map(|i| i as usize)
        .ok_or_else(|| missing(&["urlIdx"]))
}

async fn add_pipeline(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let Some(source) = map.get("url").and_then(Value::as_str) else {
        return Err(missing(&["url"]));
    };
    let (url, key) = connection(&state, url_idx(map)?).await?;
    proxy(
        reqwest::Client::new()
            .post(format!("{url}/pipelines/add"))
            .bearer_auth(key)
            .json(&json!({"url": source})),
    )
    .await
}

async fn delete_pipeline(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let Some(id) = map.get("id").and_then(Value::as_str) else {
        return Err(missing(&["id"]));
    };
    let (url, key) = connection(&state, url_idx(map)?).await?;
    proxy(
        reqwest::Client::new()
            .delete(format!("{url}/pipelines/delete"))
            .bearer_auth(key)
            .json(&json!({"id": id})),
    )
    .await
}

async fn valves(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Path(id): Path<String>,
    Query(q): Query<UrlIdx>,
) -> ApiResult<Json<Value>> {
    let (url, key) = connection(&state, q.url_idx).await?;
    proxy(
        reqwest::Client::new()
            .get(format!("{url}/{id}/valves"))
            .bearer_auth(key),
    )
    .await
}

async fn valves_spec(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Path(id): Path<String>,
    Query(q): Query<UrlIdx>,
) -> ApiResult<Json<Value>> {
    let (url, key) = connection(&state, q.url_idx).await?;
    proxy(
        reqwest::Client::new()
            .get(format!("{url}/{id}/valves/spec"))
            .bearer_auth(key),
    )
    .await
}

async fn update_valves(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Path(id): Path<String>,
    Query(q): Query<UrlIdx>,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let (url, key) = connection(&state, q.url_idx).await?;
    proxy(
        reqwest::Client::new()
            .post(format!("{url}/{id}/valves/update"))
            .bearer_auth(key)
            .json(&body),
    )
    .await
}
