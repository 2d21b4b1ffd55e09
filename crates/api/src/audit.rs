//! Audit log endpoints (audit-logs.md): the filtered, paged list, one entry, a resource's
//! history, what one user did, access-control changes, authentication events, the stats, and
//! the vocabularies present in the data. Read-only: the server has no export, no delete.

use crate::client::{Client, segment};
use crate::error::ApiError;
use cloo_domain::Secret;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// One audit row (`AuditLogModel`). States are the server's masked snapshots, kept as JSON.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct AuditLog {
    /// Id (UUID).
    pub id: String,
    /// The actor (null for anonymous actions).
    #[serde(default)]
    pub user_id: Option<String>,
    /// The actor's e-mail, kept when the user is gone (for a failed login: the e-mail tried).
    #[serde(default)]
    pub user_email: Option<String>,
    /// The actor's name, kept when the user is gone.
    #[serde(default)]
    pub user_name: Option<String>,
    /// `user`, `group`, `admin_settings`, `auth`…
    pub resource_type: String,
    /// The affected object's id.
    #[serde(default)]
    pub resource_id: Option<String>,
    /// Its name at the time.
    #[serde(default)]
    pub resource_name: Option<String>,
    /// `CREATE`, `UPDATE`, `ROLE_CHANGE`, `LOGIN`…
    pub action: String,
    /// Before (the deleted row; `{"role": old}` for a role change).
    #[serde(default)]
    pub before_state: Option<Value>,
    /// After.
    #[serde(default)]
    pub after_state: Option<Value>,
    /// Changed top-level fields (empty for every hook-written UPDATE).
    #[serde(default)]
    pub changed_fields: Option<Vec<String>>,
    /// Sharing diff (never filled in practice).
    #[serde(default)]
    pub access_control_changes: Option<Value>,
    /// Client address.
    #[serde(default)]
    pub ip_address: Option<String>,
    /// Client user agent.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Request path.
    #[serde(default)]
    pub request_path: Option<String>,
    /// Never filled.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// Extra data (`{"success": bool}` for auth events…).
    #[serde(default)]
    pub meta: Option<Value>,
    /// Epoch seconds.
    pub created_at: i64,
}

/// A page of the list.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct AuditPage {
    /// The rows, newest first.
    pub items: Vec<AuditLog>,
    /// Rows matching.
    pub total: u64,
    /// This page.
    pub page: u32,
    /// Rows per page.
    pub limit: u32,
    /// Pages in all.
    pub total_pages: u64,
}

/// Counts by action and by resource type.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct AuditStats {
    /// Action → rows.
    pub by_action: BTreeMap<String, u64>,
    /// Resource type → rows.
    pub by_resource_type: BTreeMap<String, u64>,
    /// Rows matching.
    pub total: u64,
}

impl Client {
    /// `GET /api/v1/audit-logs/` with `params` (from `cloo_domain::audit::AuditQuery`).
    pub async fn audit_logs(
        &self,
        token: &Secret,
        params: &[(&str, String)],
    ) -> Result<AuditPage, ApiError> {
        self.get("api/v1/audit-logs/", Some(token), params).await
    }

    /// `GET /api/v1/audit-logs/{id}` (404 `Audit log not found`).
    pub async fn audit_log(&self, token: &Secret, id: &str) -> Result<AuditLog, ApiError> {
        self.get(
            &format!("api/v1/audit-logs/{}", segment(id)),
            Some(token),
            &[],
        )
        .await
    }

    /// `GET /api/v1/audit-logs/resources/{type}/{id}`: one resource's history (the type must
    /// be one of `cloo_domain::audit::AUDITED_RESOURCE_TYPES`, else 400).
    pub async fn audit_resource_history(
        &self,
        token: &Secret,
        resource_type: &str,
        resource_id: &str,
        limit: u32,
    ) -> Result<Vec<AuditLog>, ApiError> {
        let path = format!(
            "api/v1/audit-logs/resources/{}/{}",
            segment(resource_type),
            segment(resource_id)
        );
        self.get(&path, Some(token), &[("limit", limit.to_string())])
            .await
    }

    /// `GET /api/v1/audit-logs/users/{id}`: what one user did (as the actor).
    pub async fn audit_user_actions(
        &self,
        token: &Secret,
        user_id: &str,
        limit: u32,
    ) -> Result<Vec<AuditLog>, ApiError> {
        let path = format!("api/v1/audit-logs/users/{}", segment(user_id));
        self.get(&path, Some(token), &[("limit", limit.to_string())])
            .await
    }

    /// `GET /api/v1/audit-logs/access-control-changes` (always empty on the current server).
    pub async fn audit_access_control_changes(
        &self,
        token: &Secret,
        limit: u32,
    ) -> Result<Vec<AuditLog>, ApiError> {
        self.get(
            "api/v1/audit-logs/access-control-changes",
            Some(token),
            &[("limit", limit.to_string())],
        )
        .await
    }

    /// `GET /api/v1/audit-logs/auth`: sign-ins, failed sign-ins and sign-outs.
    pub async fn audit_auth_events(
        &self,
        token: &Secret,
        user_id: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AuditLog>, ApiError> {
        let mut query = vec![("limit", limit.to_string())];
        if let Some(u) = user_id {
            query.push(("target_user_id", u.to_owned()));
        }
        self.get("api/v1/audit-logs/auth", Some(token), &query)
            .await
    }

    /// `GET /api/v1/audit-logs/stats` with the filters of `params`.
    pub async fn audit_stats(
        &self,
        token: &Secret,
        params: &[(&str, String)],
    ) -> Result<AuditStats, ApiError> {
        self.get("api/v1/audit-logs/stats", Some(token), params)
            .await
    }

    /// `GET /api/v1/audit-logs/actions`: the actions present (for filter lists).
    pub async fn audit_actions(&self, token: &Secret) -> Result<Vec<String>, ApiError> {
        self.get("api/v1/audit-logs/actions", Some(token), &[])
            .await
    }

    /// `GET /api/v1/audit-logs/resource-types`: the resource types present.
    pub async fn audit_resource_types(&self, token: &Secret) -> Result<Vec<String>, ApiError> {
        self.get("api/v1/audit-logs/resource-types", Some(token), &[])
            .await
    }
}
