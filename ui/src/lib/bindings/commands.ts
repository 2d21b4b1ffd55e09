// Generated from src-tauri/src/commands/registry.rs by `cargo test -p cloosphere-console export_command_map`: do not edit.
import type { AddTenantRequest } from './AddTenantRequest';
import type { ApplyPath } from './ApplyPath';
import type { BulkAction } from './BulkAction';
import type { BulkPlan } from './BulkPlan';
import type { BulkResult } from './BulkResult';
import type { Channel } from '@tauri-apps/api/core';
import type { ConnectionReport } from './ConnectionReport';
import type { ConnectionTest } from './ConnectionTest';
import type { DefaultsChange } from './DefaultsChange';
import type { DefaultsView } from './DefaultsView';
import type { DeletionImpact } from './DeletionImpact';
import type { DeviceCodeNotice } from './DeviceCodeNotice';
import type { DriftReport } from './DriftReport';
import type { EditTenantRequest } from './EditTenantRequest';
import type { EditUserRequest } from './EditUserRequest';
import type { EntraPlanView } from './EntraPlanView';
import type { EntraProfileRequest } from './EntraProfileRequest';
import type { EntraProfileView } from './EntraProfileView';
import type { EntraRun } from './EntraRun';
import type { EntraTestReport } from './EntraTestReport';
import type { FieldEdit } from './FieldEdit';
import type { FieldSecret } from './FieldSecret';
import type { GroupChange } from './GroupChange';
import type { GroupSummary } from './GroupSummary';
import type { GroupView } from './GroupView';
import type { ImportOutcome } from './ImportOutcome';
import type { ImportReview } from './ImportReview';
import type { JournalEntry } from './JournalEntry';
import type { JournalPage } from './JournalPage';
import type { JournalQuery } from './JournalQuery';
import type { JsonValue } from './serde_json/JsonValue';
import type { NewUserRequest } from './NewUserRequest';
import type { OrgApplyReport } from './OrgApplyReport';
import type { OrgImportReview } from './OrgImportReview';
import type { OrgSummary } from './OrgSummary';
import type { OrgTreeNode } from './OrgTreeNode';
import type { PermissionSection } from './PermissionSection';
import type { PermissionsReport } from './PermissionsReport';
import type { PipelineServerView } from './PipelineServerView';
import type { PipelineValves } from './PipelineValves';
import type { ProbeKind } from './ProbeKind';
import type { Progress } from './Progress';
import type { RemovedTenant } from './RemovedTenant';
import type { SettingsApplyReport } from './SettingsApplyReport';
import type { SettingsChange } from './SettingsChange';
import type { SettingsCopyPlan } from './SettingsCopyPlan';
import type { SettingsPlanView } from './SettingsPlanView';
import type { SettingsReview } from './SettingsReview';
import type { StartupState } from './StartupState';
import type { SuperAdminView } from './SuperAdminView';
import type { Tab } from './Tab';
import type { TabView } from './TabView';
import type { TenantView } from './TenantView';
import type { UnitChoice } from './UnitChoice';
import type { UnitDetail } from './UnitDetail';
import type { UserDetail } from './UserDetail';
import type { UserPage } from './UserPage';
import type { UserRow } from './UserRow';
import type { UserUsage } from './UserUsage';
import type { UsersPageRequest } from './UsersPageRequest';
import type { WhoAmI } from './WhoAmI';
import type { Wipe } from './Wipe';
import type { WipeOutcome } from './WipeOutcome';
import type { WipeStatement } from './WipeStatement';

