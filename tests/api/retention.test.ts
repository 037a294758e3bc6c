import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApp, mintEmbedToken, mintStaffToken } from '@tierkit/api';
import type { AuditRecord } from '@tierkit/core';
import { findSubjectByExternalId, setSubjectClosed } from '@tierkit/db';
import { authHeader, client, forEachDialect, NOW, type ApiFixture } from '../support/api-fixture.js';
import { problem } from '../support/problems.js';

/*
 * Retention of closed customers' personal data (docs/operations.md, "Retention and erasure"): past the
 * tenant's years after closing (5 by default, never fewer) `POST /v1/retention/run` erases what named
 * them and keeps their tier history under the internal id, the audit chain verifying as before.
 * NOW is 2025-11-15: a customer who left in 2019 is six years gone, one who left in late 2021 four.
 */

type Run = {
  erasable: number;
  erased: number;
  heldByRequest: number;
  heldByLegalHold: number;
  erasedBefore: number;
  retentionYears: number;
};

async function counts(f: ApiFixture, externalId: string, tenant = 'bank-a') {
  const s = await findSubjectByExternalId(f.db.db, tenant, externalId);
  assert.ok(s, externalId);
  const n = async (table: 'metrics' | 'tier_events' | 'assignments' | 'sign_off_input_writers') =>
    Number(
      (
        await f.db.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('tenant_id', '=', tenant)
          .where('subject_id', '=', s.id)
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    name: s.displayName,
    erasedAt: s.erasedAt,
    reason: s.closedReason,
    metrics: await n('metrics'),
    events: await n('tier_events'),
    levels: await n('assignments'),
    oldWriters: await n('sign_off_input_writers'),
  };
}

forEachDialect('retention and erasure of closed customers', (f) => {
  const run = async (body: unknown, as: 'a' | 'b' = 'a') => {
    const res = await client(f, as).post('/v1/retention/run', body);
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Run;
  };

  before(async () => {
    // What happened years ago happens through an app whose clock stands then: the customers were active
    // (metrics, requests, decisions) before they left, as the retention clock needs them to be.
    const then = (at: string, as: 'a' | 'b' | (() => string | undefined) = 'a') =>
      client({ ...f, app: createApp({ db: f.db.db, now: () => new Date(at), logError: () => undefined }) }, as);
    const in2019 = (as: 'a' | 'b' | (() => string | undefined) = 'a') => then('2019-07-01T02:00:00Z', as);
    const officer2019 = () => in2019(() => f.keys.roles.officer);
    for (const id of ['RT6', 'RT4', 'RTP']) {
      await in2019().customer(id, '李四海');
      const r = await officer2019().balances(id, [
        ['2019-03', 100_000],
        ['2019-04', 100_000],
        ['2019-05', 100_000],
      ]);
      assert.equal(r.status, 200, await r.clone().text());
    }
    // RTP has a request waiting for a checker. A closing through the API withdraws it; one recorded by
    // an earlier release (or an import of a closed account with a request brought back by a reopening)
    // leaves it pending, which is what holds the customer back from erasure.
    const request = { scheme: 'retail-tier', level: 'diamond', mode: 'fixed', reason: 'VIP retention', expiresAt: null };
    assert.equal((await officer2019().post('/v1/subjects/RTP/overrides', request)).status, 201);
    // RT6 leaves what an erasure must reach beyond its row: a request decided with notes naming them
    // (the request's reason, the checker's note, the decision step), and a relationship manager.
    const filed = await officer2019().post('/v1/subjects/RT6/overrides', { ...request, reason: '李四海 VIP' });
    assert.equal(filed.status, 201, await filed.clone().text());
    const { id: overrideId, contentHash } = (await filed.json()) as { id: string; contentHash: string };
    const rejected = await in2019(() => f.keys.roles.approver).post(`/v1/overrides/${overrideId}/reject`, {
      contentHash,
      note: '李四海 材料不全',
    });
    assert.equal(rejected.status, 200, await rejected.clone().text());
    assert.equal((await client(f).put('/v1/staff/RMR', { name: 'RMR', role: 'officer', scope: 'book' })).status, 201);
    assert.equal((await client(f).put('/v1/subjects/RT6/manager', { manager: 'RMR' })).status, 200);
    // RT6 left in 2019, six years gone; RT4 in late 2021, four years gone: each closed when it happened.
    for (const [id, at] of [
      ['RT6', '2019-07-01T02:00:00Z'],
      ['RT4', '2021-12-01T02:00:00Z'],
    ] as const) {
      const closed = await then(at, () => f.keys.roles.officer).post(`/v1/subjects/${id}/close`, { reason: '客户主动销户 李四海' });
      assert.equal(closed.status, 200, await closed.clone().text());
    }
    const rtp = await findSubjectByExternalId(f.db.db, 'bank-a', 'RTP');
    assert.ok(rtp);
    await setSubjectClosed(f.db.db, 'bank-a', rtp.id, { at: '2019-03-01T02:00:00.000Z', reason: '销户' }, NOW.toISOString());

    // bank-b: a customer six years gone, under a seven-year retention.
    await in2019('b').customer('B6', '王五');
    assert.equal((await in2019('b').post('/v1/subjects/B6/close', { reason: '销户' })).status, 200);
  });

  it('keeps at least five years: below is a 400 that changes nothing; each tenant has its own setting', async () => {
    assert.deepEqual(await (await client(f).get('/v1/retention')).json(), { years: 5, minimum: 5 });
    const low = await problem(await client(f).put('/v1/retention', { years: 4 }), 400);
    assert.deepEqual(
      low.errors?.map((e) => [e.path, e.code]),
      [['years', 'too_small']],
    );
    await problem(await client(f).put('/v1/retention', { years: 5.5 }), 400);
    assert.deepEqual(await (await client(f).get('/v1/retention')).json(), { years: 5, minimum: 5 });
    assert.equal((await client(f, 'b').put('/v1/retention', { years: 7 })).status, 200);
    assert.deepEqual(await (await client(f, 'b').get('/v1/retention')).json(), { years: 7, minimum: 5 });
    assert.deepEqual(await (await client(f).get('/v1/retention')).json(), { years: 5, minimum: 5 }, 'bank-a unchanged');
  });

  it('is for admins only: an approver, officer, viewer key or an embed token is refused and nothing is erased', async () => {
    for (const role of ['approver', 'officer', 'analyst', 'viewer'] as const) {
      assert.equal((await client(f, () => f.keys.roles[role]).post('/v1/retention/run', {})).status, 403, role);
      assert.equal((await client(f, () => f.keys.roles[role]).put('/v1/retention', { years: 9 })).status, 403, role);
    }
    // A relationship manager's staff token (book-scoped): a run reaches the whole tenant.
    const rm = client(f, () => staff);
    const { token: staff } = await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'RMR', now: NOW });
    assert.equal((await rm.post('/v1/retention/run', {})).status, 403);
    assert.equal((await rm.put('/v1/retention', { years: 9 })).status, 403);
    assert.equal((await rm.get('/v1/retention')).status, 403);
    const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'RT4', ttlSeconds: 600, now: NOW });
    assert.equal((await client(f, () => token).post('/v1/retention/run', {})).status, 403);
    assert.equal((await counts(f, 'RT6')).erasedAt, null);
  });

  it('a dry run counts and changes nothing', async () => {
    const before = await counts(f, 'RT6');
    const dry = await run({ dryRun: true });
    assert.deepEqual(
      { ...dry, cutoff: undefined, tenant: undefined },
      { ...dry, cutoff: undefined, tenant: undefined, erasable: 1, erased: 0, heldByRequest: 1, heldByLegalHold: 0, erasedBefore: 0 },
    );
    assert.deepEqual(await counts(f, 'RT6'), before);
    assert.equal(before.name, '李四海');
    assert.ok(before.metrics > 0 && before.events > 0);
  });

  it('erases the customer six years gone, keeps the one four years gone, the one with a pending request and the other tenant; audit verifies', async () => {
    const rt4 = await counts(f, 'RT4');
    const rtp = await counts(f, 'RTP');
    // A writer of RT6's the release before kept apart, as an instance of it would during a rolling deploy.
    const rt6Subject = await findSubjectByExternalId(f.db.db, 'bank-a', 'RT6');
    assert.ok(rt6Subject);
    await f.db.db
      .insertInto('sign_off_input_writers')
      .values({
        tenant_id: 'bank-a',
        subject_id: rt6Subject.id,
        metric: 'avg_daily_balance',
        period: '2019-10',
        written_by: 'key:old-instance',
        written_at: '2019-11-01T00:00:00.000Z',
      })
      .execute();
    const rt6 = await counts(f, 'RT6');
    assert.equal(rt6.oldWriters, 1);
    const done = await run({});
    assert.equal(done.erased, 1);
    assert.equal(done.heldByRequest, 1);
    assert.equal(done.retentionYears, 5);

    const gone = await counts(f, 'RT6');
    assert.equal(gone.name, '');
    assert.equal(gone.reason, null);
    assert.equal(gone.metrics, 0, 'metric values removed');
    assert.equal(gone.oldWriters, 0, 'and their writers kept by the release before');
    assert.equal(gone.events, rt6.events, 'tier history kept under the internal id');
    assert.equal(gone.levels, rt6.levels);
    assert.ok(gone.erasedAt);
    // Beyond the row: no note, reason, figure or book link of theirs is left under the internal id.
    const rt6Id = (await findSubjectByExternalId(f.db.db, 'bank-a', 'RT6'))?.id ?? '';
    const db = f.db.db;
    const overrides = await db
      .selectFrom('overrides')
      .selectAll()
      .where('tenant_id', '=', 'bank-a')
      .where('subject_id', '=', rt6Id)
      .execute();
    assert.deepEqual(
      overrides.map((o) => [o.status, o.reason, o.decision_note, o.decided_by !== null]),
      [['rejected', '', null, true]],
      'the decision and who made it kept, its words not',
    );
    const steps = await db
      .selectFrom('approval_decisions')
      .selectAll()
      .where('tenant_id', '=', 'bank-a')
      .where('subject_id', '=', rt6Id)
      .execute();
    assert.ok(steps.length >= 2);
    assert.deepEqual(
      steps.map((d) => d.note),
      steps.map(() => null),
    );
    const book = await db.selectFrom('subject_managers').select('staff_id').where('subject_id', '=', rt6Id).execute();
    const moves = await db.selectFrom('book_moves').select('id').where('subject_id', '=', rt6Id).execute();
    assert.deepEqual([book.length, moves.length], [0, 0]);
    const levels = await db
      .selectFrom('assignments')
      .selectAll()
      .where('tenant_id', '=', 'bank-a')
      .where('subject_id', '=', rt6Id)
      .execute();
    assert.ok(levels.length > 0);
    for (const a of levels) {
      const e = (typeof a.explanation === 'string' ? JSON.parse(a.explanation) : a.explanation) as Record<string, unknown>;
      assert.deepEqual([e.inputs, 'score' in e, a.progress, a.next_gap], [[], false, null, null], a.scheme);
    }
    assert.ok(!JSON.stringify([overrides, steps, levels]).includes('李四海'));
    const closingReasons = await f.db.db
      .selectFrom('subject_closings')
      .select('reason')
      .where('tenant_id', '=', 'bank-a')
      .where('reason', 'like', '%李四海%')
      .execute();
    assert.equal(closingReasons.length, 1, 'only RT4’s closing still names them');

    // Staff are told the customer was erased; the others read as before.
    const erased = await problem(await client(f).get('/v1/subjects/RT6/tiers'), 404);
    assert.equal(erased.type, 'https://tierkit.dev/problems/subject-erased');
    await problem(await client(f).get('/v1/subjects/RT6/history'), 404);
    const rewrite = await problem(await client(f).put('/v1/subjects/RT6', { kind: 'customer', displayName: '李四海' }), 409);
    assert.deepEqual(
      rewrite.errors?.map((e) => e.code),
      ['erased'],
    );
    assert.equal((await client(f).get('/v1/subjects/RT4/tiers')).status, 200);
    assert.equal((await client(f).get('/v1/subjects/RTP/tiers')).status, 200);
    assert.deepEqual(await counts(f, 'RT4'), rt4);
    assert.deepEqual(await counts(f, 'RTP'), rtp);
    assert.equal((await counts(f, 'B6', 'bank-b')).name, '王五');

    // The chain still verifies, and says what the run did in counts, never whom.
    const verified = (await (await client(f).get('/v1/audit/verify')).json()) as { ok: boolean };
    assert.equal(verified.ok, true);
    const records = ((await (await client(f).get('/v1/audit?limit=100')).json()) as { items: AuditRecord[] }).items.filter(
      (r) => r.route === '/v1/retention/run',
    );
    const text = JSON.stringify(records);
    assert.ok(!text.includes('RT6') && !text.includes('李四海'), text);
    assert.ok(records.some((r) => r.phase === 'change' && (r.detail as { erased?: number } | null)?.erased === 1));
    assert.ok(records.some((r) => r.phase === 'result' && (r.detail as { retentionYears?: number } | null)?.retentionYears === 5));
  });

  it('a second run erases nothing more; the other tenant’s run follows its own seven years', async () => {
    const again = await run({});
    assert.equal(again.erased, 0);
    assert.equal(again.erasable, 0);
    assert.equal(again.erasedBefore, 1);
    const b = await run({}, 'b');
    assert.equal(b.retentionYears, 7);
    assert.equal(b.erased, 0);
    assert.equal((await counts(f, 'B6', 'bank-b')).name, '王五');
    assert.equal((await client(f, 'b').get('/v1/subjects/B6/tiers')).status, 200);
  });

  it('writes nothing under an erased customer again: a metrics, managers or subjects import row, a bulk move, a reopening that raced the run', async () => {
    const upload = (kind: string, body: string) =>
      f.app.request(`/v1/imports?kind=${kind}${kind === 'metrics' ? '&amounts=fen' : ''}`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/csv', ...authHeader(f) },
        body,
      });
    for (const [kind, body] of [
      ['metrics', 'subject,metric,period,value\r\nRT6,avg_daily_balance,2025-10,100\r\n'],
      ['managers', 'subject,manager\r\nRT6,RMR\r\n'],
      ['subjects', 'id,name\r\nRT6,李四海\r\n'],
    ] as const) {
      const res = await upload(kind, body);
      const refused = await problem(res, 422);
      assert.deepEqual(
        refused.errors?.map((e) => [e.code, e.params?.subject]),
        [['erased', undefined]],
        kind,
      );
      // The answer and the import's record say the line, never the number again (the record is kept).
      const stored = await f.app.request(res.headers.get('Location') ?? '', { headers: authHeader(f) });
      const record = await stored.text();
      assert.equal(stored.status, 200, record);
      assert.match(record, /"code":"erased"/, kind);
      assert.doesNotMatch(record, /RT6/, kind);
    }
    const bulk = await problem(await client(f).post('/v1/subject-managers', { assignments: [{ subject: 'RT6', manager: 'RMR' }] }), 400);
    assert.deepEqual(
      bulk.errors?.map((e) => [e.path, e.code]),
      [['assignments[0].subject', 'erased']],
    );
    const gone = await counts(f, 'RT6');
    assert.deepEqual([gone.name, gone.metrics], ['', 0]);
    const rt6 = await findSubjectByExternalId(f.db.db, 'bank-a', 'RT6');
    const links = await f.db.db
      .selectFrom('subject_managers')
      .select('staff_id')
      .where('subject_id', '=', rt6?.id ?? '')
      .execute();
    assert.deepEqual(links, [], 'in no book');
    // A reopening that read RT6 before a run erased them (the route's check passed) changes nothing.
    assert.equal(await setSubjectClosed(f.db.db, 'bank-a', rt6?.id ?? '', null, NOW.toISOString()), false);
    assert.equal((await findSubjectByExternalId(f.db.db, 'bank-a', 'RT6'))?.closedAt !== null, true, 'still closed');
  });
});
