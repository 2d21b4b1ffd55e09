//! The server's tests of a saved notification channel (notifications.md, "Endpoint details"):
//! chosen by list position, always answered 200 with `{success, message}` in the server's own
//! words — except a failed Microsoft Graph test e-mail, which raises and answers a bare 500.
//! SMTP goes through a real connection (implicit TLS, or plain then STARTTLS, a 10 s limit,
//! login when a user and password are set); webhooks get the server's test payloads, posted
//! for real. Like Python's `smtplib` given no TLS context, the server's SMTP test does not
//! check the mail server's certificate — an assumption where the contract is silent.

use super::notifications::effective;
use crate::AppState;
use crate::auth::AdminUser;
use crate::errors::{ApiFailure, ApiResult};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/api/v1/notifications/email/test-connection",
            post(email_test_connection),
        )
        .route("/api/v1/notifications/email/test", post(email_test))
        .route("/api/v1/notifications/webhook/test", post(webhook_test))
}

const LIMIT: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
struct IndexQuery {
    #[serde(default)]
    index: i64,
}

#[derive(Deserialize)]
struct EmailTestForm {
    to: String,
    #[serde(default)]
    index: i64,
}

fn answer(success: bool, message: impl Into<String>) -> Json<Value> {
    Json(json!({"success": success, "message": message.into()}))
}

fn at(list: &[Value], index: i64) -> Option<&Value> {
    usize::try_from(index).ok().and_then(|i| list.get(i))
}

/// The transport a channel's `smtp` block describes, as the server builds it (the certificate
/// is not checked, as `smtplib` given no context does not).
pub(super) fn smtp_transport(smtp: &Value) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let text = |k: &str| smtp[k].as_str().unwrap_or_default().to_owned();
    let server = text("server");
    let port = u16::try_from(smtp["port"].as_u64().unwrap_or(587)).map_err(|e| e.to_string())?;
    let tls = TlsParameters::builder(server.clone())
        .dangerous_accept_invalid_certs(true)
        .dangerous_accept_invalid_hostnames(true)
        .build_rustls()
        .map_err(|e| e.to_string())?;
    let mode = if smtp["use_ssl"].as_bool().unwrap_or(false) {
        Tls::Wrapper(tls)
    } else if smtp["use_tls"].as_bool().unwrap_or(true) {
        Tls::Required(tls)
    } else {
        Tls::None
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server)
        .port(port)
        .timeout(Some(LIMIT))
        .tls(mode);
    let (user, password) = (text("username"), text("password"));
    if !user.is_empty() && !password.is_empty() {
        builder = builder.credentials(Credentials::new(user, password));
    }
    Ok(builder.build())
}

fn smtp_words(e: &lettre::transport::smtp::Error) -> String {
    if e.is_timeout() {
        return "Connection timed out".into();
    }
    if let Some(code) = e.status() {
        let code = code.to_string();
        if code == "535" || code == "530" || code == "534" {
            return "Authentication failed".into();
        }
    }
    let text = e.to_string();
    if text.to_ascii_lowercase().contains("connection refused") {
        "Connection failed".into()
    } else {
        text
    }
}

async fn email_test_connection(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Query(q): Query<IndexQuery>,
) -> ApiResult<Json<Value>> {
    let (emails, _) = effective(&state).await?;
    let Some(channel) = at(&emails, q.index) else {
        return Ok(answer(false, "Channel index out of range"));
    };
    let text = |a: &str, b: &str| channel[a][b].as_str().unwrap_or_default().to_owned();
    Ok(match channel["engine"].as_str().unwrap_or_default() {
        "smtp" => match smtp_transport(&channel["smtp"]) {
            Err(e) => answer(false, e),
            Ok(t) => match tokio::time::timeout(LIMIT, t.test_connection()).await {
                Err(_) => answer(false, "Connection timed out"),
                Ok(Ok(true)) => answer(true, "Connection successful"),
                Ok(Ok(false)) => answer(false, "Connection failed"),
                Ok(Err(e)) => answer(false, smtp_words(&e)),
            },
        },
        "sendgrid" => {
            // The sandbox reaches no SendGrid: a key of the right shape passes.
            if text("sendgrid", "api_key").starts_with("SG.") {
                answer(true, "API key is valid")
            } else {
                answer(false, "Invalid API key")
            }
        }
        "azure" => {
            let cs = text("azure", "connection_string");
            let has = |k: &str| {
                cs.split(';')
                    .any(|p| p.to_ascii_lowercase().starts_with(&format!("{k}=")))
            };
            if has("endpoint") && has("accesskey") {
                answer(true, "Connection string is valid")
            } else {
                answer(
                    false,
                    "Invalid connection string: endpoint and accesskey are required",
                )
            }
        }
        "msgraph" => answer(
            false,
            "Authentication failed: the sandbox reaches no Microsoft Entra ID",
        ),
        _ => answer(false, "No email engine configured"),
    })
}

