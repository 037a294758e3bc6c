import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Executor } from '@tierkit/db';
import { client, forEachDialect } from '../support/api-fixture.js';
import { insertApprovedOverride, writeBook, type BookEvent } from '../support/history-book.js';

/*
 * The migration matrix by cause, and the customers an override holds at their level. The fixture
 * lives on 2025-11-15; every figure below was counted by hand from this table (events in the order
 * recorded; levels standard < gold):
 *
 *        2025-08     09                        10
 *   A    standard    → gold (rules)
 *   B    gold        → standard (rules)        → gold (override approved)
 *   C    standard    → gold (override)
 *   D    standard    → gold (override)         → standard (override ended)
 *   E    standard
 *   G    gold                                  → standard (rules)
 *   H                standard (first tiered)
 *   I    gold        → standard (override)
 *   J    gold                                  → standard (rules), then → gold (override approved)
 *
 * 2025-08 → 2025-10: A up, policy; B and J gold in both months only because an override set them back:
 * held by override, no stayers; C up and I down, overrides; D standard in both months, set by an
 * override's end; E standard, nothing moved it; G down, policy; H entered. Month by month B is held in
 * September (the rules' move, set back by an override the month after, as an override decided once a
 * month's data are in is recorded) and J in October (within the month). The overrides of B, C, I and
 * J are in force still (an override holds a level only while it is: packages/api README "Held by an
 * override"); D's has expired.
 */
const EVENTS: BookEvent[] = [
  ...['A', 'C', 'D', 'E'].map((s) => ({ subject: s, period: '2025-08', from: null, to: 'standard', reason: 'initial' as const })),
  ...['B', 'G', 'I', 'J'].map((s) => ({ subject: s, period: '2025-08', from: null, to: 'gold', reason: 'initial' as const })),
  { subject: 'A', period: '2025-09', from: 'standard', to: 'gold' },
  { subject: 'B', period: '2025-09', from: 'gold', to: 'standard' },
  { subject: 'C', period: '2025-09', from: 'standard', to: 'gold', reason: 'override' },
  { subject: 'D', period: '2025-09', from: 'standard', to: 'gold', reason: 'override' },
  { subject: 'H', period: '2025-09', from: null, to: 'standard', reason: 'initial' },
  { subject: 'I', period: '2025-09', from: 'gold', to: 'standard', reason: 'override' },
  { subject: 'B', period: '2025-10', from: 'standard', to: 'gold', reason: 'override' },
  { subject: 'D', period: '2025-10', from: 'gold', to: 'standard', reason: 'override-expired' },
  { subject: 'G', period: '2025-10', from: 'gold', to: 'standard' },
  { subject: 'J', period: '2025-10', from: 'gold', to: 'standard' },
  { subject: 'J', period: '2025-10', from: 'standard', to: 'gold', reason: 'override' },
];

/** An approved override of `retail-tier` as the overrides table holds it, decided at `decidedAt`. */
async function approved(db: Executor, tenant: string, subject: string, level: string, decidedAt: string, expiresAt: string | null = null) {
  await insertApprovedOverride(db, { tenant, subject, id: `${tenant}-${subject}-${decidedAt}`, level, decidedAt, expiresAt });
}

