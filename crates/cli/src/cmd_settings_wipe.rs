//! `clooctl settings wipe`: the three irreversible settings actions, each shown as a statement
//! of exactly what goes before the deployment's name is asked for.

use crate::args::{Output, WipeKind};
use crate::error::CliResult;
use crate::input::confirm_by_typing;
use crate::output::print_json;
use cloo_console::settings::WipeStatement;
use cloo_console::{Console, Observer, Target};
use cloo_domain::settings::wipe::{Wipe, WipeItem, WipeItemKind};

impl From<WipeKind> for Wipe {
    fn from(kind: WipeKind) -> Wipe {
        match kind {
            WipeKind::VectorDb => Wipe::VectorDb,
            WipeKind::Files => Wipe::AllFiles,
            WipeKind::Models => Wipe::AllModels,
        }
    }
}

/// One line of the statement, in words.
fn describe(item: &WipeItem) -> String {
    let count =
        |n: Option<u64>| n.map_or_else(|| "an unknown number of".to_owned(), |n| n.to_string());
    let text = match item.kind {
        WipeItemKind::KnowledgeBase => format!("{} knowledge base(s) deleted", count(item.count)),
        WipeItemKind::ProjectKnowledgeBase => {
            "every project's knowledge base deleted too (an admin cannot list them)".to_owned()
        }
        WipeItemKind::VectorIndex => {
            "the vector index cleared: documents must be uploaded and indexed again".to_owned()
        }
        WipeItemKind::KnowledgeFile => format!(
            "{} file(s) in knowledge bases deleted with their content",
            count(item.count)
        ),
        WipeItemKind::OtherFile => {
            "every file uploaded to chats deleted too (no admin endpoint counts them)".to_owned()
        }
        WipeItemKind::KnowledgeBaseEmptied => format!(
            "{} knowledge base(s) stay, emptied of their files",
            count(item.count)
        ),
        WipeItemKind::Agent => format!("{} agent(s) deleted", count(item.count)),
        WipeItemKind::BaseModelRow => format!(
            "{} model setting(s) deleted (provider-model overrides and agent flows)",
            count(item.count)
        ),
        WipeItemKind::ProviderModelHidden => {
            "provider models without a row are hidden from every non-admin afterwards".to_owned()
        }
    };
    if item.examples.is_empty() {
        text
    } else {
        let more = item
            .count
            .map(|n| n as usize > item.examples.len())
            .unwrap_or(false);
        format!(
            "{text}: {}{}",
            item.examples.join(", "),
            if more { ", …" } else { "" }
        )
    }
}

/// What the deployment still lists of a counted line, read after the action.
fn describe_left(item: &WipeItem) -> Option<String> {
    let n = item.count?;
    Some(match item.kind {
        WipeItemKind::KnowledgeBase => format!("{n} knowledge base(s) still listed"),
        WipeItemKind::KnowledgeFile => format!("{n} file(s) still in knowledge bases"),
        WipeItemKind::Agent => format!("{n} agent(s) left"),
        WipeItemKind::BaseModelRow => format!("{n} model setting(s) left"),
        _ => return None,
    })
}

fn print_statement(s: &WipeStatement) {
    println!("{} would remove, for good:", s.endpoint);
    for item in &s.items {
        println!("  - {}", describe(item));
    }
}

/// Shows what goes; with `dry_run`, stops there; else asks for the deployment's name (or takes
/// `--confirm NAME` / `--yes`) and runs it.
pub async fn run(
    console: &Console,
    target: &Target,
    kind: WipeKind,
    dry_run: bool,
    confirm: Option<&str>,
    yes: bool,
    out: Output,
) -> CliResult<()> {
    let wipe = Wipe::from(kind);
    let settings = console.settings();
    let statement = settings.wipe_statement(target, wipe).await?;
    if dry_run {
        match out {
            Output::Json => print_json(&statement)?,
            Output::Table => print_statement(&statement),
        }
        return Ok(());
    }
    let typed = match confirm {
        Some(typed) => typed.to_owned(),
        None => {
            if matches!(out, Output::Table) {
                print_statement(&statement);
            }
            confirm_by_typing("This cannot be undone.", &statement.confirm, yes)?
        }
    };
    let outcome = settings
        .wipe(target, wipe, &typed, &Observer::quiet())
        .await?;
    match out {
        Output::Json => print_json(&outcome)?,
        Output::Table => {
            println!("done: {} was called", outcome.statement.endpoint);
            for item in &outcome.remaining {
                if let Some(left) = describe_left(item) {
                    println!("  {left}");
                }
            }
        }
    }
    Ok(())
}
