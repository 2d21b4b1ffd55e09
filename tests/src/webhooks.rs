//! A local HTTP receiver standing in for Slack, Teams, Discord, Telegram and Google Chat: it
//! keeps every request's path, content type and exact body bytes, and answers each path with
//! the status and body the test set for it (200 and `ok` by default).

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One request received.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Its path and query.
    pub path: String,
    /// Its `Content-Type`.
    pub content_type: String,
    /// Its body, byte for byte.
    pub body: Vec<u8>,
}

#[derive(Default)]
struct Inner {
    hits: Vec<Hit>,
    answers: HashMap<String, (u16, String)>,
}

/// A running receiver.
#[derive(Clone)]
pub struct WebhookReceiver {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    inner: Arc<Mutex<Inner>>,
}

async fn receive(
    State(inner): State<Arc<Mutex<Inner>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let mut inner = inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    inner.hits.push(Hit {
        path: path.clone(),
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        body: body.to_vec(),
    });
    let (status, text) = inner
        .answers
        .get(uri.path())
        .cloned()
        .unwrap_or((200, "ok".to_owned()));
    (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), text)
}

impl WebhookReceiver {
    /// Starts one on the current tokio runtime.
    pub async fn start() -> anyhow::Result<WebhookReceiver> {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new().fallback(receive).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(WebhookReceiver { url, inner })
    }

    /// Answers requests to `path` with `status` and `body` from now on.
    pub fn answer(&self, path: &str, status: u16, body: &str) {
        self.lock()
            .answers
            .insert(path.to_owned(), (status, body.to_owned()));
    }

    /// Every request so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.lock().hits.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
