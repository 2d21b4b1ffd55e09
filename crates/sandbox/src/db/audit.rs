//! The audit log's rows: written best-effort by the routes that the server audits, read a page
//! at a time in SQL (a million rows stay quick) with the list's filters (resource types and actions as any-of lists, the actor by id when it is a
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

    /// One row.
    pub async fn audit_row(&self, id: &str) -> Result<Option<AuditRow>, sqlx::Error> {
        sqlx::query_as("SELECT * FROM audit_log WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }
}

impl Db {
    fn audit_where(builder: &mut sqlx::QueryBuilder<sqlx::Sqlite>, f: &AuditFilter) {
        builder.push(" WHERE 1 = 1");
        if !f.resource_types.is_empty() {
            builder.push(" AND resource_type IN (");
            let mut list = builder.separated(", ");
            for t in &f.resource_types {
                list.push_bind(t);
            }
            builder.push(")");
        }
        if let Some(id) = &f.resource_id {
            builder.push(" AND resource_id = ").push_bind(id);
        }
        if !f.actions.is_empty() {
            builder.push(" AND action IN (");
            let mut list = builder.separated(", ");
            for a in &f.actions {
                list.push_bind(a);
            }
            builder.push(")");
        }
        if let Some(id) = &f.actor_id {
            builder.push(" AND user_id = ").push_bind(id);
        }
        if let Some(part) = &f.actor_name {
            builder
                .push(" AND instr(lower(user_name), ")
                .push_bind(part)
                .push(") > 0");
        }
        if let Some(from) = f.from {
            builder.push(" AND created_at >= ").push_bind(from);
        }
        if let Some(to) = f.to {
            builder.push(" AND created_at <= ").push_bind(to);
        }
    }

    /// A page of the rows through `filter` (newest first) and how many there are in all.
    pub async fn audit_page(
        &self,
        filter: &AuditFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditRow>, i64), sqlx::Error> {
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM audit_log");
        Self::audit_where(&mut count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
        let mut page = sqlx::QueryBuilder::new("SELECT * FROM audit_log");
        Self::audit_where(&mut page, filter);
        page.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(limit)
            .push(" OFFSET ")
            .push_bind(offset);
        let rows = page
            .build_query_as::<AuditRow>()
            .fetch_all(&self.pool)
            .await?;
        Ok((rows, total))
    }

    /// Counts of the rows through `filter` by `column` (`action` or `resource_type`).
    pub async fn audit_counts(
        &self,
        filter: &AuditFilter,
        by_action: bool,
    ) -> Result<Vec<(String, i64)>, sqlx::Error> {
        let column = if by_action { "action" } else { "resource_type" };
        let mut q = sqlx::QueryBuilder::new(format!("SELECT {column}, COUNT(*) FROM audit_log"));
        Self::audit_where(&mut q, filter);
        q.push(format!(" GROUP BY {column} ORDER BY {column}"));
        q.build_query_as::<(String, i64)>()
            .fetch_all(&self.pool)
            .await
    }

    /// Up to 500 users as actors for generated rows.
    pub async fn users_for_audit(&self) -> Result<Vec<crate::audit_trail::Actor>, sqlx::Error> {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT id, name, email FROM user ORDER BY created_at LIMIT 500")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, email)| crate::audit_trail::Actor { id, name, email })
            .collect())
    }
}
