//! `users import`.

use crate::args::{Output, UsersImport};
use crate::error::{CliError, CliResult};
use crate::input::confirm;
use crate::output::print_json;
use crate::progress::Watch;
use cloo_console::imports::{ImportOutcome, UserImportPlan, read_file, write_result_csv};
use cloo_console::{Console, ErrorCode, Target};
use cloo_domain::import::{FileEncoding, RowAction};
use std::path::{Path, PathBuf};

/// Exit code of a plan with something to create (kubectl diff's convention).
pub const EXIT_CHANGES: u8 = 1;

fn print_plan(plan: &UserImportPlan) {
    for row in &plan.plan.rows {
        match &row.action {
            RowAction::Create => println!(
                "line {}: create {} ({}, {})",
                row.line, row.email, row.name, row.role
            ),
            RowAction::Skip { reason } => {
                println!("line {}: skip {}: {reason}", row.line, row.email)
            }
            RowAction::Error { reason } => println!("line {}: error: {reason}", row.line),
        }
    }
    let (c, s, e) = plan.plan.counts();
    eprintln!(
        "{c} to create, {s} to skip, {e} with errors (never written) — read as {}",
        plan.plan.encoding
    );
}

fn result_path(file: &Path, given: &Option<PathBuf>) -> PathBuf {
    given.clone().unwrap_or_else(|| {
        let mut name = file
            .file_stem()
            .map(|s| s.to_os_string())
            .unwrap_or_default();
        name.push(".result.csv");
        file.with_file_name(name)
    })
}

/// Runs the command; `Ok(true)` means a plan with creates (exit code 1).
pub async fn run(
    console: &Console,
    target: &Target,
    args: &UsersImport,
    out: Output,
) -> CliResult<bool> {
    let imports = console.imports();
    let encoding = match &args.encoding {
        Some(name) => Some(
            FileEncoding::parse(name)
                .ok_or_else(|| format!("unknown encoding {name:?}: use utf-8 or cp949"))?,
        ),
        None => None,
    };
    let plan = match (&args.apply_plan, &args.file) {
        (Some(given), None) => {
            let path = Path::new(given);
            if path.exists() {
                let text = std::fs::read_to_string(path)
                    .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
                let plan = serde_json::from_str::<UserImportPlan>(&text).map_err(|err| {
                    format!(
                        "{}:{}:{}: not an import plan: {err}",
                        path.display(),
                        err.line(),
                        err.column()
                    )
                })?;
                imports.keep_users_plan(&plan).await?;
                plan
            } else {
                imports.get_users_plan(given).await?
            }
        }
        (None, Some(file)) => {
            let bytes = read_file(file)?;
            imports.plan_users(target, file, &bytes, encoding).await?
        }
        (Some(_), Some(_)) => return Err("give a CSV file or --apply-plan, not both".into()),
        (None, None) => return Err("give the CSV file (or --apply-plan PLAN)".into()),
    };
    if let Some(path) = &args.out {
        let text =
            serde_json::to_string_pretty(&plan).map_err(|err| CliError::Input(err.to_string()))?;
        std::fs::write(path, text)
            .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
        eprintln!("plan {} saved to {}", plan.id, path.display());
    }
    let applying = args.apply || args.apply_plan.is_some();
    if !applying {
        match out {
            Output::Json => print_json(&plan.plan)?,
            Output::Table => print_plan(&plan),
        }
        return Ok(plan.plan.creates().next().is_some());
    }
    if args.apply_plan.is_none() {
        print_plan(&plan);
        let (c, _, _) = plan.plan.counts();
        confirm(&format!("Create these {c} users?"), args.yes)?;
    }
    let bytes = read_file(&plan.file)?;
    let watch = Watch::start();
    let outcome = imports
        .apply_users(target, &plan.id, Some(&bytes), &watch.observer)
        .await;
    drop(watch);
    let outcome = outcome?;
    let result = result_path(&plan.file, &args.result);
    write_result_csv(&result, &outcome)?;
    report(&outcome, &result, out)?;
    match &outcome.stopped {
        Some(why) => Err(CliError::Coded(ErrorCode::Interrupted, why.clone())),
        None if outcome.failed > 0 => Err(CliError::Coded(
            ErrorCode::Rejected,
            format!("{} row(s) failed: see {}", outcome.failed, result.display()),
        )),
        None => Ok(false),
    }
}

fn report(outcome: &ImportOutcome, result: &Path, out: Output) -> CliResult<()> {
    match out {
        Output::Json => print_json(outcome),
        Output::Table => {
            for r in outcome.rows.iter().filter(|r| r.outcome == "failed") {
                println!("line {}: failed {}: {}", r.line, r.email, r.message);
            }
            println!(
                "{} created, {} skipped, {} failed; results in {}",
                outcome.created,
                outcome.skipped,
                outcome.failed,
                result.display()
            );
            Ok(())
        }
    }
}
