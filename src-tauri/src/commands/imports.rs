//! CSV user import: review a file's plan, apply it by id with progress, or drop it.

use super::{Reply, Shell, on};
use cloo_console::Progress;
use cloo_console::imports::{ImportOutcome, ImportReview};
use tauri::ipc::Channel;

pub async fn review_user_import(
    shell: &Shell,
    bytes: Vec<u8>,
    tenant: String,
    file_name: String,
    encoding: Option<String>,
) -> Reply<ImportReview> {
    Ok(shell
        .console
        .imports()
        .review_users(&on(tenant), &file_name, bytes, encoding.as_deref())
        .await?)
}

pub async fn apply_user_import(
    shell: &Shell,
    tenant: String,
    plan_id: String,
    operation: String,
    progress: Channel<Progress>,
) -> Reply<ImportOutcome> {
    let observer = shell.watch(&operation, progress);
    let result = shell
        .console
        .imports()
        .apply_users(&on(tenant), &plan_id, None, &observer)
        .await;
    shell.done(&operation);
    Ok(result?)
}

pub async fn drop_user_import(shell: &Shell, plan_id: String) -> Reply<()> {
    Ok(shell.console.imports().drop_review(&plan_id).await?)
}
