// A policy simulation over a seeded book, both ways: `POST …/simulate` in one request (its bound
// lifted) and `POST …/simulations` as a job drained by one in-process worker (packages/api README,
// "Simulation as a job"). Usage: tierkit seed --customers 100000 --database FILE, then
//   node --import tsx bench/simulation/simulation-job.bench.ts FILE [SCHEME]
import { loadavg } from 'node:os';
import { createApiKey, createApp, drainJobs, type JobView } from '@tierkit/api';
import type { PolicySimulation } from '@tierkit/core';
import { connect } from '@tierkit/db';

const [file, scheme = 'retail-tier'] = process.argv.slice(2);
if (!file) throw new Error('usage: simulation-job.bench.ts DATABASE_FILE [SCHEME]');
const db = connect({ url: file });
const tenant = (await db.db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id;
const app = createApp({ db: db.db, syncSimulationMaxSubjects: Number.MAX_SAFE_INTEGER, logError: console.error });
const key = async (role: 'officer' | 'analyst') => (await createApiKey(db.db, { tenantId: tenant, role, label: `bench ${role}` })).secret;
const [officer, analyst] = [await key('officer'), await key('analyst')];
const post = (secret: string, path: string, body: unknown) =>
  app.request(path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
const draft = (await (await post(officer, `/v1/policies/${scheme}/drafts`, {})).json()) as { version: number };
const base = `/v1/policies/${scheme}/versions/${draft.version}`;

console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
let t = performance.now();
const syncRes = await post(analyst, `${base}/simulate`, {});
if (syncRes.status !== 200) throw new Error(`simulate: ${syncRes.status} ${await syncRes.text()}`);
const sync = (await syncRes.json()) as PolicySimulation;
const syncMs = performance.now() - t;
console.log(`synchronous: ${(syncMs / 1000).toFixed(1)} s, ${sync.total} planned`);

t = performance.now();
const queued = (await (await post(analyst, `${base}/simulations`, {})).json()) as JobView;
const queuedMs = performance.now() - t;
await drainJobs({ db: db.db });
const jobMs = performance.now() - t;
const res = await app.request(`/v1/jobs/${queued.id}`, { headers: { Authorization: `Bearer ${analyst}` } });
const job = (await res.json()) as JobView;
console.log(
  `job: queued in ${(queuedMs / 1000).toFixed(1)} s (${queued.progress.chunks.total} chunks), completed in ${(jobMs / 1000).toFixed(1)} s, ${job.status}, ${job.simulation?.result.total} planned; same result: ${JSON.stringify(job.simulation?.result) === JSON.stringify(sync)}`,
);
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
await db.close();
