import { schemeDependencies, schemeMetrics } from '@tierkit/core';
import { monthData, type Executor, type MonthData } from '@tierkit/db';
import { addMonths } from '../../periods.js';
import type { TenantPack } from '../tenant-pack.js';

/**
 * Which metrics say a month is loaded for some schemes (all of the pack's when none are named, with
 * the schemes derived ones read). `byMonth`: those read over a window of months (balances, AUM): the
 * month itself must have data, or a re-tier counts it as zero. `latest`: those read as the latest
 * observation however old (an AML score, a credit rating): any month up to it will do. A metric no
 * scheme reads (a quota's usage) says nothing about whether a month is loaded.
 */
export function monthMetrics(tp: TenantPack, schemes?: readonly string[]): { byMonth: string[]; latest: string[] } {
  const byMonth = new Set<string>();
  const latest = new Set<string>();
  const seen = new Set<string>();
  const visit = (key: string) => {
    const def = tp.schemes.get(key);
    if (!def || seen.has(key)) return;
    seen.add(key);
    const noWindow = new Set(tp.compiled.scheme(key)?.latestMetrics ?? []);
    for (const m of schemeMetrics(def)) (noWindow.has(m) ? latest : byMonth).add(m);
    for (const d of schemeDependencies(def)) visit(d);
  };
  for (const key of schemes ?? tp.schemes.keys()) visit(key);
  for (const m of byMonth) latest.delete(m);
  // Sorted here: SQLite and PostgreSQL collate names differently, and the lists are shown and compared.
  return { byMonth: sorted(byMonth), latest: sorted(latest) };
}

/**
 * How far `period` is loaded for some schemes (all when none are named). `required`: the by-month
 * metrics the monthly schedule waits for — those the tenant loaded (one row is enough) in each of the
 * two months before it: a feed the bank runs every month. Limits of that guess: a tenant's first two
 * months require nothing; a new feed is waited for only from its third month; a metric loaded less
 * often than monthly holds a month back only when it happened to be loaded the two months before (a
 * quarterly feed written three months at once); a feed stopped holds back the month after its last
 * two loads. `missing`: those of `required` without data in the month — or, when no by-month metric
 * has any, all of them. `data`: set when the month counts as loaded for the schedule (some data, none
 * missing). A person starting a job (`enqueueRetier` with `requireData`) is refused only a month with
 * no by-month data at all, and told `missing`. Key lookups on metric_periods; every list sorted.
 */
export interface MonthLoad {
  /** Metrics read by month (balances, AUM): a missing month counts as zero. */
  readonly byMonth: readonly string[];
  readonly required: readonly string[];
  /** Of `byMonth`, those with data in the month (for schemes reading only latest observations: up to it). */
  readonly loaded: readonly string[];
  readonly missing: readonly string[];
  readonly data: MonthData | undefined;
}

/** See {@link MonthLoad}. */
export async function monthLoad(db: Executor, tp: TenantPack, period: string, schemes?: readonly string[]): Promise<MonthLoad> {
  const { byMonth, latest } = monthMetrics(tp, schemes);
  if (!byMonth.length) {
    const data = latest.length ? await monthData(db, tp.tenantId, period, latest, true) : undefined;
    return { byMonth, required: [], loaded: sorted(data?.metrics ?? []), missing: [], data };
  }
  const data = await monthData(db, tp.tenantId, period, byMonth);
  const before = await monthData(db, tp.tenantId, addMonths(period, -1), byMonth);
  const twoBefore = await monthData(db, tp.tenantId, addMonths(period, -2), byMonth);
  const earlier = new Set(twoBefore?.metrics ?? []);
  const required = sorted((before?.metrics ?? []).filter((m) => earlier.has(m)));
  const loaded = sorted(data?.metrics ?? []);
  const has = new Set(loaded);
  const missing = data ? required.filter((m) => !has.has(m)) : byMonth;
  return { byMonth, required, loaded, missing, data: data && missing.length === 0 ? data : undefined };
}

/** Code-point order, the same whichever database listed the names. */
function sorted(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
