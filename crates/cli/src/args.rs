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
    /// Output format (yaml: settings export only).
    #[arg(short = 'o', long = "output", global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Command.
    #[command(subcommand)]
    pub command: Command,
}

/// The output formats `-o` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people.
    Table,
    /// JSON for scripts (the contract's field names).
    Json,
    /// YAML: a settings document only (`settings export -o yaml`).
    Yaml,
}

impl Cli {
    /// How results are printed: YAML is for settings documents, so everything else (errors
    /// included) prints JSON then.
    pub fn output(&self) -> Output {
        match self.format {
            OutputFormat::Table => Output::Table,
            OutputFormat::Json | OutputFormat::Yaml => Output::Json,
        }
    }
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// Groups and their permissions.
    #[command(subcommand)]
    Groups(GroupsCommand),
    /// Default permissions (a floor for every user).
    #[command(subcommand)]
    Defaults(DefaultsCommand),
    /// The Super Admin (the contact shown to pending users; no extra rights).
    #[command(subcommand)]
    Sa(SaCommand),
    /// Organizations, their OU trees, and offline JSON imports.
    #[command(subcommand)]
    Orgs(OrgsCommand),
    /// The local journal of every change the console made or refused.
    #[command(subcommand)]
    Journal(JournalCommand),
    /// Entra ID sync run from this machine: Microsoft sign-in, plans from Graph, apply, history.
    #[command(subcommand)]
    Entra(EntraCommand),
    /// System Settings: read a tab, change fields of one section (secrets typed on stdin).
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Notification channels (e-mail and webhook), by position.
    #[command(subcommand)]
    Channels(ChannelsCommand),
    /// Service Requests to Cloocus: through the deployment, or straight to the central
    /// instance with the SR key; an outbox that retries what did not get through.
    #[command(subcommand)]
    Sr(SrCommand),
    /// The deployment's audit log: a filtered page, one entry, the counts.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Inquiries users sent to the admins ("Contact Admin"): list, show, move, note, delete.
    #[command(subcommand)]
    Inquiries(InquiriesCommand),
    /// Secrets filed by name in the OS keychain for settings documents (`keychain:NAME`).
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Check a deployment with read-only calls: version, endpoints, the account's rights,
    /// license modules, known quirks. Exit 0 healthy, 1 warnings, 2 failures.
    Doctor,
}

