//! The body of a notification-config save that loses no secret. The server replaces the whole
//! configuration on every save; for e-mail channels it puts back a masked secret from the
//! channel stored at the **same list position** before the save; for webhook channels it puts
//! back nothing (a masked Telegram `bot_token` is stored as the masked text); a secret of three
//! characters or fewer reads as `***`, which is not taken for masked and is stored as it is
//! (notifications.md, "Masking rules"). So a masked value may go back only for an e-mail
//! channel still at the position it was read from; every other secret must be typed again, or
//! the save is refused with the reason, channel by channel.

use crate::Secret;
use crate::settings::{get_path, hides_a_secret, is_masked, set_path};
use serde::Serialize;
use serde_json::{Value, json};

/// The secrets of an e-mail channel, as dotted paths.
pub const EMAIL_SECRETS: [&str; 4] = [
    "smtp.password",
    "sendgrid.api_key",
    "azure.connection_string",
    "msgraph.client_secret",
];

/// The secrets of a webhook channel.
pub const WEBHOOK_SECRETS: [&str; 1] = ["bot_token"];

/// E-mail or webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// An e-mail channel (`emails`).
    Email,
    /// A webhook channel (`webhooks`).
    Webhook,
}

/// A channel as the admin left it.
#[derive(Debug, Clone)]
pub struct EditedChannel {
    /// Its values: as read (secrets in their masked form), with the admin's edits.
    pub values: Value,
    /// The list position it was read at; `None` for a new channel.
    pub read_at: Option<usize>,
    /// Secrets typed for it (dotted path → value).
    pub typed: Vec<(String, Secret)>,
    /// Made up by the server from the old single-channel settings: nothing is stored to put
    /// its masked secrets back from.
    pub synthesized: bool,
}

/// Why a secret cannot go back in its masked form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum SecretRisk {
    /// The channel's position changed (or it is new): the server would put back the secret of
    /// whichever channel was stored at its new position.
    Moved,
    /// A webhook secret: the server resolves none and would store the masked text.
    NotResolved,
    /// Three characters or fewer (`***`): the server would store `***`.
    Short,
    /// A typed value that looks masked: the server would take it for one.
    LooksMasked,
    /// The channel was made up from the old single-channel settings: nothing is stored to put
    /// the masked value back from, so the server would store the masked text.
    Synthesized,
}

/// A save that cannot be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SaveRefusal {
    /// E-mail or webhook.
    pub kind: ChannelKind,
    /// The channel's position in the save.
    pub position: usize,
    /// Its name.
    pub channel: String,
    /// The secret (`smtp.password`).
    pub field: String,
    /// Why.
    pub because: SecretRisk,
}

fn channel_body(
    kind: ChannelKind,
    position: usize,
    channel: &EditedChannel,
    refusals: &mut Vec<SaveRefusal>,
) -> Value {
    let mut body = channel.values.clone();
    let name = body["name"].as_str().unwrap_or_default().to_owned();
    let secrets: &[&str] = match kind {
        ChannelKind::Email => &EMAIL_SECRETS,
        ChannelKind::Webhook => &WEBHOOK_SECRETS,
    };
    let mut refuse = |field: &str, because| {
        refusals.push(SaveRefusal {
            kind,
            position,
            channel: name.clone(),
            field: field.to_owned(),
            because,
        })
    };
    for field in secrets {
        if let Some((_, typed)) = channel.typed.iter().find(|(p, _)| p == field) {
            if hides_a_secret(typed.expose()) {
                refuse(field, SecretRisk::LooksMasked);
            } else {
                let _ = set_path(&mut body, field, Value::String(typed.expose().to_owned()));
            }
            continue;
        }
        let read = get_path(&channel.values, field)
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !hides_a_secret(read) {
            // Empty, or a value the server shows in clear (an ACS connection string).
            continue;
        }
        match kind {
            ChannelKind::Webhook => refuse(field, SecretRisk::NotResolved),
            ChannelKind::Email if channel.synthesized => refuse(field, SecretRisk::Synthesized),
            ChannelKind::Email if !is_masked(read) => refuse(field, SecretRisk::Short),
            ChannelKind::Email if channel.read_at != Some(position) => {
                refuse(field, SecretRisk::Moved)
            }
            ChannelKind::Email => {}
        }
    }
    body
}

