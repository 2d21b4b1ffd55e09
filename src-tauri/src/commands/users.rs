//! Users: the directory, one user's panel, role, Super Admin, limits, access, bulk actions.

use super::{Reply, Shell, on};
use cloo_console::{
    BulkAction, BulkPlan, BulkResult, DeletionImpact, EditUserRequest, NewUserRequest,
    PermissionsReport, SuperAdminView, UserDetail, UserPage, UserRow, UserUsage, UsersPageRequest,
};
use std::collections::BTreeMap;
use tauri::State;

#[tauri::command]
pub async fn users_page(shell: State<'_, Shell>, request: UsersPageRequest) -> Reply<UserPage> {
    let target = on(request.tenant);
    Ok(shell
        .console
        .users_page(&target, &request.query, request.refresh)
        .await?)
}

#[tauri::command]
pub async fn user_detail(
    shell: State<'_, Shell>,
    tenant: String,
    who: String,
) -> Reply<UserDetail> {
    Ok(shell.console.user_detail(&on(tenant), &who).await?)
}

#[tauri::command]
pub async fn add_user(
    shell: State<'_, Shell>,
    tenant: String,
    request: NewUserRequest,
) -> Reply<UserRow> {
    Ok(shell.console.add_user(&on(tenant), &request).await?)
}

#[tauri::command]
pub async fn edit_user(
    shell: State<'_, Shell>,
    tenant: String,
    who: String,
    request: EditUserRequest,
) -> Reply<UserRow> {
    Ok(shell.console.edit_user(&on(tenant), &who, &request).await?)
}

#[tauri::command]
pub async fn set_role(
    shell: State<'_, Shell>,
    tenant: String,
    who: String,
    role: String,
) -> Reply<UserRow> {
    Ok(shell.console.set_role(&on(tenant), &who, &role).await?)
}

#[tauri::command]
pub fn deletion_impact() -> DeletionImpact {
    cloo_console::deletion_impact()
}

#[tauri::command]
pub async fn delete_user(
    shell: State<'_, Shell>,
    tenant: String,
    who: String,
    typed_email: String,
) -> Reply<UserRow> {
    Ok(shell
        .console
        .delete_user(&on(tenant), &who, &typed_email)
        .await?)
}

#[tauri::command]
pub async fn super_admin(shell: State<'_, Shell>, tenant: String) -> Reply<SuperAdminView> {
    Ok(shell.console.super_admin_view(&on(tenant)).await?)
}

#[tauri::command]
pub async fn set_super_admin(
    shell: State<'_, Shell>,
    tenant: String,
    who: String,
) -> Reply<SuperAdminView> {
    let target = on(tenant);
    shell.console.set_super_admin(&target, &who).await?;
    Ok(shell.console.super_admin_view(&target).await?)
}

#[tauri::command]
pub async fn user_permissions(
    shell: State<'_, Shell>,
    tenant: String,
    who: String,
) -> Reply<PermissionsReport> {
    Ok(shell.console.user_permissions(&on(tenant), &who).await?)
}

#[tauri::command]
pub async fn user_usage(shell: State<'_, Shell>, tenant: String, who: String) -> Reply<UserUsage> {
    Ok(shell.console.user_usage(&on(tenant), &who).await?)
}

#[tauri::command]
pub async fn set_user_limit(
    shell: State<'_, Shell>,
    tenant: String,
    who: String,
    model: String,
    tokens: Option<i64>,
) -> Reply<BTreeMap<String, i64>> {
    let limits = shell
        .console
        .set_user_limit(&on(tenant), &who, &model, tokens)
        .await?;
    Ok(limits.into_iter().collect())
}

#[tauri::command]
pub async fn plan_bulk(
    shell: State<'_, Shell>,
    tenant: String,
    action: BulkAction,
    user_ids: Vec<String>,
) -> Reply<BulkPlan> {
    Ok(shell
        .console
        .plan_bulk(&on(tenant), &action, &user_ids)
        .await?)
}

#[tauri::command]
pub async fn apply_bulk(
    shell: State<'_, Shell>,
    tenant: String,
    plan: BulkPlan,
) -> Reply<Vec<BulkResult>> {
    Ok(shell.console.apply_bulk(&on(tenant), &plan).await?)
}
