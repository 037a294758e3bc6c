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

// Tags resolved so far: a page of a thousand widgets renders in one or two tags, and Intl's check is costly.
const resolved: Record<string, readonly [Locale, string]> = {};

/**
 * The one mapping of a tag to what a widget does with it: the locale of the words it reads — `zh-HK`,
 * `zh-Hant*` and `zh-MO` Traditional, other `zh*` Simplified, everything else (and no tag) English —
 * and the locale Intl formats its dates and numbers for: the tag itself when it is English or Chinese
 * and well formed (`en-GB` → 5 Dec 2026; `zh-HK`, `zh-SG`), else the words' locale, so a `fr` page
 * reads English words with English dates, not French ones.
 */
export function resolveLocale(tag: string): readonly [Locale, string] {
  const t = tag.toLowerCase();
  const words: Locale = t.startsWith('zh') ? (/^zh-(tw|hk|mo|hant)/.test(t) ? 'zh-TW' : 'zh-CN') : 'en';
  let intl: string = words;
  try {
    intl = /^(en|zh)\b/.test(t) ? (Intl.getCanonicalLocales(tag)[0] as string) : words;
  } catch {
    // Not a well-formed tag (`en_GB`), which Intl throws on: the words' locale.
  }
  return (resolved[tag] ??= [words, intl]);
}

/** The locale of a tag's words (see {@link resolveLocale}); undefined for an empty tag. */
export function matchLocale(tag: string | null | undefined): Locale | undefined {
  return tag ? resolveLocale(tag)[0] : undefined;
}

/** Terms of one component in every locale; a term may be a function (plurals, interpolation). */
export type Translations<T> = Readonly<Record<Locale, T>>;
