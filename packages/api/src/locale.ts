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
