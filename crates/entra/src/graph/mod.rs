//! One Graph client for a whole read: every request goes through [`GraphClient::get`], which
//! bounds concurrency, paces, retries throttled and transient failures, renews the token, counts
//! what it did, and stops when cancelled. A call that finally fails is an error naming the call;
//! it never becomes an empty list.

pub mod retry;

use crate::auth::TokenSource;
use crate::error::{EntraError, EntraResult};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// How a read talks to Graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadSettings {
    /// Requests in flight at once (member reads run in parallel up to this).
    pub concurrency: usize,
    /// Tries per call before it fails.
    pub max_attempts: u32,
    /// First back-off when Graph gives no `Retry-After`; doubles per attempt.
    pub backoff_base: Duration,
    /// Longest back-off, and the cap on `Retry-After`.
    pub backoff_max: Duration,
    /// Send `x-ms-throttle-priority: low` (unattended runs).
    pub low_priority: bool,
    /// `$top` for lists (Graph's maximum is 999).
    pub page_size: u32,
    /// Timeout of one request.
    pub request_timeout: Duration,
}

impl Default for ReadSettings {
    fn default() -> Self {
        ReadSettings {
            concurrency: 4,
            max_attempts: 8,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            low_priority: false,
            page_size: 999,
            request_timeout: Duration::from_secs(100),
        }
    }
}

/// What a read did so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadStats {
    /// HTTP requests sent to Graph (retries included).
    pub requests: u64,
    /// List pages read.
    pub pages: u64,
    /// Objects read.
    pub objects: u64,
    /// Requests answered 429.
    pub throttled: u64,
    /// Requests tried again (throttled, transient, dropped, bad JSON).
    pub retried: u64,
    /// Resource units Graph charged (`x-ms-resource-unit`, 1 when absent).
    pub resource_units: u64,
    /// Milliseconds spent waiting because Graph said the app was near its limit.
    pub paced_ms: u64,
    /// Member lists (one per group or administrative unit) the read has to fetch.
    pub member_lists: u64,
    /// Member lists fetched so far.
    pub member_lists_read: u64,
}

/// Called after every page with the running figures.
pub type ProgressSink = Arc<dyn Fn(&ReadStats) + Send + Sync>;

/// One page of a Graph list.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The next page.
    #[serde(rename = "@odata.nextLink")]
    pub next_link: Option<String>,
    /// The delta link (last page of a delta round).
    #[serde(rename = "@odata.deltaLink")]
    pub delta_link: Option<String>,
}

#[derive(Deserialize)]
struct GraphErrorBody {
    error: GraphErrorDetail,
}

#[derive(Deserialize)]
struct GraphErrorDetail {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// A Graph client for one read.
pub struct GraphClient {
    http: reqwest::Client,
    tokens: Arc<TokenSource>,
    settings: ReadSettings,
    cancel: CancellationToken,
    gate: Semaphore,
    stats: Mutex<ReadStats>,
    pace_until: Mutex<Option<Instant>>,
    progress: Option<ProgressSink>,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("graph", &self.tokens.endpoints().graph())
            .finish()
    }
}

impl GraphClient {
    /// A client that signs in through `tokens`.
    pub fn new(http: reqwest::Client, tokens: Arc<TokenSource>, settings: ReadSettings) -> Self {
        let permits = settings.concurrency.max(1);
        GraphClient {
            http,
            tokens,
            settings,
            cancel: CancellationToken::new(),
            gate: Semaphore::new(permits),
            stats: Mutex::new(ReadStats::default()),
            pace_until: Mutex::new(None),
            progress: None,
        }
    }

    /// Stops every request when `cancel` fires.
    pub fn with_cancel(mut self, cancel: CancellationToken) -> Self {
        self.cancel = cancel;
        self
    }

    /// Reports the running figures after each page.
    pub fn with_progress(mut self, sink: ProgressSink) -> Self {
        self.progress = Some(sink);
        self
    }

    /// The settings in use.
    pub fn settings(&self) -> &ReadSettings {
        &self.settings
    }

    /// The sign-in used.
    pub fn tokens(&self) -> &TokenSource {
        &self.tokens
    }

