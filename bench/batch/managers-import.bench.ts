// Importing a 1,000,000-row managers CSV (which RM's book each customer is in): `runImport`, as
// `tierkit import` and `POST /v1/imports` run it (every row checked, every customer's book row locked
// and moved in ascending subject id, every move audited as the CLI audits it, one transaction), against a raw baseline on the same file in the
// same run: csv-parse + a prepared better-sqlite3 upsert into subject_managers per row, one transaction.
// Each round starts from empty books, so every row is a first assignment (a move). Alternating rounds,
// medians of CPU time and wall time, the ratio. `--only audit`: the import audited (as the CLI) against
// the same import with no audit context (no move staged for a record, no record), alternating. Peak RSS is the process's: run `--only tierkit` and
// `--only raw` in their own processes to read each one's. Prints, never asserts.
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cliAction, loadTenantPack, provisionTenant, runImport } from '@tierkit/api';
import { connect, insertSubjects, migrateToLatest, upsertStaff } from '@tierkit/db';
import SQLite from 'better-sqlite3';
import { parse } from 'csv-parse';
import { writeCsvFile } from './csv-file.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const ROWS = Number(arg('rows', '1000000'));
const ROUNDS = Number(arg('rounds', '3'));
const ONLY = arg('only', 'both') as 'both' | 'raw' | 'tierkit' | 'audit';
/** `--again no`: skip the re-run of the same file, so that the peak RSS printed is the first import's. */
const AGAIN = arg('again', 'yes') !== 'no';
const STAFF = 200;
const TENANT = 'bench';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-managers-bench-'));
const dbFile = join(dir, 'bench.db');
const csvFile = join(dir, 'managers.csv');
const externalId = (i: number) => `C${String(i).padStart(7, '0')}`;
const staffId = (i: number) => `RM${String(i).padStart(3, '0')}`;

/** One row per customer, in a shuffled order (an export sorted by branch, not by id); every 20th out of every book. */
function* managerLines(): Generator<string> {
  // A full-period LCG over ROWS (a multiple of 20; a − 1 divisible by 4 and 5, c prime to ROWS): every customer once, scrambled.
  let i = 0;
  for (let r = 0; r < ROWS; r++) {
    i = (i * 1_664_521 + 1_013_904_223) % ROWS;
    yield `${externalId(i)},${i % 20 === 0 ? '' : staffId(i % STAFF)}`;
  }
}
const writeCsv = () => writeCsvFile(csvFile, 'subject,manager', managerLines());

const db = connect({ url: dbFile });
await migrateToLatest(db.db);
await provisionTenant(db.db, { id: TENANT, name: 'Bench Bank' });
const now = new Date().toISOString();
for (let s = 0; s < STAFF; s++) await upsertStaff(db.db, TENANT, { id: staffId(s), name: staffId(s), role: 'viewer', scope: 'book' }, now);
for (let from = 0; from < ROWS; from += 10_000) {
  const subjects = [];
  for (let i = from; i < Math.min(ROWS, from + 10_000); i++)
    subjects.push({
      id: `s${String(i).padStart(7, '0')}`,
      externalId: externalId(i),
      kind: 'customer',
      displayName: '客户',
      attributes: {},
    });
  await insertSubjects(db.db, TENANT, subjects, now);
}
await writeCsv();
const mb = statSync(csvFile).size / 1024 / 1024;
console.log(
  `${ROWS.toLocaleString('en')} managers rows (${mb.toFixed(1)} MB, ${STAFF} RMs, 1 in 20 in no book), SQLite, ${ROUNDS} alternating rounds`,
);

