//! Service Requests (service-requests.md), both sides. The customer side answers its SR
//! configuration (enabled when both an SR key and the central URL are set) and forwards a
//! submit to the central instance with its key and the caller's name and e-mail, mapping the
//! central answer to its own statuses (502 with the central detail, 504 on a timeout, 502
//! "Failed to connect to SR server"). The central side identifies the customer by the exact
//! `X-SR-Key`, and e-mails support through its **first** stored e-mail channel (the legacy
//! fallback not used), with the values inserted unescaped. What it received is kept for the
//! test hook `/_sandbox/sr_received`; the real server keeps nothing.

use crate::AppState;
use crate::auth::AdminUser;
use crate::errors::{ApiFailure, ApiResult};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncTransport, Message};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// The support mailbox the central side writes to (hard-coded on the server).
pub const SUPPORT_MAILBOX: &str = "support-cloosphere@cloocus.com";

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/sr/config", get(config))
        .route("/api/v1/sr/submit", post(submit))
        .route("/api/v1/cloocus/sr/submit", post(central_submit))
}

/// Test-only: what the central side received, in order.
pub(super) fn test_hooks() -> Router<Arc<AppState>> {
    Router::new().route("/_sandbox/sr_received", get(received))
}

async fn received(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(Value::Array(state.received_srs()))
}

fn catalogue() -> Value {
    json!({
        "usage_limit": ["limit_increase", "limit_check"],
        "feature": ["chat", "agent", "knowledge", "database", "tool"],
        "bug": ["chat_error", "agent_error", "upload_error", "other_error"],
        "account": ["permission_request", "account_issue"],
        "other": ["improvement", "other"],
    })
}

async fn config(State(state): State<Arc<AppState>>, _: AdminUser) -> Json<Value> {
    Json(json!({"enabled": state.sr_customer_side().is_some(), "types": catalogue()}))
}

async fn submit(
    State(state): State<Arc<AppState>>,
    AdminUser(user): AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let (Some(title), Some(content)) = (body["title"].as_str(), body["content"].as_str()) else {
        return Err(ApiFailure::validation(vec![json!({"type": "missing",
            "loc": ["body", if body["title"].is_string() { "content" } else { "title" }],
            "msg": "Field required", "input": body})]));
    };
    let Some((key, central)) = state.sr_customer_side() else {
        return Err(ApiFailure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SR is not configured. Set SR_KEY and CLOOCUS_PUBLIC_URL environment variables.",
        ));
    };
    let forwarded = json!({"title": title, "type": body["type"].as_str().unwrap_or("other"),
        "content": content, "user_name": user.name, "user_email": user.email});
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(ApiFailure::internal)?;
    let answer = client
        .post(format!("{central}/api/v1/cloocus/sr/submit"))
        .header("X-SR-Key", key)
        .json(&forwarded)
        .send()
        .await;
    match answer {
        Ok(r) if r.status() == StatusCode::OK => Ok(Json(
            json!({"success": true, "message": "SR submitted successfully"}),
        )),
        Ok(r) => {
            let text = r.text().await.unwrap_or_default();
            match serde_json::from_str::<Value>(&text) {
                Ok(v) => {
                    let detail = match &v["detail"] {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    Err(ApiFailure::new(
                        StatusCode::BAD_GATEWAY,
                        &format!("SR submission failed: {detail}"),
                    ))
                }
                Err(e) => Err(ApiFailure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &e.to_string(),
                )),
            }
        }
        Err(e) if e.is_timeout() => Err(ApiFailure::new(
            StatusCode::GATEWAY_TIMEOUT,
            "SR submission timed out",
        )),
        Err(e) if e.is_connect() => Err(ApiFailure::new(
            StatusCode::BAD_GATEWAY,
            "Failed to connect to SR server",
        )),
        Err(e) => Err(ApiFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.to_string(),
        )),
    }
}

async fn central_submit(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let key = headers.get("x-sr-key").and_then(|v| v.to_str().ok());
    let mut missing = Vec::new();
    if key.is_none() {
        missing.push(json!({"type": "missing", "loc": ["header", "x-sr-key"], "msg": "Field required", "input": null}));
    }
    for field in ["title", "content"] {
        if !body[field].is_string() {
            missing.push(json!({"type": "missing", "loc": ["body", field], "msg": "Field required", "input": body}));
        }
    }
    if !missing.is_empty() {
        return Err(ApiFailure::validation(missing));
    }
    let key = key.unwrap_or_default();
    if !state.is_central() {
        return Err(ApiFailure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Cloocus admin DB not configured",
        ));
    }
    let Some(company) = state.central_customer(key) else {
        return Err(ApiFailure::new(StatusCode::UNAUTHORIZED, "Invalid SR key"));
    };
    let channels = state
        .db
        .config("NOTIFICATION_EMAIL_CHANNELS")
        .await?
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default();
    let Some(channel) = channels.first() else {
        return Err(ApiFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "No email channel configured",
        ));
    };
    let engine = channel["engine"].as_str().unwrap_or_default();
    if !["smtp", "sendgrid", "azure", "msgraph"].contains(&engine) {
        return Err(ApiFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("Unsupported email engine: {engine}"),
        ));
    }
    let text = |k: &str| body[k].as_str().unwrap_or("-").to_owned();
    let (title, kind, content) = (
        text("title"),
        body["type"].as_str().unwrap_or("other").to_owned(),
        text("content"),
    );
    let (name, email) = (text("user_name"), text("user_email"));
    let subject = format!("[SR] {company} - {title}");
    let plain = format!(
        "고객사: {company}\n유형: {kind}\n제목: {title}\n작성자: {name} ({email})\n\n{content}"
    );
    // Unescaped, as the server inserts them.
    let html = format!(
        "<table><tr><th>고객사</th><td>{company}</td></tr><tr><th>유형</th><td>{kind}</td></tr>\
         <tr><th>제목</th><td>{title}</td></tr><tr><th>작성자</th><td>{name} ({email})</td></tr></table><p>{content}</p>"
    );
    let sent = if engine == "smtp" {
        send_smtp(&channel["smtp"], &subject, plain, html).await
    } else {
        // The sandbox reaches no SendGrid, Azure or Graph.
        Err(format!("the sandbox cannot send through {engine}"))
    };
    match sent {
        Ok(()) => {
            state.record_sr(json!({"company": company, "title": title, "type": kind,
                "content": content, "user_name": body["user_name"], "user_email": body["user_email"]}));
            Ok(Json(
                json!({"success": true, "message": "SR submitted successfully"}),
            ))
        }
        Err(e) => Err(ApiFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("Failed to send SR email: {e}"),
        )),
    }
}

async fn send_smtp(smtp: &Value, subject: &str, plain: String, html: String) -> Result<(), String> {
    let text = |k: &str| smtp[k].as_str().unwrap_or_default().to_owned();
    let transport = super::notification_tests::smtp_transport(smtp)?;
    let user = text("username");
    let from_address = match text("from_address") {
        a if a.is_empty() => user,
        a => a,
    };
    let from: Mailbox = format!("{} <{from_address}>", text("from_name"))
        .parse()
        .map_err(|e: lettre::address::AddressError| e.to_string())?;
    let to: Mailbox = SUPPORT_MAILBOX
        .parse()
        .map_err(|e: lettre::address::AddressError| e.to_string())?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .multipart(MultiPart::alternative_plain_html(plain, html))
        .map_err(|e| e.to_string())?;
    transport
        .send(message)
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}
