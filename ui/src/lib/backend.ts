// The one module that talks to the Rust side. Every command and its arguments come from the
// generated map (./bindings/commands.ts, made from src-tauri's one list of commands), so calling a
// command that does not exist, or with a wrongly named argument, fails to type-check. Every
// failure arrives as an ErrorView {code, message, …fields}.
import { Channel, invoke } from '@tauri-apps/api/core';
import type { Commands, Uploads } from './bindings/commands';
import { UPLOAD_HEADERS } from './bindings/commands';
import type { ErrorCode } from './bindings/ErrorCode';
import type { ErrorView } from './bindings/ErrorView';
import type { Progress } from './bindings/Progress';

export type { Commands, Uploads };
export type { AddTenantRequest } from './bindings/AddTenantRequest';
export type { ApplyPath } from './bindings/ApplyPath';
export type { AuditPageView } from './bindings/AuditPageView';
export type { AuditRowView } from './bindings/AuditRowView';
export type { BulkAction } from './bindings/BulkAction';
export type { BulkPlan } from './bindings/BulkPlan';
export type { BulkResult } from './bindings/BulkResult';
export type { ChannelEdit } from './bindings/ChannelEdit';
export type { ChannelKind } from './bindings/ChannelKind';
export type { ChannelSecretInput } from './bindings/ChannelSecretInput';
export type { ChannelTestResult } from './bindings/ChannelTestResult';
export type { ChannelView } from './bindings/ChannelView';
export type { ChannelsReview } from './bindings/ChannelsReview';
export type { ChannelsView } from './bindings/ChannelsView';
export type { ConnectionReport } from './bindings/ConnectionReport';
export type { DefaultsChange } from './bindings/DefaultsChange';
export type { DefaultsView } from './bindings/DefaultsView';
export type { DeletionGuard } from './bindings/DeletionGuard';
export type { DeletionImpact } from './bindings/DeletionImpact';
export type { DeviceCodeNotice } from './bindings/DeviceCodeNotice';
export type { EditTenantRequest } from './bindings/EditTenantRequest';
export type { EditUserRequest } from './bindings/EditUserRequest';
export type { EntraPlanView } from './bindings/EntraPlanView';
export type { EntraProfileRequest } from './bindings/EntraProfileRequest';
export type { EntraProfileView } from './bindings/EntraProfileView';
export type { EntraRun } from './bindings/EntraRun';
export type { ErrorCode, ErrorView, Progress };
export type { JsonValue } from './bindings/serde_json/JsonValue';
export type { GroupChange } from './bindings/GroupChange';
export type { GroupSummary } from './bindings/GroupSummary';
export type { GroupView } from './bindings/GroupView';
export type { ImportOutcome } from './bindings/ImportOutcome';
export type { ImportReview } from './bindings/ImportReview';
export type { InquiryBoard } from './bindings/InquiryBoard';
export type { InquiryView } from './bindings/InquiryView';
export type { JournalEntry } from './bindings/JournalEntry';
export type { JournalPage } from './bindings/JournalPage';
export type { JournalQuery } from './bindings/JournalQuery';
export type { NewUserRequest } from './bindings/NewUserRequest';
export type { OrgApplyReport } from './bindings/OrgApplyReport';
export type { OrgImportReview } from './bindings/OrgImportReview';
export type { OrgSummary } from './bindings/OrgSummary';
export type { OutboxItem } from './bindings/OutboxItem';
export type { SrRoute } from './bindings/SrRoute';
export type { SrSetup } from './bindings/SrSetup';
export type { OrgTreeNode } from './bindings/OrgTreeNode';
export type { SectionView } from './bindings/SectionView';
export type { DriftReport } from './bindings/DriftReport';
export type { SettingsCopyPlan } from './bindings/SettingsCopyPlan';
export type { SettingsPlanView } from './bindings/SettingsPlanView';
export type { SettingsReview } from './bindings/SettingsReview';
export type { Tab as SettingsTab } from './bindings/Tab';
export type { TabView } from './bindings/TabView';
export type { PipelineServerView } from './bindings/PipelineServerView';
export type { PipelineValves } from './bindings/PipelineValves';
export type { ProbeKind } from './bindings/ProbeKind';
export type { Wipe } from './bindings/Wipe';
export type { WipeStatement } from './bindings/WipeStatement';
export type { PermissionSection } from './bindings/PermissionSection';
export type { PermissionsReport } from './bindings/PermissionsReport';
export type { RemovedTenant } from './bindings/RemovedTenant';
export type { ReviewNode } from './bindings/ReviewNode';
export type { RoleChangeReason } from './bindings/RoleChangeReason';
export type { StartupState } from './bindings/StartupState';
export type { SuperAdminView } from './bindings/SuperAdminView';
export type { TenantView } from './bindings/TenantView';
export type { UnitChoice } from './bindings/UnitChoice';
export type { UnitDetail } from './bindings/UnitDetail';
export type { UserDetail } from './bindings/UserDetail';
export type { UserPage } from './bindings/UserPage';
export type { UserRow } from './bindings/UserRow';
export type { UserUsage } from './bindings/UserUsage';
export type { UsersPageRequest } from './bindings/UsersPageRequest';
export type { WhoAmI } from './bindings/WhoAmI';

/** Per-model daily token limits: model id → tokens (0 = unlimited). */
export type PerModel = Record<string, number>;

/** Anything thrown by a backend call, normalised to the IPC error shape. */
export function asError(e: unknown): ErrorView {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    return e as ErrorView;
  }
  return { code: 'internal', message: String(e) };
}

/** Calls a declared command with its declared arguments. */
export async function call<K extends keyof Commands>(
  command: K,
  args: Commands[K]['args'],
): Promise<Commands[K]['result']> {
  try {
    return await invoke<Commands[K]['result']>(command, args);
  } catch (e) {
    throw asError(e);
  }
}

/** Sends a file as raw bytes to a declared upload command, its arguments as headers. */
export async function upload<K extends keyof Uploads>(
  command: K,
  bytes: Uint8Array,
  args: Uploads[K]['args'],
): Promise<Uploads[K]['result']> {
  const names = UPLOAD_HEADERS[command] as Record<string, string>;
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(args as Record<string, unknown>)) {
    const text = value === null || value === undefined ? '' : typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    headers[names[key]] = encodeURIComponent(text);
  }
  try {
    return await invoke<Uploads[K]['result']>(command, bytes, { headers });
  } catch (e) {
    throw asError(e);
  }
}

let operations = 0;

/** A long operation: its id (for `cancel_operation`) and the channel its progress comes on. */
export function operation(onProgress: (p: Progress) => void): { id: string; channel: Channel<Progress> } {
  const channel = new Channel<Progress>();
  channel.onmessage = onProgress;
  operations += 1;
  return { id: `op-${Date.now()}-${operations}`, channel };
}

/** Asks a running operation to stop between two requests. */
export function cancelOperation(id: string): Promise<boolean> {
  return call('cancel_operation', { operation: id });
}

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
