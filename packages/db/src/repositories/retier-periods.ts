import type { Executor } from './executor.js';

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
  const row = await db
    .selectFrom('assignments')
    .select((eb) => eb.fn.max('period').as('period'))
    .where('tenant_id', '=', tenantId)
    .where('scheme', '=', scheme)
    .executeTakeFirst();
  return row?.period ?? undefined;
}

/**
 * Record that the `rows` a re-tier stored evaluated their schemes at their periods: each scheme's row
 * moves to the latest of them, never back. Called by the writers that re-tier a month (a job's chunk,
 * a metric write, a policy's re-evaluation), in their transaction, and never by a decision on one
 * customer, whose re-evaluation may reach a month no re-tier has. One read of the tenant's few rows;
 * a write only for a scheme behind — a job's first chunk —, so the chunks after it, and parallel ones,
 * take no lock on the rows.
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
  const kept = await db
    .selectFrom('retier_periods')
    .select(['scheme', 'period'])
    .where('tenant_id', '=', tenantId)
    .where('scheme', 'in', [...latest.keys()])
    .execute();
  const at = new Map(kept.map((k) => [k.scheme, k.period]));
  const behind = [...latest].filter(([scheme, period]) => (at.get(scheme) ?? '') < period);
  if (behind.length === 0) return;
  await db
    .insertInto('retier_periods')
    .values(behind.map(([scheme, period]) => ({ tenant_id: tenantId, scheme, period, updated_at: now })))
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'scheme'])
        .doUpdateSet((eb) => ({ period: eb.ref('excluded.period'), updated_at: eb.ref('excluded.updated_at') }))
        // Another writer may have moved it further since the read: never back.
        .where('retier_periods.period', '<', (eb) => eb.ref('excluded.period')),
    )
    .execute();
}
