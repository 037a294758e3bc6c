import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import type { Problem } from '@tierkit/core';
import { sql } from 'kysely';
import { findTenant, replaceMetricCatalogue, type Db, type Executor } from '@tierkit/db';
import { forEachDialect, NOW } from '../support/api-fixture.js';
import { postgresHarness } from '../support/databases.js';
import { hooked } from '../support/hooked-transactions.js';
import { lockWaits } from '../support/pg-lock-waits.js';
import { checkedResponses } from '../support/openapi-responses.js';
import { testPack } from '../support/test-pack.js';

/*
 * A metric removed on one server while a version reading it is submitted (then approved) on another:
 * before, the removal checked "no approved or submitted version reads it" and wrote, and the submission
 * checked "the catalogue has it" and wrote, each beside the other — the version went into force naming
 * a metric that was gone, and every tiers read of the tenant failed (its pack no longer compiled). Both
 * now check and write holding the tenant's row (services/metric-catalogue.ts, `decide`), so one sees
 * the other. Two apps on one database stand for two servers, each with its own cache of packs.
 */

const t = (zhCN: string, zhTW: string, en: string) => ({ 'zh-CN': zhCN, 'zh-TW': zhTW, en });

const metric = (key: string) => ({
  key,
  unit: 'bp',
  label: t('资产负债率', '負債權益比', 'debt-to-equity ratio'),
  subjectKinds: ['corporate'],
  actionable: false,
  audience: 'staff',
});

/** A corporate rating on `key` alone. */
const rating = (scheme: string, key: string) => ({
  key: scheme,
  subjectKind: 'corporate',
  category: 'credit',
  audience: 'staff',
  name: t('对公评级', '對公評級', 'corporate rating'),
  levels: [
    { key: 'B', rank: 0, name: t('B', 'B', 'B'), color: 'warning' },
    { key: 'A', rank: 1, name: t('A', 'A', 'A'), color: 'success' },
  ],
  policy: {
    id: scheme,
    version: 1,
    kind: 'score',
    factors: [
      {
        id: 'leverage',
        metric: key,
        window: null,
        weight: 100,
        transform: {
          kind: 'bands',
          bands: [
            { min: 0, points: 100 },
            { min: 15_000, points: 0 },
          ],
        },
      },
    ],
    bands: [{ level: 'A', min: 60 }],
  },
});

type App = ReturnType<typeof createApp>;

