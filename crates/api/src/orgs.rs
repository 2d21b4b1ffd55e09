//! The organizations router (organizations.md): the parts user management reads.

use crate::client::segment;
use crate::{ApiError, Client};
use cloo_domain::Secret;
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
}
