//! The license router (license-branding.md), as far as the console reads it today: the module
//! map any verified user may read. The admin-only status is not read here: it carries every
//! registered key in full.

use crate::{ApiError, Client};
use cloo_domain::Secret;
use serde::Deserialize;
use std::collections::BTreeMap;

/// `GET /api/v1/license/permissions`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LicensePermissions {
    /// Module → enabled.
    #[serde(default)]
    pub permissions: BTreeMap<String, bool>,
    /// A valid license key is registered.
    #[serde(default)]
    pub has_license: bool,
    /// Its tier.
    #[serde(default)]
    pub tier: Option<String>,
    /// Modules are checked at all (when false every module check passes).
    #[serde(default)]
    pub enforcement_enabled: bool,
}

impl LicensePermissions {
    /// Whether a module's endpoints answer: enforcement off, or the module on.
    pub fn allows(&self, module: &str) -> bool {
        !self.enforcement_enabled || self.permissions.get(module).copied().unwrap_or(false)
    }
}

impl Client {
    /// `GET /api/v1/license/permissions` (verified user).
    pub async fn license_permissions(
        &self,
        token: &Secret,
    ) -> Result<LicensePermissions, ApiError> {
        self.get("api/v1/license/permissions", Some(token), &[])
            .await
    }

    /// `GET /api/v1/users/` with no credential at all: the contract answers 403 `Not
    /// authenticated` (not 401). Used to check that a deployment still behaves so.
    pub async fn probe_without_credential(&self) -> Result<(), ApiError> {
        self.get::<serde_json::Value>("api/v1/users/", None, &[])
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_pass_when_enforcement_is_off_or_they_are_on() {
        let mut p: LicensePermissions = serde_json::from_str(
            r#"{"permissions": {"audit_log": true, "branding": false}, "has_license": true, "tier": "standard", "enforcement_enabled": true, "enhanced_kbsphere": false}"#,
        )
        .expect("parses");
        assert!(p.allows("audit_log"));
        assert!(!p.allows("branding"));
        assert!(!p.allows("unknown"));
        p.enforcement_enabled = false;
        assert!(p.allows("branding"));
    }
}
