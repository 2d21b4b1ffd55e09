//! `clooctl channels …`: notification channels listed, shown, added, edited, moved, removed and
//! tested. Positions count from 0, as the server's `index` does. Secrets are read from stdin
//! (`--secret [CHANNEL:]FIELD`, one line each, or `keychain:NAME`); when a save needs a secret
//! that was not given — a channel that changes position — a terminal is asked for it, and
//! without one the save is refused before anything is sent (exit 3).

use crate::args::{ChannelKindArg, ChannelsCommand, Output, Via};
use crate::cmd_settings::parse_assignment;
use crate::error::{CliError, CliResult};
use crate::input::{confirm, read_secret};
use crate::output::{print_channels, print_json};
use cloo_console::notifications::{
    ChannelSecretInput, ChannelTestResult, ChannelView, ChannelsReview, DesktopTest,
    describe_refusals,
};
use cloo_console::{Console, Observer, Target};
use cloo_domain::notifications::{ChannelEdit, ChannelKind, ChannelProblem, SecretFate};
use serde_json::{Map, Value};
use std::io::IsTerminal;

/// How a channels command ended.
pub enum ChannelsDone {
    /// Exit 0.
    Clean,
    /// A test that did not get through: exit 2, the result printed.
    TestFailed,
}

fn kind_word(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Email => "e-mail",
        ChannelKind::Webhook => "webhook",
    }
}

fn kind_of(arg: ChannelKindArg) -> ChannelKind {
    match arg {
        ChannelKindArg::Email => ChannelKind::Email,
        ChannelKindArg::Webhook => ChannelKind::Webhook,
    }
}

/// The channel named `name` (of `kind` when given; a name both lists hold needs `--kind`).
async fn find(
    console: &Console,
    target: &Target,
    name: &str,
    kind: Option<ChannelKindArg>,
) -> CliResult<(ChannelKind, ChannelView)> {
    let view = console.notifications().channels(target).await?;
    let mut found: Vec<(ChannelKind, ChannelView)> = Vec::new();
    for (k, list) in [
        (ChannelKind::Email, &view.emails),
        (ChannelKind::Webhook, &view.webhooks),
    ] {
        if kind.is_some_and(|want| kind_of(want) != k) {
            continue;
        }
        if let Some(c) = list.iter().find(|c| c.name == name) {
            found.push((k, c.clone()));
        }
    }
    match found.len() {
        0 => Err(format!("no channel is named {name:?} (clooctl channels list shows them)").into()),
        1 => Ok(found.remove(0)),
        _ => Err(format!(
            "an e-mail and a webhook channel are both named {name:?}: say which with --kind email|webhook"
        )
        .into()),
    }
}

/// `--set FIELD=VALUE` as a map of dotted paths; `FIELD=-` reads the value from stdin (for a
/// webhook URL, which is a credential).
fn fields(assignments: &[String]) -> CliResult<Map<String, Value>> {
    let mut map = Map::new();
    for a in assignments {
        let edit = parse_assignment(a)?;
        let value = if edit.value == Value::String("-".into()) {
            Value::String(
                read_secret(&format!("{}: ", edit.path))?
                    .expose()
                    .to_owned(),
            )
        } else {
            edit.value
        };
        map.insert(edit.path, value);
    }
    Ok(map)
}

/// `--secret [CHANNEL:]FIELD`, each read from stdin in order.
fn secrets(
    specs: &[String],
    kind: ChannelKind,
    channel: &str,
) -> CliResult<Vec<ChannelSecretInput>> {
    specs
        .iter()
        .map(|spec| {
            let (who, field) = match spec.rsplit_once(':') {
                Some((who, field)) => (who.to_owned(), field.to_owned()),
                None => (channel.to_owned(), spec.clone()),
            };
            let value = read_secret(&format!("{field} of {who}: "))?;
            Ok(ChannelSecretInput {
                kind,
                channel: who,
                field,
                value: value.expose().to_owned(),
            })
        })
        .collect()
}

