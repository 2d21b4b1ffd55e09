//! The IPC surface: each command translates arguments into one `Console` call. Every rule lives
//! in cloo-console and cloo-domain; nothing here decides anything.

pub mod groups;
pub mod imports;
pub mod orgs;
pub mod tenants;
pub mod upload;
pub mod users;

use cloo_console::{Console, ErrorView, Target};
use std::sync::Arc;
use std::time::Instant;

/// What the shell holds: the console and how it was started.
pub struct Shell {
    /// The use cases.
    pub console: Arc<Console>,
    /// Open the in-process sandbox at start.
    pub open_sandbox: bool,
    /// When the process started (for the first-screen timing).
    pub started: Instant,
}

/// A command's answer: the value, or an error the UI can show.
pub type Reply<T> = Result<T, ErrorView>;

/// The deployment a command acts on.
pub fn on(tenant: String) -> Target {
    Target::Tenant(tenant)
}
