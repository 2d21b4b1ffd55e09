//! The audit log's rows: written best-effort by the routes that the server audits, read with
//! the list's filters (resource types and actions as any-of lists, the actor by id when it is a
//! UUID, else by a case-insensitive part of the actor's name), newest first.

use super::Db;
use serde_json::{Value, json};

/// One row as stored.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct AuditRow {
    pub id: String,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    pub user_name: Option<String>,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub resource_name: Option<String>,
    pub action: String,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub changed_fields: Option<String>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub request_path: Option<String>,
    pub meta: Option<String>,
    pub created_at: i64,
}

impl AuditRow {
    /// The row as the API answers it.
    pub fn json(&self) -> Value {
        let parsed = |t: &Option<String>| {
            t.as_deref()
                .and_then(|t| serde_json::from_str::<Value>(t).ok())
                .unwrap_or(Value::Null)
        };
        json!({
            "id": self.id, "user_id": self.user_id, "user_email": self.user_email,
            "user_name": self.user_name, "resource_type": self.resource_type,
            "resource_id": self.resource_id, "resource_name": self.resource_name,
            "action": self.action, "before_state": parsed(&self.before_state),
            "after_state": parsed(&self.after_state), "changed_fields": parsed(&self.changed_fields),
            "access_control_changes": null, "ip_address": self.ip_address,
            "user_agent": self.user_agent, "request_path": self.request_path,
            "organization_id": null, "meta": parsed(&self.meta), "created_at": self.created_at,
        })
    }
}

/// The list's filters, as the server reads them.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub resource_types: Vec<String>,
    pub resource_id: Option<String>,
    pub actions: Vec<String>,
    /// An actor id (exact).
    pub actor_id: Option<String>,
    /// A part of the actor's name (lower-cased).
    pub actor_name: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl AuditFilter {
    fn matches(&self, r: &AuditRow) -> bool {
        (self.resource_types.is_empty() || self.resource_types.contains(&r.resource_type))
            && self
                .resource_id
                .as_ref()
                .is_none_or(|id| r.resource_id.as_ref() == Some(id))
            && (self.actions.is_empty() || self.actions.contains(&r.action))
            && self
                .actor_id
                .as_ref()
                .is_none_or(|id| r.user_id.as_ref() == Some(id))
            && self.actor_name.as_ref().is_none_or(|part| {
                r.user_name
                    .as_deref()
                    .is_some_and(|n| n.to_lowercase().contains(part.as_str()))
            })
            && self.from.is_none_or(|f| r.created_at >= f)
            && self.to.is_none_or(|t| r.created_at <= t)
    }
}

impl Db {
    /// Stores rows (one transaction).
    pub async fn insert_audit(&self, rows: &[AuditRow]) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for r in rows {
            sqlx::query(
                "INSERT INTO audit_log (id, user_id, user_email, user_name, resource_type, resource_id, \
                 resource_name, action, before_state, after_state, changed_fields, ip_address, user_agent, \
                 request_path, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&r.id)
            .bind(&r.user_id)
            .bind(&r.user_email)
            .bind(&r.user_name)
            .bind(&r.resource_type)
            .bind(&r.resource_id)
            .bind(&r.resource_name)
            .bind(&r.action)
            .bind(&r.before_state)
            .bind(&r.after_state)
            .bind(&r.changed_fields)
            .bind(&r.ip_address)
            .bind(&r.user_agent)
            .bind(&r.request_path)
            .bind(&r.meta)
            .bind(r.created_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// Every row through `filter`, newest first.
    pub async fn audit_rows(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>, sqlx::Error> {
        let rows: Vec<AuditRow> =
            sqlx::query_as("SELECT * FROM audit_log ORDER BY created_at DESC, id DESC")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().filter(|r| filter.matches(r)).collect())
    }

    /// One row.
    pub async fn audit_row(&self, id: &str) -> Result<Option<AuditRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM audit_log WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }
}
