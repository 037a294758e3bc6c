import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, mintEmbedToken, mintStaffToken } from '@tierkit/api';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';
import { writeBook, type BookEvent } from '../support/history-book.js';
import { expectProblems, problem } from '../support/problems.js';

/*
 * Distribution, migration and rates on a book small enough to work out by hand. Every expected
 * number below was counted from this table, month by month, not computed by any code:
 *
 *        2025-01   02              03                   04            05            (06, 07)
 *   S1   standard                  → gold
 *   S2   gold                                           → standard
 *   S3             standard→gold                                      → platinum
 *                  (both in 02: the later one counts)
 *   S4                             platinum
 *   S5   standard                  → gold → standard (both in 03: standard stays)
 *   S6                                                                              (07: gold)
 *   S9             legacy (a level the scheme no longer has)  → gold
 *   S8   an event without a month (ignored); S7 an event of another scheme (not counted)
 */
const BOOK: BookEvent[] = [
  { subject: 'S1', period: '2025-01', from: null, to: 'standard' },
  { subject: 'S1', period: '2025-03', from: 'standard', to: 'gold' },
  { subject: 'S2', period: '2025-01', from: null, to: 'gold' },
  { subject: 'S2', period: '2025-04', from: 'gold', to: 'standard' },
  { subject: 'S3', period: '2025-02', from: null, to: 'standard' },
  { subject: 'S3', period: '2025-02', from: 'standard', to: 'gold' },
  { subject: 'S3', period: '2025-05', from: 'gold', to: 'platinum' },
  { subject: 'S4', period: '2025-03', from: null, to: 'platinum' },
  { subject: 'S5', period: '2025-01', from: null, to: 'standard' },
  { subject: 'S5', period: '2025-03', from: 'standard', to: 'gold' },
  { subject: 'S5', period: '2025-03', from: 'gold', to: 'standard' },
  { subject: 'S6', period: '2025-07', from: null, to: 'gold' },
  { subject: 'S9', period: '2025-02', from: null, to: 'legacy' },
  { subject: 'S9', period: '2025-04', from: 'legacy', to: 'gold' },
  { subject: 'S8', period: null, from: null, to: 'diamond' },
  { subject: 'S7', period: '2025-01', from: null, to: 'high', scheme: 'aml-test' },
];

const ROUTES = [
  '/v1/analytics/distribution?scheme=retail-tier&from=2025-01&to=2025-06',
  '/v1/analytics/migration?scheme=retail-tier&from=2025-01&to=2025-06',
  '/v1/analytics/rates?scheme=retail-tier&from=2025-01&to=2025-06',
  '/v1/analytics/effect?scheme=retail-tier&period=2025-03&direction=up',
  '/v1/analytics/metrics',
  '/v1/analytics/metrics?scheme=retail-tier',
];

