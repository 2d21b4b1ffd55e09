//! System Settings endpoints (settings.md) as the sandbox reads them: each value is one stored
//! setting under its env name, every assignment is its own write and bumps the config version,
//! answers are masked by key name, and masked values sent back are resolved — except where the
//! server stores them literally (tool server keys, storage `access_key_id`, `SOUGOU_API_SK`, any
//! secret of three characters or fewer), which the sandbox stores literally too.

use crate::AppState;
use crate::algorithms::masking::{looks_masked, mask_str, mask_tree, resolve, resolve_tree};
use crate::auth::{AdminUser, SettingsReader, SettingsWriter, Verified};
use crate::errors::{ApiFailure, ApiResult};
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use std::sync::Arc;

mod embedding;
mod images;
mod pipelines;
mod storage_test;
mod toggles;
mod verify;

/// The settings routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .merge(embedding::routes())
        .merge(images::routes())
        .merge(pipelines::routes())
        .merge(storage_test::routes())
        .merge(toggles::routes())
        .merge(verify::routes())
        .route(
            "/api/v1/configs/code_execution",
            get(get_code_execution).post(set_code_execution),
        )
        .route(
            "/api/v1/configs/direct_connections",
            get(get_direct).post(set_direct),
        )
        .route(
            "/api/v1/configs/tool_servers",
            get(get_tool_servers).post(set_tool_servers),
        )
        .route(
            "/api/v1/configs/storage",
            get(get_storage).post(set_storage),
        )
        .route(
            "/api/v1/configs/file-storage",
            get(get_file_storage).post(set_file_storage),
        )
        .route("/api/v1/tasks/config", get(get_tasks))
        .route("/api/v1/tasks/config/update", post(set_tasks))
        .route("/api/v1/retrieval/config", get(get_retrieval))
        .route("/api/v1/retrieval/config/update", post(set_retrieval))
        .route(
            "/api/v1/retrieval/search-engine/config",
            get(get_search_engine),
        )
        .route(
            "/api/v1/retrieval/search-engine/config/update",
            post(set_search_engine),
        )
        .route("/ollama/config", get(get_ollama))
        .route("/ollama/config/update", post(set_ollama))
        .route("/openai/verify", post(verify_openai))
        .route("/openai/config", get(get_openai))
        .route("/openai/config/update", post(set_openai))
        .route(
            "/api/v1/auths/admin/config",
            get(get_admin_config).post(set_admin_config),
        )
        .route(
            "/api/v1/auths/admin/config/ldap",
            get(get_ldap).post(set_ldap),
        )
        .route(
            "/api/v1/auths/admin/config/ldap/server",
            get(get_ldap_server).post(set_ldap_server),
        )
        .route("/api/webhook", get(get_webhook).post(set_webhook))
        .route(
            "/api/v1/configs/google_cloud",
            get(get_google_cloud).post(set_google_cloud),
        )
        .route("/api/v1/audio/config", get(get_audio))
        .route("/api/v1/audio/config/update", post(set_audio))
        .route(
            "/api/v1/configs/banners",
            get(get_banners).post(set_banners),
        )
        .route("/api/v1/configs/version", get(get_version))
        .route("/api/v1/configs/import", post(import_config))
}

/// Test-only: the stored value of one setting, unmasked, so tests can prove a secret survived.
pub(super) fn test_hooks() -> Router<Arc<AppState>> {
    Router::new().route("/_sandbox/stored_setting/{name}", get(stored_setting))
}

async fn stored_setting(
    State(state): State<Arc<AppState>>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(state.db.config(&name).await?.unwrap_or(Value::Null)))
}

/// How a POST treats a secret that comes back masked.
#[derive(Clone, Copy, PartialEq)]
enum Masked {
    /// Not a secret.
    No,
    /// Replaced by the stored value.
    Resolve,
    /// Stored as sent.
    Literal,
}

