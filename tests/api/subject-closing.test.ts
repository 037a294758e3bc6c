import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, drainJobs, mintEmbedToken, mintStaffToken, type JobView } from '@tierkit/api';
import type { AuditRecord, MatrixResponse, TiersResponse } from '@tierkit/core';
import { findSubjectByExternalId, setSubjectClosed } from '@tierkit/db';
import { client, clientAt, forEachDialect, LONG_AGO, NOW, type ApiFixture } from '../support/api-fixture.js';
import { writeBook, type BookEvent } from '../support/history-book.js';
import { problem } from '../support/problems.js';
import { fourEyesTenant, ok, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * A customer who leaves the bank (销户): closing is recorded on the subject, and from then on the
 * customer is no part of the current book — not in the matrix or the list, not re-tiered, no token
 * for online banking — while staff still read them, plainly marked, with the levels they left with.
 */

type Listed = { items: { id: string; closedAt?: string; closedReason?: string; leftAt?: string }[] };

const listed = async (f: ApiFixture, query = '') =>
  ((await (await client(f).get(`/v1/subjects?q=CL${query}`)).json()) as Listed).items.map((s) => s.id);
const matrixTotal = async (f: ApiFixture) => ((await (await client(f).get('/v1/matrix/risk-value-test')).json()) as MatrixResponse).total;
const retailLevel = async (f: ApiFixture, id: string) =>
  ((await (await client(f).get(`/v1/subjects/${id}/tiers`)).json()) as TiersResponse).assignments.find(
    (a) => a.schemeInfo.key === 'retail-tier',
  )?.level;

/** Every record of bank-a's audit trail, newest first, as its admin reads them. */
async function trail(f: ApiFixture): Promise<AuditRecord[]> {
  const res = await client(f).get('/v1/audit?limit=100');
  assert.equal(res.status, 200);
  return ((await res.json()) as { items: AuditRecord[] }).items;
}

forEachDialect('closing a customer (销户)', (f) => {
  const officer = () => client(f, () => f.keys.roles.officer);

  before(async () => {
    const api = officer();
    // CL1 gold and CL2 standard, both evaluated at 2025-10 by their metrics writes.
    for (const [id, yuan] of [
      ['CL1', 100_000],
      ['CL2', 10_000],
    ] as const) {
      await clientAt(f, LONG_AGO).customer(id);
      const r = await api.balances(id, [
        ['2025-08', yuan],
        ['2025-09', yuan],
        ['2025-10', yuan],
      ]);
      assert.equal(r.status, 200);
    }
  });

  it('takes the customer out of the matrix, the list, metric writes and re-tier jobs; reopening puts them back', async () => {
    const api = officer();
    assert.equal(await matrixTotal(f), 2);
    assert.deepEqual(await listed(f), ['CL1', 'CL2']);

    const closed = await api.post('/v1/subjects/CL1/close', { at: '2025-11-10T02:00:00Z', reason: '客户主动销户' });
    assert.equal(closed.status, 200);
    assert.deepEqual(await closed.json(), {
      id: 'CL1',
      kind: 'customer',
      displayName: '张*明',
      closedAt: '2025-11-10T02:00:00.000Z',
      closedReason: '客户主动销户',
    });

    assert.equal(await matrixTotal(f), 1, 'the portfolio counts the current book only');
    assert.deepEqual(await listed(f), ['CL2']);
    assert.deepEqual(await listed(f, '&closed=include'), ['CL1', 'CL2']);
    const only = (await (await client(f).get('/v1/subjects?q=CL&closed=only')).json()) as Listed;
    assert.deepEqual(only.items, [
      // A list item says whose book the customer is in, for staff (none here).
      {
        id: 'CL1',
        kind: 'customer',
        displayName: '张*明',
        closedAt: '2025-11-10T02:00:00.000Z',
        closedReason: '客户主动销户',
        manager: null,
      },
    ]);
    await problem(await client(f).get('/v1/subjects?closed=maybe'), 400);

    // Staff still read the customer, marked closed, at the level they left with.
    const tiers = (await (await client(f).get('/v1/subjects/CL1/tiers')).json()) as TiersResponse;
    assert.equal(tiers.subject.closedAt, '2025-11-10T02:00:00.000Z');
    assert.equal(tiers.subject.closedReason, '客户主动销户');
    assert.equal(await retailLevel(f, 'CL1'), 'gold');
    const history = (await (await client(f).get('/v1/subjects/CL1/history')).json()) as { subject: { closedAt?: string } };
    assert.equal(history.subject.closedAt, '2025-11-10T02:00:00.000Z', 'the timeline says the customer left');

    // A late balance is kept, but re-tiers nobody: a diamond balance leaves the closed customer gold.
    const late = await api.balances('CL1', [['2025-11', 9_000_000]]);
    assert.equal(late.status, 200);
    assert.equal(await retailLevel(f, 'CL1'), 'gold');
    await api.balances('CL2', [['2025-11', 10_000]]);

    const queued = await api.post('/v1/jobs', {
      kind: 'retier',
      period: '2025-11',
      allowOpenMonth: true,
      filter: { subjects: ['CL1', 'CL2'] },
    });
    assert.equal(queued.status, 201, await queued.clone().text());
    const { id: jobId } = (await queued.json()) as JobView;
    await drainJobs({ db: f.db.db, now: () => NOW, logError: (err: unknown) => assert.fail(String(err)) });
    const job = (await (await api.get(`/v1/jobs/${jobId}`)).json()) as JobView;
    assert.deepEqual(job.progress.subjects, { total: 2, processed: 1, skipped: 1 }, 'the closed customer is skipped');
    assert.equal(await retailLevel(f, 'CL1'), 'gold', 'its stored levels stay as history');

    const again = await problem(await api.post('/v1/subjects/CL1/close', { reason: '重复' }), 409);
    assert.equal(again.errors?.[0]?.code, 'subject_closed');
    assert.equal(
      ((await (await client(f).get('/v1/subjects/CL1/tiers')).json()) as TiersResponse).subject.closedReason,
      '客户主动销户',
      'a refused second closing changes nothing',
    );

    const reopened = await api.post('/v1/subjects/CL1/reopen', {});
    assert.equal(reopened.status, 200);
    assert.deepEqual(await reopened.json(), { id: 'CL1', kind: 'customer', displayName: '张*明' });
    assert.equal(await matrixTotal(f), 2);
    assert.deepEqual(await listed(f), ['CL1', 'CL2']);
    await problem(await api.post('/v1/subjects/CL1/reopen', {}), 409);
    // Tiered again: the next metric write re-evaluates, and November's balance counts.
    await api.balances('CL1', [['2025-11', 9_000_000]]);
    assert.notEqual(await retailLevel(f, 'CL1'), 'gold');
  });

  it('no embed token for a closed customer, and a token minted before reads them as unknown', async () => {
    await clientAt(f, LONG_AGO).customer('CL3');
    const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'CL3', ttlSeconds: 600, now: NOW });
    const customer = client(f, () => token);
    assert.equal((await customer.get('/v1/subjects/CL3/tiers')).status, 200);

    assert.equal((await officer().post('/v1/subjects/CL3/close', { reason: '迁往外地' })).status, 200);
    const unknown = await problem(await client(f).get('/v1/subjects/NOBODY/tiers'), 404);
    for (const read of ['tiers', 'history', 'entitlements']) {
      const gone = await problem(await customer.get(`/v1/subjects/CL3/${read}`), 404);
      assert.equal(gone.type, unknown.type, `${read}: answered like a customer who never was`);
      assert.equal(JSON.stringify(gone).includes('迁往外地'), false, 'never the staff’s reason');
    }
    const refused = await problem(await officer().post('/v1/embed-tokens', { subject: 'CL3' }), 409);
    assert.equal(refused.errors?.[0]?.path, 'subject');

    assert.equal((await officer().post('/v1/subjects/CL3/reopen', {})).status, 200);
    assert.equal((await customer.get('/v1/subjects/CL3/tiers')).status, 200, 'back to a customer');
    assert.equal((await officer().post('/v1/embed-tokens', { subject: 'CL3' })).status, 201);
  });

  it('a kept read of the customer is not served to their token after a closing, by the API or an import', async () => {
    const closeBy = {
      api: async (id: string) => assert.equal((await officer().post(`/v1/subjects/${id}/close`, { reason: '销户' })).status, 200),
      import: async (id: string) => {
        const res = await f.app.request('/v1/imports?kind=subjects', {
          method: 'POST',
          headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.roles.officer}` },
          body: `id,name,closedAt\n${id},张晓明,2025-11-14T00:00:00Z\n`,
        });
        assert.equal(res.status, 201, await res.clone().text());
      },
    };
    for (const [how, id] of [
      ['api', 'CL11'],
      ['import', 'CL12'],
    ] as const) {
      await clientAt(f, LONG_AGO).customer(id);
      const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: id, ttlSeconds: 600, now: NOW });
      const customer = client(f, () => token);
      const etags = new Map<string, string>();
      for (const read of ['tiers', 'history', 'entitlements']) {
        // Twice: the read cache keeps a body on its second ask.
        for (let i = 0; i < 2; i++) {
          const res = await customer.get(`/v1/subjects/${id}/${read}`);
          assert.equal(res.status, 200, `${how} ${read}`);
          etags.set(read, res.headers.get('ETag') ?? '');
        }
      }
      await closeBy[how](id);
      for (const read of ['tiers', 'history', 'entitlements']) {
        await problem(await customer.get(`/v1/subjects/${id}/${read}`), 404);
        const etag = etags.get(read) ?? '';
        assert.notEqual(etag, '', `${read} has an ETag`);
        // Not a 304 for the body read while they were a customer.
        await problem(await customer.get(`/v1/subjects/${id}/${read}`, { 'If-None-Match': etag }), 404);
      }
    }
  });

  it('no override request for a closed customer, and a policy simulation leaves them out', async () => {
    const analyst = client(f, () => f.keys.roles.analyst);
    const simulated = async () => {
      const res = await analyst.post('/v1/policies/retail-tier/versions/1/simulate', {});
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as { total: number }).total;
    };
    await clientAt(f, LONG_AGO).customer('CL13');
    assert.equal((await officer().balances('CL13', [['2025-10', 100_000]])).status, 200);
    const open = await simulated();
    assert.equal((await officer().post('/v1/subjects/CL13/close', { reason: '销户' })).status, 200);
    assert.equal(await simulated(), open - 1, 'the current book only');

    const request = { scheme: 'retail-tier', level: 'diamond', mode: 'fixed', reason: 'VIP retention', expiresAt: null };
    const refused = await problem(await officer().post('/v1/subjects/CL13/overrides', request), 409);
    assert.deepEqual(
      refused.errors?.map((e) => [e.path, e.code]),
      [['params.id', 'subject_closed']],
    );
    const pending = (await (await officer().get('/v1/subjects/CL13/overrides')).json()) as { items: unknown[] };
    assert.deepEqual(pending.items, [], 'nothing was filed');
  });

  it('refuses bad input with a problem and changes nothing', async () => {
    await clientAt(f, LONG_AGO).customer('CL4');
    const api = officer();
    const cases: [body: unknown, field: string][] = [
      [{ at: '2025-11-16T00:00:00Z', reason: '未来' }, 'at'],
      [{ at: 'yesterday', reason: '销户' }, 'at'],
      [{ at: '2025-11-10T10:00:00+08:00', reason: '销户' }, 'at'],
      [{ at: '1999-12-31T16:00:00Z', reason: '销户' }, 'at'],
      [{}, 'reason'],
      [{ reason: '   ' }, 'reason'],
      [{ reason: 'x'.repeat(201) }, 'reason'],
      [{ reason: '销户', closedBy: 'me' }, ''],
    ];
    for (const [body, field] of cases) {
      const p = await problem(await api.post('/v1/subjects/CL4/close', body), 400);
      if (field)
        assert.ok(
          p.errors?.some((e) => e.path === field),
          `${JSON.stringify(body)}: ${JSON.stringify(p.errors)}`,
        );
    }
    await problem(await api.post('/v1/subjects/NOBODY/close', { reason: '销户' }), 404);
    await problem(await client(f, () => f.keys.roles.viewer).post('/v1/subjects/CL4/close', { reason: '销户' }), 403);
    await problem(await client(f, () => f.keys.roles.analyst).post('/v1/subjects/CL4/reopen', {}), 403);
    await problem(await api.post('/v1/subjects/CL4/reopen', {}), 409);
    assert.deepEqual(await listed(f, '4&closed=only'), [], 'nothing was closed');
    // Now is allowed, and is the default.
    const now = (await (await api.post('/v1/subjects/CL4/close', { reason: '销户' })).json()) as { closedAt: string };
    assert.equal(now.closedAt, NOW.toISOString());
  });

  it('a subjects import may close customers by a closedAt column, with its zone; a blank cell reopens nobody', async () => {
    await clientAt(f, LONG_AGO).customer('CL7');
    const upload = (csv: string) =>
      f.app.request('/v1/imports?kind=subjects', {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.roles.officer}` },
        body: csv,
      });
    const bad = await upload('id,name,closedAt\nCL6,王芳,2025-02-30T00:00:00Z\nCL8,李雷,2025-11-10\nCL9,韩梅,2025-12-01T00:00:00+08:00\n');
    assert.equal(bad.status, 422);
    const errors = (
      (await (await client(f).get(bad.headers.get('Location') ?? '')).json()) as {
        errors: { items: { line: number; code: string }[] };
      }
    ).errors.items;
    assert.deepEqual(
      errors.map((e) => [e.line, e.code]),
      [
        [2, 'invalid_format'],
        [3, 'invalid_format'],
        [4, 'too_big'],
      ],
      'no 30 February, no time without its zone, nothing in the future',
    );
    assert.deepEqual(await listed(f, '6&closed=include'), [], 'all or nothing: nothing was written');
    const early = await upload(
      'id,name,closedAt,closedReason\nCL6,王芳,1999-12-31T00:00:00Z,销户\nCL8,李雷,2025-09-01T00:00:00Z,\nCL9,韩梅,,账户迁出\n',
    );
    assert.equal(early.status, 422);
    const earlyErrors = (
      (await (await client(f).get(early.headers.get('Location') ?? '')).json()) as {
        errors: { items: { line: number; column: string; code: string; params?: Record<string, unknown> }[] };
      }
    ).errors.items;
    assert.deepEqual(
      earlyErrors.map((e) => [e.line, e.column, e.code, e.params?.origin ?? e.params?.field]),
      [
        [2, 'closedAt', 'too_small', 'instant'],
        [3, 'closedAt', 'too_small', 'instant'],
        [4, 'closedReason', 'requires', 'closedAt'],
      ],
      'nothing before 2000, nothing into a final month (September), no reason without its time',
    );

    const ok = await upload(
      'id,name,closedAt,closedReason\nCL6,王芳,2025-11-01T00:30:00+08:00,账户迁出\nCL7,张晓明,2025-10-31T12:00:00Z,\nCL1,张晓明,,\n',
    );
    assert.equal(ok.status, 201, await ok.clone().text());
    const closed = (await (await client(f).get('/v1/subjects?q=CL&closed=only')).json()) as Listed;
    assert.deepEqual(
      closed.items.filter((s) => s.id === 'CL6' || s.id === 'CL7'),
      [
        // Half past midnight on 1 November in Shanghai is still 31 October in UTC.
        { id: 'CL6', kind: 'customer', displayName: '王*', closedAt: '2025-10-31T16:30:00.000Z', closedReason: '账户迁出', manager: null },
        { id: 'CL7', kind: 'customer', displayName: '张*明', closedAt: '2025-10-31T12:00:00.000Z', manager: null },
      ],
    );
    assert.equal(
      closed.items.some((s) => s.id === 'CL1'),
      false,
      'a blank cell leaves an open customer open',
    );
    const again = await upload('id,name,closedAt\nCL7,张晓明,2025-11-05T00:00:00Z\n');
    assert.equal(again.status, 201);
    assert.equal((await again.json()).written, 0, 'a closing already recorded stays as recorded');
  });

  it('a relationship manager may not close or reopen even a customer of their own book', async () => {
    await clientAt(f, LONG_AGO).customer('CL10');
    assert.equal((await client(f).put('/v1/staff/RMC', { name: '陈经理', role: 'officer', scope: 'book' })).status, 201);
    assert.equal((await client(f).put('/v1/subjects/CL10/manager', { manager: 'RMC' })).status, 200);
    const { token } = await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'RMC', ttlSeconds: 600, now: NOW });
    const rm = client(f, () => token);
    assert.equal((await rm.get('/v1/subjects/CL10/tiers')).status, 200, 'their own customer');
    // Closing takes the customer out of the RM's overdue reviews and book figures: a second person's act.
    await problem(await rm.post('/v1/subjects/CL10/close', { reason: '销户' }), 403);
    assert.equal((await officer().post('/v1/subjects/CL10/close', { reason: '销户' })).status, 200);
    await problem(await rm.post('/v1/subjects/CL10/reopen', {}), 403);
    assert.deepEqual(await listed(f, '10&closed=only'), ['CL10'], 'still closed');
  });

  it('each closing and reopening is on the audit trail with when and why', async () => {
    await clientAt(f, LONG_AGO).customer('CL5');
    const api = officer();
    assert.equal((await api.post('/v1/subjects/CL5/close', { at: '2025-11-01T00:00:00Z', reason: '客户身故' })).status, 200);
    assert.equal((await api.post('/v1/subjects/CL5/reopen', { note: '误操作' })).status, 200);
    const records = (await trail(f)).filter((r) => r.phase === 'result' && r.target.id === 'CL5' && r.method === 'POST');
    const byRoute = (route: string) => records.find((r) => r.route === route);
    assert.deepEqual(byRoute('/v1/subjects/{id}/close')?.detail, { closedAt: '2025-11-01T00:00:00.000Z', reason: '客户身故' });
    assert.deepEqual(byRoute('/v1/subjects/{id}/reopen')?.detail, {
      closedAt: '2025-11-01T00:00:00.000Z',
      reason: '客户身故',
      note: '误操作',
    });
    assert.equal(byRoute('/v1/subjects/{id}/close')?.status, 200);
  });

  it('a closing learnt late keeps its real date beside the one it counts from, only when said to be late', async () => {
    await clientAt(f, LONG_AGO).customer('CL21');
    const api = officer();
    const real = '2025-09-20T02:00:00.000Z';
    // Without saying so, a date in a final month is refused: a typo is not moved silently.
    const refused = await problem(await api.post('/v1/subjects/CL21/close', { at: real, reason: '分行补报销户' }), 400);
    const floor = refused.errors?.find((e) => e.path === 'at')?.params?.minimum;
    assert.match(String(refused.errors?.[0]?.message), /send "late": true/, 'the refusal says how to record it');
    assert.equal(floor, '2025-09-30T16:00:00.000Z', 'the end of September in Shanghai, the last final month');
    // Late is no licence to go before 2000; `false` is not saying it (an unticked box); it is a boolean.
    for (const body of [
      { at: '1999-12-31T15:59:59Z', reason: '补录', late: true },
      { at: real, reason: '补录', late: false },
      { at: real, reason: '补录', late: 'yes' },
    ])
      await problem(await api.post('/v1/subjects/CL21/close', body), 400);
    assert.deepEqual(await listed(f, '21&closed=only'), [], 'nothing was closed');

    const closed = await api.post('/v1/subjects/CL21/close', { at: '2025-09-20T10:00:00Z', reason: '分行补报销户', late: true });
    assert.equal(closed.status, 200);
    const ref = {
      id: 'CL21',
      kind: 'customer',
      displayName: '张*明',
      closedAt: floor,
      closedReason: '分行补报销户',
      leftAt: '2025-09-20T10:00:00.000Z',
    };
    assert.deepEqual(await closed.json(), ref);
    const tiers = (await (await client(f).get('/v1/subjects/CL21/tiers')).json()) as TiersResponse;
    assert.deepEqual(tiers.subject, ref, 'every staff read shows both');
    const only = (await (await client(f).get('/v1/subjects?q=CL21&closed=only')).json()) as Listed;
    assert.deepEqual(only.items, [{ ...ref, manager: null }]);
    // The history of closings, which analytics read, counts from the floor and keeps the real date too.
    const s = await findSubjectByExternalId(f.db.db, 'bank-a', 'CL21');
    assert.ok(s);
    const kept = await f.db.db.selectFrom('subject_closings').select(['closed_at', 'left_at']).where('subject_id', '=', s.id).execute();
    assert.deepEqual(kept, [{ closed_at: floor, left_at: '2025-09-20T10:00:00.000Z' }]);
    // Closed again: the 409 says since when the customer really left, not the date the figures count from.
    const again = await problem(await api.post('/v1/subjects/CL21/close', { reason: '重复销户' }), 409);
    assert.match(String(again.detail), /left the bank since 2025-09-20T10:00:00\.000Z\)/);
    assert.deepEqual(
      again.errors?.map((e) => [e.code, e.params]),
      [['subject_closed', { closedAt: floor, leftAt: '2025-09-20T10:00:00.000Z' }]],
    );

    const reopened = await api.post('/v1/subjects/CL21/reopen', {});
    assert.deepEqual(await reopened.json(), { id: 'CL21', kind: 'customer', displayName: '张*明' }, 'the real date goes with the closing');
    const records = (await trail(f)).filter(
      (r) => r.phase === 'result' && r.target.id === 'CL21' && r.method === 'POST' && r.status === 200,
    );
    assert.deepEqual(records.find((r) => r.route === '/v1/subjects/{id}/close')?.detail, {
      closedAt: floor,
      leftAt: '2025-09-20T10:00:00.000Z',
      reason: '分行补报销户',
    });
    assert.deepEqual(records.find((r) => r.route === '/v1/subjects/{id}/reopen')?.detail, {
      closedAt: floor,
      leftAt: '2025-09-20T10:00:00.000Z',
      reason: '分行补报销户',
    });

    // Said late of a date in an open month: nothing to keep apart, so nothing changes.
    const open = await api.post('/v1/subjects/CL21/close', { at: '2025-10-20T02:00:00Z', reason: '销户', late: true });
    assert.deepEqual(await open.json(), {
      id: 'CL21',
      kind: 'customer',
      displayName: '张*明',
      closedAt: '2025-10-20T02:00:00.000Z',
      closedReason: '销户',
    });
    // Closed in an open month, the 409 names that date and carries no leftAt.
    const twice = await problem(await api.post('/v1/subjects/CL21/close', { reason: '重复销户' }), 409);
    assert.match(String(twice.detail), /left the bank since 2025-10-20T02:00:00\.000Z\)/);
    assert.deepEqual(twice.errors?.[0]?.params, { closedAt: '2025-10-20T02:00:00.000Z' });

    // `late: false`, as a form bound to a boolean sends it for every ordinary closing: taken, nothing kept apart.
    assert.equal((await api.post('/v1/subjects/CL21/reopen', {})).status, 200);
    const unticked = await api.post('/v1/subjects/CL21/close', { at: '2025-10-21T02:00:00Z', reason: '销户', late: false });
    assert.equal(unticked.status, 200, await unticked.clone().text());
    assert.deepEqual(await unticked.json(), {
      id: 'CL21',
      kind: 'customer',
      displayName: '张*明',
      closedAt: '2025-10-21T02:00:00.000Z',
      closedReason: '销户',
    });
  });

  it('an import closes a customer learnt late only on a row that says so (closedLate 1)', async () => {
    await clientAt(f, LONG_AGO).customer('CL22');
    const upload = (csv: string) =>
      f.app.request('/v1/imports?kind=subjects', {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${f.keys.roles.officer}` },
        body: csv,
      });
    const rowErrors = async (res: Response) =>
      (
        (await (await client(f).get(res.headers.get('Location') ?? '')).json()) as {
          errors: { items: { line: number; column: string; code: string }[] };
        }
      ).errors.items.map((e) => [e.line, e.column, e.code]);
    const plan = await problem(await upload('id,name,closedLate\nCL22,张晓明,1\n'), 400);
    assert.ok(JSON.stringify(plan).includes('requires'), JSON.stringify(plan));
    const bad = await upload(
      'id,name,closedAt,closedLate\nCL22,张晓明,2025-09-20T10:00:00+08:00,\nCL23,李雷,2025-09-20T10:00:00+08:00,yes\nCL24,韩梅,,1\nCL25,王芳,1999-12-31T00:00:00Z,1\n',
    );
    assert.equal(bad.status, 422);
    const refusedForFinal = (
      (await (await client(f).get(bad.headers.get('Location') ?? '')).json()) as { errors: { items: { line: number; message: string }[] } }
    ).errors.items.find((e) => e.line === 2);
    assert.match(String(refusedForFinal?.message), /1 in a closedLate column/, 'the row says how a closing learnt late is recorded');
    assert.deepEqual(await rowErrors(bad), [
      [2, 'closedAt', 'too_small'],
      // Not read as late, so the date is also below the floor.
      [3, 'closedAt', 'too_small'],
      [3, 'closedLate', 'invalid_value'],
      [4, 'closedLate', 'requires'],
      [5, 'closedAt', 'too_small'],
    ]);
    assert.deepEqual(await listed(f, '22&closed=include'), ['CL22'], 'nothing was written: CL22 still open, CL23–CL25 not created');
    assert.deepEqual(await listed(f, '22&closed=only'), []);
    assert.deepEqual(await listed(f, '23&closed=include'), []);

    // CL22 exists (its change is staged), CL26 is new (inserted as read): both keep the real date.
    const ok = await upload(
      'id,name,closedAt,closedReason,closedLate\nCL22,张晓明,2025-09-20T10:00:00+08:00,分行补报,1\nCL26,李雷,2025-09-21T00:00:00Z,,1\nCL27,韩梅,2025-10-21T00:00:00Z,,1\n',
    );
    assert.equal(ok.status, 201, await ok.clone().text());
    const closed = (await (await client(f).get('/v1/subjects?q=CL2&closed=only')).json()) as Listed;
    assert.deepEqual(
      closed.items.filter((s) => ['CL22', 'CL26', 'CL27'].includes(s.id)),
      [
        {
          id: 'CL22',
          kind: 'customer',
          displayName: '张*明',
          closedAt: '2025-09-30T16:00:00.000Z',
          closedReason: '分行补报',
          leftAt: '2025-09-20T02:00:00.000Z',
          manager: null,
        },
        {
          id: 'CL26',
          kind: 'customer',
          displayName: '李*',
          closedAt: '2025-09-30T16:00:00.000Z',
          leftAt: '2025-09-21T00:00:00.000Z',
          manager: null,
        },
        { id: 'CL27', kind: 'customer', displayName: '韩*', closedAt: '2025-10-21T00:00:00.000Z', manager: null },
      ],
      'a closing in an open month is as it always was',
    );
    for (const id of ['CL22', 'CL26']) {
      const s = await findSubjectByExternalId(f.db.db, 'bank-a', id);
      assert.ok(s);
      const kept = await f.db.db.selectFrom('subject_closings').select(['closed_at', 'left_at']).where('subject_id', '=', s.id).execute();
      assert.deepEqual(kept, [{ closed_at: '2025-09-30T16:00:00.000Z', left_at: s.leftAt }], id);
    }
  });
});

/*
 * Analytics on a small book of bank-b, counted by hand (Asia/Shanghai, the app's default zone):
 *
 *        2025-01    02       03         04        05     closed
 *   A1   standard            → gold                      2025-02-28T17:00Z = 03-01 01:00 in Shanghai: March
 *   A2   gold                                            2025-04-30T15:59:59Z = 04-30 23:59:59: April
 *   A3   standard                       → gold           —
 *   A4              gold                                 2025-01-10: before it was ever tiered
 *
 * A customer closed on or before a month's end is not counted in that month nor after.
 */
const BOOK: BookEvent[] = [
  { subject: 'A1', period: '2025-01', from: null, to: 'standard' },
  { subject: 'A1', period: '2025-03', from: 'standard', to: 'gold' },
  { subject: 'A2', period: '2025-01', from: null, to: 'gold' },
  { subject: 'A3', period: '2025-01', from: null, to: 'standard' },
  { subject: 'A3', period: '2025-04', from: 'standard', to: 'gold' },
  { subject: 'A4', period: '2025-02', from: null, to: 'gold' },
];

forEachDialect('analytics leave closed customers out', (f) => {
  const b = client(f, 'b');
  /** Closing (`closed`) or reopening (null) recorded at `now`, as staff would have done then. */
  const record = async (id: string, closed: { at: string; reason: string } | null, now: string) => {
    const s = await findSubjectByExternalId(f.db.db, 'bank-b', id);
    assert.ok(s);
    assert.equal(await setSubjectClosed(f.db.db, 'bank-b', s.id, closed, now), true);
  };
  const distribution = async () => {
    const body = await (await b.get('/v1/analytics/distribution?scheme=retail-tier&from=2025-01&to=2025-05')).json();
    const counts = Object.fromEntries(body.series.map((s: { level: string; counts: number[] }) => [s.level, s.counts]));
    return { standard: counts.standard, gold: counts.gold, totals: body.totals };
  };
  before(async () => {
    await writeBook(f.db.db, 'bank-b', { events: BOOK });
    // Recorded when they happened: the months are final by now, and the API refuses a closing into them.
    for (const [id, at] of [
      ['A1', '2025-02-28T17:00:00.000Z'],
      ['A2', '2025-04-30T15:59:59.000Z'],
      ['A4', '2025-01-10T00:00:00.000Z'],
    ] as const)
      await record(id, { at, reason: '销户' }, at);
  });

  it('distribution: from the month they left, in the bank’s calendar', async () => {
    const body = await (await b.get('/v1/analytics/distribution?scheme=retail-tier&from=2025-01&to=2025-05')).json();
    const counts = Object.fromEntries(body.series.map((s: { level: string; counts: number[] }) => [s.level, s.counts]));
    assert.deepEqual(counts.standard, [2, 2, 1, 0, 0], 'A1 counts in February (closed on 1 March in Shanghai), not in March');
    assert.deepEqual(counts.gold, [1, 1, 1, 1, 1], 'A2 to April, then A3; A4 never');
    assert.deepEqual(body.totals, [3, 3, 2, 1, 1]);
  });

  it('migration: neither a mover nor a stayer into a month they had left by', async () => {
    const body = await (await b.get('/v1/analytics/migration?scheme=retail-tier&from=2025-02&to=2025-04')).json();
    assert.deepEqual(body.totals, { both: 1, up: 1, down: 0, same: 0, unranked: 0, heldByOverride: 0, entered: 0 }, 'A3 only');
    const early = await (await b.get('/v1/analytics/migration?scheme=retail-tier&from=2025-01&to=2025-02')).json();
    assert.deepEqual(early.totals, { both: 3, up: 0, down: 0, same: 3, unranked: 0, heldByOverride: 0, entered: 0 }, 'A1, A2, A3; not A4');
  });

  it('effect evaluation: neither a mover nor a stayer of a month they had left by', async () => {
    const april = await (await b.get('/v1/analytics/effect?scheme=retail-tier&period=2025-04&direction=up')).json();
    assert.deepEqual(april.cohorts, { moved: 1, stayed: 0, overrideMoved: 0, heldByOverride: 0 }, 'A3 moved; A2 left in April, A1 before');
    const march = await (await b.get('/v1/analytics/effect?scheme=retail-tier&period=2025-03&direction=up')).json();
    assert.deepEqual(
      march.cohorts,
      { moved: 0, stayed: 2, overrideMoved: 0, heldByOverride: 0 },
      'A2 and A3 stayed; A1’s move is not counted',
    );
  });

  it('rates: no move in the month they left, and out of the next month’s base', async () => {
    const body = await (await b.get('/v1/analytics/rates?scheme=retail-tier&from=2025-02&to=2025-05')).json();
    assert.deepEqual(body.base, [3, 3, 2, 1]);
    assert.deepEqual(body.upgrades, [0, 0, 1, 0], 'A1’s March upgrade is not counted; A3’s April one is');
    assert.deepEqual(body.entered, [0, 0, 0, 0], 'A4 never entered');
  });

  it('a closing into a month whose figures are final is refused, and changes nothing', async () => {
    const before = await distribution();
    const refused = await problem(await b.post('/v1/subjects/A3/close', { at: '2025-03-01T00:00:00Z', reason: '补录销户' }), 400);
    const e = refused.errors?.find((x) => x.path === 'at');
    assert.equal(e?.code, 'too_small');
    assert.equal(e?.params?.origin, 'instant');
    assert.ok(String(e?.params?.minimum) > '2025-03-01T00:00:00Z', JSON.stringify(e));
    assert.deepEqual(await distribution(), before);
  });

  it('reopening leaves the months they were gone at the end of without them', async () => {
    const before = await distribution();
    // Before the fix a reopening erased the closing: A1 counted again, gold from March.
    assert.equal((await b.post('/v1/subjects/A1/reopen', { note: '误销户' })).status, 200);
    assert.deepEqual(await distribution(), before, 'closed through May, reopened in November');

    // Closed on 10 February, back on 20 March: out of February's figures only.
    await record('A3', { at: '2025-02-10T00:00:00.000Z', reason: '销户' }, '2025-02-10T00:00:00.000Z');
    await record('A3', null, '2025-03-20T00:00:00.000Z');
    assert.deepEqual(await distribution(), { standard: [2, 1, 1, 0, 0], gold: [1, 1, 1, 1, 1], totals: [3, 2, 2, 1, 1] });
    const rates = await (await b.get('/v1/analytics/rates?scheme=retail-tier&from=2025-03&to=2025-05')).json();
    assert.deepEqual(rates.upgrades, [0, 1, 0], 'back by April: A3’s upgrade then counts');
    // Gone at the end of February: no customer of February, so in no migration from it, back or not.
    const migration = await (await b.get('/v1/analytics/migration?scheme=retail-tier&from=2025-02&to=2025-04')).json();
    assert.deepEqual(migration.totals, { both: 0, up: 0, down: 0, same: 0, unranked: 0, heldByOverride: 0, entered: 0 });
    const fromMarch = await (await b.get('/v1/analytics/migration?scheme=retail-tier&from=2025-03&to=2025-04')).json();
    assert.equal(fromMarch.totals.up, 1, 'A3, back by the end of March, moved up into April');
  });

  it('a closing learnt late changes no final month: it counts from the end of the last one, its real date kept for staff', async () => {
    const before = await distribution();
    const floor = (
      await problem(await b.post('/v1/subjects/A3/close', { at: '2025-03-01T00:00:00Z', reason: '补录销户' }), 400)
    ).errors?.find((x) => x.path === 'at')?.params?.minimum;
    assert.equal(floor, '2025-04-30T16:00:00.000Z', 'April is the last final month of this book');
    // Eight months back: a closing request, which a second person approves (closing-requests.test.ts).
    const filed = await b.post('/v1/subjects/A3/close', { at: '2025-03-01T00:00:00Z', reason: '补录销户', late: true });
    assert.equal(filed.status, 202);
    const request = (await filed.json()) as { id: string; contentHash: string };
    const { secret } = await createApiKey(f.db.db, { tenantId: 'bank-b', role: 'approver', label: 'second person', now: NOW });
    const approver = client(f, () => secret);
    const approved = await approver.post(`/v1/closing-requests/${request.id}/approve`, { contentHash: request.contentHash });
    assert.equal(approved.status, 200, await approved.clone().text());
    const a3 = await findSubjectByExternalId(f.db.db, 'bank-b', 'A3');
    assert.deepEqual([a3?.leftAt, a3?.closedAt], ['2025-03-01T00:00:00.000Z', floor]);
    const after = await distribution();
    assert.deepEqual(after.totals.slice(0, 4), before.totals.slice(0, 4), 'January to April, final, count A3 as the bank read them');
    assert.equal(after.totals[4], before.totals[4] - 1, 'May, open, no longer counts A3');
  });
});

/*
 * A customer gone at the end of one month and back by a later one, counted by hand (bank-c,
 * Asia/Shanghai: a month ends at 16:00Z on its last day). A migration, a month's moves and an
 * effect's cohorts count a customer only if open at both ends of what they compare.
 *
 *        2025-01    02    03       04    gone at the end of
 *   M1   standard         → gold         February (closed 10 Feb, back 5 Mar)
 *   M2   standard         → gold         —
 *   M3   gold                            March (closed 10 Mar, back 5 Apr)
 */
const GAPS: BookEvent[] = [
  { subject: 'M1', period: '2025-01', from: null, to: 'standard' },
  { subject: 'M1', period: '2025-03', from: 'standard', to: 'gold' },
  { subject: 'M2', period: '2025-01', from: null, to: 'standard' },
  { subject: 'M2', period: '2025-03', from: 'standard', to: 'gold' },
  { subject: 'M3', period: '2025-01', from: null, to: 'gold' },
];

forEachDialect('analytics: a customer counts in a comparison only if open at both ends', (f) => {
  let t: FourEyesTenant;
  const get = async (path: string) => ok<Record<string, unknown>>(await t.req('admin', 'GET', path));
  const totals = { both: 0, up: 0, down: 0, same: 0, unranked: 0, heldByOverride: 0, entered: 0 };
  before(async () => {
    t = await fourEyesTenant(f, 'bank-c', START);
    await writeBook(f.db.db, t.tenantId, { events: GAPS });
    for (const [id, at, back] of [
      ['M1', '2025-02-10T00:00:00.000Z', '2025-03-05T00:00:00.000Z'],
      ['M3', '2025-03-10T00:00:00.000Z', '2025-04-05T00:00:00.000Z'],
    ] as const) {
      const s = await findSubjectByExternalId(f.db.db, t.tenantId, id);
      assert.ok(s);
      assert.equal(await setSubjectClosed(f.db.db, t.tenantId, s.id, { at, reason: '销户' }, at), true);
      assert.equal(await setSubjectClosed(f.db.db, t.tenantId, s.id, null, back), true);
    }
  });

  it('migration: out when gone at the end of `from`, even if back by `to`', async () => {
    assert.deepEqual(
      (await get('/v1/analytics/migration?scheme=retail-tier&from=2025-02&to=2025-03')).totals,
      {
        ...totals,
        both: 1,
        up: 1,
      },
      'M2 only: M1 was gone at the end of February, M3 at the end of March',
    );
    assert.deepEqual(
      (await get('/v1/analytics/migration?scheme=retail-tier&from=2025-02&to=2025-04')).totals,
      {
        ...totals,
        both: 2,
        up: 1,
        same: 1,
      },
      'M2 up; M3 open at both ends stayed; M1 out',
    );
    assert.deepEqual((await get('/v1/analytics/migration?scheme=retail-tier&from=2025-01&to=2025-02')).totals, {
      ...totals,
      both: 2,
      same: 2,
    });
  });

  it('rates: no move in a month from one they were gone at the end of', async () => {
    const rates = await get('/v1/analytics/rates?scheme=retail-tier&from=2025-03&to=2025-04');
    assert.deepEqual(rates.upgrades, [1, 0], 'M2’s March upgrade; not M1’s, gone at the end of February');
    assert.deepEqual(rates.base, [2, 2], 'February: M2, M3; March: M1, M2');
  });

  it('effect evaluation: neither a mover nor a stayer when gone at the end of the month before', async () => {
    const march = await get('/v1/analytics/effect?scheme=retail-tier&period=2025-03&direction=up');
    assert.deepEqual(march.cohorts, { moved: 1, stayed: 0, overrideMoved: 0, heldByOverride: 0 }, 'M2 moved; M1 and M3 out');
  });
});

/*
 * A closing right at a month's end, in the bank's calendar (Asia/Shanghai: February ends at
 * 2025-02-28T16:00Z), and closings that begin or end inside the later month.
 *
 *        2025-01          03         closed                      back
 *   N1   standard    →    gold       28 Feb 23:59 (15:59Z)       3 Mar   gone at the end of February
 *   N2   standard    →    gold       1 Mar 00:00 (16:00Z)        3 Mar   open at both ends
 *   N3   gold                        20 Mar                      —       gone at the end of March
 *   N4   gold                        20 Mar                      25 Mar  open at both ends
 */
const MONTH_ENDS: BookEvent[] = [];
for (const id of ['N1', 'N2'])
  MONTH_ENDS.push(
    { subject: id, period: '2025-01', from: null, to: 'standard' },
    { subject: id, period: '2025-03', from: 'standard', to: 'gold' },
  );
for (const id of ['N3', 'N4']) MONTH_ENDS.push({ subject: id, period: '2025-01', from: null, to: 'gold' });

forEachDialect('analytics: a closing at the very end of a month, in the bank’s time zone', (f) => {
  let t: FourEyesTenant;
  const get = async (path: string) => ok<Record<string, unknown>>(await t.req('admin', 'GET', path));
  before(async () => {
    t = await fourEyesTenant(f, 'bank-e', START);
    await writeBook(f.db.db, t.tenantId, { events: MONTH_ENDS });
    for (const [id, at, back] of [
      ['N1', '2025-02-28T15:59:00.000Z', '2025-03-03T00:00:00.000Z'],
      ['N2', '2025-02-28T16:00:00.000Z', '2025-03-03T00:00:00.000Z'],
      ['N3', '2025-03-20T00:00:00.000Z', null],
      ['N4', '2025-03-20T00:00:00.000Z', '2025-03-25T00:00:00.000Z'],
    ] as const) {
      const s = await findSubjectByExternalId(f.db.db, t.tenantId, id);
      assert.ok(s);
      assert.equal(await setSubjectClosed(f.db.db, t.tenantId, s.id, { at, reason: '销户' }, at), true);
      if (back) assert.equal(await setSubjectClosed(f.db.db, t.tenantId, s.id, null, back), true);
    }
  });

  it('migration February → March: N2 up and N4 stayed; N1 gone at the end of February, N3 at the end of March', async () => {
    const m = await get('/v1/analytics/migration?scheme=retail-tier&from=2025-02&to=2025-03');
    assert.deepEqual(m.totals, { both: 2, up: 1, down: 0, same: 1, unranked: 0, heldByOverride: 0, entered: 0 });
  });

  it('rates of March: N2’s upgrade only, out of the three open at the end of February', async () => {
    const r = await get('/v1/analytics/rates?scheme=retail-tier&from=2025-03&to=2025-03');
    assert.deepEqual([r.upgrades, r.base], [[1], [3]]);
  });

  it('effect of March’s upgrades: N2 moved and N4 stayed; N1 (gone at the end of February) and N3 (of March) are neither', async () => {
    const e = await get('/v1/analytics/effect?scheme=retail-tier&period=2025-03&direction=up');
    assert.deepEqual(e.cohorts, { moved: 1, stayed: 1, overrideMoved: 0, heldByOverride: 0 });
  });
});
