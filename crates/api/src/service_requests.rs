//! Service Request endpoints (service-requests.md): the deployment's SR configuration and
//! proxy, and the central instance's receiver, which takes the customer's SR key instead of a
//! sign-in. A submit answers how far it got — an HTTP status, no connection at all, or no
//! answer after sending — because only that tells a request that cannot have arrived from
//! one that may have.

use crate::client::Client;
use crate::error::ApiError;
use cloo_domain::Secret;
use cloo_domain::service_request::{SrWire, Transport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// `GET /api/v1/sr/config`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct SrConfig {
    /// Both `SR_KEY` and `CLOOCUS_PUBLIC_URL` are set on the deployment.
    pub enabled: bool,
    /// Type → subtypes.
    #[serde(default)]
    pub types: BTreeMap<String, Vec<String>>,
}

/// How a submit attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrAttempt {
    /// How far it got.
    pub transport: Transport,
    /// The answer's `detail` (or the transport's error text).
    pub detail: String,
}

#[derive(Serialize)]
struct ProxyForm<'a> {
    title: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    content: &'a str,
}

/// The deployment's proxy waits 30 s on the central server; leave it room to answer.
const PROXY_WAIT: Duration = Duration::from_secs(45);
/// A direct call waits as the proxy does.
const CENTRAL_WAIT: Duration = Duration::from_secs(30);

fn detail_of(body: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => match &v["detail"] {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => v["message"].as_str().unwrap_or_default().to_owned(),
            other => other.to_string(),
        },
        Err(_) => String::from_utf8_lossy(body).chars().take(300).collect(),
    }
}

async fn attempt_of(result: Result<reqwest::Response, reqwest::Error>) -> SrAttempt {
    match result {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.bytes().await.unwrap_or_default();
            SrAttempt {
                transport: Transport::Answered(status),
                detail: detail_of(&body),
            }
        }
        Err(e) => {
            // A connection never made sent nothing; anything later may have.
            let transport = if e.is_connect() {
                Transport::NotConnected
            } else {
                Transport::NoAnswer
            };
            SrAttempt {
                transport,
                detail: crate::client::chain_text(&e.without_url()),
            }
        }
    }
}

impl Client {
    /// `GET /api/v1/sr/config`.
    pub async fn sr_config(&self, token: &Secret) -> Result<SrConfig, ApiError> {
        self.get("api/v1/sr/config", Some(token), &[]).await
    }

    /// `POST /api/v1/sr/submit`: the deployment forwards it with its own SR key, naming the
    /// signed-in account as the requester.
    pub async fn submit_sr_via_deployment(&self, token: &Secret, body: &SrWire) -> SrAttempt {
        let url = match self.base_url().join("api/v1/sr/submit") {
            Ok(url) => url,
            Err(e) => {
                return SrAttempt {
                    transport: Transport::NotConnected,
                    detail: e.to_string(),
                };
            }
        };
        let form = ProxyForm {
            title: &body.title,
            kind: &body.kind,
            content: &body.content,
        };
        let sent = self
            .http()
            .post(url)
            .bearer_auth(token.expose())
            .json(&form)
            .timeout(PROXY_WAIT)
            .send()
            .await;
        attempt_of(sent).await
    }

    /// `POST /api/v1/cloocus/sr/submit` on the central instance this client points at, with
    /// the customer's SR key.
    pub async fn submit_sr_central(&self, key: &Secret, body: &SrWire) -> SrAttempt {
        let url = match self.base_url().join("api/v1/cloocus/sr/submit") {
            Ok(url) => url,
            Err(e) => {
                return SrAttempt {
                    transport: Transport::NotConnected,
                    detail: e.to_string(),
                };
            }
        };
        let sent = self
            .http()
            .post(url)
            .header("X-SR-Key", key.expose())
            .json(body)
            .timeout(CENTRAL_WAIT)
            .send()
            .await;
        attempt_of(sent).await
    }
}
