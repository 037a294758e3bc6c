// CPU per subject read in one process, without HTTP: the server app's `fetch` in a loop over a seeded
// 10,000-customer SQLite file, beside a bare Hono route answering one prepared primary-key SELECT,
// timed with process.cpuUsage (what a loaded machine's scheduler does to wall time does not count).
// Run it on two checkouts to compare them; HTTP adds the same cost per request to every route.
// Asserts nothing.
// Run: node [--expose-gc] [--trace-gc] --import tsx bench/api/read-cpu.bench.ts [--requests 2000] [--rounds 3]
//        [--only <part of a route's name>] [--db /tmp/read-cpu.db] [--settle] [--mark]
// (`--db`: seed that file once and bench a copy of it, so alternating runs of two checkouts skip the
// seeding; `--only`: that route alone, e.g. under `node --cpu-prof` to profile first asks without the others.)
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Hono } from 'hono';
import { createApiKey, mintEmbedToken } from '@tierkit/api';
import { connect } from '@tierkit/db';
import { openDatabase, seedIfNeeded, serverApp } from '../../apps/server/src/server.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = arg('requests', 2000);
const ROUNDS = arg('rounds', 3);

const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-read-cpu-'));
try {
  const file = join(dir, 'tierkit.db');
  const kept = process.argv.indexOf('--db') > 0 ? process.argv[process.argv.indexOf('--db') + 1] : undefined;
  if (kept !== undefined && !existsSync(kept)) {
    const first = await openDatabase(kept);
    await seedIfNeeded(first, { tenant: 'demo', customers: 10_000 }, () => undefined);
    await first.close();
  }
  // A closed database has its WAL checkpointed into the one file.
  if (kept !== undefined) copyFileSync(kept, file);
  const seeded = await openDatabase(file);
  await seedIfNeeded(seeded, { tenant: 'demo', customers: 10_000 }, () => undefined);
  const { secret } = await createApiKey(seeded.db, { tenantId: 'demo', role: 'viewer', label: 'bench' });
  const { token } = await mintEmbedToken(seeded.db, { tenantId: 'demo', subject: 'C000003', ttlSeconds: 900 });
  await seeded.close();

  const raw = new SQLite(file, { readonly: true });
  const rows = raw.prepare("SELECT id, external_id FROM subjects WHERE tenant_id = 'demo' AND kind = 'customer'").all() as {
    id: string;
    external_id: string;
  }[];
  const byId = raw.prepare('SELECT * FROM subjects WHERE id = ?');
  const bare = new Hono().get('/bare/:id', (c) => {
    const row = byId.get(c.req.param('id'));
    return row ? c.json(row) : c.json({ error: 'not found' }, 404);
  });
  const rateLimit = { burst: 1e9, perSecond: 1e9, keyBurst: 1e9, keyPerSecond: 1e9 };
  const app = serverApp(connect({ url: file }), { tenant: 'demo', corsOrigins: undefined, demoTokens: false }, { rateLimit });

  const any = () => rows[Math.floor(Math.random() * rows.length)] as { id: string; external_id: string };
  const key = { Authorization: `Bearer ${secret}` };
  const embed = { Authorization: `Bearer ${token}` };
  // In api.bench.ts's order (readRoutes): each embed-token read right after an API-key read of random customers.
  const routes: [string, { fetch: (r: Request) => Response | Promise<Response> }, () => Request][] = [
    ['bare Hono + 1 PK SELECT', bare, () => new Request(`http://bench/bare/${any().id}`)],
    ['…/tiers, API key, random', app, () => new Request(`http://bench/v1/subjects/${any().external_id}/tiers`, { headers: key })],
    ['…/C000003/tiers, embed token', app, () => new Request('http://bench/v1/subjects/C000003/tiers', { headers: embed })],
    [
      '…/tiers?locale=zh-CN, API key, random',
      app,
      () => new Request(`http://bench/v1/subjects/${any().external_id}/tiers?locale=zh-CN`, { headers: key }),
    ],
    [
      '…/C000003/tiers?locale=zh-CN, embed token',
      app,
      () => new Request('http://bench/v1/subjects/C000003/tiers?locale=zh-CN', { headers: embed }),
    ],
    [
      '…/tiers?scheme=retail-tier&locale=zh-CN, key, random',
      app,
      () => new Request(`http://bench/v1/subjects/${any().external_id}/tiers?scheme=retail-tier&locale=zh-CN`, { headers: key }),
    ],
    [
      '…/entitlements, API key, random',
      app,
      () => new Request(`http://bench/v1/subjects/${any().external_id}/entitlements`, { headers: key }),
    ],
    ['…/C000003/entitlements, embed token', app, () => new Request('http://bench/v1/subjects/C000003/entitlements', { headers: embed })],
    ['…/history, API key, random', app, () => new Request(`http://bench/v1/subjects/${any().external_id}/history`, { headers: key })],
    ['…/C000003/history, embed token', app, () => new Request('http://bench/v1/subjects/C000003/history', { headers: embed })],
  ];
  const only = process.argv.indexOf('--only') > 0 ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  if (only !== undefined) routes.splice(0, routes.length, ...routes.filter(([name]) => name.includes(only)));
  // `--settle` (with node --expose-gc): a full collection before each route's window, so none pays for
  // the garbage the route before it left. `--mark`: a line before each window, to place `--trace-gc`'s lines.
  const settle = process.argv.includes('--settle');
  const mark = process.argv.includes('--mark');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (settle && gc === undefined) throw new Error('--settle needs node --expose-gc');
  const cpuPerRequest = async (target: (typeof routes)[number][1], make: () => Request, name = '') => {
    if (settle) gc?.();
    if (mark) console.log(`=== window ${name}`);
    const start = process.cpuUsage();
    for (let i = 0; i < REQUESTS; i++) {
      const res = await target.fetch(make());
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
    }
    const used = process.cpuUsage(start);
    return (used.user + used.system) / REQUESTS;
  };
  for (const [, target, make] of routes) await cpuPerRequest(target, make);
  const runs = new Map<string, number[]>(routes.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, target, make] of routes) runs.get(name)?.push(await cpuPerRequest(target, make, name));
  }
  console.log(`CPU per request, ${REQUESTS} requests × ${ROUNDS} alternating rounds, median (no HTTP)`);
  for (const [name, xs] of runs) {
    const sorted = [...xs].sort((a, b) => a - b);
    console.log(
      `  ${name.padEnd(52)} ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)
        .toLocaleString('en')
        .padStart(7)} µs`,
    );
  }
  raw.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
