import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import { createApp, drainJobs } from '@tierkit/api';
import type { MatrixResponse } from '@tierkit/core';
import { connect } from '@tierkit/db';
import { sql } from 'kysely';
import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';
import { hooked } from '../support/hooked-transactions.js';

/*
 * The subject list of a matrix cell the matrix has just counted 0 in answers from the counts while
 * the data version they were read at still holds (services/matrix-cells.ts), and reads the database
 * again after any write — by this server, by another (a second app on the same database, whose
 * writes drop nothing this one keeps), or by a re-tier job run outside either.
 */

const Q3 = ['2025-08', '2025-09', '2025-10'] as const;
const CELL = '/v1/subjects?scheme=risk-value-test&row=high&col=platinum';

forEachDialect('the subject list of an empty matrix cell', (f) => {
  /** SQL texts of the first app's queries, to tell whether a list read the assignments. */
  const seen: string[] = [];
  const noting: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      seen.push(f.db.db.getExecutor().compileQuery(node as RootOperationNode, queryId).sql);
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  // Matrices kept for an hour: only the data version may tell this server that a cell filled.
  const first = () => createApp({ db: f.db.db.withPlugin(noting), now: () => NOW, logError: () => undefined, matrixCacheSeconds: 3600 });
  const as = (app: ReturnType<typeof createApp>, role: 'admin' | 'officer' | 'approver' = 'admin') => ({
    get: (path: string) => app.request(path, { headers: { Authorization: `Bearer ${f.keys.roles[role]}` } }),
    send: (method: string, path: string, body: unknown) =>
      app.request(path, {
        method,
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${f.keys.roles[role]}` },
        body: JSON.stringify(body),
      }),
  });
  const figures = (yuan: number, risk: number) => ({
    metrics: [
      ...Q3.map((period) => ({ metric: 'avg_daily_balance', period, value: yuan * 100 })),
      { metric: 'aml_customer_risk', period: '2025-10', value: risk },
    ],
  });
  const countOf = async (app: ReturnType<typeof createApp>, row: string, col: string) => {
    const body = (await (await as(app).get('/v1/matrix/risk-value-test')).json()) as MatrixResponse;
    return body.counts.find((c) => c.row === row && c.col === col)?.count;
  };
  const listed = async (app: ReturnType<typeof createApp>, query = '') => {
    const res = await as(app).get(`${CELL}${query}`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { items: { id: string }[] }).items.map((s) => s.id);
  };

  /**
   * What `attempt` (a matrix read, then `seen` emptied, then lists) read of the assignments, from a try
   * in which nothing was committed to the database between its start and its end. PostgreSQL's data
   * version is the cluster's snapshot, which any commit moves — another test file's on the cluster a
   * full run shares, autovacuum's — and then the list rightly reads the cell: such a try is run again
   * (with a fresh app, whose counts carry the new version). Undefined when every try was moved.
   */
  const readsWhileStill = async (attempt: () => Promise<void>): Promise<string[] | undefined> => {
    const snapshot = async () =>
      f.db.dialect === 'sqlite'
        ? 'one writer'
        : (await sql<{ v: string }>`select pg_current_snapshot()::text as v`.execute(f.db.db)).rows[0]?.v;
    for (let tries = 0; tries < 10; tries++) {
      const before = await snapshot();
      await attempt();
      const read = seen.filter((s) => /"assignments"/.test(s));
      if ((await snapshot()) === before) return read;
    }
    return undefined;
  };
  /** No assignment read by a try nothing was committed during; none such in ten tries is said, not failed. */
  const answeredFromCounts = (t: TestContext, read: string[] | undefined) => {
    if (read === undefined) t.diagnostic('the cluster committed during every try: nothing to hold the list to');
    else assert.deepEqual(read, [], seen.join('\n'));
  };

  const listedCell = async (app: ReturnType<typeof createApp>, row: string, col: string) => {
    const res = await as(app).get(`/v1/subjects?scheme=risk-value-test&row=${row}&col=${col}`);
    return ((await res.json()) as { items: { id: string }[] }).items.map((s) => s.id);
  };

  it('a cell counted 0 lists nobody without reading the assignments; its filters only narrow it', async (t) => {
    const api = client(f);
    for (const [id, yuan, risk] of [
      ['E1', 400_000, 10],
      ['E2', 10_000, 90],
    ] as const) {
      await api.customer(id);
      assert.equal((await api.put(`/v1/subjects/${id}/metrics`, figures(yuan, risk))).status, 200);
    }
    let app = first();
    // Both dialects: SQLite's data_version, PostgreSQL's snapshot (nothing committed since the count).
    const read = await readsWhileStill(async () => {
      app = first();
      assert.equal(await countOf(app, 'high', 'platinum'), 0);
      assert.equal(await countOf(app, 'low', 'platinum'), 1);
      seen.length = 0;
      assert.deepEqual(await listed(app), []);
      assert.deepEqual(await listed(app, '&kind=customer&q=E&limit=5'), []);
    });
    answeredFromCounts(t, read);
    // A cell with someone in it is always read.
    assert.deepEqual(await listedCell(app, 'low', 'platinum'), ['E1']);
    // Customers who left are in no cell: a list that includes them reads the database.
    seen.length = 0;
    assert.deepEqual(await listed(app, '&closed=include'), []);
    assert.ok(seen.some((s) => /"assignments"/.test(s)));
  });

  it('a second server’s metric write that fills the cell is seen at once', async () => {
    const app = first();
    const other = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined });
    assert.equal(await countOf(app, 'high', 'platinum'), 0);
    assert.deepEqual(await listed(app), []);
    assert.equal((await as(other).send('PUT', '/v1/subjects/E1/metrics', figures(400_000, 90))).status, 200);
    assert.deepEqual(await listed(app), ['E1']);
    // Back out of the cell, and the counts read again.
    assert.equal((await as(other).send('PUT', '/v1/subjects/E1/metrics', figures(400_000, 10))).status, 200);
    assert.deepEqual(await listed(app), []);
  });

  it('a write still open while the matrix counts, committed after, is seen at once', async () => {
    // A version that moved when a write began rather than when it committed would let the count
    // (which cannot see the write) stand after the commit; the snapshot and data_version move at the
    // commit. The first app counts from inside another server's metric write, before it commits.
    const app = first();
    let counted: number | undefined;
    const writing = hooked(f.db, {
      inside: async () => {
        counted = await countOf(app, 'high', 'platinum');
      },
    });
    const other = createApp({ db: writing.db, now: () => NOW, logError: () => undefined });
    assert.equal((await as(other).send('PUT', '/v1/subjects/E1/metrics', figures(400_000, 90))).status, 200);
    assert.equal(counted, 0, 'the count ran before the write committed');
    assert.deepEqual(await listed(app), ['E1']);
    assert.equal(
      (await as(createApp({ db: f.db.db, now: () => NOW })).send('PUT', '/v1/subjects/E1/metrics', figures(400_000, 10))).status,
      200,
    );
  });

  it('a re-tier job run outside this server that fills the cell is seen at once', async () => {
    const app = first();
    const other = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined });
    // An import of figures re-evaluates nobody; the re-tier of October does.
    const imported = await other.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.roles.admin}` },
      body: 'subject,metric,period,value\nE2,avg_daily_balance,2025-08,40000000\nE2,avg_daily_balance,2025-09,40000000\nE2,avg_daily_balance,2025-10,40000000',
    });
    assert.equal(imported.status, 201, await imported.text());
    assert.equal(await countOf(app, 'high', 'platinum'), 0);
    assert.deepEqual(await listed(app), []);
    const job = await as(other, 'officer').send('POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' });
    assert.equal(job.status, 201, await job.text());
    await drainJobs({ db: f.db.db, now: () => NOW });
    assert.deepEqual(await listed(app), ['E2']);
  });

  it('a customer another server reopens into the cell, and an override it approves into one, are seen at once', async () => {
    const other = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined });
    const api = client(f);
    await api.customer('E3');
    assert.equal((await api.put('/v1/subjects/E3/metrics', figures(400_000, 90))).status, 200);
    await api.customer('E4');
    assert.equal((await api.put('/v1/subjects/E4/metrics', figures(10_000, 90))).status, 200);
    assert.equal((await api.post('/v1/subjects/E4/close', { reason: '销户' })).status, 200);
    const app = first();
    assert.equal(await countOf(app, 'high', 'standard'), 0, 'who left is in no cell');
    assert.deepEqual(await listedCell(app, 'high', 'standard'), []);
    assert.equal((await as(other).send('POST', '/v1/subjects/E4/reopen', {})).status, 200);
    assert.deepEqual(await listedCell(app, 'high', 'standard'), ['E4']);

    const again = first();
    assert.equal(await countOf(again, 'high', 'diamond'), 0);
    assert.deepEqual(await listedCell(again, 'high', 'diamond'), []);
    const filed = await as(other, 'officer').send('POST', '/v1/subjects/E3/overrides', {
      scheme: 'retail-tier',
      level: 'diamond',
      mode: 'fixed',
      reason: 'VIP retention',
      expiresAt: null,
    });
    const text = await filed.text();
    assert.equal(filed.status, 201, text);
    const pending = JSON.parse(text) as { id: string; contentHash: string };
    assert.deepEqual(await listedCell(again, 'high', 'diamond'), [], 'a request moves no level');
    const approved = await as(other, 'approver').send('POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash });
    assert.equal(approved.status, 200, await approved.text());
    assert.deepEqual(await listedCell(again, 'high', 'diamond'), ['E3']);
  });

  it('a cursor on a cell counted 0 is checked as on any list: a forged one is a 400', async () => {
    const app = first();
    assert.equal(await countOf(app, 'high', 'gold'), 0);
    assert.deepEqual(await listedCell(app, 'high', 'gold'), []);
    const res = await as(app).get('/v1/subjects?scheme=risk-value-test&row=high&col=gold&cursor=not-ours');
    assert.equal(res.status, 400, await res.text());
  });

  it('another tenant’s counts never answer this tenant’s list', async () => {
    const app = first();
    // bank-b has no customers: its matrix counts 0 in every cell, bank-a's low × platinum holds E1.
    const theirs = await app.request('/v1/matrix/risk-value-test', { headers: { Authorization: `Bearer ${f.keys.b}` } });
    assert.equal(((await theirs.json()) as MatrixResponse).total, 0);
    assert.deepEqual(await listedCell(app, 'low', 'platinum'), ['E1']);
  });

  it('a server that shares no matrix between requests still answers a cell it counted 0 from the counts, and sees a write at once', async (t) => {
    // matrixCacheSeconds 0 turns off sharing a result nobody can tell still holds; counts carrying the
    // data version they were read at are told apart by that version, not by their age.
    // E9 starts high × standard, then moves up into high × gold, which nobody else of the suite is in.
    await client(f).customer('E9');
    assert.equal((await client(f).put('/v1/subjects/E9/metrics', figures(10_000, 90))).status, 200);
    const unshared = createApp({ db: f.db.db.withPlugin(noting), now: () => NOW, logError: () => undefined, matrixCacheSeconds: 0 });
    const other = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined });
    assert.equal(await countOf(unshared, 'high', 'gold'), 0);
    const read = await readsWhileStill(async () => {
      seen.length = 0;
      assert.equal(await countOf(unshared, 'high', 'gold'), 0);
      assert.ok(
        seen.some((s) => /"assignments"/.test(s)),
        'every matrix request still runs its query',
      );
      seen.length = 0;
      assert.deepEqual(await listedCell(unshared, 'high', 'gold'), []);
    });
    answeredFromCounts(t, read);
    assert.equal((await as(other).send('PUT', '/v1/subjects/E9/metrics', figures(100_000, 90))).status, 200);
    assert.deepEqual(await listedCell(unshared, 'high', 'gold'), ['E9']);
  });

  it('a write through another connection to the file, as a second server process has, is seen at once (SQLite)', async (t) => {
    if (f.db.dialect !== 'sqlite')
      return t.skip('one PostgreSQL database is shared by every server already: the second app above is that case');
    const { rows } = await sql<{ file: string }>`select file from pragma_database_list where name = 'main'`.execute(f.db.db);
    const second = connect({ url: rows[0]?.file ?? '' });
    try {
      const app = first();
      const other = createApp({ db: second.db, now: () => NOW, logError: () => undefined });
      assert.equal(await countOf(app, 'low', 'standard'), 0);
      seen.length = 0;
      assert.deepEqual(await listedCell(app, 'low', 'standard'), []);
      assert.ok(!seen.some((s) => /"assignments"/.test(s)), 'answered from the counts');
      assert.equal((await as(other).send('PUT', '/v1/subjects/E1/metrics', figures(10_000, 10))).status, 200);
      assert.deepEqual(await listedCell(app, 'low', 'standard'), ['E1']);
    } finally {
      await second.close();
    }
  });
});
