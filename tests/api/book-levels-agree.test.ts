import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { approvedOverride, fourEyesTenant, ok, START, type FourEyesTenant, type Who } from '../support/four-eyes-fixture.js';

interface BookLevels {
  books: { manager: string | null; counts: { level: string; count: number }[]; up: number; down: number; entered: number }[];
}

/**
 * A team lead's counts per book agree with the book's lists (packages/api/README.md, "Teams"): a
 * customer whose drop an override then held — gold → standard by the month's rule, standard → gold by
 * the approved override — never left gold, and was counted as one move down and one up. Each customer
 * now counts once, by where the month took them.
 */
forEachDialect('counts per book and the book’s lists agree', (f) => {
  let t: FourEyesTenant;
  let rm: Who;
  const month = (id: string, period: string, yuan: number) =>
    t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'avg_daily_balance', period, value: yuan * 100 }] });
  const book = async () => {
    const levels = await ok<BookLevels>(await t.req(rm, 'GET', '/v1/books/levels?scheme=retail-tier'));
    assert.equal(levels.books.length, 1);
    return levels.books[0] as BookLevels['books'][number];
  };
  const listed = async (level: string) =>
    (await ok<{ items: { id: string }[] }>(await t.req(rm, 'GET', `/v1/subjects?manager=me&scheme=retail-tier&level=${level}`))).items
      .map((s) => s.id)
      .sort();

  before(async () => {
    t = await fourEyesTenant(f, 'book-agree', START);
    await ok(await t.req('admin', 'PUT', '/v1/staff/RM1', { name: '王芳', role: 'officer', scope: 'book' }), 201);
    rm = { credential: (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'RM1', now: START })).token };
    for (const id of ['HELD', 'DROP']) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '陶怡' }), 201);
      await ok(await month(id, '2025-10', 400_000));
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager: 'RM1' }));
    }
  });

  it('a drop an override holds is no move; a drop is one; each level’s count is its list’s length', async () => {
    for (const id of ['HELD', 'DROP']) await ok(await month(id, '2025-10', 0));
    const dropped = await book();
    assert.deepEqual([dropped.down, dropped.up, dropped.entered], [2, 0, 2], 'both dropped');
    // The RM holds HELD at gold: the override is approved by the approver.
    await approvedOverride(t, 'HELD', { level: 'gold', mode: 'floor' });
    const held = await book();
    assert.deepEqual([held.down, held.up, held.entered], [1, 0, 2], JSON.stringify(held));
    for (const c of held.counts) assert.equal(c.count, (await listed(c.level)).length, c.level);
    assert.deepEqual(await listed('gold'), ['HELD']);
    assert.deepEqual(await listed('standard'), ['DROP']);
  });

  // Two first levels (from none) in one month cannot be stored: a first level is given once, and every
  // later evaluation of the month starts from the level shown. A first level then corrected is the nearest.
  it('a customer given a first level and then another within the month is entered once; the correction is a move of its own', async () => {
    const was = await book();
    await ok(await t.req('officer', 'PUT', '/v1/subjects/NEW', { kind: 'customer', displayName: '陶怡' }), 201);
    await ok(await t.req('officer', 'PUT', '/v1/subjects/NEW/manager', { manager: 'RM1' }));
    // Gold by the month's first figure, platinum once it is corrected: entered (at gold) and moved up, apart.
    await ok(await month('NEW', '2025-10', 50_000));
    await ok(await month('NEW', '2025-10', 400_000));
    const now = await book();
    assert.deepEqual([now.entered - was.entered, now.up - was.up, now.down - was.down], [1, 1, 0], JSON.stringify(now));
    for (const c of now.counts) assert.equal(c.count, (await listed(c.level)).length, c.level);
  });
});
