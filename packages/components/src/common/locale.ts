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

/*
 * Tags resolved so far: a page of a thousand widgets renders in one or two tags, and each render asks
 * several times, so the lookup comes before the work. A Map, not an object, so `lang="constructor"` is
 * a tag like any other; emptied at 64 so a page that sets ever new tags cannot grow it without end.
 */
const resolved = new Map<string, readonly [Locale, string]>();

/**
 * The one mapping of a tag to what a widget does with it: the locale of the words it reads — `zh-HK`,
 * `zh-Hant*` and `zh-MO` Traditional, other `zh*` Simplified, everything else (and no tag) English —
 * and the locale Intl formats its dates and numbers for: the tag itself when it is English or Chinese
 * and well formed (`en-GB` → 5 Dec 2026; `zh-HK`, `zh-SG`), else the words' locale, so a `fr` page
 * reads English words with English dates, not French ones. Never throws: a render calls it.
 */
export function resolveLocale(tag: string): readonly [Locale, string] {
  let r = resolved.get(tag);
  if (!r) {
    const words: Locale = /^zh-(tw|hk|mo|hant)/i.test(tag) ? 'zh-TW' : /^zh/i.test(tag) ? 'zh-CN' : 'en';
    let intl: string = words;
    try {
      if (/^(en|zh)\b/i.test(tag)) intl = Intl.getCanonicalLocales(tag)[0] as string;
    } catch {
      // Not a well-formed tag (`en_GB`, a subtag of 10,000 letters), which Intl throws on: the words' locale.
    }
    if (resolved.size > 63) resolved.clear();
    resolved.set(tag, (r = [words, intl]));
  }
  return r;
}

/** The locale of a tag's words (see {@link resolveLocale}); undefined for an empty tag. */
export function matchLocale(tag: string | null | undefined): Locale | undefined {
  return tag ? resolveLocale(tag)[0] : undefined;
}

/** Terms of one component in every locale; a term may be a function (plurals, interpolation). */
export type Translations<T> = Readonly<Record<Locale, T>>;
