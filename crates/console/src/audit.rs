//! Audit logs of a deployment (audit-logs.md): a page of the filtered list, one entry, the
//! counts, and the vocabularies present in the data. Read-only; the filters are checked before
//! anything is sent.

use crate::error::{ConsoleError, ConsoleResult};
use crate::{Console, Target};
use cloo_api::{AuditLog, AuditPage, AuditStats};
use cloo_domain::audit::{AuditQuery, AuditQueryProblem, TimeCursor};

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

/// How an export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum AuditExportFormat {
    /// RFC 4180 CSV, states as JSON text; cells a spreadsheet would run as formulas defused.
    Csv,
    /// One JSON object per line, as the server answers each row.
    JsonLines,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditExportReport {
    /// Rows written.
    #[ts(type = "number")]
    pub rows: u64,
    /// Pages read.
    #[ts(type = "number")]
    pub pages: u64,
    /// The newest time included (rows written after the export began are left out).
    #[ts(type = "number | null")]
    pub up_to: Option<i64>,
}

const CSV_HEADER: [&str; 16] = [
    "id",
    "created_at",
    "action",
    "resource_type",
    "resource_id",
    "resource_name",
    "user_id",
    "user_email",
    "user_name",
    "ip_address",
    "user_agent",
    "request_path",
    "changed_fields",
    "before_state",
    "after_state",
    "meta",
];

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading `'`.
fn cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

fn csv_line(r: &AuditLog) -> Result<Vec<u8>, csv::Error> {
    let json =
        |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    let text = |v: &Option<String>| cell(v.as_deref().unwrap_or_default());
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        cell(&r.id),
        crate::journal::iso_time(r.created_at * 1000),
        cell(&r.action),
        cell(&r.resource_type),
        text(&r.resource_id),
        text(&r.resource_name),
        text(&r.user_id),
        text(&r.user_email),
        text(&r.user_name),
        text(&r.ip_address),
        text(&r.user_agent),
        text(&r.request_path),
        cell(&r.changed_fields.clone().unwrap_or_default().join(" ")),
        cell(&json(&r.before_state)),
        cell(&json(&r.after_state)),
        cell(&json(&r.meta)),
    ])?;
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