/// One field of a flat section: its name in the body, its stored name, its first-boot default
/// (JSON text) and what a masked value does.
struct F(&'static str, &'static str, &'static str, Masked);

const CODE_EXECUTION: &[F] = &[
    F(
        "ENABLE_CODE_EXECUTION",
        "ENABLE_CODE_EXECUTION",
        "true",
        Masked::No,
    ),
    F(
        "CODE_EXECUTION_ENGINE",
        "CODE_EXECUTION_ENGINE",
        "\"pyodide\"",
        Masked::No,
    ),
    F(
        "CODE_EXECUTION_JUPYTER_URL",
        "CODE_EXECUTION_JUPYTER_URL",
        "null",
        Masked::No,
    ),
    F(
        "CODE_EXECUTION_JUPYTER_AUTH",
        "CODE_EXECUTION_JUPYTER_AUTH",
        "null",
        Masked::No,
    ),
    F(
        "CODE_EXECUTION_JUPYTER_AUTH_TOKEN",
        "CODE_EXECUTION_JUPYTER_AUTH_TOKEN",
        "\"\"",
        Masked::Resolve,
    ),
    F(
        "CODE_EXECUTION_JUPYTER_AUTH_PASSWORD",
        "CODE_EXECUTION_JUPYTER_AUTH_PASSWORD",
        "\"\"",
        Masked::Resolve,
    ),
    F(
        "CODE_EXECUTION_JUPYTER_TIMEOUT",
        "CODE_EXECUTION_JUPYTER_TIMEOUT",
        "60",
        Masked::No,
    ),
];

const TASKS: &[F] = &[
    F("TASK_MODEL", "TASK_MODEL", "null", Masked::No),
    F(
        "TASK_MODEL_EXTERNAL",
        "TASK_MODEL_EXTERNAL",
        "null",
        Masked::No,
    ),
    F(
        "ENABLE_TITLE_GENERATION",
        "ENABLE_TITLE_GENERATION",
        "true",
        Masked::No,
    ),
    F(
        "TITLE_GENERATION_PROMPT_TEMPLATE",
        "TITLE_GENERATION_PROMPT_TEMPLATE",
        "\"\"",
        Masked::No,
    ),
    F(
        "ENABLE_AUTOCOMPLETE_GENERATION",
        "ENABLE_AUTOCOMPLETE_GENERATION",
        "false",
        Masked::No,
    ),
    F(
        "AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH",
        "AUTOCOMPLETE_GENERATION_INPUT_MAX_LENGTH",
        "-1",
        Masked::No,
    ),
    F(
        "TAGS_GENERATION_PROMPT_TEMPLATE",
        "TAGS_GENERATION_PROMPT_TEMPLATE",
        "\"\"",
        Masked::No,
    ),
    F(
        "ENABLE_TAGS_GENERATION",
        "ENABLE_TAGS_GENERATION",
        "true",
        Masked::No,
    ),
    F(
        "ENABLE_FOLLOW_UP_GENERATION",
        "ENABLE_FOLLOW_UP_GENERATION",
        "true",
        Masked::No,
    ),
    F(
        "FOLLOW_UP_GENERATION_PROMPT_TEMPLATE",
        "FOLLOW_UP_GENERATION_PROMPT_TEMPLATE",
        "\"\"",
        Masked::No,
    ),
];

const RETRIEVAL_TOP: &[F] = &[
    F("RAG_TEMPLATE", "RAG_TEMPLATE", "\"\"", Masked::No),
    F(
        "BYPASS_EMBEDDING_AND_RETRIEVAL",
        "BYPASS_EMBEDDING_AND_RETRIEVAL",
        "false",
        Masked::No,
    ),
    F(
        "CONTENT_EXTRACTION_ENGINE",
        "CONTENT_EXTRACTION_ENGINE",
        "\"\"",
        Masked::No,
    ),
    F(
        "DOCUMENT_INTELLIGENCE_ENDPOINT",
        "DOCUMENT_INTELLIGENCE_ENDPOINT",
        "\"\"",
        Masked::No,
    ),
    F(
        "DOCUMENT_INTELLIGENCE_KEY",
        "DOCUMENT_INTELLIGENCE_KEY",
        "\"\"",
        Masked::Resolve,
    ),
    F(
        "MISTRAL_OCR_API_KEY",
        "MISTRAL_OCR_API_KEY",
        "\"\"",
        Masked::Resolve,
    ),
    F("TEXT_SPLITTER", "RAG_TEXT_SPLITTER", "\"\"", Masked::No),
    F("CHUNK_SIZE", "CHUNK_SIZE", "1000", Masked::No),
    F("CHUNK_OVERLAP", "CHUNK_OVERLAP", "100", Masked::No),
];

const FILE_GUARDRAIL: &[F] = &[
    F(
        "FILE_GUARDRAIL_ENABLED",
        "FILE_GUARDRAIL_ENABLED",
        "false",
        Masked::No,
    ),
    F("FILE_GUARDRAIL_IDS", "FILE_GUARDRAIL_IDS", "[]", Masked::No),
];

const WEB: &[F] = &[
    F(
        "ENABLE_WEB_SEARCH",
        "ENABLE_WEB_SEARCH",
        "false",
        Masked::No,
    ),
    F("WEB_SEARCH_ENGINE", "WEB_SEARCH_ENGINE", "\"\"", Masked::No),
    F(
        "WEB_SEARCH_RESULT_COUNT",
        "WEB_SEARCH_RESULT_COUNT",
        "3",
        Masked::No,
    ),
    F(
        "BRAVE_SEARCH_API_KEY",
        "BRAVE_SEARCH_API_KEY",
        "\"\"",
        Masked::Resolve,
    ),
    F("TAVILY_API_KEY", "TAVILY_API_KEY", "\"\"", Masked::Resolve),
    F("SOUGOU_API_SID", "SOUGOU_API_SID", "\"\"", Masked::No),
    F("SOUGOU_API_SK", "SOUGOU_API_SK", "\"\"", Masked::Literal),
];

const SEARCH_ENGINE: &[F] = &[
    F("engine_type", "SEARCH_ENGINE_TYPE", "\"\"", Masked::No),
    F("top_k", "SEARCH_ENGINE_TOP_K", "5", Masked::No),
    F(
        "reranker_top_k",
        "SEARCH_ENGINE_RERANKER_TOP_K",
        "3",
        Masked::No,
    ),
    F(
        "reranker_threshold",
        "SEARCH_ENGINE_RERANKER_THRESHOLD",
        "0.0",
        Masked::No,
    ),
    F(
        "pgvector_host",
        "SEARCH_ENGINE_PGVECTOR_HOST",
        "\"\"",
        Masked::No,
    ),
    F(
        "pgvector_port",
        "SEARCH_ENGINE_PGVECTOR_PORT",
        "5432",
        Masked::No,
    ),
    F(
        "pgvector_database",
        "SEARCH_ENGINE_PGVECTOR_DATABASE",
        "\"\"",
        Masked::No,
    ),
    F(
        "pgvector_user",
        "SEARCH_ENGINE_PGVECTOR_USER",
        "\"\"",
        Masked::No,
    ),
    F(
        "pgvector_password",
        "SEARCH_ENGINE_PGVECTOR_PASSWORD",
        "\"\"",
        Masked::Resolve,
    ),
    F(
        "azure_endpoint",
        "SEARCH_ENGINE_AZURE_ENDPOINT",
        "\"\"",
        Masked::No,
    ),
    F(
        "azure_api_key",
        "SEARCH_ENGINE_AZURE_API_KEY",
        "\"\"",
        Masked::Resolve,
    ),
];

/// One storage group's fields: stored name, name in the body, masked-value rule.
type StorageFields = Vec<(String, &'static str, Masked)>;

/// The storage sub-objects of image (`""`) or file (`FILE_`) storage.
fn storage_groups(prefix: &'static str) -> [(&'static str, StorageFields); 3] {
    let env = |name: &str| format!("{prefix}{name}");
    [
        (
            "s3",
            vec![
                (env("S3_BUCKET_NAME"), "bucket_name", Masked::No),
                (env("S3_REGION_NAME"), "region_name", Masked::No),
                (env("S3_ENDPOINT_URL"), "endpoint_url", Masked::No),
                (env("S3_ACCESS_KEY_ID"), "access_key_id", Masked::Literal),
                (
                    env("S3_SECRET_ACCESS_KEY"),
                    "secret_access_key",
                    Masked::Resolve,
                ),
                (env("S3_KEY_PREFIX"), "key_prefix", Masked::No),
            ],
        ),
        (
            "azure",
            vec![
                (env("AZURE_STORAGE_ENDPOINT"), "endpoint", Masked::No),
                (
                    env("AZURE_STORAGE_CONTAINER_NAME"),
                    "container_name",
                    Masked::No,
                ),
                (env("AZURE_STORAGE_KEY"), "storage_key", Masked::Resolve),
            ],
        ),
        (
            "gcs",
            vec![
                (env("GCS_BUCKET_NAME"), "bucket_name", Masked::No),
                (
                    env("GCS_CREDENTIALS_JSON"),
                    "credentials_json",
                    Masked::Resolve,
                ),
            ],
        ),
    ]
}

async fn stored(state: &AppState, env: &str, default: &str) -> ApiResult<Value> {
    Ok(match state.db.config(env).await? {
        Some(v) => v,
        None => serde_json::from_str(default).unwrap_or(Value::Null),
    })
}

async fn read_flat(state: &AppState, fields: &[F]) -> ApiResult<Map<String, Value>> {
    let mut out = Map::new();
    for F(name, env, default, _) in fields {
        out.insert((*name).to_owned(), stored(state, env, default).await?);
    }
    Ok(out)
}

/// One assignment: one write, one version bump (settings.md rule 1).
async fn assign(state: &AppState, env: &str, value: &Value) -> ApiResult<()> {
    state.db.set_config(env, value).await?;
    Ok(())
}

fn missing(fields: &[&str]) -> ApiFailure {
    ApiFailure::validation(
        fields
            .iter()
            .map(|f| json!({"type": "missing", "loc": ["body", f], "msg": "Field required", "input": null}))
            .collect(),
    )
}

/// Refuses (422) a body that lacks any of `fields`.
fn require_fields(map: &Map<String, Value>, fields: &[F]) -> ApiResult<()> {
    let absent: Vec<&str> = fields
        .iter()
        .filter(|F(name, ..)| !map.contains_key(*name))
        .map(|F(name, ..)| *name)
        .collect();
    if absent.is_empty() {
        Ok(())
    } else {
        Err(missing(&absent))
    }
}

fn body_object(body: &Value) -> ApiResult<&Map<String, Value>> {
    body.as_object().ok_or_else(|| {
        ApiFailure::validation(vec![json!({"type": "model_attributes_type", "loc": ["body"], "msg": "Input should be a valid dictionary or object to extract fields from", "input": body})])
    })
}

/// A POST whose fields are all required: each assigned, masked secrets resolved or stored as
/// their rule says.
async fn write_required(state: &AppState, fields: &[F], body: &Value) -> ApiResult<()> {
    let map = body_object(body)?;
    require_fields(map, fields)?;
    for F(name, env, default, how) in fields {
        let sent = &map[*name];
        let value = match how {
            Masked::Resolve => resolve(sent, &stored(state, env, default).await?),
            _ => sent.clone(),
        };
        assign(state, env, &value).await?;
    }
    Ok(())
}

/// A POST where a field left out or null keeps its value.
async fn write_present(state: &AppState, fields: &[F], map: &Map<String, Value>) -> ApiResult<()> {
    for F(name, env, default, how) in fields {
        let Some(sent) = map.get(*name).filter(|v| !v.is_null()) else {
            continue;
        };
        let value = match how {
            Masked::Resolve => resolve(sent, &stored(state, env, default).await?),
            _ => sent.clone(),
        };
        assign(state, env, &value).await?;
    }
    Ok(())
}

async fn get_code_execution(
    State(state): State<Arc<AppState>>,
    _: SettingsReader,
) -> ApiResult<Json<Value>> {
    if super::orgs::fault_strikes(&state.settings_reads_before_fault) {
        return Err(ApiFailure::internal(
            "test fault: the code-execution settings could not be read",
        ));
    }
    Ok(Json(mask_tree(&Value::Object(
        read_flat(&state, CODE_EXECUTION).await?,
    ))))
}

async fn set_code_execution(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    write_required(&state, CODE_EXECUTION, &body).await?;
    Ok(Json(mask_tree(&Value::Object(
        read_flat(&state, CODE_EXECUTION).await?,
    ))))
}

const DIRECT: &[F] = &[F(
    "ENABLE_DIRECT_CONNECTIONS",
    "ENABLE_DIRECT_CONNECTIONS",
    "true",
    Masked::No,
)];

async fn get_direct(
    State(state): State<Arc<AppState>>,
    _: SettingsReader,
) -> ApiResult<Json<Value>> {
    Ok(Json(Value::Object(read_flat(&state, DIRECT).await?)))
}

async fn set_direct(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    write_required(&state, DIRECT, &body).await?;
    get_direct(State(state), SettingsReader).await
}

async fn get_tasks(State(state): State<Arc<AppState>>, _: Verified) -> ApiResult<Json<Value>> {
    Ok(Json(Value::Object(read_flat(&state, TASKS).await?)))
}

async fn set_tasks(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    write_required(&state, TASKS, &body).await?;
    Ok(Json(Value::Object(read_flat(&state, TASKS).await?)))
}

async fn tool_servers(state: &AppState) -> ApiResult<Value> {
    stored(state, "TOOL_SERVER_CONNECTIONS", "[]").await
}

async fn get_tool_servers(
    State(state): State<Arc<AppState>>,
    _: SettingsReader,
) -> ApiResult<Json<Value>> {
    Ok(Json(mask_tree(
        &json!({"TOOL_SERVER_CONNECTIONS": tool_servers(&state).await?}),
    )))
}

/// `POST /configs/tool_servers`: stored exactly as received, masked keys included.
async fn set_tool_servers(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let Some(list @ Value::Array(_)) = map.get("TOOL_SERVER_CONNECTIONS") else {
        return Err(missing(&["TOOL_SERVER_CONNECTIONS"]));
    };
    assign(&state, "TOOL_SERVER_CONNECTIONS", list).await?;
    get_tool_servers(State(state), SettingsReader).await
}

async fn read_storage(state: &AppState, file: bool) -> ApiResult<Value> {
    let prefix = if file { "FILE_" } else { "" };
    let mut out = Map::new();
    if !file {
        out.insert(
            "image_upload_mode".into(),
            stored(state, "IMAGE_UPLOAD_MODE", "\"base64\"").await?,
        );
    }
    out.insert(
        "provider".into(),
        stored(state, &format!("{prefix}STORAGE_PROVIDER"), "\"local\"").await?,
    );
    for (group, fields) in storage_groups(prefix) {
        let mut g = Map::new();
        for (env, name, _) in fields {
            let default = if name == "region_name" {
                "\"us-east-1\""
            } else {
                "\"\""
            };
            g.insert(name.into(), stored(state, &env, default).await?);
        }
        out.insert(group.into(), Value::Object(g));
    }
    Ok(mask_tree(&Value::Object(out)))
}

/// Image or file storage POST: top-level fields and each present sub-object assigned field by
/// field; `access_key_id` is not resolved.
async fn write_storage(state: &AppState, file: bool, body: &Value) -> ApiResult<()> {
    let map = body_object(body)?;
    let prefix = if file { "FILE_" } else { "" };
    if !file && let Some(mode) = map.get("image_upload_mode").filter(|v| !v.is_null()) {
        assign(state, "IMAGE_UPLOAD_MODE", mode).await?;
    }
    if let Some(provider) = map.get("provider").filter(|v| !v.is_null()) {
        assign(state, &format!("{prefix}STORAGE_PROVIDER"), provider).await?;
    }
    for (group, fields) in storage_groups(prefix) {
        let Some(sent) = map.get(group).and_then(Value::as_object) else {
            continue;
        };
        for (env, name, how) in fields {
            let Some(v) = sent.get(name) else { continue };
            let value = match how {
                Masked::Resolve => resolve(v, &stored(state, &env, "\"\"").await?),
                _ => v.clone(),
            };
            assign(state, &env, &value).await?;
        }
    }
    Ok(())
}

async fn get_storage(
    State(state): State<Arc<AppState>>,
    _: SettingsReader,
) -> ApiResult<Json<Value>> {
    Ok(Json(read_storage(&state, false).await?))
}

async fn set_storage(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    write_storage(&state, false, &body).await?;
    Ok(Json(read_storage(&state, false).await?))
}

async fn get_file_storage(
    State(state): State<Arc<AppState>>,
    _: SettingsReader,
) -> ApiResult<Json<Value>> {
    Ok(Json(read_storage(&state, true).await?))
}

async fn set_file_storage(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    write_storage(&state, true, &body).await?;
    Ok(Json(read_storage(&state, true).await?))
}

async fn read_retrieval(state: &AppState) -> ApiResult<Value> {
    let mut out = read_flat(state, RETRIEVAL_TOP).await?;
    out.insert("status".into(), json!(true));
    out.insert(
        "file_guardrail".into(),
        Value::Object(read_flat(state, FILE_GUARDRAIL).await?),
    );
    out.insert("web".into(), Value::Object(read_flat(state, WEB).await?));
    Ok(mask_tree(&Value::Object(out)))
}

async fn get_retrieval(State(state): State<Arc<AppState>>, _: AdminUser) -> ApiResult<Json<Value>> {
    Ok(Json(read_retrieval(&state).await?))
}

/// `POST /retrieval/config/update`: top-level fields and guardrail keys only when present; a
/// present `web` assigns every web field (absent ones become null), `SOUGOU_API_SK` as sent.
async fn set_retrieval(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    write_present(&state, RETRIEVAL_TOP, map).await?;
    if let Some(group) = map.get("file_guardrail").and_then(Value::as_object) {
        write_present(&state, FILE_GUARDRAIL, group).await?;
    }
    if let Some(web) = map.get("web").and_then(Value::as_object) {
        for F(name, env, default, how) in WEB {
            let sent = web.get(*name).cloned().unwrap_or(Value::Null);
            let value = match how {
                Masked::Resolve => resolve(&sent, &stored(&state, env, default).await?),
                _ => sent,
            };
            assign(&state, env, &value).await?;
        }
    }
    Ok(Json(read_retrieval(&state).await?))
}

async fn get_search_engine(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
) -> ApiResult<Json<Value>> {
    let mut out = read_flat(&state, SEARCH_ENGINE).await?;
    out.insert("status".into(), json!(true));
    Ok(Json(mask_tree(&Value::Object(out))))
}

async fn set_search_engine(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    write_present(&state, SEARCH_ENGINE, body_object(&body)?).await?;
    Ok(Json(
        json!({"status": true, "message": "Search engine configuration updated"}),
    ))
}

async fn read_ollama(state: &AppState) -> ApiResult<Value> {
    Ok(json!({
        "ENABLE_OLLAMA_API": stored(state, "ENABLE_OLLAMA_API", "true").await?,
        "OLLAMA_BASE_URLS": stored(state, "OLLAMA_BASE_URLS", "[]").await?,
        "OLLAMA_API_CONFIGS": stored(state, "OLLAMA_API_CONFIGS", "{}").await?,
    }))
}

async fn get_ollama(State(state): State<Arc<AppState>>, _: AdminUser) -> ApiResult<Json<Value>> {
    Ok(Json(mask_tree(&read_ollama(&state).await?)))
}

/// `POST /ollama/config/update`: configs resolved against the stored ones by index key (so a
/// reordering shifts secrets), entries at or past the URL count dropped.
async fn set_ollama(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let old = read_ollama(&state).await?;
    let urls = map.get("OLLAMA_BASE_URLS").cloned().unwrap_or(json!([]));
    let count = urls.as_array().map_or(0, Vec::len);
    let mut configs = Map::new();
    if let Some(sent) = map.get("OLLAMA_API_CONFIGS").and_then(Value::as_object) {
        for (k, v) in sent {
            if k.parse::<usize>().is_ok_and(|i| i < count) {
                let before = old["OLLAMA_API_CONFIGS"].get(k).unwrap_or(&Value::Null);
                configs.insert(k.clone(), resolve_tree(v, before));
            }
        }
    }
    if let Some(enable) = map.get("ENABLE_OLLAMA_API") {
        assign(&state, "ENABLE_OLLAMA_API", enable).await?;
    }
    assign(&state, "OLLAMA_BASE_URLS", &urls).await?;
    assign(&state, "OLLAMA_API_CONFIGS", &Value::Object(configs)).await?;
    Ok(Json(mask_tree(&read_ollama(&state).await?)))
}

async fn read_openai(state: &AppState) -> ApiResult<Value> {
    Ok(json!({
        "ENABLE_OPENAI_API": stored(state, "ENABLE_OPENAI_API", "true").await?,
        "OPENAI_API_BASE_URLS": stored(state, "OPENAI_API_BASE_URLS", "[]").await?,
        "OPENAI_API_KEYS": stored(state, "OPENAI_API_KEYS", "[]").await?,
        "OPENAI_API_CONFIGS": stored(state, "OPENAI_API_CONFIGS", "{}").await?,
    }))
}

async fn get_openai(State(state): State<Arc<AppState>>, _: AdminUser) -> ApiResult<Json<Value>> {
    Ok(Json(mask_tree(&read_openai(&state).await?)))
}

/// `POST /openai/config/update`: a masked key is matched to a stored key by its masked form,
/// preferring the stored slot with the same URL; an unmatched masked key becomes `""`; keys
/// padded or cut to the URL count; configs past it dropped; config secrets resolved against
/// the matched slot's config.
async fn set_openai(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let absent: Vec<&str> = [
        "OPENAI_API_BASE_URLS",
        "OPENAI_API_KEYS",
        "OPENAI_API_CONFIGS",
    ]
    .into_iter()
    .filter(|k| !map.contains_key(*k))
    .collect();
    if !absent.is_empty() {
        return Err(missing(&absent));
    }
    let old = read_openai(&state).await?;
    let old_ids = listed_model_ids(&old["OPENAI_API_CONFIGS"]);
    let str_list = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|x| x.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (old_urls, old_keys) = (
        str_list(&old["OPENAI_API_BASE_URLS"]),
        str_list(&old["OPENAI_API_KEYS"]),
    );
    let urls = str_list(&map["OPENAI_API_BASE_URLS"]);
    let mut keys = str_list(&map["OPENAI_API_KEYS"]);
    keys.resize(urls.len(), String::new());
    let mut configs = Map::new();
    for (i, key) in keys.iter_mut().enumerate() {
        let mut matched = None;
        if looks_masked(key) {
            let candidates: Vec<usize> = (0..old_keys.len())
                .filter(|j| mask_str(&old_keys[*j]) == *key)
                .collect();
            matched = candidates
                .iter()
                .find(|j| old_urls.get(**j) == urls.get(i))
                .or(candidates.first())
                .copied();
            *key = matched.map(|j| old_keys[j].clone()).unwrap_or_default();
        }
        if let Some(config) = map["OPENAI_API_CONFIGS"].get(i.to_string()) {
            let before = matched
                .and_then(|j| old["OPENAI_API_CONFIGS"].get(j.to_string()))
                .unwrap_or(&Value::Null);
            configs.insert(i.to_string(), resolve_tree(config, before));
        }
    }
    if let Some(enable) = map.get("ENABLE_OPENAI_API") {
        assign(&state, "ENABLE_OPENAI_API", enable).await?;
    }
    assign(&state, "OPENAI_API_BASE_URLS", &json!(urls)).await?;
    assign(&state, "OPENAI_API_KEYS", &json!(keys)).await?;
    let configs = Value::Object(configs);
    let new_ids = listed_model_ids(&configs);
    assign(&state, "OPENAI_API_CONFIGS", &configs).await?;
    // The model table follows the explicit model lists: ids that left the union lose their
    // rows, ids that joined get a public row.
    let gone: Vec<String> = old_ids.difference(&new_ids).cloned().collect();
    state.db.delete_models(&gone).await?;
    let now = crate::now();
    for id in new_ids.difference(&old_ids) {
        state.db.insert_model_if_absent(id, now).await?;
    }
    Ok(Json(mask_tree(&read_openai(&state).await?)))
}

/// The union of every connection's `model_ids`, each as `prefix_id.model_id` when the
/// connection has a prefix.
fn listed_model_ids(configs: &Value) -> std::collections::BTreeSet<String> {
    let mut ids = std::collections::BTreeSet::new();
    for config in configs.as_object().into_iter().flat_map(Map::values) {
        let prefix = config["prefix_id"].as_str().unwrap_or_default();
        for id in config["model_ids"].as_array().into_iter().flatten() {
            if let Some(id) = id.as_str() {
                ids.insert(if prefix.is_empty() {
                    id.to_owned()
                } else {
                    format!("{prefix}.{id}")
                });
            }
        }
    }
    ids
}

async fn get_version(
    State(state): State<Arc<AppState>>,
    _: SettingsReader,
) -> ApiResult<Json<Value>> {
    Ok(Json(json!({"version": state.db.config_version().await?})))
}

/// `POST /configs/import`: replaces every stored setting of the registry with the document's
/// values, resolving nothing (a masked value is stored as the masked text); refused with 409
/// when `expected_version` is not the stored version.
async fn import_config(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let Some(doc) = map.get("config").and_then(Value::as_object) else {
        return Err(missing(&["config"]));
    };
    let current = state.db.config_version().await?;
    if let Some(expected) = map.get("expected_version").and_then(Value::as_i64)
        && expected != current
    {
        return Err(ApiFailure::with_detail(
            axum::http::StatusCode::CONFLICT,
            json!({"error": "CONFIG_VERSION_CONFLICT",
                   "message": "The configuration was changed by someone else. Reload and try again.",
                   "current_version": current, "expected_version": expected}),
        ));
    }
    let doc = Value::Object(doc.clone());
    for (env, path, _) in super::settings_registry::entries() {
        let at = path.split('.').try_fold(&doc, |v, seg| v.get(seg));
        match at {
            Some(v) => state.db.set_config(env, v).await?,
            None => state.db.delete_config(env).await?,
        }
    }
    state.db.bump_config_version().await?;
    Ok(Json(super::settings_registry::export(&state).await?))
}

/// The thirteen required fields of `/auths/admin/config` (the usage-limit four are optional).
const ADMIN_CONFIG: &[F] = &[
    F(
        "SHOW_ADMIN_DETAILS",
        "SHOW_ADMIN_DETAILS",
        "true",
        Masked::No,
    ),
    F(
        "WEBUI_URL",
        "WEBUI_URL",
        "\"http://localhost:3000\"",
        Masked::No,
    ),
    F("ENABLE_SIGNUP", "ENABLE_SIGNUP", "true", Masked::No),
    F("ENABLE_ONBOARDING", "ENABLE_ONBOARDING", "true", Masked::No),
    F("ENABLE_API_KEY", "ENABLE_API_KEY", "true", Masked::No),
    F(
        "ENABLE_API_KEY_ENDPOINT_RESTRICTIONS",
        "ENABLE_API_KEY_ENDPOINT_RESTRICTIONS",
        "false",
        Masked::No,
    ),
    F(
        "API_KEY_ALLOWED_ENDPOINTS",
        "API_KEY_ALLOWED_ENDPOINTS",
        "\"\"",
        Masked::No,
    ),
    F(
        "DEFAULT_USER_ROLE",
        "DEFAULT_USER_ROLE",
        "\"pending\"",
        Masked::No,
    ),
    F("JWT_EXPIRES_IN", "JWT_EXPIRES_IN", "\"-1\"", Masked::No),
    F(
        "ENABLE_COMMUNITY_SHARING",
        "ENABLE_COMMUNITY_SHARING",
        "false",
        Masked::No,
    ),
    F(
        "ENABLE_MESSAGE_RATING",
        "ENABLE_MESSAGE_RATING",
        "true",
        Masked::No,
    ),
    F("ENABLE_CHANNELS", "ENABLE_CHANNELS", "false", Masked::No),
    F(
        "ENABLE_USER_WEBHOOKS",
        "ENABLE_USER_WEBHOOKS",
        "true",
        Masked::No,
    ),
];

async fn read_admin_config(state: &AppState) -> ApiResult<Value> {
    let mut out = read_flat(state, ADMIN_CONFIG).await?;
    let limits = crate::rules::global_limits_json(&crate::rules::global_limits(state).await?);
    if let Value::Object(limits) = limits {
        out.extend(limits);
    }
    Ok(Value::Object(out))
}

async fn get_admin_config(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
) -> ApiResult<Json<Value>> {
    Ok(Json(read_admin_config(&state).await?))
}

/// Whether `JWT_EXPIRES_IN` has the duration form the server accepts (`-1`, `0`, or a number
/// and a unit).
fn jwt_duration(text: &str) -> bool {
    if text == "-1" || text == "0" {
        return true;
    }
    let unit = ["ms", "s", "m", "h", "d", "w"]
        .into_iter()
        .find(|u| text.ends_with(u) && !(u == &"s" && text.ends_with("ms")));
    let Some(unit) = unit else { return false };
    let number = &text[..text.len() - unit.len()];
    !number.is_empty() && number.parse::<f64>().is_ok_and(|n| n >= 0.0) && !number.starts_with('+')
}

/// `POST /auths/admin/config`: the thirteen fields required; a default role that is not a role
/// or an existing group, and a JWT lifetime that is not a duration, silently keep their old
/// value; the usage-limit fields apply when not null.
async fn set_admin_config(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    require_fields(map, ADMIN_CONFIG)?;
    if let Some(Value::Object(per_model)) = map.get("USAGE_LIMIT_PER_MODEL")
        && per_model.values().any(Value::is_null)
    {
        return Err(ApiFailure::validation(vec![
            json!({"type": "int_type", "loc": ["body", "USAGE_LIMIT_PER_MODEL"], "msg": "Input should be a valid integer", "input": null}),
        ]));
    }
    for F(name, env, ..) in ADMIN_CONFIG {
        let sent = &map[*name];
        let keep = match *name {
            "DEFAULT_USER_ROLE" => {
                let role = sent.as_str().unwrap_or_default();
                let group_ok = match role.strip_prefix("user:group:") {
                    Some(id) => state.db.group(id).await?.is_some(),
                    None => false,
                };
                !(matches!(role, "pending" | "user" | "admin") || group_ok)
            }
            "JWT_EXPIRES_IN" => !sent.as_str().is_some_and(jwt_duration),
            _ => false,
        };
        if !keep {
            assign(&state, env, sent).await?;
        }
    }
    for name in [
        "ENABLE_USAGE_LIMIT",
        "USAGE_LIMIT_DEFAULT_DAILY_TOKENS",
        "USAGE_LIMIT_EXCEED_ACTION",
        "USAGE_LIMIT_PER_MODEL",
    ] {
        if let Some(v) = map.get(name).filter(|v| !v.is_null()) {
            assign(&state, name, v).await?;
        }
    }
    Ok(Json(read_admin_config(&state).await?))
}

async fn get_ldap(State(state): State<Arc<AppState>>, _: AdminUser) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({"ENABLE_LDAP": stored(&state, "ENABLE_LDAP", "false").await?}),
    ))
}

