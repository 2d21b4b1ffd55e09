//! Notification channels (notifications.md): the whole configuration replaced on every save,
//! e-mail secrets that come back masked resolved **by list position** against what was stored
//! before the save, webhook secrets stored as sent, nested objects completed with defaults, and
//! the legacy single channel `기본` synthesized from the old settings when the list is empty.

use crate::AppState;
use crate::algorithms::masking::{looks_masked, mask_tree};
use crate::auth::{AdminUser, Verified};
use crate::errors::{ApiFailure, ApiResult};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use std::sync::Arc;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/notifications/channels", get(channels))
        .route(
            "/api/v1/notifications/config",
            get(get_config).post(set_config),
        )
}

/// The e-mail secrets resolved by position.
const EMAIL_SECRETS: [(&str, &str); 4] = [
    ("smtp", "password"),
    ("sendgrid", "api_key"),
    ("azure", "connection_string"),
    ("msgraph", "client_secret"),
];

fn email_defaults() -> Value {
    json!({
        "name": "", "engine": "",
        "smtp": {"server": "", "port": 587, "username": "", "password": "", "use_tls": true,
                 "use_ssl": false, "from_address": "", "from_name": "Cloosphere"},
        "sendgrid": {"api_key": "", "from_address": "", "from_name": "Cloosphere"},
        "azure": {"connection_string": "", "from_address": "", "from_name": "Cloosphere"},
        "msgraph": {"tenant_id": "", "client_id": "", "client_secret": "", "sender_email": "",
                    "from_name": "Cloosphere"},
    })
}

fn webhook_defaults() -> Value {
    json!({"name": "", "provider": "", "url": "", "bot_token": "", "chat_id": ""})
}

/// `sent` over `defaults`, key by key (nested objects too); unknown keys dropped.
fn completed(defaults: &Value, sent: &Value) -> Value {
    match defaults {
        Value::Object(d) => Value::Object(
            d.iter()
                .map(|(k, dv)| {
                    let v = match sent.get(k) {
                        Some(s) if dv.is_object() => completed(dv, s),
                        Some(s) if !s.is_null() => s.clone(),
                        _ => dv.clone(),
                    };
                    (k.clone(), v)
                })
                .collect::<Map<String, Value>>(),
        ),
        _ => sent.clone(),
    }
}

async fn stored_list(state: &AppState, key: &str) -> ApiResult<Vec<Value>> {
    Ok(state
        .db
        .config(key)
        .await?
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default())
}

