// Importing a 1,000,000-row metrics CSV (issue 12): `runImport`, as `tierkit import` and
// `POST /v1/imports` run it (every row checked and written in one transaction), against a raw
// baseline on the same file in the same run: csv-parse + a prepared better-sqlite3 INSERT per row in
// one transaction. Alternating rounds, medians, the ratio (wall and this process's CPU time: on a
// shared machine the wall swings with the load), and the process's peak RSS. Prints, never asserts.
// Then the same on PostgreSQL (import-postgres.ts), against csv-parse + the `pg` driver's prepared
// multi-row INSERT, with the server's CPU counted beside this process's: at 100,000 rows unless told
// `--pg-rows 1000000` (the figure; 6–8 minutes on the shared 2-core machine, too long for every
// `npm run bench`, as retier.bench.ts runs its PostgreSQL mode on a smaller book).
// Run: node --import tsx bench/batch/import.bench.ts [--rows 1000000] [--rounds 3] [--watched 1] [--sqlite 0]
//   [--postgres 0] [--pg-rows 100000] [--raw values|unnest|both] [--raw-batch 2000] [--again 0] [--statements 1]
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { provisionTenant } from '@tierkit/api';
import { connect, insertSubjects, migrateToLatest } from '@tierkit/db';
import SQLite from 'better-sqlite3';
import { parse } from 'csv-parse';
import { postgresFigures, RAW_FORMS } from './import-postgres.js';
import { benchSubjects, importMetricsFile, median, MONTHS, subjectsOf, writeMetricsFile } from './metrics-file.js';

/** `--rows N` (a multiple of 10) for a quicker look or a profile; the figure is at 1,000,000. */
function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const ROWS = arg('rows', 1_000_000);
const SUBJECTS = subjectsOf(ROWS);
const ROUNDS = arg('rounds', 3);
/**
 * `--watched 1`: a third arm, runImport told the balance feeds a scheme with sign-off levels, so it
 * counts the values it replaces and records its importer per value it writes (metrics.written_by)
 * for every row — the worst case of a file of risk inputs only, against the same import without.
 */
const WATCHED = arg('watched', 0) === 1;
const TENANT = 'bench';
/** `--sqlite 0` / `--postgres 0`: one dialect only. */
const SQLITE = arg('sqlite', 1) === 1;
const POSTGRES = arg('postgres', 1) === 1;
/** `--raw values|unnest|both`: the PostgreSQL baseline's form (both: two arms, the faster is the baseline). */
const rawOption = process.argv[process.argv.indexOf('--raw') + 1];
const RAWS = process.argv.includes('--raw') ? RAW_FORMS.filter((f) => rawOption === 'both' || f === rawOption) : (['unnest'] as const);
if (!RAWS.length) throw new Error(`--raw ${rawOption}: values, unnest or both`);

