import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { findSubjectByExternalId } from '@tierkit/db';
import { sql } from 'kysely';
import type { EntitlementsResponse, TiersResponse } from '@tierkit/core';
import { forEachDialect } from '../support/api-fixture.js';
import {
  fourEyesPack,
  fourEyesTenant,
  ok,
  problem,
  requestOverride,
  START,
  type FourEyesTenant,
  type Person,
} from '../support/four-eyes-fixture.js';
import { twoSignOffPack } from '../support/test-pack.js';

interface LevelApproval {
  id: string;
  subject: string;
  level: string;
  from: string | null;
  period: string;
  status: string;
  contentHash: string;
  requestedBy: string;
  decidedBy: string | null;
}
interface Item {
  kind: string;
  id: string;
  subject: string | null;
  scheme: string;
  summary: string;
  requestedAt: string;
  ageSeconds: number;
  contentHash: string;
}

forEachDialect('four eyes: approval-required levels, the queue, reviews, suitability', (f) => {
  let t: FourEyesTenant;
  const customer = async (id: string) =>
    ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
  const aml = (id: string, period: string, score: number, who: Person = 'officer') =>
    t.req(who, 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'aml_customer_risk', period, value: score }] });
  const amlOf = async (id: string) => {
    const tiers = await ok<TiersResponse>(await t.req('viewer', 'GET', `/v1/subjects/${id}/tiers?scheme=aml-test`));
    const a = tiers.assignments[0];
    assert.ok(a);
    return { level: a.level, approvalRequired: a.approvalRequired };
  };
  const queue = async (query = '') =>
    ok<{ items: Item[]; nextCursor: string | null }>(await t.req('viewer', 'GET', `/v1/approvals${query}`));

  before(async () => {
    t = await fourEyesTenant(f, 'fe-levels', START);
  });

  it('a pending 高 stays pending across three later months that keep the level until a second person signs it off', async () => {
    await customer('L1');
    await ok(await aml('L1', '2025-08', 95, 'approver'));
    assert.deepEqual(await amlOf('L1'), { level: 'high', approvalRequired: true });
    const pending = await ok<LevelApproval>(await t.req('viewer', 'GET', '/v1/subjects/L1/levels/aml-test/approval'));
    assert.deepEqual([pending.level, pending.from, pending.period, pending.status], ['high', null, '2025-08', 'pending']);

    // Lower data that moves the level supersedes it (four-eyes-sign-off-kept.test.ts); the same level keeps it.
    for (const period of ['2025-09', '2025-10', '2025-11']) {
      await ok(await aml('L1', period, 91));
      const now = await ok<LevelApproval>(await t.req('viewer', 'GET', '/v1/subjects/L1/levels/aml-test/approval'));
      assert.equal(now.id, pending.id, `${period}: the same request is still pending`);
      assert.equal(now.contentHash, pending.contentHash);
      assert.deepEqual(
        await amlOf('L1'),
        { level: 'high', approvalRequired: true },
        `${period}: the level held, the sign-off did not vanish`,
      );
      assert.ok((await queue('?kind=level')).items.some((i) => i.id === 'L1:aml-test'));
    }

    // Whoever caused the grade cannot sign it off; an officer cannot decide at all; a wrong hash is refused.
    await problem(
      await t.req('approver', 'POST', '/v1/subjects/L1/levels/aml-test/approve', { contentHash: pending.contentHash }),
      403,
      'four-eyes',
    );
    await problem(
      await t.req('officer', 'POST', '/v1/subjects/L1/levels/aml-test/approve', { contentHash: pending.contentHash }),
      403,
      'forbidden',
    );
    await problem(
      await t.req('approver2', 'POST', '/v1/subjects/L1/levels/aml-test/approve', { contentHash: `sha256:${'1'.repeat(64)}` }),
      409,
      'content-changed',
    );
    const signed = await ok<LevelApproval>(
      await t.req('approver2', 'POST', '/v1/subjects/L1/levels/aml-test/approve', {
        contentHash: pending.contentHash,
        note: 'EDD file reviewed',
      }),
    );
    assert.equal(signed.status, 'approved');
    assert.equal(signed.decidedBy !== null && signed.decidedBy !== pending.requestedBy, true);
    assert.deepEqual(await amlOf('L1'), { level: 'high', approvalRequired: false });
    await problem(await t.req('viewer', 'GET', '/v1/subjects/L1/levels/aml-test/approval'), 404, 'not-found');
    assert.ok(!(await queue()).items.some((i) => i.id === 'L1:aml-test'));
  });

  it('a level reached again needs a new sign-off; a rejection is recorded and clears the flag; rules below need none', async () => {
    await customer('L2');
    await ok(await aml('L2', '2025-10', 10));
    assert.deepEqual(await amlOf('L2'), { level: 'low', approvalRequired: false });
    await problem(await t.req('viewer', 'GET', '/v1/subjects/L2/levels/aml-test/approval'), 404, 'not-found');
    await ok(await aml('L2', '2025-11', 90));
    const p = await ok<LevelApproval>(await t.req('viewer', 'GET', '/v1/subjects/L2/levels/aml-test/approval'));
    assert.deepEqual([p.from, p.level, p.period], ['low', 'high', '2025-11']);
    await problem(
      await t.req('approver', 'POST', '/v1/subjects/L2/levels/aml-test/reject', { contentHash: p.contentHash }),
      400,
      'validation',
    );
    const rejected = await ok<LevelApproval>(
      await t.req('approver', 'POST', '/v1/subjects/L2/levels/aml-test/reject', {
        contentHash: p.contentHash,
        note: 'data error, override requested',
      }),
    );
    assert.equal(rejected.status, 'rejected');
    assert.deepEqual(await amlOf('L2'), { level: 'high', approvalRequired: false });
  });

  it('while pending, the level entitles what the pack says: `apply` restricts at once, `previous` keeps the level before', async () => {
    const edd = async (app: FourEyesTenant, id: string) =>
      (await ok<EntitlementsResponse>(await app.req('viewer', 'GET', `/v1/subjects/${id}/entitlements`))).entitlements.some(
        (e) => e.def.key === 'edd',
      );
    await customer('L3');
    await ok(await aml('L3', '2025-10', 10));
    await ok(await aml('L3', '2025-11', 95));
    assert.equal(await edd(t, 'L3'), true, 'apply: the restriction applies while pending');

    const prev = await fourEyesTenant(f, 'fe-previous', START, fourEyesPack('previous'));
    await ok(await prev.req('officer', 'PUT', '/v1/subjects/L3', { kind: 'customer', displayName: '王芳' }), 201);
    const put = (period: string, value: number) =>
      prev.req('officer', 'PUT', '/v1/subjects/L3/metrics', { metrics: [{ metric: 'aml_customer_risk', period, value }] });
    await ok(await put('2025-10', 10));
    await ok(await put('2025-11', 95));
    assert.equal(await edd(prev, 'L3'), false, 'previous: the level before applies while pending');
    const p = await ok<LevelApproval>(await prev.req('viewer', 'GET', '/v1/subjects/L3/levels/aml-test/approval'));
    await ok(await prev.req('approver', 'POST', '/v1/subjects/L3/levels/aml-test/approve', { contentHash: p.contentHash }));
    assert.equal(await edd(prev, 'L3'), true, 'signed off: the level applies');
  });

  it('the approvals queue: overrides and levels in one list, oldest first, filtered by kind, scheme, subject and age, in cursor pages', async () => {
    const q = await fourEyesTenant(f, 'fe-queue', START);
    const at = (iso: string) => q.setClock(new Date(iso));
    for (const id of ['Q1', 'Q2', 'Q3']) {
      await ok(await q.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
    }
    at('2025-11-15T04:00:00.000Z');
    await ok(
      await q.req('officer', 'PUT', '/v1/subjects/Q1/metrics', {
        metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 99 }],
      }),
    );
    at('2025-11-15T05:00:00.000Z');
    const o2 = await ok<{ id: string }>(await requestOverride(q, 'Q2', { reason: 'x' }), 201);
    at('2025-11-15T06:00:00.000Z');
    const o3 = await ok<{ id: string }>(
      await requestOverride(q, 'Q3', { scheme: 'aml-test', level: 'high', mode: 'floor', reason: 'y' }, 'officer2'),
      201,
    );
    at('2025-11-15T07:00:00.000Z');
    const get = async (query = '') =>
      ok<{ items: Item[]; nextCursor: string | null }>(await q.req('viewer', 'GET', `/v1/approvals${query}`));
    const all = await get();
    assert.deepEqual(
      all.items.map((i) => [i.kind, i.id, i.ageSeconds]),
      [
        ['level', 'Q1:aml-test', 3 * 3600],
        ['override', o2.id, 2 * 3600],
        ['override', o3.id, 3600],
      ],
    );
    // People read labels, not stored codes: in the locale asked for, zh-CN when none.
    assert.deepEqual(
      all.items.map((i) => i.summary),
      ['反洗钱风险: — → 高 (2025-10)', '客户等级: — → 金卡 (固定为该等级)', '反洗钱风险: — → 高 (不低于该等级)'],
    );
    assert.deepEqual(
      (await get('?locale=en')).items.map((i) => i.summary),
      ['AML risk: — → High (2025-10)', 'Customer tier: — → Gold (exactly this level)', 'AML risk: — → High (never below this level)'],
    );
    assert.deepEqual(
      (await get('?locale=zh-TW')).items.map((i) => i.summary),
      ['反洗钱风险: — → 高 (2025-10)', '客戶等級: — → 金卡 (固定為該等級)', '反洗钱风险: — → 高 (不低於該等級)'],
    );
    await problem(await q.req('viewer', 'GET', '/v1/approvals?locale=fr'), 400, 'validation');
    const draft = await ok<{ version: number }>(await q.req('officer', 'POST', '/v1/policies/aml-test/drafts', {}), 201);
    await ok(await q.req('officer', 'POST', `/v1/policies/aml-test/versions/${draft.version}/submit`, {}));
    // A policy version is shown to those who may decide it and to its makers, not to a viewer.
    assert.deepEqual((await get('?kind=policy')).items, []);
    const policy = async (locale: string) =>
      (await ok<{ items: Item[] }>(await q.req('approver', 'GET', `/v1/approvals?kind=policy&locale=${locale}`))).items.map(
        (i) => i.summary,
      );
    assert.deepEqual(await policy('zh-CN'), [`反洗钱风险 第 ${draft.version} 版，待审批`]);
    assert.deepEqual(await policy('en'), [`AML risk v${draft.version}: new policy version for approval`]);
    await ok(await q.req('approver', 'POST', `/v1/policies/aml-test/versions/${draft.version}/reject`, { note: 'not now' }));
    assert.deepEqual(
      (await get('?kind=override')).items.map((i) => i.id),
      [o2.id, o3.id],
    );
    assert.deepEqual(
      (await get('?scheme=aml-test')).items.map((i) => i.id),
      ['Q1:aml-test', o3.id],
    );
    assert.deepEqual(
      (await get('?subject=Q2')).items.map((i) => i.id),
      [o2.id],
    );
    assert.deepEqual(
      (await get('?minAgeSeconds=7200')).items.map((i) => i.id),
      ['Q1:aml-test', o2.id],
    );
    const first = await get('?limit=2');
    assert.equal(first.items.length, 2);
    assert.ok(first.nextCursor);
    const second = await get(`?limit=2&cursor=${first.nextCursor}`);
    assert.deepEqual(
      second.items.map((i) => i.id),
      [o3.id],
    );
    assert.equal(second.nextCursor, null);
    await problem(await q.req('viewer', 'GET', '/v1/approvals?kind=nope'), 400, 'validation');
    // A mistyped filter is refused rather than answered with an empty queue.
    await problem(await q.req('viewer', 'GET', '/v1/approvals?scheme=aml_test'), 400, 'validation');
    await problem(await q.req('viewer', 'GET', '/v1/approvals?subject=Q9'), 404, 'subject-not-found');
    await ok(await q.req('officer', 'PUT', '/v1/subjects/Q9', { kind: 'customer', displayName: '王芳' }), 201);
    assert.deepEqual((await get('?subject=Q9')).items, [], 'a subject with nothing waiting');
    assert.deepEqual((await get('?scheme=risk-tolerance')).items, [], 'a scheme with nothing waiting');
    await problem(await q.req('viewer', 'GET', '/v1/approvals?cursor=eyJrIjoib3ZlcnJpZGVzIn0'), 400, 'bad-cursor');
    // Approving an item from the queue uses its hash; the other tenant's queue has none of this tenant's.
    await ok(await q.req('approver', 'POST', `/v1/overrides/${o2.id}/approve`, { contentHash: all.items[1]?.contentHash }));
    assert.deepEqual(
      (await get()).items.map((i) => i.id),
      ['Q1:aml-test', o3.id],
    );
    // The other tenant has no Q1: its queue says so as of any subject it does not have.
    await problem(await t.req('admin', 'GET', '/v1/approvals?subject=Q1'), 404, 'subject-not-found');
    assert.ok((await ok<{ items: Item[] }>(await t.req('admin', 'GET', '/v1/approvals'))).items.every((i) => i.subject !== 'Q1'));
    await problem(await q.req({ credential: await q.embedToken('Q1') }, 'GET', '/v1/approvals'), 403, 'forbidden');
  });

  it('overdue reviews: a level past its review interval is listed until reviewed or signed off', async () => {
    const r = await fourEyesTenant(f, 'fe-reviews', START);
    for (const [id, score] of [
      ['R1', 95],
      ['R2', 10],
      ['R3', 95],
    ] as const) {
      await ok(await r.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
      await ok(
        await r.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
          metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: score }],
        }),
      );
    }
    type Overdue = { items: { subject: string; level: string; reviewMonths: number; dueAt: string | null }[]; nextCursor: string | null };
    const overdue = async (query = '') => ok<Overdue>(await r.req('viewer', 'GET', `/v1/reviews/overdue${query}`));
    assert.deepEqual((await overdue()).items, [], 'just graded: nothing is due');
    await problem(await r.req('viewer', 'GET', '/v1/reviews/overdue?scheme=aml_test'), 400, 'validation');

    r.setClock(new Date('2026-05-20T04:00:00.000Z'));
    const due = await overdue('?scheme=aml-test');
    assert.deepEqual(
      due.items.map((i) => [i.subject, i.level, i.reviewMonths, i.dueAt]),
      [
        ['R1', 'high', 6, '2026-05-14T16:00:00.000Z'],
        ['R3', 'high', 6, '2026-05-14T16:00:00.000Z'],
      ],
      'high is reviewed every 6 months, low every 12: due from the first instant of the day in Shanghai',
    );
    const page = await overdue('?scheme=aml-test&limit=1');
    assert.deepEqual(
      page.items.map((i) => i.subject),
      ['R1'],
    );
    assert.deepEqual(
      (await overdue(`?scheme=aml-test&limit=1&cursor=${page.nextCursor}`)).items.map((i) => i.subject),
      ['R3'],
    );

    await problem(await r.req('viewer', 'POST', '/v1/subjects/R1/reviews', { scheme: 'aml-test', note: 'x' }), 403, 'forbidden');
    await problem(await r.req('approver', 'POST', '/v1/subjects/R1/reviews', { scheme: 'aml-test' }), 400, 'validation');
    // 高 needs a sign-off, so its review is the approver's (tests/api/rm-book-limits.test.ts).
    const review = await ok<{ nextDueAt: string }>(
      await r.req('approver', 'POST', '/v1/subjects/R1/reviews', { scheme: 'aml-test', note: 'periodic review, no change' }),
      201,
    );
    assert.equal(review.nextDueAt, '2026-11-19T16:00:00.000Z');
    const p = await ok<LevelApproval>(await r.req('viewer', 'GET', '/v1/subjects/R3/levels/aml-test/approval'));
    await ok(await r.req('approver', 'POST', '/v1/subjects/R3/levels/aml-test/approve', { contentHash: p.contentHash }));
    assert.deepEqual((await overdue('?scheme=aml-test')).items, [], 'a review and a sign-off both restart the interval');
    await problem(await t.req({ credential: await r.embedToken('R1') }, 'GET', '/v1/reviews/overdue'), 403);
  });

  it('a customer who left the bank is due for no review', async () => {
    const r = await fourEyesTenant(f, 'fe-reviews-closed', START);
    for (const id of ['RC1', 'RC2']) {
      await ok(await r.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
      await ok(
        await r.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
          metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 95 }],
        }),
      );
    }
    await ok(await r.req('officer', 'POST', '/v1/subjects/RC2/close', { reason: '销户' }));
    r.setClock(new Date('2026-05-20T04:00:00.000Z'));
    const due = await ok<{ items: { subject: string }[] }>(await r.req('viewer', 'GET', '/v1/reviews/overdue?scheme=aml-test'));
    assert.deepEqual(
      due.items.map((i) => i.subject),
      ['RC1'],
    );
  });

  it('overdue reviews count calendar months in the bank’s days: 31 August is due on 28 February, not 3 March', async () => {
    const r = await fourEyesTenant(f, 'fe-review-days', START);
    for (const id of ['R4', 'R5']) {
      await ok(await r.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
      await ok(
        await r.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
          metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 95 }],
        }),
      );
    }
    type Overdue = { items: { subject: string; dueAt: string | null }[] };
    const overdue = async () =>
      (await ok<Overdue>(await r.req('viewer', 'GET', '/v1/reviews/overdue?scheme=aml-test'))).items.map((i) => [i.subject, i.dueAt]);
    const review = async (id: string) =>
      (
        await ok<{ nextDueAt: string }>(
          await r.req('approver', 'POST', `/v1/subjects/${id}/reviews`, { scheme: 'aml-test', note: 'x' }),
          201,
        )
      ).nextDueAt;

    r.setClock(new Date('2026-03-01T04:00:00.000Z'));
    assert.equal(await review('R5'), '2026-08-31T16:00:00.000Z', 'reviewed 1 March: due 1 September');
    r.setClock(new Date('2026-08-31T04:00:00.000Z'));
    assert.deepEqual(await overdue(), [['R4', '2026-05-14T16:00:00.000Z']], 'R5 is due tomorrow, not overdue today');
    assert.equal(await review('R4'), '2027-02-27T16:00:00.000Z', 'reviewed 31 August: due 28 February, the month’s last day');
    r.setClock(new Date('2027-02-27T15:59:59.000Z'));
    assert.deepEqual(await overdue(), [['R5', '2026-08-31T16:00:00.000Z']], '27 February in Shanghai: R4 is not due yet');
    r.setClock(new Date('2027-02-27T16:00:00.000Z'));
    assert.deepEqual(
      await overdue(),
      [
        ['R4', '2027-02-27T16:00:00.000Z'],
        ['R5', '2026-08-31T16:00:00.000Z'],
      ],
      '28 February has begun in Shanghai: R4 is due',
    );
  });

  it('a relationship manager lists the reviews due in their book, and only there', async () => {
    const r = await fourEyesTenant(f, 'fe-review-books', START);
    for (const id of ['R6', 'R7', 'R8', 'R9']) {
      await ok(await r.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '王芳' }), 201);
      await ok(
        await r.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, {
          metrics: [{ metric: 'aml_customer_risk', period: '2025-10', value: 95 }],
        }),
      );
    }
    for (const id of ['RM1', 'RM2'])
      await ok(await r.req('admin', 'PUT', `/v1/staff/${id}`, { name: id, role: 'officer', scope: 'book' }), 201);
    await ok(
      await r.req('officer', 'POST', '/v1/subject-managers', {
        assignments: [
          { subject: 'R6', manager: 'RM1' },
          { subject: 'R8', manager: 'RM1' },
          { subject: 'R7', manager: 'RM2' },
        ],
      }),
    );
    r.setClock(new Date('2026-05-20T04:00:00.000Z'));
    const now = new Date('2026-05-20T04:00:00.000Z');
    const rm1 = { credential: (await mintStaffToken(f.db.db, { tenantId: r.tenantId, staffId: 'RM1', now })).token };
    type Overdue = { items: { subject: string }[] };
    const due = async (who: Person | { credential: string }, query = '') =>
      (await ok<Overdue>(await r.req(who, 'GET', `/v1/reviews/overdue?scheme=aml-test${query}`))).items.map((i) => i.subject);
    assert.deepEqual(await due('viewer'), ['R6', 'R7', 'R8', 'R9'], 'the bank sees every review due');
    assert.deepEqual(await due('viewer', '&manager=RM2'), ['R7'], 'tenant-wide staff may open one book');
    assert.deepEqual(await due(rm1), ['R6', 'R8'], 'the RM’s own book, whatever they ask');
    assert.deepEqual(await due(rm1, '&manager=me'), ['R6', 'R8']);
    const first = await ok<Overdue & { nextCursor: string }>(await r.req(rm1, 'GET', '/v1/reviews/overdue?limit=1'));
    assert.deepEqual(
      first.items.map((i) => i.subject),
      ['R6'],
    );
    assert.deepEqual(await due(rm1, `&limit=1&cursor=${first.nextCursor}`), ['R8'], 'paged through the book alone');
    await problem(await r.req(rm1, 'GET', '/v1/reviews/overdue?manager=RM2'), 403, 'forbidden');
    await problem(await r.req('viewer', 'GET', '/v1/reviews/overdue?manager=me'), 400, 'validation');
    // Another book's customer is no subject to them; their own customer's 高 is reviewed by compliance (an
    // approver), whose review restarts the interval in the RM's list too (tests/api/rm-book-limits.test.ts).
    await problem(await r.req(rm1, 'POST', '/v1/subjects/R7/reviews', { scheme: 'aml-test', note: 'x' }), 404, 'subject-not-found');
    await problem(await r.req(rm1, 'POST', '/v1/subjects/R6/reviews', { scheme: 'aml-test', note: 'periodic review' }), 403, 'forbidden');
    await ok(await r.req('approver', 'POST', '/v1/subjects/R6/reviews', { scheme: 'aml-test', note: 'periodic review' }), 201);
    assert.deepEqual(await due(rm1), ['R8']);
  });

  it('suitability: product R level × the customer’s C level, with the reasons; staff only', async () => {
    const s = await fourEyesTenant(f, 'fe-suit', START);
    await ok(await s.req('officer', 'PUT', '/v1/subjects/S1', { kind: 'customer', displayName: '王芳' }), 201);
    await ok(
      await s.req('officer', 'PUT', '/v1/subjects/S1/metrics', {
        metrics: [{ metric: 'risk_questionnaire_score', period: '2025-10', value: 60 }],
      }),
    );
    await ok(await s.req('officer', 'PUT', '/v1/subjects/S2', { kind: 'customer', displayName: '李四' }), 201);
    await ok(await s.req('officer', 'PUT', '/v1/subjects/P1', { kind: 'product', displayName: '稳健理财一号' }), 201);
    await ok(
      await s.req('officer', 'PUT', '/v1/subjects/P1/metrics', {
        metrics: [{ metric: 'product_risk_class', period: '2025-10', value: 2 }],
      }),
    );
    type Suit = {
      suitable: boolean;
      tolerance: string | null;
      product: string;
      reasons: { code: string; blocking: boolean }[];
      assessmentExpiresAt: string | null;
    };
    const check = async (who: Person | { credential: string }, id: string, query: string) =>
      ok<Suit>(await s.req(who, 'GET', `/v1/subjects/${id}/suitability?${query}`));

    const r3 = await check('viewer', 'S1', 'product=R3');
    // S1 has no date of birth on record: the adviser is told age cannot be weighed (suitability-age.test.ts).
    assert.deepEqual([r3.suitable, r3.tolerance, r3.reasons.map((x) => x.code)], [true, 'C3', ['age-unknown']]);
    // 1 October 00:00 in the bank's calendar (Asia/Shanghai), not in UTC.
    assert.equal(r3.assessmentExpiresAt, '2026-09-30T16:00:00.000Z');
    const r4 = await check('viewer', 'S1', 'product=R4');
    assert.deepEqual([r4.suitable, r4.reasons.map((x) => x.code)], [false, ['risk-above-tolerance', 'age-unknown']]);
    const byId = await check('viewer', 'S1', 'productId=P1');
    assert.deepEqual([byId.product, byId.suitable], ['R2', true]);
    const none = await check('viewer', 'S2', 'product=R1');
    assert.deepEqual(
      [none.suitable, none.tolerance, none.reasons.map((x) => x.code)],
      [false, null, ['assessment-missing', 'age-unknown']],
    );
    s.setClock(new Date('2026-10-02T00:00:00.000Z'));
    const stale = await check('viewer', 'S1', 'product=R1');
    assert.deepEqual([stale.suitable, stale.reasons.map((x) => x.code)], [false, ['assessment-expired', 'age-unknown']]);
    s.setClock(START);

    await problem(await s.req('viewer', 'GET', '/v1/subjects/S1/suitability'), 400, 'validation');
    await problem(await s.req('viewer', 'GET', '/v1/subjects/S1/suitability?product=R1&productId=P1'), 400, 'validation');
    await problem(await s.req('viewer', 'GET', '/v1/subjects/S1/suitability?product=R9'), 400, 'validation');
    await problem(await s.req('viewer', 'GET', '/v1/subjects/S1/suitability?productId=S2'), 404, 'subject-not-found');
    await problem(await s.req('viewer', 'GET', '/v1/subjects/P1/suitability?product=R1'), 422, 'unprocessable');
    await problem(await s.req({ credential: await s.embedToken('S1') }, 'GET', '/v1/subjects/S1/suitability?product=R1'), 403, 'forbidden');
    assert.equal((await check({ credential: await s.staffToken() }, 'S1', 'product=R1')).suitable, true);
    await problem(await t.req('admin', 'GET', '/v1/subjects/S1/suitability?product=R1'), 404, 'subject-not-found');
  });
  it('a move into another level that needs a sign-off supersedes the pending one, recorded; an approval of the old content fails', async () => {
    const m = await fourEyesTenant(f, 'fe-levels-two', START, twoSignOffPack());
    const mAml = (period: string, score: number) =>
      m.req('officer', 'PUT', '/v1/subjects/M1/metrics', { metrics: [{ metric: 'aml_customer_risk', period, value: score }] });
    const pending = () => m.req('viewer', 'GET', '/v1/subjects/M1/levels/aml-test/approval');
    await ok(await m.req('officer', 'PUT', '/v1/subjects/M1', { kind: 'customer', displayName: '王芳' }), 201);
    await ok(await mAml('2025-09', 10));
    await ok(await mAml('2025-10', 60));
    const medium = await ok<LevelApproval>(await pending());
    assert.deepEqual([medium.from, medium.level, medium.status], ['low', 'medium', 'pending']);
    await ok(await mAml('2025-11', 95));
    const high = await ok<LevelApproval>(await pending());
    assert.deepEqual([high.from, high.level, high.period], ['medium', 'high', '2025-11']);
    assert.notEqual(high.id, medium.id);
    await problem(
      await m.req('approver', 'POST', '/v1/subjects/M1/levels/aml-test/approve', { contentHash: medium.contentHash }),
      409,
      'content-changed',
    );
    const subject = await findSubjectByExternalId(f.db.db, m.tenantId, 'M1');
    assert.ok(subject);
    const trail = await sql<{ request_id: string; action: string; actor: string }>`SELECT request_id, action, actor
      FROM approval_decisions WHERE subject_id = ${subject.id} ORDER BY id`.execute(f.db.db);
    assert.deepEqual(
      trail.rows.map((r) => [r.request_id, r.action]),
      [
        [medium.id, 'requested'],
        [medium.id, 'superseded'],
        [high.id, 'requested'],
      ],
    );
    assert.equal(trail.rows[1]?.actor, 'system');
    const statuses = await sql<{ id: string; status: string }>`SELECT id, status FROM level_approvals
      WHERE subject_id = ${subject.id} ORDER BY id`.execute(f.db.db);
    assert.deepEqual(
      statuses.rows.map((r) => [r.id, r.status]),
      [
        [medium.id, 'superseded'],
        [high.id, 'pending'],
      ],
    );
    // The pending one is the one to decide.
    assert.equal(
      (
        await ok<LevelApproval>(
          await m.req('approver', 'POST', '/v1/subjects/M1/levels/aml-test/approve', { contentHash: high.contentHash }),
        )
      ).status,
      'approved',
    );
  });
});