    /// The cancellation token.
    pub fn cancel_token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// The figures so far.
    pub fn stats(&self) -> ReadStats {
        self.stats.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// `{graph}{path}`.
    pub fn url(&self, path: &str) -> String {
        self.tokens.endpoints().graph_url(path)
    }

    fn count(&self, change: impl FnOnce(&mut ReadStats)) {
        if let Ok(mut s) = self.stats.lock() {
            change(&mut s);
        }
    }

    /// Announces `n` more member lists to read (for the progress and its time left).
    pub(crate) fn expect_member_lists(&self, n: usize) {
        self.count(|s| s.member_lists += n as u64);
        self.report();
    }

    /// One announced member list is read.
    pub(crate) fn member_list_read(&self) {
        self.count(|s| s.member_lists_read += 1);
        self.report();
    }

    fn report(&self) {
        if let Some(sink) = &self.progress {
            sink(&self.stats());
        }
    }

    /// Every item of a list, following `@odata.nextLink` to the end.
    pub async fn all_pages<T: DeserializeOwned>(
        &self,
        call: &str,
        url: &str,
    ) -> EntraResult<Vec<T>> {
        let mut items = Vec::new();
        let mut next = Some(url.to_owned());
        while let Some(url) = next {
            let page: Page<T> = self.page(call, &url).await?;
            items.extend(page.value);
            next = page.next_link;
        }
        Ok(items)
    }

    /// One page of a list, counted.
    pub async fn page<T: DeserializeOwned>(&self, call: &str, url: &str) -> EntraResult<Page<T>> {
        let page: Page<T> = self.get(call, url, false).await?;
        self.count(|s| {
            s.pages += 1;
            s.objects += page.value.len() as u64;
        });
        self.report();
        Ok(page)
    }

    /// One page of a delta round: an expired or refused delta link is
    /// [`EntraError::DeltaExpired`].
    pub async fn delta_page<T: DeserializeOwned>(
        &self,
        call: &str,
        url: &str,
    ) -> EntraResult<Page<T>> {
        let page: Page<T> = self.get(call, url, true).await?;
        self.count(|s| {
            s.pages += 1;
            s.objects += page.value.len() as u64;
        });
        self.report();
        Ok(page)
    }

    /// GETs `url` and parses the answer, trying again on throttling (429), 503, 504, dropped
    /// connections, timeouts and unreadable answers, up to [`ReadSettings::max_attempts`].
    pub async fn get<T: DeserializeOwned>(
        &self,
        call: &str,
        url: &str,
        delta: bool,
    ) -> EntraResult<T> {
        self.check_origin(call, url)?;
        let _permit = tokio::select! {
            biased;
            _ = self.cancel.cancelled() => return Err(EntraError::Cancelled),
            permit = self.gate.acquire() => permit.map_err(|_| EntraError::Cancelled)?,
        };
        let mut attempt = 0u32;
        let mut renewed = false;
        loop {
            attempt += 1;
            self.wait_for_pace().await?;
            let token = self.tokens.token().await?;
            let mut request = self
                .http
                .get(url)
                .bearer_auth(token.expose())
                .timeout(self.settings.request_timeout);
            if self.settings.low_priority {
                request = request.header("x-ms-throttle-priority", "low");
            }
            self.count(|s| s.requests += 1);
            let sent = tokio::select! {
                biased;
                _ = self.cancel.cancelled() => return Err(EntraError::Cancelled),
                sent = request.send() => sent,
            };
            let wait = match sent {
                Err(e) => {
                    let error = network_error(call, &e, attempt);
                    if matches!(error, EntraError::Network { tls: true, .. })
                        || attempt >= self.settings.max_attempts
                    {
                        return Err(error);
                    }
                    tracing::debug!("{call}: attempt {attempt} failed: {error}");
                    None
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    self.count(|s| s.resource_units += retry::resource_units(&headers));
                    if let Some(pause) = retry::pacing(&headers, self.settings.backoff_base) {
                        self.pace(pause);
                    }
                    let body = tokio::select! {
                        biased;
                        _ = self.cancel.cancelled() => return Err(EntraError::Cancelled),
                        body = response.bytes() => body,
                    };
                    let body = match body {
                        Ok(b) => b,
                        Err(e) => {
                            let error = network_error(call, &e, attempt);
                            if attempt >= self.settings.max_attempts {
                                return Err(error);
                            }
                            self.count(|s| s.retried += 1);
                            self.sleep(retry::backoff(
                                attempt,
                                self.settings.backoff_base,
                                self.settings.backoff_max,
                            ))
                            .await?;
                            continue;
                        }
                    };
                    if (200..300).contains(&status) {
                        match serde_json::from_slice::<T>(&body) {
                            Ok(value) => return Ok(value),
                            Err(e) if attempt >= self.settings.max_attempts => {
                                return Err(EntraError::BadAnswer {
                                    call: call.to_owned(),
                                    cause: e.to_string(),
                                });
                            }
                            Err(e) => {
                                tracing::debug!("{call}: unreadable answer, trying again: {e}");
                                None
                            }
                        }
                    } else {
                        let (code, message) = error_body(&body);
                        if status == 401 && !renewed {
                            renewed = true;
                            self.tokens.invalidate(&token).await;
                            attempt -= 1;
                            continue;
                        }
                        if delta
                            && (status == 410
                                || code == "syncStateNotFound"
                                || code == "resyncRequired"
                                || ((status == 400 || status == 404) && !code.is_empty()))
                        {
                            return Err(EntraError::DeltaExpired {
                                call: call.to_owned(),
                                status,
                                code,
                            });
                        }
                        if !retry::is_retryable_status(status)
                            || attempt >= self.settings.max_attempts
                        {
                            return Err(EntraError::Graph {
                                call: call.to_owned(),
                                status,
                                code,
                                message,
                                attempts: attempt,
                            });
                        }
                        if status == 429 {
                            self.count(|s| s.throttled += 1);
                        }
                        retry::retry_after(&headers, self.settings.backoff_max)
                    }
                }
            };
            self.count(|s| s.retried += 1);
            self.report();
            let pause = wait.unwrap_or_else(|| {
                retry::backoff(
                    attempt,
                    self.settings.backoff_base,
                    self.settings.backoff_max,
                )
            });
            self.sleep(pause).await?;
        }
    }

    /// A next or delta link must stay on the Graph host the profile names: the token is never
    /// sent anywhere else.
    fn check_origin(&self, call: &str, url: &str) -> EntraResult<()> {
        let base = self.tokens.endpoints().graph();
        let same = url::Url::parse(url)
            .ok()
            .zip(url::Url::parse(base).ok())
            .is_some_and(|(a, b)| a.origin() == b.origin());
        if same {
            Ok(())
        } else {
            Err(EntraError::BadAnswer {
                call: call.to_owned(),
                cause: format!("a link leads away from {base}: {url}"),
            })
        }
    }

    fn pace(&self, pause: Duration) {
        if let Ok(mut until) = self.pace_until.lock() {
            let next = Instant::now() + pause;
            if until.is_none_or(|u| u < next) {
                *until = Some(next);
            }
        }
    }

    async fn wait_for_pace(&self) -> EntraResult<()> {
        let until = self.pace_until.lock().ok().and_then(|u| *u);
        if let Some(until) = until {
            let now = Instant::now();
            if until > now {
                let pause = until - now;
                self.count(|s| s.paced_ms += pause.as_millis() as u64);
                self.sleep(pause).await?;
            }
        }
        Ok(())
    }

    async fn sleep(&self, pause: Duration) -> EntraResult<()> {
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(EntraError::Cancelled),
            _ = tokio::time::sleep(pause) => Ok(()),
        }
    }
}

fn error_body(body: &[u8]) -> (String, String) {
    match serde_json::from_slice::<GraphErrorBody>(body) {
        Ok(b) => (b.error.code, b.error.message),
        Err(_) => (
            String::new(),
            String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned(),
        ),
    }
}

/// A transport failure as an error naming the call, telling TLS problems apart.
pub(crate) fn network_error(call: &str, e: &reqwest::Error, attempts: u32) -> EntraError {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    let lower = text.to_ascii_lowercase();
    let tls = lower.contains("certificate") || lower.contains("tls handshake");
    EntraError::Network {
        call: call.to_owned(),
        cause: if e.is_timeout() {
            format!("timed out ({text})")
        } else {
            text
        },
        attempts,
        tls,
    }
}
