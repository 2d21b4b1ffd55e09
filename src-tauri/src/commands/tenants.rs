//! Deployments: start-up, the sidebar, adding and removing.

use super::{Reply, Shell, on};
use cloo_console::{
    AddTenantRequest, ConnectionReport, RemovedTenant, StartupState, TenantView, WhoAmI,
};
use tauri::State;

#[tauri::command]
pub async fn startup(shell: State<'_, Shell>) -> Reply<StartupState> {
    let state = shell.console.startup(shell.open_sandbox).await?;
    tracing::info!(
        elapsed_ms = shell.started.elapsed().as_millis() as u64,
        "first screen ready"
    );
    Ok(state)
}

#[tauri::command]
pub async fn list_tenants(shell: State<'_, Shell>) -> Reply<Vec<TenantView>> {
    Ok(shell.console.tenants().await?)
}

#[tauri::command]
pub async fn test_connection(
    shell: State<'_, Shell>,
    request: AddTenantRequest,
) -> Reply<ConnectionReport> {
    Ok(shell.console.test_connection(&request).await?)
}

#[tauri::command]
pub async fn add_tenant(shell: State<'_, Shell>, request: AddTenantRequest) -> Reply<TenantView> {
    Ok(shell.console.add_tenant(&request).await?)
}

#[tauri::command]
pub async fn remove_tenant(shell: State<'_, Shell>, name: String) -> Reply<RemovedTenant> {
    Ok(shell.console.remove_tenant(&name).await?)
}

#[tauri::command]
pub async fn open_local_sandbox(shell: State<'_, Shell>) -> Reply<TenantView> {
    Ok(shell.console.open_local_sandbox().await?)
}

#[tauri::command]
pub async fn whoami(shell: State<'_, Shell>, tenant: String) -> Reply<WhoAmI> {
    Ok(shell.console.whoami(&on(tenant)).await?)
}
