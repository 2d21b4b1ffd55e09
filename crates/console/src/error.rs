//! The console's errors: one code per refusal the shells must tell apart, the fields each code
//! carries, and a neutral English sentence. Each shell words a code in its own language: the CLI
//! names its flags and picks the exit code ([`ErrorCode::is_guard`] → 3), the desktop formats
//! the code and its fields from its message catalogue.

use cloo_api::{ApiError, AuthFailure, KnownDetail};
use cloo_domain::admin::RoleChangeRefusal;
use cloo_domain::guard::DeletionRefusal;
use cloo_store::{KeychainError, StoreError};
use serde::Serialize;
use ts_rs::TS;

/// What the automation variables are, for messages that offer them.
pub const ENV_ALTERNATIVE: &str =
    "CLOOSPHERE_URL with CLOOSPHERE_API_KEY (or CLOOSPHERE_EMAIL and CLOOSPHERE_PASSWORD)";

/// Every kind of failure a shell must tell apart. Crosses IPC as a string union and is the
/// `code` of clooctl's JSON errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// No credential, or the deployment no longer accepts it.
    NotAuthenticated,
    /// Sign-in refused: wrong e-mail or password.
    WrongCredentials,
    /// Signed in, but the role or delegated permission is not enough.
    Forbidden,
    /// Signed in with an account that is not an admin.
    NotAdmin,
    /// The thing named does not exist (user, group, unit, tenant, plan…).
    NotFound,
    /// Bad input: the field or position says where.
    Validation,
    /// It exists already (a tenant name, an e-mail).
    Conflict,
    /// The server refused the request for a reason of its own.
    Rejected,
    /// The deployment changed since the plan was made: nothing was written.
    StalePlan,
    /// The plan deletes more than the threshold allows without an allowance: nothing was written.
    DeletionThreshold,
    /// A role change the rules refuse (own role, the first user, not a role).
    RoleChangeRefused,
    /// The typed confirmation does not match: nothing was written.
    ConfirmationMismatch,
    /// A settings write would have lost, moved or misused a secret the server masks: nothing
    /// was sent.
    SecretWouldBeLost,
    /// The tenant is read-only in this console: nothing was sent.
    ReadOnlyTenant,
    /// No OS keychain is reachable.
    KeychainUnavailable,
    /// The keychain answered with an error.
    Keychain,
    /// The deployment cannot be reached.
    Network,
    /// The TLS handshake failed (untrusted certificate).
    Tls,
    /// The deployment did not answer in time.
    Timeout,
    /// The deployment failed (5xx).
    Server,
    /// The deployment answered outside the contract.
    UnexpectedResponse,
    /// Stopped on request: `applied` and `resume` say what was done and how to finish.
    Cancelled,
    /// A fault stopped a change part-way: `applied` and `resume` say what was done and how to
    /// finish.
    Interrupted,
    /// No tenant was named and none is current.
    NoTenant,
    /// A stored tenant has no credential in the keychain.
    MissingCredential,
    /// The local database failed.
    Store,
    /// A bug in the console.
    Internal,
}

impl ErrorCode {
    /// A safety guard refused the change before anything was written: clooctl exits 3 for
    /// these, so scripts can tell "safely refused" from "broken".
    pub fn is_guard(self) -> bool {
        matches!(
            self,
            ErrorCode::StalePlan
                | ErrorCode::DeletionThreshold
                | ErrorCode::ReadOnlyTenant
                | ErrorCode::ConfirmationMismatch
                | ErrorCode::SecretWouldBeLost
        )
    }

