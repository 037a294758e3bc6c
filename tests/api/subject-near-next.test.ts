import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';

interface Page {
  items: { id: string; standing?: { progress: { paths: { unit: string; gap: number }[] } | null } | null }[];
  nextCursor: string | null;
}
interface Problem {
  type: string;
  errors?: { path: string; code: string }[];
}

/** The same balance (yuan) for each month of `months`. */
const flat = (yuan: number, ...months: string[]) => months.map((p) => [p, yuan] as [string, number]);
const Q3 = ['2025-08', '2025-09', '2025-10'];

/**
 * The relationship manager's 潜力客户 list (`GET /v1/subjects?nearNext=`, packages/api/README.md, "Staff
 * and books") and the grace list by months left. retail-tier's levels want a 3-month average daily
 * balance of ¥50,000 (gold), ¥300,000 (platinum), ¥1,500,000 (diamond), or household income four times
 * that; nobody here declares income, so each gap is the balance's, by hand:
 * N1 ¥40,000 → gold, ¥10,000 short; N2 ¥280,000 → platinum, ¥20,000; N3 ¥260,000 → ¥40,000;
 * N6 ¥0 → gold, ¥50,000 (the bound itself); N4 ¥200,000 → ¥100,000; N5 ¥1,600,000 is at the top.
 */