forEachDialect('analytics: distribution, migration and rates from the tier history', (f) => {
  const api = client(f, () => f.keys.roles.analyst);
  before(async () => {
    await writeBook(f.db.db, 'bank-a', { events: BOOK });
    // Another bank's history, in the same months: never part of bank-a's answers.
    await writeBook(f.db.db, 'bank-b', {
      events: [
        { subject: 'S1', period: '2025-01', from: null, to: 'diamond' },
        { subject: 'B2', period: '2025-02', from: null, to: 'diamond' },
      ],
    });
  });

  it('distribution: each month counts every subject at its last level so far, months without an event included', async () => {
    const res = await api.get('/v1/analytics/distribution?scheme=retail-tier&from=2025-01&to=2025-06');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      scheme: 'retail-tier',
      periods: ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06'],
      evaluated: [true, true, true, true, true, true],
      evaluatedThrough: '2025-07',
      // Evaluated, and the month after each is over (the fixture lives on 2025-11-15): final.
      final: [true, true, true, true, true, true],
      finalThrough: '2025-07',
      levels: ['standard', 'gold', 'platinum', 'diamond', 'legacy'],
      series: [
        { level: 'standard', counts: [2, 2, 1, 2, 2, 2] },
        { level: 'gold', counts: [1, 2, 3, 3, 2, 2] },
        { level: 'platinum', counts: [0, 0, 1, 1, 2, 2] },
        { level: 'diamond', counts: [0, 0, 0, 0, 0, 0] },
        { level: 'legacy', counts: [0, 1, 1, 0, 0, 0] },
      ],
      totals: [3, 5, 6, 6, 6, 6],
      // The version the tenant came with judged every month: an export names it per month.
      versions: [1, 1, 1, 1, 1, 1],
    });
  });

  it('distribution: a range that starts after the first events counts the levels held from before it', async () => {
    const body = await (await api.get('/v1/analytics/distribution?scheme=retail-tier&from=2025-04&to=2025-05')).json();
    assert.deepEqual(body.series, [
      { level: 'standard', counts: [2, 2] },
      { level: 'gold', counts: [3, 2] },
      { level: 'platinum', counts: [1, 2] },
      { level: 'diamond', counts: [0, 0] },
    ]);
    assert.deepEqual(body.totals, [6, 6]);
    const empty = await (await api.get('/v1/analytics/distribution?scheme=retail-tier&from=2024-01&to=2024-02')).json();
    assert.deepEqual(empty.totals, [0, 0], 'nobody is tiered before their first event');
  });

  it('migration: the from × to matrix, with subjects first tiered in between kept apart', async () => {
    const res = await api.get('/v1/analytics/migration?scheme=retail-tier&from=2025-01&to=2025-06');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      scheme: 'retail-tier',
      from: '2025-01',
      to: '2025-06',
      evaluated: true,
      evaluatedThrough: '2025-07',
      final: true,
      finalThrough: '2025-07',
      levels: ['standard', 'gold', 'platinum', 'diamond'],
      matrix: [
        [1, 1, 0, 0],
        [1, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ],
      entered: [0, 1, 2, 0],
      totals: { both: 3, up: 1, down: 1, same: 1, unranked: 0, heldByOverride: 0, entered: 3 },
      // Every move of this book is the rules'.
      policy: {
        matrix: [
          [1, 1, 0, 0],
          [1, 0, 0, 0],
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ],
        totals: { up: 1, down: 1, same: 1, unranked: 0 },
      },
      override: { matrix: [0, 1, 2, 3].map(() => [0, 0, 0, 0]), totals: { up: 0, down: 0, same: 0, unranked: 0 } },
    });
  });

  it('migration: a level the scheme no longer has is a row of its own and neither up nor down', async () => {
    const body = await (await api.get('/v1/analytics/migration?scheme=retail-tier&from=2025-03&to=2025-04')).json();
    assert.deepEqual(body.levels, ['standard', 'gold', 'platinum', 'diamond', 'legacy']);
    assert.deepEqual(body.matrix, [
      [1, 0, 0, 0, 0],
      [1, 2, 0, 0, 0],
      [0, 0, 1, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 1, 0, 0, 0],
    ]);
    assert.deepEqual(body.totals, { both: 6, up: 0, down: 1, same: 4, unranked: 1, heldByOverride: 0, entered: 0 });
    const same = await (await api.get('/v1/analytics/migration?scheme=retail-tier&from=2025-03&to=2025-03')).json();
    assert.deepEqual(same.totals, { both: 6, up: 0, down: 0, same: 6, unranked: 0, heldByOverride: 0, entered: 0 });
  });

  it('rates: upgrades and downgrades over the subjects tiered the month before, with both counts', async () => {
    const res = await api.get('/v1/analytics/rates?scheme=retail-tier&from=2025-01&to=2025-06');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      scheme: 'retail-tier',
      periods: ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06'],
      evaluated: [true, true, true, true, true, true],
      evaluatedThrough: '2025-07',
      // Evaluated, and the month after each is over (the fixture lives on 2025-11-15): final.
      final: [true, true, true, true, true, true],
      versions: [1, 1, 1, 1, 1, 1],
      finalThrough: '2025-07',
      base: [0, 3, 5, 6, 6, 6],
      upgrades: [0, 0, 1, 0, 1, 0],
      downgrades: [0, 0, 0, 1, 0, 0],
      unranked: [0, 0, 0, 1, 0, 0],
      entered: [3, 2, 1, 0, 0, 0],
      heldByOverride: [0, 0, 0, 0, 0, 0],
      upgradeRate: [null, 0, 0.2, 0, 0.1667, 0],
      downgradeRate: [null, 0, 0, 0.1667, 0, 0],
      policy: {
        upgrades: [0, 0, 1, 0, 1, 0],
        downgrades: [0, 0, 0, 1, 0, 0],
        upgradeRate: [null, 0, 0.2, 0, 0.1667, 0],
        downgradeRate: [null, 0, 0, 0.1667, 0, 0],
      },
      override: {
        upgrades: [0, 0, 0, 0, 0, 0],
        downgrades: [0, 0, 0, 0, 0, 0],
        upgradeRate: [null, 0, 0, 0, 0, 0],
        downgradeRate: [null, 0, 0, 0, 0, 0],
      },
    });
  });

  it('a staff scheme is there for staff: its own history, nothing of the customer scheme', async () => {
    const body = await (await api.get('/v1/analytics/distribution?scheme=aml-test&from=2025-01&to=2025-01')).json();
    assert.deepEqual(body.series, [
      { level: 'low', counts: [0] },
      { level: 'high', counts: [1] },
    ]);
  });

  it('each bank sees its own book only', async () => {
    const b = client(f, 'b');
    const body = await (await b.get('/v1/analytics/distribution?scheme=retail-tier&from=2025-01&to=2025-02')).json();
    assert.deepEqual(body.totals, [1, 2]);
    assert.deepEqual(body.series.find((s: { level: string }) => s.level === 'diamond').counts, [1, 2]);
    const migration = await (await b.get('/v1/analytics/migration?scheme=retail-tier&from=2025-01&to=2025-06')).json();
    assert.deepEqual(migration.totals, { both: 1, up: 0, down: 0, same: 1, unranked: 0, heldByOverride: 0, entered: 1 });
  });

  it('tenant-wide staff read, by key and staff session alike (one person, one set of rights); customers may not', async () => {
    for (const role of ['viewer', 'analyst', 'officer', 'approver', 'admin'] as const) {
      for (const path of ROUTES) assert.equal((await client(f, () => f.keys.roles[role]).get(path)).status, 200, `${role} ${path}`);
    }
    const { token: staff } = await mintStaffToken(f.db.db, { tenantId: 'bank-a', ttlSeconds: 600, now: NOW });
    for (const path of ROUTES) assert.equal((await client(f, () => staff).get(path)).status, 200, `staff token ${path}`);
    const { token: embed } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'S1', ttlSeconds: 600, now: NOW });
    for (const path of [...ROUTES, ROUTES[0]?.replace('retail-tier', 'aml-test') ?? '']) {
      const p = await problem(await client(f, () => embed).get(path), 403);
      assert.doesNotMatch(JSON.stringify(p), /standard|gold|aml/);
    }
    await problem(await client(f, () => undefined).get(ROUTES[0] ?? ''), 401);
  });

  it("a relationship manager's book-scoped credentials read their own book's figures, never the bank's", async () => {
    // Analytics count every customer a credential reaches; an RM's key or session reaches their book only
    // (docs/permissions.md). Effect evaluation and the metric catalogue need the whole bank: refused.
    assert.ok([200, 201].includes((await client(f).put('/v1/staff/RM1', { name: 'RM1', role: 'officer', scope: 'book' })).status));
    assert.equal((await client(f, () => f.keys.roles.officer).put('/v1/subjects/S1/manager', { manager: 'RM1' })).status, 200);
    const { secret: rmKey } = await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'officer', label: 'RM1', staffId: 'RM1', now: NOW });
    const { token: rmSession } = await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'RM1', ttlSeconds: 600, now: NOW });
    for (const credential of [rmKey, rmSession]) {
      const rm = client(f, () => credential);
      // S1 alone, counted from the table above: standard in 01–02, gold from 03.
      const dist = await (await rm.get(ROUTES[0] as string)).json();
      assert.deepEqual(dist.totals, [1, 1, 1, 1, 1, 1]);
      assert.deepEqual(
        dist.series.filter((s: { counts: number[] }) => s.counts.some((n) => n > 0)),
        [
          { level: 'standard', counts: [1, 1, 0, 0, 0, 0] },
          { level: 'gold', counts: [0, 0, 1, 1, 1, 1] },
        ],
      );
      for (const path of ROUTES.slice(1, 3)) assert.equal((await rm.get(path)).status, 200, path);
      for (const path of ROUTES.slice(3)) await problem(await rm.get(path), 403);
    }
  });

  it('bad input is a 400 or 404 problem that names the field', async () => {
    const bad: [string, number, string?][] = [
      ['/v1/analytics/distribution?scheme=nope&from=2025-01&to=2025-02', 404],
      ['/v1/analytics/migration?scheme=nope&from=2025-01&to=2025-02', 404],
      ['/v1/analytics/distribution?scheme=retail-tier&from=2025-13&to=2025-02', 400, 'query.from'],
      ['/v1/analytics/distribution?scheme=retail-tier&from=2025-1&to=2025-02', 400, 'query.from'],
      ['/v1/analytics/distribution?scheme=retail-tier&from=1999-12&to=2025-02', 400, 'query.from'],
      ['/v1/analytics/rates?scheme=retail-tier&from=2025-01&to=2025-02-01', 400, 'query.to'],
      ['/v1/analytics/rates?scheme=retail-tier&from=2025-01', 400, 'query.to'],
      ['/v1/analytics/distribution?scheme=retail-tier&from=2025-03&to=2025-02', 400, 'query.to'],
      ['/v1/analytics/migration?scheme=retail-tier&from=2025-03&to=2025-02', 400, 'query.to'],
      ['/v1/analytics/rates?scheme=retail-tier&from=2015-01&to=2025-01', 400, 'query.to'],
      ['/v1/analytics/distribution?from=2025-01&to=2025-02', 400, 'query.scheme'],
      // The fixture lives in 2025-11 (Shanghai): later months have no history to count yet.
      ['/v1/analytics/distribution?scheme=retail-tier&from=2025-10&to=2025-12', 400, 'query.to'],
      ['/v1/analytics/rates?scheme=retail-tier&from=2025-12&to=2026-01', 400, 'query.to'],
      ['/v1/analytics/migration?scheme=retail-tier&from=2025-01&to=2999-12', 400, 'query.to'],
    ];
    await expectProblems(api.get, bad);
    // Ten years is the widest range allowed.
    assert.equal((await api.get('/v1/analytics/rates?scheme=retail-tier&from=2015-02&to=2025-01')).status, 200);
    // In the words of every other refusal of a month to come, which the console translates.
    const future = await problem(await api.get('/v1/analytics/rates?scheme=retail-tier&from=2025-12&to=2026-01'), 400);
    assert.deepEqual(
      future.errors?.map((e) => [e.path, e.message]),
      [['query.to', '2026-01 has not begun yet (current month 2025-11)']],
    );
    // The current month is the last one that may be asked for.
    assert.equal((await api.get('/v1/analytics/rates?scheme=retail-tier&from=2025-10&to=2025-11')).status, 200);
  });
});
