//! `entra …`: the Microsoft sign-in profile, plans read from Graph, their apply, `sync` for
//! schedulers, and the history. The rules are the console's; this file only reads arguments
//! and prints.

use crate::args::{
    EntraCommand, EntraMode, EntraOptions, EntraPlanArgs, EntraProfileCommand, EntraProfileSet,
    Output,
};
use crate::cmd_orgs::{OrgsDone, plan_id_of, plan_json, print_apply_report, print_plan};
use crate::error::{CliError, CliResult};
use crate::input::{read_secret, read_secret_text};
use crate::output::{format_time, print_json, table};
use crate::progress::Watch;
use cloo_console::entra::{EntraPlan, EntraPlanRequest, ProfileInput, SignInInput};
use cloo_console::{Console, Target};
use cloo_entra::build::{BuildMode, BuildOptions};
use cloo_entra::{Cloud, DeviceCodePrompt};
use std::sync::Arc;

/// Runs an `entra` command; `Findings` when a plan has changes.
pub async fn run(
    console: &Console,
    target: &Target,
    command: &EntraCommand,
    out: Output,
) -> CliResult<OrgsDone> {
    let entra = console.entra();
    match command {
        EntraCommand::Profile(EntraProfileCommand::Set(set)) => {
            let view = entra
                .set_profile(target, profile_input(console, target, set).await?)
                .await?;
            print_profile(&view, out)?;
            Ok(OrgsDone::Clean)
        }
        EntraCommand::Profile(EntraProfileCommand::Show) => {
            print_profile(&entra.get_profile(target).await?, out)?;
            Ok(OrgsDone::Clean)
        }
        EntraCommand::Test => {
            let watch = Watch::start();
            let report = entra
                .test(target, &watch.observer, Some(device_prompt()))
                .await;
            drop(watch);
            let report = report?;
            match out {
                Output::Json => print_json(&report)?,
                Output::Table => println!(
                    "signed in to Microsoft ({}): {} ({}), domains {}",
                    report.method,
                    report.display_name.as_deref().unwrap_or("unnamed"),
                    report.tenant_id,
                    report.domains.join(", ")
                ),
            }
            Ok(OrgsDone::Clean)
        }
        EntraCommand::Plan(args) => {
            let plan = plan(console, target, args, false, out).await?;
            Ok(if plan.document.plan.has_changes() {
                OrgsDone::Findings
            } else {
                OrgsDone::Clean
            })
        }
        EntraCommand::Apply {
            plan,
            allow_deletes,
            path,
        } => {
            let plan_id = plan_id_of(console, plan).await?;
            let watch = Watch::start();
            let report = entra
                .apply(
                    target,
                    &plan_id,
                    *allow_deletes,
                    path.path(),
                    &watch.observer,
                )
                .await;
            drop(watch);
            print_apply_report(&report?, out)
        }
        EntraCommand::Sync {
            plan: args,
            allow_deletes,
            path,
        } => {
            let planned = plan(console, target, args, true, out).await?;
            if !planned.document.plan.has_changes() {
                if out == Output::Table {
                    println!("nothing to apply: the deployment already matches Entra ID");
                }
                return Ok(OrgsDone::Clean);
            }
            let watch = Watch::start();
            let report = entra
                .apply(
                    target,
                    &planned.document.id,
                    *allow_deletes,
                    path.path(),
                    &watch.observer,
                )
                .await;
            drop(watch);
            print_apply_report(&report?, out).map(|_| OrgsDone::Clean)
        }
        EntraCommand::History { limit } => {
            let runs = entra.list_history(target, *limit).await?;
            match out {
                Output::Json => print_json(&runs)?,
                Output::Table => {
                    let rows: Vec<Vec<String>> = runs
                        .iter()
                        .map(|r| {
                            let g = &r.figures["graph"];
                            vec![
                                format_time(r.started_at / 1000),
                                r.action.clone(),
                                r.mode.clone(),
                                r.method.clone(),
                                r.outcome.clone(),
                                format!("{} ms", r.duration_ms),
                                g["requests"]
                                    .as_u64()
                                    .map(|n| n.to_string())
                                    .unwrap_or_default(),
                                g["throttled"]
                                    .as_u64()
                                    .map(|n| n.to_string())
                                    .unwrap_or_default(),
                                r.plan_id.clone().unwrap_or_default(),
                                r.actor.clone(),
                            ]
                        })
                        .collect();
                    table(
                        &[
                            "WHEN",
                            "ACTION",
                            "MODE",
                            "SIGN-IN",
                            "OUTCOME",
                            "TOOK",
                            "REQUESTS",
                            "THROTTLED",
                            "PLAN",
                            "BY",
                        ],
                        &rows,
                    );
                }
            }
            Ok(OrgsDone::Clean)
        }
    }
}