    /// The wire name (`stale_plan`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotAuthenticated => "not_authenticated",
            ErrorCode::WrongCredentials => "wrong_credentials",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotAdmin => "not_admin",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Validation => "validation",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Rejected => "rejected",
            ErrorCode::StalePlan => "stale_plan",
            ErrorCode::DeletionThreshold => "deletion_threshold",
            ErrorCode::RoleChangeRefused => "role_change_refused",
            ErrorCode::ConfirmationMismatch => "confirmation_mismatch",
            ErrorCode::SecretWouldBeLost => "secret_would_be_lost",
            ErrorCode::ReadOnlyTenant => "read_only_tenant",
            ErrorCode::KeychainUnavailable => "keychain_unavailable",
            ErrorCode::Keychain => "keychain",
            ErrorCode::Network => "network",
            ErrorCode::Tls => "tls",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Server => "server",
            ErrorCode::UnexpectedResponse => "unexpected_response",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Interrupted => "interrupted",
            ErrorCode::NoTenant => "no_tenant",
            ErrorCode::MissingCredential => "missing_credential",
            ErrorCode::Store => "store",
            ErrorCode::Internal => "internal",
        }
    }
}

/// Why a role change is refused, as a shell words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RoleChangeReason {
    /// Nobody changes their own role.
    OwnRole,
    /// The first user's role is fixed.
    FirstUser,
    /// Not admin, user or pending.
    UnknownRole,
}

impl From<&RoleChangeRefusal> for RoleChangeReason {
    fn from(r: &RoleChangeRefusal) -> Self {
        match r {
            RoleChangeRefusal::OwnRole => RoleChangeReason::OwnRole,
            RoleChangeRefusal::FirstUser => RoleChangeReason::FirstUser,
            RoleChangeRefusal::UnknownRole(_) => RoleChangeReason::UnknownRole,
        }
    }
}

/// What a change stopped part-way did, and how to finish it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PartialChange {
    /// What was applied before it stopped, in one sentence.
    pub applied: String,
    /// How to finish: re-running the same apply continues and never duplicates.
    pub resume: String,
}

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
    Store(StoreError),
    /// Bad input. `field` names the input (`email`, `role`, `limit`…), `position` a place in a
    /// file (`users.csv:12`, `$.units[2].id`).
    #[error("{message}")]
    Validation {
        /// The input at fault.
        field: Option<String>,
        /// Where in a file.
        position: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// The thing named does not exist.
    #[error("{message}")]
    NotFound {
        /// What kind of thing (`user`, `group`, `unit`, `tenant`, `plan`, `organization`).
        what: &'static str,
        /// How it was named.
        key: String,
        /// One sentence.
        message: String,
    },
    /// It exists already.
    #[error("{message}")]
    Conflict {
        /// The input at fault.
        field: Option<String>,
        /// One sentence.
        message: String,
    },
    /// The deployment changed since the plan was made.
    #[error("{message}")]
    StalePlan {
        /// The plan.
        plan_id: String,
        /// What changed (a few keys).
        changed: Vec<String>,
        /// How many things changed.
        changed_count: usize,
        /// One sentence.
        message: String,
    },
    /// Too many deletions without an allowance.
    #[error("{0}")]
    DeletionThreshold(DeletionRefusal),
    /// A role change the rules refuse.
    #[error("{0}")]
    RoleChange(RoleChangeRefusal),
    /// The typed confirmation does not match.
    #[error("to confirm, type exactly: {expected}")]
    ConfirmationMismatch {
        /// What must be typed.
        expected: String,
    },
    /// A settings write refused before anything was sent: a field that cannot be written, or
    /// a secret the server would lose, move or misuse.
    #[error("{}", crate::settings::describe_refusals(section, refusals))]
    SettingsRefused {
        /// The section.
        section: String,
        /// Every reason, field by field.
        refusals: Vec<cloo_domain::settings::WriteRefusal>,
    },
    /// A notification-channel save refused before anything was sent: a bad edit, or a secret
    /// the server would lose or put back from another channel.
    #[error("{}", crate::notifications::describe_refusals(refusals))]
    ChannelsRefused {
        /// Every reason, channel by channel.
        refusals: Vec<cloo_domain::notifications::ChannelRefusal>,
    },
    /// Writes to this tenant are refused in the console.
    #[error("{tenant} is read-only in this console: nothing was sent to it")]
    ReadOnlyTenant {
        /// The tenant's name.
        tenant: String,
    },
    /// Stopped on request.
    #[error("cancelled: {}. {}", .0.applied, .0.resume)]
    Cancelled(PartialChange),
    /// A fault stopped a change part-way.
    #[error("{cause}. Stopped part-way: {}. {}", .progress.applied, .progress.resume)]
    Interrupted {
        /// The fault.
        cause: Box<ConsoleError>,
        /// What was done and how to finish.
        progress: PartialChange,
    },
    /// Signed in, but the account is not an admin.
    #[error("signed in as {email}, whose role is {role}: the console needs an admin account")]
    NotAdmin {
        /// The account.
        email: String,
        /// Its role.
        role: String,
    },
    /// No tenant was named and none is current.
    #[error("no tenant selected: choose one, or set {ENV_ALTERNATIVE}")]
    NoTenant,
    /// A stored tenant has no credential in the keychain.
    #[error(
        "the keychain holds no credential for tenant {0:?}: give its credential again (edit the tenant)"
    )]
    MissingCredential(String),
    /// Microsoft (sign-in or Graph) failed; `call` names the Graph call when there is one.
    #[error("{message}")]
    Microsoft {
        /// How the shells tell it (wrong_credentials, forbidden, network, server, …).
        code: ErrorCode,
        /// The Graph call (`GET /groups/{id}/members`).
        call: Option<String>,
        /// Graph's HTTP status.
        status: Option<u16>,
        /// One sentence.
        message: String,
    },
    /// Something inside the console went wrong.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ConsoleError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NameTaken(name) => ConsoleError::Conflict {
                field: Some("name".into()),
                message: format!("a tenant named {name:?} already exists"),
            },
            StoreError::UnknownTenant(name) => ConsoleError::NotFound {
                what: "tenant",
                message: format!("no tenant named {name:?}"),
                key: name,
            },
            other => ConsoleError::Store(other),
        }
    }
}

