import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { AuditRecord } from '@tierkit/core/wire';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, loweringPack, ok, START, type FourEyesTenant, type Person } from '../support/four-eyes-fixture.js';

/*
 * What an internal auditor reads of a sign-off or lowering decision: its audit record says what was
 * decided (kind, move, month, maker, note), where it had `detail: null` (packages/api README,
 * "Approval-required levels").
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

  before(async () => {
    t = await fourEyesTenant(f, 'level-trail', START, loweringPack());
  });

  it('a sign-off, an approved lowering and a rejected one each leave a record saying what was decided', async () => {
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
});
