// Server CPU per request over real HTTP on loopback, for subject reads answered by the app's `fetch`
// through @hono/node-server (a: as apps/server serves them), by session 41's node:http prototype of
// the same fast path (b: bench/api/node-listener.ts, in front of the same adapter), and by the bare
// Hono + one primary-key SELECT route (bare) — all three served by ONE child process, each side an
// app of its own over the same seeded file (createApp with the options apps/server's serverApp gives
// it; the server's own site app only hands `/v1/` to it), on ports of its own. Only one side is driven at a time, so the
// child's process.cpuUsage() over a window is that side's; rounds alternate the sides in a fresh
// random order. autocannon runs in this process. Prints median (range) µs per request, and req/s and
// p99 beside them (under load those are the scheduler's, not the server's). Asserts nothing.
// Run: node --import tsx bench/api/node-listener-ab.bench.ts [--db /tmp/tierkit-node-ab.db] [--rounds 6]
//        [--seconds 4] [--route front|every|entitlements|history|embed] [--cache-mb 0] [--sides a,b,bare]
//        [--child-flag --cpu-prof --child-flag --cpu-prof-dir=/tmp/prof]
// The file is seeded (10,000 demo customers, as `npm start`) when missing. `--cache-mb 0` (the default)
// keeps no body, so every API-key read is a first ask; the server's own default is 32.
import { fork } from 'node:child_process';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import autocannon from 'autocannon';
import SQLite from 'better-sqlite3';
import { Hono } from 'hono';
import { createApp } from '@tierkit/api';
import { connect } from '@tierkit/db';
import { fastRepliesOf } from '../../packages/api/src/middleware/fast-reads.js';
import { seededReads } from './seeded-reads.js';
import { fastReadsListener } from './node-listener.js';

const values = (name: string) => process.argv.flatMap((a, i) => (a === `--${name}` ? [process.argv[i + 1] ?? ''] : []));
const one = (name: string, fallback: string) => values(name)[0] ?? fallback;
const FILE = one('db', '/tmp/tierkit-node-ab.db');
const CACHE_MB = Number(one('cache-mb', '0'));

type Side = 'a' | 'b' | 'bare';
type ToChild = { readonly cpu: true } | { readonly exit: true };
type FromChild = { readonly ports: Record<Side, number> } | { readonly cpuUs: number; readonly leftToFetch: number };

