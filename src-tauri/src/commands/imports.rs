//! CSV user import: review a file's plan, apply it with progress, or drop it.

use super::upload::Upload;
use super::{Reply, Shell};
use cloo_console::{ImportOutcome, ImportProgress, ImportReview};
use tauri::State;
use tauri::ipc::{Channel, Request};

/// The file as raw bytes; `tenant`, `file-name` and optionally `encoding` in headers.
#[tauri::command]
pub async fn review_user_import(
    shell: State<'_, Shell>,
    request: Request<'_>,
) -> Reply<ImportReview> {
    let upload = Upload::from_request(&request)?;
    let encoding = upload.optional("encoding").filter(|e| !e.is_empty());
    Ok(shell
        .console
        .review_user_import(
            &upload.arg("tenant")?,
            &upload.arg("file-name")?,
            upload.bytes,
            encoding.as_deref(),
        )
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