/// `POST /auths/admin/config/ldap`: the lower-case `enable_ldap`; null is stored as null.
async fn set_ldap(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let value = map.get("enable_ldap").cloned().unwrap_or(Value::Null);
    assign(&state, "ENABLE_LDAP", &value).await?;
    Ok(Json(json!({"ENABLE_LDAP": value})))
}

const LDAP_SERVER: &[F] = &[
    F("label", "LDAP_SERVER_LABEL", "\"\"", Masked::No),
    F("host", "LDAP_SERVER_HOST", "\"\"", Masked::No),
    F("port", "LDAP_SERVER_PORT", "null", Masked::No),
    F(
        "attribute_for_mail",
        "LDAP_ATTRIBUTE_FOR_MAIL",
        "\"mail\"",
        Masked::No,
    ),
    F(
        "attribute_for_username",
        "LDAP_ATTRIBUTE_FOR_USERNAME",
        "\"uid\"",
        Masked::No,
    ),
    F("app_dn", "LDAP_APP_DN", "\"\"", Masked::No),
    F(
        "app_dn_password",
        "LDAP_APP_PASSWORD",
        "\"\"",
        Masked::Resolve,
    ),
    F("search_base", "LDAP_SEARCH_BASE", "\"\"", Masked::No),
    F("search_filters", "LDAP_SEARCH_FILTER", "\"\"", Masked::No),
    F("use_tls", "LDAP_USE_TLS", "true", Masked::No),
    F("certificate_path", "LDAP_CA_CERT_FILE", "null", Masked::No),
    F("ciphers", "LDAP_CIPHERS", "\"ALL\"", Masked::No),
];

