//! The Cloosphere Admin Console desktop app.
//!
//! Each command only translates between IPC and `cloo_console::Console`; every rule lives there.
//! Options: `--sandbox` opens the app on an in-process demo deployment; `--data-dir DIR` (or
//! `CLOOCTL_DATA_DIR`) says where the local store lives.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use cloo_console::{
    AddTenantRequest, ConnectionReport, Console, ErrorView, RemovedTenant, StartupState, Target,
    TenantView, UserPage, UsersPageRequest, WhoAmI,
};
use cloo_store::OsKeychain;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use tauri::{RunEvent, State};

/// What the shell holds: the console and how it was started.
struct Shell {
    console: Arc<Console>,
    open_sandbox: bool,
    started: Instant,
}

type Reply<T> = Result<T, ErrorView>;

#[tauri::command]
async fn startup(shell: State<'_, Shell>) -> Reply<StartupState> {
    let state = shell.console.startup(shell.open_sandbox).await?;
    tracing::info!(
        elapsed_ms = shell.started.elapsed().as_millis() as u64,
        "first screen ready"
    );
    Ok(state)
}

#[tauri::command]
async fn list_tenants(shell: State<'_, Shell>) -> Reply<Vec<TenantView>> {
    Ok(shell.console.tenants().await?)
}

#[tauri::command]
async fn test_connection(
    shell: State<'_, Shell>,
    request: AddTenantRequest,
) -> Reply<ConnectionReport> {
    Ok(shell.console.test_connection(&request).await?)
}

#[tauri::command]
async fn add_tenant(shell: State<'_, Shell>, request: AddTenantRequest) -> Reply<TenantView> {
    Ok(shell.console.add_tenant(&request).await?)
}

#[tauri::command]
async fn remove_tenant(shell: State<'_, Shell>, name: String) -> Reply<RemovedTenant> {
    Ok(shell.console.remove_tenant(&name).await?)
}

#[tauri::command]
async fn open_local_sandbox(shell: State<'_, Shell>) -> Reply<TenantView> {
    Ok(shell.console.open_local_sandbox().await?)
}

#[tauri::command]
async fn whoami(shell: State<'_, Shell>, tenant: String) -> Reply<WhoAmI> {
    Ok(shell.console.whoami(&Target::Tenant(tenant)).await?)
}

#[tauri::command]
async fn users_page(shell: State<'_, Shell>, request: UsersPageRequest) -> Reply<UserPage> {
    let target = Target::Tenant(request.tenant);
    Ok(shell
        .console
        .users_page(&target, &request.query, request.refresh)
        .await?)
}

/// Command-line options of the app.
struct Options {
    open_sandbox: bool,
    data_dir: Option<PathBuf>,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        open_sandbox: false,
        data_dir: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--sandbox" => options.open_sandbox = true,
            "--data-dir" => {
                let dir = args.next().ok_or("--data-dir needs a folder")?;
                options.data_dir = Some(PathBuf::from(dir));
            }
            other if other.starts_with("--data-dir=") => {
                options.data_dir = Some(PathBuf::from(&other["--data-dir=".len()..]));
            }
            "--help" | "-h" => {
                println!("cloosphere-console [--sandbox] [--data-dir DIR]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown option {other:?} (try --help)")),
        }
    }
    Ok(options)
}

fn main() {
    let started = Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CONSOLE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    if let Err(message) = run(started) {
        eprintln!("error: {message}");
        std::process::exit(2);
    }
}

fn run(started: Instant) -> Result<(), String> {
    let options = parse_options()?;
    let console = tauri::async_runtime::block_on(Console::open(
        options.data_dir.as_deref(),
        Arc::new(OsKeychain::from_env()),
    ))
    .map_err(|e| e.to_string())?;
    let console = Arc::new(console);
    let app = tauri::Builder::default()
        .manage(Shell {
            console: console.clone(),
            open_sandbox: options.open_sandbox,
            started,
        })
        .invoke_handler(tauri::generate_handler![
            startup,
            list_tenants,
            test_connection,
            add_tenant,
            remove_tenant,
            open_local_sandbox,
            whoami,
            users_page
        ])
        .build(tauri::generate_context!())
        .map_err(|e| format!("the window could not be created: {e}"))?;
    app.run(move |_, event| {
        if let RunEvent::Exit = event {
            tauri::async_runtime::block_on(async {
                console.close_local_sandbox().await;
                console.store().close().await;
            });
        }
    });
    Ok(())
}
