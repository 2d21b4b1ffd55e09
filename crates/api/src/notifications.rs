//! Notification channel endpoints (notifications.md): the whole configuration read and
//! replaced, and the server's three tests of a saved channel (chosen by list position).

use crate::client::Client;
use crate::error::ApiError;
use cloo_domain::Secret;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

/// What the server's channel tests answer (`200` with `success` false on failure).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct ChannelTestAnswer {
    /// Whether the test got through.
    pub success: bool,
    /// The server's words (`Connection successful`, `Authentication failed`, the exception).
    #[serde(default)]
    pub message: String,
}

#[derive(Serialize)]
struct EmailTestForm<'a> {
    to: &'a str,
    index: usize,
}

/// The server waits up to 10 s on the provider; leave it room to answer.
const TEST_WAIT: Duration = Duration::from_secs(40);

impl Client {
    /// `GET /api/v1/notifications/config` (secrets masked, the legacy channel made up).
    pub async fn notification_config(&self, token: &Secret) -> Result<Value, ApiError> {
        self.get("api/v1/notifications/config", Some(token), &[])
            .await
    }

    /// `POST /api/v1/notifications/config`: replaces all three lists; answers them masked.
    pub async fn save_notification_config(
        &self,
        token: &Secret,
        body: &Value,
    ) -> Result<Value, ApiError> {
        self.post("api/v1/notifications/config", Some(token), body)
            .await
    }

    /// `POST /api/v1/notifications/email/test-connection?index=N`.
    pub async fn test_email_channel_connection(
        &self,
        token: &Secret,
        index: usize,
    ) -> Result<ChannelTestAnswer, ApiError> {
        self.send_within(
            Method::POST,
            "api/v1/notifications/email/test-connection",
            Some(token),
            &[("index", index.to_string())],
            None::<&()>,
            Some(TEST_WAIT),
        )
        .await
    }

    /// `POST /api/v1/notifications/email/test` `{to, index}`. A Microsoft Graph channel whose
    /// send fails makes the server answer a bare 500; that is a failed send, not a broken
    /// server, and is answered as one.
    pub async fn send_test_email(
        &self,
        token: &Secret,
        index: usize,
        to: &str,
    ) -> Result<ChannelTestAnswer, ApiError> {
        let answer = self
            .send_within(
                Method::POST,
                "api/v1/notifications/email/test",
                Some(token),
                &[],
                Some(&EmailTestForm { to, index }),
                Some(TEST_WAIT),
            )
            .await;
        match answer {
            Err(ApiError::Server { status: 500, .. }) => Ok(ChannelTestAnswer {
                success: false,
                message: "Failed to send test email (the server answered 500, as it does when a Microsoft Graph send fails)".into(),
            }),
            other => other,
        }
    }

    /// `POST /api/v1/notifications/webhook/test?index=N`.
    pub async fn test_webhook_channel(
        &self,
        token: &Secret,
        index: usize,
    ) -> Result<ChannelTestAnswer, ApiError> {
        self.send_within(
            Method::POST,
            "api/v1/notifications/webhook/test",
            Some(token),
            &[("index", index.to_string())],
            None::<&()>,
            Some(TEST_WAIT),
        )
        .await
    }
}
