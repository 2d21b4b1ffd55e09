//! `tenant …`: add, list, use, edit, remove.

use crate::args::{Output, TenantAdd, TenantEdit};
use crate::error::{CliError, CliResult};
use crate::input::{confirm, read_secret};
use crate::output::{format_time, print_json, table};
use cloo_console::Console;
use cloo_console::tenants::{AddTenantRequest, AuthInput, EditTenantRequest, TenantView};
use std::path::Path;

fn read_ca(path: &Path) -> CliResult<String> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::Input(format!("cannot read {}: {e}", path.display())))
}

fn show(out: Output, tenant: &TenantView, line: &str) -> CliResult<()> {
    match out {
        Output::Json => print_json(tenant),
        Output::Table => {
            println!("{line}");
            Ok(())
        }
    }
}

pub async fn add(console: &Console, add: &TenantAdd, out: Output) -> CliResult<()> {
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
    let ca_pem = add.ca_file.as_deref().map(read_ca).transpose()?;
    let request = AddTenantRequest {
        name: add.name.clone(),
        url: add.url.clone(),
        auth,
        read_only: add.read_only,
        ca_pem,
    };
    let tenant = console.tenants().add(&request).await?;
    let current = if tenant.current { " (now current)" } else { "" };
    show(
        out,
        &tenant,
        &format!("added {} at {}{current}", tenant.name, tenant.base_url),
    )
}

pub async fn edit(console: &Console, edit: &TenantEdit, out: Output) -> CliResult<()> {
    let tenants = console.tenants();
    let auth = match (&edit.email, edit.password_stdin, edit.api_key_stdin) {
        (_, true, _) => {
            let email = match &edit.email {
                Some(e) => e.clone(),
                None => tenants
                    .list()
                    .await?
                    .into_iter()
                    .find(|t| t.name.eq_ignore_ascii_case(&edit.name) || t.id == edit.name)
                    .and_then(|t| t.account)
                    .ok_or_else(|| {
                        CliError::Input(
                            "this tenant signs in with an API key: give --email with --password-stdin".into(),
                        )
                    })?,
            };
            Some(AuthInput::Password {
                email,
                password: read_secret("Password: ")?,
            })
        }
        (_, false, true) => Some(AuthInput::ApiKey {
            api_key: read_secret("API key: ")?,
        }),
        _ => None,
    };
    let ca_pem = match (&edit.ca_file, edit.no_ca) {
        (Some(path), _) => Some(read_ca(path)?),
        (None, true) => Some(String::new()),
        (None, false) => None,
    };
    let request = EditTenantRequest {
        name: edit.new_name.clone(),
        colour: edit.colour.clone(),
        read_only: edit.read_only.as_deref().map(|v| v == "on"),
        url: edit.url.clone(),
        auth,
        ca_pem,
    };
    let tenant = tenants.edit(&edit.name, &request).await?;
    show(
        out,
        &tenant,
        &format!(
            "{} at {}, colour {}{}",
            tenant.name,
            tenant.base_url,
            tenant.colour,
            if tenant.read_only { ", read-only" } else { "" }
        ),
    )
}

pub async fn list(console: &Console, out: Output) -> CliResult<()> {
    let tenants = console.tenants().list().await?;
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

pub async fn select(console: &Console, name: &str, out: Output) -> CliResult<()> {
    let t = console.tenants().select(name).await?;
    show(out, &t, &format!("now using {} ({})", t.name, t.base_url))
}

pub async fn remove(console: &Console, name: &str, yes: bool, out: Output) -> CliResult<()> {
    confirm(
        &format!("Remove tenant {name} and erase its secrets from the keychain?"),
        yes,
    )?;
    let removed = console.tenants().remove(name).await?;
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
