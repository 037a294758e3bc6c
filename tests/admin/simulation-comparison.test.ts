import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareWithInForce } from '@tierkit/admin';
import { PolicyEditor } from '@tierkit/admin/policy-editor';
import { drainJobs } from '@tierkit/api';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';

/** The card tiers' platinum balance line in the default pack: ¥300,000 in fen. */
const PLATINUM_BALANCE = 'document.policy.levels[1].when.of[0].value';

async function until(ed: PolicyEditor, done: (s: PolicyEditor['state']) => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(ed.state); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(done(ed.state), JSON.stringify(ed.state.simulationJob?.status));
}

describe('a simulation compared with the version in force (admin kit)', () => {
  const f = kitFixture();

  it('a stricter 白金卡 line: nobody moves this month, seven drop to 金卡 when the grace ends in January', async () => {
    // The fixture's book: K01–K07 at ¥400,000 (September, October; November's re-tier carries October
    // forward), platinum; K08–K10 at ¥10,000, standard. 白金卡 from ¥500,000: all seven fall below the
    // line, one month of the three the grace allows — held this month, dropped at January 2026's
    // re-tier (two more months below), to gold (¥400,000 clears gold's ¥50,000). In force nobody moves.
    const ed = new PolicyEditor(f.client('OFF1'));
    await ed.load();
    await ed.selectScheme('retail-tier');
    await ed.createDraft();
    assert.equal(ed.valueAt(PLATINUM_BALANCE), 30_000_000);
    ed.setValue(PLATINUM_BALANCE, 50_000_000);
    await ed.simulate();
    await drainJobs({ db: f.db.db, now: () => NOW });
    await until(ed, (s) => s.simulation !== undefined);
    const sim = ed.state.simulation;
    assert.ok(sim);
    assert.equal(sim.period, '2025-11');
    // Against the stored levels this reads "nothing changes": the comparison says what the grace only delays.
    assert.equal(sim.downgraded, 0);
    const c = compareWithInForce(sim);
    assert.ok(c);
    assert.equal(c.against, 1);
    assert.deepEqual([c.higher, c.lower, c.same], [0, 0, 10]);
    assert.equal(c.downsNow, 0);
    assert.equal(c.heldByGrace, 7);
    assert.deepEqual(c.drops, [{ month: '2026-01', count: 7, moves: [{ from: 'platinum', to: 'gold', count: 7 }] }]);
    // Highest level first; every level with a count on either side, now or after the grace.
    assert.deepEqual(
      c.levels.map((l) => [l.level, l.baseline, l.simulated, l.change, l.baselineAfterGrace, l.simulatedAfterGrace, l.changeAfterGrace]),
      [
        ['platinum', 7, 7, 0, 7, 0, -7],
        ['gold', 0, 0, 0, 0, 7, 7],
        ['standard', 3, 3, 0, 3, 3, 0],
      ],
    );
    // A simulation with nothing to compare with is said to have none, not compared with the stored levels.
    assert.equal(compareWithInForce({ ...sim, baseline: null }), null);
  });
});
