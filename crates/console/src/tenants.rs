//! Tenants: add (after proving the connection), list, choose, remove.

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, Credential, blocking_secret_erase, blocking_secret_write};
use cloo_api::{ApiError, Client, ClientOptions, SessionUser};
use cloo_domain::Secret;
use cloo_store::{AuthKind, NewTenant, SecretSlot, Tenant};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A tenant as the UI and `tenant list` show it. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TenantView {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Base URL.
    pub base_url: String,
    /// `password` or `api_key`.
    pub auth_kind: String,
    /// Sign-in e-mail for password tenants.
    pub account: Option<String>,
    /// Colour beside the name.
    pub colour: String,
    /// Writes are refused.
    pub read_only: bool,
    /// Epoch seconds.
    #[ts(type = "number")]
    pub created_at: i64,
    /// Epoch seconds.
    #[ts(type = "number | null")]
    pub last_used_at: Option<i64>,
    /// Chosen with `tenant use`.
    pub current: bool,
    /// Exists only in this run (the local sandbox).
    pub ephemeral: bool,
}

impl TenantView {
    pub(crate) fn from_tenant(t: Tenant, current: bool) -> Self {
        TenantView {
            id: t.id,
            name: t.name,
            base_url: t.base_url,
            auth_kind: match t.auth_kind {
                AuthKind::Password => "password".into(),
                AuthKind::ApiKey => "api_key".into(),
            },
            account: t.account,
            colour: t.colour,
            read_only: t.read_only,
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            current,
            ephemeral: false,
        }
    }
}

/// How the new tenant signs in (input only; it carries the secret to the keychain).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum AuthInput {
    /// E-mail and password.
    Password {
        /// Sign-in e-mail.
        email: String,
        /// Password.
        #[ts(type = "string")]
        password: Secret,
    },
    /// An admin's API key.
    ApiKey {
        /// The `sk-` key.
        #[ts(type = "string")]
        api_key: Secret,
    },
}

/// The add-deployment form.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct AddTenantRequest {
    /// Display name.
    pub name: String,
    /// Deployment URL.
    pub url: String,
    /// Credential.
    pub auth: AuthInput,
    /// Refuse writes to this tenant.
    #[serde(default)]
    pub read_only: bool,
    /// Extra trusted CA certificate(s), PEM.
    #[serde(default)]
    pub ca_pem: Option<String>,
}

/// What a successful connection test found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConnectionReport {
    /// Normalised base URL.
    pub base_url: String,
    /// Server version, when the deployment tells.
    pub server_version: Option<String>,
    /// The signed-in account's name.
    pub user_name: String,
    /// Its e-mail.
    pub user_email: String,
    /// Its role.
    pub user_role: String,
}

/// What the desktop shows first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct StartupState {
    /// Every tenant.
    pub tenants: Vec<TenantView>,
    /// The tenant to show first: the sandbox when asked for, else the current one.
    pub selected: Option<String>,
    /// Whether this build can start the local sandbox.
    pub sandbox_available: bool,
}

/// What removing a tenant did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RemovedTenant {
    /// The tenant's name.
    pub name: String,
    /// A problem erasing its secrets from the keychain, if any (the tenant is gone anyway).
    pub keychain_warning: Option<String>,
}

pub(crate) fn client_options(ca_pem: Option<&str>) -> ClientOptions {
    ClientOptions {
        extra_ca_pem: ca_pem.map(|p| p.as_bytes().to_vec()),
        ..ClientOptions::default()
    }
}

impl AuthInput {
    fn credential(&self) -> ConsoleResult<Credential> {
        match self {
            AuthInput::Password { email, password } => {
                let email = email.trim().to_lowercase();
                cloo_domain::check_email_format(&email)
                    .map_err(|e| ConsoleError::Invalid(e.to_string()))?;
                if password.is_empty() {
                    return Err(ConsoleError::Invalid("the password is empty".into()));
                }
                Ok(Credential::Password {
                    email,
                    password: password.clone(),
                })
            }
            AuthInput::ApiKey { api_key } => {
                let key = api_key.expose().trim();
                if !key.starts_with("sk-") || key.len() < 8 {
                    return Err(ConsoleError::Invalid(
                        "an API key starts with sk- (create one under Settings > Account on the deployment)".into(),
                    ));
                }
                Ok(Credential::ApiKey(Secret::new(key)))
            }
        }
    }
}