/// `channels …`
#[derive(Debug, Subcommand)]
pub enum ChannelsCommand {
    /// Every e-mail and webhook channel with its position (secrets masked).
    List,
    /// One channel (secrets masked, a webhook URL cut to its host).
    Get {
        /// Its name.
        name: String,
        /// E-mail or webhook, when both lists have the name.
        #[arg(long, value_enum)]
        kind: Option<ChannelKindArg>,
    },
    /// Add an e-mail channel: `--set smtp.server=HOST --set smtp.port=587`; secrets with
    /// `--secret smtp.password` (read from stdin, or `keychain:NAME`).
    AddEmail {
        /// Its name (schedules refer to it).
        name: String,
        /// smtp, sendgrid, azure or msgraph.
        #[arg(long)]
        engine: String,
        /// FIELD=VALUE (dotted; `FIELD=-` reads the value from stdin).
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        /// [CHANNEL:]FIELD of a secret to read from stdin.
        #[arg(long, value_name = "[CHANNEL:]FIELD")]
        secret: Vec<String>,
        /// Its position (from 0; default: last).
        #[arg(long)]
        at: Option<usize>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Add a webhook channel: `--set url=-` reads the URL (a credential) from stdin;
    /// Telegram takes `--set chat_id=…` and `--secret bot_token`.
    AddWebhook {
        /// Its name.
        name: String,
        /// slack, teams, discord, telegram or google_chat.
        #[arg(long)]
        provider: String,
        /// FIELD=VALUE (`FIELD=-` reads the value from stdin).
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        /// [CHANNEL:]FIELD of a secret to read from stdin.
        #[arg(long, value_name = "[CHANNEL:]FIELD")]
        secret: Vec<String>,
        /// Its position (from 0; default: last).
        #[arg(long)]
        at: Option<usize>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Change fields of a channel (`--set name=NEW` renames it: schedules naming the old name
    /// stop reaching it).
    Edit {
        /// Its name.
        name: String,
        /// E-mail or webhook, when both lists have the name.
        #[arg(long, value_enum)]
        kind: Option<ChannelKindArg>,
        /// FIELD=VALUE (`FIELD=-` reads the value from stdin).
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        /// [CHANNEL:]FIELD of a secret to read from stdin.
        #[arg(long, value_name = "[CHANNEL:]FIELD")]
        secret: Vec<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Move a channel to another position. Every channel whose position changes needs its
    /// secrets typed again (the server restores masked ones by position): a terminal is asked,
    /// or give them with `--secret CHANNEL:FIELD`.
    Move {
        /// Its name.
        name: String,
        /// E-mail or webhook, when both lists have the name.
        #[arg(long, value_enum)]
        kind: Option<ChannelKindArg>,
        /// The new position (from 0).
        #[arg(long)]
        to: usize,
        /// CHANNEL:FIELD of a secret to read from stdin.
        #[arg(long, value_name = "[CHANNEL:]FIELD")]
        secret: Vec<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Remove a channel (the channels after it move up: their secrets are asked for).
    Remove {
        /// Its name.
        name: String,
        /// E-mail or webhook, when both lists have the name.
        #[arg(long, value_enum)]
        kind: Option<ChannelKindArg>,
        /// CHANNEL:FIELD of a secret to read from stdin.
        #[arg(long, value_name = "[CHANNEL:]FIELD")]
        secret: Vec<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// The event subscriptions (stored by the server, read by none of its code): shown, or
    /// replaced with --set (comma-separated; "" empties them).
    Events {
        /// The new list.
        #[arg(long)]
        set: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Test a saved channel: through the deployment (its own test endpoints), or from this
    /// machine (the secrets typed on stdin). Exit 0 when it got through, 2 when not.
    Test {
        /// Its name.
        name: String,
        /// E-mail or webhook, when both lists have the name.
        #[arg(long, value_enum)]
        kind: Option<ChannelKindArg>,
        /// Where the test runs from.
        #[arg(long, value_enum, default_value_t = Via::Deployment)]
        via: Via,
        /// E-mail: send a real test message to this address (else connect and log in only).
        #[arg(long)]
        send_to: Option<String>,
        /// FIELD of a secret to read from stdin (`--via desktop`).
        #[arg(long, value_name = "FIELD")]
        secret: Vec<String>,
        /// A self-hosted Telegram Bot API server (`--via desktop`).
        #[arg(long)]
        telegram_api: Option<String>,
    },
}

/// `audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// A page of the rows, newest first.
    List {
        /// The filters.
        #[command(flatten)]
        filters: AuditFilters,
        /// The page, from 1.
        #[arg(long, default_value_t = 1)]
        page: u32,
        /// Rows per page (1–100).
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// One entry in full (its states as the server masked them).
    Show {
        /// Its id.
        id: String,
    },
    /// Every row through the filters into a file, page by page (the server has no export).
    Export {
        /// The filters.
        #[command(flatten)]
        filters: AuditFilters,
        /// csv or jsonl.
        #[arg(long = "format", id = "export_format", value_enum, default_value_t = AuditFormatArg::Csv)]
        format: AuditFormatArg,
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// One resource's history (user, group, organizational_unit, admin_settings, …).
    History {
        /// Its type.
        resource_type: String,
        /// Its id (a settings section's name for admin_settings).
        resource_id: String,
        /// At most this many (1–500).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// What one user did, by id or e-mail.
    User {
        /// The user's id or e-mail.
        who: String,
        /// At most this many (1–500).
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Copy the rows newer than the local copy into the local store (all of them the first
    /// time), for searches that are instant, offline and outlive the server's retention.
    Pull,
    /// Search the local copy (no deployment needed): newest first.
    Search {
        /// An action; repeatable.
        #[arg(long)]
        action: Vec<String>,
        /// A resource type; repeatable.
        #[arg(long = "type")]
        kind: Vec<String>,
        /// Part of the actor's name or e-mail, or of the resource's name or id.
        #[arg(long)]
        text: Option<String>,
        /// From: a span back from now (90m, 24h, 7d) or a UTC date.
        #[arg(long)]
        since: Option<String>,
        /// Until: a span back from now or a UTC date.
        #[arg(long)]
        until: Option<String>,
        /// At most this many rows.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Counts by action and by resource type.
    Stats {
        /// The filters.
        #[command(flatten)]
        filters: AuditFilters,
    },
}

/// The format of an audit export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormatArg {
    /// CSV (RFC 4180).
    Csv,
    /// JSON Lines.
    Jsonl,
}

/// The audit log's filters.
#[derive(Debug, Args)]
pub struct AuditFilters {
    /// An action (LOGIN, ROLE_CHANGE, …); repeatable.
    #[arg(long)]
    pub action: Vec<String>,
    /// A resource type (user, group, admin_settings, auth, …); repeatable.
    #[arg(long = "type")]
    pub kind: Vec<String>,
    /// One resource id.
    #[arg(long)]
    pub resource_id: Option<String>,
    /// The actor: a user id, or part of the actor's name (the server does not match e-mails).
    #[arg(long)]
    pub actor: Option<String>,
    /// From: a span back from now (90m, 24h, 7d) or a UTC date (2026-12-01).
    #[arg(long)]
    pub since: Option<String>,
    /// Until: a span back from now or a UTC date.
    #[arg(long)]
    pub until: Option<String>,
}

/// `inquiries …`
#[derive(Debug, Subcommand)]
pub enum InquiriesCommand {
    /// Every inquiry (newest first) with the counts per status; filters combine.
    List {
        /// open, in_progress, resolved or closed.
        #[arg(long)]
        status: Option<String>,
        /// A type (usage_limit, feature, bug, account, other).
        #[arg(long = "type")]
        kind: Option<String>,
        /// A subtype.
        #[arg(long)]
        subtype: Option<String>,
        /// Part of the author's name or e-mail.
        #[arg(long)]
        author: Option<String>,
        /// Part of the title, text or note.
        #[arg(long)]
        text: Option<String>,
    },
    /// One inquiry in full.
    Show {
        /// Its id.
        id: String,
    },
    /// Move an inquiry to open, in_progress or resolved (only its author closes it).
    Move {
        /// Its id.
        id: String,
        /// The new status.
        #[arg(long)]
        to: String,
    },
    /// Set the note the author sees ("" blanks it).
    Note {
        /// Its id.
        id: String,
        /// The note.
        note: String,
    },
    /// Delete an inquiry.
    Delete {
        /// Its id.
        id: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

/// `sr …`
#[derive(Debug, Subcommand)]
pub enum SrCommand {
    /// Where a request can go: the deployment's SR configuration, the direct route, the types.
    Config,
    /// Set the direct route: the central instance's URL and the SR key Cloocus issued (read
    /// from stdin, kept in the keychain); or --clear it.
    Direct {
        /// The central instance (https://…).
        #[arg(long)]
        url: Option<String>,
        /// Read the SR key (sr- and 24 hex) from stdin.
        #[arg(long)]
        key_stdin: bool,
        /// Forget the route and remove the key.
        #[arg(long)]
        clear: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Submit a request: stored in the outbox first, then sent (exit 0 sent or queued for a
    /// retry; 2 failed, or unknown — it may have arrived).
    Submit {
        /// The title.
        #[arg(long)]
        title: String,
        /// usage_limit, feature, bug, account or other.
        #[arg(long = "type")]
        kind: String,
        /// A subtype of the type.
        #[arg(long)]
        subtype: Option<String>,
        /// The text.
        #[arg(long)]
        content: String,
        /// The route (default: the deployment when it has SR, else direct).
        #[arg(long, value_enum)]
        via: Option<SrRouteArg>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// The requests of this tenant (--all: of every tenant) and where each is.
    Outbox {
        /// Every tenant's.
        #[arg(long)]
        all: bool,
    },
    /// Send every queued request that is due now.
    Retry,
    /// Decide for a request that failed or may have arrived.
    Resolve {
        /// Its id (sr-out-…).
        id: String,
        /// Send it again (a second ticket if the first did arrive).
        #[arg(long)]
        send_again: bool,
        /// Record it as delivered (support confirmed it).
        #[arg(long)]
        mark_sent: bool,
    },
}

/// Which way a Service Request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SrRouteArg {
    /// Through the deployment's proxy.
    Deployment,
    /// Straight to the central instance with the SR key.
    Direct,
}

/// E-mail or webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChannelKindArg {
    /// An e-mail channel.
    Email,
    /// A webhook channel.
    Webhook,
}

/// Where a channel test runs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Via {
    /// This machine.
    Desktop,
    /// The deployment's own test endpoints.
    Deployment,
}

/// `secret …`
#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// File a secret under NAME (read from stdin, never echoed); a settings document refers to
    /// it as `keychain:NAME`.
    Set {
        /// Letters, digits, `_`, `-` and `.`.
        name: String,
    },
    /// Remove the secret filed under NAME.
    Remove {
        /// Its name.
        name: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Whether a secret is filed under NAME (exit 0 yes, 1 no); it is never shown.
    Check {
        /// Its name.
        name: String,
    },
}

/// On or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

impl Switch {
    /// As a bool.
    pub fn on(self) -> bool {
        self == Switch::On
    }
}

/// How an organization plan reaches the deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PathArg {
    /// Whichever an estimate of their cost says is cheaper.
    Auto,
    /// The whole tree in one import request.
    Import,
    /// One request per unit that changes.
    PerUnit,
}

impl PathArg {
    /// The console's choice.
    pub fn path(self) -> cloo_console::imports::ApplyPath {
        match self {
            PathArg::Auto => cloo_console::imports::ApplyPath::Auto,
            PathArg::Import => cloo_console::imports::ApplyPath::Import,
            PathArg::PerUnit => cloo_console::imports::ApplyPath::PerUnit,
        }
    }
}

/// How an Entra plan is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EntraMode {
    /// Exactly what the deployment's own Microsoft Graph sync would store.
    Parity,
    /// Parity plus members that grant access, group nesting, settings kept, guests and disabled accounts out.
    Recommended,
}

/// `entra …`
#[derive(Debug, Subcommand)]
pub enum EntraCommand {
    /// The Microsoft sign-in and sync options of this tenant.
    #[command(subcommand)]
    Profile(EntraProfileCommand),
    /// Sign in to Microsoft and read /organization.
    Test,
    /// Read Entra ID and plan the organization import (exit 0 no changes, 1 changes, 2 error).
    Plan(EntraPlanArgs),
    /// Apply a plan exactly (never prompts: the plan was the review).
    Apply {
        /// A plan file written with --out, or a stored plan's id.
        plan: String,
        /// Allow this many unit deletions (over the threshold).
        #[arg(long)]
        allow_deletes: Option<usize>,
        /// auto (the cheaper), import (the whole tree in one request), per-unit (one request per changed unit).
        #[arg(long, value_enum, default_value_t = PathArg::Auto)]
        path: PathArg,
    },
    /// Plan and apply in one go, for schedulers: refuses what a review would refuse.
    Sync {
        /// The plan options.
        #[command(flatten)]
        plan: EntraPlanArgs,
        /// Allow this many unit deletions (over the threshold).
        #[arg(long)]
        allow_deletes: Option<usize>,
        /// auto (the cheaper), import (the whole tree in one request), per-unit (one request per changed unit).
        #[arg(long, value_enum, default_value_t = PathArg::Auto)]
        path: PathArg,
    },
    /// Past reads, plans and applies of this tenant, newest first.
    History {
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

/// `entra profile …`
#[derive(Debug, Subcommand)]
pub enum EntraProfileCommand {
    /// Set how to sign in to Microsoft (the secret or private key is read from stdin).
    Set(EntraProfileSet),
    /// Show the profile (never the secret).
    Show,
}

/// `entra profile set`
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("method").required(true).args(["client_secret_stdin", "certificate", "device_code"])))]
pub struct EntraProfileSet {
    /// The Entra tenant id (or a verified domain).
    #[arg(long)]
    pub tenant_id: String,
    /// The app registration's application (client) id.
    #[arg(long)]
    pub client_id: String,
    /// Read the client secret from stdin (kept in the OS keychain).
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// The app's certificate (PEM); its private key is read from stdin (--private-key-stdin).
    #[arg(long, requires = "private_key_stdin")]
    pub certificate: Option<PathBuf>,
    /// Read the certificate's private key (PEM) from stdin.
    #[arg(long, requires = "certificate")]
    pub private_key_stdin: bool,
    /// An admin signs in with a device code at each run; nothing is stored.
    #[arg(long)]
    pub device_code: bool,
    /// National cloud: global, us-government, china (sets both URLs).
    #[arg(long)]
    pub cloud: Option<String>,
    /// Sign-in host (default https://login.microsoftonline.com); /{tenant}/oauth2/v2.0/token is appended.
    #[arg(long)]
    pub authority: Option<String>,
    /// Graph base with its version (default https://graph.microsoft.com/v1.0).
    #[arg(long)]
    pub graph_url: Option<String>,
    /// The sync options kept with the profile.
    #[command(flatten)]
    pub options: EntraOptions,
}

/// The sync options, as the server names them.
#[derive(Debug, Clone, Args)]
pub struct EntraOptions {
    /// Administrative units as units (server default: on).
    #[arg(long, value_enum)]
    pub admin_units: Option<Switch>,
    /// Groups as units (server default: off).
    #[arg(long, value_enum)]
    pub groups: Option<Switch>,
    /// Departments as units (server default: off).
    #[arg(long, value_enum)]
    pub departments: Option<Switch>,
    /// OData $filter on the group list, passed to Graph verbatim.
    #[arg(long)]
    pub group_filter: Option<String>,
    /// Recommended mode: keep guest accounts in member lists.
    #[arg(long)]
    pub include_guests: bool,
    /// Recommended mode: keep disabled accounts in member lists.
    #[arg(long)]
    pub include_disabled: bool,
}

/// `entra plan` and `entra sync`.
#[derive(Debug, Clone, Args)]
pub struct EntraPlanArgs {
    /// Which way to build the tree.
    #[arg(long, value_enum, default_value_t = EntraMode::Recommended)]
    pub mode: EntraMode,
    /// This run's options (default: the profile's).
    #[command(flatten)]
    pub options: EntraOptions,
    /// Read everything from Graph instead of only the changes since the last run.
    #[arg(long)]
    pub full: bool,
    /// Member reads in parallel (default 4).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Also write the plan to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `journal …`
#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// List entries, newest first (every tenant unless --tenant is given).
    List {
        /// Only entries since: a span (90m, 24h, 7d, 2w) or a UTC date (2026-12-01).
        #[arg(long)]
        since: Option<String>,
        /// Only these outcomes, comma-separated (done, failed, refused, cancelled, interrupted, running).
        #[arg(long, value_delimiter = ',')]
        outcome: Vec<String>,
        /// Only this area (user, group, org, tenant…) or operation (user.delete).
        #[arg(long)]
        operation: Option<String>,
        /// At most this many entries.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Show one entry in full, with its before and after.
    Show {
        /// Entry id.
        id: i64,
    },
    /// Write every matching entry as CSV to stdout.
    Export {
        /// Only entries since: a span (90m, 24h, 7d, 2w) or a UTC date (2026-12-01).
        #[arg(long)]
        since: Option<String>,
    },
}

/// `orgs …`
#[derive(Debug, Subcommand)]
pub enum OrgsCommand {
    /// List organizations with their unit counts.
    List,
    /// Show the OU tree of an organization.
    Tree {
        /// The organization's tenant id (needed when there are several).
        #[arg(long)]
        org: Option<String>,
        /// Only this many levels.
        #[arg(long)]
        depth: Option<usize>,
    },
    /// Show one OU: path, members resolved to users, limits, guardrails.
    Unit {
        /// Unit id or external id.
        unit: String,
        /// The organization's tenant id, when the external id is not unique.
        #[arg(long)]
        org: Option<String>,
    },
    /// Set (or clear) a unit's daily token limit for a model (0 = unlimited).
    Limit {
        /// Unit id or external id.
        unit: String,
        /// Model id.
        #[arg(long)]
        model: String,
        /// Tokens a day (0 = unlimited).
        #[arg(long, conflicts_with = "clear", required_unless_present = "clear")]
        set: Option<i64>,
        /// Remove the unit's limit for this model.
        #[arg(long)]
        clear: bool,
        /// The organization's tenant id, when the external id is not unique.
        #[arg(long)]
        org: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Set a unit's guardrails and whether the global ones also apply.
    Guardrails {
        /// Unit id or external id.
        unit: String,
        /// Guardrail ids, comma-separated (empty for none).
        #[arg(long, value_delimiter = ',')]
        ids: Vec<String>,
        /// Also apply the deployment's global guardrails (on or off).
        #[arg(long, value_parser = ["on", "off"])]
        global: String,
        /// The organization's tenant id, when the external id is not unique.
        #[arg(long)]
        org: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Check an import file without connecting (exit 0 valid, 1 problems, 2 unreadable).
    Validate {
        /// The import JSON.
        file: PathBuf,
    },
    /// Plan an import against the deployment (exit 0 no changes, 1 changes, 2 error).
    Plan {
        /// The import JSON.
        file: PathBuf,
        /// Also write the plan to this file (it is always kept in the local store).
        #[arg(long, value_name = "PLAN")]
        out: Option<PathBuf>,
        /// Plan against the last snapshot of the organization, without connecting.
        #[arg(long)]
        offline: bool,
        /// Let the import wipe OU usage limits and guardrails instead of carrying them over.
        #[arg(long)]
        no_carry_over: bool,
    },
    /// Apply a plan exactly (never prompts: the plan was the review).
    Apply {
        /// A plan file written with --out, or the id of a plan in the local store.
        plan: String,
        /// Allow this many deletions (needed above min(500, 10% of the units)).
        #[arg(long, value_name = "N")]
        allow_deletes: Option<usize>,
        /// auto (the cheaper), import (the whole tree in one request), per-unit (one request per changed unit).
        #[arg(long, value_enum, default_value_t = PathArg::Auto)]
        path: PathArg,
        /// Accepted for symmetry; applying a plan never asks.
        #[arg(long)]
        yes: bool,
    },
    /// Turn an HR CSV export (department path, name, e-mail, job title) into an import file.
    FromCsv {
        /// The CSV (English or Korean headers: 부서, 이름, 이메일, 직급).
        file: PathBuf,
        /// The organization's tenant id to write.
        #[arg(long)]
        tenant_id: String,
        /// The organization's name (default: the tenant id).
        #[arg(long)]
        org_name: Option<String>,
        /// Where to write the JSON (default: stdout).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// utf-8 or cp949 (euc-kr); detected when not given.
        #[arg(long)]
        encoding: Option<String>,
    },
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
    /// Change a deployment's name, colour, read-only mode, URL, CA or credential. A new URL,
    /// CA or credential is proved by signing in before anything is kept.
    Edit(TenantEdit),
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

/// `tenant edit`
#[derive(Debug, Args)]
pub struct TenantEdit {
    /// Tenant name or id.
    pub name: String,
    /// New name.
    #[arg(long = "name", value_name = "NEW_NAME")]
    pub new_name: Option<String>,
    /// New colour, one of the palette's (`clooctl tenant list -o json` shows it in use).
    #[arg(long)]
    pub colour: Option<String>,
    /// Refuse (on) or allow (off) writes.
    #[arg(long, value_parser = ["on", "off"])]
    pub read_only: Option<String>,
    /// New deployment URL.
    #[arg(long)]
    pub url: Option<String>,
    /// New admin e-mail, with the password on stdin.
    #[arg(long, requires = "password_stdin", conflicts_with = "api_key_stdin")]
    pub email: Option<String>,
    /// Read a new password from stdin (for the stored e-mail unless --email is given).
    #[arg(long)]
    pub password_stdin: bool,
    /// Read a new API key from stdin.
    #[arg(long, conflicts_with = "password_stdin")]
    pub api_key_stdin: bool,
    /// New extra trusted CA certificate(s), PEM.
    #[arg(long, conflicts_with = "no_ca")]
    pub ca_file: Option<PathBuf>,
    /// Stop trusting the extra CA.
    #[arg(long)]
    pub no_ca: bool,
    /// Accepted for symmetry with other writing commands; editing never asks.
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
    /// Show one user: groups, units, limits, badges.
    Get {
        /// E-mail or id.
        user: String,
    },
    /// Add a user (password on stdin, checked against the sign-up policy).
    Add {
        /// E-mail.
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// admin, user or pending.
        #[arg(long, default_value = "user")]
        role: String,
        /// Read the password from stdin.
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Change name, e-mail, avatar or password (never the role: see set-role).
    Edit {
        /// E-mail or id.
        user: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New e-mail.
        #[arg(long)]
        email: Option<String>,
        /// New avatar URL.
        #[arg(long)]
        profile_image_url: Option<String>,
        /// Read a new password from stdin.
        #[arg(long)]
        password_stdin: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Change a role (not your own, not the first user's).
    SetRole {
        /// E-mail or id.
        user: String,
        /// admin, user or pending.
        role: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Delete a user for good (setting her role to pending keeps her history).
    Delete {
        /// E-mail or id.
        user: String,
        /// Do not ask (in a terminal you are asked to type her e-mail).
        #[arg(long)]
        yes: bool,
    },
    /// Import users from a CSV file: plan, then apply exactly the plan.
    Import(UsersImport),
    /// Act on many users at once: a plan first, then exactly that plan.
    #[command(subcommand)]
    Bulk(BulkCommand),
    /// Effective feature permissions, with the source of each value.
    Permissions {
        /// E-mail or id.
        user: String,
    },
    /// Effective daily token limit for a model (or set her own override).
    Limit {
        /// E-mail or id.
        user: String,
        /// Model id.
        #[arg(long)]
        model: String,
        /// Set her own limit for this model (0 = unlimited).
        #[arg(long, conflicts_with = "clear", allow_negative_numbers = true)]
        set: Option<i64>,
        /// Remove her own limit for this model.
        #[arg(long)]
        clear: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

/// `users bulk …`
#[derive(Debug, Subcommand)]
pub enum BulkCommand {
    /// Give many users one role.
    Role {
        /// admin, user or pending.
        role: String,
        /// E-mails or ids.
        #[arg(required = true)]
        users: Vec<String>,
        /// Only show and store the plan (apply it later with `users bulk apply ID`).
        #[arg(long)]
        plan_only: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Add many users to a group.
    AddToGroup {
        /// The group (id, or name when unique).
        group: String,
        /// E-mails or ids.
        #[arg(required = true)]
        users: Vec<String>,
        /// Only show and store the plan (apply it later with `users bulk apply ID`).
        #[arg(long)]
        plan_only: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Delete many users for good (you are asked to type "delete N").
    Delete {
        /// E-mails or ids.
        #[arg(required = true)]
        users: Vec<String>,
        /// Only show and store the plan (apply it later with `users bulk apply ID`).
        #[arg(long)]
        plan_only: bool,
        /// Allow this many deletions (needed above min(500, 10% of the users)).
        #[arg(long, value_name = "N")]
        allow_deletes: Option<usize>,
        /// Do not ask (stands for typing the confirmation).
        #[arg(long)]
        yes: bool,
    },
    /// Apply a stored plan exactly (never prompts: the plan was the review).
    Apply {
        /// The plan's id.
        plan: String,
        /// The typed confirmation a deletion plan asks for (default: the plan's own).
        #[arg(long)]
        confirm: Option<String>,
        /// Allow this many deletions (needed above min(500, 10% of the users)).
        #[arg(long, value_name = "N")]
        allow_deletes: Option<usize>,
        /// Accepted for symmetry; applying a plan never asks.
        #[arg(long)]
        yes: bool,
    },
}

/// `users import`
#[derive(Debug, Args)]
pub struct UsersImport {
    /// The CSV file (name, email, password, role; optional groups).
    pub file: Option<PathBuf>,
    /// Only plan: one line per row, nothing written (exit 0 nothing to create, 1 creates).
    #[arg(long, conflicts_with_all = ["apply", "apply_plan"])]
    pub plan: bool,
    /// Plan, confirm, then create exactly the planned rows.
    #[arg(long, conflicts_with = "apply_plan")]
    pub apply: bool,
    /// Apply a plan: a file saved with --out, or a stored plan's id (no prompt: the plan was the review).
    #[arg(long, value_name = "PLAN")]
    pub apply_plan: Option<String>,
    /// Save the plan (it holds no password; applying reads the file again).
    #[arg(long, value_name = "PLAN")]
    pub out: Option<PathBuf>,
    /// utf-8 or cp949 (euc-kr); detected when not given.
    #[arg(long)]
    pub encoding: Option<String>,
    /// Where to write the result CSV (default: next to the file, .result.csv).
    #[arg(long, value_name = "FILE")]
    pub result: Option<PathBuf>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
}

/// `groups …`
#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// List groups.
    List,
    /// Show one group (by id, or by name when unique).
    Get {
        /// Id or name.
        group: String,
    },
    /// Create a group.
    Create {
        /// Name.
        name: String,
        /// Description.
        #[arg(long, default_value = "")]
        description: String,
        /// Permissions as a JSON file.
        #[arg(long)]
        permissions: Option<PathBuf>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Rename or re-describe a group.
    Edit {
        /// Id or name.
        group: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New description.
        #[arg(long)]
        description: Option<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Delete a group (members keep their accounts).
    Delete {
        /// Id or name.
        group: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Add direct members.
    AddMember {
        /// Id or name.
        group: String,
        /// E-mails or ids.
        #[arg(required = true)]
        users: Vec<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Remove direct members.
    RemoveMember {
        /// Id or name.
        group: String,
        /// E-mails or ids.
        #[arg(required = true)]
        users: Vec<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Link a group to organizational units (their members get its permissions).
    LinkUnits {
        /// Id or name.
        group: String,
        /// Unit ids; none removes every link.
        units: Vec<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// A group's daily token limit for a model (direct members only).
    Limit {
        /// Id or name.
        group: String,
        /// Model id.
        #[arg(long)]
        model: String,
        /// Limit (0 = unlimited).
        #[arg(long, conflicts_with = "clear", allow_negative_numbers = true)]
        set: Option<i64>,
        /// Remove the limit.
        #[arg(long)]
        clear: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// A group's permissions.
    #[command(subcommand)]
    Permissions(GroupPermissionsCommand),
}

/// `groups permissions …`
#[derive(Debug, Subcommand)]
pub enum GroupPermissionsCommand {
    /// Show them.
    Get {
        /// Id or name.
        group: String,
    },
    /// Replace them from a JSON file, or set single keys (`--set workspace.knowledge=write`).
    Set {
        /// Id or name.
        group: String,
        /// The whole object as a JSON file.
        file: Option<PathBuf>,
        /// One key: `section.key=value` (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        keys: Vec<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

/// `defaults …`
#[derive(Debug, Subcommand)]
pub enum DefaultsCommand {
    /// Show the default permissions.
    Get,
    /// Replace them from a JSON file (the server replaces the whole object: every note is shown).
    Set {
        /// JSON file.
        file: PathBuf,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

/// `sa …`
#[derive(Debug, Subcommand)]
pub enum SaCommand {
    /// Who the Super Admin is.
    Get,
    /// Designate an admin as Super Admin.
    Set {
        /// E-mail or id.
        user: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

/// `settings …`.
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show a tab's sections as the deployment answers them (secrets masked).
    Get {
        /// The tab: general, connections, documents, search_engine, web_search, code_execution,
        /// interface, tools, …
        tab: String,
        /// Only this section of the tab.
        #[arg(long)]
        section: Option<String>,
    },
    /// Change fields of one section: FIELD=VALUE (the value as JSON, else as text; dotted paths
    /// reach into objects and lists). Refused before anything is sent if a secret would be lost.
    Set {
        /// The section (`code_execution`, `tool_servers`, `storage`, `web`, …).
        section: String,
        /// FIELD=VALUE, as many as needed.
        assignments: Vec<String>,
        /// A secret field to set; its value is read from stdin (one line each, in order).
        #[arg(long, value_name = "FIELD")]
        secret: Vec<String>,
        /// Do not ask for confirmation (needed when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Write the settings as a JSON document (stdout): keyed by tab, then by the server's field
    /// names; every secret a reference (keep), never a value.
    Export {
        /// Only these tabs (repeatable; all by default).
        #[arg(long)]
        tab: Vec<String>,
    },
    /// Compare a document with the deployment, key by key, and keep the plan (exit 1 when
    /// something changes). A secret may be keep, "" or env:NAME (read when applied).
    Plan {
        /// The settings document.
        file: PathBuf,
        /// Also write the plan to this file (it holds no secret).
        #[arg(long, value_name = "PLAN")]
        out: Option<PathBuf>,
    },
    /// Apply a plan: only the changed keys, through each section's own endpoint; refused when
    /// the deployment's settings changed since the plan.
    Apply {
        /// A plan file written with --out, or a stored plan's id.
        plan: String,
    },
    /// Ask the deployment to call one of its connections with the stored key (exit 1 when the
    /// provider does not answer): `openai INDEX`.
    Test {
        /// The kind of connection.
        #[arg(value_enum)]
        kind: ConnectionKind,
        /// Its index in the tab's list (0 is the first), for openai and ollama.
        index: Option<usize>,
        /// Do not ask before a probe that can change the deployment (images).
        #[arg(long)]
        yes: bool,
        /// A credential the storage test sends (read from stdin, one line each, in order).
        #[arg(long, value_name = "FIELD")]
        secret: Vec<String>,
    },
    /// Plan copying the settings of some tabs from one tenant to others: one stored plan per
    /// target, shown key by key (secrets stay each target's own). Apply each plan by its id.
    Copy {
        /// The tenant to copy from.
        #[arg(long)]
        from: String,
        /// A tenant to copy to (repeatable).
        #[arg(long, required = true)]
        to: Vec<String>,
        /// The tabs to copy (repeatable).
        #[arg(long, required_unless_present = "key")]
        tab: Vec<String>,
        /// Only this key (`code_execution.CODE_EXECUTION_JUPYTER_TIMEOUT`; repeatable): its
        /// whole field is copied.
        #[arg(long)]
        key: Vec<String>,
    },
    /// Remove everything of one kind, irreversibly: vector-db, files or models. Shows exactly
    /// what goes, then asks for the deployment's name (exit 3 when it does not match).
    Wipe {
        /// What to remove.
        what: WipeKind,
        /// Only show what would go; remove nothing.
        #[arg(long)]
        dry_run: bool,
        /// The deployment's name, for scripts (instead of typing it).
        #[arg(long)]
        confirm: Option<String>,
        /// Confirm without typing the name (scripts).
        #[arg(long)]
        yes: bool,
    },
    /// The Pipelines tab: pipeline servers, their pipelines, and each pipeline's valves.
    #[command(subcommand)]
    Pipelines(PipelinesCommand),
    /// Compare the settings of two or more tenants key by key (exit 1 when a value differs or
    /// is missing); secrets by their masked forms: differs, same tail, or unknown.
    Diff {
        /// The tenants (at least two).
        #[arg(required = true, num_args = 2..)]
        tenants: Vec<String>,
        /// Only these tabs (repeatable; all by default).
        #[arg(long)]
        tab: Vec<String>,
    },
}

/// `settings pipelines …`
#[derive(Debug, Subcommand)]
pub enum PipelinesCommand {
    /// The pipeline servers (by connection index) and their pipelines.
    List,
    /// Install the pipeline file at URL on the pipeline server at connection INDEX.
    Add {
        /// The pipeline server's connection index.
        #[arg(long)]
        server: usize,
        /// The `.py` file's URL.
        url: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Remove a pipeline from its server.
    Delete {
        /// The pipeline server's connection index.
        #[arg(long)]
        server: usize,
        /// The pipeline's id.
        id: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Show a pipeline's valves.
    Valves {
        /// The pipeline server's connection index.
        #[arg(long)]
        server: usize,
        /// The pipeline's id.
        id: String,
    },
    /// Change valves of a pipeline: VALVE=VALUE (the value as JSON, else as text).
    SetValves {
        /// The pipeline server's connection index.
        #[arg(long)]
        server: usize,
        /// The pipeline's id.
        id: String,
        /// VALVE=VALUE, as many as needed.
        assignments: Vec<String>,
        /// A secret valve to set; its value is read from stdin (one line each, in order).
        #[arg(long, value_name = "VALVE")]
        secret: Vec<String>,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

/// What `settings wipe` removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WipeKind {
    /// Every knowledge base (project ones too) and the vector index (`POST /retrieval/reset/db`).
    VectorDb,
    /// Every uploaded file and its content (`DELETE /files/all`).
    Files,
    /// Every model row: agents, provider-model overrides, flows (`DELETE /models/delete/all`).
    Models,
}

/// Connections the deployment can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConnectionKind {
    /// An OpenAI-compatible connection, through the test of its provider type (OpenAI, Azure
    /// OpenAI, Azure AI Foundry, Vertex AI); needs INDEX.
    Openai,
    /// An Ollama connection (`<url>/api/version`); needs INDEX.
    Ollama,
    /// The search engine's pgvector database.
    Pgvector,
    /// The image engine (AUTOMATIC1111 or ComfyUI). A failed probe turns image generation off
    /// on the deployment, so it asks first.
    Images,
    /// Image storage credentials: the server tests the values sent, so each secret of the
    /// provider is typed (--secret s3.secret_access_key …).
    Storage,
    /// File storage credentials, likewise.
    FileStorage,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_subcommand_is_well_formed() {
        // Duplicate ids (a subcommand's flag named like a global one) panic only when that
        // subcommand runs; this walks them all.
        Cli::command().debug_assert();
    }

    #[test]
    fn a_subcommand_flag_named_like_a_global_one_parses() {
        // `audit export --format` beside the global `-o/--output` (whose field is `format`).
        let cli = Cli::try_parse_from([
            "clooctl", "audit", "export", "--format", "jsonl", "--out", "a.jsonl",
        ])
        .expect("parses");
        assert!(matches!(
            cli.command,
            Command::Audit(AuditCommand::Export {
                format: AuditFormatArg::Jsonl,
                ..
            })
        ));
    }
}