async fn get_ldap_server(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
) -> ApiResult<Json<Value>> {
    Ok(Json(mask_tree(&Value::Object(
        read_flat(&state, LDAP_SERVER).await?,
    ))))
}

/// `POST /auths/admin/config/ldap/server`: seven fields must not be empty (400 naming the
/// first); the password resolved when masked.
async fn set_ldap_server(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    for name in [
        "label",
        "host",
        "attribute_for_mail",
        "attribute_for_username",
        "app_dn",
        "app_dn_password",
        "search_base",
    ] {
        if map
            .get(name)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(ApiFailure::bad_request(&format!(
                "Required field {name} is empty"
            )));
        }
    }
    write_present(&state, LDAP_SERVER, map).await?;
    Ok(Json(mask_tree(&Value::Object(
        read_flat(&state, LDAP_SERVER).await?,
    ))))
}

async fn get_webhook(State(state): State<Arc<AppState>>, _: AdminUser) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({"url": stored(&state, "WEBHOOK_URL", "\"\"").await?}),
    ))
}

async fn set_webhook(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let Some(url @ Value::String(_)) = map.get("url") else {
        return Err(missing(&["url"]));
    };
    assign(&state, "WEBHOOK_URL", url).await?;
    Ok(Json(json!({"url": url})))
}

