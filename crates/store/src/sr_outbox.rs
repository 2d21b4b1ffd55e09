//! The Service Request outbox: a request is stored before it is sent; a send claims its row in
//! a commit of its own first (`queued` → `sending`, only one claimer wins, so the desktop and
//! clooctl never send the same row together); the outcome is recorded after. A row left
//! `sending` by a crash becomes `unknown`, never `queued`: it may have arrived.

use crate::{Store, StoreError};

/// One request in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    /// Its id (also the reference inside the request's text).
    pub id: String,
    /// The console tenant.
    pub tenant_id: String,
    /// Its name when submitted.
    pub tenant_name: String,
    /// `deployment` or `direct`.
    pub route: String,
    /// The central instance (direct route).
    pub central_url: Option<String>,
    /// The JSON body that is sent (no secret).
    pub body: String,
    /// The title, for lists.
    pub title: String,
    /// `queued`, `sending`, `sent`, `failed`, `unknown`.
    pub state: String,
    /// Attempts so far.
    pub attempts: i64,
    /// Epoch ms.
    pub created_at: i64,
    /// Epoch ms of the next attempt (queued rows).
    pub next_attempt_at: i64,
    /// Epoch ms of the claim (sending rows).
    pub claimed_at: Option<i64>,
    /// Epoch ms of delivery.
    pub sent_at: Option<i64>,
    /// Why the last attempt did not deliver it.
    pub last_error: Option<String>,
}

