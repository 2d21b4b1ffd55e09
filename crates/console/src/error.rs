//! The console's errors: one line that names the cause and, where it helps, the fix.

use cloo_api::{ApiError, AuthFailure, KnownDetail};
use cloo_store::{KeychainError, StoreError};
use serde::Serialize;
use ts_rs::TS;

/// What the automation variables are, for messages that offer them.
pub const ENV_ALTERNATIVE: &str =
    "CLOOSPHERE_URL with CLOOSPHERE_API_KEY (or CLOOSPHERE_EMAIL and CLOOSPHERE_PASSWORD)";

/// Everything a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// The deployment, or the way to it, failed.
    #[error("{}", describe_api(.0))]
    Api(#[from] ApiError),
    /// The OS keychain failed.
    #[error("{}", describe_keychain(.0))]
    Keychain(#[from] KeychainError),
    /// The local database failed.
    #[error("{0}")]
    Store(#[from] StoreError),
    /// Bad input from the user.
    #[error("{0}")]
    Invalid(String),
    /// Signed in, but the account is not an admin.
    #[error("signed in as {email}, whose role is {role}: the console needs an admin account")]
    NotAdmin {
        /// The account.
        email: String,
        /// Its role.
        role: String,
    },
    /// No tenant was named and none is current.
    #[error(
        "no tenant selected: pass --tenant NAME, run `clooctl tenant use NAME`, or set {ENV_ALTERNATIVE}"
    )]
    NoTenant,
    /// A stored tenant has no credential in the keychain.
    #[error("the keychain holds no credential for tenant {0:?}: remove it and add it again")]
    MissingCredential(String),
    /// Something inside the console went wrong.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ConsoleError {
    /// A stable code for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            ConsoleError::Api(e) => e.code(),
            ConsoleError::Keychain(KeychainError::Unavailable(_)) => "keychain_unavailable",
            ConsoleError::Keychain(_) => "keychain",
            ConsoleError::Store(StoreError::NameTaken(_)) => "name_taken",
            ConsoleError::Store(StoreError::UnknownTenant(_)) => "unknown_tenant",
            ConsoleError::Store(_) => "store",
            ConsoleError::Invalid(_) => "invalid_input",
            ConsoleError::NotAdmin { .. } => "not_admin",
            ConsoleError::NoTenant => "no_tenant",
            ConsoleError::MissingCredential(_) => "missing_credential",
            ConsoleError::Internal(_) => "internal",
        }
    }

    /// The form that crosses IPC.
    pub fn view(&self) -> ErrorView {
        ErrorView {
            code: self.code().to_owned(),
            message: self.to_string(),
        }
    }
}

/// An error as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ErrorView {
    /// Stable machine-readable code (`network`, `tls`, `wrong_credentials`, `not_admin`, …).
    pub code: String,
    /// One line for people.
    pub message: String,
}

impl From<ConsoleError> for ErrorView {
    fn from(e: ConsoleError) -> Self {
        e.view()
    }
}

fn describe_api(e: &ApiError) -> String {
    match e {
        ApiError::Network { host, cause } => {
            format!("cannot reach {host}: {cause}. Check the URL and that the deployment is running")
        }
        ApiError::Tls { host, cause } => format!(
            "TLS failure with {host}: {cause}. The certificate is not trusted; if the deployment \
             uses a private CA, give its certificate (--ca-file)"
        ),
        ApiError::Timeout { host } => format!("{host} did not answer in time"),
        ApiError::NotAuthenticated { reason: AuthFailure::SessionExpired, .. } => {
            "the deployment did not accept the credential (unknown API key, or the account was deleted)".to_owned()
        }
        ApiError::NotAuthenticated { detail, .. } => format!("not signed in: {detail}"),
        ApiError::Forbidden { detail, .. } if e.known() == Some(KnownDetail::AccessProhibited) => {
            format!("not allowed: the account lacks the admin role or permission ({detail})")
        }
        ApiError::Rejected { .. } if e.is_wrong_credentials() => "wrong e-mail or password".to_owned(),
        other => other.to_string(),
    }
}

fn describe_keychain(e: &KeychainError) -> String {
    match e {
        KeychainError::Unavailable(cause) => format!(
            "no OS keychain is reachable ({cause}). Secrets are never written to disk: unlock or \
             start your keychain (on Linux a Secret Service such as gnome-keyring), or use \
             {ENV_ALTERNATIVE} for this command"
        ),
        other => other.to_string(),
    }
}

/// Use-case result.
pub type ConsoleResult<T> = Result<T, ConsoleError>;
