import { schemeDependencies, schemeMetrics } from '@tierkit/core';
import { monthData, type Executor, type MonthData } from '@tierkit/db';
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
  return { byMonth: [...byMonth], latest: [...latest] };
}

/**
 * The data that makes `period` loaded for `schemes` (all when none are named): data in the month for
 * a metric read by month, or — when the schemes read only latest observations — data up to it.
 * Undefined when there is none. Key lookups on metric_periods, whatever the size of the book.
 */
export async function loadedMonthData(
  db: Executor,
  tp: TenantPack,
  period: string,
  schemes?: readonly string[],
): Promise<MonthData | undefined> {
  const { byMonth, latest } = monthMetrics(tp, schemes);
  if (byMonth.length) return monthData(db, tp.tenantId, period, byMonth);
  if (latest.length) return monthData(db, tp.tenantId, period, latest, true);
  return undefined;
}