impl Audit<'_> {
    /// Writes every row through `query`'s filters to `out`, page by page (the server has no
    /// export), as one journaled operation (a local one: nothing changes on the deployment):
    /// memory stays one page whatever the count, progress is reported per page, and a cancel
    /// stops between pages. The range is closed at the newest row when the export
    /// starts, so rows written meanwhile neither enter nor shift the pages.
    pub async fn export<W: tokio::io::AsyncWrite + Unpin>(
        &self,
        target: &Target,
        query: &AuditQuery,
        format: AuditExportFormat,
        out: &mut W,
        observer: &crate::Observer,
    ) -> ConsoleResult<AuditExportReport> {
        let op = self
            .c
            .begin(
                target,
                crate::OperationKind::AuditExport,
                "audit log",
                observer,
            )
            .await?;
        let result = self.export_pages(target, query, format, out, &op).await;
        if let Ok(report) = &result {
            op.record_after(report);
        }
        op.finish(result).await
    }

    async fn export_pages<W: tokio::io::AsyncWrite + Unpin>(
        &self,
        target: &Target,
        query: &AuditQuery,
        format: AuditExportFormat,
        out: &mut W,
        op: &crate::operation::Operation,
    ) -> ConsoleResult<AuditExportReport> {
        use tokio::io::AsyncWriteExt;
        let write_err =
            |e: std::io::Error| ConsoleError::Internal(format!("writing the export: {e}"));
        let limit = cloo_domain::audit::AUDIT_PAGE_LIMIT;
        let base = AuditQuery {
            page: Some(1),
            limit: Some(limit),
            ..query.clone()
        };
        let first = self.page(target, &base).await?;
        let up_to = first.items.first().map(|r| r.created_at);
        let total = first.total;
        if format == AuditExportFormat::Csv {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(CSV_HEADER)
                .map_err(|e| ConsoleError::Internal(format!("CSV: {e}")))?;
            let header = w
                .into_inner()
                .map_err(|e| ConsoleError::Internal(format!("CSV: {e}")))?;
            out.write_all(&header).await.map_err(write_err)?;
        }
        // Walked by time, not by page number: the server's OFFSET would make a long export
        // quadratic, and rows written meanwhile would shift the pages.
        let mut cursor =
            TimeCursor::new(up_to.map(|newest| query.to.map_or(newest, |t| t.min(newest))));
        let (mut rows, mut pages) = (0u64, 0u64);
        let mut page = Some(first);
        while !cursor.is_done() {
            let current = match page.take() {
                Some(p) => p,
                None => {
                    if op.is_cancelled() {
                        return Err(ConsoleError::Cancelled(crate::error::PartialChange {
                            applied: format!("{rows} row(s) of {total} were written"),
                            resume: "export again".into(),
                        }));
                    }
                    let next = cursor.next_request();
                    let q = AuditQuery {
                        page: Some(next.page),
                        to: next.to,
                        from: next.from.or(query.from),
                        ..base.clone()
                    };
                    self.page(target, &q).await?
                }
            };
            pages += 1;
            let keys: Vec<(&str, i64)> = current
                .items
                .iter()
                .map(|r| (r.id.as_str(), r.created_at))
                .collect();
            let fresh = cursor.advance(&keys, current.items.len() as u32 >= limit);
            let mut buffer = Vec::new();
            for r in fresh.iter().filter_map(|i| current.items.get(*i)) {
                match format {
                    AuditExportFormat::Csv => buffer.extend(
                        csv_line(r).map_err(|e| ConsoleError::Internal(format!("CSV: {e}")))?,
                    ),
                    AuditExportFormat::JsonLines => {
                        buffer.extend(serde_json::to_vec(r).unwrap_or_default());
                        buffer.push(b'\n');
                    }
                }
            }
            out.write_all(&buffer).await.map_err(write_err)?;
            rows += fresh.len() as u64;
            op.step("exporting", rows, total);
        }
        out.flush().await.map_err(write_err)?;
        Ok(AuditExportReport { rows, pages, up_to })
    }
}

/// What a pull did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditPullReport {
    /// Rows new to the local copy.
    #[ts(type = "number")]
    pub new_rows: u64,
    /// Rows in the local copy now.
    #[ts(type = "number")]
    pub kept: i64,
    /// Pages read.
    #[ts(type = "number")]
    pub pages: u64,
    /// The newest time kept.
    #[ts(type = "number | null")]
    pub newest: Option<i64>,
}

