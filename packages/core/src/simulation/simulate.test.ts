import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compilePack, defaultPolicyPack, simulate } from '../index.js';
import type { Policy, SimulationSubject } from '../index.js';

const retail = defaultPolicyPack.schemes.find((s) => s.key === 'retail-tier')!;
// Gold from ¥60,000 instead of ¥50,000 (amounts in fen).
const stricter: Policy = { ...(JSON.parse(JSON.stringify(retail.policy).replace('5000000', '6000000')) as Policy), version: 2 };
const draft = compilePack({ ...defaultPolicyPack, schemes: [{ ...retail, policy: stricter }] }).scheme('retail-tier')!;

const gold55k = (id: string, prior?: SimulationSubject['prior']): SimulationSubject => ({
  id,
  currentLevel: 'gold',
  facts: { asOf: '2024-06', values: { avg_daily_balance: { '2024-04': 5_500_000, '2024-05': 5_500_000, '2024-06': 5_500_000 } } },
  ...(prior ? { prior } : {}),
});

it('with the stored state, a draft that puts a gold customer below the line keeps them gold until the periods below run out', async () => {
  const r = await simulate(draft, [
    gold55k('fresh', { level: 'gold', periodsBelow: 0 }),
    gold55k('last-chance', { level: 'gold', periodsBelow: 2 }),
    gold55k('no-state'),
  ]);
  const cell = (to: string) => r.cells.find((c) => c.from === 'gold' && c.to === to);
  assert.deepEqual(cell('gold')?.samples, ['fresh'], 'one period below of three: still gold');
  assert.deepEqual(cell('standard')?.samples, ['last-chance', 'no-state'], 'the third period below, or no state to hold: down');
  assert.equal(r.downgraded, 2);
});

it('a subject with no level yet and no baseline is a first assignment, counted apart from unchanged', async () => {
  const r = await simulate(draft, [{ id: 'new', facts: gold55k('x').facts }, gold55k('kept', { level: 'gold', periodsBelow: 0 })]);
  assert.deepEqual(
    r.cells.map((c) => `${c.from}→${c.to}:${c.count}`),
    ['none→standard:1', 'gold→gold:1'],
  );
  assert.deepEqual([r.total, r.upgraded, r.downgraded, r.assigned, r.unchanged], [2, 0, 0, 1, 1]);
});
