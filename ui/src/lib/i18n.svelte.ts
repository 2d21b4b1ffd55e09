// The desktop's language: English or Korean, following the OS locale until the admin picks one
// (kept in the console's local store, so each data folder has its own). Every user-visible
// string comes from the message catalogue through `t()`; dates and numbers are formatted for the
// same locale.
import { call } from './backend';
import { en, type Messages } from './messages/en';
import { ko } from './messages/ko';

/** The languages the console speaks. */
export type Locale = 'en' | 'ko';

export const LOCALES: { id: Locale; name: string }[] = [
  { id: 'en', name: en.language.name },
  { id: 'ko', name: ko.language.name },
];

const catalogues: Record<Locale, Messages> = { en, ko };

function fromOs(): Locale {
  const wanted = typeof navigator === 'undefined' ? [] : [...(navigator.languages ?? []), navigator.language];
  return wanted.some((l) => l?.toLowerCase().startsWith('ko')) ? 'ko' : 'en';
}

let current = $state<Locale>(fromOs());

/** The current catalogue. Reading it in a template re-renders on a language switch. */
export function t(): Messages {
  return catalogues[current];
}

/** The current language. */
export function locale(): Locale {
  return current;
}

/** Applies the language kept in the store at start (the OS's when none was chosen). */
export function useStoredLocale(kept: string | null): void {
  if (kept === 'en' || kept === 'ko') current = kept;
  document.documentElement.lang = current;
}

/** Switches the language and keeps the choice for the next start. */
export async function setLocale(next: Locale): Promise<void> {
  current = next;
  document.documentElement.lang = next;
  await call('set_language', { language: next });
}

/** The BCP 47 tag the Intl formatters use for the current language. */
export function intlLocale(): string {
  return current === 'ko' ? 'ko-KR' : 'en';
}