impl Audit<'_> {
    /// Copies the rows newer than the local copy's newest (all of them the first time) into
    /// the local store, walked by time; rows of the newest second already kept stay once.
    /// Journaled as a local operation.
    pub async fn pull(
        &self,
        target: &Target,
        observer: &crate::Observer,
    ) -> ConsoleResult<AuditPullReport> {
        let op = self
            .c
            .begin(
                target,
                crate::OperationKind::AuditPull,
                "audit log",
                observer,
            )
            .await?;
        let result = async {
            let key = self.c.tenant_ref(target).await?.key;
            let mark = self.c.store.audit_copy_newest(&key).await?;
            let limit = cloo_domain::audit::AUDIT_PAGE_LIMIT;
            let base = AuditQuery {
                page: Some(1),
                limit: Some(limit),
                from: mark,
                ..Default::default()
            };
            let mut cursor = TimeCursor::new(None);
            let (mut new_rows, mut pages) = (0u64, 0u64);
            while !cursor.is_done() {
                if op.is_cancelled() {
                    return Err(ConsoleError::Cancelled(crate::error::PartialChange {
                        applied: format!("{new_rows} new row(s) were kept"),
                        resume: "pull again: it starts from what is kept".into(),
                    }));
                }
                let next = cursor.next_request();
                let q = AuditQuery {
                    page: Some(next.page),
                    to: next.to,
                    from: next.from.or(mark),
                    ..base.clone()
                };
                let page = self.page(target, &q).await?;
                pages += 1;
                let keys: Vec<(&str, i64)> = page
                    .items
                    .iter()
                    .map(|r| (r.id.as_str(), r.created_at))
                    .collect();
                let fresh = cursor.advance(&keys, page.items.len() as u32 >= limit);
                let rows: Vec<cloo_store::AuditCopyRow> = fresh
                    .iter()
                    .filter_map(|i| page.items.get(*i))
                    .map(|r| cloo_store::AuditCopyRow {
                        id: r.id.clone(),
                        created_at: r.created_at,
                        action: r.action.clone(),
                        resource_type: r.resource_type.clone(),
                        resource_id: r.resource_id.clone(),
                        resource_name: r.resource_name.clone(),
                        user_id: r.user_id.clone(),
                        user_email: r.user_email.clone(),
                        user_name: r.user_name.clone(),
                        row: cloo_domain::audit::stored_form(
                            &serde_json::to_value(r).unwrap_or_default(),
                        )
                        .to_string(),
                    })
                    .collect();
                new_rows += self.c.store.keep_audit_rows(&key, &rows).await?;
                op.step("pulling", new_rows, page.total);
            }
            let report = AuditPullReport {
                new_rows,
                kept: self.c.store.audit_copy_count(&key).await?,
                pages,
                newest: self.c.store.audit_copy_newest(&key).await?,
            };
            op.record_after(&report);
            Ok(report)
        }
        .await;
        op.finish(result).await
    }

    /// Searches the local copy (no deployment needed): newest first, at most `limit`; also how
    /// many match.
    pub async fn search_copy(
        &self,
        target: &Target,
        filter: &cloo_store::AuditCopyFilter,
    ) -> ConsoleResult<(Vec<serde_json::Value>, i64)> {
        let key = self.c.tenant_ref(target).await?.key;
        let (rows, total) = self.c.store.search_audit_copy(&key, filter).await?;
        Ok((
            rows.iter()
                .filter_map(|r| serde_json::from_str(r).ok())
                .collect(),
            total,
        ))
    }
}

/// One audit row as the shells show it.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditRowView {
    /// Id.
    pub id: String,
    /// Epoch seconds.
    #[ts(type = "number")]
    pub created_at: i64,
    /// Action.
    pub action: String,
    /// Resource type.
    pub resource_type: String,
    /// Resource id.
    pub resource_id: Option<String>,
    /// Resource name.
    pub resource_name: Option<String>,
    /// Actor id (none: anonymous).
    pub user_id: Option<String>,
    /// Actor e-mail (for a failed sign-in: the e-mail tried).
    pub user_email: Option<String>,
    /// Actor name.
    pub user_name: Option<String>,
    /// Client address.
    pub ip_address: Option<String>,
    /// Request path.
    pub request_path: Option<String>,
    /// Changed fields (empty for the server's hook-written updates, which carry no diff).
    pub changed_fields: Vec<String>,
    /// Before (as the server masked it).
    #[ts(type = "unknown")]
    pub before_state: serde_json::Value,
    /// After.
    #[ts(type = "unknown")]
    pub after_state: serde_json::Value,
    /// Extra data.
    #[ts(type = "unknown")]
    pub meta: serde_json::Value,
}

impl From<AuditLog> for AuditRowView {
    fn from(r: AuditLog) -> Self {
        AuditRowView {
            id: r.id,
            created_at: r.created_at,
            action: r.action,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            resource_name: r.resource_name,
            user_id: r.user_id,
            user_email: r.user_email,
            user_name: r.user_name,
            ip_address: r.ip_address,
            request_path: r.request_path,
            changed_fields: r.changed_fields.unwrap_or_default(),
            before_state: r.before_state.unwrap_or_default(),
            after_state: r.after_state.unwrap_or_default(),
            meta: r.meta.unwrap_or_default(),
        }
    }
}

