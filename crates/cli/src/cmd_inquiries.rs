//! `clooctl inquiries …`: the deployment's inquiries listed with filters and counts, one shown,
//! moved (never closed by an admin), noted, deleted.

use crate::args::{InquiriesCommand, Output};
use crate::error::CliResult;
use crate::input::confirm;
use crate::output::print_json;
use cloo_console::inquiries::InquiryView;
use cloo_console::{Console, Observer, Target};
use cloo_domain::inquiries::InquiryFilter;

fn author_of(i: &InquiryView) -> String {
    match (&i.author_name, &i.author_email) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (None, Some(e)) => e.clone(),
        (Some(n), None) => n.clone(),
        (None, None) => "(author gone)".into(),
    }
}

fn print_one(i: &InquiryView) {
    println!(
        "{}  [{}] {} ({}/{})",
        i.id, i.status, i.title, i.kind, i.subtype
    );
    println!("  from {}", author_of(i));
    println!("  {}", i.content.replace('\n', "\n  "));
    if let Some(n) = &i.admin_note {
        println!("  note: {n}");
    }
}

/// Runs an `inquiries` command.
pub async fn run(
    console: &Console,
    target: &Target,
    command: &InquiriesCommand,
    out: Output,
) -> CliResult<()> {
    let inquiries = console.inquiries();
    match command {
        InquiriesCommand::List {
            status,
            kind,
            subtype,
            author,
            text,
        } => {
            let filter = InquiryFilter {
                kind: kind.clone(),
                subtype: subtype.clone(),
                author: author.clone(),
                text: text.clone(),
            };
            let board = inquiries.board(target, &filter).await?;
            let items: Vec<&InquiryView> = board
                .columns
                .iter()
                .filter(|c| status.as_ref().is_none_or(|s| &c.status == s))
                .flat_map(|c| c.items.iter())
                .collect();
            match out {
                Output::Json => print_json(&items)?,
                Output::Table => {
                    let counts: Vec<String> = ["open", "in_progress", "resolved", "closed"]
                        .iter()
                        .map(|s| format!("{s} {}", board.counts.get(*s).copied().unwrap_or(0)))
                        .collect();
                    println!(
                        "{} (showing {} of {})",
                        counts.join(" · "),
                        items.len(),
                        board.total
                    );
                    for i in items {
                        println!(
                            "{}  {:<12} {:<40} {:<24} {}",
                            i.id,
                            i.status,
                            i.title,
                            format!("{}/{}", i.kind, i.subtype),
                            author_of(i)
                        );
                    }
                }
            }
            Ok(())
        }
        InquiriesCommand::Show { id } => {
            let i = inquiries.get(target, id).await?;
            match out {
                Output::Json => print_json(&i)?,
                Output::Table => print_one(&i),
            }
            Ok(())
        }
        InquiriesCommand::Move { id, to } => {
            let i = inquiries
                .move_to(target, id, to, &Observer::quiet())
                .await?;
            match out {
                Output::Json => print_json(&i)?,
                Output::Table => println!("{} is {}", i.id, i.status),
            }
            Ok(())
        }
        InquiriesCommand::Note { id, note } => {
            let i = inquiries
                .set_note(target, id, note, &Observer::quiet())
                .await?;
            match out {
                Output::Json => print_json(&i)?,
                Output::Table => println!("{}: note set", i.id),
            }
            Ok(())
        }
        InquiriesCommand::Delete { id, yes } => {
            let i = inquiries.get(target, id).await?;
            confirm(
                &format!(
                    "Delete the inquiry {:?} from {}? It cannot be undone.",
                    i.title,
                    author_of(&i)
                ),
                *yes,
            )?;
            let gone = inquiries.delete(target, id, &Observer::quiet()).await?;
            match out {
                Output::Json => print_json(&gone)?,
                Output::Table => println!("{} deleted", gone.id),
            }
            Ok(())
        }
    }
}
