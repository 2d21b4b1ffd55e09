//! CSV user import: review a file's plan, apply it with progress, or drop it.

use super::{Reply, Shell};
use cloo_console::{ImportOutcome, ImportProgress, ImportReview};
use tauri::State;
use tauri::ipc::Channel;

#[tauri::command]
pub async fn review_user_import(
    shell: State<'_, Shell>,
    tenant: String,
    file_name: String,
    bytes: Vec<u8>,
    encoding: Option<String>,
) -> Reply<ImportReview> {
    Ok(shell
        .console
        .review_user_import(&tenant, &file_name, bytes, encoding.as_deref())
        .await?)
}

#[tauri::command]
pub async fn apply_user_import(
    shell: State<'_, Shell>,
    id: String,
    progress: Channel<ImportProgress>,
) -> Reply<ImportOutcome> {
    let report = move |p: ImportProgress| {
        // A closed window cannot watch progress; the apply goes on regardless.
        let _ = progress.send(p);
    };
    Ok(shell.console.apply_user_import_review(&id, &report).await?)
}

#[tauri::command]
pub fn drop_user_import(shell: State<'_, Shell>, id: String) {
    shell.console.drop_user_import_review(&id);
}
