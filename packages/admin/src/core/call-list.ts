import type { ListedSubject, SubjectQuery } from '@tierkit/client';
import type { Locale, ProgressPath, SchemeSummary } from '@tierkit/core';
import { formatGap } from '@tierkit/core/format';
import { nextMoneyGap } from '@tierkit/core/wire';

/**
 * A relationship manager's ready-made lists over one scheme (`GET /v1/subjects?change=` / `?grace=` /
 * `?nearNext=`, packages/api/README.md, "Staff and books"): who moved down, up or either way at its
 * latest re-tier, who is in a grace period, and 潜力客户 — who is within an amount of the next level.
 */
export const CALL_LISTS = ['down', 'up', 'any', 'grace', 'near'] as const;
export type CallList = (typeof CALL_LISTS)[number];

/** How a call list is asked for beyond its name: the 潜力客户 bound, the grace list's order. */
export interface CallListOptions {
  /** 潜力客户: within this many minor units of `currency` of the next level. */
  readonly near?: { readonly within: number; readonly currency: string };
  /** The grace list by periods left, fewest first, instead of by id. */
  readonly byMonthsLeft?: boolean;
}

/**
 * The filter fields of a call list over `scheme`; none for no list. 潜力客户 is nearest first, and
 * needs its bound (without one it is no list).
 */
export function callListFilter(
  list: CallList | undefined,
  scheme: string,
  options: CallListOptions = {},
): Pick<SubjectQuery, 'scheme' | 'change' | 'grace' | 'nearNext' | 'currency' | 'sort'> {
  if (list === undefined) return {};
  if (list === 'near') return options.near ? { scheme, nearNext: options.near.within, currency: options.near.currency, sort: 'gap' } : {};
  if (list === 'grace') return options.byMonthsLeft ? { scheme, grace: true, sort: 'monthsLeft' } : { scheme, grace: true };
  return { scheme, change: list };
}

/** The call list a filter is, if any. */
export function callListOf(filter: SubjectQuery): CallList | undefined {
  return filter.nearNext !== undefined ? 'near' : filter.grace ? 'grace' : filter.change;
}

/** One customer of a list, with where they stand in the scheme, as an RM reads it (and a CSV carries it). */
export interface CallListRow {
  readonly id: string;
  readonly name: string;
  readonly level: string | null;
  readonly levelName: string;
  /** The level before the latest re-tier, by name (null: none, or not read). */
  readonly fromName: string | null;
  /**
   * Why the current level: on a level the rules lowered, the criteria of the level lost (what the
   * customer was told, not the rule the lower level met); else the rule, band or override that decided.
   */
  readonly decidedBy: string;
  readonly period: string | null;
  /** Grace periods used and allowed (null: not below the level's line). */
  readonly periodsBelow: number | null;
  readonly periodsAllowed: number | null;
  /** How much more keeps the level (the nearest of its lines), money in whole yuan rounded up. */
  readonly keepGap: string | null;
  /** How much more reaches the next level (the nearest way), money in whole yuan rounded up. */
  readonly nextGap: string | null;
  /** The smallest money gap to the next level: what the 潜力客户 list is within and sorted by. */
  readonly moneyGap: string | null;
}

/*
 * Gaps in whole yuan, rounded up (core's formatGap): an RM calls the customer with this figure, and the
 * customer's badge says the same one; ¥46,631.31 on the list against ¥46,632 in the app would be two
 * answers to one question. Nobody reconciles a gap (it is required − current); the exact figures stay
 * in the API's `standing` and in the customer page's inputs.
 */
const gap = (p: ProgressPath | undefined, locale: Locale) => (p ? formatGap(p.gap, p.unit, p.currency, locale) : null);

const money = (p: Parameters<typeof nextMoneyGap>[0], locale: Locale) => {
  const g = nextMoneyGap(p);
  return g ? formatGap(g.gap, 'money', g.currency, locale) : null;
};

/** The rows of a listed page read with `levelOf` = `scheme`. */
export function callListRows(items: readonly ListedSubject[], scheme: SchemeSummary, locale: Locale): CallListRow[] {
  const name = (level: string | null | undefined) =>
    level == null ? '—' : (scheme.levels.find((l) => l.key === level)?.name[locale] ?? level);
  return items.map((s) => {
    const st = s.standing ?? null;
    const r = st?.retention ?? null;
    // Any one line keeps the level: the one it is nearest, relative to its line, is the one to call about.
    const nearestLine = r?.lines.reduce<ProgressPath | undefined>(
      (best, l) => (best === undefined || l.gap / Math.max(1, l.required) < best.gap / Math.max(1, best.required) ? l : best),
      undefined,
    );
    const p = st?.progress ?? null;
    return {
      id: s.id,
      name: s.displayName,
      level: s.level ?? null,
      levelName: name(s.level),
      fromName: st?.previousLevel ? name(st.previousLevel) : null,
      decidedBy: st ? (st.because?.text[locale] ?? st.decidedBy.label[locale] ?? st.decidedBy.id) : '',
      period: st?.period ?? null,
      periodsBelow: r && r.periodsBelow > 0 ? r.periodsBelow : null,
      periodsAllowed: r && r.periodsBelow > 0 ? r.periodsAllowed : null,
      keepGap: r && r.periodsBelow > 0 ? gap(nearestLine, locale) : null,
      nextGap: p ? gap(p.paths[p.nearest], locale) : null,
      moneyGap: money(p, locale),
    };
  });
}
