import type { LocalizedText } from './locale.js';

export const ENTITLEMENT_KINDS = ['feature', 'quota', 'rate', 'limit', 'restriction'] as const;
export type EntitlementKind = (typeof ENTITLEMENT_KINDS)[number];

export const QUOTA_PERIODS = ['month', 'quarter', 'year'] as const;
export type QuotaPeriod = (typeof QUOTA_PERIODS)[number];

interface EntitlementBase {
  /** Stable key; the same key from two levels is the same entitlement (the better one wins). */
  readonly key: string;
  readonly label: LocalizedText;
}
/** A service: dedicated relationship manager, priority lane, private-banking centre. */
export interface FeatureEntitlement extends EntitlementBase {
  readonly kind: 'feature';
}
/** N uses per period: six lounge visits a year. `usageMetric` names the metric that counts uses so far. */
export interface QuotaEntitlement extends EntitlementBase {
  readonly kind: 'quota';
  readonly amount: number;
  readonly period: QuotaPeriod;
  readonly usageMetric?: string;
}
/** A rate adjustment in signed basis points: +20 bp on deposits, −30 bp on loans. */
export interface RateEntitlement extends EntitlementBase {
  readonly kind: 'rate';
  readonly bp: number;
  readonly applies: 'deposit' | 'loan' | 'fee';
}
/** A limit multiplier in per-mille (1500 = 1.5×), an integer so nothing is a float. */
export interface LimitEntitlement extends EntitlementBase {
  readonly kind: 'limit';
  readonly multiplierPermille: number;
  readonly applies: string;
}
/** Something a level takes away or imposes. `blocks` lists entitlement keys it overrides. */
export interface RestrictionEntitlement extends EntitlementBase {
  readonly kind: 'restriction';
  readonly reason: LocalizedText;
  readonly blocks?: readonly string[];
}
export type EntitlementDef = FeatureEntitlement | QuotaEntitlement | RateEntitlement | LimitEntitlement | RestrictionEntitlement;

/** Which scheme level granted or blocked an entitlement. */
export interface LevelRef {
  readonly scheme: string;
  readonly level: string;
}

/** An entitlement as resolved across all of a subject's schemes. */
export interface ResolvedEntitlement {
  readonly def: EntitlementDef;
  readonly status: 'active' | 'blocked';
  readonly grantedBy: LevelRef;
  /** Set when status is `blocked`: the restriction and the level that imposed it. */
  readonly blockedBy?: LevelRef & { readonly restriction: string };
  /** For quotas: uses so far in the current period, counted up to `usedThrough`. */
  readonly used?: number;
  /**
   * With `used`: the last month of data it counts (`YYYY-MM`, the subject's latest evaluated month), so
   * it is not read as "this month" — on 6 December a monthly lounge quota shows November's visits.
   */
  readonly usedThrough?: string;
  /**
   * Set instead of `blockedBy` when the restriction comes from a scheme the reader may not see (a
   * customer blocked by an AML restriction): what to tell them — "please contact your branch" — never why.
   */
  readonly notice?: LocalizedText;
}

/** What the next level of a scheme would add or improve. */
export interface NextLevelGain {
  readonly scheme: string;
  readonly toLevel: string;
  readonly adds: readonly EntitlementDef[];
  /**
   * By entitlement key: the adds a restriction the subject holds now would block, as `blockedBy` on a
   * current entitlement. A customer never gets one from a scheme they may not see: the add is left out,
   * or gets a `notices` entry when that scheme says `customerBlocks: 'notice'`.
   */
  readonly blockedBy?: Readonly<Record<string, LevelRef & { readonly restriction: string }>>;
  /** By entitlement key, for a customer: "unavailable: please contact your branch", never why. */
  readonly notices?: Readonly<Record<string, LocalizedText>>;
}
