// What reading "held by an override" against the overrides costs: the migration and effect reads on
// the demo book (10,000 customers, 24 months) with 500 approved overrides whose approval set the level
// (one customer in twenty; a tenth expired, a third with a floor at the lowest level approved after
// it, so the override deciding is not the one that set the level). SQLite only; prints, never asserts.
// The book is seeded once into --db and reused, so the same file can be read by two versions of the code
// (check out the previous repository files, run again): node --import tsx
// bench/analytics/held-in-force.bench.ts --db /tmp/held.db [--rounds 9]
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { addMonths, createApiKey, createApp } from '@tierkit/api';
import { appendTierEvents, insertOverride } from '@tierkit/db';
import { openDatabase, seedDemo } from '@tierkit/server';

const END = '2025-10';
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const ROUNDS = Number(arg('--rounds', '9'));
const file = arg('--db', '');
if (file === '') throw new Error('--db FILE is required');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const fresh = !existsSync(file);
const db = await openDatabase(file);
try {
  if (fresh) {
    await seedDemo(db.db, { tenantId: 'demo', customers: 10_000, corporates: 0, products: 0, employees: 0, endPeriod: END, months: 24 });
    const subjects = await db.db.selectFrom('subjects').select('id').where('tenant_id', '=', 'demo').orderBy('id').execute();
    const chosen = subjects.filter((_, i) => i % 20 === 0).slice(0, 500);
    for (const [i, s] of chosen.entries()) {
      const period = addMonths(END, -(i % 12));
      await appendTierEvents(db.db, 'demo', [
        {
          id: randomUUID(),
          subjectId: s.id,
          scheme: 'retail-tier',
          from: null,
          to: 'gold',
          at: `${period}-20T02:00:00.000Z`,
          reason: 'override',
          ruleId: null,
          note: null,
          actor: 'bench',
          approvedBy: 'approver',
          policyVersion: 1,
          period,
        },
      ]);
      const o = { scheme: 'retail-tier', reason: 'retention', requestedBy: 'rm', approvedBy: 'approver' };
      const expires = i % 10 === 0 ? `${addMonths(period, 1)}-10T02:00:00.000Z` : null;
      await insertOverride(
        db.db,
        'demo',
        s.id,
        { ...o, id: `bench-${i}`, level: 'gold', mode: 'fixed', expiresAt: expires },
        `${period}-20T02:00:00.000Z`,
      );
      if (i % 3 === 0)
        await insertOverride(
          db.db,
          'demo',
          s.id,
          { ...o, id: `bench-${i}-floor`, level: 'standard', mode: 'floor', expiresAt: null },
          `${period}-25T02:00:00.000Z`,
        );
    }
  }
  const { secret } = await createApiKey(db.db, { tenantId: 'demo', role: 'analyst', label: 'bench' });
  const app = createApp({
    db: db.db,
    rateLimit: false,
    now: () => new Date('2025-11-15T04:00:00.000Z'),
    logError: (e) => console.error(e),
  });
  const headers = { Authorization: `Bearer ${secret}` };
  const reads: [string, string][] = [
    ['migration 2023-11 → 2025-10', `/v1/analytics/migration?scheme=retail-tier&from=${addMonths(END, -23)}&to=${END}`],
    ['migration 2025-09 → 2025-10', `/v1/analytics/migration?scheme=retail-tier&from=${addMonths(END, -1)}&to=${END}`],
    ['effect, up, 6 months', `/v1/analytics/effect?scheme=retail-tier&period=${addMonths(END, -8)}&direction=up&months=6`],
  ];
  for (const [name, path] of reads) {
    const get = async () => {
      const res = await app.request(path, { headers });
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<{ totals?: { heldByOverride: number }; cohorts?: { heldByOverride: number } }>;
    };
    const body = await get(); // warm
    const times: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = process.cpuUsage();
      await get();
      const used = process.cpuUsage(t0);
      times.push((used.user + used.system) / 1000);
    }
    const held = body.totals?.heldByOverride ?? body.cohorts?.heldByOverride;
    console.log(`  ${name.padEnd(30)} ${median(times).toFixed(1).padStart(7)} ms CPU (median of ${ROUNDS}), held ${held}`);
  }
} finally {
  await db.close();
}
