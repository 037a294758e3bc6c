import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { PolicySimulation } from '@tierkit/core';
import { client, forEachDialect } from '../support/api-fixture.js';

/*
 * The scheme author's corp-credit v1 simulated as "upgraded 0, downgraded 0, unchanged 300" while every
 * cell read none → …: a new scheme's first levels are their own figure, `assigned`, never unchanged.
 */

async function ok<T>(res: Response, status = 200): Promise<T> {
  assert.equal(res.status, status, await res.clone().text());
  return (await res.json()) as T;
}
const name = (zh: string, en: string) => ({ 'zh-CN': zh, 'zh-TW': zh, en });
const vipBalance = {
  key: 'vip-balance',
  subjectKind: 'customer',
  category: 'value',
  audience: 'staff',
  name: name('贵宾余额', 'VIP balance'),
  levels: [
    { key: 'standard', rank: 0, name: name('普通', 'Standard'), color: 'neutral' },
    { key: 'vip', rank: 1, name: name('贵宾', 'VIP'), color: 'gold' },
  ],
  policy: {
    id: 'vip-balance',
    version: 1,
    kind: 'rules',
    levels: [{ level: 'vip', when: { kind: 'threshold', metric: 'avg_daily_balance', window: null, op: 'gte', value: 10_000_000 } }],
  },
};

forEachDialect('a new scheme’s simulation counts first levels apart', (f) => {
  const as = (role: 'officer' | 'analyst') => client(f, () => f.keys.roles[role]);

  it('every subject from none: assigned = total, nothing unchanged; the version in force’s own simulation assigns none', async () => {
    const officer = as('officer');
    for (const [id, yuan] of [
      ['FA1', 200_000],
      ['FA2', 10_000],
      ['FA3', 150_000],
    ] as const) {
      await ok(await officer.put(`/v1/subjects/${id}`, { kind: 'customer', displayName: '客户' }), 201);
      await ok(
        await officer.put(`/v1/subjects/${id}/metrics`, {
          metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: yuan * 100 }],
        }),
      );
    }
    const draft = await ok<{ version: number }>(await officer.post('/v1/policies/vip-balance/drafts', { document: vipBalance }), 201);
    const sim = await ok<PolicySimulation>(await as('analyst').post(`/v1/policies/vip-balance/versions/${draft.version}/simulate`, {}));
    const cells = sim.cells.map((c) => `${c.from}→${c.to}:${c.count}`).sort();
    assert.ok(cells.includes('none→vip:2') && cells.includes('none→standard:1'), cells.join(' '));
    assert.ok(sim.cells.every((c) => c.from === 'none'));
    assert.deepEqual([sim.upgraded, sim.downgraded, sim.assigned, sim.unchanged], [0, 0, sim.total, 0]);

    // A scheme in force: its subjects have levels, none is a first assignment.
    const retail = await ok<{ version: number }>(await officer.post('/v1/policies/retail-tier/drafts', {}), 201);
    const again = await ok<PolicySimulation>(await as('analyst').post(`/v1/policies/retail-tier/versions/${retail.version}/simulate`, {}));
    assert.equal(again.assigned, 0);
    assert.equal(again.unchanged, again.total - again.upgraded - again.downgraded);
  });
});