if (process.argv.includes('--serve')) {
  // The child: three servers in one process.
  const rateLimit = { burst: 1e9, perSecond: 1e9, keyBurst: 1e9, keyPerSecond: 1e9 };
  const appOf = () =>
    createApp({ db: connect({ url: FILE }).db, rateLimit, matrixCacheSeconds: 0, readCacheBytes: CACHE_MB * 1024 * 1024 });
  const raw = new SQLite(FILE, { readonly: true });
  const byId = raw.prepare('SELECT * FROM subjects WHERE id = ?');
  const bare = new Hono().get('/bare/:id', (c) => {
    const row = byId.get(c.req.param('id'));
    return row ? c.json(row) : c.json({ error: 'not found' }, 404);
  });
  // What serve() of @hono/node-server makes of a fetch: its listener, with the server's host name.
  const adapter = (app: { fetch: (r: Request) => Response | Promise<Response> }) =>
    getRequestListener(app.fetch, { hostname: '127.0.0.1' });
  const fastApp = appOf();
  const replies = fastRepliesOf(fastApp);
  if (!replies) throw new Error('the server app has no fast subject reads');
  // What b leaves to the adapter, counted: a window of b is of node-level answers only if it left none.
  let leftToFetch = 0;
  const general = adapter(fastApp);
  const listeners: Record<Side, RequestListener> = {
    a: adapter(appOf()),
    b: fastReadsListener(replies, (req, res) => {
      leftToFetch++;
      return general(req, res);
    }),
    bare: adapter(bare),
  };
  const ports = {} as Record<Side, number>;
  for (const [side, listener] of Object.entries(listeners) as [Side, RequestListener][]) {
    const server = createServer(listener);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    ports[side] = (server.address() as AddressInfo).port;
  }
  let cpu = process.cpuUsage();
  process.on('message', (m: ToChild) => {
    // An exit of its own, not a kill: `--cpu-prof` writes its profile then.
    if ('exit' in m) process.exit(0);
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    process.send?.({ cpuUs: used.user + used.system, leftToFetch } satisfies FromChild);
    leftToFetch = 0;
  });
  process.send?.({ ports } satisfies FromChild);
} else {
  const ROUNDS = Number(one('rounds', '6'));
  const SECONDS = Number(one('seconds', '4'));
  const CONNECTIONS = 50;
  const ROUTE = one('route', 'front');
  const SIDES = one('sides', 'a,b,bare').split(',') as Side[];

  const { secret, token, ids } = await seededReads(FILE, 'node-listener-ab');
  const paths: Record<string, (externalId: string) => string> = {
    front: (id) => `/v1/subjects/${id}/tiers?scheme=retail-tier&locale=zh-CN`,
    every: (id) => `/v1/subjects/${id}/tiers`,
    entitlements: (id) => `/v1/subjects/${id}/entitlements`,
    history: (id) => `/v1/subjects/${id}/history`,
    embed: () => '/v1/subjects/C000003/tiers',
  };
  const pathOf = paths[ROUTE];
  if (!pathOf) throw new Error(`--route: one of ${Object.keys(paths).join(', ')}`);
  const readPaths = ids.map((r) => pathOf(r.external_id));
  const barePaths = ids.map((r) => `/bare/${encodeURIComponent(r.id)}`);
  const auth = { Authorization: `Bearer ${ROUTE === 'embed' ? token : secret}` };

  const child = fork(fileURLToPath(import.meta.url), ['--serve', '--db', FILE, '--cache-mb', String(CACHE_MB)], {
    execArgv: ['--import', 'tsx', ...values('child-flag')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies: ((m: FromChild) => void)[] = [];
  child.on('message', (m: FromChild) => replies.shift()?.(m));
  const ask = <T extends FromChild>(message?: ToChild) =>
    new Promise<T>((got) => {
      replies.push(got as (m: FromChild) => void);
      if (message) child.send(message);
    });
  const { ports } = await ask<{ ports: Record<Side, number> }>();

  interface Run {
    readonly us: number;
    readonly rps: number;
    readonly p99: number;
    readonly leftToFetch: number;
  }
  const drive = async (side: Side): Promise<Run> => {
    const list = side === 'bare' ? barePaths : readPaths;
    await ask({ cpu: true });
    const r = await autocannon({
      url: `http://127.0.0.1:${ports[side]}`,
      connections: CONNECTIONS,
      duration: SECONDS,
      headers: side === 'bare' ? {} : auth,
      requests: [{ setupRequest: (req) => ({ ...req, path: list[Math.floor(Math.random() * list.length)] ?? '/' }) }],
    });
    const { cpuUs, leftToFetch } = await ask<{ cpuUs: number; leftToFetch: number }>({ cpu: true });
    if (r.non2xx + r.errors > 0) throw new Error(`${side}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    return { us: cpuUs / r.requests.total, rps: r.requests.average, p99: r.latency.p99, leftToFetch };
  };
  const runs = new Map<Side, Run[]>(SIDES.map((s) => [s, []]));
  try {
    // Warm-up: JIT, the pack, the credential caches.
    for (const side of SIDES) await drive(side);
    for (let round = 0; round < ROUNDS; round++) {
      const order = [...SIDES].sort(() => Math.random() - 0.5);
      for (const side of order) runs.get(side)?.push(await drive(side));
      process.stderr.write(`round ${round + 1}/${ROUNDS}: ${order.join(' ')}\n`);
    }
  } finally {
    const exited = new Promise((done) => child.once('exit', done));
    child.send({ exit: true });
    const timer = setTimeout(() => child.kill(), 30_000);
    await exited;
    clearTimeout(timer);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  const names: Record<Side, string> = {
    a: 'a: app.fetch via @hono/node-server',
    b: 'b: node:http fast listener',
    bare: 'bare Hono + 1 PK SELECT',
  };
  console.log(
    `${ROUTE} (${ROUTE === 'embed' ? 'embed token' : 'API key, random customers'}), read cache ${CACHE_MB} MiB; ${CONNECTIONS} connections, ${SECONDS} s × ${ROUNDS} rounds; server CPU per request, median (range)`,
  );
  for (const side of SIDES) {
    const xs = runs.get(side) ?? [];
    const us = xs.map((r) => r.us);
    console.log(
      `  ${names[side].padEnd(38)} ${Math.round(median(us))} µs (${Math.round(Math.min(...us))}–${Math.round(Math.max(...us))})  ${Math.round(median(xs.map((r) => r.rps)))} req/s, p99 ${median(xs.map((r) => r.p99))} ms`,
    );
  }
  const a = median((runs.get('a') ?? []).map((r) => r.us));
  const b = median((runs.get('b') ?? []).map((r) => r.us));
  const bareUs = median((runs.get('bare') ?? []).map((r) => r.us));
  // The warm-up's first asks verify the credential through the chain; none after it should.
  const left = (runs.get('b') ?? []).reduce((n, r) => n + r.leftToFetch, 0);
  if (runs.has('b')) console.log(`  b left ${left} request(s) of its counted windows to the adapter`);
  if (a && b) console.log(`  b saves ${(((a - b) / a) * 100).toFixed(1)}% of a's CPU per request (medians)`);
  // Round by round, b against the a of the same round: a neighbour's burst falls on both of a pair more often than on two medians.
  const paired = (runs.get('b') ?? []).map((r, i) => r.us / ((runs.get('a') ?? [])[i]?.us ?? Number.NaN)).filter(Number.isFinite);
  if (paired.length) console.log(`  b / a per round: median ${median(paired).toFixed(3)} (${paired.map((x) => x.toFixed(2)).join(', ')})`);
  if (b && bareUs) console.log(`  by CPU, b is ${(bareUs / b).toFixed(2)}× the bare route (a: ${a ? (bareUs / a).toFixed(2) : '—'}×)`);
}
