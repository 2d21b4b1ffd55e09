//! How clooctl words a failure and ends: the console's error code decides the exit code (3 when
//! a safety guard refused before any write, 2 otherwise) and, with `-o json`, one JSON object on
//! stderr; the sentence names clooctl's own flags where a flag is the fix.

use cloo_console::{ConsoleError, ErrorCode, ErrorView};
use std::process::ExitCode;

/// Exit code for errors.
pub const EXIT_ERROR: u8 = 2;
/// Exit code when a safety guard refused the change before anything was written.
pub const EXIT_REFUSED: u8 = 3;

/// A command's failure.
#[derive(Debug)]
pub enum CliError {
    /// The console refused or failed.
    Console(ConsoleError),
    /// Bad input caught by clooctl itself (a file it cannot read, a missing flag).
    Input(String),
    /// The person answered no: nothing was written.
    Declined,
    /// A command that ran, with a code of its own to report (rows that failed, a stop).
    Coded(ErrorCode, String),
}

/// A command's result.
pub type CliResult<T> = Result<T, CliError>;

impl From<ConsoleError> for CliError {
    fn from(e: ConsoleError) -> Self {
        CliError::Console(e)
    }
}

impl From<String> for CliError {
    fn from(message: String) -> Self {
        CliError::Input(message)
    }
}

impl From<&str> for CliError {
    fn from(message: &str) -> Self {
        CliError::Input(message.to_owned())
    }
}

impl CliError {
    /// The error as it crosses to scripts: the console's view, with clooctl's wording.
    pub fn view(&self) -> ErrorView {
        match self {
            CliError::Console(e) => {
                let mut view = e.view();
                view.message = wording(e, &view);
                view
            }
            CliError::Input(message) => ErrorView::new(ErrorCode::Validation, message.clone()),
            CliError::Declined => {
                ErrorView::new(ErrorCode::Cancelled, "cancelled: nothing was written")
            }
            CliError::Coded(code, message) => ErrorView::new(*code, message.clone()),
        }
    }

    /// 3 for a guard's refusal, else 2.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Console(e) if e.code().is_guard() => EXIT_REFUSED,
            _ => EXIT_ERROR,
        }
    }

    /// Prints the error (one line, or one JSON object with `json`) and gives the exit code.
    pub fn report(&self, json: bool) -> ExitCode {
        let view = self.view();
        if json {
            let body = serde_json::json!({ "error": view });
            eprintln!("{body}");
        } else {
            eprintln!("error: {}", view.message);
        }
        ExitCode::from(self.exit_code())
    }
}

/// The console's sentence, with the flag or command that fixes it where there is one.
fn wording(e: &ConsoleError, view: &ErrorView) -> String {
    let message = e.to_string();
    match e.code() {
        ErrorCode::DeletionThreshold => format!(
            "{message}. Review the deletions and re-run with --allow-deletes {}",
            view.deletes.unwrap_or_default()
        ),
        ErrorCode::ReadOnlyTenant => format!(
            "{message}. To allow writes: clooctl tenant edit {:?} --read-only off",
            view.tenant.as_deref().unwrap_or("NAME")
        ),
        ErrorCode::StalePlan => format!("{message}. Make a new plan and apply that one"),
        ErrorCode::ConfirmationMismatch => format!(
            "{message}. Nothing was written (in a script, pass --yes or --confirm {:?})",
            view.expected.as_deref().unwrap_or_default()
        ),
        ErrorCode::NoTenant => format!(
            "no tenant selected: pass --tenant NAME, run `clooctl tenant use NAME`, or set {}",
            cloo_console::ENV_ALTERNATIVE
        ),
        ErrorCode::MissingCredential => format!(
            "{message}: clooctl tenant edit {:?} --password-stdin (or --api-key-stdin)",
            match e {
                ConsoleError::MissingCredential(name) => name.as_str(),
                _ => "NAME",
            }
        ),
        ErrorCode::Tls => format!("{message} (--ca-file on tenant add or tenant edit)"),
        ErrorCode::Validation if view.field.as_deref() == Some("encoding") => {
            format!("{message} (--encoding cp949 or --encoding utf-8)")
        }
        ErrorCode::Validation => match &view.position {
            // Messages about a file already start with its name; others get the position.
            Some(position) if !message.starts_with(file_of(position)) => {
                format!("{position}: {message}")
            }
            _ => message,
        },
        _ => message,
    }
}

/// The file part of `file:line`.
fn file_of(position: &str) -> &str {
    match position.rsplit_once(':') {
        Some((file, line)) if !line.is_empty() && line.chars().all(|c| c.is_ascii_digit()) => file,
        _ => position,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloo_domain::guard::DeletionRefusal;

    #[test]
    fn guards_exit_3_and_name_the_flag() {
        let e = CliError::from(ConsoleError::from(DeletionRefusal {
            deletes: 12,
            existing: 40,
            threshold: 4,
        }));
        assert_eq!(e.exit_code(), 3);
        let view = e.view();
        assert!(
            view.message.contains("--allow-deletes 12"),
            "{}",
            view.message
        );
        let json = serde_json::to_value(&view).expect("json");
        assert_eq!(json["code"], "deletion_threshold");
        assert_eq!(json["deletes"], 12);
        let readonly = CliError::from(ConsoleError::ReadOnlyTenant {
            tenant: "acme".into(),
        });
        assert_eq!(readonly.exit_code(), 3);
        assert!(readonly.view().message.contains("tenant edit \"acme\""));
    }

    #[test]
    fn other_errors_exit_2() {
        assert_eq!(CliError::from("bad flag").exit_code(), 2);
        assert_eq!(CliError::Declined.exit_code(), 2);
        let role = CliError::from(ConsoleError::RoleChange(
            cloo_domain::admin::RoleChangeRefusal::OwnRole,
        ));
        assert_eq!(role.exit_code(), 2);
        assert_eq!(
            serde_json::to_value(role.view()).expect("json")["reason"],
            "own_role"
        );
    }
}