/// Shows the device code on stderr (stdout stays the command's output).
fn device_prompt() -> DeviceCodePrompt {
    Arc::new(|m| {
        eprintln!(
            "{}",
            if m.message.is_empty() {
                format!(
                    "open {} and enter the code {}",
                    m.verification_uri, m.user_code
                )
            } else {
                m.message.clone()
            }
        )
    })
}

fn options(given: &EntraOptions, base: BuildOptions) -> BuildOptions {
    BuildOptions {
        admin_units: given
            .admin_units
            .map(|s| s.on())
            .unwrap_or(base.admin_units),
        groups: given.groups.map(|s| s.on()).unwrap_or(base.groups),
        departments: given
            .departments
            .map(|s| s.on())
            .unwrap_or(base.departments),
        group_filter: given.group_filter.clone().or(base.group_filter),
        include_guests: given.include_guests || base.include_guests,
        include_disabled: given.include_disabled || base.include_disabled,
    }
}

async fn profile_input(
    console: &Console,
    target: &Target,
    set: &EntraProfileSet,
) -> CliResult<ProfileInput> {
    let sign_in = if set.client_secret_stdin {
        SignInInput::ClientSecret(read_secret("client secret: ")?)
    } else if let Some(path) = &set.certificate {
        let certificate_pem = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        SignInInput::Certificate {
            certificate_pem,
            private_key_pem: read_secret_text("private key (PEM)")?,
        }
    } else {
        SignInInput::DeviceCode
    };
    let cloud = match &set.cloud {
        Some(name) => Some(Cloud::parse(name).ok_or_else(|| {
            format!("unknown cloud {name:?}: use global, us-government or china")
        })?),
        None => None,
    };
    // Options not given keep what the profile had (or the server's defaults).
    let base = match console.entra().get_profile(target).await {
        Ok(p) => BuildOptions {
            admin_units: p.admin_units,
            groups: p.groups,
            departments: p.departments,
            group_filter: p.group_filter,
            ..BuildOptions::default()
        },
        Err(_) => BuildOptions::default(),
    };
    Ok(ProfileInput {
        entra_tenant: set.tenant_id.clone(),
        client_id: set.client_id.clone(),
        sign_in,
        authority: set
            .authority
            .clone()
            .or(cloud.map(|c| c.authority().to_owned())),
        graph_url: set
            .graph_url
            .clone()
            .or(cloud.map(|c| c.graph().to_owned())),
        options: options(&set.options, base),
    })
}

fn print_profile(p: &cloo_console::entra::EntraProfileView, out: Output) -> CliResult<()> {
    if out == Output::Json {
        return print_json(p);
    }
    println!("Entra tenant   {}", p.entra_tenant);
    println!("client id      {}", p.client_id);
    println!(
        "sign-in        {}{}",
        p.method,
        match (p.method.as_str(), p.secret_kept) {
            ("device_code", _) => " (nothing stored)".to_owned(),
            (_, true) => " (kept in the OS keychain)".to_owned(),
            (_, false) => " (MISSING from the keychain: set the profile again)".to_owned(),
        }
    );
    if let Some(t) = &p.certificate_thumbprint {
        println!("certificate    x5t#S256 {t}");
    }
    println!("authority      {}", p.authority);
    println!("graph          {}", p.graph_url);
    let on = |b: bool| if b { "on" } else { "off" };
    println!(
        "options        admin units {}, groups {}, departments {}{}",
        on(p.admin_units),
        on(p.groups),
        on(p.departments),
        p.group_filter
            .as_deref()
            .map(|f| format!(", group filter {f:?}"))
            .unwrap_or_default()
    );
    Ok(())
}

