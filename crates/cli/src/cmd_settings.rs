//! `settings …`: read a System Settings tab, and change fields of one of its sections without
//! losing a secret (secrets are typed on stdin, never given as arguments).

use crate::args::{ConnectionKind, Output, OutputFormat, SettingsCommand};
use crate::cmd_orgs::OrgsDone;
use crate::error::CliResult;
use crate::input::{confirm, read_secrets};
use crate::output::print_json;
use cloo_console::settings::{DocumentFormat, SectionView, SettingsReview, document_text};
use cloo_console::{Console, Observer, Target};
use cloo_domain::settings::{Edit, MaskedWrite, Tab};
use serde_json::Value;

/// Runs one `settings` subcommand.
pub async fn run(
    console: &Console,
    target: &Target,
    command: &SettingsCommand,
    out: Output,
    format: OutputFormat,
) -> CliResult<OrgsDone> {
    let settings = console.settings();
    match command {
        SettingsCommand::Get { tab, section } => {
            let tab = Tab::parse(tab).ok_or_else(|| {
                format!(
                    "no settings tab {tab:?} (tabs: {})",
                    Tab::ALL.map(|t| t.name()).join(", ")
                )
            })?;
            let mut sections = settings.get_tab(target, tab).await?.sections;
            if let Some(key) = section {
                sections.retain(|s| &s.key == key);
                if sections.is_empty() {
                    return Err(format!("the {} tab has no section {key:?}", tab.name()).into());
                }
            }
            match out {
                Output::Json => print_json(&sections)?,
                Output::Table => {
                    for s in &sections {
                        print_section(s);
                    }
                }
            }
            Ok(OrgsDone::Clean)
        }
        SettingsCommand::Set {
            section,
            assignments,
            secret,
            yes,
        } => {
            let edits = assignments
                .iter()
                .map(|a| parse_assignment(a))
                .collect::<CliResult<Vec<Edit>>>()?;
            let secrets = read_secrets(secret)?;
            // What would be sent, asked about first; a refusal is left to the write itself,
            // which reports it (exit 3) with nothing sent.
            let review = settings
                .review_section(target, section, &edits, &secrets)
                .await?;
            if review.refusals.is_empty() && !review.changes.is_empty() {
                confirm(&describe_review(&review), *yes)?;
            }
            let change = settings
                .set_section(target, section, &edits, &secrets, &Observer::quiet())
                .await?;
            match out {
                Output::Json => print_json(&change)?,
                Output::Table => {
                    if change.changed.is_empty() {
                        println!("{section}: nothing to change");
                    }
                    for path in &change.changed {
                        println!(
                            "{section}.{path}: {} -> {}",
                            change.before[path], change.after[path]
                        );
                    }
                    for path in &change.kept_masked {
                        println!(
                            "{section}.{path}: secret kept (the server puts the stored value back)"
                        );
                    }
                    for path in &change.differences {
                        eprintln!(
                            "warning: {section}.{path} reads back differently from what was sent"
                        );
                    }
                    if let Some(effect) = &change.model_rows {
                        if !effect.removed.is_empty() {
                            println!("model rows deleted: {}", effect.removed.join(", "));
                        }
                        if !effect.added.is_empty() {
                            println!("model rows created: {}", effect.added.join(", "));
                        }
                    }
                }
            }
            Ok(OrgsDone::Clean)
        }
        SettingsCommand::Export { tab } => {
            let tabs = parse_tabs(tab)?;
            let document = settings.export(target, &tabs).await?;
            let as_text = if format == OutputFormat::Yaml {
                DocumentFormat::Yaml
            } else {
                DocumentFormat::Json
            };
            println!("{}", document_text(&document, as_text)?.trim_end());
            Ok(OrgsDone::Clean)
        }
        SettingsCommand::Plan {
            file,
            out: plan_out,
        } => {
            let name = file.display().to_string();
            let bytes = std::fs::read(file).map_err(|e| format!("cannot read {name}: {e}"))?;
            let plan = settings.plan_bytes(target, &name, &bytes).await?;
            if let Some(path) = plan_out {
                let text = settings.plan_text(&plan.id).await?;
                std::fs::write(path, text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            match out {
                Output::Json => print_json(&plan)?,
                Output::Table => {
                    if plan.keys.is_empty() {
                        println!("no changes (config version {})", plan.config_version);
                    }
                    for k in &plan.keys {
                        println!("~ {}: {} -> {}", k.key, k.before, k.after);
                    }
                    for name in &plan.from_environment {
                        println!("  (secret from ${name} when applied)");
                    }
                    for name in &plan.from_keychain {
                        println!("  (secret from the keychain's {name} when applied)");
                    }
                    if !plan.keys.is_empty() {
                        println!(
                            "plan {} (apply: clooctl settings apply {})",
                            plan.id, plan.id
                        );
                    }
                }
            }
            Ok(if plan.keys.is_empty() {
                OrgsDone::Clean
            } else {
                OrgsDone::Findings
            })
        }
        SettingsCommand::Wipe {
            what,
            dry_run,
            confirm,
            yes,
        } => {
            crate::cmd_settings_wipe::run(
                console,
                target,
                *what,
                *dry_run,
                confirm.as_deref(),
                *yes,
                out,
            )
            .await?;
            Ok(OrgsDone::Clean)
        }
        SettingsCommand::Pipelines(command) => {
            crate::cmd_pipelines::run(console, target, command, out).await?;
            Ok(OrgsDone::Clean)
        }
        SettingsCommand::Diff { tenants, tab } => {
            let tabs = parse_tabs(tab)?;
            let targets: Vec<(String, Target)> = tenants
                .iter()
                .map(|name| (name.clone(), Target::Tenant(name.clone())))
                .collect();
            let report = settings.diff(&targets, &tabs).await?;
            match out {
                Output::Json => print_json(&report)?,
                Output::Table => {
                    let mut header = vec!["KEY".to_owned()];
                    header.extend(report.tenants.iter().cloned());
                    header.push("VERDICT".into());
                    let rows: Vec<Vec<String>> = report
                        .rows
                        .iter()
                        .map(|r| {
                            let mut row = vec![r.key.clone()];
                            row.extend(r.values.iter().map(Value::to_string));
                            row.push(
                                serde_json::to_value(r.verdict)
                                    .ok()
                                    .and_then(|v| v.as_str().map(str::to_owned))
                                    .unwrap_or_default()
                                    .replace('_', " "),
                            );
                            row
                        })
                        .collect();
                    if rows.is_empty() {
                        println!("no differences");
                    } else {
                        let header: Vec<&str> = header.iter().map(String::as_str).collect();
                        print!("{}", crate::output::table(&header, &rows));
                    }
                }
            }
            let differs = report.rows.iter().any(|r| r.verdict.is_drift());
            Ok(if differs {
                OrgsDone::Findings
            } else {
                OrgsDone::Clean
            })
        }
        SettingsCommand::Copy { from, to, tab, key } => {
            let tabs = if tab.is_empty() {
                Vec::new()
            } else {
                parse_tabs(tab)?
            };
            let targets: Vec<Target> = to.iter().map(|t| Target::Tenant(t.clone())).collect();
            let plans = settings
                .plan_copy(&Target::Tenant(from.clone()), &targets, &tabs, key)
                .await?;
            match out {
                Output::Json => print_json(&plans)?,
                Output::Table => {
                    for (name, plan) in to.iter().zip(&plans) {
                        if plan.keys.is_empty() {
                            println!("{name}: no changes");
                            continue;
                        }
                        println!(
                            "{name}: plan {} (apply: clooctl --tenant {name} settings apply {})",
                            plan.id, plan.id
                        );
                        for k in &plan.keys {
                            println!("  ~ {}: {} -> {}", k.key, k.before, k.after);
                        }
                    }
                }
            }
            Ok(if plans.iter().any(|p| !p.keys.is_empty()) {
                OrgsDone::Findings
            } else {
                OrgsDone::Clean
            })
        }
        SettingsCommand::Test {
            kind,
            index,
            yes,
            secret,
        } => {
            if *kind == ConnectionKind::Images {
                confirm(
                    "Probe the image engine? If it does not answer, the deployment turns image generation off.",
                    *yes,
                )?;
            }
            let secrets = read_secrets(secret)?;
            let test = settings
                .test_connection(target, (*kind).into(), *index, &secrets, &Observer::quiet())
                .await?;
            match out {
                Output::Json => print_json(&test)?,
                Output::Table => print_test(&test),
            }
            Ok(if test.ok {
                OrgsDone::Clean
            } else {
                OrgsDone::Findings
            })
        }
        SettingsCommand::Apply { plan } => {
            let id = if std::path::Path::new(plan).exists() {
                let text = std::fs::read_to_string(plan)
                    .map_err(|e| format!("cannot read {plan}: {e}"))?;
                settings.adopt_plan(target, &text).await?
            } else {
                plan.clone()
            };
            let report = settings.apply(target, &id, &Observer::quiet()).await?;
            match out {
                Output::Json => print_json(&report)?,
                Output::Table => {
                    for change in &report.sections {
                        for path in &change.changed {
                            println!(
                                "{}.{path}: {} -> {}",
                                change.section, change.before[path], change.after[path]
                            );
                        }
                    }
                    println!("applied plan {}", report.plan_id);
                }
            }
            Ok(OrgsDone::Clean)
        }
    }
}

/// The question asked before a section is saved: each change, and what the save does to the
/// model table.
fn describe_review(review: &SettingsReview) -> String {
    let mut lines = vec![format!("Save {}?", review.section)];
    for c in &review.changes {
        let after = if c.new_secret {
            "(new secret)".to_owned()
        } else {
            c.after.to_string()
        };
        lines.push(format!("  {}: {} -> {after}", c.path, c.before));
    }
    if let Some(effect) = &review.model_rows {
        if !effect.removed.is_empty() {
            lines.push(format!(
                "  deletes the model rows of {} (with their access settings)",
                effect.removed.join(", ")
            ));
        }
        if !effect.added.is_empty() {
            lines.push(format!(
                "  creates public model rows for {}",
                effect.added.join(", ")
            ));
        }
    }
    lines.join("\n")
}

impl From<ConnectionKind> for cloo_domain::settings::probes::ProbeKind {
    fn from(kind: ConnectionKind) -> Self {
        use cloo_domain::settings::probes::ProbeKind;
        match kind {
            ConnectionKind::Openai => ProbeKind::Openai,
            ConnectionKind::Ollama => ProbeKind::Ollama,
            ConnectionKind::Pgvector => ProbeKind::Pgvector,
            ConnectionKind::Images => ProbeKind::Images,
            ConnectionKind::Storage => ProbeKind::Storage,
            ConnectionKind::FileStorage => ProbeKind::FileStorage,
        }
    }
}

/// A connection test's result, in words.
fn print_test(test: &cloo_console::settings::ConnectionTest) {
    use cloo_domain::settings::probes::ProbeCaveat;
    match (test.ok, test.models) {
        (true, Some(n)) => println!("{}: reachable, {n} model(s)", test.url),
        (true, None) if test.detail.is_empty() => println!("{}: reachable", test.url),
        (true, None) => println!("{}: reachable: {}", test.url, test.detail),
        (false, _) => println!("{}: failed: {}", test.url, test.detail),
    }
    if test.caveat == Some(ProbeCaveat::KeyWithheld) {
        println!("note: tested without its stored key, which the server's test does not use");
    }
    if test.turned_images_off {
        println!(
            "image generation is now off on the deployment: turn it on again in the Images tab once the engine answers"
        );
    }
}

fn parse_tabs(names: &[String]) -> CliResult<Vec<Tab>> {
    names
        .iter()
        .map(|name| {
            Tab::parse(name).ok_or_else(|| {
                crate::error::CliError::from(format!(
                    "no settings tab {name:?} (tabs: {})",
                    Tab::ALL.map(|t| t.name()).join(", ")
                ))
            })
        })
        .collect()
}

/// `PATH=VALUE`: the value as JSON when it parses as JSON, else as text.
pub(crate) fn parse_assignment(text: &str) -> CliResult<Edit> {
    let (path, raw) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: expected FIELD=VALUE (for example CHUNK_SIZE=800)"))?;
    let path = path.trim();
    if path.is_empty() {
        return Err(format!("{text:?}: the field name is empty").into());
    }
    let value =
        serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::String(raw.to_owned()));
    Ok(Edit {
        path: path.to_owned(),
        value,
    })
}

fn print_section(s: &SectionView) {
    println!("[{}] {}", s.key, s.endpoint);
    if let Some(e) = &s.error {
        println!("  unavailable: {}", e.message);
        return;
    }
    let mut lines = Vec::new();
    flatten("", &s.values, &mut lines);
    for (path, value) in lines {
        let note = s
            .secrets
            .iter()
            .find(|f| f.path == path)
            .map(|f| match f.on_masked_write {
                MaskedWrite::Keeps => "  (secret)",
                MaskedWrite::StoresLiterally => "  (secret; any write of it needs the real value)",
                MaskedWrite::UsesAsSent => "  (secret; a write of its group needs the real value)",
                MaskedWrite::KeepsByPosition | MaskedWrite::KeepsByTail => {
                    "  (secret; stays with its connection)"
                }
            })
            .unwrap_or("");
        println!("  {path} = {value}{note}");
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, x) in map {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        Value::Array(items) if items.iter().any(Value::is_object) => {
            for (i, x) in items.iter().enumerate() {
                flatten(&format!("{prefix}.{i}"), x, out);
            }
        }
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn assignments_take_json_or_text() {
        assert_eq!(
            parse_assignment("CHUNK_SIZE=800").expect("present").value,
            json!(800)
        );
        assert_eq!(
            parse_assignment("A=true").expect("present").value,
            json!(true)
        );
        assert_eq!(
            parse_assignment("A=hello world").expect("present").value,
            json!("hello world")
        );
        assert_eq!(
            parse_assignment("A=[\"x\"]").expect("present").value,
            json!(["x"])
        );
        assert_eq!(parse_assignment("A=").expect("present").value, json!(""));
        assert!(parse_assignment("nothing").is_err());
        assert!(parse_assignment("=1").is_err());
    }
}
