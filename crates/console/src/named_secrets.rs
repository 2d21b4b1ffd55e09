//! Secrets an admin files under a name in the OS keychain for settings documents to refer to
//! (`keychain:NAME`): written once, read when a plan is applied, never shown or stored
//! anywhere else.

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, blocking_secret_erase, blocking_secret_read, blocking_secret_write};
use cloo_domain::Secret;
use cloo_domain::settings::document::is_reference_name;
use cloo_store::SecretSlot;

fn checked(name: &str) -> ConsoleResult<&str> {
    if is_reference_name(name) {
        Ok(name)
    } else {
        Err(ConsoleError::invalid(
            "name",
            format!("{name:?} is not a secret name (letters, digits, _, - and ., at most 128)"),
        ))
    }
}

impl Console {
    /// Files `value` under `name` in the OS keychain (replacing any secret of that name).
    pub async fn set_named_secret(&self, name: &str, value: &Secret) -> ConsoleResult<()> {
        if value.expose().is_empty() {
            return Err(ConsoleError::invalid("secret", "the secret is empty"));
        }
        blocking_secret_write(&self.keychain, checked(name)?, SecretSlot::Named, value).await?;
        Ok(())
    }

    /// Removes the secret filed under `name` (nothing happens when there is none).
    pub async fn remove_named_secret(&self, name: &str) -> ConsoleResult<()> {
        blocking_secret_erase(&self.keychain, checked(name)?, SecretSlot::Named).await?;
        Ok(())
    }

    /// Whether a secret is filed under `name`.
    pub async fn has_named_secret(&self, name: &str) -> ConsoleResult<bool> {
        Ok(self.named_secret(name).await?.is_some())
    }

    /// The secret filed under `name`, if any.
    pub(crate) async fn named_secret(&self, name: &str) -> ConsoleResult<Option<Secret>> {
        Ok(blocking_secret_read(&self.keychain, checked(name)?, SecretSlot::Named).await?)
    }
}