/// `GET /configs/google_cloud`: enabled is the flag or a key being present.
async fn get_google_cloud(
    State(state): State<Arc<AppState>>,
    _: SettingsReader,
) -> ApiResult<Json<Value>> {
    let key = stored(&state, "GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY", "\"\"").await?;
    let flag = stored(&state, "GOOGLE_CLOUD_ENABLED", "false").await?;
    let has_key = key.as_str().is_some_and(|k| !k.is_empty());
    Ok(Json(json!({
        "GOOGLE_CLOUD_ENABLED": flag.as_bool() == Some(true) || has_key,
        "GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY": mask_str(key.as_str().unwrap_or_default()),
    })))
}

async fn set_google_cloud(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    write_required(&state, GOOGLE_CLOUD, &body).await?;
    get_google_cloud(State(state), SettingsReader).await
}

const GOOGLE_CLOUD: &[F] = &[
    F(
        "GOOGLE_CLOUD_ENABLED",
        "GOOGLE_CLOUD_ENABLED",
        "false",
        Masked::No,
    ),
    F(
        "GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY",
        "GOOGLE_CLOUD_SERVICE_ACCOUNT_KEY",
        "\"\"",
        Masked::Resolve,
    ),
];

/// One group of a nested section: its name, its fields, and which of them a POST requires.
struct Group(&'static str, &'static [F], &'static [&'static str]);