impl From<DeletionRefusal> for ConsoleError {
    fn from(r: DeletionRefusal) -> Self {
        ConsoleError::DeletionThreshold(r)
    }
}

impl From<RoleChangeRefusal> for ConsoleError {
    fn from(r: RoleChangeRefusal) -> Self {
        ConsoleError::RoleChange(r)
    }
}

impl ConsoleError {
    /// Bad input in a named field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ConsoleError::Validation {
            field: Some(field.to_owned()),
            position: None,
            message: message.into(),
        }
    }

    /// Bad input at a position in a file.
    pub fn invalid_at(position: impl Into<String>, message: impl Into<String>) -> Self {
        ConsoleError::Validation {
            field: None,
            position: Some(position.into()),
            message: message.into(),
        }
    }

    /// A failure after writes were made (reading back, recording): the deployment has changed,
    /// so the error says what was written (`applied`) and how to finish, instead of looking
    /// like nothing happened.
    pub fn after_writes(cause: ConsoleError, applied: String, resume: &str) -> Self {
        ConsoleError::Interrupted {
            cause: Box::new(cause),
            progress: PartialChange {
                applied: format!("{applied}; checking the result failed"),
                resume: resume.to_owned(),
            },
        }
    }

    /// Something named that does not exist.
    pub fn not_found(what: &'static str, key: &str, message: impl Into<String>) -> Self {
        ConsoleError::NotFound {
            what,
            key: key.to_owned(),
            message: message.into(),
        }
    }

    /// The code scripts and the UI tell this error by.
    pub fn code(&self) -> ErrorCode {
        match self {
            ConsoleError::Api(e) => api_code(e),
            ConsoleError::Keychain(KeychainError::Unavailable(_)) => ErrorCode::KeychainUnavailable,
            ConsoleError::Keychain(_) => ErrorCode::Keychain,
            ConsoleError::Store(_) => ErrorCode::Store,
            ConsoleError::Validation { .. } => ErrorCode::Validation,
            ConsoleError::NotFound { .. } => ErrorCode::NotFound,
            ConsoleError::Conflict { .. } => ErrorCode::Conflict,
            ConsoleError::StalePlan { .. } => ErrorCode::StalePlan,
            ConsoleError::DeletionThreshold(_) => ErrorCode::DeletionThreshold,
            ConsoleError::RoleChange(_) => ErrorCode::RoleChangeRefused,
            ConsoleError::ConfirmationMismatch { .. } => ErrorCode::ConfirmationMismatch,
            ConsoleError::ReadOnlyTenant { .. } => ErrorCode::ReadOnlyTenant,
            ConsoleError::ChannelsRefused { refusals } => {
                if refusals.iter().any(|r| {
                    matches!(
                        r.problem,
                        cloo_domain::notifications::ChannelProblem::SecretMustBeTyped { .. }
                    )
                }) {
                    ErrorCode::SecretWouldBeLost
                } else {
                    ErrorCode::Validation
                }
            }
            ConsoleError::SettingsRefused { refusals, .. } => {
                use cloo_domain::settings::WriteRefusal as R;
                if refusals.iter().any(|r| {
                    matches!(
                        r,
                        R::SecretNeeded { .. } | R::ShortSecret { .. } | R::SecretWouldMove { .. }
                    )
                }) {
                    ErrorCode::SecretWouldBeLost
                } else {
                    ErrorCode::Validation
                }
            }
            ConsoleError::Cancelled(_) => ErrorCode::Cancelled,
            ConsoleError::Interrupted { .. } => ErrorCode::Interrupted,
            ConsoleError::NotAdmin { .. } => ErrorCode::NotAdmin,
            ConsoleError::NoTenant => ErrorCode::NoTenant,
            ConsoleError::MissingCredential(_) => ErrorCode::MissingCredential,
            ConsoleError::Microsoft { code, .. } => *code,
            ConsoleError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The form that crosses IPC and clooctl's `-o json` errors: the code, the sentence, and
    /// the fields of that code.
    pub fn view(&self) -> ErrorView {
        let mut view = ErrorView {
            code: self.code(),
            message: self.to_string(),
            ..ErrorView::default()
        };
        match self {
            ConsoleError::Validation {
                field, position, ..
            } => {
                view.field = field.clone();
                view.position = position.clone();
            }
            ConsoleError::Conflict { field, .. } => view.field = field.clone(),
            ConsoleError::NotFound { what, key, .. } => {
                view.what = Some((*what).to_owned());
                view.key = Some(key.clone());
            }
            ConsoleError::StalePlan {
                plan_id,
                changed,
                changed_count,
                ..
            } => {
                view.plan_id = Some(plan_id.clone());
                view.changed = Some(changed.clone());
                view.changed_count = Some(*changed_count);
            }
            ConsoleError::DeletionThreshold(r) => {
                view.deletes = Some(r.deletes);
                view.threshold = Some(r.threshold);
                view.existing = Some(r.existing);
            }
            ConsoleError::RoleChange(r) => view.reason = Some(RoleChangeReason::from(r)),
            ConsoleError::ConfirmationMismatch { expected } => {
                view.expected = Some(expected.clone());
            }
            ConsoleError::ReadOnlyTenant { tenant } => view.tenant = Some(tenant.clone()),
            ConsoleError::ChannelsRefused { refusals } => {
                view.what = refusals.first().map(|r| r.channel.clone());
                view.field = refusals.first().and_then(|r| r.field.clone());
                view.channel_refusals = Some(refusals.clone());
            }
            ConsoleError::SettingsRefused { section, refusals } => {
                view.what = Some(section.clone());
                view.field = refusals.first().map(|r| r.path().to_owned());
                view.refusals = Some(refusals.clone());
            }
            ConsoleError::Cancelled(p) => view.partial = Some(p.clone()),
            ConsoleError::Interrupted { cause, progress } => {
                view.partial = Some(progress.clone());
                view.cause = Some(cause.code());
            }
            ConsoleError::Api(e) => view.status = api_status(e),
            ConsoleError::NotAdmin { role, .. } => view.role = Some(role.clone()),
            ConsoleError::Microsoft { call, status, .. } => {
                view.what = Some("microsoft".into());
                view.key = call.clone();
                view.status = *status;
            }
            _ => {}
        }
        view
    }
}

/// An error as the UI and clooctl's JSON show it: `code`, `message`, and only the fields that
/// code carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ErrorView {
    /// What kind of failure.
    pub code: ErrorCode,
    /// One neutral English sentence (the shells word the code themselves where they can).
    pub message: String,
    /// `validation`, `conflict`: the input at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
    /// `validation`: where in a file (`file:line`, a JSONPath).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub position: Option<String>,
    /// `not_found`: what kind of thing.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub what: Option<String>,
    /// `not_found`: how it was named.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub key: Option<String>,
    /// `stale_plan`: the plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub plan_id: Option<String>,
    /// `stale_plan`: a few of the things that changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub changed: Option<Vec<String>>,
    /// `stale_plan`: how many changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub changed_count: Option<usize>,
    /// `deletion_threshold`: deletions in the plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub deletes: Option<usize>,
    /// `deletion_threshold`: the most allowed without an allowance.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub threshold: Option<usize>,
    /// `deletion_threshold`: how many exist.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub existing: Option<usize>,
    /// `role_change_refused`: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reason: Option<RoleChangeReason>,
    /// `confirmation_mismatch`: what must be typed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub expected: Option<String>,
    /// `read_only_tenant`: the tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tenant: Option<String>,
    /// `cancelled`, `interrupted`: what was applied and how to finish.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub partial: Option<PartialChange>,
    /// `interrupted`: the fault's own code.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub cause: Option<ErrorCode>,
    /// HTTP status, for errors the deployment answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub status: Option<u16>,
    /// `not_admin`: the account's role.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub role: Option<String>,
    /// A refused settings write: every field and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub refusals: Option<Vec<cloo_domain::settings::WriteRefusal>>,
    /// A refused notification-channel save: every channel and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub channel_refusals: Option<Vec<cloo_domain::notifications::ChannelRefusal>>,
}

