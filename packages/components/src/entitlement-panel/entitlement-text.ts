import type { EntitlementDef, LevelRef, Locale } from '@tierkit/core';
import { formatPeriod } from '@tierkit/core/period';
import { levelName, schemeName, type SchemeMap } from '../common/level-names.js';
import { formatCount, formatMultiplier, formatPercentFromBp } from '../common/format.js';
import type { EntitlementPanelTerms } from './entitlement-panel.terms.js';

/**
 * The figure an entitlement carries, as text: `2 / 6 per year, to November 2025`, `+0.20%`,
 * `1.5倍` / `1.5×`; empty for features. `t`: the panel's words (a bank's own over them); `lang`: the tag
 * Intl formats numbers and months for (`en-GB`). `through`: the last month of data the uses count (`usedThrough`) — never
 * "this month", which it need not be.
 */
export function entitlementValue(def: EntitlementDef, t: EntitlementPanelTerms, lang: string, used?: number, through?: string): string {
  switch (def.kind) {
    case 'quota': {
      const amount = formatCount(def.amount, lang);
      return used === undefined
        ? t.quotaPer(amount, def.period)
        : t.quotaUsed(formatCount(used, lang), amount, def.period, through && formatPeriod(through, lang));
    }
    case 'rate':
      return formatPercentFromBp(def.bp, lang);
    case 'limit':
      return formatMultiplier(def.multiplierPermille, lang);
    default:
      return '';
  }
}

/**
 * A level as a customer reads it — "AML risk: Medium-high" — from the schemes of the tiers response
 * when there is one, else from the keys (a controlled panel without tiers still says something true).
 */
export function levelLabel(ref: LevelRef, schemes: SchemeMap | undefined, locale: Locale): string {
  const scheme = schemeName(schemes, ref.scheme, locale);
  const level = levelName(schemes, ref.scheme, ref.level, locale);
  return locale === 'en' ? `${scheme}: ${level}` : `${scheme}：${level}`;
}