function as(app: App, secret: string) {
  const send = (method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  return {
    get: (path: string) => send('GET', path),
    post: (path: string, body: unknown = {}) => send('POST', path, body),
    put: (path: string, body: unknown) => send('PUT', path, body),
    delete: (path: string) => send('DELETE', path),
  };
}

async function ok<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

async function refused(res: Response, status: number, code: string): Promise<Problem> {
  assert.equal(res.status, status, await res.clone().text());
  const body = (await res.json()) as Problem;
  assert.ok(
    body.errors?.some((e) => e.code === code),
    `${code} in ${JSON.stringify(body)}`,
  );
  return body;
}

interface Tenant {
  officer: string;
  approver: string;
  draft(scheme: string, key: string, app: App): Promise<number>;
  status(app: App, scheme: string, version: number): Promise<string>;
  catalogueHas(key: string): Promise<boolean>;
}

/** A tenant of its own on `db`, with an officer (the author) and an approver (the checker). */
async function tenant(db: Db, id: string): Promise<Tenant> {
  await provisionTenant(db.db, { id, name: id, pack: testPack(), now: NOW });
  const key = async (role: 'officer' | 'approver') => (await createApiKey(db.db, { tenantId: id, role, label: role, now: NOW })).secret;
  const officer = await key('officer');
  const approver = await key('approver');
  return {
    officer,
    approver,
    async draft(scheme, metricKey, app) {
      await ok(await as(app, officer).post('/v1/metrics', metric(metricKey)), 201);
      return (
        await ok<{ version: number }>(
          await as(app, officer).post(`/v1/policies/${scheme}/drafts`, { document: rating(scheme, metricKey) }),
          201,
        )
      ).version;
    },
    async status(app, scheme, version) {
      return (await ok<{ status: string }>(await as(app, officer).get(`/v1/policies/${scheme}/versions/${version}`))).status;
    },
    async catalogueHas(metricKey) {
      return (await findTenant(db.db, id))?.metrics.some((m) => m.key === metricKey) ?? false;
    },
  };
}

const appOn = (db: Db) => checkedResponses(createApp({ db: db.db, now: () => NOW, logError: () => undefined }));

/** Every tiers read of the tenant needs its pack to compile: the 500 the race used to leave. */
async function tiersRead(app: App, secret: string, subject: string): Promise<number> {
  await as(app, secret).put(`/v1/subjects/${subject}`, { kind: 'customer', displayName: '张三' });
  return (await as(app, secret).get(`/v1/subjects/${subject}/tiers`)).status;
}

forEachDialect('a metric’s removal and a version reading it, on two servers, in either order', (f) => {
  let n = 0;
  const next = async () => {
    const id = `cat-order-${++n}`;
    return { id, t: await tenant(f.db, id), a: appOn(f.db), b: appOn(f.db) };
  };

  it('submitted first: the removal on the other server is a 409 metric_in_use naming the scheme, and changes nothing', async () => {
    const { t: tn, a, b } = await next();
    const v = await tn.draft('rating-1', 'dte_1', b);
    await ok(await as(b, tn.officer).post(`/v1/policies/rating-1/versions/${v}/submit`));
    const p = await refused(await as(a, tn.officer).delete('/v1/metrics/dte_1'), 409, 'metric_in_use');
    assert.deepEqual(p.errors?.[0]?.params?.schemes, ['rating-1']);
    assert.ok(await tn.catalogueHas('dte_1'));
    await ok(
      await as(b, tn.approver).post(`/v1/policies/rating-1/versions/${v}/approve`, { contentHash: await hashOf(b, tn, 'rating-1', v) }),
    );
    assert.equal(await tiersRead(a, tn.officer, 'C1'), 200);
  });

  it('removed first: a submission on a server whose packs still hold the metric is a 400 unknown_metric, the version stays a draft', async () => {
    const { t: tn, a, b } = await next();
    const v = await tn.draft('rating-2', 'dte_2', b);
    // The other server has just compiled its packs with the metric in them (trusted for a second).
    await ok(await as(b, tn.officer).get('/v1/policies'));
    await ok(await as(a, tn.officer).delete('/v1/metrics/dte_2'));
    await refused(await as(b, tn.officer).post(`/v1/policies/rating-2/versions/${v}/submit`), 400, 'unknown_metric');
    assert.equal(await tn.status(b, 'rating-2', v), 'draft');
    assert.equal(await tiersRead(b, tn.officer, 'C2'), 200);
  });

  it('an approval checks the catalogue as stored, not its server’s packs: a version whose metric is gone is refused, reads stay whole', async () => {
    const { id, t: tn, b } = await next();
    const v = await tn.draft('rating-3', 'dte_3', b);
    const submitted = await ok<{ contentHash: string }>(await as(b, tn.officer).post(`/v1/policies/rating-3/versions/${v}/submit`));
    // What the race left before (or a database of an earlier release): a submitted version reading a
    // metric the catalogue no longer has, written beside the API as another server did.
    const stored = await findTenant(f.db.db, id);
    assert.ok(stored);
    assert.ok(
      await replaceMetricCatalogue(
        f.db.db,
        id,
        stored.catalogueText,
        stored.metrics.filter((m) => m.key !== 'dte_3'),
      ),
    );
    await ok(await as(b, tn.officer).get('/v1/policies'));
    await refused(
      await as(b, tn.approver).post(`/v1/policies/rating-3/versions/${v}/approve`, { contentHash: submitted.contentHash }),
      400,
      'unknown_metric',
    );
    assert.equal(await tn.status(b, 'rating-3', v), 'submitted');
    assert.equal(await tiersRead(b, tn.officer, 'C3'), 200);
  });
});

async function hashOf(app: App, tn: Tenant, scheme: string, version: number): Promise<string> {
  return (await ok<{ contentHash: string }>(await as(app, tn.officer).get(`/v1/policies/${scheme}/versions/${version}`))).contentHash;
}

/** Whether this PostgreSQL transaction holds a row of `tenants` locked (`SELECT … FOR NO KEY UPDATE` takes ROW SHARE on the table). */
async function holdsTenantRow(trx: Executor): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks
    WHERE pid = pg_backend_pid() AND relation = 'tenants'::regclass AND mode = 'RowShareLock'`.execute(trx);
  return (rows[0]?.n ?? 0) > 0;
}

/**
 * PostgreSQL, the two forced to overlap: one server's request is held inside its transaction (after its
 * checks and its write, before its commit) while the other server's is sent. The second must wait for
 * the first's hold on the tenant's row, then see what the first did.
 */
describe('a metric’s removal and a submission overlapping on two servers [postgres]', () => {
  const harness = postgresHarness();
  let db: Db;
  before(async () => {
    db = await harness.open();
  });
  after(() => harness.stopAll());

  /**
   * An app whose next transaction holding the tenant's row (a submission, an approval, a catalogue
   * change: `lockTenant`) stops before its commit until `release`; `held` once it has. Not merely its
   * next transaction: a write's intent record is appended in a transaction of its own before the route
   * runs, and holding that one (the chain's head, not the tenant) left the two requests to race.
   */
  function holding() {
    let armed = false;
    let release!: () => void;
    let reached!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const held = new Promise<void>((r) => (reached = r));
    const app = appOn(
      hooked(db, {
        inside: async (trx) => {
          if (!armed || !(await holdsTenantRow(trx))) return;
          armed = false;
          reached();
          await gate;
        },
      }),
    );
    return { app, arm: () => (armed = true), held, release };
  }

  it('the removal holding: the submission waits, then is a 400 unknown_metric; the version stays a draft', async () => {
    const tn = await tenant(db, 'overlap-remove');
    const a = holding();
    const b = appOn(db);
    const v = await tn.draft('rating-p1', 'dte_p1', b);
    await ok(await as(b, tn.officer).get('/v1/policies'));
    // Verified once through the held app, so the transaction held is the removal's, not the credential's.
    await ok(await as(a.app, tn.officer).get('/v1/metrics'));
    a.arm();
    const removal = as(a.app, tn.officer).delete('/v1/metrics/dte_p1');
    await a.held;
    const submission = as(b, tn.officer).post(`/v1/policies/rating-p1/versions/${v}/submit`);
    await lockWaits(db.db, 1);
    a.release();
    await ok(await removal);
    await refused(await submission, 400, 'unknown_metric');
    assert.equal(await tn.status(b, 'rating-p1', v), 'draft');
    assert.ok(!(await tn.catalogueHas('dte_p1')));
    assert.equal(await tiersRead(b, tn.officer, 'P1'), 200);
  });

  it('the submission holding: the removal waits, then is a 409 metric_in_use; the metric stays', async () => {
    const tn = await tenant(db, 'overlap-submit');
    const b = holding();
    const a = appOn(db);
    const v = await tn.draft('rating-p2', 'dte_p2', a);
    // Verified once through the held app, so the transaction held is the submission's, not the credential's.
    await ok(await as(b.app, tn.officer).get('/v1/metrics'));
    b.arm();
    const submission = Promise.resolve(as(b.app, tn.officer).post(`/v1/policies/rating-p2/versions/${v}/submit`));
    // Before this change a submission ran in no transaction: it would answer without ever being held.
    const first = await Promise.race([b.held.then(() => 'held'), submission.then(() => 'answered')]);
    assert.equal(first, 'held', 'the submission checks and writes inside a transaction');
    const removal = as(a, tn.officer).delete('/v1/metrics/dte_p2');
    await lockWaits(db.db, 1);
    b.release();
    await ok(await submission);
    const p = await refused(await removal, 409, 'metric_in_use');
    assert.deepEqual(p.errors?.[0]?.params?.schemes, ['rating-p2']);
    assert.ok(await tn.catalogueHas('dte_p2'));
    await ok(
      await as(a, tn.approver).post(`/v1/policies/rating-p2/versions/${v}/approve`, { contentHash: await hashOf(a, tn, 'rating-p2', v) }),
    );
    assert.equal(await tiersRead(a, tn.officer, 'P2'), 200);
  });

  it('two admins deciding one audience request on two servers: the second waits, then is a 409 already_decided; applied once', async () => {
    const tn = await tenant(db, 'overlap-audience');
    const admin = async (label: string) =>
      (await createApiKey(db.db, { tenantId: 'overlap-audience', role: 'admin', label, now: NOW })).secret;
    const [maker, first, second] = [await admin('maker'), await admin('first checker'), await admin('second checker')];
    const a = holding();
    const b = appOn(db);
    await ok(await as(b, tn.officer).post('/v1/metrics', metric('dte_aud')), 201);
    const { key: _k, ...amendment } = metric('dte_aud');
    const filed = (
      await ok<{ request: { id: string; contentHash: string } }>(
        await as(b, maker).put('/v1/metrics/dte_aud', { ...amendment, audience: 'customer', reason: '按客户等级规则需要' }),
        202,
      )
    ).request;
    // Verified once through the held app, so the transaction held is the decision's, not the credential's.
    await ok(await as(a.app, first).get('/v1/metric-audience-requests'));
    a.arm();
    const approval = as(a.app, first).post(`/v1/metric-audience-requests/${filed.id}/approve`, { contentHash: filed.contentHash });
    await a.held;
    const rejection = as(b, second).post(`/v1/metric-audience-requests/${filed.id}/reject`, {
      contentHash: filed.contentHash,
      note: '同时',
    });
    await lockWaits(db.db, 1);
    a.release();
    assert.equal((await ok<{ status: string }>(await approval)).status, 'approved');
    await refused(await rejection, 409, 'already_decided');
    const stored = (await findTenant(db.db, 'overlap-audience'))?.metrics.find((m) => m.key === 'dte_aud');
    assert.equal(stored?.audience, undefined, 'customer-facing, as the one decision said');
  });
});