/// The lists as every read path sees them: the stored ones, or the legacy channel `기본`.
pub(super) async fn effective(state: &AppState) -> ApiResult<(Vec<Value>, Vec<Value>)> {
    let mut emails = stored_list(state, "NOTIFICATION_EMAIL_CHANNELS").await?;
    let setting = |v: Option<Value>| {
        v.and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    if emails.is_empty() {
        let engine = setting(state.db.config("EMAIL_ENGINE").await?);
        if !engine.is_empty() {
            let mut legacy = json!({"name": "기본", "engine": engine, "smtp": {}, "sendgrid": {}});
            for (field, key) in [
                ("server", "SMTP_SERVER"),
                ("port", "SMTP_PORT"),
                ("username", "SMTP_USERNAME"),
                ("password", "SMTP_PASSWORD"),
                ("use_tls", "SMTP_USE_TLS"),
                ("use_ssl", "SMTP_USE_SSL"),
                ("from_address", "SMTP_FROM_ADDRESS"),
                ("from_name", "SMTP_FROM_NAME"),
            ] {
                if let Some(v) = state.db.config(key).await? {
                    legacy["smtp"][field] = v;
                }
            }
            for (field, key) in [
                ("api_key", "SENDGRID_API_KEY"),
                ("from_address", "SENDGRID_FROM_ADDRESS"),
                ("from_name", "SENDGRID_FROM_NAME"),
            ] {
                if let Some(v) = state.db.config(key).await? {
                    legacy["sendgrid"][field] = v;
                }
            }
            let mut channel = completed(&email_defaults(), &legacy);
            // The synthesized channel has no azure or msgraph blocks.
            if let Value::Object(map) = &mut channel {
                map.remove("azure");
                map.remove("msgraph");
            }
            emails.push(channel);
        }
    }
    let mut webhooks = stored_list(state, "NOTIFICATION_WEBHOOK_CHANNELS").await?;
    if webhooks.is_empty() {
        let provider = setting(state.db.config("WEBHOOK_PROVIDER").await?);
        let url = setting(state.db.config("WEBHOOK_URL").await?);
        if !provider.is_empty() || !url.is_empty() {
            webhooks.push(json!({"name": "기본", "provider": provider, "url": url}));
        }
    }
    Ok((emails, webhooks))
}

async fn channels(State(state): State<Arc<AppState>>, _: Verified) -> ApiResult<Json<Value>> {
    let (emails, webhooks) = effective(&state).await?;
    Ok(Json(json!({
        "emails": emails.iter().map(|c| json!({"name": c["name"], "engine": c["engine"]})).collect::<Vec<_>>(),
        "webhooks": webhooks.iter().map(|c| json!({"name": c["name"], "provider": c["provider"]})).collect::<Vec<_>>(),
    })))
}

async fn read_config(state: &AppState) -> ApiResult<Value> {
    let (emails, webhooks) = effective(state).await?;
    let events = state
        .db
        .config("NOTIFICATION_EVENTS")
        .await?
        .unwrap_or_else(|| json!([]));
    Ok(mask_tree(
        &json!({"emails": emails, "webhooks": webhooks, "events": events}),
    ))
}

async fn get_config(State(state): State<Arc<AppState>>, _: AdminUser) -> ApiResult<Json<Value>> {
    Ok(Json(read_config(&state).await?))
}

/// `POST /notifications/config`: replaces all three settings; a list left out is `[]`.
async fn set_config(
    State(state): State<Arc<AppState>>,
    AdminUser(me): AdminUser,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let list = |key: &str| -> ApiResult<Vec<Value>> {
        match body.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(other) => Err(ApiFailure::validation(vec![json!({"type": "list_type",
                "loc": ["body", key], "msg": "Input should be a valid list", "input": other})])),
        }
    };
    let before = stored_list(&state, "NOTIFICATION_EMAIL_CHANNELS").await?;
    let mut emails = Vec::new();
    for (i, sent) in list("emails")?.iter().enumerate() {
        if sent["smtp"]["port"].as_str().is_some() {
            return Err(ApiFailure::validation(vec![json!({"type": "int_parsing",
                "loc": ["body", "emails", i, "smtp", "port"],
                "msg": "Input should be a valid integer", "input": sent["smtp"]["port"]})]));
        }
        let mut channel = completed(&email_defaults(), sent);
        for (group, field) in EMAIL_SECRETS {
            let value = channel[group][field]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if looks_masked(&value)
                && let Some(old) = before.get(i)
            {
                channel[group][field] = old[group].get(field).cloned().unwrap_or(json!(""));
            }
        }
        emails.push(channel);
    }
    let webhooks: Vec<Value> = list("webhooks")?
        .iter()
        .map(|w| completed(&webhook_defaults(), w))
        .collect();
    let events = Value::Array(list("events")?);
    let (emails_count, webhooks_count) = (emails.len(), webhooks.len());
    state
        .db
        .set_config("NOTIFICATION_EMAIL_CHANNELS", &Value::Array(emails))
        .await?;
    state
        .db
        .set_config("NOTIFICATION_WEBHOOK_CHANNELS", &Value::Array(webhooks))
        .await?;
    state.db.set_config("NOTIFICATION_EVENTS", &events).await?;
    let after = json!({"email_channels_count": emails_count, "webhook_channels_count": webhooks_count, "events": events});
    crate::audit_trail::settings_change(&state, &me, "notifications", after).await;
    Ok(Json(read_config(&state).await?))
}
