import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Executor } from '@tierkit/db';
import { client, forEachDialect } from '../support/api-fixture.js';
import { insertApprovedOverride, writeBook, type BookEvent } from '../support/history-book.js';

/*
 * "Held by an override" is a state of the overrides table, not only of the history: an override that
 * ends without a change of level records no event. The fixture lives on 2025-11-15 (Shanghai); levels
 * standard < gold < platinum. Counted by hand:
 *
 *        2025-06                              07                                     08   09              10
 *   K    platinum                             → gold (rules), → platinum (override     override expired
 *                                             approved 07-20, expires 08-20)           08-20: no event
 *   L    standard → gold (override approved 06-10, no expiry: in force)
 *   M    standard → gold (override approved 06-10)                                        revoked 09-05:
 *                                                                                         no event
 *   N    gold
 *   P    standard                                                                                         → gold (rules)
 *
 * Evaluated through 2025-10 (P's October move); final through 2025-09 (October's moves may still be
 * set back by an override approved in November).
 */
const EVENTS: BookEvent[] = [
  { subject: 'K', period: '2025-06', from: null, to: 'platinum', reason: 'initial' },
  { subject: 'L', period: '2025-06', from: null, to: 'standard', reason: 'initial' },
  { subject: 'L', period: '2025-06', from: 'standard', to: 'gold', reason: 'override' },
  { subject: 'M', period: '2025-06', from: null, to: 'standard', reason: 'initial' },
  { subject: 'M', period: '2025-06', from: 'standard', to: 'gold', reason: 'override' },
  { subject: 'N', period: '2025-06', from: null, to: 'gold', reason: 'initial' },
  { subject: 'P', period: '2025-06', from: null, to: 'standard', reason: 'initial' },
  { subject: 'K', period: '2025-07', from: 'platinum', to: 'gold' },
  { subject: 'K', period: '2025-07', from: 'gold', to: 'platinum', reason: 'override' },
  { subject: 'P', period: '2025-10', from: 'standard', to: 'gold' },
];

async function approved(db: Executor, subject: string, level: string, decidedAt: string, expiresAt: string | null = null): Promise<void> {
  await insertApprovedOverride(db, { tenant: 'bank-a', subject, id: `held-${subject}`, level, decidedAt, expiresAt });
}

forEachDialect('analytics: held by an override only while one is in force, whenever it was approved', (f) => {
  const api = client(f, () => f.keys.roles.analyst);
  const get = async (path: string) => {
    const res = await api.get(path);
    assert.equal(res.status, 200);
    return res.json();
  };

  before(async () => {
    await writeBook(f.db.db, 'bank-a', { events: EVENTS });
    await approved(f.db.db, 'K', 'platinum', '2025-07-20T02:00:00.000Z', '2025-08-20T02:00:00.000Z');
    await approved(f.db.db, 'L', 'gold', '2025-06-10T02:00:00.000Z');
    await approved(f.db.db, 'M', 'gold', '2025-06-10T02:00:00.000Z');
    await f.db.db
      .updateTable('overrides')
      .set({ status: 'revoked', revoked_at: '2025-09-05T02:00:00.000Z', revoked_by: 'approver' })
      .where('id', '=', 'held-M')
      .execute();
  });

  it('an override that ended without a change of level holds nobody: K is a stayer from June to October', async () => {
    const body = await get('/v1/analytics/migration?scheme=retail-tier&from=2025-06&to=2025-10');
    // K platinum → platinum: its override's approval set the level (July), but it expired in August:
    // a stayer, in the overrides' matrix (an override's event last set its level). L held (in force since
    // June). M (revoked in September) and N stay by the rules; P up.
    assert.deepEqual(body.totals, { both: 5, up: 1, down: 0, same: 3, unranked: 0, heldByOverride: 1, entered: 0 });
    assert.deepEqual(body.override.totals, { up: 0, down: 0, same: 1, unranked: 0 });
    assert.deepEqual(body.policy.totals, { up: 1, down: 0, same: 2, unranked: 0 });
    assert.equal(body.override.matrix[2][2], 1, 'K: platinum → platinum');
  });

  it('a past month keeps its answer: K was held at the end of July, M at the end of August', async () => {
    const july = await get('/v1/analytics/migration?scheme=retail-tier&from=2025-06&to=2025-07');
    // K held (the rules' move of July set back within it, the override in force on 31 July); L and M
    // held since June; N same; P same.
    assert.deepEqual(july.totals, { both: 5, up: 0, down: 0, same: 2, unranked: 0, heldByOverride: 3, entered: 0 });
    const august = await get('/v1/analytics/migration?scheme=retail-tier&from=2025-07&to=2025-08');
    // K's override expired on 20 August: a stayer. L and M (revoked only in September) held.
    assert.deepEqual(august.totals, { both: 5, up: 0, down: 0, same: 3, unranked: 0, heldByOverride: 2, entered: 0 });
  });

  it('a customer under an override since before `from` is held, not a stayer by the rules', async () => {
    const body = await get('/v1/analytics/migration?scheme=retail-tier&from=2025-08&to=2025-10');
    // L gold → gold, set by its override of June, still in force: held, the overrides' cell. K, M, N
    // stay by the rules; P up.
    assert.deepEqual(body.totals, { both: 5, up: 1, down: 0, same: 3, unranked: 0, heldByOverride: 1, entered: 0 });
    assert.deepEqual(body.policy.totals, { up: 1, down: 0, same: 3, unranked: 0 });
    assert.equal(body.override.matrix[1][1], 1, 'L: gold → gold, held by its override');
    assert.equal(body.policy.matrix[1][1], 2, 'M and N: gold → gold by the rules');
  });

  it('effect: the customer an override holds is no stayer; the one whose override ended is', async () => {
    const body = await get('/v1/analytics/effect?scheme=retail-tier&period=2025-10&direction=down&months=1');
    // September → October: L held; K, M, N stayed; P moved up (neither group of a downgrade).
    assert.deepEqual(body.cohorts, { moved: 0, stayed: 3, overrideMoved: 0, heldByOverride: 1 });
  });

  it('each month says whether its figures are final: evaluated, and the month after it over', async () => {
    const rates = await get('/v1/analytics/rates?scheme=retail-tier&from=2025-08&to=2025-11');
    assert.deepEqual(rates.evaluated, [true, true, true, false]);
    assert.deepEqual(rates.final, [true, true, false, false], 'October is evaluated, provisional until November ends');
    assert.equal(rates.finalThrough, '2025-09');
    const dist = await get('/v1/analytics/distribution?scheme=retail-tier&from=2025-09&to=2025-10');
    assert.deepEqual(dist.final, [true, false]);
    assert.equal((await get('/v1/analytics/migration?scheme=retail-tier&from=2025-07&to=2025-09')).final, true);
    assert.equal((await get('/v1/analytics/migration?scheme=retail-tier&from=2025-07&to=2025-10')).final, false);
    const effect = await get('/v1/analytics/effect?scheme=retail-tier&period=2025-10&direction=up&months=1');
    assert.deepEqual([effect.evaluated, effect.final, effect.finalThrough], [true, false, '2025-09']);
  });
});
