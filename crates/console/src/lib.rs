//! The console's use cases: everything the desktop app and `clooctl` do, in one place.
//!
//! Both shells hold one [`Console`] (the context: local store, keychain, signed-in sessions and
//! the deployments' snapshots) and reach each area through a handle:
//!
//! | handle | module | owns |
//! | --- | --- | --- |
//! | [`Console::tenants`] | `tenants/` | adding, editing, choosing and removing deployments; start-up; the local sandbox |
//! | [`Console::users`] | `users/` | the directory, one user's detail, role, Super Admin, limits, access, bulk plans |
//! | [`Console::groups`] | `groups/` | groups, their members, permissions, unit links and limits; the permission catalogue |
//! | [`Console::defaults`] | `groups/defaults.rs` | default permissions: plan, then save |
//! | [`Console::orgs`] | `orgs/` | organizations, the OU tree, one unit's detail, limits, guardrails, deletion |
//! | [`Console::imports`] | `imports/` | CSV user imports and organization JSON imports: plan, review, apply by id |
//! | [`Console::journal`] | `journal/` | the operation journal: list, show, CSV export |
//! | [`Console::entra`] | `entra/` | Entra ID sync: the Microsoft sign-in profile, plans read from Graph, apply, history |
//! | [`Console::settings`] | `settings/` | System Settings: tabs read section by section, a section changed without losing a secret |
//!
//! Names follow one scheme: `list*` and `get*` read, `plan*` computes a change and stores it
//! without writing, `apply*` executes a stored plan by id, any other verb writes at once. Every
//! write goes through the operation runner ([`operation`]): read-only refusal, progress,
//! cancellation, a journal row. Errors are [`ConsoleError`]s with an [`ErrorCode`] each.
//!
//! Types that cross IPC carry `ts_rs::TS` so the UI's TypeScript types are generated from them,
//! and none of them holds a secret.

#![deny(missing_docs)]

pub mod audit;
mod downloads;
pub mod entra;
mod error;
pub mod groups;
pub mod imports;
pub mod inquiries;
pub mod journal;
mod laps;
mod named_secrets;
pub mod notifications;
pub mod operation;
pub mod orgs;
mod plan;
pub mod service_requests;
mod session;
pub mod settings;
mod snapshot;
pub mod tenants;
pub mod users;

pub use error::{
    ConsoleError, ConsoleResult, ENV_ALTERNATIVE, ErrorCode, ErrorView, PartialChange,
    RoleChangeReason,
};
pub use operation::{Observer, OperationKind, Progress};
pub use plan::PlanKind;
pub use session::{Credential, Session};
pub use snapshot::{Me, Snapshot};
pub use tokio_util::sync::CancellationToken;

use cloo_domain::Secret;
use cloo_store::{KeychainError, MemorySecrets, SecretSlot, SecretStore, Store};
use operation::TenantRef;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Which deployment a command acts on.
#[derive(Debug, Clone)]
pub enum Target {
    /// A stored (or in-process) tenant, by name or id.
    Tenant(String),
    /// The tenant chosen with `tenant use`.
    Current,
    /// A deployment given directly (environment variables), with nothing stored.
    Direct(DirectTarget),
}

/// A deployment given by URL and credential, never stored.
#[derive(Debug, Clone)]
pub struct DirectTarget {
    /// Base URL.
    pub url: String,
    /// How to sign in.
    pub credential: Credential,
    /// Extra trusted CA (PEM).
    pub ca_pem: Option<String>,
}

/// An in-process deployment known only to this run (the local sandbox).
#[derive(Debug, Clone)]
pub(crate) struct EphemeralTenant {
    pub(crate) view: tenants::TenantView,
    pub(crate) credential: Credential,
}

