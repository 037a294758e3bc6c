import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { AuditRecord } from '@tierkit/core/wire';
import { forEachDialect } from '../support/api-fixture.js';
import {
  fourEyesTenant,
  loweringPack,
  ok,
  requestOverride,
  START,
  type FourEyesTenant,
  type Person,
} from '../support/four-eyes-fixture.js';

/*
 * What an internal auditor reads of a sign-off or lowering decision: its audit record says what was
 * decided (kind, move, month, maker, note), and the tier history attributes an approved lowering to its
 * maker, approved by its approver with the decision's note — not to the approver as a rule's move
 * (docs/domain.md §4; packages/api README, "Approval-required levels").
 */

interface SignOff {
  level: string;
  proposedLevel?: string;
  contentHash: string;
  requestedBy: string;
}

interface HistoryEvent {
  from: string | null;
  to: string;
  reason?: string;
  ruleId?: string | null;
  actor?: string;
  approvedBy?: string | null;
  note?: string | null;
}

forEachDialect('the trail and the history of sign-off and lowering decisions', (f) => {
  let t: FourEyesTenant;
  const aml = (id: string, period: string, score: number, who: Person) =>
    t.req(who, 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'aml_customer_risk', period, value: score }] });
  const approval = async (id: string) => ok<SignOff>(await t.req('viewer', 'GET', `/v1/subjects/${id}/levels/aml-test/approval`));
  const decide = (who: Person, id: string, verb: 'approve' | 'reject', contentHash: string, note: string) =>
    t.req(who, 'POST', `/v1/subjects/${id}/levels/aml-test/${verb}`, { contentHash, note });
  /** The latest result record of `verb` on a subject's level, on the trail an admin reads. */
  const record = async (id: string, verb: 'approve' | 'reject') => {
    const route = encodeURIComponent(`/v1/subjects/{id}/levels/{scheme}/${verb}`);
    const page = await ok<{ items: AuditRecord[] }>(
      await t.req('admin', 'GET', `/v1/audit?route=${route}&target=${encodeURIComponent(id)}&phase=result&limit=1`),
    );
    const r = page.items[0];
    assert.ok(r, `a ${verb} of ${id} on the trail`);
    return r;
  };
  const history = async (id: string, scheme: string) =>
    (await ok<{ items: HistoryEvent[] }>(await t.req('admin', 'GET', `/v1/subjects/${id}/history?scheme=${scheme}`))).items;
  const actorOf = async (who: Person) => (await ok<{ actor: string }>(await t.req(who, 'GET', '/v1/session'))).actor;

  before(async () => {
    t = await fourEyesTenant(f, 'level-trail', START, loweringPack());
  });

  it('a sign-off, an approved lowering and a rejected one each leave a record saying what was decided; the lowering’s move is its maker’s', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/LT1', { kind: 'customer', displayName: '王芳' }), 201);
    await ok(await aml('LT1', '2025-09', 95, 'officer'));
    const high = await approval('LT1');
    await ok(await decide('approver', 'LT1', 'approve', high.contentHash, 'PEP confirmed via screening case 2026-117'));
    assert.deepEqual((await record('LT1', 'approve')).detail, {
      kind: 'sign-off',
      scheme: 'aml-test',
      level: 'high',
      from: null,
      proposedLevel: null,
      period: '2025-09',
      maker: high.requestedBy,
      note: 'PEP confirmed via screening case 2026-117',
      contentHash: high.contentHash,
    });

    // Lower figures by the officer: 高 held, a lowering request whose why says the move it asks.
    await ok(await aml('LT1', '2025-10', 10, 'officer'));
    const lowering = await approval('LT1');
    assert.deepEqual([lowering.level, lowering.proposedLevel], ['high', 'low']);
    for (const [locale, words] of [
      ['zh-CN', '数据显示应由 高 降为 低，待审批'],
      ['zh-TW', '資料顯示應由 高 降為 低，待核准'],
      ['en', 'the data call for lowering High to Low, waiting for approval'],
    ] as const) {
      const page = await ok<{ items: { id: string; why?: { rule: string } | null }[] }>(
        await t.req('viewer', 'GET', `/v1/approvals?subject=LT1&locale=${locale}`),
      );
      assert.equal(page.items.find((i) => i.id === 'LT1:aml-test')?.why?.rule, words, locale);
    }
    await ok(await decide('approver2', 'LT1', 'approve', lowering.contentHash, 'screening cleared, case 2026-117 closed'));
    assert.deepEqual((await record('LT1', 'approve')).detail, {
      kind: 'lowering',
      scheme: 'aml-test',
      level: 'high',
      from: 'high',
      proposedLevel: 'low',
      period: '2025-10',
      maker: lowering.requestedBy,
      note: 'screening cleared, case 2026-117 closed',
      contentHash: lowering.contentHash,
    });
    const [moved] = await history('LT1', 'aml-test');
    assert.deepEqual(
      [moved?.from, moved?.to, moved?.reason, moved?.actor, moved?.approvedBy, moved?.note],
      ['high', 'low', 'lowering-approved', await actorOf('officer'), await actorOf('approver2'), 'screening cleared, case 2026-117 closed'],
    );

    // A lowering rejected: its record says so, with the note; no move.
    await ok(await t.req('officer', 'PUT', '/v1/subjects/LT2', { kind: 'customer', displayName: '李雷' }), 201);
    await ok(await aml('LT2', '2025-09', 95, 'officer'));
    await ok(await decide('approver', 'LT2', 'approve', (await approval('LT2')).contentHash, 'high confirmed'));
    await ok(await aml('LT2', '2025-10', 10, 'officer'));
    const kept = await approval('LT2');
    await ok(await decide('approver', 'LT2', 'reject', kept.contentHash, 'adverse media still open'));
    const rejected = (await record('LT2', 'reject')).detail as Record<string, unknown>;
    assert.deepEqual(
      [rejected.kind, rejected.level, rejected.proposedLevel, rejected.note],
      ['lowering', 'high', 'low', 'adverse media still open'],
    );
    assert.deepEqual(
      (await history('LT2', 'aml-test')).map((e) => [e.from, e.to]),
      [[null, 'high']],
    );
  });

  it('an approved override’s move carries its decision’s note; a customer’s history names neither person nor note', async () => {
    await ok(await t.req('officer', 'PUT', '/v1/subjects/LT3', { kind: 'customer', displayName: '韩梅' }), 201);
    await ok(
      await t.req('officer', 'PUT', '/v1/subjects/LT3/metrics', {
        metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }],
      }),
    );
    const filed = await ok<{ id: string; contentHash: string }>(
      await requestOverride(t, 'LT3', { expiresAt: '2026-03-01T00:00:00.000Z' }),
      201,
    );
    await ok(
      await t.req('approver', 'POST', `/v1/overrides/${filed.id}/approve`, {
        contentHash: filed.contentHash,
        note: 'approved by head of compliance',
      }),
    );
    const [moved] = await history('LT3', 'retail-tier');
    assert.deepEqual(
      [moved?.to, moved?.reason, moved?.approvedBy, moved?.note],
      ['gold', 'override', await actorOf('approver'), 'approved by head of compliance'],
    );
    const token = await t.embedToken('LT3');
    const own = await ok<{ items: Record<string, unknown>[] }>(await t.req({ credential: token }, 'GET', '/v1/subjects/LT3/history'));
    assert.ok(own.items.length > 0);
    for (const e of own.items) {
      for (const staffOnly of ['actor', 'approvedBy', 'note', 'ruleId'])
        assert.ok(!(staffOnly in e), `${staffOnly} in ${JSON.stringify(e)}`);
      assert.notEqual(e.scheme, 'aml-test');
    }
  });
});
