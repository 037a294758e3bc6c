import type { Locale, SchemeSummary, TiersResponse } from '@tierkit/core';

/*
 * The one home of level and scheme names in the widgets: every element looks a level up the same
 * way, by (scheme, level) in a map of scheme summaries, and falls back to the key — never to
 * invented wording — when the scheme is unknown.
 */

/** Level names by scheme key, as `<tk-provider>` data or the tiers response carries them. */
export type SchemeMap = Readonly<Record<string, SchemeSummary>>;

/** The scheme summaries a tiers response carries, by key — level names without another request. */
export function schemesOfTiers(tiers: TiersResponse): SchemeMap {
  return Object.fromEntries(tiers.assignments.map((a) => [a.schemeInfo.key, a.schemeInfo]));
}

/** A level's name in `locale`, or its key when the scheme is unknown. */
export function levelName(schemes: SchemeMap | undefined, scheme: string, level: string, locale: Locale): string {
  return schemes?.[scheme]?.levels.find((l) => l.key === level)?.name[locale] ?? level;
}

/** A scheme's own name in `locale`, or `fallback` (its key unless the caller has a word of its own). */
export function schemeName(schemes: SchemeMap | undefined, scheme: string, locale: Locale, fallback = scheme): string {
  return schemes?.[scheme]?.name[locale] ?? fallback;
}
