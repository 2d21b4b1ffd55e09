// The desktop's commands, each declared once: the Tauri handler list, the permission list and the
// window's capability (build.rs), and the TypeScript command map (ui/src/lib/bindings/commands.ts)
// all come from this list. A command only translates between IPC and the console: its handler,
// in the area module named after `=>`, makes one call and decides nothing.
commands! {
    // Deployments.
    /// What the desktop shows first.
    call fn startup() -> StartupState => tenants::startup;
    /// Every tenant.
    call fn list_tenants() -> Vec<TenantView> => tenants::list_tenants;
    /// Tries a deployment and a credential without keeping anything.
    call fn test_connection(request: AddTenantRequest) -> ConnectionReport => tenants::test_connection;
    /// Adds a tenant after proving its connection.
    call fn add_tenant(request: AddTenantRequest) -> TenantView => tenants::add_tenant;
    /// Edits a tenant (a new URL or credential is proved first).
    call fn edit_tenant(name: String, request: EditTenantRequest) -> TenantView => tenants::edit_tenant;
    /// Removes a tenant and its secrets.
    call fn remove_tenant(name: String) -> RemovedTenant => tenants::remove_tenant;
    /// Starts the in-process demo deployment.
    call fn open_local_sandbox() -> TenantView => tenants::open_local_sandbox;
    /// The signed-in account.
    call fn whoami(tenant: String) -> WhoAmI => tenants::whoami;
    /// Keeps the language the admin chose.
    call fn set_language(language: String) -> () => tenants::set_language;

    // Users.
    /// A page of the directory.
    call fn users_page(request: UsersPageRequest) -> UserPage => users::users_page;
    /// One user with what may be done to her.
    call fn user_detail(tenant: String, who: String) -> UserDetail => users::user_detail;
    /// The roles a person may give.
    call fn roles() -> Vec<String> => users::roles;
    /// Adds a user.
    call fn add_user(tenant: String, request: NewUserRequest) -> UserRow => users::add_user;
    /// Edits a user.
    call fn edit_user(tenant: String, who: String, request: EditUserRequest) -> UserRow => users::edit_user;
    /// Changes a role.
    call fn set_role(tenant: String, who: String, role: String) -> UserRow => users::set_role;
    /// What deleting a user removes and keeps.
    call fn deletion_impact() -> DeletionImpact => users::deletion_impact;
    /// Deletes a user (her e-mail typed to confirm).
    call fn delete_user(tenant: String, who: String, typed_email: String) -> UserRow => users::delete_user;
    /// The Super Admin designation.
    call fn super_admin(tenant: String) -> SuperAdminView => users::super_admin;
    /// Designates the Super Admin.
    call fn set_super_admin(tenant: String, who: String) -> SuperAdminView => users::set_super_admin;
    /// A user's effective permissions with their sources.
    call fn user_permissions(tenant: String, who: String) -> PermissionsReport => users::user_permissions;
    /// A user's usage today with limits.
    call fn user_usage(tenant: String, who: String) -> UserUsage => users::user_usage;
    /// Sets or clears a user's limit for a model.
    call fn set_user_limit(tenant: String, who: String, model: String, tokens: Option<i64>) -> PerModel => users::set_user_limit;
    /// Plans a bulk action (stored; apply it by id).
    call fn plan_bulk(tenant: String, action: BulkAction, user_ids: Vec<String>) -> BulkPlan => users::plan_bulk;
    /// Applies a stored bulk plan.
    call fn apply_bulk(tenant: String, plan_id: String, confirmation: Option<String>, allow_deletes: Option<usize>, operation: String, progress: Channel<Progress>) -> Vec<BulkResult> => users::apply_bulk;

    // Groups and default permissions.
    /// Every group.
    call fn groups(tenant: String) -> Vec<GroupSummary> => groups::groups;
    /// One group in full.
    call fn group(tenant: String, which: String) -> GroupView => groups::group;
    /// Creates a group.
    call fn create_group(tenant: String, name: String, description: String) -> GroupChange => groups::create_group;
    /// Renames or re-describes a group.
    call fn edit_group(tenant: String, which: String, name: Option<String>, description: Option<String>) -> GroupChange => groups::edit_group;
    /// Deletes a group.
    call fn delete_group(tenant: String, which: String) -> GroupSummary => groups::delete_group;
    /// Adds direct members.
    call fn add_group_members(tenant: String, which: String, who: Vec<String>) -> GroupChange => groups::add_group_members;
    /// Removes direct members.
    call fn remove_group_members(tenant: String, which: String, who: Vec<String>) -> GroupChange => groups::remove_group_members;
    /// Sets one permission key of a group (null takes it out).
    call fn set_group_permission(tenant: String, which: String, path: String, value: Value) -> GroupChange => groups::set_group_permission;
    /// Links a group to units.
    call fn link_group_units(tenant: String, which: String, unit_ids: Vec<String>) -> GroupChange => groups::link_group_units;
    /// Sets or clears a group's limit for a model.
    call fn set_group_limit(tenant: String, which: String, model: String, tokens: Option<i64>) -> GroupChange => groups::set_group_limit;
    /// The permission matrix's sections and keys.
    call fn permission_catalogue() -> Vec<PermissionSection> => groups::permission_catalogue;
    /// Units to pick from.
    call fn search_units(tenant: String, text: String) -> Vec<UnitChoice> => groups::search_units;
    /// The default permissions.
    call fn default_permissions(tenant: String) -> DefaultsView => groups::default_permissions;
    /// What saving default permissions would store.
    call fn plan_default_permissions(wanted: Value) -> DefaultsChange => groups::plan_default_permissions;
    /// Saves the default permissions.
    call fn set_default_permissions(tenant: String, wanted: Value) -> DefaultsChange => groups::set_default_permissions;

    // Imports.
    /// Plans a CSV user import from the file's bytes (stored; the bytes held for the apply).
    upload fn review_user_import(tenant: String, file_name: String, encoding: Option<String>) -> ImportReview => imports::review_user_import;
    /// Applies a stored CSV import plan.
    call fn apply_user_import(tenant: String, plan_id: String, operation: String, progress: Channel<Progress>) -> ImportOutcome => imports::apply_user_import;
    /// Drops a CSV import review.
    call fn drop_user_import(plan_id: String) -> () => imports::drop_user_import;

    // Organizations.
    /// Every organization.
    call fn organizations(tenant: String) -> Vec<OrgSummary> => orgs::organizations;
    /// The children of a unit (the top level when `parent` is null).
    call fn org_children(tenant: String, org: String, parent: Option<String>) -> Vec<OrgTreeNode> => orgs::org_children;
    /// One unit in detail.
    call fn org_unit(tenant: String, org: String, unit: String) -> UnitDetail => orgs::org_unit;
    /// Deletes a unit.
    call fn delete_org_unit(tenant: String, unit: String) -> () => orgs::delete_org_unit;
    /// Plans an organization import from the file's bytes (stored).
    upload fn review_org_import(tenant: String, file_name: String, carry_over: bool) -> OrgImportReview => orgs::review_org_import;
    /// Applies a stored organization import plan.
    call fn apply_org_import(tenant: String, plan_id: String, allow_deletes: Option<usize>, path: ApplyPath, operation: String, progress: Channel<Progress>) -> OrgApplyReport => orgs::apply_org_import;
    /// Sets or clears a unit's limit for a model.
    call fn set_org_unit_limit(tenant: String, unit: String, model: String, tokens: Option<i64>) -> UnitDetail => orgs::set_org_unit_limit;
    /// Sets a unit's guardrails.
    call fn set_org_unit_guardrails(tenant: String, unit: String, guardrail_ids: Vec<String>, follow_global: bool) -> UnitDetail => orgs::set_org_unit_guardrails;

    // Entra ID sync.
    /// The tenant's Microsoft sign-in profile, never its secret (null when there is none).
    call fn entra_profile(tenant: String) -> Option<EntraProfileView> => entra::entra_profile;
    /// Saves the profile; the secret goes to the keychain.
    call fn set_entra_profile(tenant: String, request: EntraProfileRequest) -> EntraProfileView => entra::set_entra_profile;
    /// Signs in to Microsoft and reads the organization.
    call fn test_entra(tenant: String, operation: String, progress: Channel<Progress>, device_code: Channel<DeviceCodeNotice>) -> EntraTestReport => entra::test_entra;
    /// Reads Entra ID and plans the organization import (stored; apply it by id).
    call fn plan_entra(tenant: String, parity: bool, full: bool, operation: String, progress: Channel<Progress>, device_code: Channel<DeviceCodeNotice>) -> EntraPlanView => entra::plan_entra;
    /// Applies a stored Entra plan.
    call fn apply_entra(tenant: String, plan_id: String, allow_deletes: Option<usize>, path: ApplyPath, operation: String, progress: Channel<Progress>) -> OrgApplyReport => entra::apply_entra;
    /// The tenant's Entra runs, newest first.
    call fn entra_history(tenant: String) -> Vec<EntraRun> => entra::entra_history;

    // System Settings.
    /// A settings tab's sections as the deployment answers them (secrets masked).
    call fn settings_tab(tenant: String, tab: Tab) -> TabView => settings::settings_tab;
    /// What a change to one section would send, or why it cannot be sent; nothing is written.
    call fn review_settings(tenant: String, section: String, edits: Vec<FieldEdit>, secrets: Vec<FieldSecret>) -> SettingsReview => settings::review_settings;
    /// Changes fields of one section (journaled; refused before sending if a secret would be lost).
    call fn set_settings(tenant: String, section: String, edits: Vec<FieldEdit>, secrets: Vec<FieldSecret>) -> SettingsChange => settings::set_settings;
    /// Writes the settings of `tabs` (all when empty) as a secret-free document into the downloads folder; gives the path.
    call fn export_settings(tenant: String, tabs: Vec<Tab>) -> String => settings::export_settings;
    /// Plans a settings document from the file's bytes (stored; apply it by id).
    upload fn review_settings_document(tenant: String, file_name: String) -> SettingsPlanView => settings::review_settings_document;
    /// Applies a stored settings plan (refused when the settings changed since).
    call fn apply_settings_plan(tenant: String, plan_id: String) -> SettingsApplyReport => settings::apply_settings_plan;
    /// Asks the deployment to test a connection with what it stores (`index` for OpenAI and Ollama).
    call fn test_settings_connection(tenant: String, kind: ProbeKind, index: Option<usize>, secrets: Vec<FieldSecret>) -> ConnectionTest => settings::test_settings_connection;
    /// What an irreversible settings action would remove; nothing is written.
    call fn wipe_statement(tenant: String, wipe: Wipe) -> WipeStatement => settings::wipe_statement;
    /// Runs an irreversible settings action once the deployment's name is typed (journaled).
    call fn run_wipe(tenant: String, wipe: Wipe, typed: String) -> WipeOutcome => settings::run_wipe;
    /// Plans copying chosen keys from one tenant to others: one stored plan per target.
    call fn plan_settings_copy(source: String, targets: Vec<String>, keys: Vec<String>) -> Vec<SettingsCopyPlan> => settings::plan_settings_copy;
    /// The pipeline servers and their pipelines.
    call fn pipelines(tenant: String) -> Vec<PipelineServerView> => settings::pipelines;
    /// Installs the pipeline file at `url` on the pipeline server at connection `server`.
    call fn add_pipeline(tenant: String, server: usize, url: String) -> Vec<PipelineServerView> => settings::add_pipeline;
    /// Removes a pipeline from its server.
    call fn delete_pipeline(tenant: String, server: usize, id: String) -> Vec<PipelineServerView> => settings::delete_pipeline;
    /// A pipeline's valves (secret ones masked) and their schema.
    call fn pipeline_valves(tenant: String, server: usize, id: String) -> PipelineValves => settings::pipeline_valves;
    /// Changes valves of a pipeline (secrets typed, never shown).
    call fn set_pipeline_valves(tenant: String, server: usize, id: String, edits: Vec<FieldEdit>, secrets: Vec<FieldSecret>) -> PipelineValves => settings::set_pipeline_valves;
    /// Compares the settings of several tenants key by key.
    call fn settings_drift(tenants: Vec<String>, tabs: Vec<Tab>) -> DriftReport => settings::settings_drift;

    // Notification channels.
    /// Every e-mail and webhook channel, by position (secrets masked, credentials cut down).
    call fn notification_channels(tenant: String) -> ChannelsView => channels::notification_channels;
    /// What saving channel edits would do, read against the deployment now; nothing is sent.
    call fn review_channels(tenant: String, edits: Vec<ChannelEdit>, secrets: Vec<ChannelSecretInput>) -> ChannelsReview => channels::review_channels;
    /// Saves channel edits (refused, nothing sent, when a secret would be lost or swapped).
    call fn save_channels(tenant: String, edits: Vec<ChannelEdit>, secrets: Vec<ChannelSecretInput>) -> ChannelsSaved => channels::save_channels;
    /// Tests a channel from this machine (SMTP, or the provider's webhook format).
    call fn test_channel_from_desktop(tenant: String, request: DesktopTest) -> ChannelTestResult => channels::test_channel_from_desktop;
    /// Has the deployment test a saved channel (by its position).
    call fn test_channel_through_deployment(tenant: String, kind: ChannelKind, name: String, send_to: Option<String>) -> ChannelTestResult => channels::test_channel_through_deployment;

    // The audit log.
    /// A page of the audit log through the filters, with the actions and types present.
    call fn audit_page(tenant: String, query: AuditQuery) -> AuditPageView => audit::audit_page;
    /// Writes the filtered audit log (CSV or JSON Lines) into the downloads folder.
    call fn export_audit(tenant: String, query: AuditQuery, format: AuditExportFormat) -> AuditExportDone => audit::export_audit;

    // Inquiries.
    /// The inquiries by status, through the filters, with the server's counts.
    call fn inquiry_board(tenant: String, filter: InquiryFilter) -> InquiryBoard => inquiries::inquiry_board;
    /// Moves an inquiry to open, in_progress or resolved (an admin never closes one).
    call fn inquiry_move(tenant: String, id: String, to: String) -> InquiryView => inquiries::inquiry_move;
    /// Sets the note the author sees.
    call fn inquiry_note(tenant: String, id: String, note: String) -> InquiryView => inquiries::inquiry_note;
    /// Deletes an inquiry.
    call fn inquiry_delete(tenant: String, id: String) -> InquiryView => inquiries::inquiry_delete;
    /// How often the app looks for new inquiries (seconds; 0 never).
    call fn inquiry_poll_seconds() -> u64 => inquiries::inquiry_poll_seconds;
    /// Sets how often the app looks for new inquiries.
    call fn set_inquiry_poll_seconds(seconds: u64) -> u64 => inquiries::set_inquiry_poll_seconds;

    // Service Requests.
    /// Where a Service Request can go now, and the type catalogue.
    call fn sr_setup(tenant: String) -> SrSetup => service_requests::sr_setup;
    /// Sets the direct route: the central instance and the SR key (kept in the keychain).
    call fn sr_set_direct(tenant: String, central_url: String, key: String) -> SrSetup => service_requests::sr_set_direct;
    /// Forgets the direct route and its key.
    call fn sr_clear_direct(tenant: String) -> SrSetup => service_requests::sr_clear_direct;
    /// Stores a request in the outbox and makes its first attempt.
    call fn sr_submit(tenant: String, draft: SrDraft, route: Option<SrRoute>) -> OutboxItem => service_requests::sr_submit;
    /// The tenant's requests and where each is.
    call fn sr_outbox(tenant: String) -> Vec<OutboxItem> => service_requests::sr_outbox;
    /// Sends every queued request of the tenant now; gives the outbox after.
    call fn sr_send_queued(tenant: String) -> Vec<OutboxItem> => service_requests::sr_send_queued;
    /// Sends again, or records as delivered, a request that failed or may have arrived.
    call fn sr_resolve(tenant: String, id: String, resolution: SrResolution) -> OutboxItem => service_requests::sr_resolve;

    // The journal, and stopping.
    /// A page of the journal.
    call fn journal_page(query: JournalQuery) -> JournalPage => journal::journal_page;
    /// One journal entry in full.
    call fn journal_entry(id: i64) -> JournalEntry => journal::journal_entry;
    /// Writes the matching journal entries as CSV into the downloads folder; gives the path.
    call fn export_journal(query: JournalQuery) -> String => journal::export_journal;
    /// Asks a running operation to stop between two requests.
    call fn cancel_operation(operation: String) -> bool => journal::cancel_operation;
}