const AUDIO: &[Group] = &[
    Group(
        "tts",
        &[
            F(
                "OPENAI_API_BASE_URL",
                "AUDIO_TTS_OPENAI_API_BASE_URL",
                "\"\"",
                Masked::No,
            ),
            F(
                "OPENAI_API_KEY",
                "AUDIO_TTS_OPENAI_API_KEY",
                "\"\"",
                Masked::Resolve,
            ),
            F("API_KEY", "AUDIO_TTS_API_KEY", "\"\"", Masked::Resolve),
            F("ENGINE", "AUDIO_TTS_ENGINE", "\"\"", Masked::No),
            F("MODEL", "AUDIO_TTS_MODEL", "\"\"", Masked::No),
            F("VOICE", "AUDIO_TTS_VOICE", "\"\"", Masked::No),
            F(
                "SPLIT_ON",
                "AUDIO_TTS_SPLIT_ON",
                "\"punctuation\"",
                Masked::No,
            ),
            F(
                "AZURE_SPEECH_REGION",
                "AUDIO_TTS_AZURE_SPEECH_REGION",
                "\"\"",
                Masked::No,
            ),
            F(
                "AZURE_SPEECH_OUTPUT_FORMAT",
                "AUDIO_TTS_AZURE_SPEECH_OUTPUT_FORMAT",
                "\"\"",
                Masked::No,
            ),
            F(
                "GOOGLE_LANGUAGE_CODE",
                "AUDIO_TTS_GOOGLE_LANGUAGE_CODE",
                "\"\"",
                Masked::No,
            ),
            F(
                "GOOGLE_SERVICE_ACCOUNT_KEY",
                "AUDIO_TTS_GOOGLE_SERVICE_ACCOUNT_KEY",
                "\"\"",
                Masked::Resolve,
            ),
            F("GEMINI_MODEL", "AUDIO_TTS_GEMINI_MODEL", "\"\"", Masked::No),
            F(
                "GEMINI_LOCATION",
                "AUDIO_TTS_GEMINI_LOCATION",
                "\"\"",
                Masked::No,
            ),
            F(
                "GEMINI_SERVICE_ACCOUNT_KEY",
                "AUDIO_TTS_GEMINI_SERVICE_ACCOUNT_KEY",
                "\"\"",
                Masked::Resolve,
            ),
        ],
        &[
            "OPENAI_API_BASE_URL",
            "OPENAI_API_KEY",
            "API_KEY",
            "ENGINE",
            "MODEL",
            "VOICE",
            "SPLIT_ON",
            "AZURE_SPEECH_REGION",
            "AZURE_SPEECH_OUTPUT_FORMAT",
        ],
    ),
    Group(
        "stt",
        &[
            F(
                "OPENAI_API_BASE_URL",
                "AUDIO_STT_OPENAI_API_BASE_URL",
                "\"\"",
                Masked::No,
            ),
            F(
                "OPENAI_API_KEY",
                "AUDIO_STT_OPENAI_API_KEY",
                "\"\"",
                Masked::Resolve,
            ),
            F("ENGINE", "AUDIO_STT_ENGINE", "\"\"", Masked::No),
            F("MODEL", "AUDIO_STT_MODEL", "\"\"", Masked::No),
            F("WHISPER_MODEL", "WHISPER_MODEL", "\"base\"", Masked::No),
            F(
                "DEEPGRAM_API_KEY",
                "DEEPGRAM_API_KEY",
                "\"\"",
                Masked::Resolve,
            ),
            F(
                "AZURE_API_KEY",
                "AUDIO_STT_AZURE_API_KEY",
                "\"\"",
                Masked::Resolve,
            ),
            F("AZURE_REGION", "AUDIO_STT_AZURE_REGION", "\"\"", Masked::No),
            F(
                "AZURE_LOCALES",
                "AUDIO_STT_AZURE_LOCALES",
                "\"\"",
                Masked::No,
            ),
            F(
                "GOOGLE_PROJECT_ID",
                "AUDIO_STT_GOOGLE_PROJECT_ID",
                "\"\"",
                Masked::No,
            ),
            F(
                "GOOGLE_LOCATION",
                "AUDIO_STT_GOOGLE_LOCATION",
                "\"\"",
                Masked::No,
            ),
            F(
                "GOOGLE_LANGUAGE_CODES",
                "AUDIO_STT_GOOGLE_LANGUAGE_CODES",
                "\"\"",
                Masked::No,
            ),
            F(
                "GOOGLE_SERVICE_ACCOUNT_KEY",
                "AUDIO_STT_GOOGLE_SERVICE_ACCOUNT_KEY",
                "\"\"",
                Masked::Resolve,
            ),
        ],
        &[
            "OPENAI_API_BASE_URL",
            "OPENAI_API_KEY",
            "ENGINE",
            "MODEL",
            "WHISPER_MODEL",
            "DEEPGRAM_API_KEY",
            "AZURE_API_KEY",
            "AZURE_REGION",
            "AZURE_LOCALES",
        ],
    ),
    Group(
        "avatar",
        &[
            F("ENGINE", "AUDIO_AVATAR_ENGINE", "\"\"", Masked::No),
            F("API_KEY", "AUDIO_AVATAR_API_KEY", "\"\"", Masked::Resolve),
            F("REGION", "AUDIO_AVATAR_REGION", "\"\"", Masked::No),
            F(
                "CHARACTER",
                "AUDIO_TTS_AZURE_AVATAR_CHARACTER",
                "\"\"",
                Masked::No,
            ),
            F("STYLE", "AUDIO_TTS_AZURE_AVATAR_STYLE", "\"\"", Masked::No),
            F(
                "GREETING",
                "AUDIO_TTS_AZURE_AVATAR_GREETING",
                "\"\"",
                Masked::No,
            ),
        ],
        &[
            "ENGINE",
            "API_KEY",
            "REGION",
            "CHARACTER",
            "STYLE",
            "GREETING",
        ],
    ),
];

