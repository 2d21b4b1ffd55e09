//! `cloosphere-sandbox`: a local deployment that answers like a real Cloosphere server.
//!
//! It serves the endpoints the console uses with the server's paths, fields, status codes and
//! detail texts (the contract in `shared/cloosphere-api/`), on SQLite through sqlx, with argon2
//! password hashes, HS256 JWTs whose only claim is `id`, and `sk-` API keys. It runs as its own
//! process (`cloosphere-sandbox`) or in-process through [`start`], as the desktop app does.

#![deny(missing_docs)]

mod algorithms;
mod audit_trail;
mod auth;
mod db;
mod errors;
mod routes;
mod rules;
mod seed;
mod seed_tickets;
mod validate;

use anyhow::Context;
use db::{Db, NewUser};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use routes::SERVER_VERSION;
pub use seed::{DEMO_DOMAIN, DEMO_PEOPLE};

/// The demo admin's e-mail.
pub const DEMO_ADMIN_EMAIL: &str = "admin@demo.example.com";
/// The demo admin's name.
pub const DEMO_ADMIN_NAME: &str = "Sandbox Admin";
/// The password of the demo admin and every demo person, unless another is given.
pub const DEMO_PASSWORD: &str = "Sandbox-Demo-1";

/// Epoch seconds now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// What to put in an empty sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// Only the admin account (if any).
    #[default]
    Empty,
    /// The admin plus about 200 demo people.
    Demo,
}

/// The admin account created when the sandbox has no user yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminAccount {
    /// E-mail (lower-case).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Password. This is a local practice server: the password is printed at start.
    pub password: String,
}

impl AdminAccount {
    /// The demo admin with the fixed demo password.
    pub fn demo() -> Self {
        AdminAccount {
            email: DEMO_ADMIN_EMAIL.to_owned(),
            name: DEMO_ADMIN_NAME.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
        }
    }
}

/// How to start a sandbox.
#[derive(Debug, Clone, Default)]
pub struct SandboxOptions {
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Database file; `None` keeps everything in memory.
    pub data: Option<PathBuf>,
    /// Data to add when the database has no user.
    pub seed: Seed,
    /// First user (an admin) to create when the database has no user. `None` leaves the
    /// deployment empty, so the first sign-up becomes admin as on a fresh server.
    pub admin: Option<AdminAccount>,
    /// Session token lifetime in seconds; `None` = tokens never expire (the server default).
    pub token_lifetime: Option<i64>,
    /// Mount the test-only hooks under `/_sandbox/` (fault injection). Tests only: the
    /// desktop's demo deployment never has them.
    pub test_hooks: bool,
    /// Where `POST /organizations/sync/msgraph` reads Microsoft Graph (default
    /// [`GRAPH_URL`]); a loopback Graph-compatible server in tests.
    pub graph_url: Option<String>,
    /// Service Requests, both sides (service-requests.md).
    pub sr: SrOptions,
}

/// Service Requests: the customer side's `SR_KEY` and `CLOOCUS_PUBLIC_URL`, and the
/// customers a central instance knows by SR key.
#[derive(Debug, Clone, Default)]
pub struct SrOptions {
    /// This deployment's SR key (`SR_KEY`).
    pub key: Option<String>,
    /// The central instance (`CLOOCUS_PUBLIC_URL`); `self` means this sandbox, which then acts
    /// as its own central instance.
    pub cloocus_url: Option<String>,
    /// Central side: active customers as (SR key, company name). Empty: this is no central
    /// instance ("Cloocus admin DB not configured").
    pub customers: Vec<(String, String)>,
}

/// Microsoft Graph, as the server's provider calls it.
pub const GRAPH_URL: &str = "https://graph.microsoft.com/v1.0";

