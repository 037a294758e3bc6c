import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { AuditRecord } from '@tierkit/core';
import { findSubjectByExternalId, setSubjectClosed } from '@tierkit/db';
import { client, clientAt, forEachDialect, LONG_AGO, NOW, type ApiFixture } from '../support/api-fixture.js';
import { problem } from '../support/problems.js';

/*
 * A back-dated closing cannot make a live customer erasable (docs/operations.md, "Retention and
 * erasure"). An examiner found that one officer could close a customer with metrics through last month
 * "late" at 2020 and the next retention run would erase them. Now the retention clock runs from the
 * later of the closing's date and the customer's last recorded activity, and a closing's date is
 * checked: before that activity, or past the retention period, it is refused (422, or a row error),
 * nothing changed. NOW is 2025-11-15 (Shanghai): the 5-year cutoff is 2020-11-15T04:00Z.
 */

type Run = { erasable: number; erased: number; heldByActivity: number; heldByRequest: number; heldByLegalHold: number };
type RowErrors = { errors: { items: { line: number; column: string; code: string; params?: Record<string, unknown> }[] } };

const CUTOFF = '2020-11-15T04:00:00.000Z';
/** 2025-10 begins at this instant in Shanghai: the customers' last month with metrics. */
const OCTOBER = '2025-09-30T16:00:00.000Z';

async function isOpen(f: ApiFixture, id: string): Promise<boolean> {
  const s = await findSubjectByExternalId(f.db.db, 'bank-a', id);
  assert.ok(s, id);
  return s.closedAt === null;
}