async fn read_groups(state: &AppState, groups: &[Group]) -> ApiResult<Map<String, Value>> {
    let mut out = Map::new();
    for Group(name, fields, _) in groups {
        out.insert(
            (*name).to_owned(),
            Value::Object(read_flat(state, fields).await?),
        );
    }
    Ok(out)
}

async fn get_audio(State(state): State<Arc<AppState>>, _: AdminUser) -> ApiResult<Json<Value>> {
    Ok(Json(mask_tree(&Value::Object(
        read_groups(&state, AUDIO).await?,
    ))))
}

/// `POST /audio/config/update`: `tts` and `stt` required, `avatar` optional; in each group sent
/// the listed fields are required and the rest default to `""`; masked secrets resolved. The
/// answer has `tts` and `stt` only.
async fn set_audio(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let mut absent: Vec<String> = Vec::new();
    for Group(name, _, required) in AUDIO {
        match map.get(*name).and_then(Value::as_object) {
            Some(group) => absent.extend(
                required
                    .iter()
                    .filter(|f| !group.contains_key(**f))
                    .map(|f| format!("{name}.{f}")),
            ),
            None if *name != "avatar" => absent.push((*name).to_owned()),
            None => {}
        }
    }
    if !absent.is_empty() {
        let names: Vec<&str> = absent.iter().map(String::as_str).collect();
        return Err(missing(&names));
    }
    for Group(name, fields, _) in AUDIO {
        let Some(group) = map.get(*name).and_then(Value::as_object) else {
            continue;
        };
        for F(field, env, default, how) in *fields {
            let sent = group
                .get(*field)
                .cloned()
                .unwrap_or(Value::String(String::new()));
            let value = match how {
                Masked::Resolve => resolve(&sent, &stored(&state, env, default).await?),
                _ => sent,
            };
            assign(&state, env, &value).await?;
        }
    }
    let mut answer = read_groups(&state, AUDIO).await?;
    answer.remove("avatar");
    Ok(Json(mask_tree(&Value::Object(answer))))
}

