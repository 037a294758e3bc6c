import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { provisionTenant } from '@tierkit/api';
import { findSubjectByExternalId, insertSubjects, setSubjectClosed, type Db } from '@tierkit/db';
import { seedDemo, seedDemoStaff } from '@tierkit/ops';
import { openDatabase, serverApp } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-demo-tokens-'));
const ORIGIN = 'http://localhost:8787';
let db: Db;

before(async () => {
  db = await openDatabase(join(dir, 'demo.db'));
  await seedDemo(db.db, { tenantId: 'demo', customers: 20, corporates: 2, products: 2, employees: 2, endPeriod: '2025-10' });
  await seedDemoStaff(db.db, 'demo', '2025-11-01T00:00:00.000Z');
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the demo server stands in for the bank’s backend', () => {
  const app = () => serverApp(db, { tenant: 'demo', corsOrigins: undefined, demoTokens: true });
  const get = (path: string, headers: Record<string, string> = {}) => app().request(ORIGIN + path, { headers });
  const token = async (path: string) => {
    const res = await get(path);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('Cache-Control'), 'no-store');
    const body = (await res.json()) as { token: string; expiresAt: string };
    assert.ok(Date.parse(body.expiresAt) - Date.now() <= 900_000, 'lives at most 15 minutes');
    assert.doesNotMatch(body.token, /^tk_/, 'never an API key');
    return body.token;
  };

  it('the customer page gets a token for its customer only', async () => {
    const t = await token('/demo/embed-token?subject=C000003');
    const auth = { Authorization: `Bearer ${t}` };
    assert.equal((await get('/v1/subjects/C000003/tiers', auth)).status, 200);
    assert.equal((await get('/v1/subjects/C000003/tiers', { ...auth, Origin: ORIGIN })).status, 200);
    assert.equal((await get('/v1/subjects/C000001/tiers', auth)).status, 403);
    assert.equal((await get('/v1/matrix/risk-value', auth)).status, 403);
    assert.equal((await get('/v1/subjects/C000003/tiers', { ...auth, Origin: 'https://evil.example' })).status, 403);
    assert.equal((await get('/demo/embed-token?subject=NOPE')).status, 404);
    assert.equal((await get('/demo/embed-token')).status, 400);
  });

  it('no token for a customer who left the bank: the same problem as POST /v1/embed-tokens', async () => {
    const subject = await findSubjectByExternalId(db.db, 'demo', 'C000019');
    assert.ok(subject);
    assert.equal(
      await setSubjectClosed(db.db, 'demo', subject.id, { at: '2025-11-01T00:00:00.000Z', reason: '销户' }, '2025-11-01T00:00:00.000Z'),
      true,
    );
    const res = await get('/demo/embed-token?subject=C000019');
    assert.equal(res.status, 409);
    const p = (await res.json()) as { type: string; errors?: { path: string; code: string }[] };
    assert.match(p.type, /conflict$/);
    assert.deepEqual(
      p.errors?.map((e) => [e.path, e.code]),
      [['subject', 'subject_closed']],
    );
  });

  it('the console signs in as each demo role (maker, checker, RM, analyst, viewer, admin, auditor); the RM reads only their book', async () => {
    const rm = { Authorization: `Bearer ${await token('/demo/staff-token?as=rm')}` };
    const session = (await (await get('/v1/session', rm)).json()) as { actor: string; book: string | null };
    assert.deepEqual([session.actor, session.book], ['staff:RM001', 'RM001']);
    const book = (await (await get('/v1/subjects?limit=100', rm)).json()) as { items: { id: string }[] };
    // 20 customers shared out among four RMs in id order: RM001 has C000001, C000005, …
    assert.deepEqual(
      book.items.map((s) => s.id),
      ['C000001', 'C000005', 'C000009', 'C000013', 'C000017'],
    );
    assert.equal((await get('/v1/subjects/C000002/tiers', rm)).status, 404, 'another RM’s customer');
    assert.equal((await get('/v1/subjects/C000005/tiers', rm)).status, 200);
    for (const [as, actor, role, name] of [
      ['maker', 'staff:MAKER01', 'officer', '赵敏'],
      ['checker', 'staff:CHECKER01', 'approver', '钱进'],
      ['analyst', 'staff:ANALYST01', 'analyst', '周婷'],
      ['viewer', 'staff:VIEWER01', 'viewer', '吴昊'],
      ['admin', 'staff:ADMIN01', 'admin', '郑洁'],
      ['auditor', 'staff:AUD01', 'auditor', '冯岚'],
    ] as const) {
      const auth = { Authorization: `Bearer ${await token(`/demo/staff-token?as=${as}`)}` };
      const s = (await (await get('/v1/session', auth)).json()) as {
        actor: string;
        role: string;
        book: string | null;
        staff: { name: string } | null;
      };
      assert.deepEqual([s.actor, s.role, s.book, s.staff?.name], [actor, role, null, name]);
    }
    // The team lead approves within her reach: book-scoped, a book of her own that the demo shares no customer into.
    const lead = (await (await get('/v1/session', { Authorization: `Bearer ${await token('/demo/staff-token?as=lead')}` })).json()) as {
      actor: string;
      role: string;
      book: string | null;
    };
    assert.deepEqual([lead.actor, lead.role, lead.book], ['staff:LEAD01', 'approver', 'LEAD01']);
    // Each role's token does what that role may, and no more: the audit trail is an admin's alone.
    const as = async (who: string) => ({ Authorization: `Bearer ${await token(`/demo/staff-token?as=${who}`)}` });
    assert.equal((await get('/v1/audit?limit=1', await as('admin'))).status, 200);
    assert.equal((await get('/v1/audit?limit=1', await as('analyst'))).status, 403);
    assert.notEqual((await get('/v1/analytics/distribution', await as('analyst'))).status, 403, 'an analyst reads analytics');
    assert.equal((await get('/v1/imports', await as('viewer'))).status, 403);
    // Internal audit reads the trail and imports, and decides nothing.
    assert.equal((await get('/v1/audit?limit=1', await as('auditor'))).status, 200);
    assert.equal((await get('/v1/imports', await as('auditor'))).status, 200);
    assert.equal((await get('/v1/subjects?limit=1', await as('auditor'))).status, 403);
    assert.equal((await get('/demo/staff-token?as=root')).status, 400);
    assert.equal((await get('/demo/staff-token?as=toString')).status, 400);
    assert.equal((await get('/demo/staff-token?as=rm', { 'Sec-Fetch-Site': 'cross-site' })).status, 403);
    assert.equal((await get('/demo/staff-token?as=rm', { Origin: 'https://evil.example' })).status, 403);
    const second = await seedDemoStaff(db.db, 'demo', '2025-11-02T00:00:00.000Z');
    assert.equal(second.assigned, 0, 'books are shared out once; a restart keeps reassignments');
  });

  it('the RM page gets the demo RM’s token: their book only, never the whole tenant', async () => {
    const auth = { Authorization: `Bearer ${await token('/demo/rm-token')}` };
    const session = (await (await get('/v1/session', auth)).json()) as { actor: string; book: string | null };
    assert.deepEqual([session.actor, session.book], ['staff:RM001', 'RM001']);
    // 20 customers shared out among four RMs: the matrix counts RM001's five, not the tenant's twenty.
    const matrix = (await (await get('/v1/matrix/risk-value', auth)).json()) as { total: number };
    assert.equal(matrix.total, 5);
    const list = (await (await get('/v1/subjects?limit=100', auth)).json()) as { items: { id: string }[] };
    assert.deepEqual(
      list.items.map((s) => s.id),
      ['C000001', 'C000005', 'C000009', 'C000013', 'C000017'],
    );
    assert.equal((await get('/v1/subjects/C000001/tiers', auth)).status, 200);
    assert.equal((await get('/v1/subjects/C000002/tiers', auth)).status, 404, 'another RM’s customer is not there');
    // An RM writes no metrics at all, their own customer's or another's (balances come from the bank's core
    // systems): the same 403 for both, so it tells nothing of whose customer C000002 is.
    for (const id of ['C000001', 'C000002']) {
      const write = await app().request(`${ORIGIN}/v1/subjects/${id}/metrics`, {
        method: 'PUT',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 1 }] }),
      });
      assert.equal(write.status, 403, id);
      const problem = (await write.json()) as { errors?: { code: string }[] };
      assert.deepEqual(
        problem.errors?.map((e) => e.code),
        ['metrics_not_by_book_staff'],
        id,
      );
    }
    assert.equal((await get('/v1/subjects/C000002/tiers', auth)).status, 404, 'and another RM’s customer is still not there');
  });

  it('another site cannot mint through a visitor’s browser, and DEMO_TOKENS=off removes the routes', async () => {
    assert.equal((await get('/demo/rm-token', { Origin: 'https://evil.example' })).status, 403);
    assert.equal((await get('/demo/rm-token', { 'Sec-Fetch-Site': 'cross-site' })).status, 403);
    const off = serverApp(db, { tenant: 'demo', corsOrigins: undefined, demoTokens: false });
    assert.equal((await off.request(ORIGIN + '/demo/rm-token')).status, 404);
    assert.equal((await off.request(ORIGIN + '/demo/embed-token?subject=C000003')).status, 404);
    assert.equal((await get('/v1/subjects/C000003/tiers')).status, 401, 'the API itself still wants a credential');
  });

  it('refuses as the API does: problem+json, an unknown staff member not labelled an unknown customer', async () => {
    const problem = async (res: Response, status: number, type: string) => {
      assert.equal(res.status, status);
      assert.match(res.headers.get('Content-Type') ?? '', /^application\/problem\+json/);
      assert.equal(res.headers.get('Cache-Control'), 'no-store');
      const body = (await res.json()) as { type: string; status: number; title: string; detail: string };
      assert.equal(body.type, `https://tierkit.dev/problems/${type}`);
      assert.equal(body.status, status);
      assert.ok(body.title && body.detail, 'a title and a detail');
      return body;
    };
    await problem(await get('/demo/embed-token?subject=NOPE'), 404, 'subject-not-found');
    await problem(await get('/demo/embed-token'), 400, 'validation');
    await problem(await get('/demo/staff-token?as=root'), 400, 'validation');
    await problem(await get('/demo/rm-token', { Origin: 'https://evil.example' }), 403, 'forbidden');
    await problem(await app().request('http://rebind.example:8787/demo/rm-token'), 403, 'forbidden');
    // A demo tenant whose demo staff were never seeded: the RM is unknown, which is no customer's absence.
    await seedDemo(db.db, { tenantId: 'bare', customers: 5, corporates: 0, products: 0, employees: 0, endPeriod: '2025-10' });
    const bare = serverApp(db, { tenant: 'bare', corsOrigins: undefined, demoTokens: true });
    const body = await problem(await bare.request(`${ORIGIN}/demo/rm-token`), 404, 'not-found');
    assert.match(body.detail, /RM001/);
  });

  it("never mints for a bank's own tenant (tierkit tenants create), whatever DEMO_TOKENS says", async () => {
    // What `tierkit tenants create cmb` and an import of its first customer leave: no seed run.
    await provisionTenant(db.db, { id: 'cmb', name: 'CMB' });
    await insertSubjects(
      db.db,
      'cmb',
      [{ id: 'cmb-B000001', externalId: 'B000001', kind: 'individual', displayName: '王五', attributes: {} }],
      '2025-11-01T00:00:00.000Z',
    );
    const bank = serverApp(db, { tenant: 'cmb', corsOrigins: undefined, demoTokens: true });
    for (const path of ['/demo/embed-token?subject=B000001', '/demo/rm-token', '/demo/staff-token?as=admin']) {
      const res = await bank.request(ORIGIN + path);
      assert.equal(res.status, 404, path);
      assert.match(((await res.json()) as { detail: string }).detail, /tenant "cmb" is not a demo tenant/);
    }
  });

  it('a page on a DNS-rebinding name is refused: the Host must be one of the configured origins', async () => {
    for (const url of ['http://rebind.example:8787/demo/rm-token', 'http://rebind.example:8787/demo/embed-token?subject=C000003']) {
      const res = await app().request(url);
      assert.equal(res.status, 403, url);
      assert.equal(res.headers.get('X-Content-Type-Options'), 'nosniff');
      assert.match(((await res.json()) as { detail: string }).detail, /rebind\.example/);
    }
    const bank = serverApp(db, { tenant: 'demo', corsOrigins: ['https://ebank.example'], demoTokens: true });
    assert.equal((await bank.request('https://ebank.example/demo/rm-token')).status, 200, 'a configured origin is served');
    assert.equal(
      (await bank.request('http://localhost:8787/demo/rm-token')).status,
      403,
      'configured origins replace the localhost default',
    );
  });
});
