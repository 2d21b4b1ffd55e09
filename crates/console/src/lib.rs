//! The console's use cases: everything the desktop app and `clooctl` do, in one place.
//!
//! Both shells call [`Console`] and nothing else: no rule lives in a Tauri command or in the
//! CLI. Types that cross IPC carry `ts_rs::TS` so the UI's TypeScript types are generated from
//! them, and none of them holds a secret.

mod access_views;
mod bulk;
mod choices;
mod defaults;
mod error;
mod group_admin;
mod import_review;
mod org_import;
mod org_review;
mod org_views;
#[cfg(feature = "local-sandbox")]
mod sandbox;
mod session;
mod snapshot;
mod tenants;
mod user_admin;
mod user_import;
mod users;

#[cfg(feature = "local-sandbox")]
pub use sandbox::{SANDBOX_TENANT_ID, SANDBOX_TENANT_NAME};

pub use access_views::{LimitReport, ModelUsageRow, PermissionEntry, PermissionsReport, UserUsage};
pub use bulk::{BulkAction, BulkItem, BulkPlan, BulkResult};
pub use choices::{
    PermissionKeyView, PermissionSection, SuperAdminView, UnitChoice, permission_catalogue,
};
pub use defaults::{DefaultsChange, DefaultsView};
pub use error::{ConsoleError, ConsoleResult, ENV_ALTERNATIVE, ErrorView};
pub use group_admin::{GroupChange, GroupSummary, GroupView, MemberRef};
pub use import_review::{ImportReview, ImportReviewRow};
pub use org_import::{
    ORG_PLAN_FORMAT, OrgApplyReport, OrgApplyStep, OrgPlanDocument, read_plan_document,
};
pub use org_review::{OrgImportReview, REVIEW_ROWS, ReviewNode};
pub use org_views::{
    GuardrailChoice, OrgSummary, OrgTreeNode, ResourceGrantRow, UnitDetail, UnitMember,
};
pub use session::{Credential, Session};
pub use snapshot::{Me, Snapshot};
pub use tenants::{
    AddTenantRequest, AuthInput, ConnectionReport, RemovedTenant, StartupState, TenantView,
};
pub use user_admin::{
    DeletionImpact, EditUserRequest, NamedRef, NewUserRequest, UserDetail, deletion_impact,
};
pub use user_import::{ImportOutcome, ImportPlanFile, ImportProgress, RowResult};
pub use users::{UserPage, UserRow, UsersPageRequest, WhoAmI};

use cloo_domain::Secret;
use cloo_store::{KeychainError, MemorySecrets, SecretSlot, SecretStore, Store};
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
    pub(crate) view: TenantView,
    pub(crate) credential: Credential,
}

/// The use-case layer over the local store, the keychain and the deployments.
#[derive(Debug)]
pub struct Console {
    store: Store,
    keychain: Arc<dyn SecretStore>,
    memory: Arc<MemorySecrets>,
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    ephemeral: Mutex<Vec<EphemeralTenant>>,
    snapshots: Mutex<HashMap<String, Arc<Snapshot>>>,
    reviews: Mutex<HashMap<String, import_review::HeldReview>>,
    /// Units of an organization as last read, by `tenant/org id`: the tree opens level by
    /// level from this copy, read again when the top level is asked for.
    org_units: Mutex<HashMap<String, Arc<Vec<cloo_api::OrgUnit>>>>,
    #[cfg(feature = "local-sandbox")]
    sandbox: tokio::sync::Mutex<Option<cloosphere_sandbox::RunningSandbox>>,
}

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
            reviews: Mutex::new(HashMap::new()),
            org_units: Mutex::new(HashMap::new()),
            #[cfg(feature = "local-sandbox")]
            sandbox: tokio::sync::Mutex::new(None),
        })
    }

    /// The local store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn lock<'a, T>(m: &'a Mutex<T>) -> std::sync::MutexGuard<'a, T> {
        // A poisoned lock only means another thread panicked mid-update of a cache: the data is
        // still usable, and refusing would turn one bug into a dead console.
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn ephemeral_tenant(&self, name_or_id: &str) -> Option<EphemeralTenant> {
        Self::lock(&self.ephemeral)
            .iter()
            .find(|t| t.view.id == name_or_id || t.view.name.eq_ignore_ascii_case(name_or_id))
            .cloned()
    }

    /// The signed-in session for a target, created on first use and reused after.
    pub async fn session(&self, target: &Target) -> ConsoleResult<Arc<Session>> {
        match target {
            Target::Direct(direct) => {
                let client = cloo_api::Client::new(
                    &direct.url,
                    &tenants::client_options(direct.ca_pem.as_deref()),
                )?;
                let secrets: Arc<dyn SecretStore> = self.memory.clone();
                Ok(Arc::new(Session::new(
                    format!("direct:{}", client.base_url()),
                    client,
                    direct.credential.clone(),
                    secrets,
                )))
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
    fn forget(&self, id: &str) {
        Self::lock(&self.sessions).remove(id);
        Self::lock(&self.snapshots).remove(id);
    }
}

/// The key of the in-process sandbox tenant (its database is SQLite).
pub(crate) const SANDBOX_KEY: &str = "local-sandbox";

/// Epoch seconds now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

impl Console {
    /// The key the caches use for a target: the tenant id, or the direct URL.
    pub(crate) async fn target_key(
        &self,
        target: &Target,
        session: &Session,
    ) -> ConsoleResult<String> {
        Ok(match target {
            Target::Tenant(name) => match self.ephemeral_tenant(name) {
                Some(e) => e.view.id,
                None => self.store.tenant(name).await?.id,
            },
            Target::Current => self.store.current_tenant_id().await?.unwrap_or_default(),
            Target::Direct(_) => format!("direct:{}", session.client().base_url()),
        })
    }
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
