// PostgreSQL restarts, fails over or drops off the network under a running API server. Its callers —
// a bank's backend, the load balancer's health check — must be told to come back (503 with
// Retry-After), not that the server broke (500), and once the database is back the same server
// answers without a restart. The outage is a TCP proxy between the app and a real PostgreSQL: it cuts
// every open connection and refuses new ones, as a database restarting does.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { sql } from 'kysely';
import { connect, migrateToLatest, type Db } from '@tierkit/db';
import { databaseTimeoutsFromEnv } from '@tierkit/ops';
import { NOW } from '../support/api-fixture.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { testPack } from '../support/test-pack.js';

/** A proxy to `target` that can be taken down (cutting every connection) and brought back on its port. */
function outageProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const up = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connectTcp(Number(target.port), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server!.address();
        port = typeof address === 'object' && address ? address.port : 0;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server!.close(() => resolve());
    });
  return { up, down, port: () => port };
}

let pg: TestPostgres;
let direct: Db;
let directUrl = '';
let proxiedUrl = '';
let viaProxy: Db;
let proxy: ReturnType<typeof outageProxy>;
let app: ReturnType<typeof createApp>;
let headers: Record<string, string>;

before(async () => {
  pg = await startPostgres();
  const url = new URL(await pg.createDatabase(`tierkit_unavailable_${process.pid}`, { migrated: true }));
  directUrl = url.toString();
  direct = connect({ url: directUrl });
  await migrateToLatest(direct.db);
  await provisionTenant(direct.db, { id: 'bank-a', name: 'bank-a', pack: testPack(), now: NOW });
  const { secret } = await createApiKey(direct.db, { tenantId: 'bank-a', role: 'officer', label: 'ops', now: NOW });
  headers = { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' };
  proxy = outageProxy(url);
  await proxy.up();
  const through = new URL(url);
  through.port = String(proxy.port());
  proxiedUrl = through.toString();
  viaProxy = connect({ url: proxiedUrl, onConnectionLost: () => undefined });
  // No credential cache: every request asks the database, as a first request after an outage does.
  app = createApp({ db: viaProxy.db, now: () => NOW, credentialCacheSeconds: 0, logError: () => undefined });
});
after(async () => {
  await viaProxy?.close();
  await proxy?.down();
  await direct?.close();
  await pg?.stop();
});

const putSubject = (id: string) =>
  app.request(`/v1/subjects/${id}`, { method: 'PUT', headers, body: JSON.stringify({ kind: 'customer', displayName: '王芳' }) });

it('answers 503 database-unavailable with Retry-After while PostgreSQL is down, and serves again once it is back', async () => {
  assert.equal((await putSubject('DU1')).status, 201);
  assert.equal((await app.request('/healthz')).status, 200);

  await proxy.down();
  for (const [what, res] of [
    ['a write', await putSubject('DU2')],
    ['a read', await app.request('/v1/subjects/DU1/tiers', { headers })],
    ['the health check', await app.request('/healthz')],
  ] as const) {
    assert.equal(res.status, 503, `${what}: ${await res.clone().text()}`);
    assert.equal(res.headers.get('Retry-After'), '5', what);
    const problem = (await res.json()) as { type: string; detail: string };
    assert.ok(problem.type.endsWith('/database-unavailable'), `${what}: ${problem.type}`);
    assert.match(problem.detail, /cannot be reached/);
  }

  await proxy.up();
  assert.equal((await app.request('/healthz')).status, 200);
  assert.equal((await app.request('/v1/subjects/DU1/tiers', { headers })).status, 200);
  assert.equal((await putSubject('DU2')).status, 201, 'the write refused during the outage goes through now');
  const written = await direct.db
    .selectFrom('subjects')
    .select('external_id')
    .where('tenant_id', '=', 'bank-a')
    .orderBy('external_id')
    .execute();
  assert.deepEqual(
    written.map((s) => s.external_id),
    ['DU1', 'DU2'],
  );
});

it('logs the outage once, however many requests it fails, and once more when the database is back', { timeout: 30_000 }, async () => {
  // Every request used to log "unexpected error" with a stack, and nothing said when it was over.
  const watched = connect({ url: proxiedUrl, onConnectionLost: () => undefined });
  const logged: unknown[] = [];
  const watchedApp = createApp({ db: watched.db, now: () => NOW, credentialCacheSeconds: 0, logError: (e) => logged.push(e) });
  try {
    assert.equal((await watchedApp.request('/healthz')).status, 200);
    await proxy.down();
    for (let i = 0; i < 5; i++) assert.equal((await watchedApp.request('/v1/subjects/DU1/tiers', { headers })).status, 503);
    assert.equal((await watchedApp.request('/healthz')).status, 503);
    assert.equal(logged.length, 1, `one line for the outage: ${logged.map(String).join(' | ')}`);
    assert.match(String(logged[0]), /^database unreachable \(retrying every 5 s\): /);
    assert.doesNotMatch(String(logged[0]), /unexpected error/);
    await proxy.up();
    // No request needed: the watch asks the database itself every 5 s.
    const deadline = Date.now() + 12_000;
    while (logged.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(String(logged[1]), /^database reachable again after \d+ s$/);
    assert.equal((await watchedApp.request('/v1/subjects/DU1/tiers', { headers })).status, 200);
    // Back at the watch's first probe: the error that began it follows with its stack, since an
    // outage that short may have been a session cut for a reason worth reading (outage.ts).
    assert.equal(logged.length, 3, `no more lines: ${logged.map(String).join(' | ')}`);
    assert.match(String(logged[2]), /^the error that began it: /);
  } finally {
    await watched.close();
  }
});

it('answers 503 when the database host accepts a connection and then says nothing, once the connect timeout passes', {
  timeout: 30_000,
}, async () => {
  // A failover that drops packets: the TCP connection opens (or hangs), PostgreSQL never answers.
  const held = new Set<Socket>();
  const silent = createServer((socket) => {
    held.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const mute = connect({ url: `postgres://tierkit@127.0.0.1:${port}/tierkit`, connectTimeoutMs: 300, onConnectionLost: () => undefined });
  const mutedApp = createApp({ db: mute.db, now: () => NOW, credentialCacheSeconds: 0, logError: () => undefined });
  try {
    for (const [what, res] of [
      ['the health check', await mutedApp.request('/healthz')],
      ['a read', await mutedApp.request('/v1/subjects/DU1/tiers', { headers })],
    ] as const) {
      assert.equal(res.status, 503, `${what}: ${await res.clone().text()}`);
      assert.equal(res.headers.get('Retry-After'), '5', what);
    }
  } finally {
    await mute.close();
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});

/** A proxy to `target` that can stop forwarding without closing anything: a partition, no reset. */
function blackHoleProxy(target: URL) {
  let holing = false;
  const server = createServer((client) => {
    const upstream = connectTcp(Number(target.port), target.hostname);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on('data', (chunk: Buffer) => {
        if (!holing) to.write(chunk);
      });
      from.on('error', () => undefined);
      from.on('close', () => to.destroy());
    }
  });
  return {
    listen: () =>
      new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port))),
    hole: (on: boolean) => {
      holing = on;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

it('answers 503 database-unavailable when the database host goes silent mid-use, and serves again once it answers', {
  timeout: 60_000,
}, async () => {
  const url = new URL(await pg.createDatabase(`tierkit_silent_${process.pid}`, { migrated: true }));
  const setup = connect({ url: url.toString() });
  await migrateToLatest(setup.db);
  await provisionTenant(setup.db, { id: 'bank-a', name: 'bank-a', pack: testPack(), now: NOW });
  const { secret } = await createApiKey(setup.db, { tenantId: 'bank-a', role: 'officer', label: 'ops', now: NOW });
  await setup.close();
  const auth = { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' };
  const proxy = blackHoleProxy(url);
  const through = new URL(url);
  through.port = String(await proxy.listen());
  // A short statement timeout so the test waits seconds: the process gives up on an answer that long
  // plus its margin after it sent a query into the silence.
  const silent = connect({ url: through.toString(), statementTimeoutMs: 500, connectTimeoutMs: 1000, onConnectionLost: () => undefined });
  const silentApp = createApp({ db: silent.db, now: () => NOW, credentialCacheSeconds: 0, logError: () => undefined });
  const put = (id: string) =>
    silentApp.request(`/v1/subjects/${id}`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ kind: 'customer', displayName: '李娜' }),
    });
  try {
    assert.equal((await put('BH1')).status, 201, 'the pool has open connections through the proxy');
    proxy.hole(true);
    for (const [what, res] of [
      ['a read', await silentApp.request('/v1/subjects/BH1/tiers', { headers: auth })],
      ['a write', await put('BH2')],
    ] as const) {
      assert.equal(res.status, 503, `${what}: ${await res.clone().text()}`);
      assert.equal(res.headers.get('Retry-After'), '5', what);
      assert.match(res.headers.get('Content-Type') ?? '', /^application\/problem\+json/);
      assert.ok(((await res.json()) as { type: string }).type.endsWith('/database-unavailable'), what);
    }
    proxy.hole(false);
    assert.equal((await silentApp.request('/v1/subjects/BH1/tiers', { headers: auth })).status, 200, 'serving again');
    assert.equal((await put('BH2')).status, 201, 'the write refused in the silence goes through now');
  } finally {
    await silent.close();
    await proxy.close();
  }
});

it('answers 503 database-busy when a statement runs past the statement timeout, and changes nothing', { timeout: 60_000 }, async () => {
  const slow = connect({ url: directUrl, statementTimeoutMs: 300 });
  const slowApp = createApp({ db: slow.db, now: () => NOW, credentialCacheSeconds: 0, logError: () => undefined });
  assert.equal((await putSubject('SB1')).status, 201);
  try {
    // Another session holds the subject's row locked, as a long import does: the write waits on it.
    await direct.db.transaction().execute(async (trx) => {
      await sql`SELECT 1 FROM subjects WHERE external_id = 'SB1' FOR UPDATE`.execute(trx);
      const res = await slowApp.request('/v1/subjects/SB1', {
        method: 'PUT',
        headers,
        body: JSON.stringify({ kind: 'customer', displayName: '已改' }),
      });
      assert.equal(res.status, 503, await res.clone().text());
      assert.ok(((await res.json()) as { type: string }).type.endsWith('/database-busy'));
    });
    const row = await direct.db.selectFrom('subjects').select('display_name').where('external_id', '=', 'SB1').executeTakeFirstOrThrow();
    assert.equal(row.display_name, '王芳', 'nothing changed');
  } finally {
    await slow.close();
  }
});

it('sets the statement and idle-in-transaction timeouts on every session: seconds for requests, minutes for reports and batch work', async () => {
  for (const [use, expected] of [
    ['requests', '10s'],
    ['reports', '5min'],
    ['batch', '30min'],
  ] as const) {
    const db = connect({ url: directUrl, ...databaseTimeoutsFromEnv(use, {}) });
    try {
      const shown = await sql<{
        s: string;
        i: string;
      }>`SELECT current_setting('statement_timeout') AS s, current_setting('idle_in_transaction_session_timeout') AS i`.execute(db.db);
      assert.deepEqual(shown.rows[0], { s: expected, i: '1min' }, use);
    } finally {
      await db.close();
    }
  }
});

it('runs the report routes on their own pool, whose longer statement timeout a report waiting past the request timeout stays within', {
  timeout: 60_000,
}, async () => {
  // 300 ms stands in for a request's 10 s; the report pool allows 10 s here (5 minutes in the server).
  const requests = connect({ url: directUrl, statementTimeoutMs: 300 });
  const reports = connect({ url: directUrl, statementTimeoutMs: 10_000 });
  const options = { reportDb: reports.db };
  const reportApp = createApp({ db: requests.db, ...options, now: () => NOW, credentialCacheSeconds: 0, logError: () => undefined });
  try {
    // The matrix's one statement over the book takes longer than a request's limit: here because a
    // migration holds the table for a second, on a large book because it is large.
    const { matrix } = await direct.db.transaction().execute(async (trx) => {
      await sql`LOCK TABLE assignments IN ACCESS EXCLUSIVE MODE`.execute(trx);
      const matrix = Promise.resolve(reportApp.request('/v1/matrix/risk-value-test', { headers }));
      await sql`SELECT pg_sleep(1)`.execute(trx);
      return { matrix };
    });
    const res = await matrix;
    assert.equal(res.status, 200, await res.clone().text());
  } finally {
    await requests.close();
    await reports.close();
  }
});