forEachDialect('the 潜力客户 list and the grace list by months left', (f) => {
  const admin = client(f);
  let rm = '';
  const page = async (res: Response) => {
    const body = (await res.clone().json()) as Page;
    assert.equal(res.status, 200, JSON.stringify(body));
    return body;
  };
  const ids = async (res: Response) => (await page(res)).items.map((s) => s.id);
  const history = async (c: ReturnType<typeof client>, id: string, entries: readonly [string, number][]) => {
    await c.customer(id, '陶怡');
    // One month at a time, as a month-end re-tier evaluates them.
    for (const e of entries) assert.equal((await c.balances(id, [e])).status, 200);
  };
  const near = '/v1/subjects?scheme=retail-tier&nearNext=5000000&currency=CNY';

  before(async () => {
    for (const [id, yuan] of [
      ['N1', 40_000],
      ['N2', 280_000],
      ['N3', 260_000],
      ['N4', 200_000],
      ['N5', 1_600_000],
      ['N6', 0],
    ] as const)
      await history(admin, id, flat(yuan, ...Q3));
    // G1: platinum, one month below its line (¥266,666 on average at 2025-10): 2 of 3 periods left.
    await history(admin, 'G1', [...flat(400_000, '2025-06', '2025-07', '2025-08', '2025-09'), ['2025-10', 0]]);
    // G2: platinum, two months below: 1 left.
    await history(admin, 'G2', [...flat(400_000, '2025-06', '2025-07', '2025-08'), ...flat(0, '2025-09', '2025-10')]);
    // Another bank's customer ¥5,000 short of gold: on no list of bank-a's.
    await history(client(f, 'b'), 'N7', flat(45_000, ...Q3));
    assert.equal((await admin.put('/v1/staff/RMN', { name: '王芳', role: 'officer', scope: 'book' })).status, 201);
    for (const id of ['N1', 'N3', 'N4', 'G1'])
      assert.equal((await admin.put(`/v1/subjects/${id}/manager`, { manager: 'RMN' })).status, 200);
    rm = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'RMN', now: NOW })).token;
  });

  it('lists who is within the amount of the next level, nearest first, the bound included', async () => {
    assert.deepEqual(await ids(await admin.get(`${near}&sort=gap`)), ['N1', 'N2', 'N3', 'N6']);
    assert.deepEqual(await ids(await admin.get(near)), ['N1', 'N2', 'N3', 'N6'], 'external-id order without a sort');
    assert.deepEqual(await ids(await admin.get('/v1/subjects?scheme=retail-tier&nearNext=1999999&currency=CNY&sort=gap')), ['N1']);
    // The whole scheme by gap: N4 after N6; the top level and those in grace far from diamond by their gaps.
    const all = await ids(await admin.get('/v1/subjects?scheme=retail-tier&sort=gap&limit=100'));
    assert.deepEqual(all.slice(0, 5), ['N1', 'N2', 'N3', 'N6', 'N4']);
    assert.ok(!all.includes('N5'), 'at the top level: no next one');
    // The gap the list sorted by is the one the standing shows.
    const withStanding = await page(await admin.get(`${near}&sort=gap&levelOf=retail-tier`));
    const gaps = withStanding.items.map((s) =>
      Math.min(...(s.standing?.progress?.paths.filter((p) => p.unit === 'money').map((p) => p.gap) ?? [])),
    );
    assert.deepEqual(gaps, [1_000_000, 2_000_000, 4_000_000, 5_000_000]);
  });

  it('pages by gap with a cursor of its own', async () => {
    const first = await page(await admin.get(`${near}&sort=gap&limit=2`));
    assert.deepEqual(
      first.items.map((s) => s.id),
      ['N1', 'N2'],
    );
    assert.ok(first.nextCursor);
    assert.deepEqual(await ids(await admin.get(`${near}&sort=gap&limit=2&cursor=${first.nextCursor}`)), ['N3', 'N6']);
    // Replayed against another order, it is refused.
    assert.equal((await admin.get(`${near}&cursor=${first.nextCursor}`)).status, 400);
    assert.equal((await admin.get(`/v1/subjects?scheme=retail-tier&grace=true&sort=monthsLeft&cursor=${first.nextCursor}`)).status, 400);
  });

  it('sorts the grace list by the periods left, fewest first', async () => {
    assert.deepEqual(await ids(await admin.get('/v1/subjects?scheme=retail-tier&grace=true&sort=monthsLeft')), ['G2', 'G1']);
    assert.deepEqual(await ids(await admin.get('/v1/subjects?scheme=retail-tier&grace=true')), ['G1', 'G2']);
    const first = await page(await admin.get('/v1/subjects?scheme=retail-tier&grace=true&sort=monthsLeft&limit=1'));
    assert.deepEqual(
      await ids(await admin.get(`/v1/subjects?scheme=retail-tier&grace=true&sort=monthsLeft&limit=1&cursor=${first.nextCursor}`)),
      ['G1'],
    );
  });

  it('a book-scoped RM gets her own book only; another bank its own customers', async () => {
    const mine = client(f, () => rm);
    assert.deepEqual(await ids(await mine.get(`${near}&sort=gap`)), ['N1', 'N3']);
    assert.deepEqual(await ids(await mine.get(near)), ['N1', 'N3']);
    assert.deepEqual(await ids(await mine.get('/v1/subjects?scheme=retail-tier&grace=true&sort=monthsLeft')), ['G1']);
    assert.deepEqual(await ids(await admin.get(`${near}&sort=gap&manager=RMN`)), ['N1', 'N3']);
    assert.deepEqual(await ids(await client(f, 'b').get(`${near}&sort=gap`)), ['N7']);
  });

  it('refuses an amount without its scheme or currency, in another currency, or on a scheme with no money, and changes nothing', async () => {
    for (const [path, field, code] of [
      ['/v1/subjects?nearNext=5000000&currency=CNY', 'query.nearNext', 'requires'],
      ['/v1/subjects?sort=gap', 'query.sort', 'requires'],
      ['/v1/subjects?scheme=retail-tier&nearNext=5000000', 'query.currency', 'requires'],
      ['/v1/subjects?scheme=retail-tier&currency=CNY', 'query.currency', 'requires'],
      ['/v1/subjects?scheme=retail-tier&nearNext=5000000&currency=USD', 'query.currency', 'currency_mismatch'],
      ['/v1/subjects?scheme=aml-test&nearNext=5000000&currency=CNY', 'query.nearNext', 'no_money_gap'],
      ['/v1/subjects?scheme=retail-tier&sort=monthsLeft', 'query.sort', 'requires'],
    ] as const) {
      const res = await admin.get(path);
      assert.equal(res.status, 400, path);
      const body = (await res.json()) as Problem;
      assert.match(body.type, /validation$/, path);
      assert.deepEqual(
        body.errors?.map((e) => [e.path, e.code]),
        [[field, code]],
        path,
      );
    }
    for (const path of [
      `${near.replace('5000000', '-1')}`,
      `${near.replace('5000000', '50000.5')}`,
      `${near.replace('5000000', '1e9')}`,
      `${near.replace('CNY', 'cny')}`,
      '/v1/subjects?scheme=retail-tier&sort=name',
    ])
      assert.equal((await admin.get(path)).status, 400, path);
    assert.deepEqual(await ids(await admin.get(`${near}&sort=gap`)), ['N1', 'N2', 'N3', 'N6']);
  });
});
