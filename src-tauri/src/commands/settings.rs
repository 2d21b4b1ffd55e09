//! System Settings: a tab's sections, the review of a change to one section, and the change.

use super::{Reply, Shell, on, quiet};
use cloo_console::settings::{
    FieldEdit, FieldSecret, SettingsChange, SettingsReview, TabView, to_domain,
};
use cloo_domain::settings::Tab;

pub async fn settings_tab(shell: &Shell, tenant: String, tab: Tab) -> Reply<TabView> {
    Ok(shell.console.settings().get_tab(&on(tenant), tab).await?)
}

pub async fn review_settings(
    shell: &Shell,
    tenant: String,
    section: String,
    edits: Vec<FieldEdit>,
    secrets: Vec<FieldSecret>,
) -> Reply<SettingsReview> {
    let (edits, secrets) = to_domain(&edits, &secrets);
    Ok(shell
        .console
        .settings()
        .review_section(&on(tenant), &section, &edits, &secrets)
        .await?)
}

pub async fn set_settings(
    shell: &Shell,
    tenant: String,
    section: String,
    edits: Vec<FieldEdit>,
    secrets: Vec<FieldSecret>,
) -> Reply<SettingsChange> {
    let (edits, secrets) = to_domain(&edits, &secrets);
    Ok(shell
        .console
        .settings()
        .set_section(&on(tenant), &section, &edits, &secrets, &quiet())
        .await?)
}
