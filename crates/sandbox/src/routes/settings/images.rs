//! The Images tab (settings.md §10; license module `image_generation`, not enforced by the
//! sandbox): the single-engine config with its silent conversions, the multi-connection config
//! whose keys resolve by index, the model/size/steps config that writes the model before it
//! validates the rest, and the URL probe that turns image generation off when it fails.

use super::{
    F, Group, Masked, assign, body_object, missing, read_flat, read_groups, require_fields, stored,
};
use crate::AppState;
use crate::algorithms::masking::{looks_masked, mask_tree, resolve};
use crate::auth::AdminUser;
use crate::errors::{ApiFailure, ApiResult};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/images/config", get(get_config))
        .route("/api/v1/images/config/update", post(set_config))
        .route("/api/v1/images/connections/config", get(get_connections))
        .route(
            "/api/v1/images/connections/config/update",
            post(set_connections),
        )
        .route("/api/v1/images/image/config", get(get_image_config))
        .route("/api/v1/images/image/config/update", post(set_image_config))
        .route("/api/v1/images/config/url/verify", get(verify_url))
}

const TOP: &[F] = &[
    F("enabled", "ENABLE_IMAGE_GENERATION", "false", Masked::No),
    F(
        "engine",
        "IMAGE_GENERATION_ENGINE",
        "\"openai\"",
        Masked::No,
    ),
    F(
        "prompt_generation",
        "ENABLE_IMAGE_PROMPT_GENERATION",
        "true",
        Masked::No,
    ),
];

