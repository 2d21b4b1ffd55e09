//! "Open the local sandbox": a demo deployment started in this process by whoever links one.
//!
//! The console does not link the sandbox: the desktop hands it a [`LocalSandbox`] at start
//! (clooctl never does, so it carries no server code), and the console registers what it
//! starts as a tenant of this run whose secrets stay in memory.

use super::TenantView;
use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, Credential, Tenants};
use cloo_domain::Secret;
use std::future::Future;
use std::pin::Pin;

/// The id of the in-process sandbox tenant.
pub const SANDBOX_TENANT_ID: &str = crate::SANDBOX_KEY;
/// Its display name.
pub const SANDBOX_TENANT_NAME: &str = "Local sandbox";

/// A started local deployment: where it listens and its admin.
#[derive(Debug, Clone)]
pub struct StartedSandbox {
    /// Base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    /// The admin's e-mail.
    pub email: String,
    /// The admin's password.
    pub password: Secret,
}

/// A boxed future, for the object-safe [`LocalSandbox`].
pub type SandboxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Something that can start and stop a local deployment with demo data.
pub trait LocalSandbox: Send + Sync + std::fmt::Debug {
    /// Starts it (once).
    fn start(&self) -> SandboxFuture<'_, Result<StartedSandbox, String>>;
    /// Stops it, if it runs.
    fn stop(&self) -> SandboxFuture<'_, ()>;
}

impl Tenants<'_> {
    /// Whether this console can start a local sandbox.
    pub fn sandbox_available(&self) -> bool {
        self.c.local_sandbox.is_some()
    }

    /// Starts the demo deployment (once) and registers it as a tenant of this run. It lives in
    /// memory and stops with the console.
    pub async fn open_local_sandbox(&self) -> ConsoleResult<TenantView> {
        let c = self.c;
        let Some(sandbox) = &c.local_sandbox else {
            return Err(ConsoleError::invalid(
                "sandbox",
                "this build has no local sandbox",
            ));
        };
        let _starting = c.sandbox_start.lock().await;
        if let Some(running) = c.ephemeral_tenant(SANDBOX_TENANT_ID) {
            return Ok(running.view);
        }
        let started = sandbox
            .start()
            .await
            .map_err(|e| ConsoleError::Internal(format!("the local sandbox did not start: {e}")))?;
        let view = TenantView {
            id: SANDBOX_TENANT_ID.to_owned(),
            name: SANDBOX_TENANT_NAME.to_owned(),
            base_url: format!("{}/", started.url.trim_end_matches('/')),
            auth_kind: "password".to_owned(),
            account: Some(started.email.clone()),
            colour: "#64748b".to_owned(),
            read_only: false,
            has_ca: false,
            created_at: 0,
            last_used_at: None,
            current: false,
            ephemeral: true,
        };
        c.register_ephemeral(
            view.clone(),
            Credential::Password {
                email: started.email,
                password: started.password,
            },
        );
        Ok(view)
    }

    /// Stops the local sandbox if it runs.
    pub async fn close_local_sandbox(&self) {
        let c = self.c;
        if let Some(sandbox) = &c.local_sandbox {
            sandbox.stop().await;
        }
        Console::lock(&c.ephemeral).retain(|t| t.view.id != SANDBOX_TENANT_ID);
        c.forget(SANDBOX_TENANT_ID);
    }
}

impl Console {
    /// Registers an in-process deployment for this run only; its secrets stay in memory.
    pub(crate) fn register_ephemeral(&self, view: TenantView, credential: Credential) {
        let mut list = Self::lock(&self.ephemeral);
        list.retain(|t| t.view.id != view.id);
        list.push(crate::EphemeralTenant { view, credential });
    }
}
