//! The device-code sign-in: the console asks for a code, shows it to the admin, and polls the
//! token endpoint until she has signed in on any browser, honouring `interval`,
//! `authorization_pending`, `slow_down` (wait 5 s longer from then on), `expired_token` and
//! `authorization_declined`.

use super::{TokenAnswer, post_form};
use crate::cloud::Endpoints;
use crate::error::{EntraError, EntraResult};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// The grant type of a device-code token request.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// What to show the admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DeviceCodeMessage {
    /// The code to type.
    pub user_code: String,
    /// Where to type it.
    pub verification_uri: String,
    /// Microsoft's own sentence (localised by Microsoft).
    pub message: String,
    /// Seconds until the code expires.
    pub expires_in: u64,
}

/// Called once with the code to show.
pub type DeviceCodePrompt = Arc<dyn Fn(&DeviceCodeMessage) + Send + Sync>;

#[derive(Deserialize)]
struct CodeAnswer {
    device_code: Option<String>,
    user_code: Option<String>,
    verification_uri: Option<String>,
    message: Option<String>,
    expires_in: Option<u64>,
    interval: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The delegated scopes asked for: Graph's default scope and a refresh token.
pub fn delegated_scope(endpoints: &Endpoints) -> String {
    format!("{} offline_access", endpoints.default_scope())
}

/// Runs the whole device-code sign-in and gives the token endpoint's successful answer.
pub(crate) async fn sign_in(
    http: &reqwest::Client,
    endpoints: &Endpoints,
    tenant: &str,
    client_id: &str,
    prompt: Option<&DeviceCodePrompt>,
    cancel: &CancellationToken,
) -> EntraResult<TokenAnswer> {
    let scope = delegated_scope(endpoints);
    let url = endpoints.device_code_url(tenant);
    let call = format!("POST {url}");
    let response = http
        .post(&url)
        .form(&[("client_id", client_id), ("scope", scope.as_str())])
        .send()
        .await
        .map_err(|e| crate::graph::network_error(&call, &e, 1))?;
    let bytes = response
        .bytes()
        .await
        .map_err(|e| crate::graph::network_error(&call, &e, 1))?;
    let code: CodeAnswer = serde_json::from_slice(&bytes).map_err(|e| EntraError::BadAnswer {
        call: call.clone(),
        cause: e.to_string(),
    })?;
    let (Some(device_code), None) = (code.device_code, code.error.as_ref()) else {
        return Err(EntraError::SignIn {
            error: code.error.unwrap_or_else(|| "no_device_code".into()),
            description: code.error_description.unwrap_or_default(),
        });
    };
    let expires_in = code.expires_in.unwrap_or(900);
    let message = DeviceCodeMessage {
        user_code: code.user_code.unwrap_or_default(),
        verification_uri: code.verification_uri.unwrap_or_default(),
        message: code.message.unwrap_or_default(),
        expires_in,
    };
    match prompt {
        Some(show) => show(&message),
        None => tracing::warn!("device-code sign-in without a prompt: {}", message.message),
    }
    let deadline = Instant::now() + Duration::from_secs(expires_in);
    let mut interval = Duration::from_secs(code.interval.unwrap_or(5));
    let token_url = endpoints.token_url(tenant);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return Err(EntraError::Cancelled),
            _ = tokio::time::sleep(interval) => {}
        }
        if Instant::now() > deadline {
            return Err(EntraError::DeviceCodeExpired);
        }
        let answer = post_form(
            http,
            &token_url,
            &[
                ("grant_type", DEVICE_CODE_GRANT),
                ("client_id", client_id),
                ("device_code", device_code.as_str()),
            ],
        )
        .await?;
        match answer.error.as_deref() {
            None => return Ok(answer),
            Some("authorization_pending") => {}
            Some("slow_down") => interval += Duration::from_secs(5),
            Some("expired_token") | Some("code_expired") => {
                return Err(EntraError::DeviceCodeExpired);
            }
            Some("authorization_declined") | Some("access_denied") => {
                return Err(EntraError::DeviceCodeDeclined);
            }
            Some(other) => {
                return Err(EntraError::SignIn {
                    error: other.to_owned(),
                    description: answer.error_description.unwrap_or_default(),
                });
            }
        }
    }
}
