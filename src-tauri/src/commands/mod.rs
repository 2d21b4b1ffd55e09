//! The IPC surface. `list.rs` declares every command once; `registry` expands that list into the
//! Tauri commands, the handler list and the TypeScript map; each area module holds the handlers,
//! which translate arguments into one console call. Every rule lives in cloo-console and
//! cloo-domain: nothing here decides anything.

pub mod audit;
pub mod channels;
pub mod declare;
pub mod entra;
pub mod groups;
pub mod imports;
pub mod inquiries;
pub mod journal;
pub mod orgs;
pub mod registry;
pub mod service_requests;
pub mod settings;
pub mod tenants;
pub mod upload;
pub mod users;

use cloo_console::{CancellationToken, Console, ErrorView, Observer, Progress, Target};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tauri::ipc::Channel;

/// What the shell holds: the console, how it was started, and the operations that may be
/// cancelled.
pub struct Shell {
    /// The use cases.
    pub console: Arc<Console>,
    /// Open the in-process sandbox at start.
    pub open_sandbox: bool,
    /// When the process started (for the first-screen timing).
    pub started: Instant,
    /// Cancellation tokens of running operations, by the id the window gave them.
    pub operations: Mutex<HashMap<String, CancellationToken>>,
}

/// A command's answer: the value, or an error the UI can show.
pub type Reply<T> = Result<T, ErrorView>;

/// The deployment a command acts on.
pub fn on(tenant: String) -> Target {
    Target::Tenant(tenant)
}

/// An observer for a short write: nobody watches, nobody cancels.
pub fn quiet() -> Observer {
    Observer::quiet()
}

impl Shell {
    /// An observer that sends progress down `progress` and is cancelled by
    /// `cancel_operation(operation)`; forget it with [`Shell::done`].
    pub fn watch(&self, operation: &str, progress: Channel<Progress>) -> Observer {
        let token = CancellationToken::new();
        self.lock_operations()
            .insert(operation.to_owned(), token.clone());
        Observer::watching(move |p: &Progress| {
            // A closed window cannot watch progress; the operation goes on regardless.
            let _ = progress.send(p.clone());
        })
        .cancelled_by(token)
    }

    /// Forgets a finished operation's token.
    pub fn done(&self, operation: &str) {
        self.lock_operations().remove(operation);
    }

    /// Cancels a running operation; false when none has that id.
    pub fn cancel(&self, operation: &str) -> bool {
        match self.lock_operations().get(operation) {
            Some(token) => {
                token.cancel();
                true
            }
            None => false,
        }
    }

    fn lock_operations(&self) -> std::sync::MutexGuard<'_, HashMap<String, CancellationToken>> {
        self.operations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
