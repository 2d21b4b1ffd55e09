//! Channel edits sent to a deployment: read the configuration fresh, apply the edits, plan the
//! one whole-configuration save that loses or swaps no secret, send it as one journaled
//! operation, and check the answer — a secret's last four characters show whether the server
//! put back the one meant.

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Notifications, Observer, OperationKind, Target};
use cloo_domain::Secret;
use cloo_domain::notifications::{
    ChannelEdit, ChannelKind, ChannelRefusal, ChannelReview, ChannelSecret, ChannelsAsRead,
    EMAIL_SECRETS, WEBHOOK_SECRETS, plan_channels, shown_channel,
};
use cloo_domain::settings::{get_path, hides_a_secret, mask};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use ts_rs::TS;

/// A secret typed for a channel, as a shell sends it in (never sent back out). The value may
/// be `keychain:NAME`, a secret filed with `clooctl secret set`.
#[derive(Clone, Deserialize, TS)]
#[ts(export)]
pub struct ChannelSecretInput {
    /// E-mail or webhook.
    pub kind: ChannelKind,
    /// The channel's name after the edits.
    pub channel: String,
    /// The secret's dotted path (`smtp.password`, `bot_token`).
    pub field: String,
    /// The value, or `keychain:NAME`.
    pub value: String,
}

impl std::fmt::Debug for ChannelSecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ChannelSecretInput {{ kind: {:?}, channel: {:?}, field: {:?}, value: *** }}",
            self.kind, self.channel, self.field
        )
    }
}

/// What a save would do, before anything is sent.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChannelsReview {
    /// Each channel that changes: added, changed, moved or removed, and its secrets' fate.
    pub channels: Vec<ChannelReview>,
    /// The event subscriptions before and after, when they change.
    pub events: Option<(Vec<String>, Vec<String>)>,
    /// Why it cannot be sent (empty: it can).
    pub refusals: Vec<ChannelRefusal>,
}

/// What a save did.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChannelsSaved {
    /// What changed, as reviewed.
    pub channels: Vec<ChannelReview>,
    /// Secrets whose masked form after the save is not the one expected (the wrong channel's
    /// secret put back, or one lost): `e-mail "ops" smtp.password`. Empty when all are intact.
    pub secret_mismatches: Vec<String>,
    /// The channels as the deployment answered the save.
    pub after: super::ChannelsView,
}

fn secrets_of(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Email => &EMAIL_SECRETS,
        ChannelKind::Webhook => &WEBHOOK_SECRETS,
    }
}

fn kind_word(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Email => "e-mail",
        ChannelKind::Webhook => "webhook",
    }
}

/// The whole configuration with every credential cut down: what the journal keeps.
fn journaled(config: &Value) -> Value {
    let list = |key: &str, kind| -> Vec<Value> {
        config[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| shown_channel(kind, c))
            .collect()
    };
    json!({
        "emails": list("emails", ChannelKind::Email),
        "webhooks": list("webhooks", ChannelKind::Webhook),
        "events": config["events"],
    })
}

/// The masked form each secret should have after the save: a secret sent masked comes back as
/// it went (the server put back the one stored at that position, which was read there); a
/// typed one comes back masked as the server masks.
fn expected_masks(body: &Value) -> Vec<(ChannelKind, usize, String, String, String)> {
    let mut out = Vec::new();
    for (kind, key) in [
        (ChannelKind::Email, "emails"),
        (ChannelKind::Webhook, "webhooks"),
    ] {
        for (i, c) in body[key].as_array().into_iter().flatten().enumerate() {
            let name = c["name"].as_str().unwrap_or_default().to_owned();
            for field in secrets_of(kind) {
                let sent = get_path(c, field)
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let want = if hides_a_secret(sent) {
                    sent.to_owned()
                } else {
                    mask(sent)
                };
                out.push((kind, i, name.clone(), field.to_string(), want));
            }
        }
    }
    out
}

