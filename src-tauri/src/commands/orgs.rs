//! Organizations: the OU tree a level at a time, one OU in detail, deleting an OU, and the
//! organization JSON import (review, then apply with progress).

use super::upload::Upload;
use super::{Reply, Shell, on};
use cloo_console::{
    OrgApplyReport, OrgApplyStep, OrgImportReview, OrgSummary, OrgTreeNode, UnitDetail,
};
use tauri::State;
use tauri::ipc::{Channel, Request};

#[tauri::command]
pub async fn organizations(shell: State<'_, Shell>, tenant: String) -> Reply<Vec<OrgSummary>> {
    Ok(shell.console.organizations(&on(tenant)).await?)
}

/// The children of `parent` (the top level when `None`), one level deep.
#[tauri::command]
pub async fn org_children(
    shell: State<'_, Shell>,
    tenant: String,
    org: String,
    parent: Option<String>,
) -> Reply<Vec<OrgTreeNode>> {
    let (_, nodes) = shell
        .console
        .org_tree(&on(tenant), Some(&org), parent.as_deref(), Some(1))
        .await?;
    Ok(nodes)
}

#[tauri::command]
pub async fn org_unit(
    shell: State<'_, Shell>,
    tenant: String,
    org: String,
    unit: String,
) -> Reply<UnitDetail> {
    Ok(shell
        .console
        .org_unit_detail(&on(tenant), &unit, Some(&org))
        .await?)
}

#[tauri::command]
pub async fn delete_org_unit(shell: State<'_, Shell>, tenant: String, unit: String) -> Reply<()> {
    Ok(shell.console.delete_org_unit(&on(tenant), &unit).await?)
}

/// The file as raw bytes; `tenant`, `file-name` and `carry-over` (`1` or `0`) in headers.
#[tauri::command]
pub async fn review_org_import(
    shell: State<'_, Shell>,
    request: Request<'_>,
) -> Reply<OrgImportReview> {
    let upload = Upload::from_request(&request)?;
    let carry_over = upload.optional("carry-over").as_deref() != Some("0");
    Ok(shell
        .console
        .review_org_import(
            &upload.arg("tenant")?,
            &upload.arg("file-name")?,
            &upload.bytes,
            carry_over,
        )
        .await?)
}

#[tauri::command]
pub async fn apply_org_import(
    shell: State<'_, Shell>,
    tenant: String,
    plan_id: String,
    allow_deletes: Option<usize>,
    progress: Channel<OrgApplyStep>,
) -> Reply<OrgApplyReport> {
    let report = move |step: OrgApplyStep| {
        // A closed window cannot watch progress; the apply goes on regardless.
        let _ = progress.send(step);
    };
    Ok(shell
        .console
        .apply_org_import(&tenant, &plan_id, allow_deletes, &report)
        .await?)
}

/// Sets (or with `tokens` null removes) one model's daily limit on a unit.
#[tauri::command]
pub async fn set_org_unit_limit(
    shell: State<'_, Shell>,
    tenant: String,
    unit: String,
    model: String,
    tokens: Option<i64>,
) -> Reply<UnitDetail> {
    Ok(shell
        .console
        .set_org_unit_limit(&on(tenant), &unit, &model, tokens)
        .await?)
}

#[tauri::command]
pub async fn set_org_unit_guardrails(
    shell: State<'_, Shell>,
    tenant: String,
    unit: String,
    guardrail_ids: Vec<String>,
    follow_global: bool,
) -> Reply<UnitDetail> {
    Ok(shell
        .console
        .set_org_unit_guardrails(&on(tenant), &unit, &guardrail_ids, follow_global)
        .await?)
}
