import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createApiKey,
  createApp,
  KeyOwnerRefused,
  mintEmbedToken,
  mintStaffToken,
  provisionTenant,
  revokeKey,
  type Role,
} from '@tierkit/api';
import { upsertStaff, type Db } from '@tierkit/db';
import { runKeys } from '../../packages/cli/src/keys.js';
import { client, forEachDialect, NOW, type ApiFixture } from '../support/api-fixture.js';
import { type FourEyesTenant, fourEyesTenant, ok as feOk, requestOverride, START } from '../support/four-eyes-fixture.js';
import { postgresHarness } from '../support/databases.js';
import { backendPid, blockedBy, lockWaits } from '../support/pg-lock-waits.js';
import { problem } from '../support/problems.js';
import { checkedResponses } from '../support/openapi-responses.js';
import { testPack } from '../support/test-pack.js';

/*
 * A bank's admin issues, lists and revokes the tenant's API keys over HTTP (packages/api/README.md,
 * "API keys over HTTP"): the secret is in the create answer and nowhere else, revocation is at once.
 */

interface KeyJson {
  id: string;
  role: string;
  label: string;
  prefix: string;
  staff: string | null;
  state: string;
  createdAt: string;
  revokedAt: string | null;
}

function send(f: ApiFixture, credential: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return f.app.request(path, {
    method,
    headers: { Authorization: `Bearer ${credential}`, 'Content-Type': 'application/json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

async function create(f: ApiFixture, body: unknown, credential = f.keys.a): Promise<{ key: KeyJson; secret: string }> {
  const res = await send(f, credential, 'POST', '/v1/keys', body);
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { key: KeyJson; secret: string };
}

/** A staff token of a tenant-wide admin of bank-a, made a staff member first: the console's credential. */
async function adminToken(f: ApiFixture, id: string): Promise<string> {
  // Made by the bank's backend (the library): promoting over HTTP is a grant for a second admin.
  await upsertStaff(f.db.db, 'bank-a', { id, name: id, role: 'admin', scope: 'tenant' }, NOW.toISOString());
  return (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: id, now: NOW })).token;
}

async function listAll(f: ApiFixture, credential = f.keys.a): Promise<KeyJson[]> {
  const out: KeyJson[] = [];
  let cursor: string | null = null;
  do {
    const res = await send(f, credential, 'GET', `/v1/keys?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200);
    const page = (await res.json()) as { items: KeyJson[]; nextCursor: string | null };
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

forEachDialect('API keys over HTTP', (f) => {
  it('an admin creates a key: 201 with the secret once, not cached; the key works at its role; the list shows it without the secret', async () => {
    const me = await adminToken(f, 'KEYME');
    const res = await send(f, me, 'POST', '/v1/keys', { role: 'officer', label: '  nightly sync  ', staff: 'KEYME' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('Cache-Control'), 'no-store');
    const { key, secret } = (await res.json()) as { key: KeyJson; secret: string };
    assert.match(secret, /^tk_/);
    assert.equal(secret.startsWith(key.prefix), true);
    assert.deepEqual(
      { ...key, id: '', prefix: '' },
      {
        id: '',
        prefix: '',
        role: 'officer',
        label: 'nightly sync',
        staff: 'KEYME',
        state: 'active',
        createdAt: NOW.toISOString(),
        revokedAt: null,
      },
    );
    // The new key reads and writes as an officer, and no more.
    assert.equal((await send(f, secret, 'GET', '/v1/schemes')).status, 200);
    assert.equal((await send(f, secret, 'PUT', '/v1/subjects/KEYC1', { kind: 'customer', displayName: '李雷' })).status, 201);
    await problem(await send(f, secret, 'GET', '/v1/keys'), 403);

    const listed = await listAll(f);
    const found = listed.find((k) => k.id === key.id);
    assert.deepEqual(found, key);
    assert.equal(new Set(listed.map((k) => k.id)).size, listed.length, 'paging repeats no key');
    assert.ok(listed.length >= 6, 'the fixture’s keys and the new one, over several pages');
    const text = JSON.stringify(listed);
    assert.equal(text.includes(secret), false);
    assert.equal(/secret|hash/i.test(text), false, 'no secret or hash field');
  });

  it('the list is the caller’s tenant only', async () => {
    const { key } = await create(f, { role: 'viewer', label: 'bank-b only' }, f.keys.b);
    assert.equal(
      (await listAll(f)).some((k) => k.id === key.id),
      false,
    );
    assert.equal(
      (await listAll(f, f.keys.b)).some((k) => k.id === key.id),
      true,
    );
  });

  it('revoking refuses the key from the next request, even one it had just been verified for; again is 200 with the first revokedAt', async () => {
    const { key, secret } = await create(f, { role: 'viewer', label: 'to revoke' });
    // Verified once, so this app's credential cache holds it.
    assert.equal((await send(f, secret, 'GET', '/v1/schemes')).status, 200);
    const revoked = await send(f, f.keys.a, 'POST', `/v1/keys/${key.id}/revoke`);
    assert.equal(revoked.status, 200);
    const body = (await revoked.json()) as KeyJson;
    assert.equal(body.state, 'revoked');
    assert.equal(body.revokedAt, NOW.toISOString());
    await problem(await send(f, secret, 'GET', '/v1/schemes'), 401);
    const again = await send(f, f.keys.a, 'POST', `/v1/keys/${key.id}/revoke`);
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), body);
    assert.equal((await listAll(f)).find((k) => k.id === key.id)?.state, 'revoked');
  });

  it('a revocation through one app reaches another app of the same process at once', async () => {
    const other = createApp({ db: f.db.db, now: () => NOW, logError: () => undefined });
    const { key, secret } = await create(f, { role: 'viewer', label: 'two apps' });
    assert.equal((await other.request('/v1/schemes', { headers: { Authorization: `Bearer ${secret}` } })).status, 200);
    assert.equal((await send(f, f.keys.a, 'POST', `/v1/keys/${key.id}/revoke`)).status, 200);
    assert.equal((await other.request('/v1/schemes', { headers: { Authorization: `Bearer ${secret}` } })).status, 401);
  });

  it('another tenant’s key is the 404 of an unknown one, and stays unrevoked', async () => {
    const { key, secret } = await create(f, { role: 'viewer', label: 'bank-b key' }, f.keys.b);
    const p = await problem(await send(f, f.keys.a, 'POST', `/v1/keys/${key.id}/revoke`), 404);
    const unknown = await problem(await send(f, f.keys.a, 'POST', '/v1/keys/key_nobody/revoke'), 404);
    assert.equal(p.type, unknown.type);
    assert.equal((await send(f, secret, 'GET', '/v1/schemes')).status, 200);
  });

  it('only admins: other roles’ keys, a viewer staff token and a book-scoped admin get 403; an embed token 403; a tenant-wide admin’s staff token may', async () => {
    for (const role of ['viewer', 'analyst', 'officer', 'approver'] as const) {
      await problem(await send(f, f.keys.roles[role], 'GET', '/v1/keys'), 403);
      await problem(await send(f, f.keys.roles[role], 'POST', '/v1/keys', { role: 'viewer', label: 'x' }), 403);
      await problem(await send(f, f.keys.roles[role], 'POST', '/v1/keys/key_x/revoke'), 403);
    }
    const viewerToken = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', now: NOW })).token;
    await problem(await send(f, viewerToken, 'GET', '/v1/keys'), 403);
    await client(f).customer('KEYE1');
    const embed = (await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'KEYE1', now: NOW })).token;
    await problem(await send(f, embed, 'GET', '/v1/keys'), 403);
    await problem(await send(f, embed, 'POST', '/v1/keys', { role: 'viewer', label: 'x' }), 403);

    await upsertStaff(f.db.db, 'bank-a', { id: 'KEYBOOK', name: '赵敏', role: 'admin', scope: 'book' }, NOW.toISOString());
    const bookAdmin = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'KEYBOOK', now: NOW })).token;
    await problem(await send(f, bookAdmin, 'GET', '/v1/keys'), 403);

    await upsertStaff(f.db.db, 'bank-a', { id: 'KEYADM', name: '周芷若', role: 'admin', scope: 'tenant' }, NOW.toISOString());
    const admin = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'KEYADM', now: NOW })).token;
    assert.equal((await send(f, admin, 'GET', '/v1/keys')).status, 200);
    const { key } = await create(f, { role: 'admin', label: 'console-made', staff: 'KEYADM' }, admin);
    assert.equal(key.staff, 'KEYADM');
  });

  it('bad bodies are 400s that name the field and create nothing', async () => {
    const before = (await listAll(f)).length;
    const cases: [unknown, string][] = [
      [{ label: 'no role' }, 'role'],
      [{ role: 'root', label: 'unknown role' }, 'role'],
      [{ role: 'viewer', label: '' }, 'label'],
      [{ role: 'viewer', label: '   ' }, 'label'],
      [{ role: 'viewer', label: 'x'.repeat(101) }, 'label'],
      [{ role: 'viewer' }, 'label'],
      [{ role: 'viewer', label: 'x', staff: 'NOBODY' }, 'staff'],
      [{ role: 'viewer', label: 'x', tenantId: 'bank-b' }, ''],
      [{ role: 'approver', label: 'unowned approver' }, 'staff'],
      [{ role: 'admin', label: 'unowned admin' }, 'staff'],
    ];
    for (const [body, field] of cases) {
      const p = await problem(await send(f, f.keys.a, 'POST', '/v1/keys', body), 400);
      assert.ok(
        p.errors?.some((e) => e.path === field),
        `${JSON.stringify(body)}: ${JSON.stringify(p.errors)}`,
      );
    }
    const unknown = await problem(await send(f, f.keys.a, 'POST', '/v1/keys', { role: 'viewer', label: 'x', staff: 'NOBODY' }), 400);
    assert.deepEqual(
      unknown.errors?.map((e) => [e.code, e.params]),
      [['unknown_staff', { staff: 'NOBODY' }]],
    );
    assert.equal((await listAll(f)).length, before);
  });

  it('an owner of another tenant is unknown here; a key’s role may not be above its owner’s', async () => {
    await upsertStaff(f.db.db, 'bank-b', { id: 'KEYB1', name: '张无忌', role: 'admin', scope: 'tenant' }, NOW.toISOString());
    const other = await problem(await send(f, f.keys.a, 'POST', '/v1/keys', { role: 'viewer', label: 'x', staff: 'KEYB1' }), 400);
    assert.equal(other.errors?.[0]?.code, 'unknown_staff');

    await upsertStaff(f.db.db, 'bank-a', { id: 'KEYVIEW', name: '殷素素', role: 'viewer', scope: 'tenant' }, NOW.toISOString());
    const above = await problem(await send(f, f.keys.a, 'POST', '/v1/keys', { role: 'analyst', label: 'x', staff: 'KEYVIEW' }), 400);
    assert.deepEqual(
      above.errors?.map((e) => [e.path, e.code, e.params]),
      [['role', 'invalid_value', { values: ['viewer'] }]],
    );
    const { key, secret } = await create(f, { role: 'viewer', label: 'owned', staff: 'KEYVIEW' });
    assert.equal(key.staff, 'KEYVIEW');
    const session = (await (await send(f, secret, 'GET', '/v1/session')).json()) as { actor: string; staff: { id: string } | null };
    assert.equal(session.staff?.id, 'KEYVIEW');
  });

  it('the owner is checked as the key is written: one gone or demoted since the caller looked is a structured refusal (the route’s 400), not a 500', async () => {
    await upsertStaff(f.db.db, 'bank-a', { id: 'KEYRACE', name: '韦一笑', role: 'viewer', scope: 'tenant' }, NOW.toISOString());
    const gone = await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'viewer', label: 'x', staffId: 'KEYNONE' }).catch(
      (e: unknown) => e,
    );
    assert.ok(gone instanceof KeyOwnerRefused);
    assert.equal(gone.reason, 'unknown-staff');
    const above = await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'analyst', label: 'x', staffId: 'KEYRACE' }).catch(
      (e: unknown) => e,
    );
    assert.ok(above instanceof KeyOwnerRefused);
    assert.deepEqual([above.reason, above.allowed], ['role-above-owner', ['viewer']]);
  });

  it('an Idempotency-Key is refused: a replay would need the secret stored', async () => {
    const before = (await listAll(f)).length;
    const p = await problem(
      await send(f, f.keys.a, 'POST', '/v1/keys', { role: 'viewer', label: 'idem' }, { 'Idempotency-Key': 'k-1' }),
      400,
    );
    assert.equal(p.errors?.[0]?.path, 'headers.idempotency-key');
    assert.equal((await listAll(f)).length, before);
    const stored = await f.db.db.selectFrom('idempotency_keys').selectAll().execute();
    assert.equal(JSON.stringify(stored).includes('tk_'), false);
  });

  it('the audit trail names the key, role, owner and label of a creation and a revocation as the CLI does, never the secret', async () => {
    const aud = await adminToken(f, 'KEYAUD');
    const created = await send(
      f,
      aud,
      'POST',
      '/v1/keys',
      { role: 'approver', label: 'audited', staff: 'KEYAUD' },
      {
        'X-Request-Id': 'keys-aud-1',
      },
    );
    const { key, secret } = (await created.json()) as { key: KeyJson; secret: string };
    assert.equal((await send(f, f.keys.a, 'POST', `/v1/keys/${key.id}/revoke`, undefined, { 'X-Request-Id': 'keys-aud-2' })).status, 200);
    assert.equal((await send(f, f.keys.a, 'POST', `/v1/keys/${key.id}/revoke`, undefined, { 'X-Request-Id': 'keys-aud-3' })).status, 200);
    const res = await send(f, f.keys.a, 'GET', '/v1/audit?limit=100');
    const items = ((await res.json()) as { items: { requestId: string; phase: string; detail: unknown }[] }).items;
    const detail = (id: string) => items.find((r) => r.requestId === id && r.phase === 'result')?.detail;
    // keyAuditDetail's shape, the one `tierkit keys` writes: no prefix (a piece of the secret) either.
    const shape = { key: key.id, role: 'approver', owner: 'KEYAUD', label: 'audited' };
    assert.deepEqual(detail('keys-aud-1'), shape);
    assert.deepEqual(detail('keys-aud-2'), shape);
    assert.deepEqual(detail('keys-aud-3'), { ...shape, alreadyRevoked: true });
    // Every stored record of the tenant, intents and request records included, raw from the table.
    const rows = await f.db.db.selectFrom('audit_records').selectAll().execute();
    const body = secret.slice(key.prefix.length);
    assert.equal(JSON.stringify(rows).includes(body), false, 'no record holds the secret');
    const idem = await f.db.db.selectFrom('idempotency_keys').selectAll().execute();
    assert.equal(JSON.stringify(idem).includes(body), false);
  });

  it('the OpenAPI document describes the three routes, and the create without Idempotency-Key', async () => {
    const doc = (await (await f.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>>;
    };
    assert.ok(doc.paths['/v1/keys']?.get?.responses['200']);
    assert.ok(doc.paths['/v1/keys']?.post?.responses['201']);
    assert.ok(doc.paths['/v1/keys/{id}/revoke']?.post?.responses['404']);
    assert.equal(doc.paths['/v1/keys']?.post?.parameters?.some((p) => p.name === 'Idempotency-Key') ?? false, false);
    assert.equal(
      doc.paths['/v1/keys/{id}/revoke']?.post?.parameters?.some((p) => p.name === 'Idempotency-Key'),
      true,
    );
  });

  it('an owned key whose owner left the staff table is listed as owner-gone', async () => {
    await upsertStaff(f.db.db, 'bank-a', { id: 'KEYGONE', name: '纪晓芙', role: 'viewer', scope: 'tenant' }, NOW.toISOString());
    const { key } = await create(f, { role: 'viewer', label: 'owner leaves', staff: 'KEYGONE' });
    await f.db.db.deleteFrom('staff').where('tenant_id', '=', 'bank-a').where('id', '=', 'KEYGONE').execute();
    assert.equal((await listAll(f)).find((k) => k.id === key.id)?.state, 'owner-gone');
  });

  it('an unauthenticated caller learns nothing', async () => {
    await problem(await f.app.request('/v1/keys'), 401);
  });
});

/*
 * Whoever issues a key holds its secret, so a key that files or decides four-eyes requests is issued
 * over HTTP only in the caller's own name: otherwise one admin could ask with one credential and
 * approve with a key that four eyes counts as somebody else.
 */
forEachDialect('API keys over HTTP keep four eyes', (f) => {
  let t: FourEyesTenant;
  let alice = '';
  const keysOf = async () => ((await (await t.req('admin', 'GET', '/v1/keys?limit=100')).json()) as { items: KeyJson[] }).items;

  before(async () => {
    t = await fourEyesTenant(f, 'keys-4e', START);
    for (const [id, role] of [
      ['ALICE', 'admin'],
      ['BOB', 'approver'],
    ] as const)
      await upsertStaff(f.db.db, t.tenantId, { id, name: id === 'ALICE' ? 'Alice' : 'Bob', role, scope: 'tenant' }, START.toISOString());
    alice = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'ALICE', ttlSeconds: 900, now: START })).token;
    for (const subject of ['K4E1', 'K4E2']) {
      await feOk(await t.req('officer', 'PUT', `/v1/subjects/${subject}`, { kind: 'customer', displayName: subject }), 201);
      await feOk(
        await t.req('officer', 'PUT', `/v1/subjects/${subject}/metrics`, {
          metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 0 }],
        }),
      );
    }
  });

  it('(a) an admin cannot issue an approver key owned by another staff member: 400 at staff, no key', async () => {
    const before = (await keysOf()).length;
    const p = await problem(
      await t.req({ credential: alice }, 'POST', '/v1/keys', { role: 'approver', label: 'for bob', staff: 'BOB' }),
      400,
    );
    assert.deepEqual(
      p.errors?.map((e) => [e.path, e.code, e.params]),
      [['staff', 'invalid_value', { values: ['ALICE'] }]],
    );
    assert.match(p.errors?.[0]?.message ?? '', /tierkit keys create/);
    assert.equal((await keysOf()).length, before);
  });

  it('(b) nor one for a staff member she has just made up', async () => {
    // Her grant, approved by another admin: Ghost is on staff, and still not hers to issue a key to.
    const grant = await feOk<{ id: string; contentHash: string }>(
      await t.req({ credential: alice }, 'PUT', '/v1/staff/GHOST', { name: 'Ghost', role: 'approver', scope: 'tenant' }),
      202,
    );
    await feOk(await t.req('admin', 'POST', `/v1/staff-grants/${grant.id}/approve`, { contentHash: grant.contentHash }));
    const p = await problem(
      await t.req({ credential: alice }, 'POST', '/v1/keys', { role: 'approver', label: 'ghost', staff: 'GHOST' }),
      400,
    );
    assert.deepEqual(
      p.errors?.map((e) => e.path),
      ['staff'],
    );
    assert.equal(
      (await keysOf()).some((k) => k.staff === 'GHOST'),
      false,
    );
  });

  it('(c) nor an unowned officer key: she would file with it and approve with her token', async () => {
    const p = await problem(await t.req({ credential: alice }, 'POST', '/v1/keys', { role: 'officer', label: 'unowned officer' }), 400);
    assert.deepEqual(
      p.errors?.map((e) => [e.path, e.code, e.params]),
      [['staff', 'required', { values: ['ALICE'] }]],
    );
    assert.equal(
      (await keysOf()).some((k) => k.label === 'unowned officer'),
      false,
    );
  });

  it('a key in her own name she may issue, and four eyes counts it as her', async () => {
    const made = await feOk<{ key: KeyJson; secret: string }>(
      await t.req({ credential: alice }, 'POST', '/v1/keys', { role: 'approver', label: 'mine', staff: 'ALICE' }),
      201,
    );
    assert.equal(made.key.staff, 'ALICE');
    const pending = await feOk<{ id: string; contentHash: string }>(await requestOverride(t, 'K4E1', {}, { credential: alice }), 201);
    const self = await problem(
      await t.req({ credential: made.secret }, 'POST', `/v1/overrides/${pending.id}/approve`, { contentHash: pending.contentHash }),
      403,
    );
    assert.ok(self.type.endsWith('/four-eyes'), self.type);
    // Filed with her key, decided with her token: the same person too.
    const filed = await feOk<{ id: string; contentHash: string }>(await requestOverride(t, 'K4E2', {}, { credential: made.secret }), 201);
    await problem(await t.req({ credential: alice }, 'POST', `/v1/overrides/${filed.id}/approve`, { contentHash: filed.contentHash }), 403);
  });

  it('a credential of no staff member (an unowned admin key) issues only keys that can neither file nor decide', async () => {
    for (const role of ['officer', 'approver', 'admin'] as const) {
      const p = await problem(await t.req('admin', 'POST', '/v1/keys', { role, label: `unowned ${role}`, staff: 'ALICE' }), 400);
      assert.deepEqual(
        p.errors?.map((e) => [e.path, e.params]),
        [
          ['role', { values: ['viewer', 'analyst'] }],
          ['staff', { values: [] }],
        ],
      );
      assert.match(p.errors?.[0]?.message ?? '', /tierkit keys create/);
    }
    const analyst = await feOk<{ key: KeyJson }>(await t.req('admin', 'POST', '/v1/keys', { role: 'analyst', label: 'reports' }), 201);
    assert.equal(analyst.key.staff, null);
  });
});

/*
 * No request locks a tenant out of its administration over HTTP: the last key that can administer it
 * (an admin key nobody owns, or one a tenant-wide admin on staff owns) is revoked only on the server
 * (`tierkit keys revoke`), and no request revokes the key it is authenticated with.
 */
forEachDialect('API keys over HTTP leave a way to administer the tenant', (f) => {
  let tenants = 0;
  /** A tenant of its own (other tests' keys do not count), with admin keys made by the CLI's library. */
  async function tenant(): Promise<{ id: string; key: (role: Role, staffId?: string) => Promise<{ id: string; secret: string }> }> {
    const id = `lockout-${++tenants}`;
    await provisionTenant(f.db.db, { id, name: id, pack: testPack(), now: NOW });
    return {
      id,
      key: async (role, staffId) => {
        const made = await createApiKey(f.db.db, {
          tenantId: id,
          role,
          label: `${role} ${staffId ?? 'unowned'}`,
          now: NOW,
          ...(staffId ? { staffId } : {}),
        });
        return { id: made.key.id, secret: made.secret };
      },
    };
  }
  const revoke = (credential: string, id: string, headers: Record<string, string> = {}) =>
    send(f, credential, 'POST', `/v1/keys/${id}/revoke`, undefined, headers);
  const works = async (secret: string) => (await send(f, secret, 'GET', '/v1/keys')).status === 200;
  type AuditJson = { requestId: string; phase: string; actor: string; status: number | null; problem: string | null; detail: unknown };
  /** The tenant's audit trail as an admin reads it (its newest records: each test's tenant is its own). */
  const auditOf = async (credential: string) =>
    ((await (await send(f, credential, 'GET', '/v1/audit?limit=100')).json()) as { items: AuditJson[] }).items;

  it('the last admin key is refused (409 last-admin-key, naming the ways back) and still works; the refusal is audited', async () => {
    const t = await tenant();
    const admin = await t.key('admin');
    const viewer = await t.key('viewer');
    // bank-a's and bank-b's admin keys are other tenants': they do not count. Nor does a staff token of a
    // tenant-wide admin: the bank's backend mints it with the library, beside the database.
    await upsertStaff(f.db.db, t.id, { id: 'LOCKADM', name: '管理员', role: 'admin', scope: 'tenant' }, NOW.toISOString());
    const token = (await mintStaffToken(f.db.db, { tenantId: t.id, staffId: 'LOCKADM', now: NOW })).token;
    const p = await problem(await revoke(token, admin.id, { 'X-Request-Id': 'lockout-last' }), 409);
    assert.equal(p.type, 'https://tierkit.dev/problems/last-admin-key');
    assert.match(p.detail ?? '', /tierkit keys revoke/);
    assert.match(p.detail ?? '', /tierkit keys create --role admin/);
    assert.equal(await works(admin.secret), true, 'the refused key still administers the tenant');
    const listed = (await (await send(f, admin.secret, 'GET', '/v1/keys')).json()) as { items: KeyJson[] };
    assert.equal(listed.items.find((k) => k.id === admin.id)?.state, 'active');
    // Viewer and analyst keys are not what is guarded.
    assert.equal((await revoke(token, viewer.id)).status, 200);
    const result = (await auditOf(admin.secret)).find((r) => r.requestId === 'lockout-last' && r.phase === 'result');
    assert.equal(result?.status, 409);
    assert.equal(result?.problem, 'last-admin-key');
    assert.deepEqual(result?.detail, { key: admin.id, role: 'admin', owner: null, label: 'admin unowned' });
  });

  it('with two admin keys one may be revoked, then the second is refused', async () => {
    const t = await tenant();
    const first = await t.key('admin');
    const second = await t.key('admin');
    await upsertStaff(f.db.db, t.id, { id: 'LOCK2', name: 'Ann', role: 'admin', scope: 'tenant' }, NOW.toISOString());
    const token = (await mintStaffToken(f.db.db, { tenantId: t.id, staffId: 'LOCK2', now: NOW })).token;
    assert.equal((await revoke(first.secret, second.id)).status, 200);
    assert.equal((await problem(await revoke(token, first.id), 409)).type, 'https://tierkit.dev/problems/last-admin-key');
    assert.equal(await works(first.secret), true);
  });

  it('only keys that can administer over HTTP count: not an admin key of a demoted, book-scoped or departed owner', async () => {
    const t = await tenant();
    const admin = await t.key('admin');
    const put = (id: string, role: string, scope: string) => send(f, admin.secret, 'PUT', `/v1/staff/${id}`, { name: id, role, scope });
    // Made admins by the bank's backend (the library): over HTTP each would be a grant for a second admin.
    for (const id of ['DEMOTED', 'BOOKADM', 'LEAVER'])
      await upsertStaff(f.db.db, t.id, { id, name: id, role: 'admin', scope: id === 'BOOKADM' ? 'book' : 'tenant' }, NOW.toISOString());
    const demoted = await t.key('admin', 'DEMOTED');
    await t.key('admin', 'BOOKADM');
    await t.key('admin', 'LEAVER');
    await put('DEMOTED', 'officer', 'tenant');
    await f.db.db.deleteFrom('staff').where('tenant_id', '=', t.id).where('id', '=', 'LEAVER').execute();
    // The demoted owner's admin key acts as an officer: it cannot even reach the keys.
    await problem(await send(f, demoted.secret, 'GET', '/v1/keys'), 403);
    await upsertStaff(f.db.db, t.id, { id: 'HELPER', name: 'HELPER', role: 'admin', scope: 'tenant' }, NOW.toISOString());
    const token = (await mintStaffToken(f.db.db, { tenantId: t.id, staffId: 'HELPER', now: NOW })).token;
    assert.equal((await problem(await revoke(token, admin.id), 409)).type, 'https://tierkit.dev/problems/last-admin-key');
    // A key that administers nothing may go: the demoted owner's.
    assert.equal((await revoke(token, demoted.id)).status, 200);
    // An admin key owned by a tenant-wide admin on staff counts, as an unowned one does.
    await t.key('admin', 'HELPER');
    assert.equal((await revoke(token, admin.id)).status, 200);
  });

  it('the key the request is authenticated with is refused (409 own-key), though another admin key remains; the refusal is audited; another credential may revoke it', async () => {
    const t = await tenant();
    const mine = await t.key('admin');
    const other = await t.key('admin');
    const p = await problem(await revoke(mine.secret, mine.id, { 'X-Request-Id': 'lockout-own' }), 409);
    assert.equal(p.type, 'https://tierkit.dev/problems/own-key');
    assert.equal(await works(mine.secret), true);
    const records = (await auditOf(other.secret)).filter((r) => r.requestId === 'lockout-own');
    assert.deepEqual(
      records.map((r) => [r.phase, r.actor, r.status, r.problem, r.detail]),
      [
        ['result', `key:${mine.id}`, 409, 'own-key', { key: mine.id, role: 'admin', owner: null, label: 'admin unowned' }],
        ['intent', `key:${mine.id}`, null, null, null],
      ],
    );
    assert.equal((await revoke(other.secret, mine.id)).status, 200);
    assert.equal(await works(mine.secret), false);
  });

  it('the last admin key revoking itself is the own-key refusal: told from the request, before the keys are counted', async () => {
    const t = await tenant();
    const admin = await t.key('admin');
    assert.equal((await problem(await revoke(admin.secret, admin.id), 409)).type, 'https://tierkit.dev/problems/own-key');
    assert.equal(await works(admin.secret), true);
  });

  // Only the outcome: the two requests may as well run one after the other (SQLite always does), so
  // this cannot tell a missing lock. The lock is the PostgreSQL overlap test's, below.
  it('two admins revoking the last two admin keys at once, in whatever order they run: one succeeds, the other is refused', async () => {
    const t = await tenant();
    const a = await t.key('admin');
    const b = await t.key('admin');
    for (const id of ['RACE1', 'RACE2'])
      await upsertStaff(f.db.db, t.id, { id, name: id === 'RACE1' ? 'r1' : 'r2', role: 'admin', scope: 'tenant' }, NOW.toISOString());
    const one = (await mintStaffToken(f.db.db, { tenantId: t.id, staffId: 'RACE1', now: NOW })).token;
    const two = (await mintStaffToken(f.db.db, { tenantId: t.id, staffId: 'RACE2', now: NOW })).token;
    const answers = await Promise.all([revoke(one, a.id), revoke(two, b.id)]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 409]);
    const alive = [await works(a.secret), await works(b.secret)];
    assert.deepEqual(alive.sort(), [false, true], 'exactly one admin key is left');
  });
});

/*
 * PostgreSQL, with two revocations forced to overlap (SQLite runs one writer at a time): the test's
 * own transaction revokes one of the last two admin keys, as any revocation does (the CLI's too), and
 * holds it uncommitted while the API is asked to revoke the other. The API's revocation must wait for
 * it, then see it, and refuse.
 */
describe('API keys over HTTP: overlapping revocations of the last two admin keys [postgres]', () => {
  const harness = postgresHarness();
  let db: Db;
  before(async () => {
    db = await harness.open();
  });
  after(() => harness.stopAll());

  it('the second waits for the first’s row lock, then sees it and is refused', async () => {
    const tenantId = 'overlap';
    await provisionTenant(db.db, { id: tenantId, name: tenantId, pack: testPack(), now: NOW });
    const a = await createApiKey(db.db, { tenantId, role: 'admin', label: 'a', now: NOW });
    const b = await createApiKey(db.db, { tenantId, role: 'admin', label: 'b', now: NOW });
    const app = checkedResponses(createApp({ db: db.db, now: () => NOW, logError: () => undefined }));
    const revokeA = () => app.request(`/v1/keys/${a.key.id}/revoke`, { method: 'POST', headers: { Authorization: `Bearer ${b.secret}` } });
    // Verified once, so the request below needs no read that could wait for the holder.
    assert.equal((await app.request('/v1/keys', { headers: { Authorization: `Bearer ${b.secret}` } })).status, 200);
    let second: Response | Promise<Response> | undefined;
    await db.db.transaction().execute(async (trx) => {
      const holder = await backendPid(trx);
      assert.equal(await revokeKey(trx, b.key.id, NOW), true);
      second = revokeA();
      await blockedBy(db.db, holder);
    });
    assert.ok(second);
    assert.equal((await problem(await second, 409)).type, 'https://tierkit.dev/problems/last-admin-key');
    assert.equal((await app.request('/v1/keys', { headers: { Authorization: `Bearer ${a.secret}` } })).status, 200);
  });

  it('an HTTP revocation and `tierkit keys revoke --staff` locking the same keys queue, never deadlock', async () => {
    const tenantId = 'offboarding';
    await provisionTenant(db.db, { id: tenantId, name: tenantId, pack: testPack(), now: NOW });
    await upsertStaff(db.db, tenantId, { id: 'LEAVER', name: '周离', role: 'admin', scope: 'tenant' }, NOW.toISOString());
    for (const label of ['leaver 1', 'leaver 2'])
      await createApiKey(db.db, { tenantId, role: 'admin', label, staffId: 'LEAVER', now: NOW });
    // The leaver's key with the smaller id (as the database orders them) made later, so the order the
    // keys were made in (the CLI's list) is not the order of their ids (the HTTP revocation's locks).
    const byId = (await db.db.selectFrom('api_keys').select('id').where('staff_id', '=', 'LEAVER').orderBy('id').execute()).map(
      (r) => r.id,
    );
    const [first, second] = byId;
    assert.ok(first && second);
    await db.db.updateTable('api_keys').set({ created_at: '2025-01-01T00:00:00.000Z' }).where('id', '=', second).execute();
    const caller = await createApiKey(db.db, { tenantId, role: 'admin', label: 'caller', now: NOW });
    const target = await createApiKey(db.db, { tenantId, role: 'admin', label: 'target', now: NOW });
    const app = checkedResponses(createApp({ db: db.db, now: () => NOW, logError: () => undefined }));
    const auth = { Authorization: `Bearer ${caller.secret}` };
    assert.equal((await app.request('/v1/keys', { headers: auth })).status, 200, 'verified once');
    const silent = { out: () => undefined, err: () => undefined, json: false };
    let http: ReturnType<typeof app.request> | undefined;
    let cli: Promise<number> | undefined;
    // The test holds the leaver's first key by id; the HTTP revocation queues on it first (holding the
    // admin keys whose ids come before it); then the offboarding starts. Revoking in the order the keys were made,
    // it would take the second key and wait for the first, which the HTTP revocation gets next and
    // which then waits for the second: a deadlock. In id order, it queues on the first key and holds nothing.
    await db.db.transaction().execute(async (trx) => {
      const holder = await backendPid(trx);
      await trx.selectFrom('api_keys').select('id').where('id', '=', first).forUpdate().execute();
      http = app.request(`/v1/keys/${target.key.id}/revoke`, { method: 'POST', headers: auth });
      await blockedBy(db.db, holder);
      cli = runKeys(db, { action: 'revoke', id: undefined, tenant: tenantId, role: undefined, label: undefined, staff: 'LEAVER' }, silent);
      await lockWaits(db.db, 2);
    });
    assert.ok(http && cli);
    const [answer, exit] = await Promise.all([http, cli]);
    assert.equal(answer.status, 200, await answer.clone().text());
    assert.equal(exit, 0);
    const left = await db.db.selectFrom('api_keys').select(['id', 'revoked_at']).where('tenant_id', '=', tenantId).execute();
    assert.deepEqual(
      left.filter((k) => k.revoked_at === null).map((k) => k.id),
      [caller.key.id],
      "revoked: the target and the leaver's two keys",
    );
  });
});
