//! Groups, their permission matrix and limits, unit links, and the default permissions.

use super::{Reply, Shell, on, quiet};
use cloo_console::groups::{
    DefaultsChange, DefaultsView, GroupChange, GroupSummary, GroupView, PermissionSection,
    UnitChoice,
};
use serde_json::Value;

/// Most units a picker lists at once.
const UNIT_CHOICES: usize = 50;

pub async fn groups(shell: &Shell, tenant: String) -> Reply<Vec<GroupSummary>> {
    Ok(shell.console.groups().list(&on(tenant)).await?)
}

pub async fn group(shell: &Shell, tenant: String, which: String) -> Reply<GroupView> {
    Ok(shell.console.groups().get(&on(tenant), &which).await?)
}

pub async fn create_group(
    shell: &Shell,
    tenant: String,
    name: String,
    description: String,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .groups()
        .create(&on(tenant), &name, &description, None, &quiet())
        .await?)
}

pub async fn edit_group(
    shell: &Shell,
    tenant: String,
    which: String,
    name: Option<String>,
    description: Option<String>,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .groups()
        .edit(
            &on(tenant),
            &which,
            name.as_deref(),
            description.as_deref(),
            &quiet(),
        )
        .await?)
}

pub async fn delete_group(shell: &Shell, tenant: String, which: String) -> Reply<GroupSummary> {
    Ok(shell
        .console
        .groups()
        .delete(&on(tenant), &which, &quiet())
        .await?)
}

pub async fn add_group_members(
    shell: &Shell,
    tenant: String,
    which: String,
    who: Vec<String>,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .groups()
        .add_members(&on(tenant), &which, &who, &quiet())
        .await?)
}

pub async fn remove_group_members(
    shell: &Shell,
    tenant: String,
    which: String,
    who: Vec<String>,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .groups()
        .remove_members(&on(tenant), &which, &who, &quiet())
        .await?)
}

pub async fn set_group_permission(
    shell: &Shell,
    tenant: String,
    which: String,
    path: String,
    value: Value,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .groups()
        .set_permission_keys(&on(tenant), &which, &[(path, value)], &quiet())
        .await?)
}

pub async fn link_group_units(
    shell: &Shell,
    tenant: String,
    which: String,
    unit_ids: Vec<String>,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .groups()
        .link_units(&on(tenant), &which, &unit_ids, &quiet())
        .await?)
}

pub async fn set_group_limit(
    shell: &Shell,
    tenant: String,
    which: String,
    model: String,
    tokens: Option<i64>,
) -> Reply<GroupChange> {
    Ok(shell
        .console
        .groups()
        .set_limit(&on(tenant), &which, &model, tokens, &quiet())
        .await?)
}

pub async fn permission_catalogue(_shell: &Shell) -> Reply<Vec<PermissionSection>> {
    Ok(cloo_console::groups::permission_catalogue())
}

pub async fn search_units(shell: &Shell, tenant: String, text: String) -> Reply<Vec<UnitChoice>> {
    Ok(shell
        .console
        .groups()
        .search_units(&on(tenant), &text, UNIT_CHOICES)
        .await?)
}

pub async fn default_permissions(shell: &Shell, tenant: String) -> Reply<DefaultsView> {
    Ok(shell.console.defaults().get(&on(tenant)).await?)
}

pub async fn plan_default_permissions(shell: &Shell, wanted: Value) -> Reply<DefaultsChange> {
    Ok(shell.console.defaults().plan(&wanted))
}

pub async fn set_default_permissions(
    shell: &Shell,
    tenant: String,
    wanted: Value,
) -> Reply<DefaultsChange> {
    Ok(shell
        .console
        .defaults()
        .set(&on(tenant), &wanted, &quiet())
        .await?)
}