/// The whole configuration to send (`{emails, webhooks, events}`), or every secret that must be
/// typed first. Channels left out of `emails`/`webhooks` are deleted by the save.
pub fn plan_save(
    emails: &[EditedChannel],
    webhooks: &[EditedChannel],
    events: &[String],
) -> Result<Value, Vec<SaveRefusal>> {
    let mut refusals = Vec::new();
    let emails: Vec<Value> = emails
        .iter()
        .enumerate()
        .map(|(i, c)| channel_body(ChannelKind::Email, i, c, &mut refusals))
        .collect();
    let webhooks: Vec<Value> = webhooks
        .iter()
        .enumerate()
        .map(|(i, c)| channel_body(ChannelKind::Webhook, i, c, &mut refusals))
        .collect();
    if refusals.is_empty() {
        Ok(json!({"emails": emails, "webhooks": webhooks, "events": events}))
    } else {
        Err(refusals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::mask;

    /// What the server stores: real secrets.
    fn email(name: &str, password: &str) -> Value {
        json!({"name": name, "engine": "smtp",
               "smtp": {"server": "mail", "port": 587, "username": "u", "password": password},
               "sendgrid": {"api_key": ""}, "azure": {"connection_string": ""},
               "msgraph": {"client_secret": ""}})
    }

    fn webhook(name: &str, token: &str) -> Value {
        json!({"name": name, "provider": "telegram", "url": "", "bot_token": token, "chat_id": "42"})
    }

    /// What a GET answers for a stored channel: its secrets masked.
    fn read(stored: &Value, secrets: &[&str]) -> Value {
        let mut v = stored.clone();
        for field in secrets {
            if let Some(s) = get_path(stored, field).and_then(Value::as_str) {
                let _ = set_path(&mut v, field, Value::String(mask(s)));
            }
        }
        v
    }

    /// The server's POST: e-mail secrets resolved by position against what was stored, webhook
    /// secrets stored as sent.
    fn server_save(stored: &[Value], body: &Value) -> Vec<Value> {
        body["emails"]
            .as_array()
            .expect("emails")
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut c = c.clone();
                for field in EMAIL_SECRETS {
                    let sent = get_path(&c, field)
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    if is_masked(sent) {
                        let before = stored
                            .get(i)
                            .and_then(|s| get_path(s, field))
                            .cloned()
                            .unwrap_or(Value::String(String::new()));
                        let _ = set_path(&mut c, field, before);
                    }
                }
                c
            })
            .collect()
    }

    fn kept(read_at: usize, values: Value) -> EditedChannel {
        EditedChannel {
            values,
            read_at: Some(read_at),
            typed: Vec::new(),
            synthesized: false,
        }
    }

    #[test]
    fn unchanged_positions_send_masked_values_the_server_restores() {
        let stored = vec![
            email("ops", "smtp-pass-0001"),
            email("hr", "smtp-pass-0002"),
        ];
        let edited: Vec<EditedChannel> = stored
            .iter()
            .enumerate()
            .map(|(i, s)| kept(i, read(s, &EMAIL_SECRETS)))
            .collect();
        let body = plan_save(&edited, &[], &[]).expect("safe");
        let saved = server_save(&stored, &body);
        assert_eq!(saved[0]["smtp"]["password"], "smtp-pass-0001");
        assert_eq!(saved[1]["smtp"]["password"], "smtp-pass-0002");
    }

    #[test]
    fn a_reorder_needs_the_moved_channels_secrets_typed() {
        let stored = vec![
            email("ops", "smtp-pass-0001"),
            email("hr", "smtp-pass-0002"),
        ];
        let swapped = vec![
            kept(1, read(&stored[1], &EMAIL_SECRETS)),
            kept(0, read(&stored[0], &EMAIL_SECRETS)),
        ];
        let refused = plan_save(&swapped, &[], &[]).expect_err("would swap");
        assert_eq!(refused.len(), 2);
        assert!(refused.iter().all(|r| r.because == SecretRisk::Moved));
        assert_eq!(refused[0].channel, "hr");
        let mut typed = swapped;
        typed[0].typed = vec![("smtp.password".into(), Secret::new("smtp-pass-0002"))];
        typed[1].typed = vec![("smtp.password".into(), Secret::new("smtp-pass-0001"))];
        let body = plan_save(&typed, &[], &[]).expect("typed");
        let saved = server_save(&stored, &body);
        assert_eq!(saved[0]["smtp"]["password"], "smtp-pass-0002");
        assert_eq!(saved[1]["smtp"]["password"], "smtp-pass-0001");
    }

    #[test]
    fn webhook_tokens_and_short_secrets_are_never_sent_masked() {
        let hook = webhook("alerts", "123456:telegram-bot-token");
        let refused =
            plan_save(&[], &[kept(0, read(&hook, &WEBHOOK_SECRETS))], &[]).expect_err("token");
        assert_eq!(refused[0].because, SecretRisk::NotResolved);
        let short = email("ops", "pw7");
        let refused =
            plan_save(&[kept(0, read(&short, &EMAIL_SECRETS))], &[], &[]).expect_err("short");
        assert_eq!(refused[0].because, SecretRisk::Short);
        let empty = webhook("plain", "");
        assert!(plan_save(&[], &[kept(0, read(&empty, &WEBHOOK_SECRETS))], &[]).is_ok());
    }

    #[test]
    fn a_typed_value_that_looks_masked_is_refused() {
        let mut c = kept(0, read(&email("ops", "smtp-pass-0001"), &EMAIL_SECRETS));
        c.typed = vec![("smtp.password".into(), Secret::new("****0001"))];
        let refused = plan_save(&[c], &[], &[]).expect_err("masked-looking");
        assert_eq!(refused[0].because, SecretRisk::LooksMasked);
    }

    /// A small deterministic generator for the property test.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    #[test]
    fn over_random_reorders_deletions_and_additions_no_secret_is_lost_or_swapped() {
        let (mut saved_runs, mut refused_runs) = (0, 0);
        for seed in 1..=500u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let count = 1 + rng.below(5);
            let stored: Vec<Value> = (0..count)
                .map(|i| email(&format!("c{i}"), &format!("secret-{seed}-{i}")))
                .collect();
            let mut edited: Vec<EditedChannel> = stored
                .iter()
                .enumerate()
                .map(|(i, s)| kept(i, read(s, &EMAIL_SECRETS)))
                .collect();
            for _ in 0..rng.below(4) {
                match rng.below(3) {
                    0 if edited.len() > 1 => {
                        let (a, b) = (rng.below(edited.len()), rng.below(edited.len()));
                        edited.swap(a, b);
                    }
                    1 if !edited.is_empty() => {
                        edited.remove(rng.below(edited.len()));
                    }
                    _ => {
                        let at = rng.below(edited.len() + 1);
                        let name = format!("new{}", rng.below(1000));
                        let mut fresh = EditedChannel {
                            values: email(&name, ""),
                            read_at: None,
                            typed: Vec::new(),
                            synthesized: false,
                        };
                        fresh.typed =
                            vec![("smtp.password".into(), Secret::new(format!("typed-{name}")))];
                        edited.insert(at, fresh);
                    }
                }
            }
            // Half the time the admin types every moved channel's secret again.
            if rng.below(2) == 0 {
                for (j, c) in edited.iter_mut().enumerate() {
                    if let Some(i) = c.read_at
                        && i != j
                    {
                        c.typed = vec![(
                            "smtp.password".into(),
                            Secret::new(format!("secret-{seed}-{i}")),
                        )];
                    }
                }
            }
            match plan_save(&edited, &[], &[]) {
                Ok(body) => {
                    saved_runs += 1;
                    let saved = server_save(&stored, &body);
                    for (j, c) in edited.iter().enumerate() {
                        let want = match c.read_at {
                            Some(i) => format!("secret-{seed}-{i}"),
                            None => {
                                format!("typed-{}", c.values["name"].as_str().unwrap_or_default())
                            }
                        };
                        assert_eq!(saved[j]["smtp"]["password"], want.as_str(), "seed {seed}");
                    }
                }
                Err(refusals) => {
                    refused_runs += 1;
                    assert!(
                        refusals.iter().all(|r| r.because == SecretRisk::Moved),
                        "seed {seed}"
                    );
                }
            }
        }
        assert!(
            saved_runs > 100 && refused_runs > 20,
            "{saved_runs} saved, {refused_runs} refused"
        );
    }
}