console.log(`  after setup: peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
const raw = new SQLite(dbFile);
raw.pragma('journal_mode = WAL');
const clear = () => {
  raw.prepare('DELETE FROM book_moves').run();
  raw.prepare('DELETE FROM subject_managers').run();
};

/** The baseline: parse, find the subject, one prepared upsert (or delete) per row, one transaction. */
async function rawImport(): Promise<number> {
  const ids = new Map<string, string>();
  for (const r of raw.prepare('SELECT id, external_id FROM subjects WHERE tenant_id = ?').iterate(TENANT) as Iterable<{
    id: string;
    external_id: string;
  }>)
    ids.set(r.external_id, r.id);
  const upsert = raw.prepare(
    'INSERT INTO subject_managers (tenant_id, subject_id, staff_id, assigned_at, assigned_by) VALUES (?, ?, ?, ?, ?) ' +
      'ON CONFLICT (tenant_id, subject_id) DO UPDATE SET staff_id = excluded.staff_id, assigned_at = excluded.assigned_at',
  );
  const remove = raw.prepare('DELETE FROM subject_managers WHERE tenant_id = ? AND subject_id = ?');
  const at = new Date().toISOString();
  let n = 0;
  raw.exec('BEGIN');
  let header = true;
  for await (const rec of createReadStream(csvFile).pipe(parse()) as AsyncIterable<string[]>) {
    if (header) {
      header = false;
      continue;
    }
    const [subject = '', manager = ''] = rec;
    if (manager) upsert.run(TENANT, ids.get(subject), manager, at, 'bench');
    else remove.run(TENANT, ids.get(subject));
    n++;
  }
  raw.exec('COMMIT');
  return n;
}

async function tierkitImport(again = false, audited = true): Promise<number> {
  const tp = await loadTenantPack(db.db, TENANT);
  // Audited as `tierkit import` audits it: the moves staged for their records, the records appended.
  const action = cliAction('tierkit import');
  const record = await runImport(
    db.db,
    { kind: 'managers', encoding: 'utf-8', mode: 'all-or-nothing', mapping: {} },
    {
      tenantId: TENANT,
      catalogue: tp.metrics,
      currentPeriod: '2025-11',
      actor: action.actor,
      now: () => new Date(),
      fileName: 'managers.csv',
      ...(audited ? { audit: { tenantId: TENANT, ...action } } : {}),
    },
    () => createReadStream(csvFile),
  );
  if (record.status !== 'succeeded' || record.rows !== ROWS)
    throw new Error(`import ${record.status}: ${record.rows} rows, ${record.errors} errors`);
  // From empty books every row but the 1 in 20 naming no book is a move; again, none is.
  if (record.written !== (again ? 0 : ROWS - ROWS / 20)) throw new Error(`${record.written} moved`);
  return record.rows;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
async function timed(f: () => Promise<number>): Promise<{ cpu: number; wall: number }> {
  clear();
  const [c0, w0] = [cpuMs(), performance.now()];
  const n = await f();
  const out = { cpu: cpuMs() - c0, wall: performance.now() - w0 };
  if (n !== ROWS) throw new Error(`${n} rows`);
  return out;
}

const times = {
  raw: [] as { cpu: number; wall: number }[],
  tierkit: [] as { cpu: number; wall: number }[],
  unaudited: [] as { cpu: number; wall: number }[],
};
type Side = 'raw' | 'tierkit' | 'unaudited';
const sides: readonly Side[] = ONLY === 'both' ? ['raw', 'tierkit'] : ONLY === 'audit' ? ['tierkit', 'unaudited'] : [ONLY];
const run: Record<Side, () => Promise<number>> = {
  raw: rawImport,
  tierkit: () => tierkitImport(),
  unaudited: () => tierkitImport(false, false),
};
for (let round = 1; round <= ROUNDS; round++) {
  // Alternate which goes first, so neither always gets the warmer cache.
  const order = round % 2 ? sides : [...sides].reverse();
  for (const which of order) times[which].push(await timed(run[which]));
  console.log(
    `  round ${round}: ${sides.map((s) => `${s} ${((times[s].at(-1)?.cpu ?? 0) / 1000).toFixed(2)} s CPU (${((times[s].at(-1)?.wall ?? 0) / 1000).toFixed(2)} s wall)`).join(', ')}`,
  );
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const med = (s: Side, k: 'cpu' | 'wall') => median(times[s].map((t) => t[k]));
const label: Record<Side, string> = {
  raw: 'raw csv-parse + prepared upsert (baseline)',
  tierkit: 'runImport managers (checked, moved, audited)',
  unaudited: 'runImport managers (checked, moved, no audit)',
};
for (const s of sides)
  console.log(`  ${label[s]}  ${(med(s, 'cpu') / 1000).toFixed(2)} s CPU, ${(med(s, 'wall') / 1000).toFixed(2)} s wall`);
if (ONLY === 'both')
  console.log(
    `  ratio runImport / raw: ${(med('tierkit', 'cpu') / med('raw', 'cpu')).toFixed(2)}× CPU, ${(med('tierkit', 'wall') / med('raw', 'wall')).toFixed(2)}× wall`,
  );
if (ONLY === 'audit')
  console.log(
    `  ratio audited / unaudited: ${(med('tierkit', 'cpu') / med('unaudited', 'cpu')).toFixed(2)}× CPU, ${(med('tierkit', 'wall') / med('unaudited', 'wall')).toFixed(2)}× wall`,
  );
if (ONLY !== 'raw' && AGAIN) {
  // The second identical import moves nobody: every row is compared with the book it names.
  const c0 = cpuMs();
  await tierkitImport(true);
  console.log(`  the same file again (moves nobody)  ${((cpuMs() - c0) / 1000).toFixed(2)} s CPU`);
}
console.log(`peak RSS of this process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (file ${mb.toFixed(0)} MB; --only ${ONLY})`);
raw.close();
await db.close();
rmSync(dir, { recursive: true, force: true });