async function sqliteFigures(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tierkit-import-bench-'));
  const dbFile = join(dir, 'bench.db');
  const csvFile = join(dir, 'metrics.csv');
  const db = connect({ url: dbFile });
  await migrateToLatest(db.db);
  await provisionTenant(db.db, { id: TENANT, name: 'Bench Bank' });
  await insertSubjects(db.db, TENANT, benchSubjects(ROWS), new Date().toISOString());
  await writeMetricsFile(csvFile, ROWS);
  const mb = statSync(csvFile).size / 1024 / 1024;
  console.log(
    `${ROWS.toLocaleString('en')} metric rows (${mb.toFixed(1)} MB, ${SUBJECTS.toLocaleString('en')} subjects × ${MONTHS.length} months), SQLite, ${ROUNDS} alternating rounds`,
  );

  const raw = new SQLite(dbFile);
  raw.pragma('journal_mode = WAL');
  const clear = () => {
    raw.prepare('DELETE FROM metrics').run();
  };

  /** The baseline: parse, turn yuan into fen, find the subject, one prepared INSERT per row, one transaction. */
  async function rawImport(): Promise<number> {
    const ids = new Map<string, string>();
    for (const r of raw.prepare('SELECT id, external_id FROM subjects WHERE tenant_id = ?').iterate(TENANT) as Iterable<{
      id: string;
      external_id: string;
    }>)
      ids.set(r.external_id, r.id);
    const insert = raw.prepare('INSERT INTO metrics (tenant_id, subject_id, metric, period, value) VALUES (?, ?, ?, ?, ?)');
    let n = 0;
    raw.exec('BEGIN');
    let header = true;
    for await (const rec of createReadStream(csvFile).pipe(parse()) as AsyncIterable<string[]>) {
      if (header) {
        header = false;
        continue;
      }
      const [subject = '', metric = '', period = '', value = ''] = rec;
      insert.run(TENANT, ids.get(subject), metric, period, Math.round(Number(value) * 100));
      n++;
    }
    raw.exec('COMMIT');
    return n;
  }

  const tierkitImport = (watched = false) => importMetricsFile(db.db, TENANT, csvFile, ROWS, watched);

  /** CPU time of this process (user + system) in ms: SQLite runs on the main thread, so it is counted too. */
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const cpu = { raw: [] as number[], tierkit: [] as number[], watched: [] as number[] };

  async function timed(f: () => Promise<number>, which: keyof typeof cpu): Promise<number> {
    clear();
    const start = performance.now();
    const c = cpuMs();
    const n = await f();
    const ms = performance.now() - start;
    cpu[which].push(cpuMs() - c);
    if (n !== ROWS) throw new Error(`${n} rows`);
    return ms;
  }

  const times = { raw: [] as number[], tierkit: [] as number[], watched: [] as number[] };
  const arms = { raw: rawImport, tierkit: () => tierkitImport(), watched: () => tierkitImport(true) };
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate which goes first, so neither always gets the warmer cache.
    const both = round % 2 ? (['raw', 'tierkit'] as const) : (['tierkit', 'raw'] as const);
    const order = WATCHED ? (round % 2 ? ([...both, 'watched'] as const) : (['watched', ...both] as const)) : both;
    for (const which of order) times[which].push(await timed(arms[which], which));
    const [r, t] = [times.raw.at(-1) ?? 0, times.tierkit.at(-1) ?? 0];
    const [rc, tc] = [cpu.raw.at(-1) ?? 0, cpu.tierkit.at(-1) ?? 0];
    console.log(
      `  round ${round}: raw ${(r / 1000).toFixed(2)} s, runImport ${(t / 1000).toFixed(2)} s, ${(t / r).toFixed(2)}×; CPU raw ${(rc / 1000).toFixed(2)} s, runImport ${(tc / 1000).toFixed(2)} s, ${(tc / rc).toFixed(2)}×${
        WATCHED
          ? `; watched ${((times.watched.at(-1) ?? 0) / 1000).toFixed(2)} s, CPU ${((cpu.watched.at(-1) ?? 0) / 1000).toFixed(2)} s, ${((cpu.watched.at(-1) ?? 0) / rc).toFixed(2)}× raw`
          : ''
      }`,
    );
  }
  const [r, t] = [median(times.raw), median(times.tierkit)];
  const rate = (ms: number) => `${Math.round(ROWS / (ms / 1000)).toLocaleString('en')} rows/s`;
  console.log(`  raw csv-parse + prepared INSERT (baseline)   ${(r / 1000).toFixed(2)} s  ${rate(r)}`);
  console.log(
    `  runImport (checked and written, one pass)    ${(t / 1000).toFixed(2)} s  ${rate(t)}  ${(t / r).toFixed(2)}× raw (target ≤ 3.00: ${t / r <= 3 ? 'met' : 'MISSED'})`,
  );
  const [rc, tc] = [median(cpu.raw), median(cpu.tierkit)];
  console.log(`  CPU time: raw ${(rc / 1000).toFixed(2)} s, runImport ${(tc / 1000).toFixed(2)} s, ${(tc / rc).toFixed(2)}× raw (medians)`);
  // The second identical import writes nothing: every row is compared with what is stored.
  const again = performance.now();
  const againCpu = cpuMs();
  await tierkitImport().catch(() => 0);
  console.log(
    `  the same file again (changes nothing)        ${((performance.now() - again) / 1000).toFixed(2)} s, CPU ${((cpuMs() - againCpu) / 1000).toFixed(2)} s`,
  );
  console.log(`peak RSS of this process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (file ${mb.toFixed(0)} MB)`);
  raw.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  if (WATCHED) {
    const [w, wc] = [median(times.watched), median(cpu.watched)];
    console.log(
      `  runImport, every row a risk input (--watched)  ${(w / 1000).toFixed(2)} s  ${rate(w)}  ${(w / r).toFixed(2)}× raw wall; CPU ${(wc / 1000).toFixed(2)} s, ${(wc / rc).toFixed(2)}× raw, ${(wc / tc).toFixed(2)}× runImport unwatched (medians)`,
    );
  }
}

if (SQLITE) await sqliteFigures();
if (POSTGRES)
  await postgresFigures({
    rows: arg('pg-rows', 100_000),
    rounds: ROUNDS,
    raws: RAWS,
    rawBatch: arg('raw-batch', 2000),
    again: arg('again', 1) === 1,
    statements: arg('statements', 0) === 1,
  });
