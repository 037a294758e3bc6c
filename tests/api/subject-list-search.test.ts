import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';

interface Page {
  items: { id: string; displayName: string; level?: string | null }[];
  nextCursor: string | null;
}
interface AuditPage {
  items: { requestId: string; route: string; unmasked: boolean; status: number | null; detail: unknown }[];
}

/**
 * `GET /v1/subjects?name=`: a relationship manager finds a customer of their book by a part of their
 * name (packages/api/README.md, "Staff and books"). CJK and Latin alike; `%`, `_` and `\` are only
 * themselves, never wildcards; never a customer of another book; and, since a hit confirms a guessed
 * name, only for credentials that may unmask names, recorded in the audit trail as such a read.
 */
forEachDialect('finding customers: by name, with their level', (f) => {
  let rm = '';
  const ids = async (res: Response) => {
    const body = (await res.json()) as Page;
    assert.equal(res.status, 200, JSON.stringify(body));
    return body.items.map((s) => s.id);
  };

  before(async () => {
    const admin = client(f);
    for (const [id, name] of [
      ['N1', '王建国'],
      ['N2', '欧阳建华'],
      ['N3', '李100%达标'],
      ['N4', '李1000达标'],
      ['N5', 'Wang_Lei'],
      ['N6', 'WangXLei'],
      ['N7', 'Anna Back\\slash'],
      ['N8', '王建军'],
    ] as const)
      await admin.customer(id, name);
    assert.equal((await admin.put('/v1/staff/RMN', { name: 'RMN', role: 'officer', scope: 'book' })).status, 201);
    for (const id of ['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7'])
      assert.equal((await admin.put(`/v1/subjects/${id}/manager`, { manager: 'RMN' })).status, 200);
    rm = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'RMN', now: NOW })).token;
  });

  it('finds CJK names by any part, within the RM’s own book only', async () => {
    const mine = client(f, () => rm);
    assert.deepEqual(
      await ids(await mine.get(`/v1/subjects?name=${encodeURIComponent('建')}`)),
      ['N1', 'N2'],
      'N8 is in no book of theirs',
    );
    assert.deepEqual(await ids(await mine.get(`/v1/subjects?name=${encodeURIComponent('欧阳')}`)), ['N2']);
    assert.deepEqual(await ids(await mine.get(`/v1/subjects?name=${encodeURIComponent('王建军')}`)), []);
    // Tenant-wide staff search the whole tenant; the names answered stay masked.
    const all = (await (await client(f).get(`/v1/subjects?name=${encodeURIComponent('王建')}`)).json()) as Page;
    assert.deepEqual(
      all.items.map((s) => [s.id, s.displayName]),
      [
        ['N1', '王*国'],
        ['N8', '王*军'],
      ],
    );
  });

  it('reads `%`, `_` and `\\` as themselves, and Latin letters in either case', async () => {
    const mine = client(f, () => rm);
    const search = async (text: string) => ids(await mine.get(`/v1/subjects?name=${encodeURIComponent(text)}`));
    assert.deepEqual(await search('100%'), ['N3'], '`%` is no wildcard: 李1000达标 does not hold "100%"');
    assert.deepEqual(await search('%'), ['N3']);
    assert.deepEqual(await search('g_L'), ['N5'], '`_` is no wildcard: WangXLei does not hold "g_L"');
    assert.deepEqual(await search('wang'), ['N5', 'N6']);
    assert.deepEqual(await search('\\'), ['N7']);
    assert.deepEqual(await search('k\\s'), ['N7']);
    // With the id prefix and paging, both filters hold on every page.
    const first = (await (await mine.get(`/v1/subjects?name=${encodeURIComponent('李')}&limit=1`)).json()) as Page;
    assert.deepEqual(
      first.items.map((s) => s.id),
      ['N3'],
    );
    assert.deepEqual(await ids(await mine.get(`/v1/subjects?name=${encodeURIComponent('李')}&limit=1&cursor=${first.nextCursor}`)), ['N4']);
    assert.deepEqual(await ids(await mine.get(`/v1/subjects?name=${encodeURIComponent('达标')}&q=N4`)), ['N4']);
  });

  it('needs the unmask-names permission, and is recorded as a read that tested names in full', async () => {
    const viewer = client(f, () => f.keys.roles.viewer);
    assert.equal((await viewer.get(`/v1/subjects?name=${encodeURIComponent('王')}`)).status, 403);
    for (const bad of ['', '%20%20', 'x'.repeat(65)])
      assert.equal((await client(f).get(`/v1/subjects?name=${bad}`)).status, 400, JSON.stringify(bad));

    const res = await f.app.request(`/v1/subjects?name=${encodeURIComponent('王')}`, {
      headers: { Authorization: `Bearer ${f.keys.roles.officer}`, 'X-Request-Id': 'req-name-search' },
    });
    assert.equal(res.status, 200);
    const audit = (await (await client(f).get('/v1/audit?limit=100')).json()) as AuditPage;
    const records = audit.items.filter((r) => r.requestId === 'req-name-search');
    assert.deepEqual(
      records.map((r) => [r.route, r.unmasked, r.status, r.detail]),
      // Whose names the hits confirmed, too: the page's ids and how many.
      [['/v1/subjects', true, 200, { name: '王', subjects: ['N1', 'N8'], count: 2 }]],
      'the record says which name was tested, which the route and status cannot',
    );
  });

  it('`levelOf` gives each subject of the page its level in one scheme, null where it has none', async () => {
    const admin = client(f);
    await admin.balances(
      'N1',
      ['2025-08', '2025-09', '2025-10'].map((p) => [p, 50_000] as [string, number]),
    );
    const mine = client(f, () => rm);
    const page = (await (await mine.get('/v1/subjects?levelOf=retail-tier&limit=3')).json()) as Page;
    assert.deepEqual(
      page.items.map((s) => [s.id, s.level]),
      [
        ['N1', 'gold'],
        ['N2', null],
        ['N3', null],
      ],
    );
    const without = (await (await mine.get('/v1/subjects?limit=1')).json()) as Page;
    assert.equal(without.items[0]?.level, undefined, 'not asked, not sent');
    const res = await mine.get('/v1/subjects?levelOf=no-such-scheme');
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { errors: { code: string }[] }).errors[0]?.code, 'unknown_scheme');
  });
});
