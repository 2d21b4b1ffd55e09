//! How far each tenant's new-inquiry notice has looked, so a restart does not announce the
//! same inquiries again.

use crate::{Store, StoreError};

impl Store {
    /// The newest inquiry creation time the notice has seen for a tenant.
    pub async fn inquiries_seen_up_to(&self, tenant_id: &str) -> Result<Option<i64>, StoreError> {
        let r: Option<(i64,)> =
            sqlx::query_as("SELECT seen_up_to FROM inquiry_watch WHERE tenant_id = ?")
                .bind(tenant_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(r.map(|r| r.0))
    }

    /// Records how far the notice has seen.
    pub async fn set_inquiries_seen_up_to(
        &self,
        tenant_id: &str,
        seen_up_to: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT OR REPLACE INTO inquiry_watch (tenant_id, seen_up_to) VALUES (?, ?)")
            .bind(tenant_id)
            .bind(seen_up_to)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
