//! The test message the desktop sends through a webhook channel before it is saved, in the
//! format the channel's provider takes: Slack `text` + `blocks`; Teams as an Adaptive Card
//! message for a Workflows URL (a legacy Office 365 connector URL gets a MessageCard); Discord
//! `content` + `embeds` within Discord's limits; Telegram `sendMessage` with `chat_id`; Google
//! Chat cards. The server's own test sends a MessageCard to every Teams URL
//! (notifications.md), which a Workflows URL may refuse: the desktop's test shows whether the
//! format scheduled notifications use (an Adaptive Card) gets through.

use serde_json::{Value, json};

/// The title every test message carries.
pub const TEST_TITLE: &str = "Cloosphere Test Notification";

/// Where the test goes and what it sends.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookRequest {
    /// The URL to POST to (for Telegram it holds the bot token: never show or log it).
    pub url: String,
    /// The JSON body.
    pub body: Value,
    /// The HTTP statuses the provider answers on success.
    pub success: &'static [u16],
}

/// Why no test can be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TestMessageProblem {
    /// The provider is none the server knows.
    UnsupportedProvider(String),
    /// A field the provider needs is empty (`url`, `bot_token`, `chat_id`).
    Missing(&'static str),
}

/// Discord refuses a `content` over 2,000 characters and an embed description over 4,096.
pub const DISCORD_CONTENT_LIMIT: usize = 2000;

/// Whether a Teams URL is a Power Automate / Workflows trigger (which takes Adaptive Cards)
/// rather than a retired Office 365 connector (`webhook.office.com`, MessageCards).
pub fn is_teams_workflow_url(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', '?', ':']).next())
        .unwrap_or_default()
        .to_ascii_lowercase();
    !host.ends_with("webhook.office.com")
}

fn explanation(provider: &str, deployment: &str) -> String {
    format!(
        "This is a test message from the Cloosphere Admin Console for {deployment}. If you see it, the {provider} channel is configured correctly."
    )
}

fn truncated(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        text.to_owned()
    } else {
        let mut t: String = text.chars().take(limit - 3).collect();
        t.push_str("...");
        t
    }
}

/// The test request for a webhook channel (`provider`, `url`, `bot_token`, `chat_id` as
/// stored), naming the deployment it belongs to. `telegram_api` is the Bot API server
/// (`https://api.telegram.org`, or a self-hosted one).
pub fn webhook_test_request(
    channel: &Value,
    deployment: &str,
    telegram_api: &str,
) -> Result<WebhookRequest, TestMessageProblem> {
    let text = |k: &str| channel[k].as_str().unwrap_or_default().trim().to_owned();
    let provider = text("provider");
    let url = text("url");
    let need_url = || {
        if url.is_empty() {
            Err(TestMessageProblem::Missing("url"))
        } else {
            Ok(url.clone())
        }
    };
    let body_text = explanation(&provider, deployment);
    let ok_2xx: &'static [u16] = &[200, 201, 202, 204];
    match provider.as_str() {
        "slack" => Ok(WebhookRequest {
            url: need_url()?,
            body: json!({
                "text": TEST_TITLE,
                "blocks": [{"type": "section",
                            "text": {"type": "mrkdwn", "text": format!("*{TEST_TITLE}*\n\n{body_text}")}}]
            }),
            success: ok_2xx,
        }),
        "teams" => {
            let url = need_url()?;
            let body = if is_teams_workflow_url(&url) {
                json!({
                    "type": "message",
                    "attachments": [{
                        "contentType": "application/vnd.microsoft.card.adaptive",
                        "contentUrl": null,
                        "content": {
                            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                            "type": "AdaptiveCard",
                            "version": "1.5",
                            "body": [
                                {"type": "TextBlock", "text": TEST_TITLE, "weight": "Bolder", "size": "Medium", "wrap": true},
                                {"type": "TextBlock", "text": body_text, "wrap": true}
                            ]
                        }
                    }]
                })
            } else {
                json!({
                    "@type": "MessageCard",
                    "@context": "http://schema.org/extensions",
                    "themeColor": "0076D7",
                    "summary": TEST_TITLE,
                    "sections": [{"activityTitle": TEST_TITLE, "text": body_text}]
                })
            };
            Ok(WebhookRequest {
                url,
                body,
                success: ok_2xx,
            })
        }
        "discord" => Ok(WebhookRequest {
            url: need_url()?,
            body: json!({
                "content": truncated(&format!("**{TEST_TITLE}**"), DISCORD_CONTENT_LIMIT),
                "embeds": [{"title": TEST_TITLE, "description": truncated(&body_text, 4096), "color": 3447003}]
            }),
            success: ok_2xx,
        }),
        "telegram" => {
            let token = text("bot_token");
            let chat = text("chat_id");
            if token.is_empty() {
                return Err(TestMessageProblem::Missing("bot_token"));
            }
            if chat.is_empty() {
                return Err(TestMessageProblem::Missing("chat_id"));
            }
            Ok(WebhookRequest {
                url: format!(
                    "{}/bot{token}/sendMessage",
                    telegram_api.trim_end_matches('/')
                ),
                body: json!({"chat_id": chat, "text": format!("*{TEST_TITLE}*\n\n{body_text}"), "parse_mode": "Markdown"}),
                success: &[200],
            })
        }
        "google_chat" => Ok(WebhookRequest {
            url: need_url()?,
            body: json!({
                "text": TEST_TITLE,
                "cards": [{
                    "header": {"title": TEST_TITLE},
                    "sections": [{"widgets": [{"textParagraph": {"text": body_text}}]}]
                }]
            }),
            success: ok_2xx,
        }),
        other => Err(TestMessageProblem::UnsupportedProvider(other.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teams_urls_are_told_apart_by_host() {
        assert!(!is_teams_workflow_url(
            "https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def"
        ));
        assert!(is_teams_workflow_url(
            "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x"
        ));
    }

    #[test]
    fn telegram_needs_a_token_and_a_chat_and_goes_to_send_message() {
        let c = json!({"provider": "telegram", "bot_token": "123:abc", "chat_id": ""});
        assert_eq!(
            webhook_test_request(&c, "Acme", "https://api.telegram.org"),
            Err(TestMessageProblem::Missing("chat_id"))
        );
        let c = json!({"provider": "telegram", "bot_token": "123:abc", "chat_id": "-100"});
        let r = webhook_test_request(&c, "Acme", "https://api.telegram.org/").expect("request");
        assert_eq!(r.url, "https://api.telegram.org/bot123:abc/sendMessage");
        assert_eq!(r.body["chat_id"], "-100");
        assert_eq!(r.success, &[200]);
    }

    #[test]
    fn discord_content_stays_within_its_limit() {
        let long = "x".repeat(5000);
        assert_eq!(
            truncated(&long, DISCORD_CONTENT_LIMIT).chars().count(),
            2000
        );
        let c = json!({"provider": "discord", "url": "https://discord.com/api/webhooks/1/a"});
        let r = webhook_test_request(&c, &long, "").expect("request");
        assert!(r.body["embeds"][0]["description"].as_str().map(str::len) <= Some(4096));
    }

    #[test]
    fn an_unknown_provider_is_named() {
        let c = json!({"provider": "pager", "url": "https://x"});
        assert_eq!(
            webhook_test_request(&c, "Acme", ""),
            Err(TestMessageProblem::UnsupportedProvider("pager".into()))
        );
    }
}
