// What leaving closed customers out costs the portfolio matrix (migration
// 2026-12-11T00-00-04-subject-closing): the GROUP BY over two schemes' assignments now leaves out the
// subjects with `closed_at` set by `NOT IN` over the few closed ones (read from their partial index),
// not by joining every row to its subject. One SQLite book of N customers (1 % closed), the
// matrix counted the old way (no join) and the new way (`countLevelPairs`), alternating round by
// round; this process's CPU time per side is summed, so other load on the machine stretches both
// sides alike. Asserts nothing but that the new count is the old one less the closed customers.
// Run: node --import tsx bench/api/matrix-closed.bench.ts [--subjects 100000] [--rounds 10]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { connect, countLevelPairs, insertSubjects, insertTenant, migrateToLatest, type Db, type Executor } from '@tierkit/db';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('subjects', 100_000);
const ROUNDS = arg('rounds', 10);
const TENANT = 'bench';
const AT = '2025-11-15T04:00:00.000Z';
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The matrix as it was counted before closing existed: assignments only. */
async function oldCount(db: Executor, rowScheme: string, colScheme: string) {
  const rows = await db
    .selectFrom('assignments as r')
    .innerJoin('assignments as c', (j) => j.onRef('c.subject_id', '=', 'r.subject_id').on('c.scheme', '=', colScheme))
    .where('r.tenant_id', '=', TENANT)
    .where('c.tenant_id', '=', TENANT)
    .where('r.scheme', '=', rowScheme)
    .select((eb) => ['r.level as row', 'c.level as col', eb.fn.countAll<number>().as('count')])
    .groupBy(['r.level', 'c.level'])
    .execute();
  return rows.reduce((n, r) => n + Number(r.count), 0);
}

async function seed(db: Db): Promise<void> {
  await insertTenant(db.db, { id: TENANT, name: TENANT, metrics: [], now: AT });
  const ids = Array.from({ length: N }, (_, i) => `s${String(i).padStart(9, '0')}`);
  await db.db.transaction().execute(async (trx) => {
    await insertSubjects(
      trx,
      TENANT,
      ids.map((id) => ({ id, externalId: id.toUpperCase(), kind: 'customer', displayName: '测试', attributes: {} })),
      AT,
    );
    // Two schemes per subject, as the matrix reads them; the columns the count does not read stay small.
    for (let i = 0; i < N; i += 500) {
      const batch = ids.slice(i, i + 500);
      await sql`INSERT INTO assignments (tenant_id, subject_id, scheme, level, rank, periods_below, base_level, base_periods_below,
          previous_level, explanation, progress, retention, approval_required, policy_version, period, evaluated_at)
        VALUES ${sql.join(
          batch.flatMap((id, j) => [
            sql`(${TENANT}, ${id}, 'aml', ${(i + j) % 7 === 0 ? 'high' : 'low'}, 0, 0, NULL, 0, NULL, '{}', NULL, NULL, 0, 1, '2025-10', ${AT})`,
            sql`(${TENANT}, ${id}, 'retail-tier', ${['standard', 'gold', 'platinum', 'diamond'][(i + j) % 4]}, 0, 0, NULL, 0, NULL, '{}', NULL, NULL, 0, 1, '2025-10', ${AT})`,
          ]),
        )}`.execute(trx);
    }
    await sql`UPDATE subjects SET closed_at = ${AT}, closed_reason = 'bench' WHERE tenant_id = ${TENANT} AND id LIKE '%00'`.execute(trx);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'tierkit-matrix-closed-'));
const db = connect({ url: join(dir, 'bench.db') });
try {
  await migrateToLatest(db.db);
  await seed(db);
  const before = await oldCount(db.db, 'aml', 'retail-tier');
  const now = (await countLevelPairs(db.db, TENANT, 'aml', 'retail-tier')).reduce((n, c) => n + c.count, 0);
  if (before !== N || now !== N - N / 100) throw new Error(`counts: old ${before}, new ${now} of ${N}`);
  let oldMs = 0;
  let newMs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which side goes first, so neither always finds the page cache warmed by the other.
    const sides = round % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const);
    for (const side of sides) {
      const t = cpuMs();
      if (side === 'old') await oldCount(db.db, 'aml', 'retail-tier');
      else await countLevelPairs(db.db, TENANT, 'aml', 'retail-tier');
      const spent = cpuMs() - t;
      if (side === 'old') oldMs += spent;
      else newMs += spent;
    }
  }
  console.log(
    `matrix of ${N.toLocaleString('en')} customers (1 % closed), ${ROUNDS} rounds, CPU per count: ` +
      `old ${(oldMs / ROUNDS).toFixed(1)} ms, new ${(newMs / ROUNDS).toFixed(1)} ms — new/old ${(newMs / oldMs).toFixed(2)}×`,
  );
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
