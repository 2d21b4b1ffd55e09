//! `clooctl settings pipelines`: pipeline servers and their pipelines, installing and removing
//! one, and a pipeline's valves (secret-named valves shown masked).

use crate::args::{Output, PipelinesCommand};
use crate::cmd_settings::parse_assignment;
use crate::error::CliResult;
use crate::input::{confirm, read_secrets};
use crate::output::print_json;
use cloo_console::settings::{PipelineServerView, PipelineValves};
use cloo_console::{Console, Observer, Target};
use cloo_domain::settings::Edit;
use serde_json::Value;

/// Runs one `settings pipelines` subcommand.
pub async fn run(
    console: &Console,
    target: &Target,
    command: &PipelinesCommand,
    out: Output,
) -> CliResult<()> {
    let settings = console.settings();
    let quiet = Observer::quiet();
    match command {
        PipelinesCommand::List => {
            let servers = settings.pipelines(target).await?;
            print_servers(&servers, out)
        }
        PipelinesCommand::Add { server, url, yes } => {
            confirm(
                &format!(
                    "Install the pipeline at {url} on pipeline server {server}? It runs code on that server."
                ),
                *yes,
            )?;
            let servers = settings.add_pipeline(target, *server, url, &quiet).await?;
            print_servers(&servers, out)
        }
        PipelinesCommand::Delete { server, id, yes } => {
            confirm(
                &format!("Remove pipeline {id} (and its valves) from pipeline server {server}?"),
                *yes,
            )?;
            let servers = settings
                .delete_pipeline(target, *server, id, &quiet)
                .await?;
            print_servers(&servers, out)
        }
        PipelinesCommand::Valves { server, id } => {
            let valves = settings.pipeline_valves(target, *server, id).await?;
            print_valves(&valves, out)
        }
        PipelinesCommand::SetValves {
            server,
            id,
            assignments,
            secret,
            yes,
        } => {
            let edits = assignments
                .iter()
                .map(|a| parse_assignment(a))
                .collect::<CliResult<Vec<Edit>>>()?;
            let secrets = read_secrets(secret)?;
            let names: Vec<&str> = edits
                .iter()
                .map(|e| e.path.as_str())
                .chain(secrets.iter().map(|s| s.path.as_str()))
                .collect();
            confirm(
                &format!("Change {} of pipeline {id}?", names.join(", ")),
                *yes,
            )?;
            let valves = settings
                .set_pipeline_valves(target, *server, id, &edits, &secrets, &quiet)
                .await?;
            print_valves(&valves, out)
        }
    }
}

fn print_servers(servers: &[PipelineServerView], out: Output) -> CliResult<()> {
    if out == Output::Json {
        return print_json(&servers);
    }
    if servers.is_empty() {
        println!("no pipeline server among the OpenAI-compatible connections");
    }
    for s in servers {
        println!("[{}] {}", s.idx, s.url);
        if let Some(e) = &s.error {
            println!("  cannot list: {}", e.message);
        }
        for p in &s.pipelines {
            println!("  {} ({}): {}", p.id, p.kind, p.name);
        }
    }
    Ok(())
}

fn print_valves(valves: &PipelineValves, out: Output) -> CliResult<()> {
    let values = &valves.values;
    if out == Output::Json {
        return print_json(&values);
    }
    if let Value::Object(map) = &values {
        for (k, v) in map {
            let title = valves.spec["properties"][k]["title"]
                .as_str()
                .unwrap_or_default();
            println!("{k} = {v}  {title}");
        }
    }
    Ok(())
}
