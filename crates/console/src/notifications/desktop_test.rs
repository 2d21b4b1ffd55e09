//! Testing a channel from the admin's own machine, before it is saved: SMTP through `lettre`
//! (implicit TLS, STARTTLS, plain only to this machine; log in when a user and password are
//! set; optionally a real test message), a webhook with its provider's own message format. The
//! result names what failed — the name lookup, the connection, TLS, the login, or the
//! provider's answer — in words a shell can show as they are.

use crate::error::{ConsoleError, ConsoleResult};
use cloo_domain::notifications::{TestMessageProblem, WebhookRequest, webhook_test_request};
use cloo_domain::settings::hides_a_secret;
use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Serialize;
use serde_json::Value;
use std::time::Duration;
use ts_rs::TS;

/// How long a desktop test waits on the other side, as the server does.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What stopped a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum TestFailure {
    /// The host name does not resolve.
    Dns,
    /// Nothing listens there (connection refused or unreachable).
    Refused,
    /// No answer in time.
    Timeout,
    /// The TLS handshake failed (certificate not trusted, wrong name, no TLS offered).
    Tls,
    /// The server refused the user name or password.
    Authentication,
    /// The mail server refused the message, or the provider answered with an error.
    Rejected,
    /// The channel lacks what the test needs (a secret to type, a field to fill).
    Incomplete,
    /// Anything else (the text says what).
    Other,
}

/// A test's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ChannelTestResult {
    /// Whether it got through.
    pub success: bool,
    /// What stopped it.
    pub failure: Option<TestFailure>,
    /// What happened, in words (the server's, the provider's answer, or the console's).
    pub message: String,
    /// Where the test came from: `desktop` or `deployment`.
    pub via: String,
}

impl ChannelTestResult {
    pub(super) fn ok(message: impl Into<String>) -> Self {
        ChannelTestResult {
            success: true,
            failure: None,
            message: message.into(),
            via: "desktop".into(),
        }
    }

