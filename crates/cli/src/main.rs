//! `clooctl`: administer Cloosphere deployments from the command line.
//!
//! Exit codes (cli-conventions.md): 0 success; 1 a plan with changes or a file with problems
//! (`doctor`: warnings); 2 error (`doctor`: failures); 3 a safety guard refused the change before
//! anything was written. With `-o json` an
//! error is one JSON object on stderr: `{"error": {"code", "message", …}}`.

mod args;
mod cmd_audit;
mod cmd_channels;
mod cmd_entra;
mod cmd_groups;
mod cmd_import;
mod cmd_inquiries;
mod cmd_journal;
mod cmd_orgs;
mod cmd_pipelines;
mod cmd_secret;
mod cmd_settings;
mod cmd_settings_wipe;
mod cmd_sr;
mod cmd_tenant;
mod cmd_users;
mod error;
mod input;
mod output;
mod progress;

use args::{Cli, Command, Output, TenantCommand};
use clap::Parser;
use cloo_console::tenants::CheckStatus;
use cloo_console::{Console, Credential, DirectTarget, Target};
use cloo_domain::Secret;
use cloo_store::OsKeychain;
use error::{CliError, CliResult, EXIT_ERROR};
use output::print_json;
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    if std::env::var_os("CLOOCTL_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_env("CLOOCTL_LOG"))
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
    let cli = Cli::parse();
    let json = cli.output() == Output::Json;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(Done::Success) => ExitCode::SUCCESS,
        Ok(Done::Changes) => ExitCode::from(cmd_import::EXIT_CHANGES),
        Ok(Done::Failures) => ExitCode::from(EXIT_ERROR),
        Err(e) => e.report(json),
    }
}

/// How a command ended well.
pub(crate) enum Done {
    /// Exit 0.
    Success,
    /// A plan with changes, or findings: exit 1.
    Changes,
    /// A report that found failures (`doctor`): exit 2, the report already printed.
    Failures,
}

async fn run(cli: Cli) -> CliResult<Done> {
    let console = Console::open(cli.data_dir.as_deref(), Arc::new(OsKeychain::from_env())).await?;
    let result = dispatch(&console, &cli).await;
    console.close().await;
    result
}

async fn dispatch(console: &Console, cli: &Cli) -> CliResult<Done> {
    let out = cli.output();
    let exporting = matches!(
        &cli.command,
        Command::Settings(args::SettingsCommand::Export { .. })
    );
    if cli.format == args::OutputFormat::Yaml && !exporting {
        return Err(CliError::Input(
            "-o yaml writes settings documents (settings export); use -o json here".into(),
        ));
    }
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
    if let Command::Entra(command) = &cli.command {
        let target = target(cli)?;
        return Ok(
            match cmd_entra::run(console, &target, command, out).await? {
                cmd_orgs::OrgsDone::Clean => Done::Success,
                cmd_orgs::OrgsDone::Findings => Done::Changes,
            },
        );
    }
    if let Command::Settings(command) = &cli.command {
        let target = target(cli)?;
        return Ok(
            match cmd_settings::run(console, &target, command, out, cli.format).await? {
                cmd_orgs::OrgsDone::Clean => Done::Success,
                cmd_orgs::OrgsDone::Findings => Done::Changes,
            },
        );
    }
    if let Command::Channels(command) = &cli.command {
        return Ok(
            match cmd_channels::run(console, &target(cli)?, command, out).await? {
                cmd_channels::ChannelsDone::Clean => Done::Success,
                cmd_channels::ChannelsDone::TestFailed => Done::Failures,
            },
        );
    }
    if let Command::Secret(command) = &cli.command {
        return cmd_secret::run(console, command, out).await;
    }
    if let Command::Doctor = &cli.command {
        let report = console.tenants().doctor(&target(cli)?).await?;
        output::print_doctor(&report, out)?;
        return Ok(match report.worst() {
            CheckStatus::Ok | CheckStatus::Info => Done::Success,
            CheckStatus::Warn => Done::Changes,
            CheckStatus::Fail => Done::Failures,
        });
    }
    dispatch_simple(console, cli).await.map(|()| Done::Success)
}

async fn dispatch_simple(console: &Console, cli: &Cli) -> CliResult<()> {
    let out = cli.output();
    match &cli.command {
        Command::Tenant(TenantCommand::Add(add)) => cmd_tenant::add(console, add, out).await,
        Command::Tenant(TenantCommand::Edit(edit)) => cmd_tenant::edit(console, edit, out).await,
        Command::Tenant(TenantCommand::List) => cmd_tenant::list(console, out).await,
        Command::Tenant(TenantCommand::Use { name }) => {
            cmd_tenant::select(console, name, out).await
        }
        Command::Tenant(TenantCommand::Remove { name, yes }) => {
            cmd_tenant::remove(console, name, *yes, out).await
        }
        Command::Whoami => {
            let me = console.tenants().whoami(&target(cli)?).await?;
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
        Command::Journal(command) => {
            cmd_journal::run(console, cli.tenant.as_deref(), command, out).await
        }
        Command::Sr(command) => cmd_sr::run(console, &target(cli)?, command, out).await,
        Command::Audit(command) => cmd_audit::run(console, &target(cli)?, command, out).await,
        Command::Inquiries(command) => {
            cmd_inquiries::run(console, &target(cli)?, command, out).await
        }
        Command::Orgs(_)
        | Command::Channels(_)
        | Command::Entra(_)
        | Command::Settings(_)
        | Command::Secret(_)
        | Command::Doctor => Err(CliError::Input(
            "internal error: this command is dispatched earlier".into(),
        )),
    }
}

/// The deployment to act on: `--tenant`/`CLOOCTL_TENANT`, else the environment's
/// `CLOOSPHERE_URL` with its credential, else the current tenant.
fn target(cli: &Cli) -> CliResult<Target> {
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
