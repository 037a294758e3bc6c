import type { SchemeSummary } from '@tierkit/core';
import type { ConsoleLocale } from './words.js';

/**
 * A catalogue name standing alone (an option, a column, a CSV cell): the catalogues write English names
 * in lower case to sit inside sentences ("band of “monthly average daily balance”"), so alone it takes a
 * capital. Chinese has no case.
 */
export function standaloneName(text: string, locale: ConsoleLocale): string {
  return locale === 'en' && text ? text[0]!.toUpperCase() + text.slice(1) : text;
}

/** A scheme's and a level's name in the reader's language, by their keys. */
export interface SchemeNames {
  /** Whether the tenant has the scheme (else its names are its keys). */
  readonly known: (key: string) => boolean;
  readonly schemeName: (key: string) => string;
  readonly levelName: (scheme: string, level: string) => string;
}

/**
 * Names of the tenant's schemes and their levels in `locale`; the key itself for a scheme the tenant
 * no longer has (a record or an override may outlive it) or a level it no longer defines.
 */
export function schemeNames(schemes: readonly SchemeSummary[], locale: ConsoleLocale): SchemeNames {
  const scheme = (key: string) => schemes.find((x) => x.key === key);
  return {
    known: (key) => scheme(key) !== undefined,
    schemeName: (key) => scheme(key)?.name[locale] ?? key,
    levelName: (key, level) => scheme(key)?.levels.find((l) => l.key === level)?.name[locale] ?? level,
  };
}
