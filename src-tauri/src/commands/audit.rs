//! The audit log: a filtered page with the filter lists, and an export into the downloads
//! folder.

use super::{Reply, Shell, on, quiet};
use cloo_console::audit::{AuditExportDone, AuditExportFormat, AuditPageView};
use cloo_domain::audit::AuditQuery;

pub async fn audit_page(shell: &Shell, tenant: String, query: AuditQuery) -> Reply<AuditPageView> {
    Ok(shell.console.audit().page_view(&on(tenant), &query).await?)
}

pub async fn export_audit(
    shell: &Shell,
    tenant: String,
    query: AuditQuery,
    format: AuditExportFormat,
) -> Reply<AuditExportDone> {
    Ok(shell
        .console
        .audit()
        .export_to_downloads(&on(tenant), &query, format, &quiet())
        .await?)
}