async fn plan(
    console: &Console,
    target: &Target,
    args: &EntraPlanArgs,
    unattended: bool,
    out: Output,
) -> CliResult<EntraPlan> {
    let profile = console.entra().get_profile(target).await?;
    let base = BuildOptions {
        admin_units: profile.admin_units,
        groups: profile.groups,
        departments: profile.departments,
        group_filter: profile.group_filter,
        ..BuildOptions::default()
    };
    let request = EntraPlanRequest {
        mode: match args.mode {
            EntraMode::Parity => BuildMode::Parity,
            EntraMode::Recommended => BuildMode::Recommended,
        },
        options: Some(options(&args.options, base)),
        concurrency: args.concurrency,
        unattended,
        full: args.full,
    };
    let watch = Watch::start();
    let planned = console
        .entra()
        .plan(target, &request, &watch.observer, Some(device_prompt()))
        .await;
    drop(watch);
    let planned = planned?;
    if let Some(path) = &args.out {
        let text = serde_json::to_vec_pretty(&planned.document)
            .map_err(|e| CliError::Input(e.to_string()))?;
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    print_entra_plan(&planned, out)?;
    Ok(planned)
}

fn print_entra_plan(planned: &EntraPlan, out: Output) -> CliResult<()> {
    if out == Output::Json {
        let mut value = plan_json(&planned.document)?;
        value["entra"] = serde_json::json!({
            "mode": planned.mode,
            "method": planned.method,
            "counts": planned.counts,
            "other_way": planned.other_way,
            "warnings": planned.warnings,
            "graph": planned.graph,
            "token_requests": planned.token_requests,
            "read": planned.read,
        });
        return print_json(&value);
    }
    print_plan(&planned.document, out)?;
    let c = &planned.counts;
    println!(
        "built the {} way from Entra ID: {} administrative unit(s), {} group(s), {} department(s); {} nested; members: {} matched to accounts, {} by e-mail only; left out: {} guest and {} disabled membership(s)",
        planned.mode,
        c.admin_units,
        c.groups,
        c.departments,
        c.nested,
        c.members_matched,
        c.members_by_email_only,
        c.guests_left_out,
        c.disabled_left_out
    );
    let d = &planned.other_way;
    println!(
        "the {} way would differ: {} unit(s) only here, {} only there, members differ in {}, member details in {}, parents in {}",
        d.other,
        d.only_here.len(),
        d.only_other.len(),
        d.members_differ,
        d.member_details_differ,
        d.parents_differ
    );
    for line in d.lines.iter().take(10) {
        println!("  {line}");
    }
    for w in &planned.warnings {
        println!("warning: {w}");
    }
    let r = &planned.read;
    match r.kind.as_str() {
        "delta" => println!(
            "read only the changes since the last run: {} user(s) changed, {} removed; {} group(s) changed, {} removed; {} membership change(s); {} administrative-unit change(s)",
            r.users_changed,
            r.users_removed,
            r.groups_changed,
            r.groups_removed,
            r.member_changes,
            r.admin_units_changed
        ),
        _ => println!(
            "read everything{}",
            r.full_because
                .as_deref()
                .map(|b| format!(" ({b})"))
                .unwrap_or_default()
        ),
    }
    if !r.read_in_full.is_empty() {
        println!(
            "this Graph refuses {}: what it tracks is read in full on every run",
            r.read_in_full.join(", ")
        );
    }
    let g = &planned.graph;
    println!(
        "Graph: {} request(s), {} page(s), {} object(s), {} throttled, {} retried ({} sign-in request(s))",
        g.requests, g.pages, g.objects, g.throttled, g.retried, planned.token_requests
    );
    Ok(())
}