/// The engine blocks: name, fields, the fields a POST requires when the block is sent.
const ENGINES: &[Group] = &[
    Group(
        "openai",
        &[
            F(
                "OPENAI_API_BASE_URL",
                "IMAGES_OPENAI_API_BASE_URL",
                "\"https://api.openai.com/v1\"",
                Masked::No,
            ),
            F(
                "OPENAI_API_KEY",
                "IMAGES_OPENAI_API_KEY",
                "\"\"",
                Masked::Resolve,
            ),
        ],
        &["OPENAI_API_BASE_URL", "OPENAI_API_KEY"],
    ),
    Group(
        "automatic1111",
        &[
            F(
                "AUTOMATIC1111_BASE_URL",
                "AUTOMATIC1111_BASE_URL",
                "\"\"",
                Masked::No,
            ),
            F(
                "AUTOMATIC1111_API_AUTH",
                "AUTOMATIC1111_API_AUTH",
                "\"\"",
                Masked::Resolve,
            ),
            F(
                "AUTOMATIC1111_CFG_SCALE",
                "AUTOMATIC1111_CFG_SCALE",
                "null",
                Masked::No,
            ),
            F(
                "AUTOMATIC1111_SAMPLER",
                "AUTOMATIC1111_SAMPLER",
                "null",
                Masked::No,
            ),
            F(
                "AUTOMATIC1111_SCHEDULER",
                "AUTOMATIC1111_SCHEDULER",
                "null",
                Masked::No,
            ),
        ],
        &["AUTOMATIC1111_BASE_URL", "AUTOMATIC1111_API_AUTH"],
    ),
    Group(
        "comfyui",
        &[
            F("COMFYUI_BASE_URL", "COMFYUI_BASE_URL", "\"\"", Masked::No),
            F(
                "COMFYUI_API_KEY",
                "COMFYUI_API_KEY",
                "\"\"",
                Masked::Resolve,
            ),
            F("COMFYUI_WORKFLOW", "COMFYUI_WORKFLOW", "\"\"", Masked::No),
            F(
                "COMFYUI_WORKFLOW_NODES",
                "COMFYUI_WORKFLOW_NODES",
                "[]",
                Masked::No,
            ),
        ],
        &[
            "COMFYUI_BASE_URL",
            "COMFYUI_API_KEY",
            "COMFYUI_WORKFLOW",
            "COMFYUI_WORKFLOW_NODES",
        ],
    ),
    Group(
        "gemini",
        &[
            F(
                "GEMINI_API_BASE_URL",
                "IMAGES_GEMINI_API_BASE_URL",
                "\"\"",
                Masked::No,
            ),
            F(
                "GEMINI_API_KEY",
                "IMAGES_GEMINI_API_KEY",
                "\"\"",
                Masked::Resolve,
            ),
        ],
        &["GEMINI_API_BASE_URL", "GEMINI_API_KEY"],
    ),
    Group(
        "azure_openai",
        &[
            F(
                "AZURE_OPENAI_API_BASE_URL",
                "IMAGES_AZURE_OPENAI_API_BASE_URL",
                "\"\"",
                Masked::No,
            ),
            F(
                "AZURE_OPENAI_API_KEY",
                "IMAGES_AZURE_OPENAI_API_KEY",
                "\"\"",
                Masked::Resolve,
            ),
            F(
                "AZURE_OPENAI_API_VERSION",
                "IMAGES_AZURE_OPENAI_API_VERSION",
                "\"\"",
                Masked::No,
            ),
            F(
                "AZURE_OPENAI_DEPLOYMENT_NAME",
                "IMAGES_AZURE_OPENAI_DEPLOYMENT_NAME",
                "\"\"",
                Masked::No,
            ),
            F(
                "AZURE_OPENAI_QUALITY",
                "IMAGES_AZURE_OPENAI_QUALITY",
                "\"auto\"",
                Masked::No,
            ),
            F(
                "AZURE_OPENAI_OUTPUT_FORMAT",
                "IMAGES_AZURE_OPENAI_OUTPUT_FORMAT",
                "\"png\"",
                Masked::No,
            ),
            F(
                "AZURE_OPENAI_BACKGROUND",
                "IMAGES_AZURE_OPENAI_BACKGROUND",
                "\"auto\"",
                Masked::No,
            ),
        ],
        &[
            "AZURE_OPENAI_API_BASE_URL",
            "AZURE_OPENAI_API_KEY",
            "AZURE_OPENAI_API_VERSION",
            "AZURE_OPENAI_DEPLOYMENT_NAME",
        ],
    ),
    Group(
        "vertex_ai",
        &[
            F(
                "GOOGLE_PROJECT_ID",
                "IMAGES_VERTEX_AI_PROJECT_ID",
                "\"\"",
                Masked::No,
            ),
            F(
                "GOOGLE_LOCATION",
                "IMAGES_VERTEX_AI_LOCATION",
                "\"\"",
                Masked::No,
            ),
            F(
                "GOOGLE_SERVICE_ACCOUNT_KEY",
                "IMAGES_VERTEX_AI_SERVICE_ACCOUNT_KEY",
                "\"\"",
                Masked::Resolve,
            ),
        ],
        &[
            "GOOGLE_PROJECT_ID",
            "GOOGLE_LOCATION",
            "GOOGLE_SERVICE_ACCOUNT_KEY",
        ],
    ),
];

/// Blocks a POST may leave out.
const OPTIONAL_BLOCKS: [&str; 2] = ["azure_openai", "vertex_ai"];

/// Defaults of optional fields inside a sent block.
fn field_default(field: &str) -> Value {
    match field {
        "AZURE_OPENAI_QUALITY" | "AZURE_OPENAI_BACKGROUND" => json!("auto"),
        "AZURE_OPENAI_OUTPUT_FORMAT" => json!("png"),
        _ => Value::Null,
    }
}

async fn read_config(state: &AppState) -> ApiResult<Value> {
    let mut out = read_flat(state, TOP).await?;
    out.extend(read_groups(state, ENGINES).await?);
    Ok(mask_tree(&Value::Object(out)))
}

async fn get_config(State(state): State<Arc<AppState>>, _: AdminUser) -> ApiResult<Json<Value>> {
    Ok(Json(read_config(&state).await?))
}

