//! `cloosphere-sandbox`: run a local Cloosphere-compatible deployment.

use clap::{Parser, ValueEnum};
use cloosphere_sandbox::{AdminAccount, SandboxOptions, Seed};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SeedArg {
    /// Only the admin account.
    None,
    /// The admin and about 200 demo people with English and Korean names.
    Demo,
}

/// A local deployment that answers like a real Cloosphere server, for demos, offline practice
/// and tests. It prints `listening:`, `admin:` and `password:` lines first.
#[derive(Debug, Parser)]
#[command(name = "cloosphere-sandbox", version)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// SQLite database file (default: in memory, gone at exit).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Data to add to an empty database.
    #[arg(long, value_enum, default_value_t = SeedArg::None)]
    seed: SeedArg,
    /// The admin's e-mail.
    #[arg(long, default_value = cloosphere_sandbox::DEMO_ADMIN_EMAIL)]
    admin_email: String,
    /// The admin's password (default: the fixed demo password).
    #[arg(long, default_value = cloosphere_sandbox::DEMO_PASSWORD)]
    admin_password: String,
    /// Session token lifetime in seconds (default: tokens never expire, as on the server). A
    /// negative value issues tokens that are already expired, as the server does for `-5m`.
    #[arg(long, allow_negative_numbers = true)]
    token_lifetime: Option<i64>,
    /// Also serve the test-only hooks under /_sandbox/ (fault injection). Never for a demo.
    #[arg(long)]
    test_hooks: bool,
    /// Microsoft Graph base for `POST /organizations/sync/msgraph` (version included).
    #[arg(long)]
    graph_url: Option<String>,
    /// This deployment's SR key (`SR_KEY`), for `POST /api/v1/sr/submit`.
    #[arg(long)]
    sr_key: Option<String>,
    /// The central instance SRs are forwarded to (`CLOOCUS_PUBLIC_URL`); `self` = this sandbox.
    #[arg(long)]
    cloocus_url: Option<String>,
    /// Act as a central instance that knows this customer: `SR_KEY=Company name` (repeatable).
    #[arg(long = "sr-customer", value_name = "KEY=COMPANY")]
    sr_customers: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SANDBOX_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let args = Args::parse();
    let admin = AdminAccount {
        email: args.admin_email.to_lowercase(),
        name: cloosphere_sandbox::DEMO_ADMIN_NAME.to_owned(),
        password: args.admin_password.clone(),
    };
    let sandbox = cloosphere_sandbox::start(SandboxOptions {
        port: args.port,
        data: args.data,
        seed: match args.seed {
            SeedArg::None => Seed::Empty,
            SeedArg::Demo => Seed::Demo,
        },
        admin: Some(admin),
        token_lifetime: args.token_lifetime,
        test_hooks: args.test_hooks,
        graph_url: args.graph_url.clone(),
        sr: cloosphere_sandbox::SrOptions {
            key: args.sr_key.clone(),
            cloocus_url: args.cloocus_url.clone(),
            customers: args
                .sr_customers
                .iter()
                .filter_map(|c| c.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        },
    })
    .await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening: {}", sandbox.url())?;
        writeln!(
            out,
            "admin: {}",
            sandbox.admin_email().unwrap_or(&args.admin_email)
        )?;
        writeln!(out, "password: {}", args.admin_password)?;
        out.flush()?;
    }
    tokio::signal::ctrl_c().await?;
    sandbox.stop().await;
    Ok(())
}
