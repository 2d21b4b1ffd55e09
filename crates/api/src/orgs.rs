//! The organizations router (organizations.md): organizations, units, OU settings and the JSON
//! import (org-import-format.md).

use crate::client::segment;
use crate::{ApiError, Client};
use cloo_domain::Secret;
use cloo_domain::org::import_plan::{StoredOrg, StoredUnit};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    /// Id.
    pub id: String,
    /// The sync key, unique per deployment.
    pub tenant_id: String,
    /// Name.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Domain.
    #[serde(default)]
    pub domain: Option<String>,
    /// Free-form.
    #[serde(default)]
    pub meta: Option<Value>,
    /// Epoch seconds.
    #[serde(default)]
    pub created_at: i64,
    /// Epoch seconds.
    #[serde(default)]
    pub updated_at: i64,
}

/// An organizational unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgUnit {
    /// Id.
    pub id: String,
    /// Owning organization.
    pub organization_id: String,
    /// Parent id; null or empty = root.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// Name.
    pub name: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Stored depth.
    #[serde(default)]
    pub level: i64,
    /// Free-text type.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The sync key.
    #[serde(default)]
    pub external_id: Option<String>,
    /// Raw member identifiers (any JSON; strings are what count).
    #[serde(default)]
    pub member_ids: Vec<Value>,
    /// `members`, `usage_limit`, guardrails, sync data…
    #[serde(default)]
    pub meta: Option<Value>,
    /// Epoch seconds.
    #[serde(default)]
    pub created_at: i64,
    /// Epoch seconds.
    #[serde(default)]
    pub updated_at: i64,
}

impl Client {
    /// `GET /organizations/`.
    pub async fn organizations(&self, token: &Secret) -> Result<Vec<Organization>, ApiError> {
        self.get("api/v1/organizations/", Some(token), &[]).await
    }

    /// `POST /organizations/` (admin).
    pub async fn create_organization(
        &self,
        token: &Secret,
        body: &Value,
    ) -> Result<Organization, ApiError> {
        self.post("api/v1/organizations/", Some(token), body).await
    }

    /// `GET /organizations/units`: every unit of every organization, by level then name.
    pub async fn org_units(&self, token: &Secret) -> Result<Vec<OrgUnit>, ApiError> {
        self.get("api/v1/organizations/units", Some(token), &[])
            .await
    }

    /// `POST /organizations/units` (admin): stored as given.
    pub async fn create_org_unit(&self, token: &Secret, body: &Value) -> Result<OrgUnit, ApiError> {
        self.post("api/v1/organizations/units", Some(token), body)
            .await
    }

    /// `GET /organizations/units/{id}`.
    pub async fn org_unit(&self, token: &Secret, id: &str) -> Result<OrgUnit, ApiError> {
        self.get(
            &format!("api/v1/organizations/units/{}", segment(id)),
            Some(token),
            &[],
        )
        .await
    }

    /// `GET /organizations/{org_id}/units`: one organization's units (unknown id: empty).
    pub async fn units_of_org(
        &self,
        token: &Secret,
        org_id: &str,
    ) -> Result<Vec<OrgUnit>, ApiError> {
        self.get(
            &format!("api/v1/organizations/{}/units", segment(org_id)),
            Some(token),
            &[],
        )
        .await
    }

    /// `GET /organizations/{org_id}/units/tree`: nodes with `children`.
    pub async fn org_unit_tree(
        &self,
        token: &Secret,
        org_id: &str,
    ) -> Result<Vec<Value>, ApiError> {
        self.get(
            &format!("api/v1/organizations/{}/units/tree", segment(org_id)),
            Some(token),
            &[],
        )
        .await
    }

    /// `POST /organizations/units/{id}`: only non-null fields are applied.
    pub async fn update_org_unit(
        &self,
        token: &Secret,
        id: &str,
        body: &Value,
    ) -> Result<OrgUnit, ApiError> {
        self.post(
            &format!("api/v1/organizations/units/{}", segment(id)),
            Some(token),
            body,
        )
        .await
    }

    /// `DELETE /organizations/units/{id}`: the unit only; children keep a dangling parent.
    pub async fn delete_org_unit(&self, token: &Secret, id: &str) -> Result<Value, ApiError> {
        self.send(
            Method::DELETE,
            &format!("api/v1/organizations/units/{}", segment(id)),
            Some(token),
            &[],
            None::<&()>,
        )
        .await
    }

    /// `GET /organizations/units/{id}/usage-limit`.
    pub async fn org_unit_usage_limit(&self, token: &Secret, id: &str) -> Result<Value, ApiError> {
        self.get(
            &format!("api/v1/organizations/units/{}/usage-limit", segment(id)),
            Some(token),
            &[],
        )
        .await
    }

