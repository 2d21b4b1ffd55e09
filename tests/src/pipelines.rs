//! A pipelines server of our own that behaves like the open-webui pipelines server the
//! deployment proxies to: `/models` with a `pipelines` key, the pipeline list, install from a
//! URL (the file name is the id; anything but a `.py` is not found), removal, and valves with
//! their JSON schema. Every call needs the connection's key.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The key the server accepts.
pub const PIPELINES_KEY: &str = "0p3n-w3bu!";

type Pipelines = Arc<Mutex<BTreeMap<String, Value>>>;

/// A running pipelines server.
pub struct PipelinesServer {
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    pipelines: Pipelines,
}

impl PipelinesServer {
    /// Starts one serving a single filter, `rate_limit`.
    pub async fn start() -> PipelinesServer {
        let pipelines: Pipelines = Arc::new(Mutex::new(BTreeMap::new()));
        pipelines
            .lock()
            .expect("lock")
            .insert("rate_limit".into(), valves_of("rate_limit"));
        let app = Router::new()
            .route("/models", get(models))
            .route("/pipelines", get(list))
            .route("/pipelines/add", post(add))
            .route("/pipelines/delete", delete(remove))
            .route("/{id}/valves", get(valves))
            .route("/{id}/valves/spec", get(spec))
            .route("/{id}/valves/update", post(update))
            .with_state(pipelines.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        PipelinesServer { url, pipelines }
    }

    /// The valves a pipeline holds now, as stored.
    pub fn stored_valves(&self, id: &str) -> Option<Value> {
        self.pipelines.lock().expect("lock").get(id).cloned()
    }
}

fn valves_of(_id: &str) -> Value {
    json!({"pipelines": ["*"], "priority": 0, "requests_per_minute": 10, "api_key": "rl-secret-0001"})
}

fn authorised(headers: &HeaderMap) -> Result<(), (StatusCode, Json<Value>)> {
    let ok = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {PIPELINES_KEY}"));
    if ok {
        Ok(())
    } else {
        Err((
            StatusCode::FORBIDDEN,
            Json(json!({"detail": "Invalid API key"})),
        ))
    }
}

type Answer = Result<Json<Value>, (StatusCode, Json<Value>)>;

fn not_found() -> (StatusCode, Json<Value>) {
    (
        StatusCode::NOT_FOUND,
        Json(json!({"detail": "Pipeline not found"})),
    )
}

async fn models(State(p): State<Pipelines>, headers: HeaderMap) -> Answer {
    authorised(&headers)?;
    let data: Vec<Value> = p
        .lock()
        .expect("lock")
        .keys()
        .map(|id| json!({"id": id, "name": id, "object": "model"}))
        .collect();
    Ok(Json(
        json!({"data": data, "object": "list", "pipelines": true}),
    ))
}

async fn list(State(p): State<Pipelines>, headers: HeaderMap) -> Answer {
    authorised(&headers)?;
    let data: Vec<Value> = p
        .lock()
        .expect("lock")
        .keys()
        .map(|id| json!({"id": id, "name": id.replace('_', " "), "type": "filter", "valves": true}))
        .collect();
    Ok(Json(json!({"data": data})))
}

async fn add(State(p): State<Pipelines>, headers: HeaderMap, Json(body): Json<Value>) -> Answer {
    authorised(&headers)?;
    let url = body["url"].as_str().unwrap_or_default();
    let Some(id) = url
        .rsplit('/')
        .next()
        .and_then(|file| file.strip_suffix(".py"))
        .filter(|id| !id.is_empty())
    else {
        return Err(not_found());
    };
    p.lock().expect("lock").insert(id.to_owned(), valves_of(id));
    Ok(Json(
        json!({"status": true, "detail": format!("Pipeline added successfully from {url}")}),
    ))
}

async fn remove(State(p): State<Pipelines>, headers: HeaderMap, Json(body): Json<Value>) -> Answer {
    authorised(&headers)?;
    let id = body["id"].as_str().unwrap_or_default();
    match p.lock().expect("lock").remove(id) {
        Some(_) => Ok(Json(
            json!({"status": true, "detail": format!("Pipeline {id} deleted")}),
        )),
        None => Err(not_found()),
    }
}

async fn valves(State(p): State<Pipelines>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    authorised(&headers)?;
    p.lock()
        .expect("lock")
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(not_found)
}

async fn spec(State(p): State<Pipelines>, headers: HeaderMap, Path(id): Path<String>) -> Answer {
    authorised(&headers)?;
    if !p.lock().expect("lock").contains_key(&id) {
        return Err(not_found());
    }
    Ok(Json(
        json!({"title": "Valves", "type": "object", "properties": {
            "pipelines": {"title": "Pipelines", "type": "array", "items": {"type": "string"}, "default": ["*"]},
            "priority": {"title": "Priority", "type": "integer", "default": 0},
            "requests_per_minute": {"title": "Requests Per Minute", "type": "integer", "default": 10},
            "api_key": {"title": "Api Key", "type": "string", "default": ""}
        }}),
    ))
}

async fn update(
    State(p): State<Pipelines>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<Value>,
) -> Answer {
    authorised(&headers)?;
    let mut pipelines = p.lock().expect("lock");
    let Some(current) = pipelines.get_mut(&id) else {
        return Err(not_found());
    };
    *current = body.clone();
    Ok(Json(body))
}