impl Default for ErrorView {
    fn default() -> Self {
        ErrorView {
            code: ErrorCode::Internal,
            message: String::new(),
            field: None,
            position: None,
            what: None,
            key: None,
            plan_id: None,
            changed: None,
            changed_count: None,
            deletes: None,
            threshold: None,
            existing: None,
            reason: None,
            expected: None,
            tenant: None,
            partial: None,
            cause: None,
            status: None,
            role: None,
            refusals: None,
            channel_refusals: None,
        }
    }
}

impl ErrorView {
    /// An error made by a shell itself (a missing IPC argument, say).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorView {
            code,
            message: message.into(),
            ..ErrorView::default()
        }
    }
}

impl From<ConsoleError> for ErrorView {
    fn from(e: ConsoleError) -> Self {
        e.view()
    }
}

fn api_code(e: &ApiError) -> ErrorCode {
    match e {
        ApiError::InvalidUrl { .. } => ErrorCode::Validation,
        ApiError::Network { .. } => ErrorCode::Network,
        ApiError::Tls { .. } => ErrorCode::Tls,
        ApiError::Timeout { .. } => ErrorCode::Timeout,
        ApiError::NotAuthenticated { .. } => ErrorCode::NotAuthenticated,
        ApiError::Forbidden { .. } => ErrorCode::Forbidden,
        ApiError::NotFound { .. } => ErrorCode::NotFound,
        ApiError::Validation { .. } => ErrorCode::Validation,
        ApiError::Rejected { .. } => match e.known() {
            Some(KnownDetail::InvalidCredentials) => ErrorCode::WrongCredentials,
            Some(KnownDetail::EmailTaken) => ErrorCode::Conflict,
            Some(
                KnownDetail::InvalidEmailFormat
                | KnownDetail::PasswordTooLong
                | KnownDetail::PasswordTooWeak,
            ) => ErrorCode::Validation,
            _ => ErrorCode::Rejected,
        },
        ApiError::Server { .. } => ErrorCode::Server,
        ApiError::UnexpectedResponse { .. } => ErrorCode::UnexpectedResponse,
    }
}