    /// `POST /organizations/units/{id}/usage-limit`: replaces the whole per-model map.
    pub async fn set_org_unit_usage_limit(
        &self,
        token: &Secret,
        id: &str,
        per_model: &Value,
    ) -> Result<Value, ApiError> {
        self.post(
            &format!("api/v1/organizations/units/{}/usage-limit", segment(id)),
            Some(token),
            &serde_json::json!({"per_model": per_model}),
        )
        .await
    }

    /// `GET /organizations/units/{id}/guardrails`.
    pub async fn org_unit_guardrails(&self, token: &Secret, id: &str) -> Result<Value, ApiError> {
        self.get(
            &format!("api/v1/organizations/units/{}/guardrails", segment(id)),
            Some(token),
            &[],
        )
        .await
    }

    /// `POST /organizations/units/{id}/guardrails`: always sends both fields (an omitted
    /// `follow_global` would turn inheritance off).
    pub async fn set_org_unit_guardrails(
        &self,
        token: &Secret,
        id: &str,
        guardrail_ids: &[String],
        follow_global: bool,
    ) -> Result<Value, ApiError> {
        self.post(
            &format!("api/v1/organizations/units/{}/guardrails", segment(id)),
            Some(token),
            &serde_json::json!({"guardrail_ids": guardrail_ids, "follow_global": follow_global}),
        )
        .await
    }

    /// `GET /organizations/units/{id}/permissions` (admin): resources shared with the unit or an
    /// ancestor.
    pub async fn org_unit_permissions(
        &self,
        token: &Secret,
        id: &str,
    ) -> Result<UnitPermissions, ApiError> {
        self.get(
            &format!("api/v1/organizations/units/{}/permissions", segment(id)),
            Some(token),
            &[],
        )
        .await
    }

    /// `GET /guardrails/list`: the guardrails the caller may use (all of them for an admin).
    pub async fn guardrails(&self, token: &Secret) -> Result<Vec<GuardrailSummary>, ApiError> {
        self.get("api/v1/guardrails/list", Some(token), &[]).await
    }

    /// `POST /organizations/sync/json`: the import. No dry run, no transaction. The server
    /// writes unit by unit before answering, so a large import is given up to an hour.
    pub async fn import_organization<B: serde::Serialize + ?Sized>(
        &self,
        token: &Secret,
        body: &B,
    ) -> Result<ImportResult, ApiError> {
        self.send_within(
            Method::POST,
            "api/v1/organizations/sync/json",
            Some(token),
            &[],
            Some(body),
            Some(IMPORT_TIMEOUT),
        )
        .await
    }
}

/// How long an import may take before the console stops waiting for the answer.
pub const IMPORT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3600);

/// The answer of an import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportResult {
    /// Always true on 200.
    #[serde(default)]
    pub success: bool,
    /// The counters.
    pub result: ImportCounters,
}

/// Counters of an import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportCounters {
    /// The organization: `created` and `updated` (0 or 1).
    pub organization: std::collections::BTreeMap<String, u64>,
    /// Units `created`, `updated`, `deleted`.
    pub units: std::collections::BTreeMap<String, u64>,
}

impl From<OrgUnit> for StoredUnit {
    fn from(u: OrgUnit) -> Self {
        StoredUnit {
            id: u.id,
            parent_id: u.parent_id,
            name: u.name,
            display_name: u.display_name,
            description: u.description,
            level: u.level,
            kind: u.kind,
            external_id: u.external_id,
            member_ids: u.member_ids,
            meta: u.meta,
        }
    }
}

impl From<Organization> for StoredOrg {
    fn from(o: Organization) -> Self {
        StoredOrg {
            id: o.id,
            tenant_id: o.tenant_id,
            name: o.name,
            display_name: o.display_name,
            domain: o.domain,
            meta: o.meta,
        }
    }
}

/// One resource shared with a unit (organizations.md #18).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceGrant {
    /// Resource id.
    pub id: String,
    /// Name (a prompt's title).
    pub name: String,
    /// Description, for the kinds that have one.
    #[serde(default)]
    pub description: Option<String>,
    /// Read granted (to the unit or an ancestor).
    pub read: bool,
    /// Write granted.
    pub write: bool,
    /// A match came from an ancestor.
    pub inherited: bool,
}

/// Resources shared with a unit, by kind (`knowledge`, `tools`, `prompts`, `models`,
/// `databases`, `glossaries`, `guardrails`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitPermissions {
    /// The unit.
    pub unit_id: String,
    /// `display_name or name`.
    pub unit_name: String,
    /// Grants by resource kind.
    pub permissions: std::collections::BTreeMap<String, Vec<ResourceGrant>>,
    /// The unit and its ancestors, nearest first.
    #[serde(default)]
    pub ancestor_ids: Vec<String>,
}

/// A guardrail, as the picker needs it (the server sends many more fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuardrailSummary {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}
