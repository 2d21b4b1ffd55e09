// The desktop's language: English or Korean, following the OS locale until the admin picks one
// (kept in localStorage). Every user-visible string comes from the message catalogue through
// `t()`; dates and numbers are formatted for the same locale.
import { en, type Messages } from './messages/en';
import { ko } from './messages/ko';

/** The languages the console speaks. */
export type Locale = 'en' | 'ko';

export const LOCALES: { id: Locale; name: string }[] = [
  { id: 'en', name: en.language.name },
  { id: 'ko', name: ko.language.name },
];

const STORAGE_KEY = 'cloosphere.locale';
const catalogues: Record<Locale, Messages> = { en, ko };

function initial(): Locale {
  try {
    const kept = localStorage.getItem(STORAGE_KEY);
    if (kept === 'en' || kept === 'ko') return kept;
  } catch {
    // No storage: follow the OS.
  }
  const wanted = typeof navigator === 'undefined' ? [] : [...(navigator.languages ?? []), navigator.language];
  return wanted.some((l) => l?.toLowerCase().startsWith('ko')) ? 'ko' : 'en';
}

let current = $state<Locale>(initial());

/** The current catalogue. Reading it in a template re-renders on a language switch. */
export function t(): Messages {
  return catalogues[current];
}

/** The current language. */
export function locale(): Locale {
  return current;
}

/** Switches the language and remembers the choice. */
export function setLocale(next: Locale): void {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not kept across runs; the switch still applies now.
  }
  document.documentElement.lang = next;
}

/** The BCP 47 tag the Intl formatters use for the current language. */
export function intlLocale(): string {
  return current === 'ko' ? 'ko-KR' : 'en';
}
