//! How far the signed-in account may go with settings: an admin writes everything; another
//! account has what its groups grant under `admin.settings` (read: the forms are read-only;
//! write: the delegated sections are writable), and the admin-only sections answer it 401.

use super::Settings;
use crate::Target;
use crate::error::ConsoleResult;
use cloo_domain::Role;
use cloo_domain::permissions::Level;
use serde::Serialize;
use serde_json::Value;
use ts_rs::TS;

/// What the account may do with settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum SettingsAccess {
    /// Read and change (an admin, or `admin.settings` = write).
    Write,
    /// Read only (`admin.settings` = read).
    Read,
    /// Neither.
    None,
}

/// The access a permission value under `admin.settings` gives (`true` counts as write).
pub fn access_of(value: &Value) -> SettingsAccess {
    match value {
        Value::Bool(true) => SettingsAccess::Write,
        Value::String(s) => match Level::parse(s) {
            Some(Level::Write) => SettingsAccess::Write,
            Some(Level::Read) => SettingsAccess::Read,
            _ => SettingsAccess::None,
        },
        _ => SettingsAccess::None,
    }
}

impl Settings<'_> {
    /// The signed-in account's access to settings.
    pub async fn access(&self, target: &Target) -> ConsoleResult<SettingsAccess> {
        let session = self.c.session(target).await?;
        let me = session
            .call(|c, t| async move { c.session_user(&t).await })
            .await?;
        if me.role == Role::Admin {
            return Ok(SettingsAccess::Write);
        }
        let permissions = session
            .call(|c, t| async move { c.my_permissions(&t).await })
            .await?;
        Ok(access_of(&permissions["admin"]["settings"]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn levels_and_the_legacy_true() {
        assert_eq!(access_of(&json!(true)), SettingsAccess::Write);
        assert_eq!(access_of(&json!("write")), SettingsAccess::Write);
        assert_eq!(access_of(&json!("read")), SettingsAccess::Read);
        assert_eq!(access_of(&json!("access")), SettingsAccess::None);
        assert_eq!(access_of(&json!(false)), SettingsAccess::None);
        assert_eq!(access_of(&Value::Null), SettingsAccess::None);
    }
}
