import { quotaUsageKey, resolveEntitlements, type AudienceView, type EntitlementsResponse, type QuotaPeriod } from '@tierkit/core';
import { findPendingLevelApproval, listCurrentLevels, sumMetricWindows, type Executor, type MetricWindow, type Subject } from '@tierkit/db';
import { addMonths } from '../periods.js';
import type { TenantPack } from './tenant-pack.js';
import { subjectRef } from './views.js';

/** First month of the quota period that contains `asOf`. */
function quotaStart(asOf: string, period: QuotaPeriod): string {
  const month = Number(asOf.slice(5, 7));
  if (period === 'month') return asOf;
  if (period === 'quarter') return addMonths(asOf, -((month - 1) % 3));
  return `${asOf.slice(0, 4)}-01`;
}

/**
 * A level waiting for its sign-off whose policy says `whilePending: 'previous'` entitles what the
 * level before it did (packages/core/README.md, "Four eyes"); `apply`, the default, changes nothing.
 */
async function applyWhilePending(
  db: Executor,
  tp: TenantPack,
  subject: Subject,
  scheme: string,
  level: string,
  levels: Record<string, string>,
) {
  const def = tp.schemes.get(scheme)?.levels.find((l) => l.key === level);
  if (def?.whilePending !== 'previous') return;
  const pending = await findPendingLevelApproval(db, tp.tenantId, subject.id, scheme);
  if (pending?.level !== level) return;
  if (pending.fromLevel === null) delete levels[scheme];
  else levels[scheme] = pending.fromLevel;
}

/**
 * `GET /v1/subjects/{id}/entitlements`: the engine resolves entitlements over the subject's current
 * levels; quota usage is the sum of each quota's usage metric over its current period (month,
 * quarter or year up to the subject's latest evaluated month, said as `usedThrough`). Resolved over every scheme (a staff
 * restriction still blocks), then cut to what `audience` may see.
 */
export async function entitlementsView(
  db: Executor,
  tp: TenantPack,
  audience: AudienceView,
  subject: Subject,
  unmask: boolean,
): Promise<EntitlementsResponse> {
  const stored = await listCurrentLevels(db, tp.tenantId, subject.id);
  const levels: Record<string, string> = {};
  let asOf = '';
  for (const a of stored) {
    if (!tp.schemes.has(a.scheme)) continue;
    levels[a.scheme] = a.level;
    if (a.period > asOf) asOf = a.period;
    if (a.approvalRequired) await applyWhilePending(db, tp, subject, a.scheme, a.level, levels);
  }
  let usage: Record<string, number> = {};
  if (asOf) {
    // Keyed by metric and period: a monthly and a yearly quota may count the same metric.
    const windows = new Map<string, MetricWindow>();
    for (const def of tp.pack.schemes) {
      for (const list of Object.values(def.entitlements ?? {})) {
        for (const e of list) {
          if (e.kind !== 'quota' || !e.usageMetric) continue;
          const key = quotaUsageKey(e.usageMetric, e.period);
          if (!windows.has(key)) windows.set(key, { key, metric: e.usageMetric, from: quotaStart(asOf, e.period) });
        }
      }
    }
    usage = await sumMetricWindows(db, tp.tenantId, subject.id, [...windows.values()], asOf);
  }
  const resolved = audience.entitlements(resolveEntitlements(tp.pack, levels, usage));
  // Which month the uses are counted to: the panel said "1 / 1 this month" on 6 December of a visit in
  // November's data, December having none yet.
  const entitlements = resolved.entitlements.map((e) => (e.used === undefined || !asOf ? e : { ...e, usedThrough: asOf }));
  return { subject: subjectRef(subject, unmask), entitlements, next: resolved.next };
}
