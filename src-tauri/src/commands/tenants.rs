//! Deployments: start-up, the sidebar, adding, editing and removing.

use super::{Reply, Shell, on};
use cloo_console::tenants::{
    AddTenantRequest, ConnectionReport, EditTenantRequest, RemovedTenant, StartupState, TenantView,
    WhoAmI,
};

pub async fn startup(shell: &Shell) -> Reply<StartupState> {
    let state = shell.console.tenants().startup(shell.open_sandbox).await?;
    tracing::info!(
        elapsed_ms = shell.started.elapsed().as_millis() as u64,
        "first screen ready"
    );
    Ok(state)
}

pub async fn list_tenants(shell: &Shell) -> Reply<Vec<TenantView>> {
    Ok(shell.console.tenants().list().await?)
}

pub async fn test_connection(shell: &Shell, request: AddTenantRequest) -> Reply<ConnectionReport> {
    Ok(shell.console.tenants().test_connection(&request).await?)
}

pub async fn add_tenant(shell: &Shell, request: AddTenantRequest) -> Reply<TenantView> {
    Ok(shell.console.tenants().add(&request).await?)
}

pub async fn edit_tenant(
    shell: &Shell,
    name: String,
    request: EditTenantRequest,
) -> Reply<TenantView> {
    Ok(shell.console.tenants().edit(&name, &request).await?)
}

pub async fn remove_tenant(shell: &Shell, name: String) -> Reply<RemovedTenant> {
    Ok(shell.console.tenants().remove(&name).await?)
}

pub async fn open_local_sandbox(shell: &Shell) -> Reply<TenantView> {
    Ok(shell.console.tenants().open_local_sandbox().await?)
}

pub async fn whoami(shell: &Shell, tenant: String) -> Reply<WhoAmI> {
    Ok(shell.console.tenants().whoami(&on(tenant)).await?)
}

pub async fn set_language(shell: &Shell, language: String) -> Reply<()> {
    Ok(shell.console.tenants().set_language(&language).await?)
}