fn describe_review(review: &ChannelsReview) -> String {
    let mut lines = Vec::new();
    for c in &review.channels {
        let kind = kind_word(c.kind);
        let head = match (c.from, c.to) {
            (None, Some(to)) => format!("add {kind} channel {:?} at position {to}", c.name),
            (Some(from), None) => format!("remove {kind} channel {:?} (position {from})", c.name),
            (Some(from), Some(to)) if from != to => {
                format!("move {kind} channel {:?} from {from} to {to}", c.name)
            }
            _ => format!("change {kind} channel {:?}", c.name),
        };
        lines.push(head);
        if let Some(old) = &c.renamed_from {
            lines.push(format!(
                "  renamed from {old:?}: schedules that name {old:?} will no longer reach it"
            ));
        }
        if c.synthesized {
            lines.push(
                "  it comes from the old single-channel settings; the save stores it as a channel"
                    .into(),
            );
        }
        for f in &c.changed {
            lines.push(format!("  {}: {} -> {}", f.path, f.before, f.after));
        }
        for (field, fate) in &c.secrets {
            lines.push(match fate {
                SecretFate::Kept => format!("  {field}: kept (the server puts it back)"),
                SecretFate::Typed => format!("  {field}: the new value typed"),
            });
        }
    }
    if let Some((before, after)) = &review.events {
        lines.push(format!("events: {before:?} -> {after:?}"));
    }
    lines.join("\n")
}

/// Reviews `edits`; in a terminal, asks for each secret the save cannot do without; then asks
/// for confirmation and saves.
async fn save(
    console: &Console,
    target: &Target,
    edits: Vec<ChannelEdit>,
    mut typed: Vec<ChannelSecretInput>,
    yes: bool,
    out: Output,
) -> CliResult<ChannelsDone> {
    let notifications = console.notifications();
    let mut review = notifications
        .review_channels(target, &edits, &typed)
        .await?;
    if std::io::stdin().is_terminal()
        && !review.refusals.is_empty()
        && review
            .refusals
            .iter()
            .all(|r| matches!(r.problem, ChannelProblem::SecretMustBeTyped { .. }))
    {
        eprintln!("{}", describe_refusals(&review.refusals));
        for r in &review.refusals {
            let value = read_secret(&format!(
                "{} of {} channel {:?}: ",
                r.field.as_deref().unwrap_or_default(),
                kind_word(r.kind),
                r.channel
            ))?;
            typed.push(ChannelSecretInput {
                kind: r.kind,
                channel: r.channel.clone(),
                field: r.field.clone().unwrap_or_default(),
                value: value.expose().to_owned(),
            });
        }
        review = notifications
            .review_channels(target, &edits, &typed)
            .await?;
    }
    if review.refusals.is_empty() {
        if review.channels.is_empty() && review.events.is_none() {
            println!("nothing to change");
            return Ok(ChannelsDone::Clean);
        }
        confirm(&format!("{}\nSave?", describe_review(&review)), yes)?;
    }
    // A refusal is left to the save itself, which reports it (exit 3) with nothing sent.
    let saved = notifications
        .save_channels(target, &edits, &typed, &Observer::quiet())
        .await?;
    match out {
        Output::Json => print_json(&saved)?,
        Output::Table => {
            println!(
                "{}",
                describe_review(&ChannelsReview {
                    channels: saved.channels.clone(),
                    events: None,
                    refusals: Vec::new(),
                })
            );
            println!("saved");
        }
    }
    if !saved.secret_mismatches.is_empty() {
        return Err(CliError::Coded(
            cloo_console::ErrorCode::UnexpectedResponse,
            format!(
                "saved, but these secrets do not read back as expected (the server may have put back another channel's): {}",
                saved.secret_mismatches.join(", ")
            ),
        ));
    }
    Ok(ChannelsDone::Clean)
}

