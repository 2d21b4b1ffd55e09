//! `clooctl secret`: secrets filed by name in the OS keychain, which settings documents refer to
//! as `keychain:NAME`. A value goes in through stdin and never comes out.

use crate::Done;
use crate::args::{Output, SecretCommand};
use crate::error::CliResult;
use crate::input::{confirm, read_secret};
use crate::output::print_json;
use cloo_console::Console;
use serde_json::json;

/// Runs one `secret` subcommand.
pub async fn run(console: &Console, command: &SecretCommand, out: Output) -> CliResult<Done> {
    match command {
        SecretCommand::Set { name } => {
            let value = read_secret(&format!("secret for {name}: "))?;
            console.set_named_secret(name, &value).await?;
            report(out, name, true, &format!("filed {name} in the OS keychain"))?;
            Ok(Done::Success)
        }
        SecretCommand::Remove { name, yes } => {
            confirm(
                &format!("Remove the secret {name} from the OS keychain?"),
                *yes,
            )?;
            console.remove_named_secret(name).await?;
            report(out, name, false, &format!("removed {name}"))?;
            Ok(Done::Success)
        }
        SecretCommand::Check { name } => {
            let filed = console.has_named_secret(name).await?;
            let text = if filed {
                format!("{name} is filed")
            } else {
                format!("{name} is not filed (clooctl secret set {name})")
            };
            report(out, name, filed, &text)?;
            Ok(if filed { Done::Success } else { Done::Changes })
        }
    }
}

fn report(out: Output, name: &str, filed: bool, text: &str) -> CliResult<()> {
    match out {
        Output::Json => print_json(&json!({"name": name, "filed": filed})),
        Output::Table => {
            println!("{text}");
            Ok(())
        }
    }
}