forEachDialect('analytics: the migration matrix by cause, and customers held by an override', (f) => {
  const api = client(f, () => f.keys.roles.analyst);
  before(async () => {
    await writeBook(f.db.db, 'bank-a', { events: EVENTS });
    await approved(f.db.db, 'bank-a', 'C', 'gold', '2025-09-10T02:00:00.000Z');
    await approved(f.db.db, 'bank-a', 'D', 'gold', '2025-09-10T02:00:00.000Z', '2025-10-05T02:00:00.000Z');
    await approved(f.db.db, 'bank-a', 'I', 'standard', '2025-09-10T02:00:00.000Z');
    await approved(f.db.db, 'bank-a', 'B', 'gold', '2025-10-10T02:00:00.000Z');
    await approved(f.db.db, 'bank-a', 'J', 'gold', '2025-10-10T02:00:00.000Z');
    // Another bank, with subjects of the same ids: an override there sets back G's October move and A's
    // September one. Neither is bank-a's, so neither is held in bank-a's answers.
    await writeBook(f.db.db, 'bank-b', {
      events: [
        { subject: 'A', period: '2025-08', from: null, to: 'gold', reason: 'initial' },
        { subject: 'A', period: '2025-09', from: 'gold', to: 'standard' },
        { subject: 'A', period: '2025-10', from: 'standard', to: 'gold', reason: 'override' },
        { subject: 'G', period: '2025-10', from: null, to: 'standard', reason: 'initial' },
        { subject: 'G', period: '2025-11', from: 'standard', to: 'gold', reason: 'override' },
      ],
    });
    await approved(f.db.db, 'bank-b', 'A', 'gold', '2025-10-10T02:00:00.000Z');
    await approved(f.db.db, 'bank-b', 'G', 'gold', '2025-11-10T02:00:00.000Z');
  });

  it('another bank’s overrides hold only its own customers', async () => {
    const b = client(f, () => f.keys.b);
    const mine = await (await b.get('/v1/analytics/rates?scheme=retail-tier&from=2025-09&to=2025-10')).json();
    assert.deepEqual(mine.heldByOverride, [1, 0], 'bank-b: its A, set back in October');
    const a = await (await api.get('/v1/analytics/rates?scheme=retail-tier&from=2025-09&to=2025-10')).json();
    assert.deepEqual(a.policy.downgrades, [0, 1], 'bank-a: G still moved down by the rules in October');
    assert.deepEqual(a.policy.upgrades, [1, 0], 'bank-a: A still moved up by the rules in September');
  });

  it('migration: the policy’s and the overrides’ matrices add up to the matrix; a customer held by an override is no stayer', async () => {
    const res = await api.get('/v1/analytics/migration?scheme=retail-tier&from=2025-08&to=2025-10');
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body.levels, ['standard', 'gold', 'platinum', 'diamond']);
    const zeros = [0, 0, 0, 0];
    // rows: level in 2025-08; columns: level in 2025-10
    assert.deepEqual(body.matrix, [[2, 2, 0, 0], [2, 2, 0, 0], zeros, zeros]); // D E | A C; G I | B J
    assert.deepEqual(body.policy, {
      matrix: [[1, 1, 0, 0], [1, 0, 0, 0], zeros, zeros], // E | A; G
      totals: { up: 1, down: 1, same: 1, unranked: 0 },
    });
    assert.deepEqual(body.override, {
      matrix: [[1, 1, 0, 0], [1, 2, 0, 0], zeros, zeros], // D | C; I | B J
      totals: { up: 1, down: 1, same: 1, unranked: 0 },
    });
    assert.deepEqual(body.entered, [1, 0, 0, 0]);
    assert.deepEqual(body.totals, { both: 8, up: 2, down: 2, same: 2, unranked: 0, heldByOverride: 2, entered: 1 });
  });

  it('migration over one month: J is held in October, and B, whose override set back the rules’ September move', async () => {
    const body = await (await api.get('/v1/analytics/migration?scheme=retail-tier&from=2025-09&to=2025-10')).json();
    // 09 → 10: B held (its override undid the rules' move of 09), D down (override's end), G down
    // (rules), J held; C and I held too: at the level their override set in 09 and still in force, so
    // no stayers by the rules; A E H stayed.
    assert.deepEqual(body.totals, { both: 9, up: 0, down: 2, same: 3, unranked: 0, heldByOverride: 4, entered: 0 });
    assert.deepEqual(body.policy.totals, { up: 0, down: 1, same: 3, unranked: 0 });
    assert.equal(body.override.matrix[0][0], 1, 'I: standard → standard, held by its override: the overrides’ cell');
    assert.equal(body.override.matrix[1][1], 2, 'C and J: gold → gold, held by their overrides');
    assert.deepEqual(body.override.totals, { up: 0, down: 1, same: 0, unranked: 0 });
  });

  it('migration August → September: B, moved down by the rules and set back by an override in October, is held', async () => {
    const body = await (await api.get('/v1/analytics/migration?scheme=retail-tier&from=2025-08&to=2025-09')).json();
    // 08 → 09: A up (rules), B held; C and D up, I down (overrides); E G J stayed; H entered.
    assert.deepEqual(body.totals, { both: 8, up: 3, down: 1, same: 3, unranked: 0, heldByOverride: 1, entered: 1 });
    assert.deepEqual(body.policy.totals, { up: 1, down: 0, same: 3, unranked: 0 });
    assert.equal(body.policy.matrix[1][0], 1, 'B: gold → standard, the rules’ cell');
  });

  it('rates: a customer the rules moved and an override set back within the month is counted apart, in no rate', async () => {
    const res = await api.get('/v1/analytics/rates?scheme=retail-tier&from=2025-09&to=2025-10');
    assert.equal(res.status, 200);
    const body = await res.json();
    // 09 (base 8: all but H): A up (rules), B held (the rules moved it down, its override set it back
    // in 10); C and D up, I down (overrides); H entered.
    // 10 (base 9): D down (override's end); G down (rules); J held; B's override is no move of its own.
    assert.deepEqual(body.base, [8, 9]);
    assert.deepEqual(body.heldByOverride, [1, 1]);
    assert.deepEqual(body.upgrades, [3, 0]);
    assert.deepEqual(body.downgrades, [1, 2]);
    assert.deepEqual(body.policy.downgrades, [0, 1]);
    assert.deepEqual(body.override.upgrades, [2, 0]);
    assert.deepEqual(body.override.downgrades, [1, 1]);
    assert.deepEqual(body.entered, [1, 0]);
  });

  it('effect: a customer held by an override in the month of the move is counted apart, not among the stayers', async () => {
    const res = await api.get('/v1/analytics/effect?scheme=retail-tier&period=2025-10&direction=down&months=1');
    assert.equal(res.status, 200);
    const body = await res.json();
    // G moved down by the rules; D by its override's end; J and B held, and C and I (under an override
    // since September, still in force); A E H stayed.
    assert.deepEqual(body.cohorts, { moved: 1, stayed: 3, overrideMoved: 1, heldByOverride: 4 });
  });

  it('effect: a customer the rules moved down whose override set it back the month after is no mover', async () => {
    const body = await (await api.get('/v1/analytics/effect?scheme=retail-tier&period=2025-09&direction=down&months=1')).json();
    // 09: I down by its override; B held; A C D (up) and H (entered) in neither; E G J stayed.
    assert.deepEqual(body.cohorts, { moved: 0, stayed: 3, overrideMoved: 1, heldByOverride: 1 });
  });
});