fn print_test(result: &ChannelTestResult, out: Output) -> CliResult<ChannelsDone> {
    match out {
        Output::Json => print_json(result)?,
        Output::Table => {
            let mark = if result.success { "ok" } else { "FAILED" };
            let why = result
                .failure
                .map(|f| {
                    format!(
                        " [{}]",
                        serde_json::to_value(f)
                            .unwrap_or_default()
                            .as_str()
                            .unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            println!("{mark} (from the {}){why}: {}", result.via, result.message);
        }
    }
    Ok(if result.success {
        ChannelsDone::Clean
    } else {
        ChannelsDone::TestFailed
    })
}

/// Runs a `channels` command.
pub async fn run(
    console: &Console,
    target: &Target,
    command: &ChannelsCommand,
    out: Output,
) -> CliResult<ChannelsDone> {
    match command {
        ChannelsCommand::List => {
            let channels = console.notifications().channels(target).await?;
            print_channels(&channels, out)?;
            Ok(ChannelsDone::Clean)
        }
        ChannelsCommand::Get { name, kind } => {
            let (kind, channel) = find(console, target, name, *kind).await?;
            match out {
                Output::Json => print_json(&channel)?,
                Output::Table => {
                    println!(
                        "{} channel {:?} at position {} ({}){}",
                        kind_word(kind),
                        channel.name,
                        channel.position,
                        channel.kind,
                        if channel.synthesized {
                            " — from the old single-channel settings"
                        } else {
                            ""
                        }
                    );
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&channel.values).unwrap_or_default()
                    );
                }
            }
            Ok(ChannelsDone::Clean)
        }
        ChannelsCommand::AddEmail {
            name,
            engine,
            set,
            secret,
            at,
            yes,
        }
        | ChannelsCommand::AddWebhook {
            name,
            provider: engine,
            set,
            secret,
            at,
            yes,
        } => {
            let kind = if matches!(command, ChannelsCommand::AddEmail { .. }) {
                ChannelKind::Email
            } else {
                ChannelKind::Webhook
            };
            let mut values = Map::new();
            values.insert("name".into(), Value::String(name.clone()));
            let kind_key = match kind {
                ChannelKind::Email => "engine",
                ChannelKind::Webhook => "provider",
            };
            values.insert(kind_key.into(), Value::String(engine.clone()));
            let mut nested = Value::Object(values);
            for (path, value) in fields(set)? {
                let mut cursor = &mut nested;
                let parts: Vec<&str> = path.split('.').collect();
                for (i, part) in parts.iter().enumerate() {
                    if i + 1 == parts.len() {
                        cursor[*part] = value.clone();
                    } else {
                        if !cursor[*part].is_object() {
                            cursor[*part] = Value::Object(Map::new());
                        }
                        cursor = &mut cursor[*part];
                    }
                }
            }
            let typed = secrets(secret, kind, name)?;
            let edit = ChannelEdit::Add {
                kind,
                values: nested,
                at: *at,
            };
            save(console, target, vec![edit], typed, *yes, out).await
        }
        ChannelsCommand::Edit {
            name,
            kind,
            set,
            secret,
            yes,
        } => {
            let (kind, _) = find(console, target, name, *kind).await?;
            let fields = fields(set)?;
            let after = fields
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(name)
                .to_owned();
            let typed = secrets(secret, kind, &after)?;
            let edit = ChannelEdit::Change {
                kind,
                name: name.clone(),
                fields,
            };
            save(console, target, vec![edit], typed, *yes, out).await
        }
        ChannelsCommand::Move {
            name,
            kind,
            to,
            secret,
            yes,
        } => {
            let (kind, _) = find(console, target, name, *kind).await?;
            let typed = secrets(secret, kind, name)?;
            let edit = ChannelEdit::Move {
                kind,
                name: name.clone(),
                to: *to,
            };
            save(console, target, vec![edit], typed, *yes, out).await
        }
        ChannelsCommand::Remove {
            name,
            kind,
            secret,
            yes,
        } => {
            let (kind, _) = find(console, target, name, *kind).await?;
            let typed = secrets(secret, kind, name)?;
            let edit = ChannelEdit::Remove {
                kind,
                name: name.clone(),
            };
            save(console, target, vec![edit], typed, *yes, out).await
        }
        ChannelsCommand::Events { set, yes } => match set {
            None => {
                let channels = console.notifications().channels(target).await?;
                match out {
                    Output::Json => print_json(&channels.events)?,
                    Output::Table => println!("{}", channels.events.join(", ")),
                }
                Ok(ChannelsDone::Clean)
            }
            Some(list) => {
                let events: Vec<String> = list
                    .split(',')
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_owned)
                    .collect();
                save(
                    console,
                    target,
                    vec![ChannelEdit::SetEvents { events }],
                    Vec::new(),
                    *yes,
                    out,
                )
                .await
            }
        },
        ChannelsCommand::Test {
            name,
            kind,
            via,
            send_to,
            secret,
            telegram_api,
        } => {
            let (kind, _) = find(console, target, name, *kind).await?;
            let notifications = console.notifications();
            let result = match via {
                Via::Deployment => {
                    if !secret.is_empty() {
                        return Err("--secret is for --via desktop: the deployment tests with the secrets it holds".into());
                    }
                    notifications
                        .test_through_deployment(target, kind, name, send_to.as_deref())
                        .await?
                }
                Via::Desktop => {
                    let typed = secrets(secret, kind, name)?;
                    notifications
                        .test_from_desktop(
                            target,
                            &DesktopTest {
                                kind,
                                name: name.clone(),
                                edits: Vec::new(),
                                secrets: typed,
                                send_to: send_to.clone(),
                                telegram_api: telegram_api.clone(),
                                entra_authority: None,
                                graph_url: None,
                            },
                        )
                        .await?
                }
            };
            print_test(&result, out)
        }
    }
}
