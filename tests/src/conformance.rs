//! Conformance mode: the deployment a test runs against, and cleanup of what it created.
//!
//! With `CLOOSPHERE_TEST_URL`, `CLOOSPHERE_TEST_EMAIL` and `CLOOSPHERE_TEST_PASSWORD` set (and
//! `CLOOSPHERE_TEST_CA` naming a PEM file for a private CA), the conformance tests run against
//! that deployment; otherwise each starts an empty sandbox. A test creates only objects named
//! with its own prefix, and every object carrying the prefix is removed afterwards, whether the
//! test passed or panicked.

use crate::SandboxProcess;
use cloo_domain::Secret;
use std::future::Future;
use std::sync::Arc;

/// The variables that point the conformance tests at a deployment.
pub const URL_VAR: &str = "CLOOSPHERE_TEST_URL";
/// The admin's e-mail.
pub const EMAIL_VAR: &str = "CLOOSPHERE_TEST_EMAIL";
/// The admin's password.
pub const PASSWORD_VAR: &str = "CLOOSPHERE_TEST_PASSWORD";
/// A PEM file of the deployment's private CA (optional).
pub const CA_VAR: &str = "CLOOSPHERE_TEST_CA";

/// Where a conformance test runs.
pub struct TestDeployment {
    /// Base URL.
    pub url: String,
    /// An admin's e-mail.
    pub admin_email: String,
    /// Its password.
    pub admin_password: String,
    /// The private CA, if any.
    pub ca_pem: Option<Vec<u8>>,
    sandbox: Option<SandboxProcess>,
}

impl TestDeployment {
    /// The deployment named by the environment, or a fresh empty sandbox.
    pub fn get() -> TestDeployment {
        match std::env::var(URL_VAR) {
            Ok(url) if !url.is_empty() => {
                let var = |name: &str| {
                    std::env::var(name)
                        .unwrap_or_else(|_| panic!("{URL_VAR} is set: {name} must be set too"))
                };
                TestDeployment {
                    url,
                    admin_email: var(EMAIL_VAR),
                    admin_password: var(PASSWORD_VAR),
                    ca_pem: std::env::var(CA_VAR).ok().map(|path| {
                        std::fs::read(&path).unwrap_or_else(|e| panic!("{CA_VAR}={path}: {e}"))
                    }),
                    sandbox: None,
                }
            }
            _ => {
                let sandbox = SandboxProcess::start(&[]).expect("sandbox");
                TestDeployment {
                    url: sandbox.url.clone(),
                    admin_email: sandbox.admin_email.clone(),
                    admin_password: sandbox.admin_password.clone(),
                    ca_pem: None,
                    sandbox: Some(sandbox),
                }
            }
        }
    }

    /// Whether this is a deployment of the environment rather than a local sandbox.
    pub fn is_external(&self) -> bool {
        self.sandbox.is_none()
    }

    /// A client for it.
    pub fn client(&self) -> cloo_api::Client {
        cloo_api::Client::new(
            &self.url,
            &cloo_api::ClientOptions {
                extra_ca_pem: self.ca_pem.clone(),
                ..Default::default()
            },
        )
        .expect("client")
    }

    /// A session token of the admin.
    pub async fn admin_token(&self) -> Secret {
        self.client()
            .signin(&self.admin_email, &Secret::new(&self.admin_password))
            .await
            .expect("the admin signs in")
            .token
    }

    /// A console over a fresh store with a direct target to this deployment.
    pub async fn console(
        &self,
    ) -> (
        cloo_console::Console,
        cloo_console::Target,
        tempfile::TempDir,
    ) {
        crate::console_signed_in(
            &self.url,
            &self.admin_email,
            &self.admin_password,
            self.ca_pem
                .as_ref()
                .map(|p| String::from_utf8_lossy(p).into_owned()),
        )
        .await
    }

    /// The environment a `clooctl` run needs to reach this deployment without a keychain.
    pub fn cli_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("CLOOSPHERE_URL", self.url.clone()),
            ("CLOOSPHERE_EMAIL", self.admin_email.clone()),
            ("CLOOSPHERE_PASSWORD", self.admin_password.clone()),
        ]
    }

    /// Removes every user whose e-mail and every group whose name starts with `prefix`.
    pub async fn remove_objects_of(&self, prefix: &str) {
        let client = self.client();
        let token = self.admin_token().await;
        if let Ok(groups) = client.list_groups(&token).await {
            for g in groups.iter().filter(|g| g.name.starts_with(prefix)) {
                let _ = client.delete_group(&token, &g.id).await;
            }
        }
        // Paged, so a directory of 100 000 users is not read in one answer.
        let mut skip = 0;
        let mut doomed = Vec::new();
        loop {
            let Ok(page) = client.list_users(&token, Some(skip), Some(500)).await else {
                break;
            };
            doomed.extend(
                page.iter()
                    .filter(|u| u.email.starts_with(prefix))
                    .map(|u| u.id.clone()),
            );
            if page.len() < 500 {
                break;
            }
            skip += 500;
        }
        for id in doomed {
            let _ = client.delete_user(&token, &id).await;
        }
    }
}

/// A prefix no other run shares: `cft-<pid>-<nanoseconds>`.
pub fn unique_prefix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!("cft-{}-{nanos}", std::process::id())
}

/// Runs a conformance test: `body` gets the deployment and its own name prefix; afterwards
/// everything named with the prefix is removed, and a panic of the body is passed on.
pub async fn conformance<F, Fut>(body: F)
where
    F: FnOnce(Arc<TestDeployment>, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let deployment = Arc::new(TestDeployment::get());
    let prefix = unique_prefix();
    let outcome = tokio::spawn(body(deployment.clone(), prefix.clone())).await;
    deployment.remove_objects_of(&prefix).await;
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("the test was cancelled: {e}");
    }
}
