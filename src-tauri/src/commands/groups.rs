//! Groups, their permission matrix and limits, unit links, and the default permissions.

use super::{Reply, Shell, on};
use cloo_console::{
    DefaultsChange, DefaultsView, GroupChange, GroupSummary, GroupView, PermissionSection,
    UnitChoice,
};
use serde_json::Value;
use tauri::State;

/// Most units a picker lists at once.
const UNIT_CHOICES: usize = 50;

#[tauri::command]
pub async fn groups(shell: State<'_, Shell>, tenant: String) -> Reply<Vec<GroupSummary>> {
    Ok(shell.console.groups(&on(tenant)).await?)
}

#[tauri::command]
pub async fn group(shell: State<'_, Shell>, tenant: String, which: String) -> Reply<GroupView> {
    Ok(shell.console.group(&on(tenant), &which).await?)
}

#[tauri::command]
pub async fn create_group(
    shell: State<'_, Shell>,
    tenant: String,
    name: String,
    description: String,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .create_group(&on(tenant), &name, &description, None)
        .await?)
}

#[tauri::command]
pub async fn edit_group(
    shell: State<'_, Shell>,
    tenant: String,
    which: String,
    name: Option<String>,
    description: Option<String>,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .edit_group(&on(tenant), &which, name.as_deref(), description.as_deref())
        .await?)
}

#[tauri::command]
pub async fn delete_group(
    shell: State<'_, Shell>,
    tenant: String,
    which: String,
) -> Reply<GroupSummary> {
    Ok(shell.console.delete_group(&on(tenant), &which).await?)
}

#[tauri::command]
pub async fn add_group_members(
    shell: State<'_, Shell>,
    tenant: String,
    which: String,
    who: Vec<String>,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .add_group_members(&on(tenant), &which, &who)
        .await?)
}

#[tauri::command]
pub async fn remove_group_members(
    shell: State<'_, Shell>,
    tenant: String,
    which: String,
    who: Vec<String>,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .remove_group_members(&on(tenant), &which, &who)
        .await?)
}

#[tauri::command]
pub async fn set_group_permission(
    shell: State<'_, Shell>,
    tenant: String,
    which: String,
    path: String,
    value: Value,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .set_group_permission_keys(&on(tenant), &which, &[(path, value)])
        .await?)
}

#[tauri::command]
pub async fn link_group_units(
    shell: State<'_, Shell>,
    tenant: String,
    which: String,
    unit_ids: Vec<String>,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .link_group_units(&on(tenant), &which, &unit_ids)
        .await?)
}

#[tauri::command]
pub async fn set_group_limit(
    shell: State<'_, Shell>,
    tenant: String,
    which: String,
    model: String,
    tokens: Option<i64>,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .set_group_limit(&on(tenant), &which, &model, tokens)
        .await?)
}

#[tauri::command]
pub fn permission_catalogue() -> Vec<PermissionSection> {
    cloo_console::permission_catalogue()
}

#[tauri::command]
pub async fn search_units(
    shell: State<'_, Shell>,
    tenant: String,
    text: String,
) -> Reply<Vec<UnitChoice>> {
    Ok(shell
        .console
        .search_units(&on(tenant), &text, UNIT_CHOICES)
        .await?)
}

#[tauri::command]
pub async fn default_permissions(shell: State<'_, Shell>, tenant: String) -> Reply<DefaultsView> {
    Ok(shell.console.default_permissions(&on(tenant)).await?)
}

#[tauri::command]
pub fn plan_default_permissions(shell: State<'_, Shell>, wanted: Value) -> DefaultsChange {
    shell.console.plan_default_permissions(&wanted)
}

#[tauri::command]
pub async fn set_default_permissions(
    shell: State<'_, Shell>,
    tenant: String,
    wanted: Value,
) -> Reply<DefaultsChange> {
    Ok(shell
        .console
        .set_default_permissions(&on(tenant), &wanted)
        .await?)
}
