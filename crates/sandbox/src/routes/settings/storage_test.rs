//! The storage credential tests (`/configs/storage/test`, `/configs/file-storage/test`): the
//! server tests the values sent — a masked one is not resolved and fails like a wrong one. The
//! sandbox cannot reach a cloud: it fails masked or missing credentials as the cloud would, and
//! otherwise reaches the S3 endpoint URL when one is given.

use super::body_object;
use crate::AppState;
use crate::algorithms::masking::looks_masked;
use crate::auth::SettingsWriter;
use crate::errors::{ApiFailure, ApiResult};
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/configs/storage/test", post(test_image_storage))
        .route("/api/v1/configs/file-storage/test", post(test_file_storage))
}

async fn test_image_storage(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    test(&state, &body, "Storage").await
}

async fn test_file_storage(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    test(&state, &body, "File storage").await
}

/// The secrets each provider signs in with.
fn secrets_of(provider: &str) -> &'static [&'static str] {
    match provider {
        "s3" => &["access_key_id", "secret_access_key"],
        "azure" => &["storage_key"],
        "gcs" => &["credentials_json"],
        _ => &[],
    }
}

async fn test(_: &AppState, body: &Value, what: &str) -> ApiResult<Json<Value>> {
    let map = body_object(body)?;
    let provider = map
        .get("provider")
        .and_then(Value::as_str)
        .unwrap_or("local");
    let failed = |reason: String| {
        Err(ApiFailure::bad_request(&format!(
            "{what} connection test failed: {reason}"
        )))
    };
    if provider == "local" {
        return Ok(Json(
            json!({"status": "ok", "message": "Local storage is available"}),
        ));
    }
    let group = map.get(provider).cloned().unwrap_or(Value::Null);
    for field in secrets_of(provider) {
        match group[*field].as_str() {
            Some(v) if looks_masked(v) => {
                return failed(format!(
                    "{field} was rejected (a masked value is not a credential)"
                ));
            }
            None | Some("") => return failed(format!("{field} is missing")),
            Some(_) => {}
        }
    }
    if provider == "s3"
        && let Some(url) = group["endpoint_url"].as_str().filter(|u| !u.is_empty())
    {
        let reached = reqwest::Client::new()
            .get(url)
            .timeout(std::time::Duration::from_secs(5))
            .send()
            .await;
        if let Err(e) = reached {
            return failed(format!(
                "could not connect to the endpoint URL {url:?}: {e}"
            ));
        }
    }
    Ok(Json(
        json!({"status": "ok", "message": format!("{what} connection successful")}),
    ))
}
