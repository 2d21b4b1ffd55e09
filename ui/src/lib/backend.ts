// The one module that talks to the Rust side. Every call goes through `invoke`, every type is
// generated from Rust (./bindings), and every failure arrives as an ErrorView {code, message}.
import { Channel, invoke } from '@tauri-apps/api/core';
import type { AddTenantRequest } from './bindings/AddTenantRequest';
import type { BulkAction } from './bindings/BulkAction';
import type { BulkPlan } from './bindings/BulkPlan';
import type { BulkResult } from './bindings/BulkResult';
import type { ConnectionReport } from './bindings/ConnectionReport';
import type { DefaultsChange } from './bindings/DefaultsChange';
import type { DefaultsView } from './bindings/DefaultsView';
import type { DeletionImpact } from './bindings/DeletionImpact';
import type { EditUserRequest } from './bindings/EditUserRequest';
import type { ErrorView } from './bindings/ErrorView';
import type { GroupChange } from './bindings/GroupChange';
import type { GroupSummary } from './bindings/GroupSummary';
import type { GroupView } from './bindings/GroupView';
import type { ImportOutcome } from './bindings/ImportOutcome';
import type { ImportProgress } from './bindings/ImportProgress';
import type { ImportReview } from './bindings/ImportReview';
import type { NewUserRequest } from './bindings/NewUserRequest';
import type { OrgApplyReport } from './bindings/OrgApplyReport';
import type { OrgApplyStep } from './bindings/OrgApplyStep';
import type { OrgImportReview } from './bindings/OrgImportReview';
import type { OrgSummary } from './bindings/OrgSummary';
import type { OrgTreeNode } from './bindings/OrgTreeNode';
import type { ReviewNode } from './bindings/ReviewNode';
import type { UnitDetail } from './bindings/UnitDetail';
import type { PermissionSection } from './bindings/PermissionSection';
import type { PermissionsReport } from './bindings/PermissionsReport';
import type { RemovedTenant } from './bindings/RemovedTenant';
import type { StartupState } from './bindings/StartupState';
import type { SuperAdminView } from './bindings/SuperAdminView';
import type { TenantView } from './bindings/TenantView';
import type { UnitChoice } from './bindings/UnitChoice';
import type { UserDetail } from './bindings/UserDetail';
import type { UserPage } from './bindings/UserPage';
import type { UserRow } from './bindings/UserRow';
import type { UserUsage } from './bindings/UserUsage';
import type { UsersPageRequest } from './bindings/UsersPageRequest';
import type { WhoAmI } from './bindings/WhoAmI';

export type {
  AddTenantRequest,
  OrgApplyReport,
  OrgApplyStep,
  OrgImportReview,
  OrgSummary,
  OrgTreeNode,
  ReviewNode,
  UnitDetail,
  BulkAction,
  BulkPlan,
  BulkResult,
  ConnectionReport,
  DefaultsChange,
  DefaultsView,
  DeletionImpact,
  EditUserRequest,
  ErrorView,
  GroupChange,
  GroupSummary,
  GroupView,
  ImportOutcome,
  ImportProgress,
  ImportReview,
  NewUserRequest,
  PermissionSection,
  PermissionsReport,
  RemovedTenant,
  StartupState,
  SuperAdminView,
  TenantView,
  UnitChoice,
  UserDetail,
  UserPage,
  UserRow,
  UserUsage,
  UsersPageRequest,
  WhoAmI,
};

/** Per-model daily token limits: model id → tokens (0 = unlimited). */
export type PerModel = Record<string, number>;

/** Anything thrown by a backend call, normalised to the IPC error shape. */
export function asError(e: unknown): ErrorView {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    return e as ErrorView;
  }
  return { code: 'internal', message: String(e) };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw asError(e);
  }
}

/** Sends a file as raw bytes, its other arguments as (percent-encoded) headers. */
async function upload<T>(command: string, bytes: Uint8Array, args: Record<string, string>): Promise<T> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(args)) headers[key] = encodeURIComponent(value);
  try {
    return await invoke<T>(command, bytes, { headers });
  } catch (e) {
    throw asError(e);
  }
}