/** Every command the window may call: arguments and result of each. */
export interface Commands {
  startup: { args: Record<string, never>; result: StartupState };
  list_tenants: { args: Record<string, never>; result: Array<TenantView> };
  test_connection: { args: { request: AddTenantRequest }; result: ConnectionReport };
  add_tenant: { args: { request: AddTenantRequest }; result: TenantView };
  edit_tenant: { args: { name: string; request: EditTenantRequest }; result: TenantView };
  remove_tenant: { args: { name: string }; result: RemovedTenant };
  open_local_sandbox: { args: Record<string, never>; result: TenantView };
  whoami: { args: { tenant: string }; result: WhoAmI };
  set_language: { args: { language: string }; result: null };
  users_page: { args: { request: UsersPageRequest }; result: UserPage };
  user_detail: { args: { tenant: string; who: string }; result: UserDetail };
  roles: { args: Record<string, never>; result: Array<string> };
  add_user: { args: { tenant: string; request: NewUserRequest }; result: UserRow };
  edit_user: { args: { tenant: string; who: string; request: EditUserRequest }; result: UserRow };
  set_role: { args: { tenant: string; who: string; role: string }; result: UserRow };
  deletion_impact: { args: Record<string, never>; result: DeletionImpact };
  delete_user: { args: { tenant: string; who: string; typedEmail: string }; result: UserRow };
  super_admin: { args: { tenant: string }; result: SuperAdminView };
  set_super_admin: { args: { tenant: string; who: string }; result: SuperAdminView };
  user_permissions: { args: { tenant: string; who: string }; result: PermissionsReport };
  user_usage: { args: { tenant: string; who: string }; result: UserUsage };
  set_user_limit: { args: { tenant: string; who: string; model: string; tokens: number | null }; result: { [key in string]: number } };
  plan_bulk: { args: { tenant: string; action: BulkAction; userIds: Array<string> }; result: BulkPlan };
  apply_bulk: { args: { tenant: string; planId: string; confirmation: string | null; allowDeletes: number | null; operation: string; progress: Channel<Progress> }; result: Array<BulkResult> };
  groups: { args: { tenant: string }; result: Array<GroupSummary> };
  group: { args: { tenant: string; which: string }; result: GroupView };
  create_group: { args: { tenant: string; name: string; description: string }; result: GroupChange };
  edit_group: { args: { tenant: string; which: string; name: string | null; description: string | null }; result: GroupChange };
  delete_group: { args: { tenant: string; which: string }; result: GroupSummary };
  add_group_members: { args: { tenant: string; which: string; who: Array<string> }; result: GroupChange };
  remove_group_members: { args: { tenant: string; which: string; who: Array<string> }; result: GroupChange };
  set_group_permission: { args: { tenant: string; which: string; path: string; value: JsonValue }; result: GroupChange };
  link_group_units: { args: { tenant: string; which: string; unitIds: Array<string> }; result: GroupChange };
  set_group_limit: { args: { tenant: string; which: string; model: string; tokens: number | null }; result: GroupChange };
  permission_catalogue: { args: Record<string, never>; result: Array<PermissionSection> };
  search_units: { args: { tenant: string; text: string }; result: Array<UnitChoice> };
  default_permissions: { args: { tenant: string }; result: DefaultsView };
  plan_default_permissions: { args: { wanted: JsonValue }; result: DefaultsChange };
  set_default_permissions: { args: { tenant: string; wanted: JsonValue }; result: DefaultsChange };
  apply_user_import: { args: { tenant: string; planId: string; operation: string; progress: Channel<Progress> }; result: ImportOutcome };
  drop_user_import: { args: { planId: string }; result: null };
  organizations: { args: { tenant: string }; result: Array<OrgSummary> };
  org_children: { args: { tenant: string; org: string; parent: string | null }; result: Array<OrgTreeNode> };
  org_unit: { args: { tenant: string; org: string; unit: string }; result: UnitDetail };
  delete_org_unit: { args: { tenant: string; unit: string }; result: null };
  apply_org_import: { args: { tenant: string; planId: string; allowDeletes: number | null; path: ApplyPath; operation: string; progress: Channel<Progress> }; result: OrgApplyReport };
  set_org_unit_limit: { args: { tenant: string; unit: string; model: string; tokens: number | null }; result: UnitDetail };
  set_org_unit_guardrails: { args: { tenant: string; unit: string; guardrailIds: Array<string>; followGlobal: boolean }; result: UnitDetail };
  entra_profile: { args: { tenant: string }; result: EntraProfileView | null };
  set_entra_profile: { args: { tenant: string; request: EntraProfileRequest }; result: EntraProfileView };
  test_entra: { args: { tenant: string; operation: string; progress: Channel<Progress>; deviceCode: Channel<DeviceCodeNotice> }; result: EntraTestReport };
  plan_entra: { args: { tenant: string; parity: boolean; full: boolean; operation: string; progress: Channel<Progress>; deviceCode: Channel<DeviceCodeNotice> }; result: EntraPlanView };
  apply_entra: { args: { tenant: string; planId: string; allowDeletes: number | null; path: ApplyPath; operation: string; progress: Channel<Progress> }; result: OrgApplyReport };
  entra_history: { args: { tenant: string }; result: Array<EntraRun> };
  settings_tab: { args: { tenant: string; tab: Tab }; result: TabView };
  review_settings: { args: { tenant: string; section: string; edits: Array<FieldEdit>; secrets: Array<FieldSecret> }; result: SettingsReview };
  set_settings: { args: { tenant: string; section: string; edits: Array<FieldEdit>; secrets: Array<FieldSecret> }; result: SettingsChange };
  export_settings: { args: { tenant: string; tabs: Array<Tab> }; result: string };
  apply_settings_plan: { args: { tenant: string; planId: string }; result: SettingsApplyReport };
  test_settings_connection: { args: { tenant: string; kind: ProbeKind; index: number | null; secrets: Array<FieldSecret> }; result: ConnectionTest };
  wipe_statement: { args: { tenant: string; wipe: Wipe }; result: WipeStatement };
  run_wipe: { args: { tenant: string; wipe: Wipe; typed: string }; result: WipeOutcome };
  plan_settings_copy: { args: { source: string; targets: Array<string>; keys: Array<string> }; result: Array<SettingsCopyPlan> };
  pipelines: { args: { tenant: string }; result: Array<PipelineServerView> };
  add_pipeline: { args: { tenant: string; server: number; url: string }; result: Array<PipelineServerView> };
  delete_pipeline: { args: { tenant: string; server: number; id: string }; result: Array<PipelineServerView> };
  pipeline_valves: { args: { tenant: string; server: number; id: string }; result: PipelineValves };
  set_pipeline_valves: { args: { tenant: string; server: number; id: string; edits: Array<FieldEdit>; secrets: Array<FieldSecret> }; result: PipelineValves };
  settings_drift: { args: { tenants: Array<string>; tabs: Array<Tab> }; result: DriftReport };
  journal_page: { args: { query: JournalQuery }; result: JournalPage };
  journal_entry: { args: { id: number }; result: JournalEntry };
  export_journal: { args: { query: JournalQuery }; result: string };
  cancel_operation: { args: { operation: string }; result: boolean };
}

/** Commands whose body is a file's bytes, their arguments sent as headers: arguments and result of each. */
export interface Uploads {
  review_user_import: { args: { tenant: string; fileName: string; encoding: string | null }; result: ImportReview };
  review_org_import: { args: { tenant: string; fileName: string; carryOver: boolean }; result: OrgImportReview };
  review_settings_document: { args: { tenant: string; fileName: string }; result: SettingsPlanView };
}

/** The header each upload argument travels in. */
export const UPLOAD_HEADERS: { [K in keyof Uploads]: Record<keyof Uploads[K]['args'], string> } = {
  review_user_import: { tenant: 'tenant', fileName: 'file-name', encoding: 'encoding' },
  review_org_import: { tenant: 'tenant', fileName: 'file-name', carryOver: 'carry-over' },
  review_settings_document: { tenant: 'tenant', fileName: 'file-name' },
};
