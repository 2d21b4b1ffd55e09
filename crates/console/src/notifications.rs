//! Notification channels of a deployment (notifications.md): the e-mail and webhook channels as
//! the deployment answers them (secrets masked), each with its list position — the position the
//! server resolves masked e-mail secrets by.

use crate::error::ConsoleResult;
use crate::{Notifications, Target};
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// One channel as read.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChannelView {
    /// Its list position (the server's `index`, from 0).
    pub position: usize,
    /// Its name (schedules refer to it).
    pub name: String,
    /// The e-mail engine (`smtp`, `sendgrid`, `azure`, `msgraph`) or the webhook provider.
    pub kind: String,
    /// Where it sends: the SMTP server and port, the webhook URL's host, the sender address.
    pub reaches: String,
    /// The channel as the deployment answered it (secrets masked).
    #[ts(type = "Record<string, unknown>")]
    pub values: Value,
}

/// Every channel of a deployment.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChannelsView {
    /// E-mail channels, in order.
    pub emails: Vec<ChannelView>,
    /// Webhook channels, in order.
    pub webhooks: Vec<ChannelView>,
    /// The event subscriptions (stored, not used by the server).
    pub events: Vec<String>,
}

fn email_reaches(c: &Value) -> String {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    match c["engine"].as_str().unwrap_or_default() {
        "smtp" => format!("{}:{}", text(&c["smtp"]["server"]), c["smtp"]["port"]),
        "sendgrid" => text(&c["sendgrid"]["from_address"]),
        "azure" => text(&c["azure"]["from_address"]),
        "msgraph" => text(&c["msgraph"]["sender_email"]),
        _ => String::new(),
    }
}

fn webhook_reaches(c: &Value) -> String {
    let url = c["url"].as_str().unwrap_or_default();
    match url.split("://").nth(1) {
        Some(rest) => rest.split('/').next().unwrap_or_default().to_owned(),
        None if c["provider"] == "telegram" => "api.telegram.org".to_owned(),
        None => String::new(),
    }
}

impl Notifications<'_> {
    /// Every channel as the deployment answers it (`GET /notifications/config`).
    pub async fn channels(&self, target: &Target) -> ConsoleResult<ChannelsView> {
        let session = self.c.session(target).await?;
        let config = session
            .call(|c, t| async move { c.settings_section(&t, "api/v1/notifications/config").await })
            .await?;
        let list = |key: &str, kind_key: &str, reaches: fn(&Value) -> String| -> Vec<ChannelView> {
            config[key]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(position, c)| ChannelView {
                    position,
                    name: c["name"].as_str().unwrap_or_default().to_owned(),
                    kind: c[kind_key].as_str().unwrap_or_default().to_owned(),
                    reaches: reaches(c),
                    values: c.clone(),
                })
                .collect()
        };
        Ok(ChannelsView {
            emails: list("emails", "engine", email_reaches),
            webhooks: list("webhooks", "provider", webhook_reaches),
            events: config["events"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect(),
        })
    }
}
