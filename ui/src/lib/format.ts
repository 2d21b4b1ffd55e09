// Display helpers: dates, times and numbers in the console's language and the user's time zone.
import { intlLocale, t } from './i18n.svelte';

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>();

function formatter<T extends Intl.DateTimeFormat | Intl.NumberFormat | Intl.RelativeTimeFormat>(
  key: string,
  make: (locale: string) => T,
): T {
  const locale = intlLocale();
  const id = `${locale}/${key}`;
  let found = cache.get(id) as T | undefined;
  if (!found) {
    found = make(locale);
    cache.set(id, found);
  }
  return found;
}

export function formatDate(epochSeconds: number): string {
  return formatter('date', (l) => new Intl.DateTimeFormat(l, { dateStyle: 'medium' })).format(
    new Date(epochSeconds * 1000),
  );
}

export function formatDateTime(epochSeconds: number): string {
  return formatter('datetime', (l) => new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'short' })).format(
    new Date(epochSeconds * 1000),
  );
}

/** Epoch milliseconds with seconds, for the journal. */
export function formatTimestamp(epochMs: number): string {
  return formatter(
    'timestamp',
    (l) => new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'medium' }),
  ).format(new Date(epochMs));
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
  const relative = formatter('relative', (l) => new Intl.RelativeTimeFormat(l, { numeric: 'auto' }));
  for (const [unit, seconds] of units) {
    if (Math.abs(diff) >= seconds) return relative.format(Math.round(diff / seconds), unit);
  }
  return t().common.justNow;
}

/** 1234567 → "1,234,567" in the console's language. */
export function formatNumber(n: number): string {
  return formatter('number', (l) => new Intl.NumberFormat(l)).format(n);
}

/** Token counts, as numbers. */
export const formatTokens = formatNumber;
