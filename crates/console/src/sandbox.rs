//! "Open the local sandbox": a demo deployment started in this process.

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, Credential, TenantView};
use cloo_domain::Secret;
use cloosphere_sandbox::{AdminAccount, SandboxOptions, Seed};

/// The id of the in-process sandbox tenant.
pub const SANDBOX_TENANT_ID: &str = crate::SANDBOX_KEY;
/// Its display name.
pub const SANDBOX_TENANT_NAME: &str = "Local sandbox";

impl Console {
    /// Starts the demo deployment on 127.0.0.1 (once) and registers it as a tenant of this run.
    /// It lives in memory and stops with the console.
    pub async fn open_local_sandbox(&self) -> ConsoleResult<TenantView> {
        let mut running = self.sandbox.lock().await;
        if running.is_none() {
            let sandbox = cloosphere_sandbox::start(SandboxOptions {
                seed: Seed::Demo,
                admin: Some(AdminAccount::demo()),
                ..SandboxOptions::default()
            })
            .await
            .map_err(|e| {
                ConsoleError::Internal(format!("the local sandbox did not start: {e:#}"))
            })?;
            let admin = AdminAccount::demo();
            let view = TenantView {
                id: SANDBOX_TENANT_ID.to_owned(),
                name: SANDBOX_TENANT_NAME.to_owned(),
                base_url: format!("{}/", sandbox.url()),
                auth_kind: "password".to_owned(),
                account: Some(admin.email.clone()),
                colour: "#64748b".to_owned(),
                read_only: false,
                created_at: 0,
                last_used_at: None,
                current: false,
                ephemeral: true,
            };
            self.register_ephemeral(
                view,
                Credential::Password {
                    email: admin.email,
                    password: Secret::new(admin.password),
                },
            );
            *running = Some(sandbox);
        }
        self.ephemeral_tenant(SANDBOX_TENANT_ID)
            .map(|t| t.view)
            .ok_or_else(|| ConsoleError::Internal("the sandbox tenant vanished".into()))
    }

    /// Stops the local sandbox if it runs.
    pub async fn close_local_sandbox(&self) {
        if let Some(sandbox) = self.sandbox.lock().await.take() {
            sandbox.stop().await;
        }
        Self::lock(&self.ephemeral).retain(|t| t.view.id != SANDBOX_TENANT_ID);
        self.forget(SANDBOX_TENANT_ID);
    }
}
