import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, provisionTenant, type Role } from '@tierkit/api';
import type { PolicySimulation } from '@tierkit/core/wire';
import { NOW, client, forEachDialect } from '../support/api-fixture.js';
import { testPack } from '../support/test-pack.js';

/*
 * A simulation's baseline is the version in force, as its `against` says — also when that version
 * began on the first day of the month simulated. The card-benefits manager read "与生效版本 v1 计算的
 * 结果比较" on the 6th of a month whose v3 had been in force since the 1st (`against: 3`,
 * `baseline.version: 1`): the baseline left out versions starting in the month simulated.
 */

async function ok<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}

interface Version {
  version: number;
  contentHash: string | null;
  document: { policy: { levels: { when: { value?: unknown } }[] } };
}

forEachDialect('a simulation’s baseline in a month a version began', (f) => {
  const keys = {} as Record<Role, string>;
  const as = (role: Role) => client(f, () => keys[role]);

  /** aml-test with its 高 line at `value`, drafted and submitted by the officer. */
  async function submitted(value: number): Promise<Version> {
    const draft = await ok<Version>(await as('officer').post('/v1/policies/aml-test/drafts', {}), 201);
    const doc = structuredClone(draft.document);
    (doc.policy.levels[0] as { when: { value: number } }).when.value = value;
    await ok(await as('officer').put(`/v1/policies/aml-test/versions/${draft.version}`, { document: doc }));
    return ok<Version>(await as('officer').post(`/v1/policies/aml-test/versions/${draft.version}/submit`, {}));
  }

  it('compares with the version in force since the 1st of the month simulated, which `against` names', async () => {
    await provisionTenant(f.db.db, { id: 'bank-bm', name: 'bm', pack: testPack(), now: NOW });
    for (const role of ['analyst', 'officer', 'approver', 'admin'] as const)
      keys[role] = (await createApiKey(f.db.db, { tenantId: 'bank-bm', role, label: role, now: NOW })).secret;
    // Risk scores of November (the month under way): 65 is 高 under a line of 60, 低 under v1's 80.
    for (const [id, score] of [
      ['R1', 65],
      ['R2', 30],
    ] as const) {
      await ok(await as('admin').put(`/v1/subjects/${id}`, { kind: 'customer', displayName: '客户' }), 201);
      await ok(
        await as('admin').put(`/v1/subjects/${id}/metrics`, {
          metrics: [{ metric: 'aml_customer_risk', period: '2025-11', value: score }],
        }),
      );
    }
    const inForce = await submitted(60);
    await ok(
      await as('approver').post(`/v1/policies/aml-test/versions/${inForce.version}/approve`, {
        contentHash: inForce.contentHash,
        effectiveFrom: '2025-11-01',
        confirmRetier: true,
      }),
    );
    const draft = await submitted(50);
    const sim = await ok<PolicySimulation>(
      await as('analyst').post(`/v1/policies/aml-test/versions/${draft.version}/simulate`, { period: '2025-11' }),
    );
    assert.equal(sim.period, '2025-11');
    assert.equal(sim.against, inForce.version);
    assert.equal(sim.baseline?.version, inForce.version, 'the baseline is the version `against` names');
    // R1 is 高 under both the version in force (60) and the draft (50): nobody moves against today's rule.
    assert.deepEqual(sim.baseline?.compared.map((c) => [c.from, c.to, c.count]).sort(), [
      ['high', 'high', 1],
      ['low', 'low', 1],
    ]);
    assert.equal(sim.baseline?.same, 2);
  });
});
