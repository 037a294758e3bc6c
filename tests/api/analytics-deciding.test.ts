import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { OverrideMode } from '@tierkit/core';
import type { Executor } from '@tierkit/db';
import { client, forEachDialect } from '../support/api-fixture.js';
import { insertApprovedOverride, writeBook, type BookEvent } from '../support/history-book.js';

/*
 * "Held by an override" asks which override decides at the instant: of those in force, the one
 * approved last, and it holds a customer only at its own level (a floor below the level held leaves
 * the level to the rules). The instant is the first one after the month in Shanghai (2025-10 ends at
 * 2025-10-31T16:00:00.000Z), strict on both sides: approved before it, ended after it; in the current
 * month (the fixture lives on 2025-11-15T04:00Z) it is now. Levels standard < gold < platinum. Every
 * customer below was standard in April and set to gold by an override's approval in June (no event
 * since), except V. Overrides, counted by hand:
 *
 *   F  floor standard 05-01 (in force); fixed gold 06-10, expired 08-20 (the rules kept gold, no event)
 *   G  fixed gold 06-10 (in force); floor standard 07-05 (in force, approved last: it decides)
 *   H  floor gold 06-10 (in force: a floor at the level held holds it)
 *   Q  fixed gold 06-10 expired 09-01; fixed gold approved at 2025-10-31T16:00:00.000Z, November's first instant
 *   S  as Q, the second approved one millisecond before November (15:59:59.999Z)
 *   R  fixed gold 06-10, expiring at 2025-10-31T16:00:00.000Z
 *   U  fixed gold 06-10, expiring 11-20 (after now)
 *   V  gold since April; the rules moved it to standard in September, an override approved 10-05 set
 *      it back to gold in October and expired at 2025-10-31T16:00:00.000Z (the rules kept gold, no event)
 */
const EVENTS: BookEvent[] = [
  ...['F', 'G', 'H', 'Q', 'S', 'R', 'U'].flatMap((s): BookEvent[] => [
    { subject: s, period: '2025-04', from: null, to: 'standard', reason: 'initial' },
    { subject: s, period: '2025-06', from: 'standard', to: 'gold', reason: 'override' },
  ]),
  { subject: 'V', period: '2025-04', from: null, to: 'gold', reason: 'initial' },
  { subject: 'V', period: '2025-09', from: 'gold', to: 'standard' },
  { subject: 'V', period: '2025-10', from: 'standard', to: 'gold', reason: 'override' },
];

const JUNE_10 = '2025-06-10T02:00:00.000Z';
const OCTOBER_END = '2025-10-31T16:00:00.000Z';

async function approved(
  db: Executor,
  id: string,
  subject: string,
  level: string,
  mode: OverrideMode,
  decidedAt: string,
  expiresAt: string | null = null,
): Promise<void> {
  await insertApprovedOverride(db, { tenant: 'bank-a', subject, id, level, mode, decidedAt, expiresAt });
}

forEachDialect('analytics: held only by the override that decides at the instant, at its own level', (f) => {
  const api = client(f, () => f.keys.roles.analyst);
  const get = async (path: string) => {
    const res = await api.get(path);
    assert.equal(res.status, 200);
    return res.json();
  };

  before(async () => {
    const db = f.db.db;
    await writeBook(db, 'bank-a', { events: EVENTS });
    await approved(db, 'F-floor', 'F', 'standard', 'floor', '2025-05-01T02:00:00.000Z');
    await approved(db, 'F-fixed', 'F', 'gold', 'fixed', JUNE_10, '2025-08-20T02:00:00.000Z');
    await approved(db, 'G-fixed', 'G', 'gold', 'fixed', JUNE_10);
    await approved(db, 'G-floor', 'G', 'standard', 'floor', '2025-07-05T02:00:00.000Z');
    await approved(db, 'H-floor', 'H', 'gold', 'floor', JUNE_10);
    await approved(db, 'Q-1', 'Q', 'gold', 'fixed', JUNE_10, '2025-09-01T02:00:00.000Z');
    await approved(db, 'Q-2', 'Q', 'gold', 'fixed', OCTOBER_END);
    await approved(db, 'S-1', 'S', 'gold', 'fixed', JUNE_10, '2025-09-01T02:00:00.000Z');
    await approved(db, 'S-2', 'S', 'gold', 'fixed', '2025-10-31T15:59:59.999Z');
    await approved(db, 'R-1', 'R', 'gold', 'fixed', JUNE_10, OCTOBER_END);
    await approved(db, 'U-1', 'U', 'gold', 'fixed', JUNE_10, '2025-11-20T02:00:00.000Z');
    await approved(db, 'V-1', 'V', 'gold', 'fixed', '2025-10-05T02:00:00.000Z', OCTOBER_END);
  });

  it('an override in force at another level holds nobody: F (a floor below, the fixed one ended) and G (a floor approved last) stay by the rules', async () => {
    const body = await get('/v1/analytics/migration?scheme=retail-tier&from=2025-08&to=2025-10');
    // Held at the end of October: H (its floor at gold), S (approved before November), U. Not held: F
    // and G (the override deciding is a floor at standard), Q (approved at November's first instant),
    // R (expired at that instant), V (set back in October, its override expired at that instant: a
    // stayer in the overrides' matrix, their event having set the level).
    assert.deepEqual(body.totals, { both: 8, up: 0, down: 0, same: 5, unranked: 0, heldByOverride: 3, entered: 0 });
    assert.deepEqual(body.policy.totals, { up: 0, down: 0, same: 4, unranked: 0 }, 'F, G, Q, R');
    assert.deepEqual(body.override.totals, { up: 0, down: 0, same: 1, unranked: 0 }, 'V');
    assert.equal(body.policy.matrix[1][1], 4, 'F, G, Q, R: gold → gold by the rules');
    assert.equal(body.override.matrix[1][1], 4, 'H, S, U held; V a stayer');
  });

  it('of two overrides in force, the one approved last decides: F held in July by its fixed gold, G not by its floor', async () => {
    const body = await get('/v1/analytics/migration?scheme=retail-tier&from=2025-06&to=2025-07');
    // End of July: F's fixed gold (approved after its floor) decides; G's floor at standard (approved
    // after its fixed gold) decides. Held: F, H, Q, S, R, U. G and V (gold since April) stay.
    assert.deepEqual(body.totals, { both: 8, up: 0, down: 0, same: 2, unranked: 0, heldByOverride: 6, entered: 0 });
    assert.deepEqual(body.policy.totals, { up: 0, down: 0, same: 2, unranked: 0 }, 'G, V');
  });

  it('the current month reads the overrides in force now', async () => {
    const body = await get('/v1/analytics/migration?scheme=retail-tier&from=2025-10&to=2025-11');
    // Now (15 November): Q's second override (approved at November's first instant) is in force, so
    // are H's, S's and U's (expiring 20 November). F, G (floors at standard), R and V (expired) stay.
    assert.deepEqual(body.totals, { both: 8, up: 0, down: 0, same: 4, unranked: 0, heldByOverride: 4, entered: 0 });
    assert.deepEqual(body.policy.totals, { up: 0, down: 0, same: 4, unranked: 0 });
  });

  it('effect: the customer a floor below leaves to the rules is a stayer', async () => {
    const body = await get('/v1/analytics/effect?scheme=retail-tier&period=2025-10&direction=down&months=1');
    // September → October: V held (its override set back the rules' September move: off the
    // diagonal, held whatever became of the override); H, S, U held; F, G, Q, R stayed.
    assert.deepEqual(body.cohorts, { moved: 0, stayed: 4, overrideMoved: 0, heldByOverride: 4 });
  });
});
