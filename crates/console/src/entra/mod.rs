//! Entra ID sync from the admin's machine: a per-tenant profile (how to sign in to Microsoft,
//! where Graph is, the sync options), a read of the directory that fails closed, a plan through
//! the organization-import path (stale-plan refusal, deletion threshold, journal), its apply,
//! and the history of every run.
//!
//! | file | owns |
//! | --- | --- |
//! | `profile.rs` | the profile: set, show, the secrets in the keychain, the sealed private key |
//! | `sync.rs` | test, plan (read → build → org plan), apply, sync |
//! | `history.rs` | the local history of runs |
//! | `view.rs` | what the desktop exchanges: the profile form, the plan's review, the device code |

mod history;
mod profile;
mod sync;
mod view;

pub use history::EntraRun;
pub use profile::{EntraProfileView, ProfileInput, SignInInput};
pub use sync::{EntraPlan, EntraPlanRequest, EntraTestReport, PLANS_KEPT};
pub use view::{DeviceCodeNotice, EntraPlanView, EntraProfileRequest, device_code_prompt};

use crate::error::{ConsoleError, ErrorCode};
use cloo_entra::EntraError;

impl From<EntraError> for ConsoleError {
    fn from(e: EntraError) -> ConsoleError {
        let message = e.to_string();
        let call = e.call().map(str::to_owned);
        let (code, status) = match &e {
            EntraError::Invalid { field, message } => {
                return ConsoleError::Validation {
                    field: Some(field.clone()),
                    position: None,
                    message: format!("{field}: {message}"),
                };
            }
            EntraError::Cancelled => {
                return ConsoleError::Cancelled(crate::error::PartialChange {
                    applied: "the Microsoft read stopped; nothing was planned or written".into(),
                    resume: "run it again".into(),
                });
            }
            EntraError::SignIn { .. }
            | EntraError::DeviceCodeExpired
            | EntraError::DeviceCodeDeclined
            | EntraError::SignInExpired => (ErrorCode::WrongCredentials, None),
            EntraError::Graph { status, .. } => (
                match status {
                    401 | 403 => ErrorCode::Forbidden,
                    404 => ErrorCode::NotFound,
                    400..=499 => ErrorCode::Rejected,
                    _ => ErrorCode::Server,
                },
                Some(*status),
            ),
            EntraError::Network { tls: true, .. } => (ErrorCode::Tls, None),
            EntraError::Network { .. } => (ErrorCode::Network, None),
            EntraError::BadAnswer { .. } => (ErrorCode::UnexpectedResponse, None),
            EntraError::DeltaExpired { status, .. } => (ErrorCode::Conflict, Some(*status)),
        };
        ConsoleError::Microsoft {
            code,
            call,
            status,
            message: format!("{message}. Nothing was planned or written"),
        }
    }
}
