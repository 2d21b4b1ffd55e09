//! The operation journal: every write the console makes or refuses, one row each, with who, when,
//! which tenant, what, before and after, outcome and error code. Rows are opened as `running`
//! before the first request and closed after, so a crash leaves evidence. No secret is ever
//! written here: callers pass values already stripped of them.

use crate::{Store, StoreError};

/// A journal row being opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJournalEntry {
    /// Tenant id.
    pub tenant_id: String,
    /// Tenant name at the time.
    pub tenant_name: String,
    /// The account the console signs in with.
    pub actor: String,
    /// Epoch milliseconds.
    pub started_at: i64,
    /// The operation kind's wire name.
    pub operation: String,
    /// What it acts on.
    pub target: String,
    /// The plan it applies, if any.
    pub plan_id: Option<String>,
}

/// How a journal row ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalOutcome {
    /// Epoch milliseconds.
    pub finished_at: i64,
    /// `done`, `failed`, `refused`, `cancelled` or `interrupted`.
    pub outcome: String,
    /// The error code when it did not succeed.
    pub error_code: Option<String>,
    /// One sentence.
    pub message: String,
    /// The state before (JSON).
    pub before: Option<String>,
    /// The state after (JSON).
    pub after: Option<String>,
    /// The target, when it was only known once the operation ran.
    pub target: Option<String>,
}

/// A journal row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRow {
    /// Row id.
    pub id: i64,
    /// Tenant id.
    pub tenant_id: String,
    /// Tenant name at the time.
    pub tenant_name: String,
    /// Who.
    pub actor: String,
    /// Epoch milliseconds.
    pub started_at: i64,
    /// Epoch milliseconds.
    pub finished_at: Option<i64>,
    /// Operation kind.
    pub operation: String,
    /// Target.
    pub target: String,
    /// Plan applied.
    pub plan_id: Option<String>,
    /// Before (JSON).
    pub before: Option<String>,
    /// After (JSON).
    pub after: Option<String>,
    /// Outcome.
    pub outcome: String,
    /// Error code.
    pub error_code: Option<String>,
    /// Message.
    pub message: String,
}

/// Which rows to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalFilter {
    /// Only this tenant (id).
    pub tenant_id: Option<String>,
    /// Only rows started at or after this (epoch milliseconds).
    pub since: Option<i64>,
    /// Only rows started before this (epoch milliseconds).
    pub until: Option<i64>,
    /// Only these outcomes.
    pub outcomes: Vec<String>,
    /// Only operations starting with this (`user.` for every user operation).
    pub operation_prefix: Option<String>,
    /// Only rows whose target, actor or message contains this (case-insensitive).
    pub text: Option<String>,
    /// Newest first, at most this many.
    pub limit: Option<u32>,
    /// Skip this many (paging).
    pub offset: u32,
}

type RowTuple = (
    i64,
    String,
    String,
    String,
    i64,
    Option<i64>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    String,
);

/// The journal columns in [`RowTuple`] order (a macro so queries stay static strings).
macro_rules! journal_columns {
    () => {
        "id, tenant_id, tenant_name, actor, started_at, finished_at, operation, target, plan_id, \
         before, after, outcome, error_code, message"
    };
}

fn row_of(t: RowTuple) -> JournalRow {
    JournalRow {
        id: t.0,
        tenant_id: t.1,
        tenant_name: t.2,
        actor: t.3,
        started_at: t.4,
        finished_at: t.5,
        operation: t.6,
        target: t.7,
        plan_id: t.8,
        before: t.9,
        after: t.10,
        outcome: t.11,
        error_code: t.12,
        message: t.13,
    }
}

impl Store {
    /// Opens a journal row as `running`; returns its id.
    pub async fn open_journal_entry(&self, entry: &NewJournalEntry) -> Result<i64, StoreError> {
        let id = sqlx::query(
            "INSERT INTO journal (tenant_id, tenant_name, actor, started_at, operation, target, plan_id, outcome) \
             VALUES (?, ?, ?, ?, ?, ?, ?, 'running')",
        )
        .bind(&entry.tenant_id)
        .bind(&entry.tenant_name)
        .bind(&entry.actor)
        .bind(entry.started_at)
        .bind(&entry.operation)
        .bind(&entry.target)
        .bind(&entry.plan_id)
        .execute(self.pool())
        .await?
        .last_insert_rowid();
        Ok(id)
    }

