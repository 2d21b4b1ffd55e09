// The one module that talks to the Rust side. Every call goes through `invoke`, every type is
// generated from Rust (./bindings), and every failure arrives as an ErrorView {code, message}.
import { invoke } from '@tauri-apps/api/core';
import type { AddTenantRequest } from './bindings/AddTenantRequest';
import type { ConnectionReport } from './bindings/ConnectionReport';
import type { ErrorView } from './bindings/ErrorView';
import type { RemovedTenant } from './bindings/RemovedTenant';
import type { StartupState } from './bindings/StartupState';
import type { TenantView } from './bindings/TenantView';
import type { UserPage } from './bindings/UserPage';
import type { UsersPageRequest } from './bindings/UsersPageRequest';
import type { WhoAmI } from './bindings/WhoAmI';

export type {
  AddTenantRequest,
  ConnectionReport,
  ErrorView,
  RemovedTenant,
  StartupState,
  TenantView,
  UserPage,
  UsersPageRequest,
  WhoAmI,
};

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

export const backend = {
  startup: () => call<StartupState>('startup'),
  listTenants: () => call<TenantView[]>('list_tenants'),
  testConnection: (request: AddTenantRequest) => call<ConnectionReport>('test_connection', { request }),
  addTenant: (request: AddTenantRequest) => call<TenantView>('add_tenant', { request }),
  removeTenant: (name: string) => call<RemovedTenant>('remove_tenant', { name }),
  openLocalSandbox: () => call<TenantView>('open_local_sandbox'),
  whoami: (tenant: string) => call<WhoAmI>('whoami', { tenant }),
  usersPage: (request: UsersPageRequest) => call<UserPage>('users_page', { request }),
};
