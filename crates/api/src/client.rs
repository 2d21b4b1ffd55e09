//! The HTTP client.

use crate::{
    AddUserForm, AddedUser, ApiError, ApiKeyResponse, AppConfig, Health, SessionUser, SigninForm,
    SignupForm, User, VersionInfo, normalize_base_url,
};
use cloo_domain::Secret;
use reqwest::{Method, RequestBuilder, redirect};
use serde::de::DeserializeOwned;
use std::time::Duration;
use url::Url;

/// How to connect to a deployment.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Extra trusted CA certificates (PEM), for deployments behind a private CA. Verification is
    /// never switched off.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout.
    pub request_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            extra_ca_pem: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(120),
        }
    }
}

/// A client bound to one deployment. Cheap to clone; holds no credential.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: Url,
    host: String,
}

impl Client {
    /// A client for the deployment at `base_url` (normalised by [`normalize_base_url`]).
    pub fn new(base_url: &str, options: &ClientOptions) -> Result<Self, ApiError> {
        let base = normalize_base_url(base_url)?;
        let host = base[url::Position::BeforeHost..url::Position::AfterPort].to_owned();
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("cloosphere-console/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .redirect(no_downgrade_redirects());
        if let Some(pem) = &options.extra_ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| ApiError::Tls {
                host: host.clone(),
                cause: format!("the custom CA file is not PEM: {e}"),
            })?;
            if certs.is_empty() {
                return Err(ApiError::Tls {
                    host,
                    cause: "the custom CA file holds no certificate".into(),
                });
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder.build().map_err(|e| ApiError::Tls {
            host: host.clone(),
            cause: chain_text(&e),
        })?;
        Ok(Client { http, base, host })
    }

    /// The HTTP client, for calls that read the transport's failure themselves.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The normalised base URL.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// `GET /health`: liveness, no credential.
    pub async fn health(&self) -> Result<Health, ApiError> {
        self.get("health", None, &[]).await
    }

    /// `GET /api/version`.
    pub async fn version(&self) -> Result<VersionInfo, ApiError> {
        self.get("api/version", None, &[]).await
    }

    /// `GET /api/config`: public bootstrap configuration.
    pub async fn app_config(&self) -> Result<AppConfig, ApiError> {
        self.get("api/config", None, &[]).await
    }

    /// `POST /api/v1/auths/signin`.
    pub async fn signin(&self, email: &str, password: &Secret) -> Result<SessionUser, ApiError> {
        self.post("api/v1/auths/signin", None, &SigninForm { email, password })
            .await
    }

    /// `POST /api/v1/auths/signup`.
    pub async fn signup(&self, form: &SignupForm<'_>) -> Result<SessionUser, ApiError> {
        self.post("api/v1/auths/signup", None, form).await
    }

    /// `GET /api/v1/auths/`: who the token belongs to, with a re-issued token.
    pub async fn session_user(&self, token: &Secret) -> Result<SessionUser, ApiError> {
        self.get("api/v1/auths/", Some(token), &[]).await
    }

    /// `POST /api/v1/auths/add` (admin only). The new user's token in the answer is discarded.
    pub async fn add_user(
        &self,
        token: &Secret,
        form: &AddUserForm<'_>,
    ) -> Result<AddedUser, ApiError> {
        self.post("api/v1/auths/add", Some(token), form).await
    }

    /// `POST /api/v1/auths/api_key`: creates or replaces the caller's key.
    pub async fn create_api_key(&self, token: &Secret) -> Result<Secret, ApiError> {
        let r: ApiKeyResponse = self
            .send(
                Method::POST,
                "api/v1/auths/api_key",
                Some(token),
                &[],
                None::<&()>,
            )
            .await?;
        self.require_key(r, "POST /api/v1/auths/api_key")
    }

    /// `GET /api/v1/auths/api_key`: the caller's key (404 when none).
    pub async fn get_api_key(&self, token: &Secret) -> Result<Secret, ApiError> {
        let r: ApiKeyResponse = self.get("api/v1/auths/api_key", Some(token), &[]).await?;
        self.require_key(r, "GET /api/v1/auths/api_key")
    }

    /// `DELETE /api/v1/auths/api_key`: `true` also when there was no key.
    pub async fn delete_api_key(&self, token: &Secret) -> Result<bool, ApiError> {
        self.send(
            Method::DELETE,
            "api/v1/auths/api_key",
            Some(token),
            &[],
            None::<&()>,
        )
        .await
    }

    /// `GET /api/v1/users/` with optional `skip`/`limit` (newest first, no total).
    pub async fn list_users(
        &self,
        token: &Secret,
        skip: Option<u64>,
        limit: Option<u64>,
    ) -> Result<Vec<User>, ApiError> {
        let mut query = Vec::new();
        if let Some(s) = skip {
            query.push(("skip", s.to_string()));
        }
        if let Some(l) = limit {
            query.push(("limit", l.to_string()));
        }
        self.get("api/v1/users/", Some(token), &query).await
    }

    fn require_key(&self, r: ApiKeyResponse, endpoint: &str) -> Result<Secret, ApiError> {
        r.api_key.ok_or_else(|| ApiError::UnexpectedResponse {
            endpoint: endpoint.to_owned(),
            status: 200,
            message: "api_key is null".into(),
        })
    }

    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&Secret>,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        self.send(Method::GET, path, token, query, None::<&()>)
            .await
    }