forEachDialect('a back-dated closing and the retention clock', (f) => {
  const officer = () => client(f, () => f.keys.roles.officer);
  const upload = (csv: string) =>
    f.app.request('/v1/imports?kind=subjects', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.roles.officer}` },
      body: csv,
    });
  const rowErrors = async (res: Response) =>
    ((await (await client(f).get(res.headers.get('Location') ?? '')).json()) as RowErrors).errors.items;

  before(async () => {
    // Every one of them the bank has known since 2018: when a customer was first recorded bounds their
    // closing too (closing-created-feed.test.ts), and these stories are about their activity.
    const since2018 = () => clientAt(f, LONG_AGO);
    // Live customers: metrics through October 2025.
    for (const id of ['BD1', 'BD2', 'BD3', 'BD4']) {
      await since2018().customer(id, '陈国强');
      const r = await officer().balances(id, [
        ['2025-08', 50_000],
        ['2025-09', 50_000],
        ['2025-10', 50_000],
      ]);
      assert.equal(r.status, 200, await r.clone().text());
    }
    // Gone since 2019: their last metrics are of early 2019.
    await since2018().customer('BDG', '周明');
    assert.equal((await officer().balances('BDG', [['2019-02', 50_000]])).status, 200);
    // Quiet in metrics since 2023, but an officer filed an override request for them today: a person's
    // decision about them as a customer.
    await since2018().customer('BDR', '吴芳');
    assert.equal((await officer().balances('BDR', [['2023-02', 50_000]])).status, 200);
    const filed = await officer().post('/v1/subjects/BDR/overrides', {
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: '重要客户',
      expiresAt: null,
    });
    assert.equal(filed.status, 201, await filed.clone().text());
  });

  it('refuses, by one officer, a late closing dated past the retention period: 422, nothing changed', async () => {
    const refused = await problem(
      await officer().post('/v1/subjects/BD1/close', { reason: '补录销户', at: '2020-01-02T02:00:00Z', late: true }),
      422,
    );
    assert.deepEqual(
      refused.errors?.map((e) => [e.path, e.code, e.params]),
      [['at', 'left_beyond_retention', { minimum: CUTOFF, inclusive: true, origin: 'instant', retentionYears: 5 }]],
    );
    assert.ok(await isOpen(f, 'BD1'));
  });

  it('refuses a late closing dated before the customer’s last metrics or a person’s decision, naming it', async () => {
    const metrics = await problem(
      await officer().post('/v1/subjects/BD1/close', { reason: '补录销户', at: '2023-01-02T02:00:00Z', late: true }),
      422,
    );
    assert.deepEqual(
      metrics.errors?.map((e) => [e.path, e.code, e.params]),
      [['at', 'left_before_activity', { latestActivity: OCTOBER, activity: 'metrics', period: '2025-10' }]],
    );
    assert.ok(await isOpen(f, 'BD1'));
    const decision = await problem(
      await officer().post('/v1/subjects/BDR/close', { reason: '补录销户', at: '2023-06-01T00:00:00Z', late: true }),
      422,
    );
    assert.deepEqual(
      decision.errors?.map((e) => [e.code, e.params]),
      [['left_before_activity', { latestActivity: NOW.toISOString(), activity: 'decision' }]],
    );
    assert.ok(await isOpen(f, 'BDR'));
    // Dated in the month of the last metrics, the closing stands.
    const closed = await officer().post('/v1/subjects/BD1/close', { reason: '补录销户', at: '2025-10-05T02:00:00Z', late: true });
    assert.equal(closed.status, 200, await closed.clone().text());
  });

  it('a subjects import refuses the same rows, and records each customer it closes', async () => {
    const bad = await upload(
      'id,name,closedAt,closedLate\nBD2,陈国强,2020-01-01T00:00:00Z,1\nBD3,陈国强,2023-01-01T00:00:00Z,1\nBDN,新客户,2019-01-01T00:00:00Z,1\n',
    );
    assert.equal(bad.status, 422);
    assert.deepEqual(
      (await rowErrors(bad)).map((e) => [e.line, e.column, e.code, e.params]),
      [
        [2, 'closedAt', 'left_beyond_retention', { minimum: CUTOFF, inclusive: true, origin: 'instant', retentionYears: 5 }],
        [3, 'closedAt', 'left_before_activity', { latestActivity: OCTOBER, activity: 'metrics', period: '2025-10', subject: 'BD3' }],
        [4, 'closedAt', 'left_beyond_retention', { minimum: CUTOFF, inclusive: true, origin: 'instant', retentionYears: 5 }],
      ],
    );
    assert.ok((await isOpen(f, 'BD2')) && (await isOpen(f, 'BD3')));

    const ok = await upload(
      'id,name,closedAt,closedReason,closedLate\nBD2,陈国强,2025-10-20T00:00:00Z,分行补报,1\nBDM,孙丽,2025-11-01T00:00:00Z,客户主动销户,\n',
    );
    assert.equal(ok.status, 201, await ok.clone().text());
    const trail = async (id: string) =>
      ((await (await client(f).get(`/v1/audit?target=${id}&limit=100`)).json()) as { items: AuditRecord[] }).items.filter(
        (r) => r.route === '/v1/imports' && r.phase === 'change',
      );
    const bd2 = await trail('BD2');
    assert.deepEqual(
      bd2.map((r) => [r.target, r.detail]),
      [[{ subject: 'BD2' }, { closedAt: '2025-10-20T00:00:00.000Z', late: true, reason: '分行补报' }]],
    );
    const bdm = await trail('BDM');
    assert.deepEqual(
      bdm.map((r) => [r.target, r.detail]),
      [[{ subject: 'BDM' }, { closedAt: '2025-11-01T00:00:00.000Z', late: false, reason: '客户主动销户' }]],
    );
    assert.equal(bd2[0]?.requestId, bdm[0]?.requestId, 'records of the one import request');
    assert.match(String(bd2[0]?.actor), /^key:/, 'by the officer’s key, as the import’s own record');
  });

  it('the retention clock runs from the later of the closing’s date and the last activity: dry run and run agree', async () => {
    // A back-dated closing as main recorded it before this check: 2019 for a customer active in October.
    for (const id of ['BD4', 'BDG']) {
      const s = await findSubjectByExternalId(f.db.db, 'bank-a', id);
      assert.ok(s);
      await setSubjectClosed(
        f.db.db,
        'bank-a',
        s.id,
        { at: '2025-09-30T16:00:00.000Z', leftAt: '2019-06-01T00:00:00.000Z', reason: '补录销户' },
        NOW.toISOString(),
      );
    }
    const run = async (body: unknown) => {
      const res = await client(f).post('/v1/retention/run', body);
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Run;
    };
    const dry = await run({ dryRun: true });
    assert.deepEqual([dry.erasable, dry.heldByActivity], [1, 1], 'BDG erasable, BD4 kept by its October metrics');
    const done = await run({});
    assert.deepEqual([done.erasable, done.erased, done.heldByActivity], [1, 1, 1]);
    assert.equal((await findSubjectByExternalId(f.db.db, 'bank-a', 'BD4'))?.displayName, '陈国强');
    assert.equal((await findSubjectByExternalId(f.db.db, 'bank-a', 'BDG'))?.displayName, '');
  });
});
