//! `clooctl`: administer Cloosphere deployments from the command line.
//!
//! Exit codes: 0 success, 2 error (cli-conventions.md).

mod args;
mod output;

use args::{Cli, Command, Output, TenantAdd, TenantCommand, UsersCommand};
use clap::Parser;
use cloo_console::{AddTenantRequest, AuthInput, Console, Credential, DirectTarget, Target};
use cloo_domain::{Role, Secret, UserQuery};
use cloo_store::OsKeychain;
use output::{format_time, print_json, table};
use std::io::{BufRead, IsTerminal, Write};
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
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_ERROR)
}

async fn run(cli: Cli) -> Result<(), String> {
    let console = Console::open(cli.data_dir.as_deref(), Arc::new(OsKeychain::from_env()))
        .await
        .map_err(|e| e.to_string())?;
    let result = dispatch(&console, &cli).await;
    console.store().close().await;
    result
}

async fn dispatch(console: &Console, cli: &Cli) -> Result<(), String> {
    let out = cli.output;
    match &cli.command {
        Command::Tenant(TenantCommand::Add(add)) => tenant_add(console, add, out).await,
        Command::Tenant(TenantCommand::List) => tenant_list(console, out).await,
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
        Command::Users(UsersCommand::List { search, role }) => {
            users_list(console, cli, search, role).await
        }
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

/// Reads one secret line from stdin; without echo when stdin is a terminal.
fn read_secret(prompt: &str) -> Result<Secret, String> {
    let stdin = std::io::stdin();
    let value = if stdin.is_terminal() {
        rpassword::prompt_password(prompt)
            .map_err(|e| format!("cannot read from the terminal: {e}"))?
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if value.is_empty() {
        return Err("nothing was read from stdin".into());
    }
    Ok(Secret::new(value))
}

/// Asks for confirmation in a terminal; without one, `--yes` is required.
fn confirm(question: &str, yes: bool) -> Result<(), String> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err("stdin is not a terminal: pass --yes to confirm".into());
    }
    eprint!("{question} [y/N] ");
    std::io::stderr().flush().map_err(|e| e.to_string())?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err("cancelled".into())
    }
}

async fn tenant_add(console: &Console, add: &TenantAdd, out: Output) -> Result<(), String> {
    let auth = match (&add.email, add.password_stdin, add.api_key_stdin) {
        (Some(email), true, false) => AuthInput::Password {
            email: email.clone(),
            password: read_secret("Password: ")?,
        },
        (None, false, true) => AuthInput::ApiKey {
            api_key: read_secret("API key: ")?,
        },
        _ => return Err("give either --email E --password-stdin, or --api-key-stdin".into()),
    };
    let ca_pem = match &add.ca_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        ),
        None => None,
    };
    let request = AddTenantRequest {
        name: add.name.clone(),
        url: add.url.clone(),
        auth,
        read_only: add.read_only,
        ca_pem,
    };
    let tenant = console
        .add_tenant(&request)
        .await
        .map_err(|e| e.to_string())?;
    match out {
        Output::Json => print_json(&tenant),
        Output::Table => {
            let current = if tenant.current { " (now current)" } else { "" };
            println!("added {} at {}{current}", tenant.name, tenant.base_url);
            Ok(())
        }
    }
}

async fn tenant_list(console: &Console, out: Output) -> Result<(), String> {
    let tenants = console.tenants().await.map_err(|e| e.to_string())?;
    match out {
        Output::Json => print_json(&tenants),
        Output::Table => {
            let rows: Vec<Vec<String>> = tenants
                .iter()
                .map(|t| {
                    vec![
                        if t.current { "*".into() } else { String::new() },
                        t.name.clone(),
                        t.base_url.clone(),
                        t.account.clone().unwrap_or_else(|| "(API key)".into()),
                        if t.read_only {
                            "read-only".into()
                        } else {
                            String::new()
                        },
                        t.last_used_at
                            .map(format_time)
                            .unwrap_or_else(|| "never".into()),
                    ]
                })
                .collect();
            print!(
                "{}",
                table(&["", "NAME", "URL", "ACCOUNT", "MODE", "LAST USED"], &rows)
            );
            Ok(())
        }
    }
}

async fn users_list(
    console: &Console,
    cli: &Cli,
    search: &Option<String>,
    role: &Option<String>,
) -> Result<(), String> {
    let role = match role {
        Some(r) => Some(
            Role::parse_assignable(r)
                .map_err(|e| e.to_string())?
                .to_string(),
        ),
        None => None,
    };
    let query = UserQuery {
        search: search.clone().unwrap_or_default(),
        role,
        ..UserQuery::default()
    };
    let users = console
        .list_users(&target(cli)?, &query)
        .await
        .map_err(|e| e.to_string())?;
    match cli.output {
        Output::Json => print_json(&users),
        Output::Table => {
            let rows: Vec<Vec<String>> = users
                .iter()
                .map(|u| {
                    vec![
                        u.name.clone(),
                        u.email.clone(),
                        u.role.to_string(),
                        format_time(u.last_active_at),
                        format_time(u.created_at),
                    ]
                })
                .collect();
            print!(
                "{}",
                table(&["NAME", "EMAIL", "ROLE", "LAST ACTIVE", "JOINED"], &rows)
            );
            Ok(())
        }
    }
}
