//! The demo deployment the desktop can open: the sandbox server in this process, seeded with the
//! demo directory, without the test-only hooks. The console starts it through its
//! `LocalSandbox` interface, so clooctl, which links no sandbox, carries none of this.

use cloo_console::tenants::{LocalSandbox, SandboxFuture, StartedSandbox};
use cloo_domain::Secret;
use cloosphere_sandbox::{AdminAccount, RunningSandbox, SandboxOptions, Seed};
use tokio::sync::Mutex;

/// The in-process demo sandbox, started at most once.
#[derive(Debug, Default)]
pub struct DemoSandbox {
    running: Mutex<Option<RunningSandbox>>,
}

impl LocalSandbox for DemoSandbox {
    fn start(&self) -> SandboxFuture<'_, Result<StartedSandbox, String>> {
        Box::pin(async move {
            let mut running = self.running.lock().await;
            let admin = AdminAccount::demo();
            if running.is_none() {
                let sandbox = cloosphere_sandbox::start(SandboxOptions {
                    seed: Seed::Demo,
                    admin: Some(admin.clone()),
                    test_hooks: false,
                    ..SandboxOptions::default()
                })
                .await
                .map_err(|e| format!("{e:#}"))?;
                *running = Some(sandbox);
            }
            let url = running
                .as_ref()
                .map(|s| s.url().to_string())
                .ok_or("the sandbox stopped")?;
            Ok(StartedSandbox {
                url,
                email: admin.email,
                password: Secret::new(admin.password),
            })
        })
    }

    fn stop(&self) -> SandboxFuture<'_, ()> {
        Box::pin(async move {
            if let Some(sandbox) = self.running.lock().await.take() {
                sandbox.stop().await;
            }
        })
    }
}
