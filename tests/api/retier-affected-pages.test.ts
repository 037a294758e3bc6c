import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, drainJobs, mintStaffToken, provisionTenant, sortableId } from '@tierkit/api';
import { assignManagers, insertSubjects, upsertStaff } from '@tierkit/db';
import { sql } from 'kysely';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';
import { readersTestPack } from '../support/test-pack.js';

/*
 * A re-tier job's affected-customers file (GET /v1/jobs/{id}/affected) is read a page of 1,000 changes
 * at a time along the job's span of event ids (packages/db, jobChangesPage), which other writers share:
 * the file is the job's changes in event order, each once, across pages — past a stretch of the span
 * holding none of them (a second bank's job stored in its middle, more events than a page) and events of
 * other writers between its chunks — without the levels a reader may not read, and for a book-scoped
 * reader only the customers in their book. A change to how the span is walked (bench/batch/
 * retier-affected.bench.ts tried windows of the key) must keep all of it. The job's chunks are written
 * here as the worker stores them (ids of each chunk's instant), 2,600 changes over three instants: a real
 * job of that size takes minutes on PostgreSQL in a test.
 */

/** The AML grade and the matrix read from it: the levels of readersTestPack an analyst or an RM may not read. */
const HIDDEN = ['aml-test', 'risk-value-test'];

const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