/// The context every area works in: the local store, the keychain, signed-in sessions and the
/// deployments' snapshots.
#[derive(Debug)]
pub struct Console {
    store: Store,
    keychain: Arc<dyn SecretStore>,
    memory: Arc<MemorySecrets>,
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    ephemeral: Mutex<Vec<EphemeralTenant>>,
    snapshots: Mutex<HashMap<String, Arc<Snapshot>>>,
    /// Fingerprints of the organization snapshots last kept in the store, by `tenant/org
    /// tenant id`: an organization read again unchanged is not written again.
    kept_org_snapshots: Mutex<HashMap<String, String>>,
    /// Files planned from bytes (the desktop's CSV imports), by plan id: they hold passwords,
    /// so they stay in memory only, until applied or dropped.
    uploads: Mutex<HashMap<String, imports::HeldFile>>,
    /// Units of an organization as last read, by `tenant/org id`: the tree opens level by
    /// level from this copy, read again when the top level is asked for.
    org_units: Mutex<HashMap<String, Arc<Vec<cloo_api::OrgUnit>>>>,
    /// What starts the local sandbox, when the shell links one (the desktop does).
    local_sandbox: Option<Arc<dyn tenants::LocalSandbox>>,
    sandbox_start: tokio::sync::Mutex<()>,
}

macro_rules! area {
    ($(#[$doc:meta])* $name:ident, $accessor:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'c> {
            pub(crate) c: &'c Console,
        }

        impl Console {
            $(#[$doc])*
            pub fn $accessor(&self) -> $name<'_> {
                $name { c: self }
            }
        }
    };
}

area!(
    /// Deployments the console knows: add, edit, choose, remove; start-up; the local sandbox.
    Tenants,
    tenants
);
area!(
    /// Users of a deployment.
    Users,
    users
);
area!(
    /// Groups, their permissions, members, unit links and limits.
    Groups,
    groups
);
area!(
    /// Default permissions.
    Defaults,
    defaults
);
area!(
    /// Organizations and their units.
    Orgs,
    orgs
);
area!(
    /// CSV user imports and organization imports.
    Imports,
    imports
);
area!(
    /// Notification channels: e-mail and webhook.
    Notifications,
    notifications
);
area!(
    /// The operation journal.
    Journal,
    journal
);
area!(
    /// Entra ID sync: the profile, plans from Graph, their apply, the history.
    Entra,
    entra
);

impl Console {
    /// Opens the store in `data_dir` (see [`cloo_store::resolve_data_dir`]) with `keychain`
    /// for secrets.
    pub async fn open(
        data_dir: Option<&Path>,
        keychain: Arc<dyn SecretStore>,
    ) -> ConsoleResult<Self> {
        let dir = cloo_store::resolve_data_dir(data_dir)?;
        let store = Store::open(&dir).await?;
        Ok(Console {
            store,
            keychain,
            memory: Arc::new(MemorySecrets::default()),
            sessions: Mutex::new(HashMap::new()),
            ephemeral: Mutex::new(Vec::new()),
            snapshots: Mutex::new(HashMap::new()),
            kept_org_snapshots: Mutex::new(HashMap::new()),
            uploads: Mutex::new(HashMap::new()),
            org_units: Mutex::new(HashMap::new()),
            local_sandbox: None,
            sandbox_start: tokio::sync::Mutex::new(()),
        })
    }

    /// Lets this console start a local sandbox (`tenants().open_local_sandbox()`).
    pub fn with_local_sandbox(mut self, sandbox: Arc<dyn tenants::LocalSandbox>) -> Self {
        self.local_sandbox = Some(sandbox);
        self
    }

    /// The local store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Closes what the console holds open: the local sandbox, then the store.
    pub async fn close(&self) {
        self.tenants().close_local_sandbox().await;
        self.store.close().await;
    }

    pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        // A poisoned lock only means another thread panicked mid-update of a cache: the data is
        // still usable, and refusing would turn one bug into a dead console.
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn ephemeral_tenant(&self, name_or_id: &str) -> Option<EphemeralTenant> {
        Self::lock(&self.ephemeral)
            .iter()
            .find(|t| t.view.id == name_or_id || t.view.name.eq_ignore_ascii_case(name_or_id))
            .cloned()
    }

