//! Notification channels of a deployment (notifications.md): the e-mail and webhook channels as
//! the deployment answers them (secrets masked, the credentials it answers in clear cut down),
//! each with its list position — the position the server resolves masked e-mail secrets by —;
//! edits saved without losing a secret; tests from this machine and through the deployment.

mod desktop_test;
mod graph_test;
mod save;

pub use desktop_test::{ChannelTestResult, TestFailure};
pub use save::{ChannelSecretInput, ChannelsReview, ChannelsSaved};

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Notifications, Target};
use cloo_domain::notifications::{
    ChannelEdit, ChannelKind, ChannelProblem, ChannelRefusal, ChannelsAsRead, SecretRisk,
    channel_after, shown_channel,
};
use cloo_domain::settings::{get_path, set_path};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// A test of a channel from this machine, before or after it is saved.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct DesktopTest {
    /// E-mail or webhook.
    pub kind: ChannelKind,
    /// The channel's name (after the edits).
    pub name: String,
    /// Unsaved edits to test with (an added channel, changed fields); empty: as saved.
    #[serde(default)]
    pub edits: Vec<ChannelEdit>,
    /// Secrets typed for it (a saved channel's are masked: they must be typed to test here).
    #[serde(default)]
    pub secrets: Vec<ChannelSecretInput>,
    /// E-mail: send a real test message to this address (else connect and log in only).
    #[serde(default)]
    pub send_to: Option<String>,
    /// A self-hosted Telegram Bot API server instead of api.telegram.org.
    #[serde(default)]
    pub telegram_api: Option<String>,
    /// For a Graph mail channel outside the global cloud (a national cloud): the Microsoft
    /// Entra sign-in host and the Graph base, both or neither.
    #[serde(default)]
    pub entra_authority: Option<String>,
    /// The Graph base that goes with `entra_authority` (`https://graph.microsoft.us/v1.0`).
    #[serde(default)]
    pub graph_url: Option<String>,
}

/// The Telegram Bot API server the desktop's Telegram test goes to unless told otherwise.
pub const TELEGRAM_API: &str = "https://api.telegram.org";

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
    /// Made up by the server from the old single-channel settings (`기본`), not stored.
    pub synthesized: bool,
    /// The channel as the deployment answered it (secrets masked; a webhook URL and an ACS
    /// connection string, which it answers in clear, cut down).
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

/// The channels of a config answer, as they may be shown.
pub(crate) fn view_of(config: &Value) -> ChannelsView {
    let read = ChannelsAsRead::from_answer(config);
    let list = |items: &[Value], kind: ChannelKind| -> Vec<ChannelView> {
        items
            .iter()
            .enumerate()
            .map(|(position, c)| ChannelView {
                position,
                name: c["name"].as_str().unwrap_or_default().to_owned(),
                kind: match kind {
                    ChannelKind::Email => c["engine"].as_str(),
                    ChannelKind::Webhook => c["provider"].as_str(),
                }
                .unwrap_or_default()
                .to_owned(),
                reaches: match kind {
                    ChannelKind::Email => email_reaches(c),
                    ChannelKind::Webhook => webhook_reaches(c),
                },
                synthesized: cloo_domain::notifications::is_synthesized(kind, c),
                values: shown_channel(kind, c),
            })
            .collect()
    };
    ChannelsView {
        emails: list(&read.emails, ChannelKind::Email),
        webhooks: list(&read.webhooks, ChannelKind::Webhook),
        events: read.events,
    }
}

fn kind_word(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Email => "e-mail",
        ChannelKind::Webhook => "webhook",
    }
}

