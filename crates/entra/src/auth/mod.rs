//! Signing in to Microsoft three ways, and keeping a valid token during a long read.
//!
//! * client secret: `client_credentials` with `client_secret`;
//! * certificate: `client_credentials` with a signed client assertion ([`assertion`]);
//! * device code: an admin signs in on any browser ([`device`]); nothing is stored, the refresh
//!   token lives in this process only.
//!
//! [`TokenSource::token`] renews the token when it has less than the renewal margin left, so a
//! read that outlives a token does not fail half-way.

pub mod assertion;
pub mod device;

pub use assertion::CertificateKey;
pub use device::{DeviceCodeMessage, DeviceCodePrompt};

use crate::cloud::Endpoints;
use crate::error::{EntraError, EntraResult};
use cloo_domain::Secret;
use serde::Deserialize;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How a profile signs in.
#[derive(Debug)]
pub enum Credential {
    /// An application secret.
    ClientSecret(Secret),
    /// An application certificate and its private key.
    Certificate(CertificateKey),
    /// An admin signs in with a device code each time; nothing is stored.
    DeviceCode,
}

impl Credential {
    /// `client_secret`, `certificate` or `device_code`.
    pub fn method(&self) -> &'static str {
        match self {
            Credential::ClientSecret(_) => "client_secret",
            Credential::Certificate(_) => "certificate",
            Credential::DeviceCode => "device_code",
        }
    }
}

/// Renew a token when it has less than this left.
pub const RENEW_MARGIN: Duration = Duration::from_secs(5 * 60);

struct Token {
    access: Secret,
    expires_at: Instant,
    refresh: Option<Secret>,
}

/// The token endpoint's answer.
#[derive(Deserialize)]
pub(crate) struct TokenAnswer {
    pub(crate) access_token: Option<String>,
    pub(crate) expires_in: Option<u64>,
    pub(crate) refresh_token: Option<String>,
    pub(crate) error: Option<String>,
    pub(crate) error_description: Option<String>,
}

/// Gives valid Graph tokens for one app in one Entra tenant, renewing them as needed.
pub struct TokenSource {
    http: reqwest::Client,
    endpoints: Endpoints,
    tenant: String,
    client_id: String,
    credential: Credential,
    prompt: Option<DeviceCodePrompt>,
    cancel: CancellationToken,
    margin: Duration,
    current: tokio::sync::Mutex<Option<Token>>,
    requests: AtomicU32,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("method", &self.credential.method())
            .finish()
    }
}

impl TokenSource {
    /// A source for `client_id` in Entra tenant `tenant` (id or domain).
    pub fn new(
        http: reqwest::Client,
        endpoints: Endpoints,
        tenant: &str,
        client_id: &str,
        credential: Credential,
    ) -> EntraResult<TokenSource> {
        for (field, value) in [("tenant_id", tenant), ("client_id", client_id)] {
            let ok = !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
            if !ok {
                return Err(EntraError::Invalid {
                    field: field.into(),
                    message: format!("{value:?} is not a tenant or application id"),
                });
            }
        }
        Ok(TokenSource {
            http,
            endpoints,
            tenant: tenant.to_owned(),
            client_id: client_id.to_owned(),
            credential,
            prompt: None,
            cancel: CancellationToken::new(),
            margin: RENEW_MARGIN,
            current: tokio::sync::Mutex::new(None),
            requests: AtomicU32::new(0),
        })
    }

    /// Where the device-code sign-in shows its code.
    pub fn with_prompt(mut self, prompt: DeviceCodePrompt) -> Self {
        self.prompt = Some(prompt);
        self
    }

    /// Stops a device-code wait when cancelled.
    pub fn with_cancel(mut self, cancel: CancellationToken) -> Self {
        self.cancel = cancel;
        self
    }