async fn get_banners(State(state): State<Arc<AppState>>, _: Verified) -> ApiResult<Json<Value>> {
    Ok(Json(stored(&state, "WEBUI_BANNERS", "[]").await?))
}

/// `POST /configs/banners`: `{"banners": [...]}` replaces the list; answers the list.
async fn set_banners(
    State(state): State<Arc<AppState>>,
    _: SettingsWriter,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let map = body_object(&body)?;
    let Some(list @ Value::Array(_)) = map.get("banners") else {
        return Err(missing(&["banners"]));
    };
    assign(&state, "WEBUI_BANNERS", list).await?;
    Ok(Json(list.clone()))
}

/// The key a connection test uses: as sent, or — when masked — the stored key at `idx`, else
/// at the slot with the same URL.
async fn verified_key(
    state: &AppState,
    map: &Map<String, Value>,
    url: &str,
    key: &str,
) -> ApiResult<String> {
    if !looks_masked(key) {
        return Ok(key.to_owned());
    }
    let stored = read_openai(state).await?;
    let slot = map
        .get("idx")
        .and_then(Value::as_u64)
        .map(|i| i as usize)
        .or_else(|| {
            stored["OPENAI_API_BASE_URLS"]
                .as_array()
                .and_then(|urls| urls.iter().position(|u| u.as_str() == Some(url)))
        });
    Ok(slot
        .and_then(|i| stored["OPENAI_API_KEYS"].get(i))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned())
}

/// `POST /openai/verify`: calls `<url>/models` with the key (a masked key resolved from the
/// stored keys by `idx`, else by URL); the upstream's answer, or its failure as an error.
async fn verify_openai(
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
    let key = verified_key(&state, map, url, key).await?;
    let upstream = reqwest::Client::new()
        .get(format!("{}/models", url.trim_end_matches('/')))
        .bearer_auth(&key)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| ApiFailure::bad_request(&format!("Connection error: {e}")))?;
    let status = upstream.status();
    let text = upstream.text().await.unwrap_or_default();
    if !status.is_success() {
        let code = axum::http::StatusCode::from_u16(status.as_u16())
            .unwrap_or(axum::http::StatusCode::BAD_GATEWAY);
        return Err(ApiFailure::new(code, &format!("External: {text}")));
    }
    Ok(Json(
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    ))
}

#[cfg(test)]
mod tests {
    use super::jwt_duration;

    #[test]
    fn jwt_lifetimes_the_server_accepts() {
        for ok in ["-1", "0", "4w", "1.5h", "30m", "500ms", "10s", "7d"] {
            assert!(jwt_duration(ok), "{ok}");
        }
        for bad in ["", "1y", "h", "-2h", "forever", "1 h"] {
            assert!(!jwt_duration(bad), "{bad}");
        }
    }
}
