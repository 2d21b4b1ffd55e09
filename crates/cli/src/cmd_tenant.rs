//! `tenant …`, `whoami`.

use crate::args::{Output, TenantAdd};
use crate::input::read_secret;
use crate::output::{format_time, print_json, table};
use cloo_console::{AddTenantRequest, AuthInput, Console};

pub async fn add(console: &Console, add: &TenantAdd, out: Output) -> Result<(), String> {
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

pub async fn list(console: &Console, out: Output) -> Result<(), String> {
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
