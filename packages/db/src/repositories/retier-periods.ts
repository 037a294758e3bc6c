import type { Executor } from './executor.js';
import { latestEvaluatedPeriod } from './level-history.js';

/**
 * The month of the scheme's latest re-tier (migration 2026-12-25T00-00-20-retier-periods): one key
 * seek. A scheme with no row — its assignments written by no re-tier this release knows of (a seed or
 * a fixture writing rows as they are) — reads the latest month any of its assignments was evaluated
 * for, as releases before it did.
 */
export async function latestRetierPeriod(db: Executor, tenantId: string, scheme: string): Promise<string | undefined> {
  const kept = await db
    .selectFrom('retier_periods')
    .select('period')
    .where('tenant_id', '=', tenantId)
    .where('scheme', '=', scheme)
    .executeTakeFirst();
  if (kept !== undefined) return kept.period;
  return (await latestEvaluatedPeriod(db, tenantId, scheme)) ?? undefined;
}

/**
 * Record that the `rows` a re-tier stored evaluated their schemes at their periods: each scheme's row
 * moves to the latest of them, never back. Called where a re-tier job with no filter (a month-end job)
 * is recorded completed, in that transaction, with the schemes and month of its parameters, and by a
 * seed; never by a job still running, failed or cancelled, nor by a write or decision on some customers
 * (a metric write, an override decided, a filtered job, a policy's re-evaluation), whose months may be
 * ones the rest of the book has not reached. One statement, made once per job: it locks the schemes'
 * rows (on PostgreSQL) until its transaction ends, in scheme order, so two jobs completing at once
 * wait for each other in one order, never in a cycle.
 */
export async function markRetiered(
  db: Executor,
  tenantId: string,
  rows: Iterable<{ readonly scheme: string; readonly period: string }>,
  now: string,
): Promise<void> {
  const latest = new Map<string, string>();
  for (const r of rows) {
    const seen = latest.get(r.scheme);
    if (seen === undefined || r.period > seen) latest.set(r.scheme, r.period);
  }
  if (latest.size === 0) return;
  const ordered = [...latest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  await db
    .insertInto('retier_periods')
    .values(ordered.map(([scheme, period]) => ({ tenant_id: tenantId, scheme, period, updated_at: now })))
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'scheme'])
        .doUpdateSet((eb) => ({ period: eb.ref('excluded.period'), updated_at: eb.ref('excluded.updated_at') }))
        // A job of an earlier month completing after a later one's (a correction re-run): never back.
        .where('retier_periods.period', '<', (eb) => eb.ref('excluded.period')),
    )
    .execute();
}
