import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Problem } from '@tierkit/core';
import type { ApprovalItem, AuditRecord } from '@tierkit/core/wire';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, START, type FourEyesTenant, type Person } from '../support/four-eyes-fixture.js';

/*
 * Retiring a version takes two people (packages/api/README.md, "Policies"): a bank going live found one
 * approver alone could take a version out of force, the one act changing what customers get that
 * needed no second person. One asks with a reason; another approves or rejects; the asker may withdraw.
 */

interface Version {
  version: number;
  status: string;
  contentHash: string | null;
  retiredBy: string | null;
  retireNote: string | null;
  retireRequestedBy: string | null;
  retireRequestedAt: string | null;
  retireRequestNote: string | null;
  retireRequestHash: string | null;
  document: Record<string, unknown>;
}

async function refused(res: Response, status: number, kind: string): Promise<Problem> {
  const body = (await res.json()) as Problem;
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.type, `https://tierkit.dev/problems/${kind}`);
  return body;
}

forEachDialect('retiring a policy version takes two people', (f) => {
  let n = 0;
  /**
   * A tenant of its own with retail-tier v2 (a copy of v1) approved with `dated`: by default in force
   * from the month under way.
   */
  async function withVersion2(
    dated: Record<string, unknown> = { effectiveFrom: '2025-11-01', confirmRetier: true },
  ): Promise<{ t: FourEyesTenant; v: Version }> {
    const t = await fourEyesTenant(f, `retire-${++n}`, START);
    const draft = await ok<Version>(await t.req('officer', 'POST', '/v1/policies/retail-tier/drafts', {}), 201);
    const sub = await ok<Version>(await t.req('officer', 'POST', `/v1/policies/retail-tier/versions/${draft.version}/submit`, {}));
    await ok(
      await t.req('approver', 'POST', `/v1/policies/retail-tier/versions/${draft.version}/approve`, {
        contentHash: sub.contentHash,
        ...dated,
      }),
    );
    return { t, v: sub };
  }
  const path = (v: number, step = '') => `/v1/policies/retail-tier/versions/${v}${step}`;
  const read = async (t: FourEyesTenant, v: number) => ok<Version>(await t.req('approver', 'GET', path(v)));
  const ask = (t: FourEyesTenant, who: Person, v: number, note: string) => t.req(who, 'POST', path(v, '/retire'), { note });
  const decide = (t: FourEyesTenant, who: Person, v: number, step: 'approve' | 'reject' | 'withdraw', body: Record<string, unknown>) =>
    t.req(who, 'POST', path(v, `/retirement/${step}`), body);

  it('asked, it waits in the queue with what it retires and what decides instead; approved by another, the version retires and the month is judged again', async () => {
    const { t, v } = await withVersion2();
    const asked = await ok<Version>(await ask(t, 'approver', v.version, '口径调整，恢复旧版'), 202);
    assert.equal(asked.status, 'active', 'nothing changes in force on a request');
    assert.equal(asked.retireRequestNote, '口径调整，恢复旧版');
    assert.ok(asked.retireRequestedBy?.startsWith('key:'));
    assert.match(asked.retireRequestHash ?? '', /^sha256:/);
    const queue = async (who: Person, locale: string) =>
      (await ok<{ items: ApprovalItem[] }>(await t.req(who, 'GET', `/v1/approvals?kind=retirement&locale=${locale}`))).items;
    const [item] = await queue('approver2', 'zh-CN');
    assert.equal(item?.id, `retail-tier@${v.version}`);
    assert.equal(item?.contentHash, asked.retireRequestHash);
    assert.equal(item?.reason, '口径调整，恢复旧版');
    assert.equal(item?.requestedByYou, false);
    assert.equal(item?.approvalNeeds, 'approver');
    assert.deepEqual(item?.retirement, { version: v.version, status: 'active', effectiveFrom: '2025-11-01', instead: 1 });
    assert.match(
      item?.summary ?? '',
      new RegExp(`第 ${v.version} 版（现行，自 2025-11-01 起）申请停用；停用后由第 1 版决定；理由：口径调整，恢复旧版$`),
    );
    assert.match((await queue('approver2', 'zh-TW'))[0]?.summary ?? '', /（現行，自 2025-11-01 起）申請停用；停用後由第 1 版決定；理由：/);
    assert.match(
      (await queue('approver2', 'en'))[0]?.summary ?? '',
      new RegExp(`v${v.version} \\(in force from 2025-11-01\\) retirement requested; v1 decides instead once retired; reason: `),
    );
    assert.equal((await queue('approver', 'en'))[0]?.requestedByYou, true, 'the asker waits on it');
    // Only those who may decide it, and its asker, see it: why a colleague wants a version out of force
    // is no viewer's or maker's business, nor a count of them (as a staff grant's).
    for (const who of ['viewer', 'officer'] as const) {
      assert.deepEqual(await queue(who, 'en'), [], `${who} sees no retirement`);
      const all = (await ok<{ items: ApprovalItem[] }>(await t.req(who, 'GET', '/v1/approvals?scheme=retail-tier'))).items;
      assert.ok(!all.some((i) => i.kind === 'retirement'), `${who}: not in the whole queue either`);
    }

    const done = await ok<Version & { reevaluation?: { fromPeriod: string } }>(
      await decide(t, 'approver2', v.version, 'approve', { contentHash: asked.retireRequestHash, note: '同意' }),
    );
    assert.equal(done.status, 'retired');
    assert.equal(done.retireNote, '口径调整，恢复旧版', 'the reason it was asked for');
    assert.notEqual(done.retiredBy, asked.retireRequestedBy, 'retired by the second person');
    assert.equal(done.reevaluation?.fromPeriod, '2025-11', 'the month under way is judged again, as before');
    assert.deepEqual(await queue('approver2', 'zh-CN'), [], 'nothing waits');
    const trail = await ok<{ items: AuditRecord[] }>(
      await t.req(
        'admin',
        'GET',
        `/v1/audit?route=${encodeURIComponent('/v1/policies/{scheme}/versions/{version}/retirement/approve')}&phase=result`,
      ),
    );
    assert.deepEqual(
      { ...(trail.items[0]?.detail as Record<string, unknown>), effectiveFrom: null },
      {
        version: v.version,
        effectiveFrom: null,
        retirement: 'approved',
        requestedBy: asked.retireRequestedBy,
        reason: '口径调整，恢复旧版',
        note: '同意',
        contentHash: asked.retireRequestHash,
      },
    );
  });

  it('the asker may not approve or reject their own (403 four-eyes), nor anyone but the asker withdraw it; a second request waits its turn (409)', async () => {
    const { t, v } = await withVersion2();
    const asked = await ok<Version>(await ask(t, 'approver', v.version, 'too strict'), 202);
    await refused(await decide(t, 'approver', v.version, 'approve', { contentHash: asked.retireRequestHash }), 403, 'four-eyes');
    await refused(await decide(t, 'approver', v.version, 'reject', { note: 'never mind' }), 403, 'four-eyes');
    await refused(await decide(t, 'approver2', v.version, 'withdraw', {}), 403, 'forbidden');
    const twice = await refused(await ask(t, 'admin', v.version, 'me too'), 409, 'conflict');
    assert.equal(twice.errors?.[0]?.code, 'retirement_pending');
    const still = await read(t, v.version);
    assert.equal(still.status, 'active');
    assert.equal(still.retireRequestNote, 'too strict', 'the first request stands, untouched');
    // An officer asks for nothing: the access table's approvers ask and decide.
    await refused(await ask(t, 'officer', v.version, 'x'), 403, 'forbidden');
  });

  it('a decision names the request it reviewed: one withdrawn and asked again is a 409 content-changed', async () => {
    const { t, v } = await withVersion2();
    const first = await ok<Version>(await ask(t, 'approver', v.version, 'first reason'), 202);
    const back = await ok<Version>(await decide(t, 'approver', v.version, 'withdraw', {}));
    assert.equal(back.retireRequestHash, null, 'withdrawn: nothing waits');
    assert.equal(back.status, 'active');
    t.setClock(new Date(START.getTime() + 1000));
    const second = await ok<Version>(await ask(t, 'approver', v.version, 'second reason'), 202);
    assert.notEqual(second.retireRequestHash, first.retireRequestHash);
    await refused(await decide(t, 'admin', v.version, 'approve', { contentHash: first.retireRequestHash }), 409, 'content-changed');
    assert.equal((await read(t, v.version)).status, 'active', 'nothing retired');
    // Rejected by another: the version stays in force and nothing waits.
    const kept = await ok<Version>(
      await decide(t, 'admin', v.version, 'reject', { contentHash: second.retireRequestHash, note: '不同意' }),
    );
    assert.equal(kept.status, 'active');
    assert.equal(kept.retireRequestHash, null);
    const late = await refused(await decide(t, 'admin', v.version, 'approve', { contentHash: second.retireRequestHash }), 409, 'conflict');
    assert.equal(late.errors?.[0]?.code, 'already_decided', 'the request it reviewed was rejected first');
    const none = await refused(await decide(t, 'admin', v.version, 'reject', { note: 'x' }), 409, 'conflict');
    assert.equal(none.errors?.[0]?.code, 'no_retirement_pending');
  });

  it('a retirement asked while the version was scheduled and approved once it is in force re-evaluates the month as the state at approval says', async () => {
    const { t, v: sub } = await withVersion2({ effectiveFrom: '2025-12-01' });
    const asked = await ok<Version>(await ask(t, 'approver', sub.version, 'not yet'), 202);
    const item = async () =>
      (await ok<{ items: ApprovalItem[] }>(await t.req('approver2', 'GET', '/v1/approvals?kind=retirement&locale=en'))).items[0];
    assert.deepEqual((await item())?.retirement, { version: sub.version, status: 'approved', effectiveFrom: '2025-12-01', instead: 1 });
    // Its date passes while the request waits: the queue says it is in force now, and the approval
    // takes it out of force — the month under way is judged again, which a scheduled one would not be.
    t.setClock(new Date('2025-12-02T04:00:00.000Z'));
    const now = await item();
    assert.equal(now?.retirement?.status, 'active');
    assert.match(now?.summary ?? '', /\(in force from 2025-12-01\) retirement requested; v1 decides instead/);
    const done = await ok<Version & { reevaluation?: { fromPeriod: string } }>(
      await decide(t, 'approver2', sub.version, 'approve', { contentHash: asked.retireRequestHash }),
    );
    assert.equal(done.status, 'retired');
    assert.equal(done.reevaluation?.fromPeriod, '2025-12', 'judged again from the month it was in force at approval');
  });

  it('approving when the version is no longer active, or when its retirement would now break a month’s pack, is a 409 with nothing changed', async () => {
    const { t, v } = await withVersion2();
    // Two requests valid when asked: v2 (v1 decides again), and v1 (superseded by v2).
    const v2 = await ok<Version>(await ask(t, 'approver', v.version, 'back to v1'), 202);
    const v1 = await ok<Version>(await ask(t, 'approver', 1, 'tidy up'), 202);
    await ok(await decide(t, 'approver2', 1, 'approve', { contentHash: v1.retireRequestHash }));
    // Without v1, retiring v2 would leave retail-tier out of the pack while the risk × value matrix reads it.
    const broken = await refused(
      await decide(t, 'approver2', v.version, 'approve', { contentHash: v2.retireRequestHash }),
      409,
      'conflict',
    );
    assert.ok(
      broken.errors?.some((e) => e.code === 'unknown_scheme'),
      JSON.stringify(broken.errors),
    );
    const still = await read(t, v.version);
    assert.equal(still.status, 'active', 'nothing retired');
    assert.equal(still.retireRequestHash, v2.retireRequestHash, 'the request still waits: rejecting it is the way out');
    // v1 is retired now: a second approval of its request finds no active version.
    const gone = await refused(await decide(t, 'admin', 1, 'approve', { contentHash: v1.retireRequestHash }), 409, 'conflict');
    assert.deepEqual(gone.errors?.[0], {
      path: 'params.version',
      message: 'is retired',
      code: 'already_decided',
      params: { status: 'retired', kind: 'retirement' },
    });
  });
});
