//! `clooctl audit …`: the deployment's audit log — a filtered page, one entry, the counts.

use crate::args::{AuditCommand, AuditFilters, AuditFormatArg, Output};
use crate::error::CliResult;
use crate::output::print_json;
use cloo_console::audit::AuditExportFormat;
use cloo_console::journal::{iso_time, parse_since};
use cloo_console::{Console, Observer, Target};
use cloo_domain::audit::AuditQuery;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

fn query_of(f: &AuditFilters, page: Option<u32>, limit: Option<u32>) -> CliResult<AuditQuery> {
    let seconds = |text: &Option<String>| -> CliResult<Option<i64>> {
        Ok(match text {
            Some(t) => Some(parse_since(t, now_ms())? / 1000),
            None => None,
        })
    };
    Ok(AuditQuery {
        page,
        limit,
        resource_types: f.kind.clone(),
        resource_id: f.resource_id.clone(),
        actions: f.action.clone(),
        actor: f.actor.clone(),
        from: seconds(&f.since)?,
        to: seconds(&f.until)?,
    })
}

fn print_rows(rows: &[cloo_console::audit::AuditRowView], out: Output) -> CliResult<()> {
    match out {
        Output::Json => print_json(&rows)?,
        Output::Table => {
            for r in rows {
                println!(
                    "{}  {:<16} {:<20} {:<28} {}",
                    iso_time(r.created_at * 1000),
                    r.action,
                    r.resource_type,
                    r.resource_name
                        .as_deref()
                        .or(r.resource_id.as_deref())
                        .unwrap_or("-"),
                    r.user_email
                        .as_deref()
                        .or(r.user_name.as_deref())
                        .unwrap_or("(anonymous)"),
                );
            }
        }
    }
    Ok(())
}

/// Runs an `audit` command.
pub async fn run(
    console: &Console,
    target: &Target,
    command: &AuditCommand,
    out: Output,
) -> CliResult<()> {
    let audit = console.audit();
    match command {
        AuditCommand::List {
            filters,
            page,
            limit,
        } => {
            let page = audit
                .page(target, &query_of(filters, Some(*page), Some(*limit))?)
                .await?;
            if out == Output::Json {
                // Rows as the server answers them, every field.
                print_json(&page.items)?;
                return Ok(());
            }
            println!(
                "{} row(s), page {} of {}",
                page.total, page.page, page.total_pages
            );
            let rows: Vec<cloo_console::audit::AuditRowView> =
                page.items.into_iter().map(Into::into).collect();
            print_rows(&rows, out)?;
            Ok(())
        }
        AuditCommand::Show { id } => {
            let entry = audit.entry(target, id).await?;
            match out {
                Output::Json => print_json(&entry)?,
                Output::Table => println!(
                    "{}",
                    serde_json::to_string_pretty(&entry).unwrap_or_default()
                ),
            }
            Ok(())
        }
        AuditCommand::Export {
            filters,
            format,
            out: path,
        } => {
            let format = match format {
                AuditFormatArg::Csv => AuditExportFormat::Csv,
                AuditFormatArg::Jsonl => AuditExportFormat::JsonLines,
            };
            let mut file = tokio::fs::File::create(path)
                .await
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let report = audit
                .export(
                    target,
                    &query_of(filters, None, None)?,
                    format,
                    &mut file,
                    &Observer::quiet(),
                )
                .await?;
            match out {
                Output::Json => print_json(&report)?,
                Output::Table => println!(
                    "{} row(s) written to {} ({} page(s))",
                    report.rows,
                    path.display(),
                    report.pages
                ),
            }
            Ok(())
        }
        AuditCommand::History {
            resource_type,
            resource_id,
            limit,
        } => {
            let rows = audit
                .history(target, resource_type, resource_id, *limit)
                .await?;
            print_rows(&rows, out)
        }
        AuditCommand::User { who, limit } => {
            let rows = audit.by_user(target, who, *limit).await?;
            print_rows(&rows, out)
        }
        AuditCommand::Pull => {
            let report = audit.pull(target, &Observer::quiet()).await?;
            match out {
                Output::Json => print_json(&report)?,
                Output::Table => println!(
                    "{} new row(s); {} kept locally",
                    report.new_rows, report.kept
                ),
            }
            Ok(())
        }
        AuditCommand::Search {
            action,
            kind,
            text,
            since,
            until,
            limit,
        } => {
            let seconds = |t: &Option<String>| -> CliResult<Option<i64>> {
                Ok(match t {
                    Some(t) => Some(parse_since(t, now_ms())? / 1000),
                    None => None,
                })
            };
            let filter = cloo_store::AuditCopyFilter {
                actions: action.clone(),
                resource_types: kind.clone(),
                text: text.clone(),
                from: seconds(since)?,
                to: seconds(until)?,
                limit: *limit,
            };
            let (rows, total) = audit.search_copy(target, &filter).await?;
            match out {
                Output::Json => print_json(&rows)?,
                Output::Table => {
                    println!("{total} row(s) in the local copy match");
                    for r in &rows {
                        let text = |k: &str| r[k].as_str().unwrap_or("-").to_owned();
                        println!(
                            "{}  {:<16} {:<20} {:<28} {}",
                            iso_time(r["created_at"].as_i64().unwrap_or_default() * 1000),
                            text("action"),
                            text("resource_type"),
                            text("resource_name"),
                            text("user_email"),
                        );
                    }
                }
            }
            Ok(())
        }
        AuditCommand::Stats { filters } => {
            let stats = audit.stats(target, &query_of(filters, None, None)?).await?;
            match out {
                Output::Json => print_json(&stats)?,
                Output::Table => {
                    println!("{} row(s)", stats.total);
                    for (what, map) in [
                        ("action", &stats.by_action),
                        ("resource", &stats.by_resource_type),
                    ] {
                        let mut rows: Vec<_> = map.iter().collect();
                        rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                        for (k, n) in rows {
                            println!("  {what:<8} {k:<24} {n}");
                        }
                    }
                }
            }
            Ok(())
        }
    }
}
