// On SQLite the tenant-wide subject lists by gap (and within `nearNext`) and the analytics reports run in reader processes
// (`HeavyReads`, docs/operations.md "SQLite: what runs where"): the same rows as on the server's
// thread, /healthz answered while one runs, 503 with a code and Retry-After past the limit, when the
// readers are busy or one dies — and the server serving on. SQLite only: PostgreSQL has no such
// readers (its pool never holds the thread); its behaviour is tests/api/subject-near-next.test.ts's.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createApp, mintStaffToken, provisionTenant } from '@tierkit/api';
import { HeavyReads, type Db } from '@tierkit/db';
import { sql } from 'kysely';
import { client, NOW, type ApiFixture } from '../support/api-fixture.js';
import { sqliteHarness } from '../support/databases.js';
import { checkedResponses } from '../support/openapi-responses.js';
import { problem } from '../support/problems.js';
import { testPack } from '../support/test-pack.js';

const flat = (yuan: number, ...months: string[]) => months.map((p) => [p, yuan] as [string, number]);
const Q3 = ['2025-08', '2025-09', '2025-10'];
const NEAR = '/v1/subjects?scheme=retail-tier&nearNext=5000000&currency=CNY';
/** Customers of the big tenant: enough that its list by gap takes far longer than the probes below. */
const BIG = 200_000;
/** The analytics reports, each of which counts in a reader. */
const REPORTS = [
  '/v1/analytics/distribution?scheme=retail-tier&from=2025-08&to=2025-10',
  '/v1/analytics/migration?scheme=retail-tier&from=2025-08&to=2025-10',
  '/v1/analytics/rates?scheme=retail-tier&from=2025-08&to=2025-10',
  '/v1/analytics/effect?scheme=retail-tier&period=2025-09&direction=up&months=1',
];
/** A read that runs for minutes unless stopped. */
const SLOW = sql`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 10000000000) SELECT count(*) AS n FROM c`;

/** `BIG` customers in retail-tier, three in four with a money gap, written by SQLite itself (as bench/api/call-lists.bench.ts). */
async function seedBig(db: Db['db'], tenant: string): Promise<void> {
  const at = NOW.toISOString();
  const series = sql`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${BIG - 1}) SELECT i FROM n`;
  await sql`INSERT INTO subjects (id, tenant_id, external_id, kind, display_name, attributes, created_at, updated_at)
    SELECT 'big' || i, ${tenant}, 'B' || substr('000000000' || i, -9), 'customer', '测试', '{}', ${at}, ${at} FROM (${series})`.execute(db);
  await sql`INSERT INTO assignments (tenant_id, subject_id, scheme, level, rank, periods_below, base_level, base_periods_below,
      previous_level, explanation, progress, retention, approval_required, policy_version, period, evaluated_at, next_gap, grace_left)
    SELECT ${tenant}, 'big' || i, 'retail-tier', 'standard', 0, 0, NULL, 0, 'standard', '{"pad":"' || printf('%.300c', 'x') || '"}',
      NULL, NULL, 0, 1, '2025-10', ${at}, CASE WHEN i % 4 = 3 THEN NULL ELSE (i * 37) % 150000 * 1000 END, NULL
    FROM (${series})`.execute(db);
}