    /// Closes a journal row with its outcome.
    pub async fn close_journal_entry(
        &self,
        id: i64,
        outcome: &JournalOutcome,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE journal SET finished_at = ?, outcome = ?, error_code = ?, message = ?, \
             before = COALESCE(?, before), after = COALESCE(?, after), target = COALESCE(?, target) \
             WHERE id = ?",
        )
        .bind(outcome.finished_at)
        .bind(&outcome.outcome)
        .bind(&outcome.error_code)
        .bind(&outcome.message)
        .bind(&outcome.before)
        .bind(&outcome.after)
        .bind(&outcome.target)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One row.
    pub async fn journal_entry(&self, id: i64) -> Result<Option<JournalRow>, StoreError> {
        let row: Option<RowTuple> = sqlx::query_as(concat!(
            "SELECT ",
            journal_columns!(),
            " FROM journal WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(row_of))
    }

    /// Rows matching `filter`, newest first, and how many match in all.
    pub async fn journal(
        &self,
        filter: &JournalFilter,
    ) -> Result<(Vec<JournalRow>, u64), StoreError> {
        let mut clauses: Vec<String> = Vec::new();
        if filter.tenant_id.is_some() {
            clauses.push("tenant_id = ?".into());
        }
        if filter.since.is_some() {
            clauses.push("started_at >= ?".into());
        }
        if filter.until.is_some() {
            clauses.push("started_at < ?".into());
        }
        if !filter.outcomes.is_empty() {
            clauses.push(format!(
                "outcome IN ({})",
                vec!["?"; filter.outcomes.len()].join(", ")
            ));
        }
        if filter.operation_prefix.is_some() {
            clauses.push("substr(operation, 1, length(?)) = ?".into());
        }
        if filter.text.is_some() {
            clauses.push(
                "(instr(lower(target), ?) > 0 OR instr(lower(actor), ?) > 0 OR instr(lower(message), ?) > 0)"
                    .into(),
            );
        }
        let filter_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        macro_rules! bind_filter {
            ($query:expr) => {{
                let mut q = $query;
                if let Some(t) = &filter.tenant_id {
                    q = q.bind(t.clone());
                }
                if let Some(s) = filter.since {
                    q = q.bind(s);
                }
                if let Some(u) = filter.until {
                    q = q.bind(u);
                }
                for o in &filter.outcomes {
                    q = q.bind(o.clone());
                }
                if let Some(p) = &filter.operation_prefix {
                    q = q.bind(p.clone()).bind(p.clone());
                }
                if let Some(t) = &filter.text {
                    let t = t.to_lowercase();
                    q = q.bind(t.clone()).bind(t.clone()).bind(t);
                }
                q
            }};
        }
        // Audited: the dynamic part is only this function's own clauses, with `?` placeholders;
        // every value is bound.
        let total: i64 = bind_filter!(sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM journal{filter_sql}"
        ))))
        .fetch_one(self.pool())
        .await?;
        let limit = filter.limit.map_or(-1, i64::from);
        let rows: Vec<RowTuple> = bind_filter!(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM journal{filter_sql} ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?",
            journal_columns!()
        ))))
        .bind(limit)
        .bind(i64::from(filter.offset))
        .fetch_all(self.pool())
        .await?;
        Ok((
            rows.into_iter().map(row_of).collect(),
            u64::try_from(total).unwrap_or_default(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(tenant: &str, operation: &str, target: &str, at: i64) -> NewJournalEntry {
        NewJournalEntry {
            tenant_id: tenant.into(),
            tenant_name: tenant.to_uppercase(),
            actor: "admin@example.com".into(),
            started_at: at,
            operation: operation.into(),
            target: target.into(),
            plan_id: None,
        }
    }

    fn closed(outcome: &str, at: i64) -> JournalOutcome {
        JournalOutcome {
            finished_at: at,
            outcome: outcome.into(),
            error_code: (outcome != "done").then(|| "network".into()),
            message: format!("{outcome} at {at}"),
            before: Some(r#"{"role":"user"}"#.into()),
            after: None,
            target: None,
        }
    }

    #[tokio::test]
    async fn rows_open_running_close_with_an_outcome_and_filter_newest_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).await.expect("open");
        let a = store
            .open_journal_entry(&entry("t1", "user.set_role", "kim@example.com", 1_000))
            .await
            .expect("open a");
        assert_eq!(
            store
                .journal_entry(a)
                .await
                .expect("row")
                .expect("a")
                .outcome,
            "running"
        );
        store
            .close_journal_entry(a, &closed("done", 1_100))
            .await
            .expect("close");
        let b = store
            .open_journal_entry(&entry("t2", "group.delete", "Sales", 2_000))
            .await
            .expect("open b");
        store
            .close_journal_entry(b, &closed("failed", 2_050))
            .await
            .expect("close");
        let c = store
            .open_journal_entry(&entry("t1", "user.delete", "lee@example.com", 3_000))
            .await
            .expect("open c");
        store
            .close_journal_entry(c, &closed("refused", 3_001))
            .await
            .expect("close");

        let (all, total) = store.journal(&JournalFilter::default()).await.expect("all");
        assert_eq!(total, 3);
        assert_eq!(all.iter().map(|r| r.id).collect::<Vec<_>>(), [c, b, a]);
        let row = &all[2];
        assert_eq!(row.before.as_deref(), Some(r#"{"role":"user"}"#));
        assert_eq!(row.finished_at, Some(1_100));

        let only = |f: JournalFilter| {
            let store = store.clone();
            async move {
                let (rows, total) = store.journal(&f).await.expect("filtered");
                assert_eq!(rows.len() as u64, total.min(rows.len() as u64));
                rows.into_iter().map(|r| r.id).collect::<Vec<_>>()
            }
        };
        let t1 = JournalFilter {
            tenant_id: Some("t1".into()),
            ..JournalFilter::default()
        };
        assert_eq!(only(t1).await, [c, a]);
        let users = JournalFilter {
            operation_prefix: Some("user.".into()),
            since: Some(2_000),
            ..JournalFilter::default()
        };
        assert_eq!(only(users).await, [c]);
        let failed = JournalFilter {
            outcomes: vec!["failed".into(), "refused".into()],
            text: Some("SALES".into()),
            ..JournalFilter::default()
        };
        assert_eq!(only(failed).await, [b]);
        let page = JournalFilter {
            limit: Some(1),
            offset: 1,
            ..JournalFilter::default()
        };
        let (rows, total) = store.journal(&page).await.expect("page");
        assert_eq!((rows.len(), total, rows[0].id), (1, 3, b));
    }
}
