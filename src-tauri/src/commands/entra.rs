//! Entra ID sync: the Microsoft sign-in profile, a sign-in test, plans read from Graph (with
//! progress, cancel and the device code shown in the window), their apply, and the history.

use super::{Reply, Shell, on};
use cloo_console::entra::{
    DeviceCodeNotice, EntraPlanRequest, EntraPlanView, EntraProfileRequest, EntraProfileView,
    EntraRun, EntraTestReport, device_code_prompt,
};
use cloo_console::imports::{ApplyPath, OrgApplyReport};
use cloo_console::{ErrorCode, Progress};
use cloo_entra::build::BuildMode;
use tauri::ipc::Channel;

pub async fn entra_profile(shell: &Shell, tenant: String) -> Reply<Option<EntraProfileView>> {
    match shell.console.entra().get_profile(&on(tenant)).await {
        Ok(p) => Ok(Some(p)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub async fn set_entra_profile(
    shell: &Shell,
    tenant: String,
    request: EntraProfileRequest,
) -> Reply<EntraProfileView> {
    let input = request.into_input()?;
    Ok(shell
        .console
        .entra()
        .set_profile(&on(tenant), input)
        .await?)
}

pub async fn test_entra(
    shell: &Shell,
    tenant: String,
    operation: String,
    progress: Channel<Progress>,
    device_code: Channel<DeviceCodeNotice>,
) -> Reply<EntraTestReport> {
    let observer = shell.watch(&operation, progress);
    let prompt = device_code_prompt(move |n| {
        let _ = device_code.send(n);
    });
    let result = shell
        .console
        .entra()
        .test(&on(tenant), &observer, Some(prompt))
        .await;
    shell.done(&operation);
    Ok(result?)
}

pub async fn plan_entra(
    shell: &Shell,
    tenant: String,
    parity: bool,
    full: bool,
    operation: String,
    progress: Channel<Progress>,
    device_code: Channel<DeviceCodeNotice>,
) -> Reply<EntraPlanView> {
    let observer = shell.watch(&operation, progress);
    let prompt = device_code_prompt(move |n| {
        let _ = device_code.send(n);
    });
    let request = EntraPlanRequest {
        mode: if parity {
            BuildMode::Parity
        } else {
            BuildMode::Recommended
        },
        full,
        ..EntraPlanRequest::default()
    };
    let result = shell
        .console
        .entra()
        .plan(&on(tenant), &request, &observer, Some(prompt))
        .await;
    shell.done(&operation);
    Ok(result?.view())
}

pub async fn apply_entra(
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
        .entra()
        .apply(&on(tenant), &plan_id, allow_deletes, path, &observer)
        .await;
    shell.done(&operation);
    Ok(result?)
}

pub async fn entra_history(shell: &Shell, tenant: String) -> Reply<Vec<EntraRun>> {
    Ok(shell.console.entra().list_history(&on(tenant), 50).await?)
}
