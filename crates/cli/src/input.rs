//! Reading secrets, confirmations and files, as cli-conventions.md requires.

use crate::error::{CliError, CliResult};
use cloo_domain::Secret;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

/// Reads one secret line from stdin; without echo when stdin is a terminal.
pub fn read_secret(prompt: &str) -> CliResult<Secret> {
    let stdin = std::io::stdin();
    let value = if stdin.is_terminal() {
        rpassword::prompt_password(prompt)
            .map_err(|e| format!("cannot read from the terminal: {e}"))?
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if value.is_empty() {
        return Err("nothing was read from stdin".into());
    }
    Ok(Secret::new(value))
}

/// Reads the secrets of settings `paths` from stdin (or the terminal), one line each, in order.
pub fn read_secrets(paths: &[String]) -> CliResult<Vec<cloo_domain::settings::NewSecret>> {
    paths
        .iter()
        .map(|path| {
            Ok(cloo_domain::settings::NewSecret {
                path: path.clone(),
                value: read_secret(&format!("{path}: "))?,
            })
        })
        .collect()
}

/// Reads a multi-line secret (a PEM private key) from stdin, to its end.
pub fn read_secret_text(what: &str) -> CliResult<Secret> {
    use std::io::Read;
    let mut text = String::new();
    if std::io::stdin().is_terminal() {
        eprintln!("paste the {what}, then press Ctrl-D:");
    }
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read stdin: {e}"))?;
    if text.trim().is_empty() {
        return Err(format!("no {what} was read from stdin").into());
    }
    Ok(Secret::new(text))
}

/// Asks for confirmation in a terminal; without one, `--yes` is required.
pub fn confirm(question: &str, yes: bool) -> CliResult<()> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err("stdin is not a terminal: pass --yes to confirm".into());
    }
    let answer = ask(&format!("{question} [y/N] "))?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(CliError::Declined)
    }
}

/// Asks the person to type `expected` (a strong confirmation); without a terminal, `--yes`.
pub fn confirm_by_typing(question: &str, expected: &str, yes: bool) -> CliResult<String> {
    if yes {
        return Ok(expected.to_owned());
    }
    if !std::io::stdin().is_terminal() {
        return Err("stdin is not a terminal: pass --yes to confirm".into());
    }
    Ok(ask(&format!("{question}\nType {expected} to confirm: "))?
        .trim()
        .to_owned())
}

fn ask(prompt: &str) -> CliResult<String> {
    eprint!("{prompt}");
    std::io::stderr()
        .flush()
        .map_err(|e| CliError::Input(e.to_string()))?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::Input(e.to_string()))?;
    Ok(answer)
}

/// Reads a JSON file; errors say `file:line:column`.
pub fn read_json(path: &Path) -> CliResult<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        CliError::Input(format!(
            "{}:{}:{}: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
    })
}