/// Shared state of the HTTP handlers.
pub(crate) struct AppState {
    db: Db,
    jwt_key: Vec<u8>,
    token_lifetime: Option<i64>,
    graph_url: String,
    /// Test-only: unit writes (create, update, delete) still let through before the next one
    /// fails as a database error would; `None` when no fault is set.
    unit_writes_before_fault: std::sync::Mutex<Option<u64>>,
    /// Test-only: reads of an organization's unit list still let through before the next one
    /// fails (a server erring, or a connection lost, while a client reads back); `None` when no
    /// fault is set.
    unit_lists_before_fault: std::sync::Mutex<Option<u64>>,
    /// Test-only: reads of the code-execution settings still let through before the next one
    /// fails (a client reading back after its write); `None` when no fault is set.
    settings_reads_before_fault: std::sync::Mutex<Option<u64>>,
    /// Service Requests, both sides.
    sr: SrOptions,
    /// This sandbox's own URL, once it listens.
    self_url: std::sync::OnceLock<String>,
    /// Test hook: what the central side received (the server keeps nothing).
    sr_received: std::sync::Mutex<Vec<Value>>,
}

impl AppState {
    /// The customer side's SR key and central URL, when both are set.
    pub(crate) fn sr_customer_side(&self) -> Option<(String, String)> {
        let key = self.sr.key.clone().filter(|k| !k.is_empty())?;
        let url = self.sr.cloocus_url.clone().filter(|u| !u.is_empty())?;
        let url = if url == "self" {
            self.self_url.get()?.clone()
        } else {
            url
        };
        Some((key, url.trim_end_matches('/').to_owned()))
    }

    /// Whether this sandbox acts as a central instance.
    pub(crate) fn is_central(&self) -> bool {
        !self.sr.customers.is_empty()
    }

    /// The company an active SR key belongs to (exact comparison).
    pub(crate) fn central_customer(&self, key: &str) -> Option<String> {
        self.sr
            .customers
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, company)| company.clone())
    }

    /// Keeps what the central side received, for the test hook.
    pub(crate) fn record_sr(&self, sr: Value) {
        self.sr_received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(sr);
    }

    /// What the central side received so far.
    pub(crate) fn received_srs(&self) -> Vec<Value> {
        self.sr_received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    async fn setting(&self, key: &str) -> Result<Option<Value>, errors::ApiFailure> {
        Ok(self.db.config(key).await?)
    }

    pub(crate) async fn setting_bool(
        &self,
        key: &str,
        default: bool,
    ) -> Result<bool, errors::ApiFailure> {
        Ok(self
            .setting(key)
            .await?
            .and_then(|v| v.as_bool())
            .unwrap_or(default))
    }

    pub(crate) async fn setting_str(
        &self,
        key: &str,
        default: &str,
    ) -> Result<String, errors::ApiFailure> {
        Ok(self
            .setting(key)
            .await?
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| default.to_owned()))
    }
}

/// A sandbox serving on 127.0.0.1.
#[derive(Debug)]
pub struct RunningSandbox {
    addr: SocketAddr,
    admin_email: Option<String>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl RunningSandbox {
    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first admin's e-mail, if there is one.
    pub fn admin_email(&self) -> Option<&str> {
        self.admin_email.as_deref()
    }

    /// Stops serving and waits for the server task to end.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Opens the database, seeds it if empty, and starts serving on 127.0.0.1.
pub async fn start(options: SandboxOptions) -> anyhow::Result<RunningSandbox> {
    let db = Db::open(options.data.as_deref())
        .await
        .context("opening the sandbox database")?;
    let jwt_key = signing_key(&db).await?;
    if db.user_count().await? == 0 {
        seed(&db, &options).await?;
    }
    let admin_email = db.first_user().await?.map(|u| u.email);
    let state = Arc::new(AppState {
        db,
        jwt_key,
        token_lifetime: options.token_lifetime,
        unit_writes_before_fault: std::sync::Mutex::new(None),
        unit_lists_before_fault: std::sync::Mutex::new(None),
        settings_reads_before_fault: std::sync::Mutex::new(None),
        sr: options.sr.clone(),
        self_url: std::sync::OnceLock::new(),
        sr_received: std::sync::Mutex::new(Vec::new()),
        graph_url: options
            .graph_url
            .clone()
            .unwrap_or_else(|| GRAPH_URL.to_owned())
            .trim_end_matches('/')
            .to_owned(),
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port))
        .await
        .with_context(|| format!("binding 127.0.0.1:{}", options.port))?;
    let addr = listener.local_addr()?;
    let _ = state.self_url.set(format!("http://{addr}"));
    // As the server's: Python's asyncio (under uvicorn) sets TCP_NODELAY on every connection, so
    // an answer written in two segments does not wait for the client's delayed ACK.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set on a connection: {e}");
        }
    });
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let app = routes::router(state, options.test_hooks);
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop_rx.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "sandbox server stopped");
        }
    });
    Ok(RunningSandbox {
        addr,
        admin_email,
        stop: Some(stop_tx),
        task,
    })
}

