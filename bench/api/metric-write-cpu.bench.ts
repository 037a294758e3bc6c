// CPU per metric write (PUT /v1/subjects/{id}/metrics, which re-evaluates the customer in its
// transaction), in one process without HTTP: the app's `fetch` in a loop over customers, on SQLite
// and on PostgreSQL, timed with process.cpuUsage and, on PostgreSQL, the server's process tree too
// (/proc): a statement saved costs the database its work and the client a round trip.
// With `--against <git rev>` it compares two versions of the code: that revision is extracted to a
// temporary folder and each round runs one child process per version, old and new alternating, so
// the machine's load falls on both alike; it prints medians and new/old ratios. Asserts nothing.
// `--kind decision` times level sign-off approvals (`POST …/levels/{scheme}/approve`) instead, each of
// a customer whose AML "high" waits for one (opened, and its hash read, before the clock starts).
// Run: node --import tsx bench/api/metric-write-cpu.bench.ts [--against main] [--writes 600] [--rounds 4] [--db sqlite|postgres|both] [--kind metric|decision]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const WRITES = Number(arg('writes', '600'));
const ROUNDS = Number(arg('rounds', '4'));
const DBS = arg('db', 'both') === 'both' ? ['sqlite', 'postgres'] : [arg('db', 'sqlite')];
const AGAINST = arg('against', '');
const CHILD = arg('child', '');
const KIND = arg('kind', 'metric') === 'decision' ? 'decision' : 'metric';
const here = fileURLToPath(import.meta.url);
const root = resolve(dirname(here), '../..');

interface Figures {
  /** This process, µs per write. */
  readonly client: number;
  /** PostgreSQL's processes, µs per write (0 on SQLite). */
  readonly server: number;
}

