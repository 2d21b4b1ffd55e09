//! `orgs …`: browse organizations, and validate, plan and apply offline imports.

use crate::args::{OrgsCommand, Output};
use crate::error::{CliError, CliResult};
use crate::input::confirm;
use crate::output::{format_time, print_json, table};
use crate::progress::Watch;
use cloo_console::imports::{OrgApplyReport, OrgPlanDocument, read_plan_document};
use cloo_console::orgs::OrgTreeNode;
use cloo_console::{Console, ErrorCode, Observer, Target};
use cloo_domain::import::{FileEncoding, ImportFileError, decode};
use cloo_domain::org::hr_csv::hr_csv_to_import;
use cloo_domain::org::import_file::Severity;
use cloo_domain::org::import_plan::PlanOptions;
use serde_json::Value;
use std::path::Path;

/// How an `orgs` command ended well.
pub enum OrgsDone {
    /// Exit 0.
    Clean,
    /// Exit 1: a plan with changes, or a file with problems.
    Findings,
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn read(path: &Path) -> CliResult<Vec<u8>> {
    std::fs::read(path)
        .map_err(|err| CliError::Input(format!("cannot read {}: {err}", path.display())))
}

/// Runs an `orgs` command.
pub async fn run(
    console: &Console,
    target: &Target,
    command: &OrgsCommand,
    out: Output,
) -> CliResult<OrgsDone> {
    match command {
        OrgsCommand::List => list(console, target, out).await,
        OrgsCommand::Tree { org, depth } => {
            tree(console, target, org.as_deref(), *depth, out).await
        }
        OrgsCommand::Unit { unit, org } => {
            let detail = console
                .orgs()
                .get_unit(target, unit, org.as_deref())
                .await?;
            if out == Output::Json {
                print_json(&detail)?;
                return Ok(OrgsDone::Clean);
            }
            println!("{}", detail.path.join(" > "));
            println!(
                "id {}  external id {}  type {}",
                detail.unit["id"].as_str().unwrap_or(""),
                detail.unit["external_id"].as_str().unwrap_or("-"),
                detail.unit["type"].as_str().unwrap_or("-")
            );
            println!(
                "guardrails: {} (global: {})",
                if detail.guardrail_ids.is_empty() {
                    "none".to_owned()
                } else {
                    detail.guardrail_ids.join(", ")
                },
                if detail.follow_global_guardrail {
                    "inherited"
                } else {
                    "off"
                }
            );
            println!("daily token limits: {}", detail.usage_limit);
            let rows: Vec<Vec<String>> = detail
                .members
                .iter()
                .map(|m| {
                    vec![
                        m.written.clone(),
                        m.user_email.clone().unwrap_or_else(|| "(no user)".into()),
                        m.matched_by.clone(),
                    ]
                })
                .collect();
            print!("{}", table(&["MEMBER", "USER", "MATCHED BY"], &rows));
            println!(
                "{} member(s), {} matching no user",
                detail.members.len(),
                detail.unmatched
            );
            Ok(OrgsDone::Clean)
        }
        OrgsCommand::Limit {
            unit,
            model,
            set,
            clear: _,
            org,
            yes,
        } => {
            let detail = console
                .orgs()
                .get_unit(target, unit, org.as_deref())
                .await?;
            let what = match set {
                Some(0) => format!("make {model} unlimited for"),
                Some(n) => format!("limit {model} to {n} tokens a day for"),
                None => format!("remove the {model} limit of"),
            };
            confirm(
                &format!(
                    "{} the members of {}?",
                    capitalised(&what),
                    detail.path.join(" > ")
                ),
                *yes,
            )?;
            let id = detail.unit["id"].as_str().unwrap_or_default().to_owned();
            let after = console
                .orgs()
                .set_unit_limit(target, &id, model, *set, &Observer::quiet())
                .await?;
            match out {
                Output::Json => print_json(&after.usage_limit)?,
                Output::Table => println!(
                    "{}: daily token limits {}",
                    after.path.join(" > "),
                    after.usage_limit
                ),
            }
            Ok(OrgsDone::Clean)
        }
        OrgsCommand::Guardrails {
            unit,
            ids,
            global,
            org,
            yes,
        } => {
            let detail = console
                .orgs()
                .get_unit(target, unit, org.as_deref())
                .await?;
            let ids: Vec<String> = ids
                .iter()
                .map(|i| i.trim().to_owned())
                .filter(|i| !i.is_empty())
                .collect();
            let follow = global == "on";
            confirm(
                &format!("Set the guardrails of {}?", detail.path.join(" > ")),
                *yes,
            )?;
            let id = detail.unit["id"].as_str().unwrap_or_default().to_owned();
            let after = console
                .orgs()
                .set_unit_guardrails(target, &id, &ids, follow, &Observer::quiet())
                .await?;
            match out {
                Output::Json => print_json(&serde_json::json!({
                    "guardrail_ids": after.guardrail_ids, "follow_global": after.follow_global_guardrail,
                }))?,
                Output::Table => println!(
                    "{}: guardrails {}; global guardrails {}",
                    after.path.join(" > "),
                    if after.guardrail_ids.is_empty() {
                        "none".to_owned()
                    } else {
                        after.guardrail_ids.join(", ")
                    },
                    if after.follow_global_guardrail {
                        "applied"
                    } else {
                        "not applied"
                    }
                ),
            }
            Ok(OrgsDone::Clean)
        }
        OrgsCommand::Validate { file } => validate(file, out),
        OrgsCommand::Plan {
            file,
            out: plan_out,
            offline,
            no_carry_over,
        } => {
            let bytes = read(file)?;
            let options = PlanOptions {
                carry_over_settings: !no_carry_over,
            };
            let name = file.display().to_string();
            let document = console
                .imports()
                .plan_org(target, &name, &bytes, options, *offline)
                .await?;
            if let Some(path) = plan_out {
                let text = serde_json::to_vec_pretty(&document)
                    .map_err(|err| CliError::Input(err.to_string()))?;
                std::fs::write(path, text)
                    .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
            }
            print_plan(&document, out)?;
            Ok(if document.plan.has_changes() {
                OrgsDone::Findings
            } else {
                OrgsDone::Clean
            })
        }
        OrgsCommand::Apply {
            plan,
            allow_deletes,
            path,
            ..
        } => apply(console, target, plan, *allow_deletes, path.path(), out).await,
        OrgsCommand::FromCsv {
            file,
            tenant_id,
            org_name,
            out: json_out,
            encoding,
        } => {
            let encoding = match encoding {
                Some(name) => Some(
                    FileEncoding::parse(name)
                        .ok_or_else(|| format!("unknown encoding {name:?}: use utf-8 or cp949"))?,
                ),
                None => None,
            };
            let bytes = read(file)?;
            let where_ = file.display();
            let (text, _) = decode(&bytes, encoding).map_err(|err| format!("{where_}: {err}"))?;
            let converted = hr_csv_to_import(&text, tenant_id, org_name.as_deref()).map_err(|err| match err {
                ImportFileError::MissingColumn(c) => format!(
                    "{where_}:1: no {c} column (the header needs department, name and email; job title is optional; English or Korean names)"
                ),
                other => format!("{where_}: {other}"),
            })?;
            for p in &converted.problems {
                eprintln!("{where_}:{}: skipped: {}", p.line, p.message);
            }
            let json =
                serde_json::to_string_pretty(&converted.body).map_err(|err| err.to_string())?;
            match json_out {
                Some(path) => {
                    std::fs::write(path, json)
                        .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
                    eprintln!(
                        "wrote {}: {} unit(s), {} person(s), {} row(s) skipped",
                        path.display(),
                        converted.units,
                        converted.people,
                        converted.problems.len()
                    );
                }
                None => println!("{json}"),
            }
            Ok(OrgsDone::Clean)
        }
    }
}

async fn list(console: &Console, target: &Target, out: Output) -> CliResult<OrgsDone> {
    let orgs = console.orgs().list(target).await?;
    match out {
        Output::Json => print_json(&orgs)?,
        Output::Table => {
            let rows: Vec<Vec<String>> = orgs
                .iter()
                .map(|o| {
                    vec![
                        o.tenant_id.clone(),
                        o.display_name.clone().unwrap_or_else(|| o.name.clone()),
                        o.domain.clone().unwrap_or_default(),
                        o.units.to_string(),
                        o.id.clone(),
                    ]
                })
                .collect();
            print!(
                "{}",
                table(&["TENANT ID", "NAME", "DOMAIN", "UNITS", "ID"], &rows)
            );
        }
    }
    Ok(OrgsDone::Clean)
}

async fn tree(
    console: &Console,
    target: &Target,
    org: Option<&str>,
    depth: Option<usize>,
    out: Output,
) -> CliResult<OrgsDone> {
    let (summary, nodes) = console.orgs().tree(target, org, None, depth).await?;
    if out == Output::Json {
        print_json(&nodes)?;
        return Ok(OrgsDone::Clean);
    }
    println!(
        "{} ({}, {} units)",
        summary.name, summary.tenant_id, summary.units
    );
    fn print(node: &OrgTreeNode, indent: usize) {
        let kind = node
            .kind
            .as_deref()
            .map(|k| format!(" [{k}]"))
            .unwrap_or_default();
        let members = if node.members > 0 {
            format!(", {} members", node.members)
        } else {
            String::new()
        };
        let hidden = if node.children.is_empty() && node.child_count > 0 {
            format!(" (+{} below)", node.child_count)
        } else {
            String::new()
        };
        println!(
            "{}{}{kind}  {}{members}{hidden}",
            "  ".repeat(indent + 1),
            node.label,
            node.external_id.as_deref().unwrap_or("-")
        );
        for child in &node.children {
            print(child, indent + 1);
        }
    }
    for node in &nodes {
        print(node, 0);
    }
    Ok(OrgsDone::Clean)
}

fn validate(file: &Path, out: Output) -> CliResult<OrgsDone> {
    let bytes = read(file)?;
    let validated = cloo_console::Imports::validate_org(&bytes);
    let errors = validated.errors().count();
    let warnings = validated.problems.len() - errors;
    match out {
        Output::Json => print_json(&serde_json::json!({
            "file": file.display().to_string(),
            "valid": validated.is_valid(),
            "units": validated.file.as_ref().map_or(0, |f| f.units.len()),
            "errors": errors,
            "warnings": warnings,
            "problems": validated.problems,
        }))?,
        Output::Table => {
            for p in &validated.problems {
                let level = match p.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                println!("{}: {}: {level}: {}", file.display(), p.path, p.message);
            }
            eprintln!(
                "{} unit(s); {errors} error(s), {warnings} warning(s)",
                validated.file.as_ref().map_or(0, |f| f.units.len())
            );
        }
    }
    Ok(if validated.is_valid() {
        OrgsDone::Clean
    } else {
        OrgsDone::Findings
    })
}

fn quoted(v: &Value) -> String {
    match v {
        Value::Array(a) => format!("[{} item(s)]", a.len()),
        Value::Object(o) => format!("{{{} key(s)}}", o.len()),
        other => other.to_string(),
    }
}

/// A plan as `-o json` shows it: the plan's arrays and details, its id, without the prediction.
pub(crate) fn plan_json(document: &OrgPlanDocument) -> CliResult<Value> {
    let plan = &document.plan;
    let mut value = serde_json::to_value(plan).map_err(|err| err.to_string())?;
    if let Value::Object(map) = &mut value {
        map.remove("predicted");
        map.insert("plan_id".into(), Value::String(document.id.clone()));
        map.insert("offline".into(), Value::Bool(document.offline));
        map.insert("has_changes".into(), Value::Bool(plan.has_changes()));
    }
    Ok(value)
}

pub(crate) fn print_plan(document: &OrgPlanDocument, out: Output) -> CliResult<()> {
    let plan = &document.plan;
    if out == Output::Json {
        return print_json(&plan_json(document)?);
    }
    let source = if document.offline {
        format!(
            "offline, against the snapshot read {}",
            format_time(document.state_read_at)
        )
    } else {
        "against the deployment now".to_owned()
    };
    println!(
        "plan {} for organization {:?} ({source})",
        document.id, plan.tenant_id
    );
    let org_changes: Vec<String> = plan
        .organization
        .changes
        .iter()
        .map(|c| format!("{}: {} → {}", c.field, quoted(&c.before), quoted(&c.after)))
        .collect();
    println!(
        "organization: {} {}",
        plan.organization.action,
        org_changes.join("; ")
    );
    for key in &plan.create {
        println!("+ create  {key}");
    }
    for change in &plan.changes {
        let fields: Vec<String> = change
            .fields
            .iter()
            .map(|f| format!("{}: {} → {}", f.field, quoted(&f.before), quoted(&f.after)))
            .collect();
        println!("~ update  {}  {}", change.key, fields.join("; "));
    }
    let top = "(top level)".to_owned();
    for m in &plan.moved {
        println!(
            "> move    {}  {} → {}",
            m.key,
            m.from.as_ref().unwrap_or(&top),
            m.to.as_ref().unwrap_or(&top)
        );
    }
    for d in &plan.deleted {
        println!(
            "- delete  {}  {:?} (type {})",
            d.key,
            d.name,
            d.kind.as_deref().unwrap_or("-")
        );
    }
    for f in &plan.fixups {
        println!(
            "fix-up: detach {} from its old parent {:?} (the server keeps it)",
            f.key,
            f.stale_parent.as_deref().unwrap_or("")
        );
    }
    for c in &plan.carried_settings {
        println!(
            "keep:   {} {} (the import would wipe it)",
            c.key,
            c.settings.join(", ")
        );
    }
    for w in &plan.wiped_settings {
        println!(
            "wipe:   {} {} (--no-carry-over)",
            w.key,
            w.settings.join(", ")
        );
    }
    if !plan.left_in_place.is_empty() {
        let keys: Vec<&str> = plan
            .left_in_place
            .iter()
            .take(10)
            .map(|u| u.key.as_str())
            .collect();
        println!(
            "left in place: {} unit(s) not in the file whose type is not in the file ({}{})",
            plan.left_in_place.len(),
            keys.join(", "),
            if plan.left_in_place.len() > 10 {
                ", …"
            } else {
                ""
            }
        );
    }
    for o in &plan.orphaned {
        println!(
            "orphaned: {} {:?} loses its parent and shows at the top level",
            o.key, o.name
        );
    }
    if !plan.members_checked {
        println!("members: not checked (offline)");
    } else if !plan.unmatched_members.is_empty() {
        println!("members matching no user: {}", plan.unmatched_count);
        for m in plan.unmatched_members.iter().take(10) {
            println!("  {}: {} — {}", m.key, m.member, m.reason);
        }
    }
    let guard = plan.deletion_guard();
    if guard.needs_allowance {
        println!(
            "deletions: {} of {} units is over the {} allowed (min({}, {}%)): applying needs --allow-deletes {}",
            guard.deletes,
            guard.existing,
            guard.threshold,
            guard.cap,
            guard.share_percent,
            guard.deletes
        );
    }
    let c = plan.server_counters;
    eprintln!(
        "{} to create, {} to update, {} to move, {} to delete, {} fix-up(s){}; the server will report created {}, updated {}, deleted {}",
        plan.create.len(),
        plan.update.len(),
        plan.moves.len(),
        plan.delete.len(),
        plan.fixups.len(),
        if plan.has_changes() {
            ""
        } else {
            " — no changes"
        },
        c.created,
        c.updated,
        c.deleted
    );
    eprintln!("apply with: clooctl orgs apply {}", document.id);
    Ok(())
}

async fn apply(
    console: &Console,
    target: &Target,
    plan: &str,
    allow_deletes: Option<usize>,
    path: cloo_console::imports::ApplyPath,
    out: Output,
) -> CliResult<OrgsDone> {
    let plan_id = plan_id_of(console, plan).await?;
    let watch = Watch::start();
    let report = console
        .imports()
        .apply_org(target, &plan_id, allow_deletes, path, &watch.observer)
        .await;
    drop(watch);
    print_apply_report(&report?, out)
}

/// The plan id of `plan`: a stored id, or a plan file (kept in the store first).
pub(crate) async fn plan_id_of(console: &Console, plan: &str) -> CliResult<String> {
    let path = Path::new(plan);
    if path.exists() {
        let document = read_plan_document(&read(path)?, plan)?;
        console.imports().keep_org_plan(&document).await?;
        Ok(document.id)
    } else {
        Ok(plan.to_owned())
    }
}

/// Prints what an organization apply did; differences from the plan are an error.
pub(crate) fn print_apply_report(report: &OrgApplyReport, out: Output) -> CliResult<OrgsDone> {
    match out {
        Output::Json => print_json(report)?,
        Output::Table => {
            if report.already_applied {
                println!(
                    "plan {} was already applied; nothing written",
                    report.plan_id
                );
            } else {
                println!(
                    "applied plan {}{} ({}, {} write request(s)): counters {}; {} fix-up(s)",
                    report.plan_id,
                    if report.resumed { " (resumed)" } else { "" },
                    if report.path == "per_unit" {
                        "unit by unit"
                    } else {
                        "one import"
                    },
                    report.write_requests,
                    report
                        .counters
                        .as_ref()
                        .map(Value::to_string)
                        .unwrap_or_default(),
                    report.fixups_done
                );
            }
            for d in &report.differences {
                println!("differs from the plan: {d}");
            }
        }
    }
    if !report.differences.is_empty() {
        return Err(CliError::Coded(
            ErrorCode::UnexpectedResponse,
            format!(
                "applied, but the deployment differs from the plan in {} unit(s) (listed above)",
                report.differences.len()
            ),
        ));
    }
    Ok(OrgsDone::Clean)
}