async fn email_test(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Json(form): Json<EmailTestForm>,
) -> ApiResult<Response> {
    let (emails, _) = effective(&state).await?;
    let Some(channel) = at(&emails, form.index) else {
        return Ok(answer(false, "Channel index out of range").into_response());
    };
    match channel["engine"].as_str().unwrap_or_default() {
        "smtp" => {
            let smtp = &channel["smtp"];
            let text = |k: &str| smtp[k].as_str().unwrap_or_default().to_owned();
            let from_address = match text("from_address") {
                a if a.is_empty() => text("username"),
                a => a,
            };
            let sent = async {
                let from: Mailbox = format!("{} <{from_address}>", text("from_name"))
                    .parse()
                    .map_err(|_| ())?;
                let to: Mailbox = form.to.parse().map_err(|_| ())?;
                let message = Message::builder()
                    .from(from)
                    .to(to)
                    .subject("[Cloosphere] Test Email")
                    .multipart(MultiPart::alternative_plain_html(
                        "This is a test email from Cloosphere.".to_owned(),
                        "<p>This is a test email from Cloosphere.</p>".to_owned(),
                    ))
                    .map_err(|_| ())?;
                smtp_transport(smtp)
                    .map_err(|_| ())?
                    .send(message)
                    .await
                    .map_err(|_| ())
            }
            .await;
            Ok(match sent {
                Ok(_) => answer(true, "Test email sent successfully"),
                Err(()) => answer(false, "Failed to send test email"),
            }
            .into_response())
        }
        // The sandbox reaches no Microsoft Graph: the send fails, and the server raises.
        "msgraph" => {
            Ok((StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response())
        }
        "sendgrid" | "azure" => Ok(answer(false, "Failed to send test email").into_response()),
        _ => Ok(answer(false, "No email engine configured").into_response()),
    }
}

const TITLE: &str = "Cloosphere Test Notification";

/// The server's test payload for each provider (examples/notif-webhook-test-payloads.json).
fn test_payload(provider: &str, chat_id: &str) -> Option<Value> {
    let explain = |what: &str| {
        format!(
            "This is a test message from Cloosphere. If you see this message, your {what} is configured correctly."
        )
    };
    Some(match provider {
        "slack" => json!({"text": TITLE, "blocks": [{"type": "section", "text": {"type": "mrkdwn",
            "text": format!("*{TITLE}*\n\n{}", explain("Slack webhook"))}}]}),
        "teams" => json!({"@type": "MessageCard", "@context": "http://schema.org/extensions",
            "themeColor": "0076D7", "summary": TITLE,
            "sections": [{"activityTitle": TITLE, "text": explain("Teams webhook")}]}),
        "discord" => json!({"content": format!("**{TITLE}**\n\n{}", explain("Discord webhook"))}),
        "telegram" => json!({"chat_id": chat_id,
            "text": format!("*{TITLE}*\n\n{}", explain("Telegram bot")), "parse_mode": "Markdown"}),
        "google_chat" => json!({"cards": [{"header": {"title": TITLE,
            "imageUrl": "https://fonts.gstatic.com/s/i/short-term/release/googlesymbols/check_circle/default/48px.svg"},
            "sections": [{"widgets": [{"textParagraph": {"text": explain("Google Chat webhook")}}]}]}]}),
        _ => return None,
    })
}

async fn webhook_test(
    State(state): State<Arc<AppState>>,
    _: AdminUser,
    Query(q): Query<IndexQuery>,
) -> ApiResult<Json<Value>> {
    let (_, webhooks) = effective(&state).await?;
    let Some(channel) = at(&webhooks, q.index) else {
        return Ok(answer(false, "Channel index out of range"));
    };
    let text = |k: &str| channel[k].as_str().unwrap_or_default().to_owned();
    let provider = text("provider");
    let (url, success): (String, &[u16]) = if provider == "telegram" {
        if text("bot_token").is_empty() || text("chat_id").is_empty() {
            return Ok(answer(
                false,
                "Bot Token and Chat ID are required for Telegram",
            ));
        }
        (
            format!(
                "https://api.telegram.org/bot{}/sendMessage",
                text("bot_token")
            ),
            &[200],
        )
    } else {
        if text("url").is_empty() {
            return Ok(answer(false, "No webhook URL configured"));
        }
        (text("url"), &[200, 201, 202, 204])
    };
    let Some(payload) = test_payload(&provider, &text("chat_id")) else {
        return Ok(answer(
            false,
            format!("Unsupported webhook provider: {provider}"),
        ));
    };
    let client = reqwest::Client::builder()
        .timeout(LIMIT)
        .build()
        .map_err(|e| ApiFailure::internal(e.to_string()))?;
    Ok(match client.post(&url).json(&payload).send().await {
        Ok(r) if success.contains(&r.status().as_u16()) => {
            answer(true, "Webhook test sent successfully")
        }
        Ok(r) if provider == "telegram" => answer(
            false,
            format!("Telegram API returned status {}", r.status().as_u16()),
        ),
        Ok(r) => answer(
            false,
            format!("Webhook returned status {}", r.status().as_u16()),
        ),
        Err(e) if e.is_timeout() => answer(false, "Webhook request timed out"),
        Err(e) => answer(false, e.without_url().to_string()),
    })
}
