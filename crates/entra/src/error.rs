//! What can go wrong talking to Microsoft, each error naming the call that failed.

/// A result of this crate.
pub type EntraResult<T> = Result<T, EntraError>;

/// A failure of sign-in or of a Graph read. A read that fails returns this and nothing else:
/// there is no partial result.
#[derive(Debug, thiserror::Error)]
pub enum EntraError {
    /// A profile setting is not usable.
    #[error("{field}: {message}")]
    Invalid {
        /// The setting (`client_id`, `authority`, `certificate`, …).
        field: String,
        /// Why.
        message: String,
    },
    /// The token endpoint refused the sign-in (the OAuth `error` and its description).
    #[error("sign-in to Microsoft was refused: {error}: {description}")]
    SignIn {
        /// OAuth error code (`invalid_client`, `unauthorized_client`, …).
        error: String,
        /// The endpoint's explanation (AADSTS…).
        description: String,
    },
    /// The device code expired before the admin finished signing in.
    #[error("the device code expired before sign-in finished: sign in again")]
    DeviceCodeExpired,
    /// The admin declined the device-code sign-in.
    #[error("the sign-in was declined")]
    DeviceCodeDeclined,
    /// A delegated token expired and cannot be renewed without a new sign-in.
    #[error("the Microsoft sign-in expired and cannot be renewed: sign in again")]
    SignInExpired,
    /// Graph answered a call with an error status (after retries, where retrying applies).
    #[error("Graph call {call} failed: HTTP {status} {code}: {message}")]
    Graph {
        /// The call, as `GET /groups/{id}/members` with the id filled in.
        call: String,
        /// HTTP status.
        status: u16,
        /// Graph's error code (`Authorization_RequestDenied`, `TooManyRequests`, …).
        code: String,
        /// Graph's message.
        message: String,
        /// How many times it was tried.
        attempts: u32,
    },
    /// The call could not be completed (connection refused or dropped, timeout, DNS, TLS).
    #[error("Graph call {call} could not be completed after {attempts} attempt(s): {cause}")]
    Network {
        /// The call.
        call: String,
        /// What happened.
        cause: String,
        /// How many times it was tried.
        attempts: u32,
        /// A TLS certificate problem rather than a network one.
        tls: bool,
    },
    /// The answer was not the JSON Graph sends.
    #[error("Graph call {call} answered something that is not Graph's JSON ({cause})")]
    BadAnswer {
        /// The call.
        call: String,
        /// The parse error.
        cause: String,
    },
    /// A delta link is no longer accepted; a full read is needed.
    #[error(
        "the delta link of {call} is no longer accepted (HTTP {status} {code}): a full read is needed"
    )]
    DeltaExpired {
        /// The call.
        call: String,
        /// HTTP status.
        status: u16,
        /// Graph's error code (`syncStateNotFound`, …).
        code: String,
    },
    /// The read was cancelled; nothing is returned.
    #[error("the read was cancelled")]
    Cancelled,
}

impl EntraError {
    /// The call the error is about, when it is about one.
    pub fn call(&self) -> Option<&str> {
        match self {
            EntraError::Graph { call, .. }
            | EntraError::Network { call, .. }
            | EntraError::BadAnswer { call, .. }
            | EntraError::DeltaExpired { call, .. } => Some(call),
            _ => None,
        }
    }
}