describe('heavy reads on SQLite', () => {
  const harness = sqliteHarness();
  let db: Db;
  let file = '';
  let heavy: HeavyReads;
  /** The app as before: every query on the server's thread. */
  const plain = {} as ApiFixture;
  /** The app with reader processes. */
  const offloaded = {} as ApiFixture;
  let big = '';
  let rm = '';

  before(async () => {
    db = await harness.open();
    file = (await sql<{ file: string }>`PRAGMA database_list`.execute(db.db)).rows[0]?.file ?? '';
    for (const id of ['bank-a', 'bank-b', 'bank-big']) await provisionTenant(db.db, { id, name: id, pack: testPack(), now: NOW });
    const key = async (tenantId: string) => (await createApiKey(db.db, { tenantId, role: 'admin', label: 'test', now: NOW })).secret;
    const keys = { a: await key('bank-a'), b: await key('bank-b'), roles: {} as ApiFixture['keys']['roles'] };
    big = await key('bank-big');
    heavy = new HeavyReads(file);
    Object.assign(plain, { db, keys, app: checkedResponses(createApp({ db: db.db, now: () => NOW, logError: () => undefined })) });
    Object.assign(offloaded, {
      db,
      keys,
      app: checkedResponses(createApp({ db: db.db, now: () => NOW, logError: () => undefined, heavyReads: heavy.db })),
    });
    const admin = client(plain);
    for (const [id, yuan] of [
      ['N1', 40_000],
      ['N2', 280_000],
      ['N3', 260_000],
      ['N4', 200_000],
      ['N5', 1_600_000],
      ['N6', 0],
    ] as const) {
      await admin.customer(id, '陶怡');
      for (const e of flat(yuan, ...Q3)) assert.equal((await admin.balances(id, [e])).status, 200);
    }
    await client(plain, 'b').customer('N7', '陶怡');
    for (const e of flat(45_000, ...Q3)) assert.equal((await client(plain, 'b').balances('N7', [e])).status, 200);
    assert.equal((await admin.put('/v1/staff/RMN', { name: '王芳', role: 'officer', scope: 'book' })).status, 201);
    for (const id of ['N1', 'N3', 'N4']) assert.equal((await admin.put(`/v1/subjects/${id}/manager`, { manager: 'RMN' })).status, 200);
    rm = (await mintStaffToken(db.db, { tenantId: 'bank-a', staffId: 'RMN', now: NOW })).token;
    await seedBig(db.db, 'bank-big');
    await heavy.whenReady();
  });
  after(async () => {
    await heavy.close();
    await harness.stopAll();
  });

  it('answers the same pages as on the server’s thread, for each tenant and credential', async () => {
    for (const [as, path] of [
      ['a', `${NEAR}&sort=gap`],
      ['a', NEAR],
      ['a', '/v1/subjects?scheme=retail-tier&sort=gap&limit=100'],
      ['a', `${NEAR}&sort=gap&limit=2`],
      ['a', `${NEAR}&sort=gap&levelOf=retail-tier`],
      ['b', `${NEAR}&sort=gap`],
      ['rm', `${NEAR}&sort=gap`],
      ['big', `${NEAR}&sort=gap&limit=20`],
    ] as const) {
      const who = as === 'rm' ? () => rm : as === 'big' ? () => big : as;
      const before = await client(plain, who).get(path);
      const now = await client(offloaded, who).get(path);
      assert.equal(now.status, 200, path);
      assert.deepEqual(await now.json(), await before.json(), `${as} ${path}`);
    }
    const first = (await (await client(offloaded).get(`${NEAR}&sort=gap&limit=2`)).json()) as { nextCursor: string };
    const rest = (await (await client(offloaded).get(`${NEAR}&sort=gap&limit=2&cursor=${first.nextCursor}`)).json()) as {
      items: { id: string }[];
    };
    assert.deepEqual(
      rest.items.map((s) => s.id),
      ['N3', 'N6'],
    );
  });

  it('the analytics reports answer as they did on the server’s thread', async () => {
    for (const path of REPORTS) {
      const before = await client(plain).get(path);
      const now = await client(offloaded).get(path);
      assert.equal(now.status, 200, path);
      const body = await now.json();
      assert.deepEqual(body, await before.json(), path);
      if (path.includes('distribution')) assert.ok(JSON.stringify(body).includes('gold'), 'a report with customers in it');
    }
  });

  it('a write answered before the list was asked is in it', async () => {
    const admin = client(offloaded);
    await admin.customer('N8', '陶怡');
    for (const e of flat(49_000, ...Q3)) assert.equal((await admin.balances('N8', [e])).status, 200);
    const page = (await (await admin.get(`${NEAR}&sort=gap`)).json()) as { items: { id: string }[] };
    assert.deepEqual(
      page.items.map((s) => s.id),
      ['N8', 'N1', 'N2', 'N3', 'N6'],
    );
  });

  it('answers /healthz and a customer’s read while a tenant-wide list by gap runs', async () => {
    let ended = false;
    const list = Promise.resolve(client(offloaded, () => big).get('/v1/subjects?scheme=retail-tier&sort=gap')).finally(() => {
      ended = true;
    });
    // A timer, then the probes: on the server's thread the list would hold both until it ended.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const health = await offloaded.app.request('/healthz');
    assert.equal(health.status, 200);
    assert.equal((await client(offloaded).get('/v1/subjects/N1/tiers')).status, 200);
    assert.ok(!ended, 'answered before the list ended');
    assert.equal((await list).status, 200);
  });

  it('past the limit: 503 heavy-read-timeout with Retry-After; the server goes on and a new reader takes the stopped one’s place', async () => {
    const quick = new HeavyReads(file, { timeoutMs: 50 });
    try {
      await quick.whenReady();
      const [stopped] = quick.pids;
      const app = checkedResponses(createApp({ db: db.db, now: () => NOW, logError: () => undefined, heavyReads: quick.db }));
      const res = await app.request('/v1/subjects?scheme=retail-tier&sort=gap', { headers: { Authorization: `Bearer ${big}` } });
      const body = await problem(res, 503);
      assert.match(body.type, /\/heavy-read-timeout$/);
      // The configured 50 ms in whole seconds, rounded up — not the default limit's 30.
      assert.equal(res.headers.get('Retry-After'), '1');
      assert.equal((await app.request('/healthz')).status, 200);
      assert.equal((await client({ ...offloaded, app }).get('/v1/subjects/N1/tiers')).status, 200, 'the server goes on serving');
      // Not a heavy read through `quick`: 50 ms bounds it too, and on the loaded shared machine a
      // six-customer list took longer (heavy-reads.test.ts answers a read from the new process).
      await quick.whenReady();
      assert.notEqual(quick.pids[0], stopped, 'a new reader took the stopped one’s place');
    } finally {
      await quick.close();
    }
  });

  it('readers busy: 503 heavy-reads-busy; a book’s list and /healthz stay on the fast path', async () => {
    const one = new HeavyReads(file, { processes: 1, queue: 0, timeoutMs: 120_000 });
    const app = checkedResponses(createApp({ db: db.db, now: () => NOW, logError: () => undefined, heavyReads: one.db }));
    const fixture = { ...offloaded, app };
    try {
      await one.whenReady();
      const held = SLOW.execute(one.db).catch((err: unknown) => err);
      const busy = await client(fixture).get(`${NEAR}&sort=gap`);
      assert.match((await problem(busy, 503)).type, /\/heavy-reads-busy$/);
      assert.equal(busy.headers.get('Retry-After'), '5');
      // Every report counts in the reader: with it held and no room to wait, each is refused. (The
      // equality test above passes on the server's thread too; this one does not.)
      for (const report of REPORTS)
        assert.match(
          (await problem(await client(fixture).get(report), 503)).type,
          /\/heavy-reads-busy$/,
          `${report} waits for a reader too`,
        );
      assert.equal((await app.request('/healthz')).status, 200);
      const mine = await client(fixture, () => rm).get(`${NEAR}&sort=gap`);
      assert.equal(mine.status, 200);
      assert.deepEqual(
        ((await mine.json()) as { items: { id: string }[] }).items.map((s) => s.id),
        ['N1', 'N3'],
      );
      assert.equal((await client(fixture).get(`${NEAR}&sort=gap&manager=RMN`)).status, 200);
      assert.equal((await client(fixture).get('/v1/subjects?scheme=retail-tier&grace=true&sort=monthsLeft')).status, 200);
      await one.close();
      await held;
    } finally {
      await one.close();
    }
  });

  it('a reader that cannot start: 503 heavy-read-failed at once with Retry-After, logged once by the readers, not per request', async () => {
    const lines: string[] = [];
    const logged: unknown[] = [];
    // Its file gone; the default 30 s bound, which a read waiting for this reader would wait out.
    const broken = new HeavyReads(join(dirname(file), 'gone.db'), { log: (line) => lines.push(line) });
    const app = checkedResponses(createApp({ db: db.db, now: () => NOW, logError: (e) => logged.push(e), heavyReads: broken.db }));
    const fixture = { ...offloaded, app };
    try {
      for (let i = 0; i < 300 && lines.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(lines.length, 1, 'the readers said they cannot start');
      for (const path of [`${NEAR}&sort=gap`, REPORTS[0] ?? '']) {
        const res = await client(fixture).get(path);
        assert.match((await problem(res, 503)).type, /\/heavy-read-failed$/, path);
        assert.match(res.headers.get('Retry-After') ?? '', /^[1-9]\d*$/);
      }
      assert.equal(logged.length, 0, 'not a log line per request');
      assert.equal(lines.length, 1);
      assert.equal((await app.request('/healthz')).status, 200);
      assert.equal((await client(fixture, () => rm).get(`${NEAR}&sort=gap`)).status, 200, 'a book’s list does not need a reader');
    } finally {
      await broken.close();
    }
  });

  it('a reader killed mid-read: 503 heavy-read-failed, logged; the server goes on and the next list is answered', async () => {
    const logged: unknown[] = [];
    const app = checkedResponses(createApp({ db: db.db, now: () => NOW, logError: (e) => logged.push(e), heavyReads: heavy.db }));
    const asked = app.request('/v1/subjects?scheme=retail-tier&sort=gap', { headers: { Authorization: `Bearer ${big}` } });
    // Killed once the read is on the reader, as the operating system's out-of-memory killer would.
    for (let i = 0; i < 500 && heavy.inFlight === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    process.kill(heavy.pids[0] ?? 0, 'SIGKILL');
    const res = await asked;
    assert.match((await problem(res, 503)).type, /\/heavy-read-failed$/);
    assert.equal(logged.length, 1);
    assert.equal((await app.request('/healthz')).status, 200);
    await heavy.whenReady();
    assert.equal((await app.request(`${NEAR}&sort=gap`, { headers: { Authorization: `Bearer ${offloaded.keys.a}` } })).status, 200);
  });
});