/*
 * The same through the API, as a bank meets it: H1 held platinum on May's data, the rules downgraded it
 * to standard on October's (after months below), and an override back to platinum was approved on
 * 2025-11-15 (recorded in November, the month decided, one after the rules' move). Between September
 * and November it is at platinum in both months, held by the override: no stayer, and its cell is the
 * overrides'. Month by month it is held in October, the rules' month: no downgrade by the policy then,
 * and no upgrade by the override in November.
 */
forEachDialect('analytics: a customer an override set back after the rules’ downgrade, through the API', (f) => {
  const api = client(f, () => f.keys.roles.analyst);
  const as = (role: 'officer' | 'approver') => client(f, () => f.keys.roles[role]);
  before(async () => {
    const admin = client(f);
    await admin.customer('H1');
    assert.equal((await admin.balances('H1', [['2025-05', 900_000]])).status, 200);
    const below: [string, number][] = ['2025-06', '2025-07', '2025-08', '2025-09', '2025-10'].map((m) => [m, 0]);
    assert.equal((await admin.balances('H1', below)).status, 200);
    const res = await as('officer').post('/v1/subjects/H1/overrides', {
      scheme: 'retail-tier',
      level: 'platinum',
      mode: 'fixed',
      reason: 'VIP retention',
      expiresAt: null,
    });
    assert.equal(res.status, 201);
    const pending = (await res.json()) as { id: string; contentHash: string };
    assert.equal((await as('approver').post(`/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash })).status, 200);
  });

  it('migration September → November: held by an override, in the overrides’ matrix, not among the same', async () => {
    const body = await (await api.get('/v1/analytics/migration?scheme=retail-tier&from=2025-09&to=2025-11')).json();
    assert.deepEqual(body.totals, { both: 1, up: 0, down: 0, same: 0, unranked: 0, heldByOverride: 1, entered: 0 });
    assert.equal(body.override.matrix[2][2], 1, 'platinum → platinum, set by the override');
    assert.equal(body.policy.matrix[2][2], 0);
  });

  it('rates: held in October, the month the rules moved it, and no move of either cause', async () => {
    const rates = await (await api.get('/v1/analytics/rates?scheme=retail-tier&from=2025-10&to=2025-11')).json();
    assert.deepEqual(rates.heldByOverride, [1, 0]);
    assert.deepEqual(rates.policy.downgrades, [0, 0]);
    assert.deepEqual(rates.override.upgrades, [0, 0]);
    // Asked through October only, the month after is still read to see the override.
    const october = await (await api.get('/v1/analytics/rates?scheme=retail-tier&from=2025-10&to=2025-10')).json();
    assert.deepEqual(october.heldByOverride, [1]);
    assert.deepEqual(october.policy.downgrades, [0]);
  });

  it('effect of October’s downgrades: the customer is left out of the movers and counted held', async () => {
    const res = await api.get('/v1/analytics/effect?scheme=retail-tier&period=2025-10&direction=down&months=1');
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body.cohorts, { moved: 0, stayed: 0, overrideMoved: 0, heldByOverride: 1 });
  });

  it('migration September → October: held, not a downgrade', async () => {
    const body = await (await api.get('/v1/analytics/migration?scheme=retail-tier&from=2025-09&to=2025-10')).json();
    assert.deepEqual(body.totals, { both: 1, up: 0, down: 0, same: 0, unranked: 0, heldByOverride: 1, entered: 0 });
  });
});