/// Proves a deployment answers as Cloosphere and the credential is an admin's.
pub(crate) async fn verify_connection(
    url: &str,
    credential: &Credential,
    ca_pem: Option<&str>,
) -> ConsoleResult<(Client, SessionUser, ConnectionReport)> {
    let client = Client::new(url, &client_options(ca_pem))?;
    let config = match client.app_config().await {
        Ok(config) => config,
        Err(ApiError::NotFound { .. } | ApiError::UnexpectedResponse { .. }) => {
            return Err(ConsoleError::Invalid(format!(
                "{} answers, but not as a Cloosphere deployment (no /api/config)",
                client.base_url()
            )));
        }
        Err(e) => return Err(e.into()),
    };
    let user = match credential {
        Credential::Password { email, password } => client.signin(email, password).await?,
        Credential::ApiKey(key) => client.session_user(key).await?,
    };
    if !user.role.is_admin() {
        return Err(ConsoleError::NotAdmin {
            email: user.email.clone(),
            role: user.role.to_string(),
        });
    }
    let report = ConnectionReport {
        base_url: client.base_url().to_string(),
        server_version: config.version,
        user_name: user.name.clone(),
        user_email: user.email.clone(),
        user_role: user.role.to_string(),
    };
    Ok((client, user, report))
}

impl Console {
    /// All tenants: the stored ones, then those of this run only.
    pub async fn tenants(&self) -> ConsoleResult<Vec<TenantView>> {
        let current = self.store.current_tenant_id().await?;
        let mut views: Vec<TenantView> = self
            .store
            .tenants()
            .await?
            .into_iter()
            .map(|t| {
                let is_current = current.as_deref() == Some(t.id.as_str());
                TenantView::from_tenant(t, is_current)
            })
            .collect();
        views.extend(Self::lock(&self.ephemeral).iter().map(|e| e.view.clone()));
        Ok(views)
    }

    /// The desktop's first screen; with `open_sandbox` the local sandbox is started and shown.
    pub async fn startup(&self, open_sandbox: bool) -> ConsoleResult<StartupState> {
        let mut selected = None;
        if open_sandbox {
            selected = Some(self.open_sandbox_for_startup().await?);
        }
        let tenants = self.tenants().await?;
        let selected = selected
            .or_else(|| tenants.iter().find(|t| t.current).map(|t| t.id.clone()))
            .or_else(|| tenants.first().map(|t| t.id.clone()));
        Ok(StartupState {
            tenants,
            selected,
            sandbox_available: cfg!(feature = "local-sandbox"),
        })
    }

    #[cfg(feature = "local-sandbox")]
    async fn open_sandbox_for_startup(&self) -> ConsoleResult<String> {
        Ok(self.open_local_sandbox().await?.id)
    }

    #[cfg(not(feature = "local-sandbox"))]
    async fn open_sandbox_for_startup(&self) -> ConsoleResult<String> {
        Err(ConsoleError::Invalid(
            "this build has no local sandbox".into(),
        ))
    }

    /// Tests a connection without saving anything.
    pub async fn test_connection(
        &self,
        request: &AddTenantRequest,
    ) -> ConsoleResult<ConnectionReport> {
        let credential = request.auth.credential()?;
        let (_, _, report) =
            verify_connection(&request.url, &credential, request.ca_pem.as_deref()).await?;
        Ok(report)
    }

