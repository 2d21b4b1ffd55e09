//! System Settings: a tab's sections, the review of a change to one section, and the change;
//! settings as code (export, a dropped document's plan, its apply) and drift across tenants.

use super::{Reply, Shell, on, quiet};
use cloo_console::settings::{
    ConnectionTest, DriftReport, FieldEdit, FieldSecret, PipelineServerView, PipelineValves,
    SettingsApplyReport, SettingsChange, SettingsCopyPlan, SettingsPlanView, SettingsReview,
    TabView, WipeOutcome, WipeStatement, to_domain,
};
use cloo_domain::settings::Tab;
use cloo_domain::settings::probes::ProbeKind;
use cloo_domain::settings::wipe::Wipe;

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

pub async fn export_settings(shell: &Shell, tenant: String, tabs: Vec<Tab>) -> Reply<String> {
    let path = shell
        .console
        .settings()
        .export_to_downloads(&on(tenant), &tabs)
        .await?;
    Ok(path.display().to_string())
}

pub async fn review_settings_document(
    shell: &Shell,
    bytes: Vec<u8>,
    tenant: String,
    file_name: String,
) -> Reply<SettingsPlanView> {
    Ok(shell
        .console
        .settings()
        .plan_bytes(&on(tenant), &file_name, &bytes)
        .await?)
}

pub async fn apply_settings_plan(
    shell: &Shell,
    tenant: String,
    plan_id: String,
) -> Reply<SettingsApplyReport> {
    Ok(shell
        .console
        .settings()
        .apply(&on(tenant), &plan_id, &quiet())
        .await?)
}

pub async fn settings_drift(
    shell: &Shell,
    tenants: Vec<String>,
    tabs: Vec<Tab>,
) -> Reply<DriftReport> {
    let targets: Vec<(String, cloo_console::Target)> =
        tenants.into_iter().map(|t| (t.clone(), on(t))).collect();
    Ok(shell.console.settings().diff(&targets, &tabs).await?)
}

pub async fn test_settings_connection(
    shell: &Shell,
    tenant: String,
    kind: ProbeKind,
    index: Option<usize>,
    secrets: Vec<FieldSecret>,
) -> Reply<ConnectionTest> {
    let (_, secrets) = to_domain(&[], &secrets);
    Ok(shell
        .console
        .settings()
        .test_connection(&on(tenant), kind, index, &secrets, &quiet())
        .await?)
}

pub async fn wipe_statement(shell: &Shell, tenant: String, wipe: Wipe) -> Reply<WipeStatement> {
    Ok(shell
        .console
        .settings()
        .wipe_statement(&on(tenant), wipe)
        .await?)
}

pub async fn run_wipe(
    shell: &Shell,
    tenant: String,
    wipe: Wipe,
    typed: String,
) -> Reply<WipeOutcome> {
    Ok(shell
        .console
        .settings()
        .wipe(&on(tenant), wipe, &typed, &quiet())
        .await?)
}

pub async fn plan_settings_copy(
    shell: &Shell,
    source: String,
    targets: Vec<String>,
    keys: Vec<String>,
) -> Reply<Vec<SettingsCopyPlan>> {
    let on_targets: Vec<cloo_console::Target> = targets.iter().cloned().map(on).collect();
    let plans = shell
        .console
        .settings()
        .plan_copy(&on(source), &on_targets, &[], &keys)
        .await?;
    Ok(targets
        .into_iter()
        .zip(plans)
        .map(|(target, plan)| SettingsCopyPlan { target, plan })
        .collect())
}

pub async fn pipelines(shell: &Shell, tenant: String) -> Reply<Vec<PipelineServerView>> {
    Ok(shell.console.settings().pipelines(&on(tenant)).await?)
}

pub async fn add_pipeline(
    shell: &Shell,
    tenant: String,
    server: usize,
    url: String,
) -> Reply<Vec<PipelineServerView>> {
    Ok(shell
        .console
        .settings()
        .add_pipeline(&on(tenant), server, &url, &quiet())
        .await?)
}

pub async fn delete_pipeline(
    shell: &Shell,
    tenant: String,
    server: usize,
    id: String,
) -> Reply<Vec<PipelineServerView>> {
    Ok(shell
        .console
        .settings()
        .delete_pipeline(&on(tenant), server, &id, &quiet())
        .await?)
}

pub async fn pipeline_valves(
    shell: &Shell,
    tenant: String,
    server: usize,
    id: String,
) -> Reply<PipelineValves> {
    Ok(shell
        .console
        .settings()
        .pipeline_valves(&on(tenant), server, &id)
        .await?)
}

pub async fn set_pipeline_valves(
    shell: &Shell,
    tenant: String,
    server: usize,
    id: String,
    edits: Vec<FieldEdit>,
    secrets: Vec<FieldSecret>,
) -> Reply<PipelineValves> {
    let (edits, secrets) = to_domain(&edits, &secrets);
    Ok(shell
        .console
        .settings()
        .set_pipeline_valves(&on(tenant), server, &id, &edits, &secrets, &quiet())
        .await?)
}
