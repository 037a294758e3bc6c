// Importing a subjects file that renames every customer it names (all of them exist), in descending
// subject id: `runImport`, as `tierkit import` and `POST /v1/imports` run it, on SQLite. Each round
// imports in a process of its own (`--child`), so its CPU time and peak RSS are the import's, not the
// setup's; rounds alternate between this tree and `--against DIR` (another checkout of the repository,
// its node_modules in place) when given. Medians and the ratio. Prints, never asserts.
// `BENCH_CHILD_FLAGS="--cpu-prof --cpu-prof-dir=DIR"` passes node flags to the importing processes (a profile).
import { execFileSync } from 'node:child_process';
import { copyFileSync, createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadTenantPack, provisionTenant, runImport } from '@tierkit/api';
import { connect, insertSubjects, migrateToLatest } from '@tierkit/db';
import { writeCsvFile } from './csv-file.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const TENANT = 'bench';
const externalId = (i: number) => `C${String(i).padStart(7, '0')}`;

if (arg('child') !== undefined) {
  // One import of the file into the database given, then this process's CPU time and peak RSS.
  const [dbFile, csvFile] = [arg('child') ?? '', arg('csv') ?? ''];
  const db = connect({ url: dbFile });
  const tp = await loadTenantPack(db.db, TENANT);
  const cpu0 = process.cpuUsage();
  const r = await runImport(
    db.db,
    { kind: 'subjects', encoding: 'utf-8', mode: 'all-or-nothing', mapping: {} },
    { tenantId: TENANT, catalogue: tp.metrics, currentPeriod: '2025-11', actor: 'bench', now: () => new Date(), fileName: 'subjects.csv' },
    () => createReadStream(csvFile),
  );
  const cpu = process.cpuUsage(cpu0);
  await db.close();
  console.log(
    JSON.stringify({
      status: r.status,
      written: r.written,
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
  process.exit(0);
}

const ROWS = Number(arg('rows') ?? 100_000);
const ROUNDS = Number(arg('rounds') ?? 3);
const against = arg('against');
const dir = mkdtempSync(join(tmpdir(), 'tierkit-subjects-bench-'));
const dbFile = join(dir, 'bench.db');
const db = connect({ url: dbFile });
await migrateToLatest(db.db);
await provisionTenant(db.db, { id: TENANT, name: 'Bench Bank' });
const subjects = Array.from({ length: ROWS }, (_, i) => ({
  id: `s${String(i).padStart(7, '0')}`,
  externalId: externalId(i),
  kind: 'customer',
  displayName: `客户${i}`,
  attributes: {},
}));
await insertSubjects(db.db, TENANT, subjects, new Date().toISOString());
await db.close();

/** Every customer renamed (round `k`'s name), one attribute set, in descending subject id. */
async function file(k: number): Promise<string> {
  const path = join(dir, `subjects-${k}.csv`);
  await writeCsvFile(
    path,
    'id,name,attr:segment',
    (function* () {
      for (let i = ROWS - 1; i >= 0; i--) yield `${externalId(i)},客户${i}-${k},S${k}`;
    })(),
  );
  return path;
}

const trees = [{ name: 'this', root: process.cwd() }, ...(against ? [{ name: 'against', root: resolve(against) }] : [])];
const results = new Map<string, { cpuMs: number; rssMb: number }[]>(trees.map((t) => [t.name, []]));
const script = 'bench/batch/subjects-import.bench.ts';
console.log(`${ROWS.toLocaleString('en')} subject rows, every one an existing customer renamed, SQLite, ${ROUNDS} alternating rounds`);
for (let k = 0; k < ROUNDS; k++) {
  for (const t of k % 2 ? [...trees].reverse() : trees) {
    // Each run on the same start: a copy of the freshly set-up database.
    const copy = join(dir, `run-${t.name}-${k}.db`);
    copyFileSync(dbFile, copy);
    const out = execFileSync(
      process.execPath,
      [
        ...(process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean),
        '--import',
        'tsx',
        script,
        '--child',
        copy,
        '--csv',
        await file(k),
      ],
      {
        cwd: t.root,
        encoding: 'utf8',
      },
    );
    const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { status: string; written: number; cpuMs: number; rssMb: number };
    if (r.status !== 'succeeded' || r.written !== ROWS) throw new Error(`${t.name}: ${out}`);
    results.get(t.name)?.push(r);
    console.log(`round ${k + 1} ${t.name}: CPU ${(r.cpuMs / 1000).toFixed(2)} s, peak RSS ${r.rssMb.toFixed(0)} MB`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const med = (name: string) => {
  const rs = results.get(name) ?? [];
  return { cpu: median(rs.map((r) => r.cpuMs)), rss: median(rs.map((r) => r.rssMb)) };
};
const mine = med('this');
console.log(`this tree: CPU ${(mine.cpu / 1000).toFixed(2)} s, peak RSS ${mine.rss.toFixed(0)} MB (medians)`);
if (against) {
  const other = med('against');
  console.log(`against:   CPU ${(other.cpu / 1000).toFixed(2)} s, peak RSS ${other.rss.toFixed(0)} MB (medians)`);
  console.log(`ratio this/against: CPU ${(mine.cpu / other.cpu).toFixed(2)}×, peak RSS ${(mine.rss / other.rss).toFixed(2)}×`);
}
rmSync(dir, { recursive: true, force: true });
