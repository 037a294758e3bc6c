import type { Locale } from '@tierkit/core';

/** Supported locales; duplicated from core as a 3-item constant so the bundle needs no core runtime. */
export const SUPPORTED_LOCALES: readonly Locale[] = ['zh-CN', 'zh-TW', 'en'];

/**
 * What a provider's `locale` takes: a supported locale, or a regional tag the widgets read as one of
 * them (`matchLocale`: `zh-HK`, `zh-MO`, `zh-Hant-*` Traditional; `zh-SG`, `zh-Hans-*` Simplified;
 * `en-GB` English). Another language (`fr`) would silently read English, so the type refuses it; a tag
 * known only at run time (`navigator.language`, a `string`) is passed `as LocaleTag` (README, "Attributes").
 */
export type LocaleTag = Locale | `zh-${string}` | `en-${string}`;

/**
 * Maps any BCP 47 tag to a supported locale: `zh-HK`, `zh-Hant*` and `zh-MO` read Traditional,
 * other `zh*` Simplified, everything else English. Returns undefined for an empty tag.
 */
export function matchLocale(tag: string | null | undefined): Locale | undefined {
  if (!tag) return undefined;
  const t = tag.toLowerCase();
  if (t.startsWith('zh')) {
    return /^zh-(tw|hk|mo|hant)/.test(t) ? 'zh-TW' : 'zh-CN';
  }
  return 'en';
}

/** Terms of one component in every locale; a term may be a function (plurals, interpolation). */
export type Translations<T> = Readonly<Record<Locale, T>>;
