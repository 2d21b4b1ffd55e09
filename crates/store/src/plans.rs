//! Stored plans of every kind, the steps of their applies (what lets an interrupted apply resume),
//! and the last organization state read from each deployment (for planning offline).

use crate::{Store, StoreError};

/// A stored plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlan {
    /// Plan id.
    pub id: String,
    /// `org_import`, `user_import`, `users_bulk`, `defaults`.
    pub kind: String,
    /// The console tenant it was made for.
    pub tenant_id: String,
    /// Epoch seconds.
    pub created_at: i64,
    /// A file name or a short description.
    pub title: String,
    /// The plan document (JSON).
    pub document: String,
}

/// One step of a plan's apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStep {
    /// Order within the plan's steps.
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
    pub async fn save_plan(&self, plan: &StoredPlan) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT OR REPLACE INTO plans (id, kind, tenant_id, created_at, title, document) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&plan.id)
        .bind(&plan.kind)
        .bind(&plan.tenant_id)
        .bind(plan.created_at)
        .bind(&plan.title)
        .bind(&plan.document)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One plan by id.
    pub async fn plan(&self, id: &str) -> Result<Option<StoredPlan>, StoreError> {
        let row: Option<(String, String, String, i64, String, String)> = sqlx::query_as(
            "SELECT id, kind, tenant_id, created_at, title, document FROM plans WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(
            |(id, kind, tenant_id, created_at, title, document)| StoredPlan {
                id,
                kind,
                tenant_id,
                created_at,
                title,
                document,
            },
        ))
    }

    /// Forgets a plan and its steps.
    pub async fn delete_plan(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM plans WHERE id = ?")
            .bind(id)
            .execute(self.pool())
            .await?;
        sqlx::query("DELETE FROM plan_steps WHERE plan_id = ?")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Forgets a tenant's older plans whose title starts with `prefix`: the newest `keep` stay,
    /// and so does any plan whose apply reached `started` without reaching `finished` (it may
    /// still be resumed). Returns how many plans went. Scheduled syncs store a plan per run;
    /// without this the store would grow by a whole tree every time.
    pub async fn prune_plans(
        &self,
        tenant_id: &str,
        prefix: &str,
        keep: u32,
        started: &str,
        finished: &str,
    ) -> Result<usize, StoreError> {
        let doomed: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM plans WHERE tenant_id = ? AND substr(title, 1, length(?)) = ? \
             AND id NOT IN (SELECT id FROM plans WHERE tenant_id = ? AND substr(title, 1, length(?)) = ? \
                            ORDER BY created_at DESC, rowid DESC LIMIT ?) \
             AND id NOT IN (SELECT plan_id FROM plan_steps WHERE step = ? \
                            AND plan_id NOT IN (SELECT plan_id FROM plan_steps WHERE step = ?))",
        )
        .bind(tenant_id)
        .bind(prefix)
        .bind(prefix)
        .bind(tenant_id)
        .bind(prefix)
        .bind(prefix)
        .bind(i64::from(keep))
        .bind(started)
        .bind(finished)
        .fetch_all(self.pool())
        .await?;
        for (id,) in &doomed {
            self.delete_plan(id).await?;
        }
        Ok(doomed.len())
    }

    /// Appends a step to a plan's apply record.
    pub async fn record_plan_step(
        &self,
        plan_id: &str,
        at: i64,
        step: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO plan_steps (plan_id, seq, at, step, detail) \
             VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM plan_steps WHERE plan_id = ?), ?, ?, ?)",
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

    /// A plan's apply steps, oldest first.
    pub async fn plan_steps(&self, plan_id: &str) -> Result<Vec<PlanStep>, StoreError> {
        let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
            "SELECT seq, at, step, detail FROM plan_steps WHERE plan_id = ? ORDER BY seq",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, at, step, detail)| PlanStep {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: &str, tenant: &str, title: &str, at: i64) -> StoredPlan {
        StoredPlan {
            id: id.into(),
            kind: "org_import".into(),
            tenant_id: tenant.into(),
            created_at: at,
            title: title.into(),
            document: "{}".into(),
        }
    }

    #[tokio::test]
    async fn pruning_keeps_the_newest_plans_and_any_apply_that_may_resume() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).await.expect("open");
        for i in 0..14 {
            let p = plan(&format!("e{i}"), "t1", "entra:org (recommended)", 1_000 + i);
            store.save_plan(&p).await.expect("save");
        }
        // e0 was interrupted half-way (resumable); e1 finished; both are old.
        store
            .record_plan_step("e0", 2_000, "push_started", "")
            .await
            .expect("step");
        store
            .record_plan_step("e1", 2_000, "push_started", "")
            .await
            .expect("step");
        store
            .record_plan_step("e1", 2_001, "verified", "")
            .await
            .expect("step");
        store
            .save_plan(&plan("csv", "t1", "people.csv", 900))
            .await
            .expect("save");
        store
            .save_plan(&plan("other", "t2", "entra:org (parity)", 900))
            .await
            .expect("save");

        let gone = store
            .prune_plans("t1", "entra:", 10, "push_started", "verified")
            .await
            .expect("prune");
        assert_eq!(gone, 3, "e1, e2, e3 go");
        for kept in ["e0", "e4", "e13", "csv", "other"] {
            assert!(
                store.plan(kept).await.expect("read").is_some(),
                "{kept} kept"
            );
        }
        for went in ["e1", "e2", "e3"] {
            assert!(
                store.plan(went).await.expect("read").is_none(),
                "{went} gone"
            );
        }
        assert!(store.plan_steps("e1").await.expect("steps").is_empty());
        assert_eq!(store.plan_steps("e0").await.expect("steps").len(), 1);
    }
}