/// The JWT key, kept in the database so tokens survive a restart on the same data file.
async fn signing_key(db: &Db) -> anyhow::Result<Vec<u8>> {
    if let Some(Value::String(hex)) = db.config("SANDBOX_JWT_KEY").await? {
        return Ok(hex.into_bytes());
    }
    let key: String = (0..4)
        .map(|_| uuid::Uuid::new_v4().simple().to_string())
        .collect();
    db.set_config("SANDBOX_JWT_KEY", &Value::String(key.clone()))
        .await?;
    Ok(key.into_bytes())
}

async fn seed(db: &Db, options: &SandboxOptions) -> anyhow::Result<()> {
    let now = now();
    let first_created = if options.seed == Seed::Demo {
        now - 420 * 86_400
    } else {
        now
    };
    let mut users = Vec::new();
    if let Some(admin) = &options.admin {
        let hash = seed::shared_hash(&admin.password).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let mut account = NewUser::local(
            admin.name.clone(),
            admin.email.to_lowercase(),
            "admin".to_owned(),
            None,
            first_created,
            hash,
        );
        account.last_active_at = now;
        users.push(account);
    }
    if options.seed == Seed::Demo {
        let hash = seed::shared_hash(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        users.extend(seed::demo_people(&hash, first_created, now));
    }
    db.insert_users(&users)
        .await
        .context("seeding the sandbox")?;
    if options.seed == Seed::Demo {
        db.insert_models(&seed::demo_models(now))
            .await
            .context("seeding models")?;
        db.insert_usage(&seed::demo_usage(&users, now))
            .await
            .context("seeding usage")?;
        let (org, units) = seed::demo_organization(&users, now);
        db.insert_organization(&org)
            .await
            .context("seeding the organization")?;
        for unit in &units {
            db.insert_unit(unit).await.context("seeding units")?;
        }
        let owner = users.first().map(|u| u.id.clone()).unwrap_or_default();
        db.insert_guardrails(&seed::demo_guardrails(&owner, &units, now))
            .await
            .context("seeding guardrails")?;
        let (bases, files) = seed::demo_knowledge(&owner, now);
        db.insert_knowledge(&bases, &files)
            .await
            .context("seeding knowledge")?;
        for inquiry in seed_tickets::demo_inquiries(users.get(1..).unwrap_or_default(), now) {
            db.insert_inquiry(&inquiry)
                .await
                .context("seeding inquiries")?;
        }
        db.insert_audit(&audit_trail::demo_rows(
            users.get(1..).unwrap_or_default(),
            now,
        ))
        .await
        .context("seeding the audit log")?;
        let (emails, webhooks) = seed_tickets::demo_channels();
        db.set_config("NOTIFICATION_EMAIL_CHANNELS", &emails)
            .await
            .context("seeding channels")?;
        db.set_config("NOTIFICATION_WEBHOOK_CHANNELS", &webhooks)
            .await
            .context("seeding channels")?;
    }
    Ok(())
}