export const backend = {
  startup: () => call<StartupState>('startup'),
  listTenants: () => call<TenantView[]>('list_tenants'),
  testConnection: (request: AddTenantRequest) => call<ConnectionReport>('test_connection', { request }),
  addTenant: (request: AddTenantRequest) => call<TenantView>('add_tenant', { request }),
  removeTenant: (name: string) => call<RemovedTenant>('remove_tenant', { name }),
  openLocalSandbox: () => call<TenantView>('open_local_sandbox'),
  whoami: (tenant: string) => call<WhoAmI>('whoami', { tenant }),

  usersPage: (request: UsersPageRequest) => call<UserPage>('users_page', { request }),
  userDetail: (tenant: string, who: string) => call<UserDetail>('user_detail', { tenant, who }),
  addUser: (tenant: string, request: NewUserRequest) => call<UserRow>('add_user', { tenant, request }),
  editUser: (tenant: string, who: string, request: EditUserRequest) =>
    call<UserRow>('edit_user', { tenant, who, request }),
  setRole: (tenant: string, who: string, role: string) => call<UserRow>('set_role', { tenant, who, role }),
  deletionImpact: () => call<DeletionImpact>('deletion_impact'),
  deleteUser: (tenant: string, who: string, typedEmail: string) =>
    call<UserRow>('delete_user', { tenant, who, typedEmail }),
  superAdmin: (tenant: string) => call<SuperAdminView>('super_admin', { tenant }),
  setSuperAdmin: (tenant: string, who: string) => call<SuperAdminView>('set_super_admin', { tenant, who }),
  userPermissions: (tenant: string, who: string) => call<PermissionsReport>('user_permissions', { tenant, who }),
  userUsage: (tenant: string, who: string) => call<UserUsage>('user_usage', { tenant, who }),
  setUserLimit: (tenant: string, who: string, model: string, tokens: number | null) =>
    call<PerModel>('set_user_limit', { tenant, who, model, tokens }),
  planBulk: (tenant: string, action: BulkAction, userIds: string[]) =>
    call<BulkPlan>('plan_bulk', { tenant, action, userIds }),
  applyBulk: (tenant: string, plan: BulkPlan) => call<BulkResult[]>('apply_bulk', { tenant, plan }),

  groups: (tenant: string) => call<GroupSummary[]>('groups', { tenant }),
  group: (tenant: string, which: string) => call<GroupView>('group', { tenant, which }),
  createGroup: (tenant: string, name: string, description: string) =>
    call<GroupChange>('create_group', { tenant, name, description }),
  editGroup: (tenant: string, which: string, name: string | null, description: string | null) =>
    call<GroupChange>('edit_group', { tenant, which, name, description }),
  deleteGroup: (tenant: string, which: string) => call<GroupSummary>('delete_group', { tenant, which }),
  addGroupMembers: (tenant: string, which: string, who: string[]) =>
    call<GroupChange>('add_group_members', { tenant, which, who }),
  removeGroupMembers: (tenant: string, which: string, who: string[]) =>
    call<GroupChange>('remove_group_members', { tenant, which, who }),
  setGroupPermission: (tenant: string, which: string, path: string, value: unknown) =>
    call<GroupChange>('set_group_permission', { tenant, which, path, value }),
  linkGroupUnits: (tenant: string, which: string, unitIds: string[]) =>
    call<GroupChange>('link_group_units', { tenant, which, unitIds }),
  setGroupLimit: (tenant: string, which: string, model: string, tokens: number | null) =>
    call<GroupChange>('set_group_limit', { tenant, which, model, tokens }),
  permissionCatalogue: () => call<PermissionSection[]>('permission_catalogue'),
  searchUnits: (tenant: string, text: string) => call<UnitChoice[]>('search_units', { tenant, text }),
  defaultPermissions: (tenant: string) => call<DefaultsView>('default_permissions', { tenant }),
  planDefaultPermissions: (wanted: Record<string, unknown>) =>
    call<DefaultsChange>('plan_default_permissions', { wanted }),
  setDefaultPermissions: (tenant: string, wanted: Record<string, unknown>) =>
    call<DefaultsChange>('set_default_permissions', { tenant, wanted }),

  reviewUserImport: (tenant: string, fileName: string, bytes: Uint8Array, encoding: string | null) =>
    upload<ImportReview>('review_user_import', bytes, { tenant, 'file-name': fileName, encoding: encoding ?? '' }),
  applyUserImport: (id: string, onProgress: (p: ImportProgress) => void) => {
    const progress = new Channel<ImportProgress>();
    progress.onmessage = onProgress;
    return call<ImportOutcome>('apply_user_import', { id, progress });
  },
  dropUserImport: (id: string) => call<void>('drop_user_import', { id }),
  organizations: (tenant: string) => call<OrgSummary[]>('organizations', { tenant }),
  orgChildren: (tenant: string, org: string, parent: string | null) =>
    call<OrgTreeNode[]>('org_children', { tenant, org, parent }),
  orgUnit: (tenant: string, org: string, unit: string) => call<UnitDetail>('org_unit', { tenant, org, unit }),
  deleteOrgUnit: (tenant: string, unit: string) => call<void>('delete_org_unit', { tenant, unit }),
  setOrgUnitLimit: (tenant: string, unit: string, model: string, tokens: number | null) =>
    call<UnitDetail>('set_org_unit_limit', { tenant, unit, model, tokens }),
  setOrgUnitGuardrails: (tenant: string, unit: string, guardrailIds: string[], followGlobal: boolean) =>
    call<UnitDetail>('set_org_unit_guardrails', { tenant, unit, guardrailIds, followGlobal }),
  reviewOrgImport: (tenant: string, fileName: string, bytes: Uint8Array, carryOver: boolean) =>
    upload<OrgImportReview>('review_org_import', bytes, { tenant, 'file-name': fileName, 'carry-over': carryOver ? '1' : '0' }),
  applyOrgImport: (tenant: string, planId: string, allowDeletes: number | null, onProgress: (s: OrgApplyStep) => void) => {
    const progress = new Channel<OrgApplyStep>();
    progress.onmessage = onProgress;
    return call<OrgApplyReport>('apply_org_import', { tenant, planId, allowDeletes, progress });
  },
};

/** Reads a dotted key (`workspace.knowledge`) out of a permission object. */
export function permissionAt(object: Record<string, unknown> | null | undefined, path: string): unknown {
  const [section, key] = path.split('.');
  const inner = object?.[section];
  return inner && typeof inner === 'object' ? (inner as Record<string, unknown>)[key] : undefined;
}

/** A copy of a permission object with one dotted key set. */
export function withPermission(
  object: Record<string, unknown> | null | undefined,
  path: string,
  value: unknown,
): Record<string, unknown> {
  const [section, key] = path.split('.');
  // A JSON copy: Svelte's state proxies cannot go through structuredClone.
  const copy: Record<string, unknown> = JSON.parse(JSON.stringify(object ?? {}));
  const inner = copy[section];
  copy[section] = { ...(inner && typeof inner === 'object' ? (inner as Record<string, unknown>) : {}), [key]: value };
  return copy;
}
