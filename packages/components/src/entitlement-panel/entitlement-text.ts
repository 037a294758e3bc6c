import type { EntitlementDef, LevelRef, Locale, TiersResponse } from '@tierkit/core';
import { formatBp, formatCount, formatMultiplier, formatPercentFromBp } from '../shared/format.js';
import { entitlementPanelTerms } from './entitlement-panel.terms.js';

/** The figure an entitlement carries, as text: `2 / 6 this year`, `+0.20 % / +20 bp`, `1.5×`; empty for features. */
export function entitlementValue(def: EntitlementDef, locale: Locale, used?: number): string {
  const t = entitlementPanelTerms[locale];
  switch (def.kind) {
    case 'quota': {
      const amount = formatCount(def.amount, locale);
      return used === undefined ? t.quotaPer(amount, def.period) : t.quotaUsed(formatCount(used, locale), amount, def.period);
    }
    case 'rate':
      return `${formatPercentFromBp(def.bp, locale)} / ${formatBp(def.bp)}`;
    case 'limit':
      return formatMultiplier(def.multiplierPermille, locale);
    default:
      return '';
  }
}

/**
 * A level as a customer reads it — "AML risk: Medium-high" — from the tiers response when there
 * is one, else from the keys (a controlled panel without tiers still says something true).
 */
export function levelLabel(ref: LevelRef, tiers: TiersResponse | undefined, locale: Locale): string {
  const scheme = tiers?.assignments.find((a) => a.scheme === ref.scheme)?.schemeInfo;
  const level = scheme?.levels.find((l) => l.key === ref.level);
  const schemeName = scheme?.name[locale] ?? ref.scheme;
  const levelName = level?.name[locale] ?? ref.level;
  return locale === 'en' ? `${schemeName}: ${levelName}` : `${schemeName}：${levelName}`;
}

/** Just the level's name ("白金卡"), for "升级白金卡可获得". */
export function levelName(scheme: string, level: string, tiers: TiersResponse | undefined, locale: Locale): string {
  const info = tiers?.assignments.find((a) => a.scheme === scheme)?.schemeInfo;
  return info?.levels.find((l) => l.key === level)?.name[locale] ?? level;
}
