// What marking the scheme's latest re-tier costs (markRetiered, retier-periods.ts): since session 41
// one upsert in the transaction that records a month-end job completed (complete-job.ts), once per job
// — until then, every chunk's transaction (a read, and at the first chunk a write). 3 schemes, the row
// already at the job's month (a re-run of the month, the row not moved), against the same empty
// transaction, alternating round by round in one process so a neighbour's load falls on both alike;
// CPU by process.cpuUsage. SQLite, or PostgreSQL with TIERKIT_TEST_PG_URL. Asserts nothing.
// Run: node --import tsx bench/batch/retier-mark.bench.ts [--calls 2000] [--rounds 6]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, markRetiered, migrateToLatest } from '@tierkit/db';

const opt = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const CALLS = Number(opt('calls', '2000'));
const ROUNDS = Number(opt('rounds', '6'));
const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-retier-mark-'));
const db = connect({ url: process.env.TIERKIT_TEST_PG_URL ?? join(dir, 'bench.db') });
try {
  await migrateToLatest(db.db);
  // What a completing job passes: its schemes at its month.
  const rows = ['retail-tier', 'aml', 'credit'].map((scheme) => ({ scheme, period: '2026-11' }));
  const at = '2026-12-01T00:00:00.000Z';
  await markRetiered(db.db, 'bench', rows, at);
  const cpu = { with: 0, without: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? (['with', 'without'] as const) : (['without', 'with'] as const)) {
      const start = process.cpuUsage();
      for (let i = 0; i < CALLS; i++) {
        if (side === 'with') await db.db.transaction().execute((trx) => markRetiered(trx, 'bench', rows, at));
        else await db.db.transaction().execute(async () => undefined);
      }
      const used = process.cpuUsage(start);
      cpu[side] += used.user + used.system;
    }
  }
  const per = (side: 'with' | 'without') => cpu[side] / (CALLS * ROUNDS);
  console.log(
    `${db.dialect}: per transaction, with markRetiered ${per('with').toFixed(1)} µs, without ${per('without').toFixed(1)} µs: +${(per('with') - per('without')).toFixed(1)} µs`,
  );
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