    /// Adds a tenant after proving the connection and the admin credential. Secrets go to the
    /// keychain; when any step fails nothing is kept, neither the row nor a secret.
    pub async fn add_tenant(&self, request: &AddTenantRequest) -> ConsoleResult<TenantView> {
        let name = cloo_domain::validate_tenant_name(&request.name)
            .map_err(|e| ConsoleError::Invalid(e.to_string()))?
            .to_owned();
        if self.store.tenant(&name).await.is_ok() || self.ephemeral_tenant(&name).is_some() {
            return Err(cloo_store::StoreError::NameTaken(name).into());
        }
        let credential = request.auth.credential()?;
        let ca_pem = request
            .ca_pem
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        // Learn that the keychain is missing before asking the deployment anything.
        let probe_store = self.keychain.clone();
        tokio::task::spawn_blocking(move || probe_store.probe())
            .await
            .map_err(|e| ConsoleError::Internal(e.to_string()))??;
        let (client, user, _) = verify_connection(&request.url, &credential, ca_pem).await?;

        let id = uuid::Uuid::new_v4().to_string();
        let (auth_kind, account, secret) = match &credential {
            Credential::Password { email, password } => {
                (AuthKind::Password, Some(email.clone()), password.clone())
            }
            Credential::ApiKey(key) => (AuthKind::ApiKey, None, key.clone()),
        };
        let saved = self
            .save_tenant(
                &id,
                &name,
                &client,
                auth_kind,
                account,
                &secret,
                &user,
                request.read_only,
                ca_pem,
            )
            .await;
        match saved {
            Ok(tenant) => {
                if self.store.current_tenant_id().await?.is_none() {
                    self.store.set_current_tenant(Some(&tenant.id)).await?;
                }
                let current =
                    self.store.current_tenant_id().await?.as_deref() == Some(tenant.id.as_str());
                Ok(TenantView::from_tenant(tenant, current))
            }
            Err(e) => {
                for slot in [SecretSlot::Credential, SecretSlot::Session] {
                    let _ = blocking_secret_erase(&self.keychain, &id, slot).await;
                }
                Err(e)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn save_tenant(
        &self,
        id: &str,
        name: &str,
        client: &Client,
        auth_kind: AuthKind,
        account: Option<String>,
        secret: &Secret,
        user: &SessionUser,
        read_only: bool,
        ca_pem: Option<&str>,
    ) -> ConsoleResult<Tenant> {
        blocking_secret_write(&self.keychain, id, SecretSlot::Credential, secret).await?;
        if auth_kind == AuthKind::Password {
            blocking_secret_write(&self.keychain, id, SecretSlot::Session, &user.token).await?;
        }
        let tenant = self
            .store
            .insert_tenant(&NewTenant {
                id: id.to_owned(),
                name: name.to_owned(),
                base_url: client.base_url().to_string(),
                auth_kind,
                account,
                read_only,
                ca_pem: ca_pem.map(str::to_owned),
            })
            .await?;
        Ok(tenant)
    }

    /// Chooses the tenant later commands act on by default.
    pub async fn use_tenant(&self, name: &str) -> ConsoleResult<TenantView> {
        let tenant = self.store.tenant(name).await?;
        self.store.set_current_tenant(Some(&tenant.id)).await?;
        Ok(TenantView::from_tenant(tenant, true))
    }

    /// Removes a tenant and erases its secrets from the keychain.
    pub async fn remove_tenant(&self, name: &str) -> ConsoleResult<RemovedTenant> {
        if let Some(eph) = self.ephemeral_tenant(name) {
            return Err(ConsoleError::Invalid(format!(
                "{} exists only while the app runs; it goes when the app closes",
                eph.view.name
            )));
        }
        let tenant = self.store.tenant(name).await?;
        let mut warning = None;
        for slot in [SecretSlot::Credential, SecretSlot::Session] {
            if let Err(e) = blocking_secret_erase(&self.keychain, &tenant.id, slot).await {
                warning = Some(format!(
                    "its secrets could not be erased from the keychain: {e}"
                ));
            }
        }
        self.store.remove_tenant(&tenant.id).await?;
        self.forget(&tenant.id);
        Ok(RemovedTenant {
            name: tenant.name,
            keychain_warning: warning,
        })
    }

    /// Registers an in-process deployment for this run only; its secrets stay in memory.
    pub(crate) fn register_ephemeral(&self, view: TenantView, credential: Credential) {
        let mut list = Self::lock(&self.ephemeral);
        list.retain(|t| t.view.id != view.id);
        list.push(crate::EphemeralTenant { view, credential });
    }
}