/// What the server makes of a sent value: empty A1111 cfg/sampler/scheduler become null, the
/// cfg scale a float, the ComfyUI URL loses its trailing slashes.
fn converted(field: &str, sent: Value) -> Value {
    match (field, &sent) {
        (
            "AUTOMATIC1111_CFG_SCALE" | "AUTOMATIC1111_SAMPLER" | "AUTOMATIC1111_SCHEDULER",
            Value::String(s),
        ) if s.is_empty() => Value::Null,
        ("AUTOMATIC1111_CFG_SCALE", Value::Number(n)) => {
            n.as_f64().map(|f| json!(f)).unwrap_or(sent)
        }
        ("AUTOMATIC1111_CFG_SCALE", Value::String(s)) => {
            s.parse::<f64>().map(|f| json!(f)).unwrap_or(sent)
        }
        ("COMFYUI_BASE_URL", Value::String(s)) => json!(s.trim_end_matches('/')),
        _ => sent,
    }
}

async fn set_config(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let mut absent: Vec<String> = TOP
        .iter()
        .filter(|F(name, ..)| !map.contains_key(*name))
        .map(|F(name, ..)| (*name).to_owned())
        .collect();
    for Group(name, _, required) in ENGINES {
        match map.get(*name).and_then(Value::as_object) {
            Some(block) => absent.extend(
                required
                    .iter()
                    .filter(|f| !block.contains_key(**f))
                    .map(|f| format!("{name}.{f}")),
            ),
            None if !OPTIONAL_BLOCKS.contains(name) => absent.push((*name).to_owned()),
            None => {}
        }
    }
    if !absent.is_empty() {
        let names: Vec<&str> = absent.iter().map(String::as_str).collect();
        return Err(missing(&names));
    }
    for F(name, env, ..) in TOP {
        assign(&state, env, &map[*name]).await?;
    }
    for Group(name, fields, _) in ENGINES {
        let Some(block) = map.get(*name).and_then(Value::as_object) else {
            continue;
        };
        for F(field, env, default, how) in *fields {
            let sent = block
                .get(*field)
                .cloned()
                .unwrap_or_else(|| field_default(field));
            let value = match how {
                Masked::Resolve => resolve(&sent, &stored(&state, env, default).await?),
                _ => converted(field, sent),
            };
            assign(&state, env, &value).await?;
        }
    }
    Ok(Json(read_config(&state).await?))
}

async fn read_connections(state: &AppState) -> ApiResult<Value> {
    Ok(json!({
        "IMAGE_API_URLS": stored(state, "IMAGE_API_URLS", "[]").await?,
        "IMAGE_API_KEYS": stored(state, "IMAGE_API_KEYS", "[]").await?,
        "IMAGE_API_CONFIGS": stored(state, "IMAGE_API_CONFIGS", "{}").await?,
    }))
}

async fn get_connections(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
) -> ApiResult<Json<Value>> {
    Ok(Json(mask_tree(&read_connections(&state).await?)))
}

