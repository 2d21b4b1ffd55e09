// Display helpers. Dates are shown in the user's locale and time zone.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatDate(epochSeconds: number): string {
  return dateOnly.format(new Date(epochSeconds * 1000));
}

export function formatDateTime(epochSeconds: number): string {
  return dateTime.format(new Date(epochSeconds * 1000));
}

/** "3 days ago", "in 2 hours": for recent activity. */
export function formatAgo(epochSeconds: number, now = Date.now() / 1000): string {
  const diff = epochSeconds - now;
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ['year', 31_536_000],
    ['month', 2_592_000],
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, seconds] of units) {
    if (Math.abs(diff) >= seconds) return relative.format(Math.round(diff / seconds), unit);
  }
  return 'just now';
}

/** Human text for the error codes the add-deployment form distinguishes. */
export function errorTitle(code: string): string {
  switch (code) {
    case 'network':
    case 'timeout':
      return 'Cannot reach the deployment';
    case 'tls':
      return 'Certificate not trusted (TLS)';
    case 'wrong_credentials':
      return 'Wrong e-mail or password';
    case 'not_authenticated':
      return 'Credential not accepted';
    case 'not_admin':
    case 'forbidden':
      return 'Not an admin account';
    case 'keychain_unavailable':
      return 'No keychain available';
    case 'invalid_input':
    case 'invalid_url':
      return 'Check the form';
    case 'name_taken':
      return 'Name already used';
    default:
      return 'Something went wrong';
  }
}

const tokens = new Intl.NumberFormat();

/** 1234567 → "1,234,567" in the user's locale. */
export function formatTokens(n: number): string {
  return tokens.format(n);
}
