//! The journal page, one entry, the CSV export, and stopping a running operation.

use super::{Reply, Shell};
use cloo_console::journal::{JournalEntry, JournalPage, JournalQuery};

pub async fn journal_page(shell: &Shell, query: JournalQuery) -> Reply<JournalPage> {
    Ok(shell.console.journal().list(&query).await?)
}

pub async fn journal_entry(shell: &Shell, id: i64) -> Reply<JournalEntry> {
    Ok(shell.console.journal().get(id).await?)
}

pub async fn export_journal(shell: &Shell, query: JournalQuery) -> Reply<String> {
    let path = shell.console.journal().export_to_downloads(&query).await?;
    Ok(path.display().to_string())
}

pub async fn cancel_operation(shell: &Shell, operation: String) -> Reply<bool> {
    Ok(shell.cancel(&operation))
}
