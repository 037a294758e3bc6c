import { type ConsoleLocale, LOCALES } from './words.js';

/** Where the console keeps the language its user chose (the language menu), across visits. */
export const LOCALE_KEY = 'tierkit.console.locale';

const isLocale = (value: string | null | undefined): value is ConsoleLocale =>
  value !== null && value !== undefined && (LOCALES as readonly string[]).includes(value);

/**
 * The console's language for a browser preferring `tag` (BCP 47): Traditional Chinese for Taiwan, Hong
 * Kong, Macao or a `Hant` script (unless `Hans` is said); any other Chinese, Simplified; anything else, English — a Taiwanese or
 * English-speaking employee opened a console in 简体中文 they had not asked for.
 */
export function localeOfLanguage(tag: string): ConsoleLocale {
  const parts = tag.toLowerCase().split(/[-_]/);
  if (parts[0] !== 'zh') return 'en';
  // A script said outright wins over the region: zh-Hans-HK reads Simplified.
  if (parts.includes('hans')) return 'zh-CN';
  if (parts.includes('hant') || parts.includes('tw') || parts.includes('hk') || parts.includes('mo')) return 'zh-TW';
  return 'zh-CN';
}

/**
 * The language the console opens in: `?lang=` when it names one, else the user's saved choice, else
 * the browser's first preferred language (`navigator.languages`), else 简体中文.
 */
export function initialLocale(asked: string | null, saved: string | null, languages: readonly string[]): ConsoleLocale {
  if (isLocale(asked)) return asked;
  if (isLocale(saved)) return saved;
  const first = languages[0];
  return first === undefined ? 'zh-CN' : localeOfLanguage(first);
}

/** The saved choice, or null where storage is refused (a private window, a locked-down browser). */
export function savedLocale(storage: Pick<Storage, 'getItem'> | undefined): string | null {
  try {
    return storage?.getItem(LOCALE_KEY) ?? null;
  } catch {
    return null;
  }
}

/** Keep the user's choice for the next visit; where storage is refused, only this visit has it. */
export function saveLocale(storage: Pick<Storage, 'setItem'> | undefined, locale: ConsoleLocale): void {
  try {
    storage?.setItem(LOCALE_KEY, locale);
  } catch {
    // Nothing to do: the choice still holds until the page is closed.
  }
}