/** One measured loop of `WRITES` metric writes on a fresh database of `dialect`, with the code `tsx` resolves here. */
async function measure(dialect: string): Promise<Figures> {
  const { createApiKey, createApp, provisionTenant } = await import('@tierkit/api');
  const { connect, migrateToLatest } = await import('@tierkit/db');
  const { testPack } = await import('../../tests/support/test-pack.js');
  const { fourEyesPack } = await import('../../tests/support/four-eyes-fixture.js');
  const { postmasterPid, treeCpu } = await import('../batch/proc-cpu.js');
  const NOW = new Date('2025-11-15T04:00:00.000Z');
  const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-metric-write-'));
  const pg = dialect === 'postgres' ? await (await import('../../tests/support/postgres.js')).startPostgres() : undefined;
  const db = pg
    ? connect({ url: await pg.createDatabase('metric_write_cpu', { migrated: true }), poolSize: 2 })
    : connect({ url: join(dir, 'bench.db') });
  try {
    await migrateToLatest(db.db);
    await provisionTenant(db.db, { id: 'bench', name: 'bench', pack: KIND === 'decision' ? fourEyesPack() : testPack(), now: NOW });
    const { secret } = await createApiKey(db.db, { tenantId: 'bench', role: 'admin', label: 'bench', now: NOW });
    // Another person than the one whose metrics opened the sign-offs (four eyes).
    const approver = (await createApiKey(db.db, { tenantId: 'bench', role: 'approver', label: 'approver', now: NOW })).secret;
    const app = createApp({
      db: db.db,
      now: () => NOW,
      logError: () => undefined,
      rateLimit: false,
    });
    const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` };
    // A decision needs a sign-off of its own: one customer per decision, warm-up included.
    const CUSTOMERS = KIND === 'decision' ? WRITES + WRITES / 4 : 50;
    for (let i = 0; i < CUSTOMERS; i++) {
      const res = await app.request(`/v1/subjects/MW${i}`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ kind: 'customer', displayName: '客户' }),
      });
      if (res.status !== 201) throw new Error(`customer: ${res.status}`);
    }
    // A balance that moves the level every other write (a tier event), a score the same month again.
    const write = async (n: number) => {
      const value = n % 2 === 0 ? 1_000_000 : 900_000_000;
      const res = await app.request(`/v1/subjects/MW${n % CUSTOMERS}/metrics`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value }] }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`metrics: ${res.status}`);
    };
    const hashes: string[] = [];
    if (KIND === 'decision') {
      for (let i = 0; i < CUSTOMERS; i++) {
        const opened = await app.request(`/v1/subjects/MW${i}/metrics`, {
          method: 'PUT',
          headers,
          body: JSON.stringify({ metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 95 }] }),
        });
        if (opened.status !== 200) throw new Error(`metrics: ${opened.status}`);
        const pending = await app.request(`/v1/subjects/MW${i}/levels/aml-test/approval`, { headers });
        hashes.push(((await pending.json()) as { contentHash: string }).contentHash);
      }
    }
    const decide = async (n: number) => {
      const res = await app.request(`/v1/subjects/MW${n}/levels/aml-test/approve`, {
        method: 'POST',
        headers: { ...headers, Authorization: `Bearer ${approver}` },
        body: JSON.stringify({ contentHash: hashes[n] }),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`approve: ${res.status}`);
    };
    // Decisions: the warm-up decides the first customers, the timed loop the rest (each once).
    const step = KIND === 'decision' ? (i: number) => decide(i) : write;
    const warm = WRITES / 4;
    for (let i = 0; i < warm; i++) await step(i); // warm-up
    const postmaster = pg ? postmasterPid(pg.dataDir) : 0;
    const serverBefore = pg ? treeCpu(postmaster) : 0;
    const start = process.cpuUsage();
    for (let i = 0; i < WRITES; i++) await step(KIND === 'decision' ? warm + i : i);
    const used = process.cpuUsage(start);
    const server = pg ? (treeCpu(postmaster) - serverBefore) * 1e6 : 0;
    return { client: (used.user + used.system) / WRITES, server: server / WRITES };
  } finally {
    await db.close();
    if (pg) await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A checkout of `rev` beside this one, resolving packages through this checkout's node_modules. */
function extract(rev: string): string {
  const out = mkdtempSync(join(tmpdir(), 'tierkit-bench-rev-'));
  execFileSync('sh', ['-c', `git -C "${root}" archive "${rev}" | tar -x -C "${out}"`]);
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'));
  mkdirSync(join(out, 'packages/api'), { recursive: true });
  try {
    symlinkSync(join(root, 'packages/api/node_modules'), join(out, 'packages/api/node_modules'));
  } catch {
    // no package-local modules
  }
  return out;
}

/** One child process measuring `dialect` with the code of the checkout at `tree`. */
function child(tree: string, dialect: string): Figures {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(tree, 'bench/api/metric-write-cpu.bench.ts'), '--child', dialect, '--writes', String(WRITES), '--kind', KIND],
    {
      cwd: tree,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(tree, 'tsconfig.json') },
      encoding: 'utf8',
    },
  );
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line) throw new Error(`child failed (${r.status}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(line) as Figures;
}

const WHAT = KIND === 'decision' ? 'sign-off decision' : 'metric write';
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const us = (x: number) => Math.round(x).toLocaleString('en').padStart(7);

if (CHILD) {
  console.log(JSON.stringify(await measure(CHILD)));
} else if (!AGAINST) {
  for (const dialect of DBS) {
    const f = await measure(dialect);
    console.log(`${dialect}: ${us(f.client)} µs client${dialect === 'postgres' ? `, ${us(f.server)} µs server` : ''} per ${WHAT}`);
  }
} else {
  const old = extract(AGAINST);
  // The old checkout runs this file too, so it measures both alike.
  execFileSync('cp', [here, join(old, 'bench/api/metric-write-cpu.bench.ts')]);
  try {
    for (const dialect of DBS) {
      const runs = { old: [] as Figures[], new: [] as Figures[] };
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate which goes first, so neither always meets a warmer or busier machine.
        const order = round % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const);
        for (const which of order) runs[which].push(child(which === 'old' ? old : root, dialect));
      }
      console.log(`${dialect}: CPU per ${WHAT}, ${WRITES} × ${ROUNDS} alternating rounds, median (no HTTP)`);
      for (const part of ['client', 'server'] as const) {
        if (dialect === 'sqlite' && part === 'server') continue;
        const o = median(runs.old.map((f) => f[part]));
        const n = median(runs.new.map((f) => f[part]));
        const all = (xs: Figures[]) => xs.map((f) => Math.round(f[part])).join(' ');
        console.log(
          `  ${part.padEnd(7)} ${AGAINST}: ${us(o)} µs   this: ${us(n)} µs   ratio ${(n / o).toFixed(2)}   (old ${all(runs.old)}; new ${all(runs.new)})`,
        );
      }
    }
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
}
