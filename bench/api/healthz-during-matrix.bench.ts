// `/healthz` latency while one caller asks for the portfolio matrix in a loop (10,000 customers, SQLite,
// where the matrix query runs synchronously and holds the event loop). Three phases in the same run:
// idle, a burst with matrix sharing off (`matrixCacheSeconds: 0`, every request runs the query), and the
// same burst with the default sharing. Requests go over HTTP to a real server on a free port, so the
// probes wait behind whatever holds the event loop. Rate limits are off so only the query's cost is
// measured. Prints, never asserts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApiKey, createApp } from '@tierkit/api';
import { seedDemo, openDatabase } from '@tierkit/server';

const CUSTOMERS = 10_000;
const BURST = 100; // matrix requests per phase
const CONCURRENCY = 8; // the flooder keeps this many in flight
const PROBE_EVERY_MS = 5;

const dir = mkdtempSync(join(tmpdir(), 'tierkit-bench-api-'));
const db = await openDatabase(join(dir, 'bench.db'));
try {
  await seedDemo(db.db, {
    tenantId: 'demo',
    customers: CUSTOMERS,
    corporates: 0,
    products: 0,
    employees: 0,
    endPeriod: '2025-10',
    months: 1,
  });
  const { secret } = await createApiKey(db.db, { tenantId: 'demo', role: 'viewer', label: 'bench' });
  const auth = { headers: { Authorization: `Bearer ${secret}` } };

  const quantile = (xs: number[], q: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  };
  const fmt = (ms: number) => `${ms.toFixed(1).padStart(6)} ms`;

  /** Serve `app` on a free port while `body` runs. */
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

  /** Probe /healthz every few ms while `load` runs; returns the probes' latencies and the load's duration. */
  async function phase(url: string, load: () => Promise<void>) {
    const latencies: number[] = [];
    const pending: Promise<void>[] = [];
    const probe = setInterval(() => {
      const t0 = performance.now();
      pending.push(
        fetch(`${url}/healthz`).then(async (r) => {
          await r.arrayBuffer();
          latencies.push(performance.now() - t0);
        }),
      );
    }, PROBE_EVERY_MS);
    const t0 = performance.now();
    await load();
    const took = performance.now() - t0;
    clearInterval(probe);
    await Promise.all(pending);
    return { latencies, took };
  }

  async function flood(url: string) {
    let left = BURST;
    const worker = async () => {
      while (left-- > 0) {
        const r = await fetch(`${url}/v1/matrix/risk-value`, auth);
        if (r.status !== 200) throw new Error(`matrix answered ${r.status}`);
        await r.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }

  const shared = createApp({ db: db.db, rateLimit: false });
  const unshared = createApp({ db: db.db, rateLimit: false, matrixCacheSeconds: 0 });
  const rows: [string, { latencies: number[]; took: number }][] = [
    ['idle', await served(shared, (url) => phase(url, () => new Promise((r) => setTimeout(r, 1000))))],
    ['burst, every request queries', await served(unshared, (url) => phase(url, () => flood(url)))],
    ['burst, results shared (default)', await served(shared, (url) => phase(url, () => flood(url)))],
  ];
  console.log(
    `${CUSTOMERS.toLocaleString('en')} customers, ${BURST} matrix requests, ${CONCURRENCY} in flight; /healthz probed every ${PROBE_EVERY_MS} ms`,
  );
  console.log('phase                             probes   p50        p95        max        burst took');
  for (const [name, r] of rows) {
    console.log(
      `${name.padEnd(33)} ${String(r.latencies.length).padStart(6)}  ${fmt(quantile(r.latencies, 0.5))}  ${fmt(quantile(r.latencies, 0.95))}  ${fmt(Math.max(...r.latencies))}  ${name === 'idle' ? '' : fmt(r.took)}`,
    );
  }
  const [, unsharedRun] = rows[1] ?? [];
  const [, sharedRun] = rows[2] ?? [];
  if (unsharedRun && sharedRun) {
    console.log(
      `p95 /healthz during the burst: ${(quantile(unsharedRun.latencies, 0.95) / quantile(sharedRun.latencies, 0.95)).toFixed(1)}x lower with shared results`,
    );
  }
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
