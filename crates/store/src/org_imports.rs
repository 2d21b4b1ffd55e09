//! Organization import plans, their apply journal, and the last organization state read from
//! each deployment (for planning offline).

use crate::{Store, StoreError};

/// A stored plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    /// Plan id.
    pub id: String,
    /// The console tenant it was made for.
    pub tenant_id: String,
    /// The organization's `tenant_id` in the file.
    pub org_tenant_id: String,
    /// The imported file's name.
    pub file_name: String,
    /// Epoch seconds.
    pub created_at: i64,
    /// The plan document (JSON).
    pub document: String,
}

/// One journal line of an apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// Order within the plan's journal.
    pub seq: i64,
    /// Epoch seconds.
    pub at: i64,
    /// What happened.
    pub step: String,
    /// Detail (counters, unit keys, an error).
    pub detail: String,
}

impl Store {
    /// Saves (or replaces) a plan.
    pub async fn save_org_plan(&self, plan: &StoredPlan) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT OR REPLACE INTO org_plans (id, tenant_id, org_tenant_id, file_name, created_at, document) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&plan.id)
        .bind(&plan.tenant_id)
        .bind(&plan.org_tenant_id)
        .bind(&plan.file_name)
        .bind(plan.created_at)
        .bind(&plan.document)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One plan by id.
    pub async fn org_plan(&self, id: &str) -> Result<Option<StoredPlan>, StoreError> {
        let row: Option<(String, String, String, String, i64, String)> = sqlx::query_as(
            "SELECT id, tenant_id, org_tenant_id, file_name, created_at, document FROM org_plans WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(
            |(id, tenant_id, org_tenant_id, file_name, created_at, document)| StoredPlan {
                id,
                tenant_id,
                org_tenant_id,
                file_name,
                created_at,
                document,
            },
        ))
    }

    /// Appends a journal line to a plan's apply journal.
    pub async fn journal_org_apply(
        &self,
        plan_id: &str,
        at: i64,
        step: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO org_apply_journal (plan_id, seq, at, step, detail) \
             VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM org_apply_journal WHERE plan_id = ?), ?, ?, ?)",
        )
        .bind(plan_id)
        .bind(plan_id)
        .bind(at)
        .bind(step)
        .bind(detail)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A plan's apply journal, oldest first.
    pub async fn org_apply_journal(&self, plan_id: &str) -> Result<Vec<JournalEntry>, StoreError> {
        let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT seq, at, step, detail FROM org_apply_journal WHERE plan_id = ? ORDER BY seq",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, at, step, detail)| JournalEntry {
                seq,
                at,
                step,
                detail,
            })
            .collect())
    }

    /// Keeps the last organization state read from a deployment.
    pub async fn save_org_snapshot(
        &self,
        tenant_id: &str,
        org_tenant_id: &str,
        taken_at: i64,
        state: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT OR REPLACE INTO org_snapshots (tenant_id, org_tenant_id, taken_at, state) VALUES (?, ?, ?, ?)",
        )
        .bind(tenant_id)
        .bind(org_tenant_id)
        .bind(taken_at)
        .bind(state)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The last organization state read, with when (epoch seconds).
    pub async fn org_snapshot(
        &self,
        tenant_id: &str,
        org_tenant_id: &str,
    ) -> Result<Option<(i64, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT taken_at, state FROM org_snapshots WHERE tenant_id = ? AND org_tenant_id = ?",
        )
        .bind(tenant_id)
        .bind(org_tenant_id)
        .fetch_optional(self.pool())
        .await?)
    }
}