fn api_status(e: &ApiError) -> Option<u16> {
    match e {
        ApiError::Forbidden { status, .. }
        | ApiError::NotFound { status, .. }
        | ApiError::Rejected { status, .. }
        | ApiError::Server { status, .. }
        | ApiError::UnexpectedResponse { status, .. } => Some(*status),
        ApiError::Validation { .. } => Some(422),
        ApiError::NotAuthenticated {
            reason: AuthFailure::Missing,
            ..
        } => Some(403),
        ApiError::NotAuthenticated { .. } => Some(401),
        _ => None,
    }
}

fn describe_api(e: &ApiError) -> String {
    match e {
        ApiError::Network { host, cause } => {
            format!("cannot reach {host}: {cause}. Check the URL and that the deployment is running")
        }
        ApiError::Tls { host, cause } => format!(
            "TLS failure with {host}: {cause}. The certificate is not trusted; if the deployment \
             uses a private CA, give its certificate"
        ),
        ApiError::Timeout { host } => format!("{host} did not answer in time"),
        ApiError::NotAuthenticated {
            reason: AuthFailure::SessionExpired,
            ..
        } => "the deployment did not accept the credential (unknown API key, or the account was deleted)".to_owned(),
        ApiError::NotAuthenticated { detail, .. } => format!("not signed in: {detail}"),
        ApiError::Forbidden { detail, .. } if e.known() == Some(KnownDetail::AccessProhibited) => {
            format!("not allowed: the account lacks the admin role or permission ({detail})")
        }
        ApiError::Rejected { .. } if e.is_wrong_credentials() => {
            "wrong e-mail or password".to_owned()
        }
        other => other.to_string(),
    }
}