    /// The tenant a target names, resolved from the local store alone (no connection).
    pub(crate) async fn tenant_ref(&self, target: &Target) -> ConsoleResult<TenantRef> {
        let name = match target {
            Target::Direct(direct) => {
                let url = cloo_api::normalize_base_url(&direct.url)
                    .map(|u| u.to_string())
                    .unwrap_or_else(|_| direct.url.clone());
                return Ok(TenantRef {
                    key: format!("direct:{url}"),
                    name: url,
                    read_only: false,
                    actor: actor_of(&direct.credential),
                });
            }
            Target::Current => self
                .store
                .current_tenant_id()
                .await?
                .ok_or(ConsoleError::NoTenant)?,
            Target::Tenant(name) => name.clone(),
        };
        if let Some(eph) = self.ephemeral_tenant(&name) {
            return Ok(TenantRef {
                key: eph.view.id.clone(),
                name: eph.view.name.clone(),
                read_only: eph.view.read_only,
                actor: actor_of(&eph.credential),
            });
        }
        let tenant = self.store.tenant(&name).await?;
        Ok(TenantRef {
            actor: tenant
                .account
                .clone()
                .unwrap_or_else(|| "API key".to_owned()),
            key: tenant.id,
            name: tenant.name,
            read_only: tenant.read_only,
        })
    }

    /// The name or id a target stands for, or the deployment it gives directly.
    async fn named(&self, target: &Target) -> ConsoleResult<Result<String, DirectTarget>> {
        Ok(match target {
            Target::Direct(direct) => Err(direct.clone()),
            Target::Current => Ok(self
                .store
                .current_tenant_id()
                .await?
                .ok_or(ConsoleError::NoTenant)?),
            Target::Tenant(name) => Ok(name.clone()),
        })
    }

    /// A target's base URL, without signing in (for a request that must go out while the
    /// deployment is down).
    pub(crate) async fn base_url_of(&self, target: &Target) -> ConsoleResult<String> {
        let name = match self.named(target).await? {
            Err(direct) => return Ok(direct.url),
            Ok(name) => name,
        };
        if let Some(eph) = self.ephemeral_tenant(&name) {
            return Ok(eph.view.base_url.clone());
        }
        Ok(self.store.tenant(&name).await?.base_url)
    }

    /// The extra certificate authority a target trusts (its private CA), if any: also trusted
    /// by the desktop's channel tests, where a company CA signs the mail server too.
    pub(crate) async fn tenant_ca(&self, target: &Target) -> ConsoleResult<Option<String>> {
        let name = match self.named(target).await? {
            Err(direct) => return Ok(direct.ca_pem),
            Ok(name) => name,
        };
        if self.ephemeral_tenant(&name).is_some() {
            return Ok(None);
        }
        Ok(self.store.tenant(&name).await?.ca_pem)
    }

    /// The key the caches and the journal use for a target: the tenant id, or `direct:URL`.
    pub(crate) async fn target_key(&self, target: &Target) -> ConsoleResult<String> {
        Ok(self.tenant_ref(target).await?.key)
    }

    /// The signed-in session for a target, created on first use and reused after.
    pub(crate) async fn session(&self, target: &Target) -> ConsoleResult<Arc<Session>> {
        match target {
            Target::Direct(direct) => {
                let client = cloo_api::Client::new(
                    &direct.url,
                    &tenants::client_options(direct.ca_pem.as_deref()),
                )?;
                let key = format!("direct:{}", client.base_url());
                let secrets: Arc<dyn SecretStore> = self.memory.clone();
                self.cached_session(&key, || {
                    Ok(Session::new(
                        key.clone(),
                        client,
                        direct.credential.clone(),
                        secrets,
                    ))
                })
            }
            Target::Current => {
                let id = self
                    .store
                    .current_tenant_id()
                    .await?
                    .ok_or(ConsoleError::NoTenant)?;
                Box::pin(self.session(&Target::Tenant(id))).await
            }
            Target::Tenant(name) => {
                if let Some(eph) = self.ephemeral_tenant(name) {
                    return self.cached_session(&eph.view.id, || {
                        let client = cloo_api::Client::new(
                            &eph.view.base_url,
                            &tenants::client_options(None),
                        )?;
                        Ok(Session::new(
                            eph.view.id.clone(),
                            client,
                            eph.credential.clone(),
                            self.memory.clone(),
                        ))
                    });
                }
                let tenant = self.store.tenant(name).await?;
                if let Some(existing) = Self::lock(&self.sessions).get(&tenant.id) {
                    return Ok(existing.clone());
                }
                let secret =
                    blocking_secret_read(&self.keychain, &tenant.id, SecretSlot::Credential)
                        .await?
                        .ok_or_else(|| ConsoleError::MissingCredential(tenant.name.clone()))?;
                let credential = match (tenant.auth_kind, &tenant.account) {
                    (cloo_store::AuthKind::Password, Some(email)) => Credential::Password {
                        email: email.clone(),
                        password: secret,
                    },
                    (cloo_store::AuthKind::Password, None) => {
                        return Err(ConsoleError::MissingCredential(tenant.name.clone()));
                    }
                    (cloo_store::AuthKind::ApiKey, _) => Credential::ApiKey(secret),
                };
                self.store.touch_tenant(&tenant.id).await?;
                self.cached_session(&tenant.id, || {
                    let client = cloo_api::Client::new(
                        &tenant.base_url,
                        &tenants::client_options(tenant.ca_pem.as_deref()),
                    )?;
                    Ok(Session::new(
                        tenant.id.clone(),
                        client,
                        credential.clone(),
                        self.keychain.clone(),
                    ))
                })
            }
        }
    }

