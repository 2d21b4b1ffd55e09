//! The command line, as cli-conventions.md binds it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Administer Cloosphere deployments.
///
/// Secrets are read only from stdin, the OS keychain, or the environment (CLOOSPHERE_URL with
/// CLOOSPHERE_API_KEY, or CLOOSPHERE_EMAIL and CLOOSPHERE_PASSWORD): never from an argument.
#[derive(Debug, Parser)]
#[command(name = "clooctl", version, propagate_version = true)]
pub struct Cli {
    /// Tenant to act on (default: the one chosen with `tenant use`).
    #[arg(long, global = true, env = "CLOOCTL_TENANT")]
    pub tenant: Option<String>,
    /// Where the local store lives.
    #[arg(long, global = true, env = "CLOOCTL_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Output format.
    #[arg(short = 'o', long = "output", global = true, value_enum, default_value_t = Output::Table)]
    pub output: Output,
    /// Command.
    #[command(subcommand)]
    pub command: Command,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Aligned columns for people.
    Table,
    /// JSON for scripts (the contract's field names).
    Json,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Deployments this console knows.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// The account the console signs in with.
    Whoami,
    /// Users of a deployment.
    #[command(subcommand)]
    Users(UsersCommand),
}

/// `tenant …`
#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Add a deployment after testing the connection and the admin credential.
    Add(TenantAdd),
    /// List known deployments.
    List,
    /// Choose the deployment later commands act on.
    Use {
        /// Tenant name or id.
        name: String,
    },
    /// Forget a deployment and erase its secrets from the keychain.
    Remove {
        /// Tenant name or id.
        name: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

/// `tenant add`
#[derive(Debug, Args)]
pub struct TenantAdd {
    /// A name for the deployment (letters, digits, spaces, - _ .).
    pub name: String,
    /// The deployment's URL, e.g. https://chat.example.com.
    #[arg(long)]
    pub url: String,
    /// Admin e-mail, with the password on stdin.
    #[arg(long, requires = "password_stdin", conflicts_with = "api_key_stdin")]
    pub email: Option<String>,
    /// Read the password from stdin (first line).
    #[arg(long)]
    pub password_stdin: bool,
    /// Read an admin API key from stdin (first line).
    #[arg(long, conflicts_with = "password_stdin")]
    pub api_key_stdin: bool,
    /// Refuse every write to this deployment.
    #[arg(long)]
    pub read_only: bool,
    /// Extra trusted CA certificate(s), PEM, for a deployment behind a private CA.
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// Accepted for symmetry with other writing commands; adding never asks.
    #[arg(long)]
    pub yes: bool,
}

/// `users …`
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List users, oldest first.
    List {
        /// Only users whose name or e-mail contains this text (case-insensitive).
        #[arg(long)]
        search: Option<String>,
        /// Only users with this role (admin, user, pending).
        #[arg(long)]
        role: Option<String>,
    },
}