    pub(super) fn failed(failure: TestFailure, message: impl Into<String>) -> Self {
        ChannelTestResult {
            success: false,
            failure: Some(failure),
            message: message.into(),
            via: "desktop".into(),
        }
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

fn io_kind(e: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = s.source();
    }
    None
}

fn looks_like_dns(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("failed to lookup address")
        || t.contains("name or service not known")
        || t.contains("no such host")
        || t.contains("dns error")
        || t.contains("temporary failure in name resolution")
}

fn smtp_failure(e: &lettre::transport::smtp::Error) -> (TestFailure, String) {
    let text = error_chain(e);
    let failure = if e.is_timeout() {
        TestFailure::Timeout
    } else if e.is_tls() {
        TestFailure::Tls
    } else if let Some(code) = e.status() {
        let code: u16 = code.to_string().parse().unwrap_or_default();
        if matches!(code, 530 | 534 | 535 | 454) {
            TestFailure::Authentication
        } else {
            TestFailure::Rejected
        }
    } else if looks_like_dns(&text) {
        TestFailure::Dns
    } else if text.contains("authentication mechanism") {
        // The server offers no login the console can use (over this connection).
        TestFailure::Authentication
    } else {
        match io_kind(e) {
            Some(std::io::ErrorKind::ConnectionRefused)
            | Some(std::io::ErrorKind::HostUnreachable)
            | Some(std::io::ErrorKind::NetworkUnreachable) => TestFailure::Refused,
            Some(std::io::ErrorKind::TimedOut) => TestFailure::Timeout,
            Some(std::io::ErrorKind::InvalidData)
                if text.to_ascii_lowercase().contains("certificate") =>
            {
                TestFailure::Tls
            }
            _ if text.to_ascii_lowercase().contains("certificate") => TestFailure::Tls,
            _ => TestFailure::Other,
        }
    };
    (failure, text)
}

fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// An SMTP test: the channel's `smtp` block with its real password (never a masked one).
#[derive(Debug, Clone)]
pub struct SmtpTest {
    /// The `smtp` block as it will be saved.
    pub smtp: Value,
    /// The password, when the channel logs in.
    pub password: Option<cloo_domain::Secret>,
    /// Send a real test message to this address (else connect, log in and NOOP only).
    pub send_to: Option<String>,
    /// Extra trusted certificate authorities (PEM), besides the system's: the tenant's own CA.
    pub extra_ca_pem: Option<String>,
    /// The deployment's name, for the message.
    pub deployment: String,
}

/// Connects, logs in and (optionally) sends, as the server's own test does.
pub async fn test_smtp(test: &SmtpTest) -> ConsoleResult<ChannelTestResult> {
    let text = |k: &str| test.smtp[k].as_str().unwrap_or_default().trim().to_owned();
    let server = text("server");
    if server.is_empty() {
        return Ok(ChannelTestResult::failed(
            TestFailure::Incomplete,
            "the channel has no SMTP server",
        ));
    }
    let port = test.smtp["port"].as_u64().unwrap_or(587);
    let Ok(port) = u16::try_from(port) else {
        return Ok(ChannelTestResult::failed(
            TestFailure::Incomplete,
            format!("{port} is not a port"),
        ));
    };
    let use_ssl = test.smtp["use_ssl"].as_bool().unwrap_or(false);
    let use_tls = test.smtp["use_tls"].as_bool().unwrap_or(true);
    let username = text("username");
    if !use_ssl && !use_tls && !is_loopback_host(&server) {
        return Ok(ChannelTestResult::failed(
            TestFailure::Tls,
            format!(
                "the channel talks to {server} without TLS; the console sends nothing in clear beyond this machine (test it through the deployment instead)"
            ),
        ));
    }
    let mut tls = TlsParameters::builder(server.clone());
    if let Some(pem) = &test.extra_ca_pem {
        for block in pem.split_inclusive("-----END CERTIFICATE-----") {
            if block.contains("-----BEGIN CERTIFICATE-----") {
                let cert = Certificate::from_pem(block.trim().as_bytes()).map_err(|e| {
                    ConsoleError::invalid(
                        "ca_pem",
                        format!("the tenant's CA file is not usable: {e}"),
                    )
                })?;
                tls = tls.add_root_certificate(cert);
            }
        }
    }
    let tls = tls
        .build_rustls()
        .map_err(|e| ConsoleError::Internal(format!("TLS set-up: {e}")))?;
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(server.as_str())
        .port(port)
        .timeout(Some(TEST_TIMEOUT))
        .tls(if use_ssl {
            Tls::Wrapper(tls)
        } else if use_tls {
            Tls::Required(tls)
        } else {
            Tls::None
        });
    let password = test.password.as_ref().map(|p| p.expose().to_owned());
    if let (false, Some(password)) = (username.is_empty(), password.as_ref()) {
        if hides_a_secret(password) {
            return Ok(ChannelTestResult::failed(
                TestFailure::Incomplete,
                "the password is the masked form the deployment answered: type the real one to test from this machine",
            ));
        }
        builder = builder.credentials(Credentials::new(username.clone(), password.clone()));
    }
    let transport = builder.build();
    let Some(to) = test.send_to.as_deref() else {
        return Ok(match transport.test_connection().await {
            Ok(true) => ChannelTestResult::ok(format!(
                "connected to {server}:{port}{}{}",
                if use_ssl {
                    " over TLS"
                } else if use_tls {
                    " and started TLS"
                } else {
                    ""
                },
                if password.is_some() && !username.is_empty() {
                    ", logged in"
                } else {
                    ""
                }
            )),
            Ok(false) => ChannelTestResult::failed(
                TestFailure::Other,
                format!("{server}:{port} did not answer NOOP"),
            ),
            Err(e) => {
                let (failure, text) = smtp_failure(&e);
                ChannelTestResult::failed(failure, text)
            }
        });
    };
    let from_address = match text("from_address") {
        a if a.is_empty() => username.clone(),
        a => a,
    };
    let from: Mailbox = match format!("{} <{from_address}>", text("from_name")).parse() {
        Ok(m) => m,
        Err(e) => {
            return Ok(ChannelTestResult::failed(
                TestFailure::Incomplete,
                format!("the sender {from_address:?} is not an address: {e}"),
            ));
        }
    };
    let to_box: Mailbox = to
        .parse()
        .map_err(|e| ConsoleError::invalid("to", format!("{to:?} is not an address: {e}")))?;
    let plain = format!(
        "This is a test message from the Cloosphere Admin Console for {}. If you can read it, the channel can send e-mail.",
        test.deployment
    );
    let message = Message::builder()
        .from(from)
        .to(to_box)
        .subject("[Cloosphere] Test Email")
        .multipart(MultiPart::alternative_plain_html(
            plain.clone(),
            format!("<p>{}</p>", html_escape(&plain)),
        ))
        .map_err(|e| ConsoleError::Internal(format!("test message: {e}")))?;
    let _ = ContentType::TEXT_PLAIN;
    Ok(match transport.send(message).await {
        Ok(_) => ChannelTestResult::ok(format!(
            "sent a test message to {to} through {server}:{port}"
        )),
        Err(e) => {
            let (failure, text) = smtp_failure(&e);
            ChannelTestResult::failed(failure, text)
        }
    })
}

/// An Azure Communication Services channel: the connection string is read here, as the
/// server's own test does (no network call): it needs an `endpoint` and an `accesskey`.
pub fn check_azure(connection_string: &str) -> ChannelTestResult {
    if hides_a_secret(connection_string) {
        return ChannelTestResult::failed(
            TestFailure::Incomplete,
            "the connection string is the masked form the deployment answered: type the real one to test from this machine",
        );
    }
    let part = |name: &str| {
        connection_string.split(';').find_map(|p| {
            p.split_once('=')
                .filter(|(k, _)| k.trim().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_owned())
        })
    };
    match (part("endpoint"), part("accesskey")) {
        (Some(endpoint), Some(key)) if endpoint.starts_with("https://") && !key.is_empty() => {
            ChannelTestResult::ok(format!(
                "the connection string is valid (endpoint {endpoint}); nothing is sent through Azure from this machine"
            ))
        }
        (Some(endpoint), Some(_)) => ChannelTestResult::failed(
            TestFailure::Incomplete,
            format!("the endpoint {endpoint:?} is not an https:// URL"),
        ),
        _ => ChannelTestResult::failed(
            TestFailure::Incomplete,
            "a connection string is endpoint=https://…;accesskey=…",
        ),
    }
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Sends a webhook channel's test message (`channel` with its real `url` and `bot_token`).
pub async fn test_webhook(
    channel: &Value,
    deployment: &str,
    telegram_api: &str,
    extra_ca_pem: Option<&str>,
) -> ConsoleResult<ChannelTestResult> {
    let request = match webhook_test_request(channel, deployment, telegram_api) {
        Ok(r) => r,
        Err(TestMessageProblem::Missing(field)) => {
            return Ok(ChannelTestResult::failed(
                TestFailure::Incomplete,
                format!("the channel has no {field}"),
            ));
        }
        Err(TestMessageProblem::UnsupportedProvider(p)) => {
            return Ok(ChannelTestResult::failed(
                TestFailure::Incomplete,
                format!(
                    "{p:?} is not a provider the server sends to (slack, teams, discord, telegram, google_chat)"
                ),
            ));
        }
    };
    if hides_a_secret(channel["bot_token"].as_str().unwrap_or_default()) {
        return Ok(ChannelTestResult::failed(
            TestFailure::Incomplete,
            "the bot token is the masked form the deployment answered: type the real one to test from this machine",
        ));
    }
    send_webhook(&request, extra_ca_pem).await
}

async fn send_webhook(
    request: &WebhookRequest,
    extra_ca_pem: Option<&str>,
) -> ConsoleResult<ChannelTestResult> {
    let url = url::Url::parse(&request.url)
        .map_err(|e| ConsoleError::invalid("url", format!("the webhook URL is not a URL: {e}")))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    if url.scheme() != "https" && !(url.scheme() == "http" && is_loopback_host(&host)) {
        return Ok(ChannelTestResult::failed(
            TestFailure::Tls,
            format!(
                "the URL is {}://: the console sends only over https (plain http only to this machine)",
                url.scheme()
            ),
        ));
    }
    let mut client = reqwest::Client::builder()
        .timeout(TEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none());
    if let Some(pem) = extra_ca_pem {
        for cert in reqwest::Certificate::from_pem_bundle(pem.as_bytes()).unwrap_or_default() {
            client = client.add_root_certificate(cert);
        }
    }
    let client = client
        .build()
        .map_err(|e| ConsoleError::Internal(format!("HTTP set-up: {e}")))?;
    let bytes = serde_json::to_vec(&request.body).unwrap_or_default();
    let answer = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(bytes)
        .send()
        .await;
    let response = match answer {
        Ok(r) => r,
        Err(e) => {
            // The error's text may hold the URL, and the URL is a credential: say where only.
            let e = e.without_url();
            let text = error_chain(&e);
            let failure = if e.is_timeout() {
                TestFailure::Timeout
            } else if looks_like_dns(&text) {
                TestFailure::Dns
            } else if text.to_ascii_lowercase().contains("certificate") || text.contains("tls") {
                TestFailure::Tls
            } else if e.is_connect() {
                TestFailure::Refused
            } else {
                TestFailure::Other
            };
            return Ok(ChannelTestResult::failed(
                failure,
                format!("{host}: {text}"),
            ));
        }
    };
    let status = response.status().as_u16();
    let body: String = response
        .text()
        .await
        .unwrap_or_default()
        .chars()
        .take(500)
        .collect();
    Ok(if request.success.contains(&status) {
        ChannelTestResult::ok(format!("{host} accepted the test message ({status})"))
    } else {
        ChannelTestResult::failed(
            TestFailure::Rejected,
            format!("{host} answered {status}: {}", body.trim()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_acs_connection_string_needs_an_https_endpoint_and_a_key() {
        assert!(
            check_azure("endpoint=https://acme.communication.azure.com/;accesskey=abc=").success
        );
        assert_eq!(
            check_azure("endpoint=http://x/;accesskey=abc").failure,
            Some(TestFailure::Incomplete)
        );
        assert!(!check_azure("accesskey=abc").success);
        assert!(!check_azure("************abcd").success);
    }

    #[test]
    fn loopback_hosts_are_told_apart() {
        assert!(is_loopback_host("127.0.0.1"));
        assert!(is_loopback_host("[::1]"));
        assert!(is_loopback_host("localhost"));
        assert!(!is_loopback_host("smtp.example.com"));
        assert!(!is_loopback_host("10.0.0.1"));
    }
}
