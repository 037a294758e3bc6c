import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApp, mintEmbedToken, mintStaffToken } from '@tierkit/api';
import { client, forEachDialect, NOW, type ApiFixture } from '../support/api-fixture.js';
import { problem } from '../support/problems.js';

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
    const res = await send(f, f.keys.a, 'POST', '/v1/keys', { role: 'officer', label: '  nightly sync  ' });
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
        staff: null,
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

    await client(f).put('/v1/staff/KEYBOOK', { name: '赵敏', role: 'admin', scope: 'book' });
    const bookAdmin = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: 'KEYBOOK', now: NOW })).token;
    await problem(await send(f, bookAdmin, 'GET', '/v1/keys'), 403);

    await client(f).put('/v1/staff/KEYADM', { name: '周芷若', role: 'admin', scope: 'tenant' });
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
    await client(f, 'b').put('/v1/staff/KEYB1', { name: '张无忌', role: 'admin', scope: 'tenant' });
    const other = await problem(await send(f, f.keys.a, 'POST', '/v1/keys', { role: 'viewer', label: 'x', staff: 'KEYB1' }), 400);
    assert.equal(other.errors?.[0]?.code, 'unknown_staff');

    await client(f).put('/v1/staff/KEYOFF', { name: '殷素素', role: 'officer', scope: 'tenant' });
    const above = await problem(await send(f, f.keys.a, 'POST', '/v1/keys', { role: 'approver', label: 'x', staff: 'KEYOFF' }), 400);
    assert.deepEqual(
      above.errors?.map((e) => [e.path, e.code, e.params]),
      [['role', 'invalid_value', { values: ['viewer', 'analyst', 'officer'] }]],
    );
    const { key, secret } = await create(f, { role: 'officer', label: 'owned', staff: 'KEYOFF' });
    assert.equal(key.staff, 'KEYOFF');
    const session = (await (await send(f, secret, 'GET', '/v1/session')).json()) as { actor: string; staff: { id: string } | null };
    assert.equal(session.staff?.id, 'KEYOFF');
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

  it('the audit trail names the key, role, owner and label of a creation and a revocation, never the secret', async () => {
    await client(f).put('/v1/staff/KEYAUD', { name: '宋青书', role: 'approver', scope: 'tenant' });
    const created = await send(
      f,
      f.keys.a,
      'POST',
      '/v1/keys',
      { role: 'approver', label: 'audited', staff: 'KEYAUD' },
      {
        'X-Request-Id': 'keys-aud-1',
      },
    );
    const { key, secret } = (await created.json()) as { key: KeyJson; secret: string };
    assert.equal((await send(f, f.keys.a, 'POST', `/v1/keys/${key.id}/revoke`, undefined, { 'X-Request-Id': 'keys-aud-2' })).status, 200);
    const res = await send(f, f.keys.a, 'GET', '/v1/audit?limit=100');
    const items = ((await res.json()) as { items: { requestId: string; phase: string; detail: unknown }[] }).items;
    const detail = (id: string) => items.find((r) => r.requestId === id && r.phase === 'result')?.detail;
    assert.deepEqual(detail('keys-aud-1'), { role: 'approver', staff: 'KEYAUD', label: 'audited', key: key.id, prefix: key.prefix });
    assert.deepEqual(detail('keys-aud-2'), { key: key.id, role: 'approver', staff: 'KEYAUD', label: 'audited' });
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
    await client(f).put('/v1/staff/KEYGONE', { name: '纪晓芙', role: 'viewer', scope: 'tenant' });
    const { key } = await create(f, { role: 'viewer', label: 'owner leaves', staff: 'KEYGONE' });
    await f.db.db.deleteFrom('staff').where('tenant_id', '=', 'bank-a').where('id', '=', 'KEYGONE').execute();
    assert.equal((await listAll(f)).find((k) => k.id === key.id)?.state, 'owner-gone');
  });

  it('an unauthenticated caller learns nothing', async () => {
    await problem(await f.app.request('/v1/keys'), 401);
  });
});