fn describe_keychain(e: &KeychainError) -> String {
    match e {
        KeychainError::Unavailable(cause) => format!(
            "no OS keychain is reachable ({cause}). Secrets are never written to disk: unlock or \
             start your keychain (on Linux a Secret Service such as gnome-keyring), or use \
             {ENV_ALTERNATIVE}"
        ),
        other => other.to_string(),
    }
}

/// Use-case result.
pub type ConsoleResult<T> = Result<T, ConsoleError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_guards_are_guards() {
        let guards = [
            ErrorCode::SecretWouldBeLost,
            ErrorCode::StalePlan,
            ErrorCode::DeletionThreshold,
            ErrorCode::ReadOnlyTenant,
            ErrorCode::ConfirmationMismatch,
        ];
        for code in guards {
            assert!(code.is_guard(), "{code:?}");
        }
        for code in [
            ErrorCode::Validation,
            ErrorCode::Network,
            ErrorCode::Cancelled,
            ErrorCode::RoleChangeRefused,
        ] {
            assert!(!code.is_guard(), "{code:?}");
        }
    }

    #[test]
    fn the_wire_name_is_the_serialized_name() {
        for code in [
            ErrorCode::NotAuthenticated,
            ErrorCode::StalePlan,
            ErrorCode::UnexpectedResponse,
            ErrorCode::ReadOnlyTenant,
        ] {
            assert_eq!(
                serde_json::to_value(code).expect("json"),
                serde_json::json!(code.as_str())
            );
        }
    }

    #[test]
    fn a_deletion_refusal_carries_its_numbers() {
        let e = ConsoleError::from(DeletionRefusal {
            deletes: 7,
            existing: 30,
            threshold: 3,
        });
        let json = serde_json::to_value(e.view()).expect("json");
        assert_eq!(json["code"], "deletion_threshold");
        assert_eq!(json["deletes"], 7);
        assert_eq!(json["threshold"], 3);
        assert!(json.get("field").is_none(), "only its own fields: {json}");
    }

    #[test]
    fn server_refusals_are_classified_by_their_detail() {
        let taken = ConsoleError::from(ApiError::from_response(
            "/api/v1/auths/add",
            400,
            br#"{"detail":"Uh-oh! This email is already registered. Sign in with your existing account or choose another email to start anew."}"#,
        ));
        assert_eq!(taken.code(), ErrorCode::Conflict);
        let wrong = ConsoleError::from(ApiError::from_response(
            "/api/v1/auths/signin",
            400,
            br#"{"detail":"The email or password provided is incorrect. Please check for typos and try logging in again."}"#,
        ));
        assert_eq!(wrong.code(), ErrorCode::WrongCredentials);
        assert_eq!(wrong.view().status, Some(400));
    }
}
