//! Secrets in the OS keychain: Keychain on macOS, Credential Manager on Windows, the Secret
//! Service on Linux (through the `keyring` crate).
//!
//! Each tenant has two slots, keyed by the tenant's id: the credential used to sign in (a
//! password or an API key) and the current session token. When no keychain is reachable the
//! calls fail with [`KeychainError::Unavailable`]; nothing ever falls back to a file.
//!
//! The calls block (D-Bus, Security framework, Win32): run them off the async executor.

use cloo_domain::Secret;
use std::collections::HashMap;
use std::sync::Mutex;

/// The keychain service name under which the console files its secrets.
pub const KEYCHAIN_SERVICE: &str = "com.cloosphere.console";

/// Windows caps one credential at 2560 bytes (UTF-16); stay well below on every platform.
pub const MAX_SECRET_BYTES: usize = 1200;

/// Which secret of a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretSlot {
    /// The password or API key used to sign in.
    Credential,
    /// The session token (a JWT), renewed by signing in again.
    Session,
    /// The Entra app's client secret.
    EntraClientSecret,
    /// The key that seals the Entra certificate's private key in the store.
    EntraSealingKey,
    /// A secret an admin filed under a name for settings documents (`keychain:NAME`); the
    /// "tenant id" it is read with is that name.
    Named,
    /// The customer's Service Request key (`sr-…`), for requests sent straight to Cloocus.
    SrKey,
}

impl SecretSlot {
    fn label(self) -> &'static str {
        match self {
            SecretSlot::Credential => "credential",
            SecretSlot::Session => "session",
            SecretSlot::EntraClientSecret => "entra-client-secret",
            SecretSlot::EntraSealingKey => "entra-sealing-key",
            SecretSlot::Named => "named",
            SecretSlot::SrKey => "sr-key",
        }
    }
}

/// Keychain failures.
#[derive(Debug, Clone, thiserror::Error)]
pub enum KeychainError {
    /// No keychain can be reached (no Secret Service on the session bus, locked, denied).
    #[error("no OS keychain is reachable ({0})")]
    Unavailable(String),
    /// The value is too long for every platform's keychain.
    #[error("the secret is {0} bytes, over the keychain limit of {MAX_SECRET_BYTES}")]
    TooLong(usize),
    /// Any other keychain failure.
    #[error("keychain error: {0}")]
    Failure(String),
}

/// Where secrets are kept. Implementations must never write a secret to a file.
pub trait SecretStore: Send + Sync + std::fmt::Debug {
    /// Reads a secret; `None` when there is none.
    fn read(&self, tenant_id: &str, slot: SecretSlot) -> Result<Option<Secret>, KeychainError>;
    /// Writes (replaces) a secret.
    fn write(&self, tenant_id: &str, slot: SecretSlot, value: &Secret)
    -> Result<(), KeychainError>;
    /// Deletes a secret; succeeds when there was none.
    fn erase(&self, tenant_id: &str, slot: SecretSlot) -> Result<(), KeychainError>;
    /// Checks that the store can be used, without touching any secret.
    fn probe(&self) -> Result<(), KeychainError> {
        Ok(())
    }
}

/// The operating system's keychain.
#[derive(Debug, Clone)]
pub struct OsKeychain {
    service: String,
}

impl Default for OsKeychain {
    fn default() -> Self {
        OsKeychain {
            service: KEYCHAIN_SERVICE.to_owned(),
        }
    }
}

/// Overrides the keychain service name (tests use it to keep their entries apart).
pub const KEYCHAIN_SERVICE_ENV: &str = "CLOOCTL_KEYCHAIN_SERVICE";

impl OsKeychain {
    /// The keychain under [`KEYCHAIN_SERVICE`], or the name in [`KEYCHAIN_SERVICE_ENV`].
    pub fn from_env() -> Self {
        match std::env::var(KEYCHAIN_SERVICE_ENV) {
            Ok(service) if !service.is_empty() => OsKeychain { service },
            _ => OsKeychain::default(),
        }
    }

    /// The keychain under a custom service name.
    pub fn with_service(service: impl Into<String>) -> Self {
        OsKeychain {
            service: service.into(),
        }
    }

    fn entry(&self, tenant_id: &str, slot: SecretSlot) -> Result<keyring::Entry, KeychainError> {
        let user = match slot {
            SecretSlot::Named => format!("named/{tenant_id}"),
            _ => format!("tenant/{tenant_id}/{}", slot.label()),
        };
        keyring::Entry::new(&self.service, &user).map_err(classify)
    }
}

