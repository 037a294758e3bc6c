import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, START, type FourEyesTenant, type Who } from '../support/four-eyes-fixture.js';

interface Page {
  items: {
    id: string;
    standing?: { periodsBelow: number; retention: { periodsBelow: number; periodsAllowed: number } | null } | null;
  }[];
}

const GRACE = '/v1/subjects?scheme=retail-tier&grace=true&sort=monthsLeft&levelOf=retail-tier';

/**
 * The grace list of a customer an override keeps (packages/api/README.md, "Staff and books"): an RM filed
 * a floor 白金卡 override for a customer in grace at 白金卡, their lead approved it, and the list still put
 * them first, "drops in December". A floor at the level held has no line to keep: they come last, with no
 * retention, from the approval on; revoked (or expired), they are back in grace with the periods left.
 */
forEachDialect('the grace list and overrides in force', (f) => {
  let t: FourEyesTenant;
  let rm: Who;
  const grace = async () =>
    (await ok<Page>(await t.req('viewer', 'GET', GRACE))).items.map((s) => [s.id, s.standing?.retention?.periodsBelow ?? null]);
  const month = (id: string, period: string, yuan: number) =>
    t.req('officer', 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'avg_daily_balance', period, value: yuan * 100 }] });

  before(async () => {
    t = await fourEyesTenant(f, 'grace-held', START);
    await ok(await t.req('admin', 'PUT', '/v1/staff/RM001', { name: '王芳', role: 'officer', scope: 'book' }), 201);
    // G1: platinum, one month below its line at 2025-10 (2 periods left); G2: two months below (1 left).
    for (const [id, below] of [
      ['G1', ['2025-10']],
      ['G2', ['2025-09', '2025-10']],
    ] as const) {
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: '陶怡' }), 201);
      for (const period of ['2025-06', '2025-07', '2025-08', '2025-09', '2025-10'])
        await ok(await month(id, period, (below as readonly string[]).includes(period) ? 0 : 400_000));
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}/manager`, { manager: 'RM001' }));
    }
    rm = { credential: (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'RM001', now: START })).token };
  });

  it('an approved floor at the level held puts the customer last, with no line to keep; a revocation puts them back', async () => {
    assert.deepEqual(await grace(), [
      ['G2', 2],
      ['G1', 1],
    ]);
    const filed = await ok<{ id: string; contentHash: string }>(
      await t.req(rm, 'POST', '/v1/subjects/G2/overrides', {
        scheme: 'retail-tier',
        level: 'platinum',
        mode: 'floor',
        reason: '挽留',
        expiresAt: '2026-05-01T00:00:00.000Z',
      }),
      201,
    );
    assert.deepEqual((await grace())[0], ['G2', 2], 'pending: nothing holds them yet');
    await ok(await t.req('approver', 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash }));
    assert.deepEqual(
      await grace(),
      [
        ['G1', 1],
        ['G2', null],
      ],
      'held by the floor: still in grace underneath (on the list), last, and no drop foretold',
    );
    const tiers = await ok<{ assignments: { scheme: string; level: string; periodsBelow: number }[] }>(
      await t.req('viewer', 'GET', '/v1/subjects/G2/tiers'),
    );
    assert.equal(tiers.assignments.find((a) => a.scheme === 'retail-tier')?.level, 'platinum');

    await ok(await t.req('approver2', 'POST', `/v1/overrides/${filed.id}/revoke`, { note: 'relationship ended' }));
    assert.deepEqual(await grace(), [
      ['G2', 2],
      ['G1', 1],
    ]);
  });

  it('a floor lapsing before the re-tier the grace runs out in stops no drop: the list still foretells it', async () => {
    // G1 is one month below at 2025-10: the December re-tier drops it. A floor until 20 November is gone by then.
    const short = await ok<{ id: string; contentHash: string }>(
      await t.req(rm, 'POST', '/v1/subjects/G1/overrides', {
        scheme: 'retail-tier',
        level: 'platinum',
        mode: 'floor',
        reason: '挽留',
        expiresAt: '2025-11-20T00:00:00.000Z',
      }),
      201,
    );
    await ok(await t.req('approver', 'POST', `/v1/overrides/${short.id}/approve`, { contentHash: short.contentHash }));
    assert.deepEqual(
      await grace(),
      [
        ['G2', 2],
        ['G1', 1],
      ],
      'the drop still comes: the list keeps its place and periods',
    );
    await ok(await t.req('approver2', 'POST', `/v1/overrides/${short.id}/revoke`, { note: 'too short' }));
  });

  it('a floor in force at that re-tier holds the customer; once it has expired and is settled, the grace count shows again', async () => {
    // The December re-tier evaluates the month ending 2025-12-31T16:00Z (Asia/Shanghai): in force until 1 January, it keeps them.
    const filed = await ok<{ id: string; contentHash: string }>(
      await t.req(rm, 'POST', '/v1/subjects/G1/overrides', {
        scheme: 'retail-tier',
        level: 'platinum',
        mode: 'floor',
        reason: '挽留',
        expiresAt: '2026-01-01T00:00:00.000Z',
      }),
      201,
    );
    await ok(await t.req('approver', 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash }));
    assert.deepEqual((await grace()).at(-1), ['G1', null]);
    t.setClock(new Date('2026-01-01T04:00:00.000Z'));
    // A read of the subject settles a lapsed override (packages/api/README.md, "Four eyes").
    await ok(await t.req('viewer', 'GET', '/v1/subjects/G1/tiers'));
    assert.deepEqual(await grace(), [
      ['G2', 2],
      ['G1', 1],
    ]);
    t.setClock(START);
  });
});
