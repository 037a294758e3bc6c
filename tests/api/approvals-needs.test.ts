import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { defaultPolicyPack } from '@tierkit/core';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

interface Override {
  id: string;
  contentHash: string;
}
interface Item {
  kind: string;
  id: string;
  subject: string | null;
  scheme: string;
  contentHash: string;
  requestedByYou: boolean;
  approvalNeeds: 'approver' | 'admin';
}

const days = (n: number) => new Date(START.getTime() + n * 86_400_000).toISOString();

/*
 * The approvals queue says, per item, who may approve it (`approvalNeeds`), by the rule the approval
 * checks (packages/api/README.md, "Four eyes"): an approver learns that an AML override loosening the
 * grade needs an admin before pressing Approve, not from the 403 after.
 */
forEachDialect('the approvals queue says who may approve each item', (f) => {
  let t: FourEyesTenant;
  const request = (subject: string, body: Record<string, unknown>, who: 'officer' | 'admin' = 'officer') =>
    t.req(who, 'POST', `/v1/subjects/${subject}/overrides`, { mode: 'fixed', reason: '复核', expiresAt: days(90), ...body });
  const queue = async (who: 'approver' | 'admin' | 'officer' = 'approver') =>
    (await ok<{ items: Item[] }>(await t.req(who, 'GET', '/v1/approvals?kind=override&limit=100'))).items;

  before(async () => {
    t = await fourEyesTenant(f, 'approval-needs', START, defaultPolicyPack);
    for (const [id, metrics] of [
      // A politically exposed person: graded 高 whatever the scores.
      [
        'PEP1',
        [
          { metric: 'pep', period: '2025-10', value: 1 },
          { metric: 'aml_customer_risk', period: '2025-10', value: 20 },
        ],
      ],
      ['LOW1', [{ metric: 'aml_customer_risk', period: '2025-10', value: 10 }]],
    ] as const) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: id }), 201);
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, { metrics }));
    }
  });

  it('an AML override that can hold the grade low needs an admin; a stricter floor and a card tier an approver — and the API agrees on approval', async () => {
    const loosen = await ok<Override>(await request('PEP1', { scheme: 'aml-risk', level: 'low' }), 201);
    const tighten = await ok<Override>(await request('LOW1', { scheme: 'aml-risk', level: 'medium-high', mode: 'floor' }), 201);
    const card = await ok<Override>(await request('LOW1', { scheme: 'retail-tier', level: 'gold' }), 201);
    const items = await queue();
    const needs = Object.fromEntries(items.map((i) => [i.id, i.approvalNeeds]));
    assert.deepEqual(needs, { [loosen.id]: 'admin', [tighten.id]: 'approver', [card.id]: 'approver' });
    // Whoever reads the queue reads the same rule: it is the item's, not the caller's.
    assert.deepEqual(Object.fromEntries((await queue('officer')).map((i) => [i.id, i.approvalNeeds])), needs);

    // The field is what the approval then checks: an approver is refused exactly the admin's item.
    for (const i of items) {
      const res = await t.req('approver', 'POST', `/v1/overrides/${i.id}/approve`, { contentHash: i.contentHash });
      if (i.approvalNeeds === 'admin') await problem(res, 403, 'forbidden');
      else await ok(res);
    }
    assert.deepEqual(
      (await queue()).map((i) => i.id),
      [loosen.id],
      'the admin’s item still waits',
    );
  });

  it('an approver may still reject an item that needs an admin', async () => {
    // The AML override the first test left waiting: an admin's to approve, any approver's to reject.
    const item = (await queue()).find((i) => i.subject === 'PEP1' && i.scheme === 'aml-risk');
    assert.ok(item);
    assert.equal(item.approvalNeeds, 'admin');
    await ok(await t.req('approver', 'POST', `/v1/overrides/${item.id}/reject`, { contentHash: item.contentHash, note: '理由不足' }));
  });

  it('an admin never approves their own request, even one that needs an admin: 403 four-eyes, and requestedByYou says so', async () => {
    const own = await ok<Override>(await request('PEP1', { scheme: 'aml-risk', level: 'low' }, 'admin'), 201);
    const item = (await queue('admin')).find((i) => i.id === own.id);
    assert.equal(item?.approvalNeeds, 'admin');
    assert.equal(item?.requestedByYou, true);
    await problem(await t.req('admin', 'POST', `/v1/overrides/${own.id}/approve`, { contentHash: own.contentHash }), 403, 'four-eyes');
    await ok(await t.req('admin2', 'POST', `/v1/overrides/${own.id}/approve`, { contentHash: own.contentHash }));
  });

  it('level sign-offs and policy versions are any approver’s', async () => {
    const draft = await ok<{ version: number }>(await t.req('officer', 'POST', '/v1/policies/retail-tier/drafts', {}), 201);
    await ok(await t.req('officer', 'POST', `/v1/policies/retail-tier/versions/${draft.version}/submit`, {}));
    const all = (await ok<{ items: Item[] }>(await t.req('approver', 'GET', '/v1/approvals?kind=policy'))).items;
    assert.ok(all.length > 0);
    assert.ok(all.every((i) => i.approvalNeeds === 'approver'));
  });
});