    pub(crate) async fn post<B: serde::Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&Secret>,
        body: &B,
    ) -> Result<T, ApiError> {
        self.send(Method::POST, path, token, &[], Some(body)).await
    }

    /// Sends one request and parses the answer, or classifies the failure.
    pub(crate) async fn send<B: serde::Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: Option<&Secret>,
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<T, ApiError> {
        self.send_within(method, path, token, query, body, None)
            .await
    }

    /// [`Client::send`] with its own time limit instead of the client's (for calls the server
    /// works on for minutes, such as an organization import).
    pub(crate) async fn send_within<B: serde::Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        token: Option<&Secret>,
        query: &[(&str, String)],
        body: Option<&B>,
        timeout: Option<std::time::Duration>,
    ) -> Result<T, ApiError> {
        let url = self.base.join(path).map_err(|e| ApiError::InvalidUrl {
            url: format!("{}{path}", self.base),
            reason: e.to_string(),
        })?;
        let endpoint = format!("{method} /{path}");
        let mut request: RequestBuilder = self.http.request(method, url);
        if !query.is_empty() {
            request = request.query(query);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token.expose());
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(limit) = timeout {
            request = request.timeout(limit);
        }
        let response = request.send().await.map_err(|e| self.transport_error(&e))?;
        self.answer(endpoint, response).await
    }

    /// `GET` `path` with the caller identified by the `token` cookie instead of the
    /// Authorization header: `/api/config` reads only the cookie.
    pub(crate) async fn get_by_cookie<T: DeserializeOwned>(
        &self,
        path: &str,
        token: &Secret,
    ) -> Result<T, ApiError> {
        let url = self.base.join(path).map_err(|e| ApiError::InvalidUrl {
            url: format!("{}{path}", self.base),
            reason: e.to_string(),
        })?;
        let response = self
            .http
            .get(url)
            .header(reqwest::header::COOKIE, format!("token={}", token.expose()))
            .send()
            .await
            .map_err(|e| self.transport_error(&e))?;
        self.answer(format!("GET /{path}"), response).await
    }

    /// Reads an answer: its body parsed, or the failure classified.
    async fn answer<T: DeserializeOwned>(
        &self,
        endpoint: String,
        response: reqwest::Response,
    ) -> Result<T, ApiError> {
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&e))?;
        tracing::debug!(%endpoint, status, bytes = bytes.len(), "deployment answered");
        if !(200..300).contains(&status) {
            return Err(ApiError::from_response(&endpoint, status, &bytes));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(de).map_err(|e| ApiError::UnexpectedResponse {
            endpoint,
            status,
            message: format!("at {}: {}", e.path(), e.inner()),
        })
    }

    fn transport_error(&self, e: &reqwest::Error) -> ApiError {
        let host = self.host.clone();
        let cause = chain_text(e);
        if e.is_timeout() {
            return ApiError::Timeout { host };
        }
        if looks_like_tls(&cause) {
            return ApiError::Tls { host, cause };
        }
        ApiError::Network { host, cause }
    }
}

/// A path segment with everything but unreserved characters percent-encoded, so an id can
/// never change the path (`../`, `?`, `/`).
pub(crate) fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out == "." || out == ".." {
        out = out.replace('.', "%2E");
    }
    out
}

/// Follows at most five redirects and never from https to http (which would send the bearer
/// token in clear text).
fn no_downgrade_redirects() -> redirect::Policy {
    redirect::Policy::custom(|attempt| {
        let downgrade = attempt.url().scheme() == "http"
            && attempt.previous().iter().any(|u| u.scheme() == "https");
        if downgrade {
            attempt.error("refusing a redirect from https to http")
        } else if attempt.previous().len() > 5 {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}

/// The innermost cause of a transport error ("Connection refused (os error 111)",
/// "invalid peer certificate: UnknownIssuer"): the outer layers only repeat the URL.
pub(crate) fn chain_text(e: &reqwest::Error) -> String {
    let mut innermost: &dyn std::error::Error = e;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    innermost.to_string()
}

fn looks_like_tls(cause: &str) -> bool {
    let lower = cause.to_ascii_lowercase();
    ["certificate", "tls", "handshake", "unknownissuer", "ssl"]
        .iter()
        .any(|needle| lower.contains(needle))
}
