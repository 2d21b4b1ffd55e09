//! `clooctl sr …`: Service Requests to Cloocus — where they can go (`config`), the direct route
//! (`direct`: the central URL and the SR key from stdin), `submit`, the `outbox`, `retry` of
//! what is due, and `resolve` of a request that failed or may have arrived.

use crate::args::{Output, SrCommand, SrRouteArg};
use crate::error::{CliError, CliResult};
use crate::input::{confirm, read_secret};
use crate::output::print_json;
use cloo_console::service_requests::{OutboxItem, OutboxState, SrResolution};
use cloo_console::{Console, ErrorCode, Observer, Target};
use cloo_domain::service_request::{SrDraft, SrRoute};

fn route_word(route: SrRoute) -> &'static str {
    match route {
        SrRoute::Deployment => "through the deployment",
        SrRoute::Direct => "straight to Cloocus",
    }
}

fn state_word(state: OutboxState) -> &'static str {
    match state {
        OutboxState::Queued => "queued",
        OutboxState::Sending => "sending",
        OutboxState::Sent => "sent",
        OutboxState::Failed => "failed",
        OutboxState::Unknown => "unknown",
    }
}

fn print_items(items: &[OutboxItem], out: Output) -> CliResult<()> {
    match out {
        Output::Json => print_json(&items)?,
        Output::Table => {
            if items.is_empty() {
                println!("the outbox is empty");
            }
            for i in items {
                println!(
                    "{}  {:<8} {:<10} {:<24} {} ({}, {} attempt(s)){}",
                    i.id,
                    state_word(i.state),
                    i.tenant_name,
                    i.title,
                    route_word(i.route),
                    i.created_at,
                    i.attempts,
                    i.last_error
                        .as_deref()
                        .map(|e| format!(" — {e}"))
                        .unwrap_or_default()
                );
            }
        }
    }
    Ok(())
}

/// A request that needs the admin: exit 2 with the reason, the request printed first.
fn settled(item: OutboxItem, out: Output) -> CliResult<()> {
    match out {
        Output::Json => print_json(&item)?,
        Output::Table => {
            let when = match item.state {
                OutboxState::Sent => "delivered".to_owned(),
                OutboxState::Queued => format!(
                    "kept in the outbox; the next attempt is due at {} (clooctl sr retry)",
                    item.next_attempt_at
                ),
                _ => String::new(),
            };
            println!(
                "{} {}: {} {when}",
                item.id,
                state_word(item.state),
                route_word(item.route)
            );
            if let Some(e) = &item.last_error {
                println!("  {e}");
            }
        }
    }
    match item.state {
        OutboxState::Sent | OutboxState::Queued | OutboxState::Sending => Ok(()),
        OutboxState::Failed => Err(CliError::Coded(
            ErrorCode::Rejected,
            format!(
                "{} failed: {} (fix it, then clooctl sr resolve {} --send-again)",
                item.id,
                item.last_error.unwrap_or_default(),
                item.id
            ),
        )),
        OutboxState::Unknown => Err(CliError::Coded(
            ErrorCode::Interrupted,
            format!(
                "{} may or may not have arrived: {}; it is not sent again by itself (clooctl sr resolve {} --send-again or --mark-sent)",
                item.id,
                item.last_error.unwrap_or_default(),
                item.id
            ),
        )),
    }
}

/// Runs an `sr` command.
pub async fn run(
    console: &Console,
    target: &Target,
    command: &SrCommand,
    out: Output,
) -> CliResult<()> {
    let sr = console.service_requests();
    match command {
        SrCommand::Config => {
            let setup = sr.setup(target).await?;
            match out {
                Output::Json => print_json(&setup)?,
                Output::Table => {
                    match (setup.deployment_enabled, &setup.deployment_error) {
                        (Some(true), _) => println!("deployment: SR configured"),
                        (Some(false), _) => {
                            println!("deployment: no SR configured (SR_KEY and CLOOCUS_PUBLIC_URL)")
                        }
                        (None, Some(e)) => println!("deployment: cannot be asked ({})", e.message),
                        (None, None) => println!("deployment: cannot be asked"),
                    }
                    match (&setup.direct_url, setup.direct_key_filed) {
                        (Some(url), true) => println!("direct: {url} (SR key in the keychain)"),
                        (Some(url), false) => println!("direct: {url} (no SR key filed)"),
                        (None, _) => println!("direct: not set"),
                    }
                    match setup.route {
                        Some(r) => println!("a request goes {}", route_word(r)),
                        None => println!("a request cannot go anywhere yet"),
                    }
                    for t in &setup.types {
                        println!("  {}: {}", t.key, t.subtypes.join(", "));
                    }
                }
            }
            Ok(())
        }
        SrCommand::Direct {
            url,
            clear,
            key_stdin,
            yes,
        } => {
            if *clear {
                confirm(
                    "Forget the direct route and remove the SR key from the keychain?",
                    *yes,
                )?;
                sr.clear_direct(target, &Observer::quiet()).await?;
                println!("the direct route is cleared");
                return Ok(());
            }
            let url = url
                .as_deref()
                .ok_or("give --url (the central instance) with --key-stdin, or --clear")?;
            if !key_stdin {
                return Err("the SR key is read from stdin: pass --key-stdin".into());
            }
            let key = read_secret("SR key: ")?;
            let setup = sr.set_direct(target, url, &key, &Observer::quiet()).await?;
            match out {
                Output::Json => print_json(&setup)?,
                Output::Table => println!(
                    "direct route set: {} (the SR key is in the keychain)",
                    setup.direct_url.unwrap_or_default()
                ),
            }
            Ok(())
        }
        SrCommand::Submit {
            title,
            kind,
            subtype,
            content,
            via,
            yes,
        } => {
            let draft = SrDraft {
                title: title.clone(),
                kind: kind.clone(),
                subtype: subtype.clone(),
                content: content.clone(),
            };
            confirm(
                &format!("Send the Service Request {title:?} to Cloocus?"),
                *yes,
            )?;
            let route = via.map(|v| match v {
                SrRouteArg::Deployment => SrRoute::Deployment,
                SrRouteArg::Direct => SrRoute::Direct,
            });
            let item = sr.submit(target, &draft, route, &Observer::quiet()).await?;
            settled(item, out)
        }
        SrCommand::Outbox { all } => {
            let items = sr.outbox(if *all { None } else { Some(target) }).await?;
            print_items(&items, out)
        }
        SrCommand::Retry => {
            let items = sr
                .deliver_due(Some(target), cloo_console::service_requests::now())
                .await?;
            print_items(&items, out)?;
            Ok(())
        }
        SrCommand::Resolve {
            id,
            send_again,
            mark_sent,
        } => {
            let resolution = match (send_again, mark_sent) {
                (true, false) => SrResolution::SendAgain,
                (false, true) => SrResolution::MarkSent,
                _ => return Err("say --send-again or --mark-sent".into()),
            };
            let item = sr.resolve(target, id, resolution).await?;
            settled(item, out)
        }
    }
}
