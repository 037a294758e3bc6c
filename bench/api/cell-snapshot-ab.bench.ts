// CPU per call of listSubjects for matrix cells on PostgreSQL, two checkouts' subject-list code in one
// process, alternating round by round over one database: the book of matrix-book.ts (high × high empty),
// then high-risk customers moved into high × high, spread through the id order, to make the cell nearly
// empty (20), sparse (10,000) and past the id join's bound (60,000); and a common cell (low × low).
// CPU is this process's plus the cluster's processes' (10 ms ticks), as matrix-cell.bench.ts counts it.
// Asserts nothing. Each side's packages/db/src is imported from its root: put main's beside this one with
//   mkdir .ab-main && git archive main packages/db/src | tar -x -C .ab-main
// (inside the checkout, so its imports resolve to this node_modules), then
// Run: node --import tsx bench/api/cell-snapshot-ab.bench.ts --a .ab-main --b . [--c OTHER] [--customers 1000000] [--calls 3] [--rounds 6]
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { connect, migrateToLatest } from '@tierkit/db';
import { provisionTenant } from '@tierkit/api';
import { startPostgres } from '../../tests/support/postgres.js';
import { postmasterPid, treeCpu } from '../batch/proc-cpu.js';
import { writeMatrixBookPostgres } from './matrix-book.js';

const opt = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
};
const CUSTOMERS = Number(opt('customers', '1000000'));
const CALLS = Number(opt('calls', '3'));
const ROUNDS = Number(opt('rounds', '6'));

type List = typeof import('@tierkit/db').listSubjects;
const sides: { name: string; list: List }[] = [];
for (const name of ['a', 'b', 'c']) {
  if (name === 'c' && !process.argv.includes('--c')) continue;
  const root = resolve(opt(name));
  const dbm = (await import(pathToFileURL(join(root, 'packages/db/src/index.ts')).href)) as typeof import('@tierkit/db');
  sides.push({ name: `${name} (${root})`, list: dbm.listSubjects });
}

const server = await startPostgres();
try {
  const url = await server.createDatabase('tierkit_cell_snapshot');
  const db = connect({ url, statementTimeoutMs: 0 });
  await migrateToLatest(db.db);
  let t = Date.now();
  await provisionTenant(db.db, { id: 'demo', name: 'Demo Bank' });
  await writeMatrixBookPostgres(db, 'demo', CUSTOMERS);
  console.log(`${CUSTOMERS.toLocaleString('en')} customers in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  const postmaster = postmasterPid(server.dataDir);
  /** High-risk customers moved into value high, `|n|` of them in a stride through the id order; n < 0: none of the first 10,000. */
  const fill = async (n: number) => {
    await sql`UPDATE assignments a SET level = 'high' FROM (
        SELECT subject_id, row_number() OVER (ORDER BY subject_id) AS k, count(*) OVER () AS c
        FROM assignments WHERE tenant_id = 'demo' AND scheme = 'risk-band' AND level = 'high') h
      WHERE a.tenant_id = 'demo' AND a.scheme = 'value-band' AND a.subject_id = h.subject_id
        AND h.k % (h.c / ${Math.abs(n)}) = 0 AND h.k / (h.c / ${Math.abs(n)}) <= ${Math.abs(n)}
        AND (${n} > 0 OR a.subject_id >= 'S0010000')`.execute(db.db);
    await sql`VACUUM ANALYZE assignments`.execute(db.db);
  };
  const cell = (risk: string, value: string) => ({
    levels: [
      { scheme: 'risk-band', level: risk },
      { scheme: 'value-band', level: value },
    ],
    limit: 51,
    closed: 'exclude' as const,
  });
  const cases: [string, number | undefined, ReturnType<typeof cell>][] = [
    ['nearly empty (20)', 20, cell('high', 'high')],
    ['sparse (10,000 spread)', 10_000, cell('high', 'high')],
    // Spread past the walk's first 2,040 subjects only: spread evenly, 60,000 of a million give the walk a page.
    ['past the id bound (60,000, none in the walk)', -60_000, cell('high', 'high')],
    ['common (low × low)', undefined, cell('low', 'low')],
  ];
  for (const [label, n, query] of cases) {
    if (n !== undefined) await fill(n);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM assignments a JOIN assignments b
      ON b.subject_id = a.subject_id AND b.tenant_id = a.tenant_id AND b.scheme = 'value-band'
      WHERE a.tenant_id = 'demo' AND a.scheme = 'risk-band' AND a.level = ${query.levels[0]?.level} AND b.level = ${query.levels[1]?.level}`.execute(
      db.db,
    );
    const cpu = new Map<string, number[]>();
    const wall = new Map<string, number[]>();
    const pages = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of [...sides.slice(round % sides.length), ...sides.slice(0, round % sides.length)]) {
        const cluster = treeCpu(postmaster);
        const start = process.cpuUsage();
        t = performance.now();
        for (let i = 0; i < CALLS; i++) pages.add(JSON.stringify((await side.list(db.db, 'demo', query)).map((s) => s.id)));
        const used = process.cpuUsage(start);
        const ms = (used.user + used.system + (treeCpu(postmaster) - cluster) * 1e6) / CALLS / 1000;
        if (round === 0) continue; // warm-up
        cpu.set(side.name, [...(cpu.get(side.name) ?? []), ms]);
        wall.set(side.name, [...(wall.get(side.name) ?? []), (performance.now() - t) / CALLS]);
      }
    }
    const med = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)] as number;
    console.log(`\n${label}: ${rows[0]?.n} matches, ${pages.size === 1 ? 'same page both sides' : 'PAGES DIFFER'}`);
    for (const side of sides) {
      const c = cpu.get(side.name) ?? [];
      console.log(
        `  ${side.name}: CPU ${med(c).toFixed(1)} ms/call (${Math.min(...c).toFixed(1)}–${Math.max(...c).toFixed(1)}), wall ${med(wall.get(side.name) ?? []).toFixed(0)} ms`,
      );
    }
  }
  await db.close();
} finally {
  await server.stop();
}
