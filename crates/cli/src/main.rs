//! `clooctl`: administer Cloosphere deployments from the command line.
//!
//! Exit codes: 0 success, 2 error (cli-conventions.md).

mod args;
mod cmd_groups;
mod cmd_import;
mod cmd_orgs;
mod cmd_tenant;
mod cmd_users;
mod input;
mod output;

use args::{Cli, Command, Output, TenantCommand};
use clap::Parser;
use cloo_console::{Console, Credential, DirectTarget, Target};
use cloo_domain::Secret;
use cloo_store::OsKeychain;
use input::confirm;
use output::print_json;
use std::process::ExitCode;
use std::sync::Arc;

/// Exit code for every error.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    if std::env::var_os("CLOOCTL_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_env("CLOOCTL_LOG"))
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start: {e}")),
    };
    match runtime.block_on(run(cli)) {
        Ok(Done::Success) => ExitCode::SUCCESS,
        Ok(Done::Changes) => ExitCode::from(cmd_import::EXIT_CHANGES),
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_ERROR)
}

/// How a command ended well.
enum Done {
    /// Exit 0.
    Success,
    /// A plan with changes: exit 1.
    Changes,
}

async fn run(cli: Cli) -> Result<Done, String> {
    let console = Console::open(cli.data_dir.as_deref(), Arc::new(OsKeychain::from_env()))
        .await
        .map_err(|e| e.to_string())?;
    let result = dispatch(&console, &cli).await;
    console.store().close().await;
    result
}

async fn dispatch(console: &Console, cli: &Cli) -> Result<Done, String> {
    let out = cli.output;
    if let Command::Users(args::UsersCommand::Import(import)) = &cli.command {
        let changes = cmd_import::run(console, &target(cli)?, import, out).await?;
        return Ok(if changes {
            Done::Changes
        } else {
            Done::Success
        });
    }
    if let Command::Orgs(command) = &cli.command {
        let target = target(cli)?;
        return Ok(match cmd_orgs::run(console, &target, command, out).await? {
            cmd_orgs::OrgsDone::Clean => Done::Success,
            cmd_orgs::OrgsDone::Findings => Done::Changes,
        });
    }
    dispatch_simple(console, cli).await.map(|()| Done::Success)
}

async fn dispatch_simple(console: &Console, cli: &Cli) -> Result<(), String> {
    let out = cli.output;
    match &cli.command {
        Command::Tenant(TenantCommand::Add(add)) => cmd_tenant::add(console, add, out).await,
        Command::Tenant(TenantCommand::List) => cmd_tenant::list(console, out).await,
        Command::Tenant(TenantCommand::Use { name }) => {
            let t = console.use_tenant(name).await.map_err(|e| e.to_string())?;
            match out {
                Output::Json => print_json(&t),
                Output::Table => {
                    println!("now using {} ({})", t.name, t.base_url);
                    Ok(())
                }
            }
        }
        Command::Tenant(TenantCommand::Remove { name, yes }) => {
            confirm(
                &format!("Remove tenant {name} and erase its secrets from the keychain?"),
                *yes,
            )?;
            let removed = console
                .remove_tenant(name)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(warning) = &removed.keychain_warning {
                eprintln!("warning: {warning}");
            }
            match out {
                Output::Json => print_json(&removed),
                Output::Table => {
                    println!("removed {}", removed.name);
                    Ok(())
                }
            }
        }
        Command::Whoami => {
            let me = console
                .whoami(&target(cli)?)
                .await
                .map_err(|e| e.to_string())?;
            match out {
                Output::Json => print_json(&me),
                Output::Table => {
                    let version = me.server_version.as_deref().unwrap_or("unknown");
                    println!(
                        "{} <{}>, role {}, on {} (server {version})",
                        me.name, me.email, me.role, me.base_url
                    );
                    Ok(())
                }
            }
        }
        Command::Users(command) => cmd_users::run(console, &target(cli)?, command, out).await,
        Command::Groups(command) => cmd_groups::groups(console, &target(cli)?, command, out).await,
        Command::Defaults(command) => {
            cmd_groups::defaults(console, &target(cli)?, command, out).await
        }
        Command::Sa(command) => cmd_groups::sa(console, &target(cli)?, command, out).await,
        Command::Orgs(_) => Err("internal error: orgs commands are dispatched earlier".into()),
    }
}

/// The deployment to act on: `--tenant`/`CLOOCTL_TENANT`, else the environment's
/// `CLOOSPHERE_URL` with its credential, else the current tenant.
fn target(cli: &Cli) -> Result<Target, String> {
    if let Some(name) = &cli.tenant {
        return Ok(Target::Tenant(name.clone()));
    }
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let Some(url) = env("CLOOSPHERE_URL") else {
        return Ok(Target::Current);
    };
    let credential = match (
        env("CLOOSPHERE_API_KEY"),
        env("CLOOSPHERE_EMAIL"),
        env("CLOOSPHERE_PASSWORD"),
    ) {
        (Some(key), _, _) => Credential::ApiKey(Secret::new(key)),
        (None, Some(email), Some(password)) => Credential::Password {
            email,
            password: Secret::new(password),
        },
        _ => {
            return Err(
                "CLOOSPHERE_URL is set without a credential: set CLOOSPHERE_API_KEY, or CLOOSPHERE_EMAIL and CLOOSPHERE_PASSWORD"
                    .into(),
            );
        }
    };
    Ok(Target::Direct(DirectTarget {
        url,
        credential,
        ca_pem: None,
    }))
}
