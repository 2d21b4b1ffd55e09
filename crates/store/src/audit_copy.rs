//! The local copy of each tenant's audit log: rows kept by id (a row pulled twice is kept
//! once), the newest time pulled (where the next pull starts), and searches that need no
//! deployment.

use crate::{Store, StoreError};

/// One copied row: the fields searches use, and the row as the console shows it (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCopyRow {
    /// Row id.
    pub id: String,
    /// Epoch seconds.
    pub created_at: i64,
    /// Action.
    pub action: String,
    /// Resource type.
    pub resource_type: String,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Resource name.
    pub resource_name: Option<String>,
    /// Actor id.
    pub user_id: Option<String>,
    /// Actor e-mail.
    pub user_email: Option<String>,
    /// Actor name.
    pub user_name: Option<String>,
    /// The whole row (secrets masked, credentials cut down).
    pub row: String,
}

/// A search of the copy.
#[derive(Debug, Clone, Default)]
pub struct AuditCopyFilter {
    /// Actions (any of).
    pub actions: Vec<String>,
    /// Resource types (any of).
    pub resource_types: Vec<String>,
    /// A part of the actor's name or e-mail, or of the resource's name or id (any case).
    pub text: Option<String>,
    /// From (epoch seconds).
    pub from: Option<i64>,
    /// To (epoch seconds).
    pub to: Option<i64>,
    /// At most this many (newest first).
    pub limit: i64,
}

impl Store {
    /// Keeps `rows` for `tenant_id` (rows already kept stay as they are); returns how many
    /// were new.
    pub async fn keep_audit_rows(
        &self,
        tenant_id: &str,
        rows: &[AuditCopyRow],
    ) -> Result<u64, StoreError> {
        let mut tx = self.pool().begin().await?;
        let mut added = 0;
        for r in rows {
            let done = sqlx::query(
                "INSERT OR IGNORE INTO audit_copy (tenant_id, id, created_at, action, resource_type, \
                 resource_id, resource_name, user_id, user_email, user_name, row) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(tenant_id)
            .bind(&r.id)
            .bind(r.created_at)
            .bind(&r.action)
            .bind(&r.resource_type)
            .bind(&r.resource_id)
            .bind(&r.resource_name)
            .bind(&r.user_id)
            .bind(&r.user_email)
            .bind(&r.user_name)
            .bind(&r.row)
            .execute(&mut *tx)
            .await?;
            added += done.rows_affected();
        }
        tx.commit().await?;
        Ok(added)
    }

    /// The newest time kept for a tenant (where the next pull starts).
    pub async fn audit_copy_newest(&self, tenant_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT MAX(created_at) FROM audit_copy WHERE tenant_id = ?")
                .bind(tenant_id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// How many rows are kept for a tenant.
    pub async fn audit_copy_count(&self, tenant_id: &str) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_copy WHERE tenant_id = ?")
                .bind(tenant_id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// The kept rows through `filter`, newest first (their JSON), and how many match.
    pub async fn search_audit_copy(
        &self,
        tenant_id: &str,
        filter: &AuditCopyFilter,
    ) -> Result<(Vec<String>, i64), StoreError> {
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM audit_copy");
        where_of(&mut count, tenant_id, filter);
        let total: i64 = count.build_query_scalar().fetch_one(self.pool()).await?;
        let mut rows = sqlx::QueryBuilder::new("SELECT row FROM audit_copy");
        where_of(&mut rows, tenant_id, filter);
        rows.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(filter.limit.max(1));
        let found: Vec<String> = rows.build_query_scalar().fetch_all(self.pool()).await?;
        Ok((found, total))
    }
}

fn where_of(b: &mut sqlx::QueryBuilder<sqlx::Sqlite>, tenant_id: &str, f: &AuditCopyFilter) {
    b.push(" WHERE tenant_id = ")
        .push_bind(tenant_id.to_owned());
    for (column, values) in [("action", &f.actions), ("resource_type", &f.resource_types)] {
        if !values.is_empty() {
            b.push(format!(" AND {column} IN ("));
            let mut list = b.separated(", ");
            for v in values {
                list.push_bind(v.clone());
            }
            b.push(")");
        }
    }
    if let Some(text) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let needle = text.to_lowercase();
        b.push(" AND (");
        let mut any = b.separated(" OR ");
        for column in ["user_name", "user_email", "resource_name", "resource_id"] {
            any.push(format!("instr(lower(coalesce({column}, '')), "))
                .push_bind_unseparated(needle.clone())
                .push_unseparated(") > 0");
        }
        b.push(")");
    }
    if let Some(from) = f.from {
        b.push(" AND created_at >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        b.push(" AND created_at <= ").push_bind(to);
    }
}
