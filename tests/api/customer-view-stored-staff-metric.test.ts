import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, provisionTenant } from '@tierkit/api';
import { UNDISCLOSED, defaultPolicyPack, type CustomerTiersResponse, type StaffTiersResponse } from '@tierkit/core';
import { insertPolicyDraft, nextPolicySlot, updatePolicyVersion } from '@tierkit/db';
import { NOW, client, forEachDialect } from '../support/api-fixture.js';

/*
 * Defence in depth behind `staff_metric`: a customer scheme on PEP and AML customer risk approved before
 * that check (the scheme author's vip-care), written straight into the database as the old release stored
 * it. The tenant's pack still loads, and a customer's embed token gets the level but never the rule's
 * words 「政治公众人物」 / 「客户身份风险 ≥ 70 分」.
 */

const TENANT = 'bank-stored-vip-care';
const name = (zh: string, en: string) => ({ 'zh-CN': zh, 'zh-TW': zh, en });
const vipCare = {
  key: 'vip-care',
  subjectKind: 'customer',
  category: 'value',
  audience: 'customer',
  name: name('贵宾关怀', 'VIP care'),
  levels: [
    { key: 'standard', rank: 0, name: name('普通', 'Standard'), color: 'neutral' },
    { key: 'high', rank: 1, name: name('高', 'High'), color: 'danger' },
  ],
  policy: {
    id: 'vip-care',
    version: 1,
    kind: 'rules',
    levels: [
      {
        level: 'high',
        when: {
          kind: 'any',
          of: [
            { kind: 'threshold', metric: 'pep', window: null, op: 'gte', value: 1 },
            { kind: 'threshold', metric: 'aml_customer_risk', window: null, op: 'gte', value: 70 },
          ],
        },
      },
    ],
  },
};

forEachDialect('a stored customer scheme on AML data: the pack loads, the customer view withholds its words', (f) => {
  let officerKey = '';
  before(async () => {
    const db = f.db.db;
    await provisionTenant(db, { id: TENANT, name: 'stored vip-care', pack: defaultPolicyPack, now: NOW });
    officerKey = (await createApiKey(db, { tenantId: TENANT, role: 'officer', label: 'backend', now: NOW })).secret;
    const slot = await nextPolicySlot(db, TENANT, 'vip-care');
    const at = '2025-01-01T00:00:00.000Z';
    await insertPolicyDraft(db, TENANT, {
      id: 'pol-vip-care-1',
      scheme: 'vip-care',
      ...slot,
      document: vipCare,
      author: 'key:old',
      now: at,
    });
    assert.ok(
      await updatePolicyVersion(db, TENANT, 'vip-care', slot.version, 'draft', {
        status: 'active',
        effectiveFrom: at,
        decidedBy: 'key:old-approver',
        decidedAt: at,
      }),
    );
  });

  it('PEP and AML 70 customers hold vip-care high; staff read the rule, their embed token reads “rated by the bank”', async () => {
    const officer = client(f, () => officerKey);
    for (const [id, metric, value] of [
      ['VC-PEP', 'pep', 1],
      ['VC-AML', 'aml_customer_risk', 75],
    ] as const) {
      assert.equal((await officer.put(`/v1/subjects/${id}`, { kind: 'customer', displayName: '客户' })).status, 201);
      const put = await officer.put(`/v1/subjects/${id}/metrics`, { metrics: [{ metric, period: '2025-10', value }] });
      assert.equal(put.status, 200, await put.clone().text());
      const staff = (await (await officer.get(`/v1/subjects/${id}/tiers?scheme=vip-care`)).json()) as StaffTiersResponse;
      assert.equal(staff.assignments[0]?.level, 'high');
      assert.notDeepEqual(staff.assignments[0]?.explanation.decidedBy.label, UNDISCLOSED);
      const minted = await officer.post('/v1/embed-tokens', { subject: id, ttlSeconds: 600 });
      assert.equal(minted.status, 201, await minted.clone().text());
      const { token } = (await minted.json()) as { token: string };
      const res = await client(f, () => token).get(`/v1/subjects/${id}/tiers`);
      assert.equal(res.status, 200, await res.clone().text());
      const mine = (await res.json()) as CustomerTiersResponse;
      const care = mine.assignments.find((a) => a.scheme === 'vip-care');
      assert.equal(care?.level, 'high');
      assert.deepEqual(care?.explanation.decidedBy, { kind: 'threshold', label: UNDISCLOSED });
      const { schemeInfo: _criteria, ...said } = care as unknown as Record<string, unknown>;
      assert.doesNotMatch(JSON.stringify(said), /政治公众人物|政治公眾人物|politically|客户身份风险|客戶身份風險|aml_|"pep"/);
    }
  });
});
