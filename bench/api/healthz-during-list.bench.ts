// `/healthz` latency while staff ask for the tenant-wide list by gap (`GET /v1/subjects?scheme=
// retail-tier&sort=gap`, which scans the scheme and sorts: BENCHMARKS.md, "What the tenant-wide list by
// gap costs without an index") on SQLite. Same run, same file, three phases: idle; the lists on the
// server's thread (main's behaviour, the baseline); the lists in reader processes (`HeavyReads`, the
// default). N customers in retail-tier, three in four with a money gap, each assignment row with a
// 1,200-byte explanation as the product's have. Requests go over HTTP to a real server on a free
// port, so a probe waits behind whatever holds the event loop. Prints, never asserts.
// Run: node --import tsx bench/api/healthz-during-list.bench.ts [--subjects 200000] [--lists 3] [--rounds 2] [--baseline on|off]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { connect, HeavyReads, migrateToLatest } from '@tierkit/db';
import { sql } from 'kysely';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const N = Number(arg('subjects', '200000'));
const LISTS = Number(arg('lists', '3'));
const BASELINE = arg('baseline', 'on') !== 'off';
const ROUNDS = Number(arg('rounds', '2'));
const PROBE_EVERY_MS = 5;
const TENANT = 'bench';
const AT = '2025-11-15T04:00:00.000Z';
const LIST = '/v1/subjects?scheme=retail-tier&sort=gap';

/** The prober: plain JavaScript in a process of its own; sends its latencies when told to stop. */
const PROBER = `
const url = process.env.PROBE_URL;
const every = Number(process.env.PROBE_EVERY_MS);
const latencies = [];
const pending = new Set();
let timer;
// Warm first: a process's first fetch loads its HTTP client, which is no probe's latency.
fetch(url).then((r) => r.arrayBuffer()).then(() => {
timer = setInterval(() => {
  const t0 = performance.now();
  const p = fetch(url).then(async (r) => { await r.arrayBuffer(); latencies.push(performance.now() - t0); });
  pending.add(p);
  p.finally(() => pending.delete(p));
}, every);
process.send('started');
});
process.on('message', async () => {
  clearInterval(timer);
  await Promise.allSettled([...pending]);
  process.send(latencies, () => process.exit(0));
});
`;

