import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';

interface Standing {
  previousLevel: string | null;
  period: string;
  periodsBelow: number;
  decidedBy: { kind: string; id: string };
  progress: { toLevel: string; paths: { gap: number }[]; nearest: number } | null;
  retention: { toLevel: string; lines: { gap: number }[]; periodsBelow: number; periodsAllowed: number } | null;
}
interface Page {
  items: { id: string; level?: string | null; standing?: Standing | null }[];
  nextCursor: string | null;
}
interface Problem {
  type: string;
  errors?: { path: string; code: string }[];
}

const months = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `2025-${String(from + i).padStart(2, '0')}`);

/**
 * A relationship manager's Monday call lists and month-end changes (`GET /v1/subjects?change=` and
 * `?grace=`, packages/api/README.md, "Staff and books"): who moved down or up at the scheme's latest
 * re-tier — not at an earlier one —, who is in a grace period, each with where they stand
 * (`levelOf`); a book-scoped credential sees its own book only; a filter without its scheme is refused.
 */
forEachDialect('call lists: moved at the latest re-tier, in grace', (f) => {
  const admin = client(f);
  let rm = '';
  const page = async (res: Response) => {
    const body = (await res.clone().json()) as Page;
    assert.equal(res.status, 200, JSON.stringify(body));
    return body;
  };
  const ids = async (res: Response) => (await page(res)).items.map((s) => s.id);
  // One month at a time, as a month-end re-tier evaluates them.
  const history = async (id: string, entries: readonly [string, number][]) => {
    for (const e of entries) {
      const res = await admin.balances(id, [e]);
      assert.equal(res.status, 200, await res.text());
    }
  };

  before(async () => {
    for (const id of ['D1', 'D2', 'U1', 'G1', 'S1', 'O1']) await admin.customer(id, '陶怡');
    // D1, D2: platinum, then three months below the line: downgraded at 2025-09, the latest month.
    for (const id of ['D1', 'D2'])
      await history(id, [
        ...months(4, 6).map((p) => [p, 400_000] as [string, number]),
        ...months(7, 9).map((p) => [p, 0] as [string, number]),
      ]);
    // U1: nothing, then enough for a higher level at 2025-09.
    await history('U1', [...months(4, 8).map((p) => [p, 0] as [string, number]), ['2025-09', 1_500_000]]);
    // G1: platinum, one month below at 2025-09: in grace, kept.
    await history('G1', [...months(4, 8).map((p) => [p, 400_000] as [string, number]), ['2025-09', 0]]);
    // S1: gold all along.
    await history(
      'S1',
      months(4, 9).map((p) => [p, 50_000] as [string, number]),
    );
    // O1: moved up at 2025-08, not evaluated since: not a change of the latest re-tier.
    await history('O1', [...months(4, 7).map((p) => [p, 0] as [string, number]), ['2025-08', 1_500_000]]);
    assert.equal((await admin.put('/v1/staff/RMC', { name: '王芳', role: 'officer', scope: 'book' })).status, 201);
    for (const id of ['D1', 'U1', 'G1', 'S1', 'O1'])
      assert.equal((await admin.put(`/v1/subjects/${id}/manager`, { manager: 'RMC' })).status, 200);
    rm = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'RMC', now: NOW })).token;
  });

  it('lists who moved down or up at the latest re-tier, with from and to and the rule that decided', async () => {
    assert.deepEqual(await ids(await admin.get('/v1/subjects?scheme=retail-tier&change=down')), ['D1', 'D2']);
    assert.deepEqual(await ids(await admin.get('/v1/subjects?scheme=retail-tier&change=up')), ['U1'], 'O1 moved at an earlier re-tier');
    assert.deepEqual(await ids(await admin.get('/v1/subjects?scheme=retail-tier&change=any')), ['D1', 'D2', 'U1']);
    const down = await page(await admin.get('/v1/subjects?scheme=retail-tier&change=down&levelOf=retail-tier&limit=1'));
    const d1 = down.items[0];
    assert.equal(d1?.id, 'D1');
    assert.equal(d1?.standing?.previousLevel, 'platinum');
    assert.notEqual(d1?.level, 'platinum');
    assert.equal(d1?.standing?.period, '2025-09');
    assert.ok(d1?.standing?.decidedBy.id, 'the rule that decided the new level');
    assert.deepEqual(await ids(await admin.get(`/v1/subjects?scheme=retail-tier&change=down&cursor=${down.nextCursor}`)), ['D2']);
    // With a level of the scheme, both hold.
    assert.deepEqual(await ids(await admin.get(`/v1/subjects?scheme=retail-tier&change=down&level=${d1?.level}`)), ['D1', 'D2']);
    assert.deepEqual(await ids(await admin.get('/v1/subjects?scheme=retail-tier&change=down&level=platinum')), []);
  });

  it('lists who is in a grace period, with the line that keeps their level and the periods left', async () => {
    const grace = await page(await admin.get('/v1/subjects?scheme=retail-tier&grace=true&levelOf=retail-tier'));
    assert.deepEqual(
      grace.items.map((s) => s.id),
      ['G1'],
    );
    const g1 = grace.items[0]?.standing;
    assert.equal(grace.items[0]?.level, 'platinum');
    assert.equal(g1?.periodsBelow, 1);
    assert.equal(g1?.retention?.periodsBelow, 1);
    assert.ok((g1?.retention?.periodsAllowed ?? 0) > 1);
    assert.ok((g1?.retention?.lines[0]?.gap ?? 0) > 0, 'what keeps platinum');
  });

  it('a book-scoped RM gets her own book only, whatever she asks', async () => {
    const mine = client(f, () => rm);
    assert.deepEqual(await ids(await mine.get('/v1/subjects?scheme=retail-tier&change=down')), ['D1'], 'D2 is in no book of hers');
    assert.deepEqual(await ids(await mine.get('/v1/subjects?scheme=retail-tier&change=any')), ['D1', 'U1']);
    assert.deepEqual(await ids(await mine.get('/v1/subjects?scheme=retail-tier&grace=true')), ['G1']);
    assert.equal((await mine.get('/v1/subjects?scheme=retail-tier&change=down&manager=RMX')).status, 403);
  });

  it('finds an id by any part of it within a book, and only within one', async () => {
    const mine = client(f, () => rm);
    assert.deepEqual(await ids(await mine.get('/v1/subjects?idContains=1')), ['D1', 'G1', 'O1', 'S1', 'U1']);
    assert.deepEqual(await ids(await mine.get('/v1/subjects?idContains=G')), ['G1'], 'not a prefix only');
    assert.deepEqual(await ids(await mine.get('/v1/subjects?idContains=2')), [], 'D2 is in no book of hers');
    assert.deepEqual(await ids(await mine.get('/v1/subjects?idContains=%25')), [], '`%` is no wildcard');
    assert.deepEqual(await ids(await admin.get('/v1/subjects?idContains=1&manager=RMC&scheme=retail-tier&grace=true')), ['G1']);
    const res = await admin.get('/v1/subjects?idContains=1');
    assert.equal(res.status, 400);
    assert.deepEqual(
      ((await res.json()) as Problem).errors?.map((e) => [e.path, e.code]),
      [['query.idContains', 'requires']],
    );
  });

  it('refuses a filter without its scheme, an unknown scheme or value, and changes nothing', async () => {
    for (const [path, field, code] of [
      ['/v1/subjects?change=down', 'query.change', 'requires'],
      ['/v1/subjects?grace=true', 'query.grace', 'requires'],
      ['/v1/subjects?scheme=nope&change=down', 'query.scheme', 'unknown_scheme'],
    ] as const) {
      const res = await admin.get(path);
      assert.equal(res.status, 400, path);
      const body = (await res.json()) as Problem;
      assert.match(body.type, /validation$/);
      assert.deepEqual(
        body.errors?.map((e) => [e.path, e.code]),
        [[field, code]],
        path,
      );
    }
    for (const path of ['/v1/subjects?scheme=retail-tier&change=sideways', '/v1/subjects?scheme=retail-tier&grace=yes'])
      assert.equal((await admin.get(path)).status, 400, path);
  });
});