fn classify(e: keyring::Error) -> KeychainError {
    match e {
        keyring::Error::NoDefaultStore => {
            KeychainError::Unavailable("the platform keychain could not be opened".into())
        }
        keyring::Error::NoStorageAccess(cause) => KeychainError::Unavailable(cause.to_string()),
        keyring::Error::PlatformFailure(cause) => {
            let text = cause.to_string();
            let lower = text.to_ascii_lowercase();
            let unreachable = [
                "dbus",
                "d-bus",
                "connection",
                "address",
                "prompt",
                "locked",
                "no such",
            ]
            .iter()
            .any(|w| lower.contains(w));
            if unreachable {
                KeychainError::Unavailable(text)
            } else {
                KeychainError::Failure(text)
            }
        }
        keyring::Error::TooLong(_, len) => KeychainError::TooLong(len as usize),
        other => KeychainError::Failure(other.to_string()),
    }
}

impl SecretStore for OsKeychain {
    fn read(&self, tenant_id: &str, slot: SecretSlot) -> Result<Option<Secret>, KeychainError> {
        match self.entry(tenant_id, slot)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    fn write(
        &self,
        tenant_id: &str,
        slot: SecretSlot,
        value: &Secret,
    ) -> Result<(), KeychainError> {
        if value.expose().len() > MAX_SECRET_BYTES {
            return Err(KeychainError::TooLong(value.expose().len()));
        }
        self.entry(tenant_id, slot)?
            .set_password(value.expose())
            .map_err(classify)
    }

    fn erase(&self, tenant_id: &str, slot: SecretSlot) -> Result<(), KeychainError> {
        match self.entry(tenant_id, slot)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e)),
        }
    }

    fn probe(&self) -> Result<(), KeychainError> {
        match self.entry("probe", SecretSlot::Session)?.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e)),
        }
    }
}

/// Secrets held in this process's memory only, gone at exit: for the in-process sandbox and for
/// sessions built from environment variables. Never persisted.
#[derive(Debug, Default)]
pub struct MemorySecrets {
    values: Mutex<HashMap<(String, SecretSlot), Secret>>,
}

impl SecretStore for MemorySecrets {
    fn read(&self, tenant_id: &str, slot: SecretSlot) -> Result<Option<Secret>, KeychainError> {
        let values = self
            .values
            .lock()
            .map_err(|e| KeychainError::Failure(e.to_string()))?;
        Ok(values.get(&(tenant_id.to_owned(), slot)).cloned())
    }

    fn write(
        &self,
        tenant_id: &str,
        slot: SecretSlot,
        value: &Secret,
    ) -> Result<(), KeychainError> {
        if value.expose().len() > MAX_SECRET_BYTES {
            return Err(KeychainError::TooLong(value.expose().len()));
        }
        let mut values = self
            .values
            .lock()
            .map_err(|e| KeychainError::Failure(e.to_string()))?;
        values.insert((tenant_id.to_owned(), slot), value.clone());
        Ok(())
    }

    fn erase(&self, tenant_id: &str, slot: SecretSlot) -> Result<(), KeychainError> {
        let mut values = self
            .values
            .lock()
            .map_err(|e| KeychainError::Failure(e.to_string()))?;
        values.remove(&(tenant_id.to_owned(), slot));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_secrets_hold_no_more_than_a_windows_credential_would() {
        let store = MemorySecrets::default();
        let long = Secret::new("k".repeat(MAX_SECRET_BYTES + 1));
        assert!(matches!(
            store.write("t1", SecretSlot::EntraClientSecret, &long),
            Err(KeychainError::TooLong(n)) if n == MAX_SECRET_BYTES + 1
        ));
        assert_eq!(
            store
                .read("t1", SecretSlot::EntraClientSecret)
                .expect("read"),
            None
        );
        let fits = Secret::new("k".repeat(MAX_SECRET_BYTES));
        store
            .write("t1", SecretSlot::EntraSealingKey, &fits)
            .expect("at the limit");
    }

    #[test]
    fn memory_secrets_keep_slots_apart() {
        let store = MemorySecrets::default();
        store
            .write("t1", SecretSlot::Credential, &Secret::new("pw"))
            .expect("write");
        store
            .write("t1", SecretSlot::Session, &Secret::new("jwt"))
            .expect("write");
        assert_eq!(
            store.read("t1", SecretSlot::Credential).expect("read"),
            Some(Secret::new("pw"))
        );
        assert_eq!(
            store.read("t2", SecretSlot::Credential).expect("read"),
            None
        );
        store.erase("t1", SecretSlot::Session).expect("erase");
        assert_eq!(store.read("t1", SecretSlot::Session).expect("read"), None);
        store
            .erase("t1", SecretSlot::Session)
            .expect("erasing twice is fine");
    }

    #[test]
    fn over_long_secrets_are_refused_before_the_keychain_is_touched() {
        let long = Secret::new("x".repeat(MAX_SECRET_BYTES + 1));
        let err = OsKeychain::with_service("unused")
            .write("t", SecretSlot::Session, &long)
            .expect_err("too long");
        assert!(matches!(err, KeychainError::TooLong(_)));
    }
}