    fn cached_session(
        &self,
        id: &str,
        make: impl FnOnce() -> ConsoleResult<Session>,
    ) -> ConsoleResult<Arc<Session>> {
        let mut sessions = Self::lock(&self.sessions);
        if let Some(existing) = sessions.get(id) {
            return Ok(existing.clone());
        }
        let session = Arc::new(make()?);
        sessions.insert(id.to_owned(), session.clone());
        Ok(session)
    }

    /// Forgets cached sessions and directories of a tenant.
    pub(crate) fn forget(&self, id: &str) {
        Self::lock(&self.sessions).remove(id);
        Self::lock(&self.snapshots).remove(id);
        Self::lock(&self.org_units).retain(|k, _| !k.starts_with(&format!("{id}/")));
    }
}

/// Who the journal says acted: the sign-in e-mail, or "API key".
fn actor_of(credential: &Credential) -> String {
    match credential {
        Credential::Password { email, .. } => email.clone(),
        Credential::ApiKey(_) => "API key".to_owned(),
    }
}

/// The key of the in-process sandbox tenant (its database is SQLite).
pub(crate) const SANDBOX_KEY: &str = "local-sandbox";

/// Epoch milliseconds now.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Epoch seconds now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

/// Reads a secret off the async executor (keychain calls block).
pub(crate) async fn blocking_secret_read(
    store: &Arc<dyn SecretStore>,
    key: &str,
    slot: SecretSlot,
) -> Result<Option<Secret>, KeychainError> {
    let (store, key) = (store.clone(), key.to_owned());
    tokio::task::spawn_blocking(move || store.read(&key, slot))
        .await
        .map_err(|e| KeychainError::Failure(e.to_string()))?
}

/// Writes a secret off the async executor.
pub(crate) async fn blocking_secret_write(
    store: &Arc<dyn SecretStore>,
    key: &str,
    slot: SecretSlot,
    value: &Secret,
) -> Result<(), KeychainError> {
    let (store, key, value) = (store.clone(), key.to_owned(), value.clone());
    tokio::task::spawn_blocking(move || store.write(&key, slot, &value))
        .await
        .map_err(|e| KeychainError::Failure(e.to_string()))?
}

/// Erases a secret off the async executor.
pub(crate) async fn blocking_secret_erase(
    store: &Arc<dyn SecretStore>,
    key: &str,
    slot: SecretSlot,
) -> Result<(), KeychainError> {
    let (store, key) = (store.clone(), key.to_owned());
    tokio::task::spawn_blocking(move || store.erase(&key, slot))
        .await
        .map_err(|e| KeychainError::Failure(e.to_string()))?
}

/// Checks a daily token limit given by a person: 0 (unlimited) or a positive number.
pub(crate) fn check_limit(tokens: Option<i64>) -> ConsoleResult<()> {
    if tokens.is_some_and(|t| t < 0) {
        return Err(ConsoleError::invalid(
            "limit",
            "a limit is 0 (unlimited) or a positive number of tokens",
        ));
    }
    Ok(())
}
