//! `journal …`: what the console changed or refused, newest first.

use crate::args::{JournalCommand, Output};
use crate::error::CliResult;
use crate::output::{print_json, table};
use cloo_console::Console;
use cloo_console::journal::{JournalQuery, iso_time, parse_since};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

pub async fn run(
    console: &Console,
    tenant: Option<&str>,
    command: &JournalCommand,
    out: Output,
) -> CliResult<()> {
    let journal = console.journal();
    match command {
        JournalCommand::List {
            since,
            outcome,
            operation,
            limit,
        } => {
            let query = JournalQuery {
                tenant: tenant.map(str::to_owned),
                since: since
                    .as_deref()
                    .map(|s| parse_since(s, now_ms()))
                    .transpose()?,
                outcomes: outcome.clone(),
                operation: operation.clone(),
                limit: Some(*limit),
                ..JournalQuery::default()
            };
            let page = journal.list(&query).await?;
            match out {
                Output::Json => print_json(&page.entries),
                Output::Table => {
                    let rows: Vec<Vec<String>> = page
                        .entries
                        .iter()
                        .map(|e| {
                            vec![
                                e.id.to_string(),
                                iso_time(e.started_at)[..19].replace('T', " "),
                                e.tenant_name.clone(),
                                e.actor.clone(),
                                e.operation.clone(),
                                e.target.clone(),
                                match &e.error_code {
                                    Some(code) => format!("{} ({code})", e.outcome),
                                    None => e.outcome.clone(),
                                },
                            ]
                        })
                        .collect();
                    print!(
                        "{}",
                        table(
                            &[
                                "ID",
                                "WHEN (UTC)",
                                "TENANT",
                                "WHO",
                                "OPERATION",
                                "TARGET",
                                "OUTCOME"
                            ],
                            &rows
                        )
                    );
                    if page.total > page.entries.len() as u64 {
                        println!(
                            "({} of {} shown: --limit shows more)",
                            page.entries.len(),
                            page.total
                        );
                    }
                    Ok(())
                }
            }
        }
        JournalCommand::Show { id } => {
            let entry = journal.get(*id).await?;
            match out {
                Output::Json => print_json(&entry),
                Output::Table => {
                    let pretty = |v: &serde_json::Value| {
                        if v.is_null() {
                            "-".to_owned()
                        } else {
                            serde_json::to_string_pretty(v).unwrap_or_default()
                        }
                    };
                    println!("entry      {}", entry.id);
                    println!("when       {}", iso_time(entry.started_at));
                    println!("tenant     {} ({})", entry.tenant_name, entry.tenant_id);
                    println!("who        {}", entry.actor);
                    println!("operation  {}", entry.operation);
                    println!("target     {}", entry.target);
                    if let Some(plan) = &entry.plan_id {
                        println!("plan       {plan}");
                    }
                    println!(
                        "outcome    {}{}",
                        entry.outcome,
                        entry
                            .error_code
                            .as_ref()
                            .map(|c| format!(" ({c})"))
                            .unwrap_or_default()
                    );
                    if !entry.message.is_empty() {
                        println!("message    {}", entry.message);
                    }
                    println!("before\n{}", pretty(&entry.before));
                    println!("after\n{}", pretty(&entry.after));
                    Ok(())
                }
            }
        }
        JournalCommand::Export { since } => {
            let query = JournalQuery {
                tenant: tenant.map(str::to_owned),
                since: since
                    .as_deref()
                    .map(|s| parse_since(s, now_ms()))
                    .transpose()?,
                ..JournalQuery::default()
            };
            print!("{}", journal.export_csv(&query).await?);
            Ok(())
        }
    }
}