/// A page of rows as the shells show it.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditPageView {
    /// The rows, newest first.
    pub items: Vec<AuditRowView>,
    /// Rows matching.
    #[ts(type = "number")]
    pub total: u64,
    /// This page.
    pub page: u32,
    /// Pages in all.
    #[ts(type = "number")]
    pub total_pages: u64,
    /// The actions present (for the filter list).
    pub actions: Vec<String>,
    /// The resource types present.
    pub resource_types: Vec<String>,
}

/// Where an export was written, and what it wrote.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditExportDone {
    /// The file.
    pub path: String,
    /// What it wrote.
    pub report: AuditExportReport,
}

impl Audit<'_> {
    /// A page for the desktop, with the filter lists.
    pub async fn page_view(
        &self,
        target: &Target,
        query: &AuditQuery,
    ) -> ConsoleResult<AuditPageView> {
        let page = self.page(target, query).await?;
        let (actions, resource_types) = self.vocabulary(target).await?;
        Ok(AuditPageView {
            items: page.items.into_iter().map(AuditRowView::from).collect(),
            total: page.total,
            page: page.page,
            total_pages: page.total_pages,
            actions,
            resource_types,
        })
    }

    /// [`Audit::export`] into the user's downloads folder as
    /// `cloosphere-audit-<time>.csv|jsonl`.
    pub async fn export_to_downloads(
        &self,
        target: &Target,
        query: &AuditQuery,
        format: AuditExportFormat,
        observer: &crate::Observer,
    ) -> ConsoleResult<AuditExportDone> {
        let extension = match format {
            AuditExportFormat::Csv => "csv",
            AuditExportFormat::JsonLines => "jsonl",
        };
        let path = crate::downloads::downloads_path("cloosphere-audit", extension)?;
        let mut file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| ConsoleError::Internal(format!("cannot write {}: {e}", path.display())))?;
        let report = self
            .export(target, query, format, &mut file, observer)
            .await?;
        Ok(AuditExportDone {
            path: path.display().to_string(),
            report,
        })
    }
}

impl Audit<'_> {
    /// One resource's history (newest first, at most `limit`, 1–500). The server refuses resource
    /// types outside its list with 400 though they occur in the data: refused here first, with
    /// the list.
    pub async fn history(
        &self,
        target: &Target,
        resource_type: &str,
        resource_id: &str,
        limit: u32,
    ) -> ConsoleResult<Vec<AuditRowView>> {
        if !cloo_domain::audit::has_resource_history(resource_type) {
            return Err(ConsoleError::invalid(
                "resource_type",
                format!(
                    "the server keeps no history for {resource_type:?} (types: {}); use audit list --type {resource_type} --resource-id …",
                    cloo_domain::audit::AUDITED_RESOURCE_TYPES.join(", ")
                ),
            ));
        }
        let limit = limit.clamp(1, 500);
        let session = self.c.session(target).await?;
        let rows = session
            .call(|c, t| async move {
                c.audit_resource_history(&t, resource_type, resource_id, limit)
                    .await
            })
            .await?;
        Ok(rows.into_iter().map(AuditRowView::from).collect())
    }

    /// What one user did (as the actor), by id or e-mail (newest first, at most `limit`).
    pub async fn by_user(
        &self,
        target: &Target,
        who: &str,
        limit: u32,
    ) -> ConsoleResult<Vec<AuditRowView>> {
        let id = if who.contains('@') {
            let snapshot = self.c.snapshot(target, false).await?;
            snapshot
                .find_user(who)
                .map(|(_, u)| u.id.clone())
                .ok_or_else(|| {
                    ConsoleError::not_found("user", who, format!("no user has the e-mail {who}"))
                })?
        } else {
            who.to_owned()
        };
        let limit = limit.clamp(1, 500);
        let session = self.c.session(target).await?;
        let id = &id;
        let rows = session
            .call(|c, t| async move { c.audit_user_actions(&t, id, limit).await })
            .await?;
        Ok(rows.into_iter().map(AuditRowView::from).collect())
    }
}