function startProber(url: string) {
  const child = spawn(process.execPath, ['-e', PROBER], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, PROBE_URL: `${url}/healthz`, PROBE_EVERY_MS: String(PROBE_EVERY_MS), NODE_OPTIONS: '' },
  });
  const messages: unknown[] = [];
  let wake: (() => void) | undefined;
  child.on('message', (m) => {
    messages.push(m);
    wake?.();
  });
  const next = async () => {
    while (messages.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return messages.shift();
  };
  return {
    started: next(),
    async stop(): Promise<number[]> {
      child.send('stop');
      return (await next()) as number[];
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-healthz-list-'));
const file = join(dir, 'bench.db');
const db = connect({ url: file });
let heavy: HeavyReads | undefined;
try {
  await migrateToLatest(db.db);
  await provisionTenant(db.db, { id: TENANT, name: TENANT, now: new Date(AT) });
  const t = performance.now();
  const series = sql`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${N - 1}) SELECT i FROM n`;
  await sql`INSERT INTO subjects (id, tenant_id, external_id, kind, display_name, attributes, created_at, updated_at)
    SELECT 's' || i, ${TENANT}, 'C' || substr('000000000' || i, -9), 'customer', '测试', '{}', ${AT}, ${AT} FROM (${series})`.execute(
    db.db,
  );
  await sql`INSERT INTO assignments (tenant_id, subject_id, scheme, level, rank, periods_below, base_level, base_periods_below,
      previous_level, explanation, progress, retention, approval_required, policy_version, period, evaluated_at, next_gap, grace_left)
    SELECT ${TENANT}, 's' || i, 'retail-tier', 'standard', 0, 0, NULL, 0, 'standard', '{"pad":"' || printf('%.1190c', 'x') || '"}',
      NULL, NULL, 0, 1, '2025-10', ${AT}, CASE WHEN i % 4 = 3 THEN NULL ELSE (i * 37) % 150000 * 1000 END, NULL
    FROM (${series})`.execute(db.db);
  await sql.raw('ANALYZE').execute(db.db);
  console.log(`${N.toLocaleString('en')} customers seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const { secret } = await createApiKey(db.db, { tenantId: TENANT, role: 'admin', label: 'bench' });
  const auth = { headers: { Authorization: `Bearer ${secret}` } };

  const quantile = (xs: number[], q: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
  };
  const fmt = (ms: number) => `${ms.toFixed(1).padStart(8)} ms`;

  async function served<T>(app: ReturnType<typeof createApp>, body: (url: string) => Promise<T>): Promise<T> {
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    try {
      return await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /**
   * Probe /healthz every few ms from another process while `load` runs: a prober on the server's own
   * thread could not even send while a list held it, and would miss the very stalls measured here.
   * `probes` false: the load alone, for its own time.
   */
  async function phase(url: string, load: () => Promise<number[]>, probes = true) {
    const prober = probes ? startProber(url) : undefined;
    await prober?.started;
    const t0 = performance.now();
    const statuses = await load();
    const took = performance.now() - t0;
    const latencies = (await prober?.stop()) ?? [];
    return { latencies, took, statuses };
  }

  /** The lists one after the other, as one staff member paging back to the start would. */
  const lists = (url: string) => async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LISTS; i++) {
      const r = await fetch(`${url}${LIST}`, auth);
      await r.arrayBuffer();
      statuses.push(r.status);
    }
    return statuses;
  };

  const app = (heavyReads?: HeavyReads) => createApp({ db: db.db, rateLimit: false, ...(heavyReads ? { heavyReads: heavyReads.db } : {}) });
  // The limit well above what the lists take here: this measures the probes, not the bound.
  heavy = new HeavyReads(file, { timeoutMs: 600_000 });
  await heavy.whenReady();
  const reads = heavy;
  const rows: [string, { latencies: number[]; took: number; statuses: number[] }][] = [];
  // Warm: the first requests of a process compile its code, which is no phase's cost.
  await served(app(reads), async (url) => {
    for (let i = 0; i < 50; i++) await (await fetch(`${url}/healthz`)).arrayBuffer();
    await (await fetch(`${url}${LIST}&limit=1`, auth)).arrayBuffer();
  });
  rows.push(['idle', await served(app(), (url) => phase(url, () => new Promise((r) => setTimeout(() => r([]), 1000))))]);
  // Alternating, so that the machine's load (shared) falls on both alike; each also once without
  // probes, for what the probes' answering costs the lists.
  for (let round = 1; round <= ROUNDS; round++) {
    if (BASELINE) {
      rows.push([`${round}: lists on the server’s thread (main)`, await served(app(), (url) => phase(url, lists(url)))]);
      rows.push([`${round}:   the same, no probes`, await served(app(), (url) => phase(url, lists(url), false))]);
    }
    rows.push([`${round}: lists in a reader process`, await served(app(reads), (url) => phase(url, lists(url)))]);
    rows.push([`${round}:   the same, no probes`, await served(app(reads), (url) => phase(url, lists(url), false))]);
  }

  console.log(
    `${N.toLocaleString('en')} customers, ${LISTS} tenant-wide lists by gap one after another (page of 50); /healthz probed every ${PROBE_EVERY_MS} ms from another process`,
  );
  console.log('phase                                     probes   p50           p95           max           lists took    answers');
  for (const [name, r] of rows)
    console.log(
      `${name.padEnd(41)} ${r.latencies.length === 0 ? `${'—'.padStart(6)}${' '.repeat(39)}` : `${String(r.latencies.length).padStart(6)}  ${fmt(quantile(r.latencies, 0.5))}  ${fmt(quantile(r.latencies, 0.95))}  ${fmt(Math.max(...r.latencies))}`}  ${name === 'idle' ? ' '.repeat(11) : fmt(r.took)}  ${r.statuses.join(' ')}`,
    );
} finally {
  await heavy?.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