/// `POST …/connections/config/update`: a masked key resolves to the key stored at the same
/// index (whatever URL is there now); the keys are padded with "" or cut to the URL count.
async fn set_connections(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let absent: Vec<&str> = ["IMAGE_API_URLS", "IMAGE_API_KEYS", "IMAGE_API_CONFIGS"]
        .into_iter()
        .filter(|f| !map.contains_key(*f))
        .collect();
    if !absent.is_empty() {
        return Err(missing(&absent));
    }
    let old = read_connections(&state).await?;
    let urls = map["IMAGE_API_URLS"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let sent_keys = map["IMAGE_API_KEYS"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let keys: Vec<Value> = (0..urls.len())
        .map(|i| {
            let sent = sent_keys.get(i).cloned().unwrap_or(json!(""));
            match sent.as_str() {
                Some(s) if looks_masked(s) => {
                    old["IMAGE_API_KEYS"].get(i).cloned().unwrap_or(json!(""))
                }
                _ => sent,
            }
        })
        .collect();
    assign(&state, "IMAGE_API_URLS", &Value::Array(urls)).await?;
    assign(&state, "IMAGE_API_KEYS", &Value::Array(keys)).await?;
    assign(&state, "IMAGE_API_CONFIGS", &map["IMAGE_API_CONFIGS"]).await?;
    Ok(Json(mask_tree(&read_connections(&state).await?)))
}

const IMAGE_CONFIG: &[F] = &[
    F("MODEL", "IMAGE_GENERATION_MODEL", "\"\"", Masked::No),
    F("IMAGE_SIZE", "IMAGE_SIZE", "\"512x512\"", Masked::No),
    F("IMAGE_STEPS", "IMAGE_STEPS", "50", Masked::No),
];

async fn get_image_config(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
) -> ApiResult<Json<Value>> {
    Ok(Json(Value::Object(read_flat(&state, IMAGE_CONFIG).await?)))
}

/// Whether `size` is `<W>x<H>`.
fn size_ok(size: &str) -> bool {
    size.split_once('x').is_some_and(|(w, h)| {
        !w.is_empty()
            && !h.is_empty()
            && w.bytes().all(|b| b.is_ascii_digit())
            && h.bytes().all(|b| b.is_ascii_digit())
    })
}

/// `POST …/image/config/update`: the model is written first; a bad size or step count is then
/// refused (400) with the model already changed — the server's order, kept.
async fn set_image_config(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    require_fields(map, IMAGE_CONFIG)?;
    assign(&state, "IMAGE_GENERATION_MODEL", &map["MODEL"]).await?;
    if !map["IMAGE_SIZE"].as_str().is_some_and(size_ok) {
        return Err(ApiFailure::bad_request(
            "Invalid format. Please use the correct format  (e.g., 512x512).",
        ));
    }
    assign(&state, "IMAGE_SIZE", &map["IMAGE_SIZE"]).await?;
    if map["IMAGE_STEPS"].as_i64().is_none_or(|s| s < 0) {
        return Err(ApiFailure::bad_request(
            "Invalid format. Please use the correct format  (e.g., 50).",
        ));
    }
    assign(&state, "IMAGE_STEPS", &map["IMAGE_STEPS"]).await?;
    Ok(Json(Value::Object(read_flat(&state, IMAGE_CONFIG).await?)))
}

/// `GET …/config/url/verify`: probes AUTOMATIC1111 (`/sdapi/v1/options`) or ComfyUI
/// (`/object_info`); on failure it also turns image generation off, then answers 400. Other
/// engines answer `true` without a probe.
async fn verify_url(State(state): State<Arc<AppState>>, _: AdminUser) -> ApiResult<Json<Value>> {
    let engine = stored(&state, "IMAGE_GENERATION_ENGINE", "\"openai\"").await?;
    let probe = match engine.as_str() {
        Some("automatic1111") => {
            let base = stored(&state, "AUTOMATIC1111_BASE_URL", "\"\"").await?;
            format!(
                "{}/sdapi/v1/options",
                base.as_str().unwrap_or_default().trim_end_matches('/')
            )
        }
        Some("comfyui") => {
            let base = stored(&state, "COMFYUI_BASE_URL", "\"\"").await?;
            format!(
                "{}/object_info",
                base.as_str().unwrap_or_default().trim_end_matches('/')
            )
        }
        _ => return Ok(Json(Value::Bool(true))),
    };
    let reached = reqwest::Client::new()
        .get(&probe)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success());
    if reached {
        Ok(Json(Value::Bool(true)))
    } else {
        assign(&state, "ENABLE_IMAGE_GENERATION", &Value::Bool(false)).await?;
        Err(ApiFailure::bad_request(
            "Oops! The URL you provided is invalid. Please double-check and try again.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_width_x_height() {
        assert!(size_ok("512x512"));
        assert!(size_ok("1024x768"));
        assert!(!size_ok("512"));
        assert!(!size_ok("x512"));
        assert!(!size_ok("512 x 512"));
    }

    #[test]
    fn the_server_converts_a1111_blanks_and_comfyui_slashes() {
        assert_eq!(converted("AUTOMATIC1111_SAMPLER", json!("")), Value::Null);
        assert_eq!(converted("AUTOMATIC1111_CFG_SCALE", json!(7)), json!(7.0));
        assert_eq!(
            converted("AUTOMATIC1111_CFG_SCALE", json!("7.5")),
            json!(7.5)
        );
        assert_eq!(
            converted("COMFYUI_BASE_URL", json!("http://comfy:8188//")),
            json!("http://comfy:8188")
        );
    }
}
