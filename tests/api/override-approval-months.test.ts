import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { drainJobs } from '@tierkit/api';
import type { StaffHistoryResponse, TiersResponse } from '@tierkit/core';
import { findSubjectByExternalId, insertMetrics } from '@tierkit/db';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, requestOverride, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * An override decides a month only if it was approved before the month ended (four eyes): its
 * request alone decides nothing. A catch-up that replays several months must say so in what it
 * stores, as analytics do. The bank's calendar is Shanghai's (a month ends at 16:00 UTC on its last
 * day). Every subject has July's data evaluated on 5 August (standard: no balance); each asks for gold
 * (fixed, no expiry). Worked by hand:
 *
 *        requested     approved                     August … October data      level in  Aug   Sep   Oct   Nov
 *   M1   20 Aug        5 Nov (the approval's        stored 3 Nov (an import:             std   std   std   gold
 *                      re-evaluation replays them)  no re-evaluation)
 *   M2   10 Aug        20 Aug                       sent 15 Nov                          gold  gold  gold
 *   M3   31 Aug 18:00  1 Sep 01:00 (Shanghai)       sent 15 Nov                          std   gold  gold
 *   M4   as M3                                      stored 3 Nov, then a re-tier     std   gold  gold
 *                                                   job of October on 15 Nov
 *
 * M1 is the case a request's date got wrong: requested in August, it held August to October in the
 * stored history, though analytics (overrides approved before the month's close) hold nobody then.
 */
const at = (iso: string) => new Date(iso);

forEachDialect('an override decides a month only once it is approved', (f) => {
  let t: FourEyesTenant;
  const pending = new Map<string, { id: string; contentHash: string }>();
  const request = async (subject: string) => pending.set(subject, await ok(await requestOverride(t, subject), 201));
  const approve = async (subject: string) => {
    const p = pending.get(subject);
    assert.ok(p, `${subject} has a request`);
    await ok(await t.req('approver', 'POST', `/v1/overrides/${p.id}/approve`, { contentHash: p.contentHash }));
  };
  const balances = (subject: string, periods: readonly string[]) =>
    t.req('officer', 'PUT', `/v1/subjects/${subject}/metrics`, {
      metrics: periods.map((period) => ({ metric: 'avg_daily_balance', period, value: 0 })),
    });
  const history = async (subject: string) =>
    (await ok<StaffHistoryResponse>(await t.req('viewer', 'GET', `/v1/subjects/${subject}/history?scheme=retail-tier`))).items.map((e) => [
      e.from,
      e.to,
      e.reason,
      e.period,
    ]);
  const migration = async (from: string, to: string) =>
    ok<{
      totals: { heldByOverride: number; same: number };
      override: { totals: { up: number; down: number; same: number } };
      policy: { totals: { up: number; down: number; same: number } };
    }>(await t.req('admin', 'GET', `/v1/analytics/migration?scheme=retail-tier&from=${from}&to=${to}`));

  before(async () => {
    t = await fourEyesTenant(f, 'fe-approval-months', at('2025-08-05T04:00:00.000Z'));
    for (const s of ['M1', 'M2', 'M3', 'M4']) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${s}`, { kind: 'customer', displayName: '王芳' }), 201);
      await ok(await balances(s, ['2025-07']));
    }
    t.setClock(at('2025-08-10T02:00:00.000Z'));
    await request('M2');
    t.setClock(at('2025-08-20T02:00:00.000Z'));
    await request('M1');
    await approve('M2');
    t.setClock(at('2025-08-31T10:00:00.000Z'));
    await request('M3');
    await request('M4');
    // 01:00 on 1 September in Shanghai: after August ended there, though still 31 August in UTC.
    t.setClock(at('2025-08-31T17:00:00.000Z'));
    await approve('M3');
    await approve('M4');
    t.setClock(at('2025-11-03T02:00:00.000Z'));
    // As an import stores them: no re-evaluation.
    for (const s of ['M1', 'M4']) {
      const subject = await findSubjectByExternalId(f.db.db, t.tenantId, s);
      assert.ok(subject);
      await insertMetrics(
        f.db.db,
        ['2025-08', '2025-09', '2025-10'].map((period) => ({
          tenant_id: t.tenantId,
          subject_id: subject.id,
          metric: 'avg_daily_balance',
          period,
          value: 0,
        })),
      );
    }
    t.setClock(at('2025-11-05T02:00:00.000Z'));
    await approve('M1');
    t.setClock(at('2025-11-15T04:00:00.000Z'));
    for (const s of ['M2', 'M3']) await ok(await balances(s, ['2025-08', '2025-09', '2025-10']));
    await ok(await t.req('admin', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'October' }), 201);
    await drainJobs({ db: f.db.db, now: () => at('2025-11-15T04:00:00.000Z'), logError: (e: unknown) => assert.fail(String(e)) });
  });

  it('requested in August, approved in November: the months replayed at its approval follow the rules', async () => {
    // The approval re-evaluates up to October, the last month with data: the level shown today is the
    // override's, recorded in the month it was decided; August and September were the rules'.
    assert.deepEqual(await history('M1'), [
      ['standard', 'gold', 'override', '2025-11'],
      [null, 'standard', 'initial', '2025-07'],
    ]);
    const tiers = await ok<TiersResponse>(await t.req('viewer', 'GET', '/v1/subjects/M1/tiers?scheme=retail-tier'));
    assert.deepEqual(
      tiers.assignments.map((a) => [a.level, a.explanation.decidedBy.kind, a.period]),
      [['gold', 'override', '2025-10']],
    );
  });

  it('approved before August ended: August is the override’s, and the catch-up records no move again', async () => {
    assert.deepEqual(await history('M2'), [
      ['standard', 'gold', 'override', '2025-08'],
      [null, 'standard', 'initial', '2025-07'],
    ]);
  });

  it('approved just after August ended in the bank’s zone: August is the rules’, September the override’s', async () => {
    const items = await history('M3');
    // The approval recorded its move in September. The catch-up replays August from the level shown
    // before the approval (standard, the rules' — no move away from the override's gold) and reaches
    // September at the level the approval set: nothing more to record.
    assert.deepEqual(items, [
      ['standard', 'gold', 'override', '2025-09'],
      [null, 'standard', 'initial', '2025-07'],
    ]);
    // The same months replayed by a re-tier job (its chunk reads the overrides of a range of subjects).
    assert.deepEqual(await history('M4'), items);
  });

  it('analytics hold by an override exactly the customers the stored history has an override deciding', async () => {
    // July → August: M2's approval moved it (an override's move); M1, M3 and M4 stayed standard by the
    // rules, policy stayers (nothing of theirs was approved before August closed).
    const august = await migration('2025-07', '2025-08');
    assert.deepEqual(
      [august.override.totals, august.policy.totals, august.totals.heldByOverride],
      [{ up: 1, down: 0, same: 0, unranked: 0 }, { up: 0, down: 0, same: 3, unranked: 0 }, 0],
    );
    // August → September: M3's and M4's override moved them; M2 held; M1 a stayer (nothing approved yet).
    const september = await migration('2025-08', '2025-09');
    assert.deepEqual(
      [september.override.totals, september.policy.totals, september.totals.heldByOverride],
      [{ up: 2, down: 0, same: 0, unranked: 0 }, { up: 0, down: 0, same: 1, unranked: 0 }, 1],
    );
    // September → October: M2, M3 and M4 held; M1 still standard by the rules.
    const october = await migration('2025-09', '2025-10');
    assert.deepEqual(
      [october.override.totals, october.policy.totals, october.totals.heldByOverride],
      [{ up: 0, down: 0, same: 0, unranked: 0 }, { up: 0, down: 0, same: 1, unranked: 0 }, 3],
    );
  });
});

/*
 * Two overrides of one scheme, both in force now: a standing floor at gold approved on 7 August, and a
 * fixed level requested on 20 August and approved later. The one approved last before a month closed
 * decides it; each approval's move is recorded once, in the month it was decided. Worked by hand
 * (July's data evaluated on 5 August, no balance or income unless said):
 *
 *   F1  fixed platinum approved 5 Nov, whose approval replays August to October (their data stored
 *       on 3 Nov, as an import does): the floor holds August to October, the fixed one moves the
 *       customer in November.                                 Jul std · Aug gold (floor) · Nov platinum
 *   F2  as F1, but August to October are sent on 15 Nov, after both approvals (each re-evaluated July,
 *       recording its move): the catch-up records nothing more.         same history as F1
 *   F3  July's income ranks platinum (the floor changes nothing); income 0 from August, stored on
 *       3 Dec; fixed diamond approved 5 Dec replays August to November: the rules keep platinum three
 *       months below, then the floor catches the fall at gold in October — the floor's move, its
 *       requester's and approver's, recorded by a catch-up the fixed override's approval ran.
 *                                                  Jul platinum · Oct gold (floor) · Dec diamond
 */
forEachDialect('an override approved later leaves the months before its approval to the one in force then', (f) => {
  let t: FourEyesTenant;
  type Decided = { id: string; contentHash: string; requestedBy: string; decidedBy: string | null };
  const floors = new Map<string, Decided>();
  const fixed = new Map<string, Decided>();
  const subjectId = async (external: string) => {
    const subject = await findSubjectByExternalId(f.db.db, t.tenantId, external);
    assert.ok(subject);
    return subject.id;
  };
  const store = async (external: string, metric: string, periods: readonly string[], value = 0) => {
    const id = await subjectId(external);
    await insertMetrics(
      f.db.db,
      periods.map((period) => ({ tenant_id: t.tenantId, subject_id: id, metric, period, value })),
    );
  };
  const approve = async (p: Decided, who: 'approver' | 'approver2' = 'approver') =>
    ok<Decided>(await t.req(who, 'POST', `/v1/overrides/${p.id}/approve`, { contentHash: p.contentHash }));
  const history = async (subject: string) =>
    (await ok<StaffHistoryResponse>(await t.req('viewer', 'GET', `/v1/subjects/${subject}/history?scheme=retail-tier`))).items;
  const summary = (items: StaffHistoryResponse['items']) => items.map((e) => [e.from, e.to, e.reason, e.period]);
  const signed = (items: StaffHistoryResponse['items']) => items.map((e) => [e.reason, e.ruleId, e.actor, e.approvedBy]);

  before(async () => {
    t = await fourEyesTenant(f, 'fe-approval-months-floor', at('2025-08-05T04:00:00.000Z'));
    for (const s of ['F1', 'F2', 'F3']) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${s}`, { kind: 'customer', displayName: '王芳' }), 201);
      const metrics = [{ metric: 'avg_daily_balance', period: '2025-07', value: 0 }];
      // ¥800,000 a year: platinum by income, which counts for twelve months unless a later figure says less.
      if (s === 'F3') metrics.push({ metric: 'household_income', period: '2025-07', value: 80_000_000 });
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${s}/metrics`, { metrics }));
    }
    t.setClock(at('2025-08-06T02:00:00.000Z'));
    for (const s of ['F1', 'F2', 'F3']) floors.set(s, await ok<Decided>(await requestOverride(t, s, { mode: 'floor' }), 201));
    t.setClock(at('2025-08-07T02:00:00.000Z'));
    for (const s of ['F1', 'F2', 'F3']) floors.set(s, { ...(floors.get(s) as Decided), ...(await approve(floors.get(s) as Decided)) });
    t.setClock(at('2025-08-20T02:00:00.000Z'));
    for (const [s, level] of [
      ['F1', 'platinum'],
      ['F2', 'platinum'],
      ['F3', 'diamond'],
    ] as const)
      fixed.set(s, await ok<Decided>(await requestOverride(t, s, { level }, 'officer2'), 201));
    t.setClock(at('2025-11-03T02:00:00.000Z'));
    await store('F1', 'avg_daily_balance', ['2025-08', '2025-09', '2025-10']);
    t.setClock(at('2025-11-05T02:00:00.000Z'));
    for (const s of ['F1', 'F2']) fixed.set(s, { ...(fixed.get(s) as Decided), ...(await approve(fixed.get(s) as Decided, 'approver2')) });
    t.setClock(at('2025-11-15T04:00:00.000Z'));
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/F2/metrics', {
        metrics: ['2025-08', '2025-09', '2025-10'].map((period) => ({ metric: 'avg_daily_balance', period, value: 0 })),
      }),
    );
    t.setClock(at('2025-12-03T02:00:00.000Z'));
    const months = ['2025-08', '2025-09', '2025-10', '2025-11'];
    await store('F3', 'avg_daily_balance', months);
    await store('F3', 'household_income', months);
    t.setClock(at('2025-12-05T02:00:00.000Z'));
    fixed.set('F3', { ...(fixed.get('F3') as Decided), ...(await approve(fixed.get('F3') as Decided, 'approver2')) });
    t.setClock(at('2025-12-15T04:00:00.000Z'));
  });

  it('the floor holds August to October in the history; the fixed override moves the customer in November', async () => {
    const items = await history('F1');
    assert.deepEqual(summary(items), [
      ['gold', 'platinum', 'override', '2025-11'],
      ['standard', 'gold', 'override', '2025-08'],
      [null, 'standard', 'initial', '2025-07'],
    ]);
    // Each override's move is its requester's, signed off by its approver.
    const floor = floors.get('F1') as Decided;
    const later = fixed.get('F1') as Decided;
    assert.deepEqual(signed(items).slice(0, 2), [
      ['override', later.id, later.requestedBy, later.decidedBy],
      ['override', floor.id, floor.requestedBy, floor.decidedBy],
    ]);
  });

  it('months sent after both approvals record neither override’s move again', async () => {
    assert.deepEqual(summary(await history('F2')), summary(await history('F1')));
  });

  it('a floor that catches a fall in a replayed month records its own requester and approver, not the later override’s', async () => {
    const items = await history('F3');
    assert.deepEqual(summary(items), [
      ['gold', 'diamond', 'override', '2025-12'],
      ['platinum', 'gold', 'override', '2025-10'],
      [null, 'platinum', 'initial', '2025-07'],
    ]);
    const floor = floors.get('F3') as Decided;
    const later = fixed.get('F3') as Decided;
    assert.notEqual(floor.requestedBy, later.requestedBy);
    assert.notEqual(floor.decidedBy, later.decidedBy);
    assert.deepEqual(signed(items).slice(0, 2), [
      ['override', later.id, later.requestedBy, later.decidedBy],
      ['override', floor.id, floor.requestedBy, floor.decidedBy],
    ]);
  });

  it('analytics hold F1 and F2 by an override in September and October, as the history has the floor deciding', async () => {
    // F3 is platinum by the rules until October (the floor below them decides nothing), when the
    // floor's catch moves it: an override's mover, not held.
    for (const [from, to] of [
      ['2025-08', '2025-09'],
      ['2025-09', '2025-10'],
    ]) {
      const body = await ok<{ totals: { heldByOverride: number; both: number } }>(
        await t.req('admin', 'GET', `/v1/analytics/migration?scheme=retail-tier&from=${from}&to=${to}`),
      );
      assert.deepEqual([body.totals.both, body.totals.heldByOverride], [3, 2], `${from} → ${to}`);
    }
  });
});

/*
 * The rules move in a month before an override's approval (every subject above has no balance, so
 * they never do). July's data evaluated on 5 August (standard); each override requested on 31 August
 * and approved at 01:00 on 1 September in Shanghai (September's); August to October arrive on 15 Nov
 * at ¥200,000, gold by the rules from August. Worked by hand:
 *
 *   A   fixed standard: its approval moved nothing (July was standard). The rules move the customer to
 *       gold in August and the override sets them back in September — its requester's, signed off by
 *       its approver.                                  Jul std · Aug gold (rule) · Sep std (override)
 *   AJ  as A, the months stored on 3 Nov as an import does and replayed by October's re-tier job.
 *   B   fixed platinum: the approval recorded standard → platinum in September, which cannot be
 *       rewritten; the replay records August's gold and nothing more (known gap: September's `from`
 *       reads standard, not gold).
 *   G   fixed gold: the rules reach the override's level in August before it was approved; the approval
 *       recorded standard → gold in September, and August's rule move is recorded too (known gap: two
 *       moves into gold, one real).
 */
forEachDialect('an override approved after the rules moved a replayed month', (f) => {
  let t: FourEyesTenant;
  type Decided = { id: string; contentHash: string; requestedBy: string; decidedBy: string | null };
  const decided = new Map<string, Decided>();
  const history = async (subject: string) =>
    (await ok<StaffHistoryResponse>(await t.req('viewer', 'GET', `/v1/subjects/${subject}/history?scheme=retail-tier`))).items;
  const summary = (items: StaffHistoryResponse['items']) => items.map((e) => [e.from, e.to, e.reason, e.period]);
  const months = ['2025-08', '2025-09', '2025-10'];

  before(async () => {
    t = await fourEyesTenant(f, 'fe-approval-months-rules', at('2025-08-05T04:00:00.000Z'));
    const levels = { A: 'standard', AJ: 'standard', B: 'platinum', G: 'gold' } as const;
    for (const s of Object.keys(levels)) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${s}`, { kind: 'customer', displayName: '王芳' }), 201);
      await ok(
        await t.req('officer', 'PUT', `/v1/subjects/${s}/metrics`, {
          metrics: [{ metric: 'avg_daily_balance', period: '2025-07', value: 0 }],
        }),
      );
    }
    t.setClock(at('2025-08-31T10:00:00.000Z'));
    const pending = new Map<string, Decided>();
    for (const [s, level] of Object.entries(levels)) pending.set(s, await ok<Decided>(await requestOverride(t, s, { level }), 201));
    t.setClock(at('2025-08-31T17:00:00.000Z'));
    for (const [s, p] of pending)
      decided.set(s, {
        ...p,
        ...(await ok<Decided>(await t.req('approver', 'POST', `/v1/overrides/${p.id}/approve`, { contentHash: p.contentHash }))),
      });
    t.setClock(at('2025-11-03T02:00:00.000Z'));
    const aj = await findSubjectByExternalId(f.db.db, t.tenantId, 'AJ');
    assert.ok(aj);
    await insertMetrics(
      f.db.db,
      months.map((period) => ({ tenant_id: t.tenantId, subject_id: aj.id, metric: 'avg_daily_balance', period, value: 20_000_000 })),
    );
    t.setClock(at('2025-11-15T04:00:00.000Z'));
    for (const s of ['A', 'B', 'G'])
      await ok(
        await t.req('officer', 'PUT', `/v1/subjects/${s}/metrics`, {
          metrics: months.map((period) => ({ metric: 'avg_daily_balance', period, value: 20_000_000 })),
        }),
      );
    await ok(await t.req('admin', 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'October' }), 201);
    await drainJobs({ db: f.db.db, now: () => at('2025-11-15T04:00:00.000Z'), logError: (e: unknown) => assert.fail(String(e)) });
  });

  it('an approval that moved nothing leaves the month’s real move to the replay, signed by the override', async () => {
    const items = await history('A');
    assert.deepEqual(summary(items), [
      ['gold', 'standard', 'override', '2025-09'],
      ['standard', 'gold', 'rule', '2025-08'],
      [null, 'standard', 'initial', '2025-07'],
    ]);
    const o = decided.get('A') as Decided;
    assert.deepEqual([items[0]?.ruleId, items[0]?.actor, items[0]?.approvedBy], [o.id, o.requestedBy, o.decidedBy]);
    const tiers = await ok<TiersResponse>(await t.req('viewer', 'GET', '/v1/subjects/A/tiers?scheme=retail-tier'));
    assert.deepEqual(
      tiers.assignments.map((a) => [a.level, a.explanation.decidedBy.kind, a.period]),
      [['standard', 'override', '2025-10']],
    );
  });

  it('the same months replayed by a re-tier job record the same moves', async () => {
    assert.deepEqual(summary(await history('AJ')), [
      ['gold', 'standard', 'override', '2025-09'],
      ['standard', 'gold', 'rule', '2025-08'],
      [null, 'standard', 'initial', '2025-07'],
    ]);
  });

  it('pins the known gap: an approval’s recorded move keeps its `from` though August replays to gold', async () => {
    // Newest recorded first: the approval's September move was recorded on 1 September.
    assert.deepEqual(summary(await history('B')), [
      ['standard', 'gold', 'rule', '2025-08'],
      ['standard', 'platinum', 'override', '2025-09'],
      [null, 'standard', 'initial', '2025-07'],
    ]);
  });

  it('pins the known gap: the rules reaching the override’s level first leaves two moves into it', async () => {
    assert.deepEqual(summary(await history('G')), [
      ['standard', 'gold', 'rule', '2025-08'],
      ['standard', 'gold', 'override', '2025-09'],
      [null, 'standard', 'initial', '2025-07'],
    ]);
  });
});