    /// Renew tokens with less than `margin` left (default [`RENEW_MARGIN`]).
    pub fn with_renew_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The sign-in method.
    pub fn method(&self) -> &'static str {
        self.credential.method()
    }

    /// The endpoints signed in to.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// How many token requests were made (sign-ins and renewals).
    pub fn token_requests(&self) -> u32 {
        self.requests.load(Ordering::Relaxed)
    }

    /// A token with more than the renewal margin left, signing in or renewing as needed.
    pub async fn token(&self) -> EntraResult<Secret> {
        let mut current = self.current.lock().await;
        if let Some(t) = current.as_ref()
            && t.expires_at > Instant::now() + self.margin
        {
            return Ok(t.access.clone());
        }
        let refresh = current.as_ref().and_then(|t| t.refresh.clone());
        let fresh = self.acquire(refresh).await?;
        let access = fresh.access.clone();
        *current = Some(fresh);
        Ok(access)
    }

    /// Forgets the current token (after Graph refused it) so the next [`TokenSource::token`]
    /// gets a new one.
    pub async fn invalidate(&self, refused: &Secret) {
        let mut current = self.current.lock().await;
        if let Some(t) = current.as_mut()
            && t.access == *refused
        {
            t.expires_at = Instant::now();
        }
    }

    async fn acquire(&self, refresh: Option<Secret>) -> EntraResult<Token> {
        let scope = self.endpoints.default_scope();
        let token_url = self.endpoints.token_url(&self.tenant);
        match &self.credential {
            Credential::ClientSecret(secret) => {
                let form = [
                    ("grant_type", "client_credentials"),
                    ("client_id", self.client_id.as_str()),
                    ("client_secret", secret.expose()),
                    ("scope", scope.as_str()),
                ];
                self.post_token(&token_url, &form).await
            }
            Credential::Certificate(key) => {
                let assertion = key.assertion(&self.client_id, &token_url)?;
                let form = [
                    ("grant_type", "client_credentials"),
                    ("client_id", self.client_id.as_str()),
                    ("client_assertion_type", assertion::ASSERTION_TYPE),
                    ("client_assertion", assertion.as_str()),
                    ("scope", scope.as_str()),
                ];
                self.post_token(&token_url, &form).await
            }
            Credential::DeviceCode => {
                if let Some(refresh) = refresh {
                    let scope = device::delegated_scope(&self.endpoints);
                    let form = [
                        ("grant_type", "refresh_token"),
                        ("client_id", self.client_id.as_str()),
                        ("refresh_token", refresh.expose()),
                        ("scope", scope.as_str()),
                    ];
                    return match self.post_token(&token_url, &form).await {
                        Err(EntraError::SignIn { .. }) => Err(EntraError::SignInExpired),
                        other => other,
                    };
                }
                self.requests.fetch_add(1, Ordering::Relaxed);
                let answer = device::sign_in(
                    &self.http,
                    &self.endpoints,
                    &self.tenant,
                    &self.client_id,
                    self.prompt.as_ref(),
                    &self.cancel,
                )
                .await?;
                token_from(answer)
            }
        }
    }

    async fn post_token(&self, url: &str, form: &[(&str, &str)]) -> EntraResult<Token> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let answer = post_form(&self.http, url, form).await?;
        token_from(answer)
    }
}

/// Posts a form to a token endpoint and reads its JSON answer, success or OAuth error.
pub(crate) async fn post_form(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
) -> EntraResult<TokenAnswer> {
    let call = format!("POST {url}");
    let response = http
        .post(url)
        .form(form)
        .send()
        .await
        .map_err(|e| crate::graph::network_error(&call, &e, 1))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| crate::graph::network_error(&call, &e, 1))?;
    serde_json::from_slice::<TokenAnswer>(&bytes).map_err(|e| EntraError::BadAnswer {
        call,
        cause: format!("HTTP {}: {e}", status.as_u16()),
    })
}

fn token_from(answer: TokenAnswer) -> EntraResult<Token> {
    match answer {
        TokenAnswer {
            access_token: Some(access),
            expires_in,
            refresh_token,
            error: None,
            ..
        } => Ok(Token {
            access: Secret::new(access),
            expires_at: Instant::now() + Duration::from_secs(expires_in.unwrap_or(3600)),
            refresh: refresh_token.map(Secret::new),
        }),
        other => Err(EntraError::SignIn {
            error: other.error.unwrap_or_else(|| "no_token".into()),
            description: other.error_description.unwrap_or_default(),
        }),
    }
}
