//! Tenants: the views and forms of the deployments the console knows, and how a connection is
//! proved. The use cases are one file each: `add`, `edit`, `remove`, `startup` (and choosing),
//! `sandbox` (the in-process demo deployment).

mod add;
mod doctor;
mod edit;
mod remove;
mod sandbox;
mod startup;

pub use doctor::{CheckStatus, DoctorCheck, DoctorReport, KNOWN_QUIRKS};
pub use edit::EditTenantRequest;
pub use sandbox::{
    LocalSandbox, SANDBOX_TENANT_ID, SANDBOX_TENANT_NAME, SandboxFuture, StartedSandbox,
};
pub use startup::WhoAmI;

use crate::Credential;
use crate::error::{ConsoleError, ConsoleResult};
use cloo_api::{ApiError, Client, ClientOptions, SessionUser};
use cloo_domain::Secret;
use cloo_store::{AuthKind, Tenant};
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
    /// An extra CA certificate is trusted for it.
    pub has_ca: bool,
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
            has_ca: t.ca_pem.is_some(),
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

/// The colours a tenant can carry.
pub fn palette() -> Vec<String> {
    cloo_domain::tenant::TENANT_COLOURS
        .iter()
        .map(|c| (*c).to_owned())
        .collect()
}

/// The stored form of a credential: kind, account and the secret for the keychain.
pub(crate) fn stored_form(credential: &Credential) -> (AuthKind, Option<String>, Secret) {
    match credential {
        Credential::Password { email, password } => {
            (AuthKind::Password, Some(email.clone()), password.clone())
        }
        Credential::ApiKey(key) => (AuthKind::ApiKey, None, key.clone()),
    }
}

/// A CA given in a form: trimmed, blank meaning none.
pub(crate) fn given_ca(ca_pem: Option<&str>) -> Option<&str> {
    ca_pem.map(str::trim).filter(|p| !p.is_empty())
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
    /// The colours a tenant can carry.
    pub palette: Vec<String>,
    /// The language the admin chose (`en`, `ko`); `None` follows the OS.
    pub language: Option<String>,
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
    pub(crate) fn credential(&self) -> ConsoleResult<Credential> {
        match self {
            AuthInput::Password { email, password } => {
                let email = email.trim().to_lowercase();
                cloo_domain::check_email_format(&email)
                    .map_err(|e| ConsoleError::invalid("email", e.to_string()))?;
                if password.is_empty() {
                    return Err(ConsoleError::invalid("password", "the password is empty"));
                }
                Ok(Credential::Password {
                    email,
                    password: password.clone(),
                })
            }
            AuthInput::ApiKey { api_key } => {
                let key = api_key.expose().trim();
                if !key.starts_with("sk-") || key.len() < 8 {
                    return Err(ConsoleError::invalid(
                        "api_key",
                        "an API key starts with sk- (create one under Settings > Account on the deployment)",
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
            return Err(ConsoleError::invalid(
                "url",
                format!(
                    "{} answers, but not as a Cloosphere deployment (no /api/config)",
                    client.base_url()
                ),
            ));
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