/// One refused edit in words.
pub fn describe_refusal(r: &ChannelRefusal) -> String {
    let field = r.field.as_deref().unwrap_or_default();
    let what = match &r.problem {
        ChannelProblem::NoSuchChannel => "there is no such channel".to_owned(),
        ChannelProblem::DuplicateName => {
            "another channel has this name (schedules would reach only the first)".to_owned()
        }
        ChannelProblem::PositionOutOfRange { len } => {
            format!("positions run from 0 to {}", len.saturating_sub(1))
        }
        ChannelProblem::UnknownField => format!("{field} is not a field of this kind of channel"),
        ChannelProblem::WrongType { expected } => format!("{field} takes {expected}"),
        ChannelProblem::NotAllowed { allowed } => format!("{field} takes {allowed}"),
        ChannelProblem::Missing => format!("{field} is needed"),
        ChannelProblem::SecretAsValue => {
            format!("{field} is a secret: type it (or give keychain:NAME), never as a value")
        }
        ChannelProblem::SecretForNoChannel => {
            format!("a secret was given for {field}, but no such channel is left after the edits")
        }
        ChannelProblem::SecretMustBeTyped { because } => match because {
            SecretRisk::Moved => format!(
                "{field} must be typed again: the channel is new or changes position, and the server puts a masked secret back from whichever channel was stored at that position"
            ),
            SecretRisk::NotResolved => format!(
                "{field} must be typed again: the server keeps no webhook secret, and would store the masked text"
            ),
            SecretRisk::Short => format!(
                "{field} must be typed again: it is 3 characters or fewer, shows as ***, and the server would store ***"
            ),
            SecretRisk::LooksMasked => format!(
                "{field}: the value typed starts with *** and would be taken for a masked one"
            ),
            SecretRisk::Synthesized => format!(
                "{field} must be typed again: the channel comes from the old single-channel settings, and the server has nothing stored to put a masked secret back from"
            ),
        },
    };
    format!("{} channel {:?}: {what}", kind_word(r.kind), r.channel)
}

/// Refused edits in words, one line each.
pub fn describe_refusals(refusals: &[ChannelRefusal]) -> String {
    let lines: Vec<String> = refusals.iter().map(describe_refusal).collect();
    format!("the channels were not saved:\n{}", lines.join("\n"))
}

