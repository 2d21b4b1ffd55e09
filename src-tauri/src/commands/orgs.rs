//! Organizations: the OU tree a level at a time, one OU in detail, its limits, guardrails and
//! deletion, and the organization JSON import (review, then apply by id with progress).

use super::{Reply, Shell, on, quiet};
use cloo_console::Progress;
use cloo_console::imports::{ApplyPath, OrgApplyReport, OrgImportReview};
use cloo_console::orgs::{OrgSummary, OrgTreeNode, UnitDetail};
use tauri::ipc::Channel;

pub async fn organizations(shell: &Shell, tenant: String) -> Reply<Vec<OrgSummary>> {
    Ok(shell.console.orgs().list(&on(tenant)).await?)
}

pub async fn org_children(
    shell: &Shell,
    tenant: String,
    org: String,
    parent: Option<String>,
) -> Reply<Vec<OrgTreeNode>> {
    let (_, nodes) = shell
        .console
        .orgs()
        .tree(&on(tenant), Some(&org), parent.as_deref(), Some(1))
        .await?;
    Ok(nodes)
}

pub async fn org_unit(
    shell: &Shell,
    tenant: String,
    org: String,
    unit: String,
) -> Reply<UnitDetail> {
    Ok(shell
        .console
        .orgs()
        .get_unit(&on(tenant), &unit, Some(&org))
        .await?)
}

pub async fn delete_org_unit(shell: &Shell, tenant: String, unit: String) -> Reply<()> {
    Ok(shell
        .console
        .orgs()
        .delete_unit(&on(tenant), &unit, &quiet())
        .await?)
}

pub async fn review_org_import(
    shell: &Shell,
    bytes: Vec<u8>,
    tenant: String,
    file_name: String,
    carry_over: bool,
) -> Reply<OrgImportReview> {
    Ok(shell
        .console
        .imports()
        .review_org(&on(tenant), &file_name, &bytes, carry_over)
        .await?)
}

pub async fn apply_org_import(
    shell: &Shell,
    tenant: String,
    plan_id: String,
    allow_deletes: Option<usize>,
    path: ApplyPath,
    operation: String,
    progress: Channel<Progress>,
) -> Reply<OrgApplyReport> {
    let observer = shell.watch(&operation, progress);
    let result = shell
        .console
        .imports()
        .apply_org(&on(tenant), &plan_id, allow_deletes, path, &observer)
        .await;
    shell.done(&operation);
    Ok(result?)
}

pub async fn set_org_unit_limit(
    shell: &Shell,
    tenant: String,
    unit: String,
    model: String,
    tokens: Option<i64>,
) -> Reply<UnitDetail> {
    Ok(shell
        .console
        .orgs()
        .set_unit_limit(&on(tenant), &unit, &model, tokens, &quiet())
        .await?)
}

pub async fn set_org_unit_guardrails(
    shell: &Shell,
    tenant: String,
    unit: String,
    guardrail_ids: Vec<String>,
    follow_global: bool,
) -> Reply<UnitDetail> {
    Ok(shell
        .console
        .orgs()
        .set_unit_guardrails(&on(tenant), &unit, &guardrail_ids, follow_global, &quiet())
        .await?)
}
