//! Audit logs of a deployment (audit-logs.md): a page of the filtered list, one entry, the
//! counts, and the vocabularies present in the data. Read-only; the filters are checked before
//! anything is sent.

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, Target};
use cloo_api::{AuditLog, AuditPage, AuditStats};
use cloo_domain::audit::{AuditQuery, AuditQueryProblem};

/// The audit use cases.
pub struct Audit<'a> {
    c: &'a Console,
}

impl Console {
    /// The audit use cases.
    pub fn audit(&self) -> Audit<'_> {
        Audit { c: self }
    }
}

fn refused(problems: Vec<AuditQueryProblem>) -> ConsoleError {
    let field = problems
        .first()
        .map(|p| p.field.clone())
        .unwrap_or_default();
    let text: Vec<String> = problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.message))
        .collect();
    ConsoleError::invalid(&field, text.join("; "))
}

impl Audit<'_> {
    /// One page of the rows through `query`, newest first.
    pub async fn page(&self, target: &Target, query: &AuditQuery) -> ConsoleResult<AuditPage> {
        let params = query.list_params().map_err(refused)?;
        let session = self.c.session(target).await?;
        let params = &params;
        session
            .call(|c, t| async move { c.audit_logs(&t, params).await })
            .await
    }

    /// One row in full (its states as the server masked them).
    pub async fn entry(&self, target: &Target, id: &str) -> ConsoleResult<AuditLog> {
        let session = self.c.session(target).await?;
        session
            .call(|c, t| async move { c.audit_log(&t, id).await })
            .await
    }

    /// The counts by action and resource type of the rows through `query`'s filters.
    pub async fn stats(&self, target: &Target, query: &AuditQuery) -> ConsoleResult<AuditStats> {
        let params = query.filter_params().map_err(refused)?;
        let session = self.c.session(target).await?;
        let params = &params;
        session
            .call(|c, t| async move { c.audit_stats(&t, params).await })
            .await
    }

    /// The actions and the resource types present in the data (for filter lists).
    pub async fn vocabulary(&self, target: &Target) -> ConsoleResult<(Vec<String>, Vec<String>)> {
        let session = self.c.session(target).await?;
        let actions = session
            .call(|c, t| async move { c.audit_actions(&t).await })
            .await?;
        let kinds = session
            .call(|c, t| async move { c.audit_resource_types(&t).await })
            .await?;
        Ok((actions, kinds))
    }
}