impl Notifications<'_> {
    /// Every channel as the deployment answers it (`GET /notifications/config`).
    pub async fn channels(&self, target: &Target) -> ConsoleResult<ChannelsView> {
        let session = self.c.session(target).await?;
        let config = session
            .call(|c, t| async move { c.notification_config(&t).await })
            .await?;
        Ok(view_of(&config))
    }

    /// Tests a channel from this machine, as the request's edits leave it (none: as saved),
    /// with the secrets typed for it.
    pub async fn test_from_desktop(
        &self,
        target: &Target,
        request: &DesktopTest,
    ) -> ConsoleResult<ChannelTestResult> {
        let DesktopTest {
            kind,
            name,
            edits,
            secrets,
            send_to,
            telegram_api,
            ..
        } = request;
        let (kind, name, send_to, telegram_api) = (
            *kind,
            name.as_str(),
            send_to.as_deref(),
            telegram_api.as_deref(),
        );
        let session = self.c.session(target).await?;
        let config = session
            .call(|c, t| async move { c.notification_config(&t).await })
            .await?;
        let read = ChannelsAsRead::from_answer(&config);
        let mut channel = channel_after(&read, edits, kind, name)
            .map_err(|refusals| ConsoleError::ChannelsRefused { refusals })?;
        for s in self.typed_secrets(secrets).await? {
            if s.kind == kind && s.channel == name {
                let _ = set_path(
                    &mut channel,
                    &s.field,
                    Value::String(s.value.expose().to_owned()),
                );
            }
        }
        let tenant = self.c.tenant_ref(target).await?;
        let ca = self.c.tenant_ca(target).await?;
        match kind {
            ChannelKind::Webhook => {
                desktop_test::test_webhook(
                    &channel,
                    &tenant.name,
                    telegram_api.unwrap_or(TELEGRAM_API),
                    ca.as_deref(),
                )
                .await
            }
            ChannelKind::Email => match channel["engine"].as_str().unwrap_or_default() {
                "smtp" => {
                    let password = get_path(&channel, "smtp.password")
                        .and_then(Value::as_str)
                        .filter(|p| !p.is_empty())
                        .map(cloo_domain::Secret::new);
                    desktop_test::test_smtp(&desktop_test::SmtpTest {
                        smtp: channel["smtp"].clone(),
                        password,
                        send_to: send_to.map(str::to_owned),
                        extra_ca_pem: ca,
                        deployment: tenant.name,
                    })
                    .await
                }
                "msgraph" => {
                    let endpoints = match (&request.entra_authority, &request.graph_url) {
                        (Some(authority), Some(graph)) => {
                            cloo_entra::Endpoints::new(authority, graph).map_err(|e| {
                                ConsoleError::invalid("entra_authority", e.to_string())
                            })?
                        }
                        (None, None) => cloo_entra::Endpoints::of(cloo_entra::Cloud::Global),
                        _ => {
                            return Err(ConsoleError::invalid(
                                "entra_authority",
                                "give the Entra sign-in host and the Graph base together",
                            ));
                        }
                    };
                    Ok(graph_test::test_graph_mail(&channel["msgraph"], endpoints).await)
                }
                "azure" => Ok(desktop_test::check_azure(
                    get_path(&channel, "azure.connection_string")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                )),
                other => Ok(ChannelTestResult {
                    success: false,
                    failure: Some(TestFailure::Incomplete),
                    message: format!(
                        "the console tests SMTP, Microsoft Graph and Azure channels from this machine; test this {other} channel through the deployment"
                    ),
                    via: "desktop".into(),
                }),
            },
        }
    }

    /// Tests a saved channel through the deployment's own test endpoints (by its position):
    /// for e-mail, connect and log in, or send a test message to `send_to`.
    pub async fn test_through_deployment(
        &self,
        target: &Target,
        kind: ChannelKind,
        name: &str,
        send_to: Option<&str>,
    ) -> ConsoleResult<ChannelTestResult> {
        let view = self.channels(target).await?;
        let list = match kind {
            ChannelKind::Email => &view.emails,
            ChannelKind::Webhook => &view.webhooks,
        };
        let channel = list.iter().find(|c| c.name == name).ok_or_else(|| {
            ConsoleError::not_found(
                "channel",
                name,
                format!("the deployment has no {} channel {name:?}", kind_word(kind)),
            )
        })?;
        let index = channel.position;
        let session = self.c.session(target).await?;
        let answer = match (kind, send_to) {
            (ChannelKind::Email, Some(to)) => {
                session
                    .call(|c, t| async move { c.send_test_email(&t, index, to).await })
                    .await?
            }
            (ChannelKind::Email, None) => {
                session
                    .call(|c, t| async move { c.test_email_channel_connection(&t, index).await })
                    .await?
            }
            (ChannelKind::Webhook, _) => {
                session
                    .call(|c, t| async move { c.test_webhook_channel(&t, index).await })
                    .await?
            }
        };
        Ok(ChannelTestResult {
            success: answer.success,
            failure: (!answer.success).then(|| deployment_failure(&answer.message)),
            message: answer.message,
            via: "deployment".into(),
        })
    }
}

/// The server's words sorted into the failures the desktop names.
fn deployment_failure(message: &str) -> TestFailure {
    let m = message.to_ascii_lowercase();
    if m.contains("authentication failed") || m.contains("invalid api key") {
        TestFailure::Authentication
    } else if m.contains("timed out") {
        TestFailure::Timeout
    } else if m.contains("connection failed") || m.contains("refused") {
        TestFailure::Refused
    } else if m.contains("returned status") {
        TestFailure::Rejected
    } else if m.contains("out of range")
        || m.contains("required")
        || m.contains("no webhook url")
        || m.contains("no email engine")
    {
        TestFailure::Incomplete
    } else {
        TestFailure::Other
    }
}
