//! Users: the directory, one user's panel, role, Super Admin, limits, access, bulk plans.

use super::{Reply, Shell, on, quiet};
use cloo_api::PerModel;
use cloo_console::Progress;
use cloo_console::users::{
    BulkAction, BulkPlan, BulkResult, DeletionImpact, EditUserRequest, NewUserRequest,
    PermissionsReport, SuperAdminView, UserDetail, UserPage, UserRow, UserUsage, UsersPageRequest,
};
use tauri::ipc::Channel;

pub async fn users_page(shell: &Shell, request: UsersPageRequest) -> Reply<UserPage> {
    let target = on(request.tenant);
    Ok(shell
        .console
        .users()
        .page(&target, &request.query, request.refresh)
        .await?)
}

pub async fn user_detail(shell: &Shell, tenant: String, who: String) -> Reply<UserDetail> {
    Ok(shell.console.users().get(&on(tenant), &who).await?)
}

pub async fn roles(_shell: &Shell) -> Reply<Vec<String>> {
    Ok(cloo_console::users::roles())
}

pub async fn add_user(shell: &Shell, tenant: String, request: NewUserRequest) -> Reply<UserRow> {
    Ok(shell
        .console
        .users()
        .add(&on(tenant), &request, &quiet())
        .await?)
}

pub async fn edit_user(
    shell: &Shell,
    tenant: String,
    who: String,
    request: EditUserRequest,
) -> Reply<UserRow> {
    Ok(shell
        .console
        .users()
        .edit(&on(tenant), &who, &request, &quiet())
        .await?)
}

pub async fn set_role(shell: &Shell, tenant: String, who: String, role: String) -> Reply<UserRow> {
    Ok(shell
        .console
        .users()
        .set_role(&on(tenant), &who, &role, &quiet())
        .await?)
}

pub async fn deletion_impact(_shell: &Shell) -> Reply<DeletionImpact> {
    Ok(cloo_console::users::deletion_impact())
}

pub async fn delete_user(
    shell: &Shell,
    tenant: String,
    who: String,
    typed_email: String,
) -> Reply<UserRow> {
    Ok(shell
        .console
        .users()
        .delete(&on(tenant), &who, &typed_email, &quiet())
        .await?)
}

pub async fn super_admin(shell: &Shell, tenant: String) -> Reply<SuperAdminView> {
    Ok(shell.console.users().get_super_admin(&on(tenant)).await?)
}

pub async fn set_super_admin(shell: &Shell, tenant: String, who: String) -> Reply<SuperAdminView> {
    Ok(shell
        .console
        .users()
        .set_super_admin(&on(tenant), &who, &quiet())
        .await?)
}

pub async fn user_permissions(
    shell: &Shell,
    tenant: String,
    who: String,
) -> Reply<PermissionsReport> {
    Ok(shell
        .console
        .users()
        .get_permissions(&on(tenant), &who)
        .await?)
}

pub async fn user_usage(shell: &Shell, tenant: String, who: String) -> Reply<UserUsage> {
    Ok(shell.console.users().get_usage(&on(tenant), &who).await?)
}

pub async fn set_user_limit(
    shell: &Shell,
    tenant: String,
    who: String,
    model: String,
    tokens: Option<i64>,
) -> Reply<PerModel> {
    Ok(shell
        .console
        .users()
        .set_limit(&on(tenant), &who, &model, tokens, &quiet())
        .await?)
}

pub async fn plan_bulk(
    shell: &Shell,
    tenant: String,
    action: BulkAction,
    user_ids: Vec<String>,
) -> Reply<BulkPlan> {
    Ok(shell
        .console
        .users()
        .plan_bulk(&on(tenant), &action, &user_ids)
        .await?)
}

pub async fn apply_bulk(
    shell: &Shell,
    tenant: String,
    plan_id: String,
    confirmation: Option<String>,
    allow_deletes: Option<usize>,
    operation: String,
    progress: Channel<Progress>,
) -> Reply<Vec<BulkResult>> {
    let observer = shell.watch(&operation, progress);
    let result = shell
        .console
        .users()
        .apply_bulk(
            &on(tenant),
            &plan_id,
            confirmation.as_deref(),
            allow_deletes,
            &observer,
        )
        .await;
    shell.done(&operation);
    Ok(result?)
}
