// How the desktop words an error: a title and a sentence from its code and fields, in the
// console's language. The switch is exhaustive: a new ErrorCode fails the type check here until
// it is worded.
import type { ErrorView } from './backend';
import { t } from './i18n.svelte';

function unreachable(code: never): never {
  throw new Error(`unworded error code ${String(code)}`);
}

/** A short title for an error. */
export function errorTitle(e: ErrorView): string {
  const m = t().errors;
  switch (e.code) {
    case 'not_authenticated':
      return m.notAuthenticated;
    case 'wrong_credentials':
      return m.wrongCredentials;
    case 'forbidden':
      return m.forbidden;
    case 'not_admin':
      return m.notAdmin;
    case 'not_found':
      return m.notFound;
    case 'validation':
      return m.validation;
    case 'conflict':
      return m.conflict;
    case 'rejected':
      return m.rejected;
    case 'stale_plan':
      return m.stalePlan;
    case 'deletion_threshold':
      return m.deletionThreshold;
    case 'role_change_refused':
      return m.roleChangeRefused;
    case 'confirmation_mismatch':
      return m.confirmationMismatch;
    case 'secret_would_be_lost':
      return m.secretWouldBeLost;
    case 'read_only_tenant':
      return m.readOnlyTenant;
    case 'keychain_unavailable':
      return m.keychainUnavailable;
    case 'keychain':
      return m.keychain;
    case 'network':
      return m.network;
    case 'tls':
      return m.tls;
    case 'timeout':
      return m.timeout;
    case 'server':
      return m.server;
    case 'unexpected_response':
      return m.unexpectedResponse;
    case 'cancelled':
      return m.cancelled;
    case 'interrupted':
      return m.interrupted;
    case 'no_tenant':
      return m.noTenant;
    case 'missing_credential':
      return m.missingCredential;
    case 'store':
      return m.store;
    case 'internal':
      return m.internal;
    default:
      return unreachable(e.code);
  }
}

/**
 * The sentence under the title. Refusals the console decides are worded here from their
 * fields; failures whose detail comes from elsewhere (the deployment, the network, a file)
 * keep that detail.
 */
export function errorText(e: ErrorView): string {
  const m = t().errors;
  switch (e.code) {
    case 'stale_plan':
      return m.stalePlanText(e.changed_count ?? 0, (e.changed ?? []).join(', '));
    case 'deletion_threshold':
      return m.deletionThresholdText(e.deletes ?? 0, e.existing ?? 0, e.threshold ?? 0);
    case 'role_change_refused':
      switch (e.reason) {
        case 'own_role':
          return m.ownRole;
        case 'first_user':
          return m.firstUser;
        default:
          return m.unknownRole;
      }
    case 'confirmation_mismatch':
      return m.confirmationMismatchText(e.expected ?? '');
    case 'secret_would_be_lost':
      return m.secretWouldBeLostText((e.refusals ?? []).map((r) => r.path).join(', '));
    case 'read_only_tenant':
      return m.readOnlyTenantText(e.tenant ?? '');
    case 'cancelled':
    case 'interrupted':
      return e.partial ? m.partialText(e.partial.applied, e.partial.resume) : e.message;
    case 'no_tenant':
      return m.noTenantText;
    case 'keychain_unavailable':
      return m.keychainUnavailableText;
    case 'validation':
      return e.position ? `${e.position}: ${e.message}` : e.message;
    case 'not_authenticated':
    case 'wrong_credentials':
    case 'forbidden':
    case 'not_admin':
    case 'not_found':
    case 'conflict':
    case 'rejected':
    case 'keychain':
    case 'network':
    case 'tls':
    case 'timeout':
    case 'server':
    case 'unexpected_response':
    case 'missing_credential':
    case 'store':
    case 'internal':
      return e.message;
    default:
      return unreachable(e.code);
  }
}