forEachDialect('a re-tier job’s file read past several pages', (f) => {
  const keys = {} as Record<'officer' | 'analyst' | 'rm', string>;
  const jobs = {} as Record<'w' | 'b', string>;

  /** The file's rows after its two header lines, each as its cells. */
  const file = async (credential: string, job: string) => {
    const res = await f.app.request(`/v1/jobs/${job}/affected?locale=en`, { headers: { Authorization: `Bearer ${credential}` } });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    return text
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter(Boolean)
      .slice(2)
      .map((l) => l.split(',').map((c) => JSON.parse(c) as string));
  };
  /** What the file must hold, read the plain way: the job's events in the tenant, in id order. */
  const expected = async (tenant: string, job: string, opts: { hidden?: readonly string[]; book?: string } = {}) => {
    const rows = await sql<{ external_id: string; scheme: string }>`
      SELECT s.external_id, e.scheme FROM tier_events e JOIN subjects s ON s.id = e.subject_id
      WHERE e.tenant_id = ${tenant} AND e.actor = ${`job:${job}`}
        ${opts.book === undefined ? sql`` : sql`AND e.subject_id IN (SELECT subject_id FROM subject_managers WHERE tenant_id = ${tenant} AND staff_id = ${opts.book})`}
      ORDER BY e.id`.execute(f.db.db);
    return rows.rows.filter((r) => !opts.hidden?.includes(r.scheme)).map((r) => r.external_id);
  };

  before(async () => {
    await provisionTenant(f.db.db, { id: 'bank-w', name: 'bank-w', pack: readersTestPack(), now: NOW });
    for (const role of ['officer', 'analyst'] as const)
      keys[role] = (await createApiKey(f.db.db, { tenantId: 'bank-w', role, label: role, now: NOW })).secret;
    for (const id of ['RM1', 'RM2'])
      await upsertStaff(f.db.db, 'bank-w', { id, name: id, role: 'officer', scope: 'book' }, NOW.toISOString());
    keys.rm = (await mintStaffToken(f.db.db, { tenantId: 'bank-w', staffId: 'RM1', now: NOW })).token;
    // A real job in each bank (one customer each), so the job rows are what the API made.
    for (const [tenant, as, customer] of [
      ['bank-w', client(f, () => keys.officer), 'W-REAL'],
      ['bank-b', client(f, 'b'), 'B-REAL'],
    ] as const) {
      await as.customer(customer);
      const metrics = await as.put(`/v1/subjects/${customer}/metrics`, {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 6_000_000 }],
      });
      assert.equal(metrics.status, 200, await metrics.text());
      const made = await as.post('/v1/jobs', { kind: 'retier', period: '2025-10' });
      assert.equal(made.status, 201, await made.clone().text());
      jobs[tenant === 'bank-w' ? 'w' : 'b'] = ((await made.json()) as { id: string }).id;
    }
    await drainJobs({ db: f.db.db, now: () => NOW });

    const customers = (tenant: string, prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        id: `${tenant}/${prefix}${i}`,
        externalId: `${prefix}${String(i).padStart(4, '0')}`,
        kind: 'customer',
        displayName: '王芳',
        attributes: {},
      }));
    const w = customers('bank-w', 'W', 1300);
    const b = customers('bank-b', 'B', 750);
    await insertSubjects(f.db.db, 'bank-w', w, NOW.toISOString());
    await insertSubjects(f.db.db, 'bank-b', b, NOW.toISOString());
    // RM1 has the even ones, RM2 the odd: half of the job's customers are out of RM1's reach.
    await assignManagers(
      f.db.db,
      'bank-w',
      w.map((s, i) => ({ subjectId: s.id, staffId: i % 2 === 0 ? 'RM1' : 'RM2' })),
      'test',
      () => NOW.toISOString(),
    );
    const store = async (tenant: string, actor: string, when: Date, subjects: readonly { id: string }[]) => {
      const rows = subjects.flatMap((s) =>
        (
          [
            ['retail-tier', 'gold'],
            ['aml-test', 'high'],
          ] as const
        ).map(([scheme, to]) => ({
          id: sortableId(when),
          tenant_id: tenant,
          subject_id: s.id,
          scheme,
          from_level: null,
          to_level: to,
          at: when.toISOString(),
          reason: 'policy',
          rule_id: null,
          note: null,
          actor,
          approved_by: null,
          policy_version: 1,
          period: '2025-10',
        })),
      );
      for (let i = 0; i < rows.length; i += 400)
        await f.db.db
          .insertInto('tier_events')
          .values(rows.slice(i, i + 400))
          .execute();
    };
    // bank-w's job: a chunk, an override's events between its chunks, a second chunk; then bank-b's job
    // (1,500 events, more than a page: a stretch of the span with none of bank-w's); then bank-w's last chunk.
    await store('bank-w', `job:${jobs.w}`, at(60), w.slice(0, 400));
    await store('bank-w', 'key:k1', at(61), w.slice(0, 15));
    await store('bank-w', `job:${jobs.w}`, at(62), w.slice(400, 650));
    await store('bank-b', `job:${jobs.b}`, at(120), b);
    await store('bank-w', `job:${jobs.w}`, at(300), w.slice(650));
  });

  it('a bank-wide reader gets every change, in event order, once, past the second bank’s job in the span', async () => {
    const rows = await file(keys.officer, jobs.w);
    const want = await expected('bank-w', jobs.w);
    assert.ok(want.length >= 2600, `three pages at least: ${want.length}`);
    assert.deepEqual(
      rows.map((r) => r[0]),
      want,
    );
    assert.ok(
      rows.every((r) => !r[0]?.startsWith('B')),
      'none of the second bank’s',
    );
    assert.deepEqual(
      new Set(rows.filter((r) => r[0]?.startsWith('W0')).map((r) => `${r[2]} ${r[4]}`)),
      new Set(['Customer tier Gold', 'AML risk High']),
    );
  });

  it('a bank-wide reader who may not read the AML grade gets the rest, in the same order', async () => {
    const rows = await file(keys.analyst, jobs.w);
    const want = await expected('bank-w', jobs.w, { hidden: HIDDEN });
    assert.deepEqual(
      rows.map((r) => r[0]),
      want,
    );
    assert.ok(rows.length >= 1300);
    assert.ok(rows.every((r) => r[2] !== 'AML risk'));
  });

  it('an RM gets their book’s customers only', async () => {
    const rows = await file(keys.rm, jobs.w);
    const want = await expected('bank-w', jobs.w, { hidden: HIDDEN, book: 'RM1' });
    assert.equal(want.length, 650);
    assert.deepEqual(
      rows.map((r) => r[0]),
      want,
    );
  });

  it('the second bank reads its own job’s file, all of it, and not the first bank’s job', async () => {
    const rows = await file(f.keys.b, jobs.b);
    const want = await expected('bank-b', jobs.b);
    assert.ok(want.length >= 1500, `more than a page: ${want.length}`);
    assert.deepEqual(
      rows.map((r) => r[0]),
      want,
    );
    const res = await f.app.request(`/v1/jobs/${jobs.w}/affected`, { headers: { Authorization: `Bearer ${f.keys.b}` } });
    assert.equal(res.status, 404);
  });
});