impl Notifications<'_> {
    pub(super) async fn typed_secrets(
        &self,
        secrets: &[ChannelSecretInput],
    ) -> ConsoleResult<Vec<ChannelSecret>> {
        let mut out = Vec::new();
        for s in secrets {
            let value = match s.value.strip_prefix("keychain:") {
                Some(name) => self.c.named_secret(name).await?.ok_or_else(|| {
                    ConsoleError::invalid(
                        name,
                        format!(
                            "{} channel {:?} takes {} from the keychain secret {name}, which is not filed (clooctl secret set {name}): nothing was sent",
                            kind_word(s.kind),
                            s.channel,
                            s.field
                        ),
                    )
                })?,
                None => Secret::new(s.value.clone()),
            };
            if value.expose().is_empty() {
                return Err(ConsoleError::invalid(
                    &s.field,
                    format!(
                        "the secret typed for {} channel {:?} is empty",
                        kind_word(s.kind),
                        s.channel
                    ),
                ));
            }
            out.push(ChannelSecret {
                kind: s.kind,
                channel: s.channel.clone(),
                field: s.field.clone(),
                value,
            });
        }
        Ok(out)
    }

    async fn read_config(&self, target: &Target) -> ConsoleResult<Value> {
        let session = self.c.session(target).await?;
        session
            .call(|c, t| async move { c.notification_config(&t).await })
            .await
    }

    /// What saving `edits` (with `secrets`) would do, read against the deployment now; nothing
    /// is sent.
    pub async fn review_channels(
        &self,
        target: &Target,
        edits: &[ChannelEdit],
        secrets: &[ChannelSecretInput],
    ) -> ConsoleResult<ChannelsReview> {
        let typed = self.typed_secrets(secrets).await?;
        let read = ChannelsAsRead::from_answer(&self.read_config(target).await?);
        Ok(match plan_channels(&read, edits, &typed) {
            Ok(save) => ChannelsReview {
                channels: save.review,
                events: save.events,
                refusals: Vec::new(),
            },
            Err(refusals) => ChannelsReview {
                channels: Vec::new(),
                events: None,
                refusals,
            },
        })
    }

    /// Saves `edits` (with `secrets`) as one operation: the configuration read again at the
    /// start, the save planned against it (refused, with every reason, before anything is
    /// sent if a secret would be lost or swapped), sent, and the answer checked secret by
    /// secret.
    pub async fn save_channels(
        &self,
        target: &Target,
        edits: &[ChannelEdit],
        secrets: &[ChannelSecretInput],
        observer: &Observer,
    ) -> ConsoleResult<ChannelsSaved> {
        let subject = edits
            .iter()
            .map(|e| match e {
                ChannelEdit::Add { values, .. } => {
                    format!("add {}", values["name"].as_str().unwrap_or_default())
                }
                ChannelEdit::Change { name, .. } => format!("change {name}"),
                ChannelEdit::Move { name, to, .. } => format!("move {name} to {to}"),
                ChannelEdit::Remove { name, .. } => format!("remove {name}"),
                ChannelEdit::SetEvents { .. } => "events".to_owned(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        let typed = self.typed_secrets(secrets).await?;
        let op = self
            .c
            .begin(target, OperationKind::ChannelsSave, &subject, observer)
            .await?;
        let result = async {
            op.step("reading", 0, 2);
            let answer = self.read_config(target).await?;
            let read = ChannelsAsRead::from_answer(&answer);
            op.record_before(&journaled(&answer));
            let save = plan_channels(&read, edits, &typed).map_err(|refusals| {
                ConsoleError::ChannelsRefused { refusals }
            })?;
            if op.is_cancelled() {
                return Err(ConsoleError::Cancelled(crate::error::PartialChange {
                    applied: "nothing was sent".into(),
                    resume: "save again".into(),
                }));
            }
            op.step("saving", 1, 2);
            let session = self.c.session(target).await?;
            let body = &save.body;
            let after = session
                .call(|c, t| async move { c.save_notification_config(&t, body).await })
                .await
                .map_err(|e| match e {
                    e @ (ConsoleError::Api(cloo_api::ApiError::Network { .. })
                    | ConsoleError::Api(cloo_api::ApiError::Timeout { .. })) => {
                        ConsoleError::Interrupted {
                            cause: Box::new(e),
                            progress: crate::error::PartialChange {
                                applied: "the save was sent and no answer came back: the deployment may or may not hold the new channels".into(),
                                resume: "read the channels again (clooctl channels list) and repeat the edit if it is not there".into(),
                            },
                        }
                    }
                    e => e,
                })?;
            op.record_after(&journaled(&after));
            let got = ChannelsAsRead::from_answer(&after);
            let mismatches = expected_masks(body)
                .into_iter()
                .filter(|(kind, i, _, field, want)| {
                    let list = match kind {
                        ChannelKind::Email => &got.emails,
                        ChannelKind::Webhook => &got.webhooks,
                    };
                    let have = list
                        .get(*i)
                        .and_then(|c| get_path(c, field))
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    have != want
                })
                .map(|(kind, _, name, field, _)| format!("{} {name:?} {field}", kind_word(kind)))
                .collect();
            op.step("saving", 2, 2);
            Ok(ChannelsSaved {
                channels: save.review,
                secret_mismatches: mismatches,
                after: super::view_of(&after),
            })
        }
        .await;
        op.finish(result).await
    }
}