type Row = (
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

/// The columns every query reads, in [`Row`]'s order (a macro: sqlx takes only literal SQL).
macro_rules! columns {
    () => {
        "id, tenant_id, tenant_name, route, central_url, body, title, state, attempts, \
         created_at, next_attempt_at, claimed_at, sent_at, last_error"
    };
}

fn row(r: Row) -> OutboxRow {
    OutboxRow {
        id: r.0,
        tenant_id: r.1,
        tenant_name: r.2,
        route: r.3,
        central_url: r.4,
        body: r.5,
        title: r.6,
        state: r.7,
        attempts: r.8,
        created_at: r.9,
        next_attempt_at: r.10,
        claimed_at: r.11,
        sent_at: r.12,
        last_error: r.13,
    }
}

impl Store {
    /// Stores a new request (`queued`, due at once).
    pub async fn add_to_outbox(&self, r: &OutboxRow) -> Result<(), StoreError> {
        sqlx::query(concat!(
            "INSERT INTO sr_outbox (",
            columns!(),
            ") VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, NULL, NULL, NULL)"
        ))
        .bind(&r.id)
        .bind(&r.tenant_id)
        .bind(&r.tenant_name)
        .bind(&r.route)
        .bind(&r.central_url)
        .bind(&r.body)
        .bind(&r.title)
        .bind(r.created_at)
        .bind(r.next_attempt_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One request.
    pub async fn outbox_row(&self, id: &str) -> Result<Option<OutboxRow>, StoreError> {
        let r: Option<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM sr_outbox WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(r.map(row))
    }

    /// Every request, newest first (of one tenant when given).
    pub async fn outbox(&self, tenant_id: Option<&str>) -> Result<Vec<OutboxRow>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM sr_outbox WHERE (? IS NULL OR tenant_id = ?) ORDER BY created_at DESC, id"
        ))
        .bind(tenant_id)
        .bind(tenant_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(row).collect())
    }

    /// The queued requests due by `now` (epoch ms), oldest first.
    pub async fn outbox_due(&self, now: i64) -> Result<Vec<OutboxRow>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM sr_outbox WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id"
        ))
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(row).collect())
    }

    /// Claims a queued request for sending; `false` when it is not queued any more (another
    /// process claimed it, or it was settled).
    pub async fn claim_outbox_row(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE sr_outbox SET state = 'sending', claimed_at = ?, attempts = attempts + 1 \
             WHERE id = ? AND state = 'queued'",
        )
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a send's outcome: `sent` (with the time), `queued` again (due at
    /// `next_attempt_at`), `failed` or `unknown`, with the reason.
    pub async fn settle_outbox_row(
        &self,
        id: &str,
        state: &str,
        next_attempt_at: i64,
        sent_at: Option<i64>,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sr_outbox SET state = ?, next_attempt_at = ?, sent_at = ?, last_error = ?, claimed_at = NULL \
             WHERE id = ?",
        )
        .bind(state)
        .bind(next_attempt_at)
        .bind(sent_at)
        .bind(error)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Rows claimed before `claimed_before` and never settled (a crash mid-send) become
    /// `unknown`; returns how many.
    pub async fn settle_abandoned_sends(&self, claimed_before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE sr_outbox SET state = 'unknown', claimed_at = NULL, \
             last_error = 'the console stopped while sending it: it may have arrived' \
             WHERE state = 'sending' AND claimed_at < ?",
        )
        .bind(claimed_before)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Where a tenant's direct requests go, if set.
    pub async fn sr_direct_url(&self, tenant_id: &str) -> Result<Option<String>, StoreError> {
        let r: Option<(String,)> =
            sqlx::query_as("SELECT central_url FROM sr_direct WHERE tenant_id = ?")
                .bind(tenant_id)
                .fetch_optional(self.pool())
                .await?;
        Ok(r.map(|r| r.0))
    }

    /// Sets (or, with `None`, clears) where a tenant's direct requests go.
    pub async fn set_sr_direct_url(
        &self,
        tenant_id: &str,
        url: Option<&str>,
    ) -> Result<(), StoreError> {
        match url {
            Some(url) => {
                sqlx::query(
                    "INSERT OR REPLACE INTO sr_direct (tenant_id, central_url) VALUES (?, ?)",
                )
                .bind(tenant_id)
                .bind(url)
                .execute(self.pool())
                .await?
            }
            None => {
                sqlx::query("DELETE FROM sr_direct WHERE tenant_id = ?")
                    .bind(tenant_id)
                    .execute(self.pool())
                    .await?
            }
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(id: &str) -> OutboxRow {
        OutboxRow {
            id: id.into(),
            tenant_id: "t1".into(),
            tenant_name: "Acme".into(),
            route: "direct".into(),
            central_url: Some("https://central.example".into()),
            body: "{}".into(),
            title: "Quota".into(),
            state: "queued".into(),
            attempts: 0,
            created_at: 1_000,
            next_attempt_at: 1_000,
            claimed_at: None,
            sent_at: None,
            last_error: None,
        }
    }

    #[tokio::test]
    async fn only_one_claimer_sends_and_a_send_left_open_becomes_unknown_not_queued() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).await.expect("open");
        store.add_to_outbox(&request("a")).await.expect("add");
        assert_eq!(store.outbox_due(1_000).await.expect("due").len(), 1);
        assert!(store.claim_outbox_row("a", 2_000).await.expect("claim"));
        assert!(
            !store
                .claim_outbox_row("a", 2_001)
                .await
                .expect("second claim"),
            "claimed once"
        );
        assert!(
            store.outbox_due(10_000).await.expect("due").is_empty(),
            "a claimed row is not due"
        );
        // The process dies here. A later start settles it, but only once the claim is old.
        assert_eq!(store.settle_abandoned_sends(1_500).await.expect("young"), 0);
        assert_eq!(store.settle_abandoned_sends(2_500).await.expect("old"), 1);
        let row = store.outbox_row("a").await.expect("read").expect("row");
        assert_eq!((row.state.as_str(), row.attempts), ("unknown", 1));
        assert!(
            store.outbox_due(i64::MAX).await.expect("due").is_empty(),
            "never retried by itself"
        );
        assert!(!store.claim_outbox_row("a", 3_000).await.expect("claim"));
    }
}
