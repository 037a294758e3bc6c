// Two checkouts' first asks in one process, alternating round by round: each side's server app is
// imported from its own root (its own @tierkit packages) over copies of one seeded SQLite file, and
// timed with process.cpuUsage as read-cpu.bench.ts does, so a neighbour's load falls on both alike.
// Asserts nothing. Seed the file first with read-cpu.bench.ts --db FILE.
// Run: node --import tsx bench/api/read-cpu-ab.bench.ts --a /tmp/main-copy --b . --db /tmp/read-cpu.db [--requests 500] [--rounds 8]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';

const opt = (name: string, fallback?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : fallback;
  if (v === undefined) throw new Error(`--${name} is required`);
  return v;
};
const REQUESTS = Number(opt('requests', '500'));
const ROUNDS = Number(opt('rounds', '8'));
const seededFile = opt('db');
const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-read-cpu-ab-'));
type App = { fetch: (r: Request) => Response | Promise<Response> };
try {
  const sides: { name: string; app: App; key: string }[] = [];
  for (const name of ['a', 'b']) {
    const root = resolve(opt(name));
    const file = join(dir, `${name}.db`);
    copyFileSync(seededFile, file);
    const server = (await import(
      pathToFileURL(join(root, 'apps/server/src/server.ts')).href
    )) as typeof import('../../apps/server/src/server.js');
    const api = (await import(pathToFileURL(join(root, 'packages/api/src/index.ts')).href)) as typeof import('@tierkit/api');
    const dbm = (await import(pathToFileURL(join(root, 'packages/db/src/index.ts')).href)) as typeof import('@tierkit/db');
    const opened = await server.openDatabase(file);
    const { secret } = await api.createApiKey(opened.db, { tenantId: 'demo', role: 'viewer', label: 'bench' });
    await opened.close();
    const rateLimit = { burst: 1e9, perSecond: 1e9, keyBurst: 1e9, keyPerSecond: 1e9 };
    const app = server.serverApp(dbm.connect({ url: file }), { tenant: 'demo', corsOrigins: undefined, demoTokens: false }, { rateLimit });
    sides.push({ name: `${name} (${root})`, app, key: secret });
  }
  const raw = new SQLite(seededFile, { readonly: true });
  const ids = (
    raw.prepare("SELECT external_id FROM subjects WHERE tenant_id = 'demo' AND kind = 'customer'").all() as { external_id: string }[]
  ).map((r) => r.external_id);
  raw.close();
  const routes = [
    ['tiers?scheme=retail-tier&locale=zh-CN (front page)', (id: string) => `/v1/subjects/${id}/tiers?scheme=retail-tier&locale=zh-CN`],
    ['tiers (every scheme)', (id: string) => `/v1/subjects/${id}/tiers`],
    ['tiers?locale=zh-CN', (id: string) => `/v1/subjects/${id}/tiers?locale=zh-CN`],
    ['entitlements', (id: string) => `/v1/subjects/${id}/entitlements`],
  ] as const;
  // Each round asks every side the same customers, shuffled anew: first asks on both sides alike.
  const cpu = async (side: (typeof sides)[number], path: (id: string) => string, order: readonly string[]) => {
    const start = process.cpuUsage();
    for (const id of order) {
      const res = await side.app.fetch(new Request(`http://bench${path(id)}`, { headers: { Authorization: `Bearer ${side.key}` } }));
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
    }
    const used = process.cpuUsage(start);
    return (used.user + used.system) / order.length;
  };
  const runs = new Map<string, number[]>();
  let offset = 0;
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, path] of routes) {
      const order = ids.slice(offset % ids.length, (offset % ids.length) + REQUESTS);
      offset += REQUESTS;
      const pair = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of pair) {
        const us = await cpu(side, path, order);
        if (round >= 0) runs.set(`${name}\u0000${side.name}`, [...(runs.get(`${name}\u0000${side.name}`) ?? []), us]);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  console.log(`CPU per first ask (API key, viewer), ${REQUESTS} customers × ${ROUNDS} rounds, sides alternating; median (min–max)`);
  for (const [name] of routes)
    for (const side of sides) {
      const xs = runs.get(`${name}\u0000${side.name}`) ?? [];
      console.log(
        `  ${name.padEnd(48)} ${side.name.padEnd(40)} ${Math.round(median(xs))} µs (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`,
      );
    }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
