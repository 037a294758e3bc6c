import { z } from '@hono/zod-openapi';
import { LOCALES, type Locale } from '@tierkit/core';

/** `?locale=`: one language's labels instead of all three. */
export const LocaleQuery = z
  .enum(LOCALES)
  .optional()
  .openapi({
    param: { name: 'locale', in: 'query' },
    example: 'zh-CN',
    description: 'Return every label in this locale only (`{"zh-CN": "…"}`); without it, labels carry all three locales.',
  });

const LOCALE_SET: ReadonlySet<string> = new Set(LOCALES);

function isLocalizedText(value: object): value is Record<Locale, string> {
  const keys = Object.keys(value);
  return keys.length === LOCALES.length && keys.every((k) => LOCALE_SET.has(k));
}

/**
 * `value` with every localized text (an object of exactly the three locales' strings) cut down to
 * `locale`'s string, still under its locale key so a reader indexes it the same way. A new value;
 * `value` is not changed.
 */
export function localize<T>(value: T, locale: Locale): T {
  if (Array.isArray(value)) return value.map((v: unknown) => localize(v, locale)) as T;
  if (value === null || typeof value !== 'object') return value;
  if (isLocalizedText(value)) return { [locale]: value[locale] } as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = localize(v, locale);
  return out as T;
}

// A JSON string as JSON.stringify writes it, and a localized text as it writes one: its three locales'
// strings in any order, nothing else in the object.
const JSON_STRING = String.raw`"(?:[^"\\]|\\.)*"`;
const LOCALE_KEY = `"(${LOCALES.map((l) => l.replace(/[-]/g, '\\-')).join('|')})"`;
const LOCALIZED_TEXT = new RegExp(
  String.raw`\{${LOCALE_KEY}:(${JSON_STRING}),${LOCALE_KEY}:(${JSON_STRING}),${LOCALE_KEY}:(${JSON_STRING})\}`,
  'g',
);
// What is left after the cut that localize may have treated otherwise: another locale's key (an
// object the cut did not match), or a key JSON.parse would move to the front (an integer).
const LEFT_OVER: Readonly<Record<string, RegExp>> = Object.fromEntries(
  LOCALES.map((l) => [l, new RegExp(`"(?:${LOCALES.filter((o) => o !== l).join('|')})":|"\\d+":`)]),
);

/**
 * `JSON.stringify(localize(JSON.parse(text), locale))` for JSON text JSON.stringify wrote (a stored
 * explanation, progress or retention), without parsing it: each localized text is cut to `locale`'s
 * string where it stands. A front-page read in one language spent a fifth of its time parsing and
 * re-serializing those texts. Text the cut cannot vouch for — a localized text written another way,
 * an integer key — takes the long way, so the answer is always the one localize gives.
 */
export function localizeJsonText(text: string, locale: Locale): string {
  const cut = text.replace(LOCALIZED_TEXT, (whole, k1: string, v1: string, k2: string, v2: string, k3: string, v3: string) => {
    if (k1 === k2 || k1 === k3 || k2 === k3) return whole;
    return `{"${locale}":${k1 === locale ? v1 : k2 === locale ? v2 : v3}}`;
  });
  return LEFT_OVER[locale]?.test(cut) === false ? cut : JSON.stringify(localize(JSON.parse(text), locale));
}
