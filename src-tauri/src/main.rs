//! The Cloosphere Admin Console desktop app.
//!
//! Each command only translates between IPC and `cloo_console::Console`; every rule lives there.
//! Options: `--sandbox` opens the app on an in-process demo deployment; `--data-dir DIR` (or
//! `CLOOCTL_DATA_DIR`) says where the local store lives.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod sandbox;

use cloo_console::Console;
use cloo_store::OsKeychain;
use commands::Shell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tauri::RunEvent;

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

/// While the app runs, sends the Service Requests that are due (also those queued before a
/// restart) once a minute, the first shortly after start.
async fn outbox_worker(console: Arc<Console>) {
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    loop {
        let sr = console.service_requests();
        match sr
            .deliver_due(None, cloo_console::service_requests::now())
            .await
        {
            Ok(done) if !done.is_empty() => {
                tracing::info!(attempted = done.len(), "service request outbox");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "service request outbox"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
}

/// While the app runs, looks for new open inquiries of the current tenant at the interval the
/// admin set (0: never) and shows a desktop notification for them; each is announced once,
/// also across restarts, and a first look does not announce the backlog.
async fn inquiry_watch(console: Arc<Console>, app: tauri::AppHandle) {
    use tauri_plugin_notification::NotificationExt;
    tokio::time::sleep(std::time::Duration::from_secs(10)).await;
    loop {
        let inquiries = console.inquiries();
        let seconds = inquiries.poll_seconds().await.unwrap_or(120);
        if seconds > 0 {
            let target = cloo_console::Target::Current;
            match inquiries.new_open_notice(&target).await {
                Ok(Some(notice)) => {
                    let shown = app
                        .notification()
                        .builder()
                        .title(&notice.title)
                        .body(&notice.body)
                        .show();
                    if let Err(e) = shown {
                        tracing::warn!(error = %e, "desktop notification");
                    }
                    tracing::info!(new = notice.count, "new inquiries");
                }
                Ok(None) => {}
                Err(e) => tracing::debug!(error = %e, "inquiry watch"),
            }
        }
        tokio::time::sleep(std::time::Duration::from_secs(seconds.max(15))).await;
    }
}

fn run(started: Instant) -> Result<(), String> {
    let options = parse_options()?;
    let console = tauri::async_runtime::block_on(Console::open(
        options.data_dir.as_deref(),
        Arc::new(OsKeychain::from_env()),
    ))
    .map_err(|e| e.to_string())?
    .with_local_sandbox(Arc::new(sandbox::DemoSandbox::default()));
    let console = Arc::new(console);
    tauri::async_runtime::spawn(outbox_worker(console.clone()));
    let watched = console.clone();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            tauri::async_runtime::spawn(inquiry_watch(watched.clone(), app.handle().clone()));
            Ok(())
        })
        .manage(Shell {
            console: console.clone(),
            open_sandbox: options.open_sandbox,
            started,
            operations: Mutex::new(HashMap::new()),
        })
        .invoke_handler(commands::registry::handler())
        .build(tauri::generate_context!())
        .map_err(|e| format!("the window could not be created: {e}"))?;
    app.run(move |_, event| {
        if let RunEvent::Exit = event {
            tauri::async_runtime::block_on(console.close());
        }
    });
    Ok(())
}
