import { insertMetrics, insertSubjects, type Executor } from '@tierkit/db';

/** Deterministic PRNG (mulberry32): the same book (and benchmark population) on every run. */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` customers of a tenant, loaded as a warehouse would at `now` (no evaluation): ids `<tenant>-0000001…` in
 * id order, a monthly average daily balance for each of `months` (spread over every card tier, a
 * month missing now and then) and an AML score for some.
 */
export async function loadBook(db: Executor, tenantId: string, n: number, months: readonly string[], now: string, seed = 7): Promise<void> {
  const r = rng(seed);
  const batch = 10_000;
  for (let from = 0; from < n; from += batch) {
    const subjects = [];
    const metrics = [];
    for (let i = from; i < Math.min(n, from + batch); i++) {
      const id = `${tenantId}-${String(i).padStart(7, '0')}`;
      subjects.push({ id, externalId: `B${String(i).padStart(7, '0')}`, kind: 'customer', displayName: '客户', attributes: {} });
      const base = Math.floor(Math.exp(r() * 12 + 6)) * 100;
      for (const period of months)
        if (r() > 0.05)
          metrics.push({
            tenant_id: tenantId,
            subject_id: id,
            metric: 'avg_daily_balance',
            period,
            value: Math.floor(base * (0.8 + r() * 0.4)),
          });
      if (r() < 0.02)
        metrics.push({
          tenant_id: tenantId,
          subject_id: id,
          metric: 'aml_customer_risk',
          period: months[months.length - 1] as string,
          value: 90,
        });
    }
    await insertSubjects(db, tenantId, subjects, now);
    await insertMetrics(db, metrics, now);
  }
}
