import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { createApp, ensureApiKey, mintStaffToken, revokeKey, createApiKey, rotateSigningKey, listKeys } from '@tierkit/api';
import type { Problem, TiersResponse } from '@tierkit/core';
import { NOW, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

async function problem(res: Response, status: number): Promise<Problem> {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}`);
  assert.match(res.headers.get('Content-Type') ?? '', /^application\/problem\+json/);
  const body = (await res.json()) as Problem;
  assert.equal(body.status, status);
  return body;
}

async function invalidToken(res: Response): Promise<Problem> {
  assert.match(res.headers.get('WWW-Authenticate') ?? '', /^Bearer .*error="invalid_token"/);
  return problem(res, 401);
}

const Q3 = ['2025-08', '2025-09', '2025-10'] as const;

/** Mint an embed token through the API, as a bank's backend does with its officer key. */
async function embedToken(f: ApiFixture, body: Record<string, unknown>): Promise<string> {
  const res = await client(f, () => f.keys.roles.officer).post('/v1/embed-tokens', body);
  assert.equal(res.status, 201, await res.clone().text());
  const minted = (await res.json()) as { token: string; expiresAt: string };
  assert.equal(Date.parse(minted.expiresAt) - NOW.getTime() <= 900_000, true, 'lives at most 15 minutes');
  return minted.token;
}

// The portal origin the tokens below name: the server answers it, as it must for a token to be minted for it.
forEachDialect('authentication and authorization', { corsOrigins: ['https://ebank.example'] }, (f) => {
  const admin = client(f);

  it('without a credential every /v1 route is a 401 problem; health, the document and the docs stay public', async () => {
    const anonymous = client(f, () => undefined);
    for (const path of ['/v1/subjects/A1/tiers', '/v1/schemes', '/v1/matrix/risk-value-test', '/v1/subjects', '/v1/nothing-here']) {
      const res = await anonymous.get(path);
      await problem(res, 401);
      assert.match(res.headers.get('WWW-Authenticate') ?? '', /^Bearer realm="tierkit"/);
    }
    await problem(await anonymous.put('/v1/subjects/A1', { kind: 'customer', displayName: '王五' }), 401);
    for (const path of ['/healthz', '/openapi.json', '/docs']) assert.equal((await f.app.request(path)).status, 200, path);
  });

  it('unknown keys, garbage, tampered and expired tokens are 401 invalid_token', async () => {
    await admin.customer('A2');
    const as = (credential: string) => client(f, () => credential);
    await invalidToken(await as('tk_' + 'x'.repeat(43)).get('/v1/schemes'));
    await invalidToken(await as('not-a-credential').get('/v1/schemes'));
    await invalidToken(await f.app.request('/v1/schemes', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } }));

    const token = await embedToken(f, { subject: 'A2' });
    assert.equal((await as(token).get('/v1/subjects/A2/tiers')).status, 200);
    // Rewrite the claims to another subject, keeping the signature: the signature no longer matches.
    const [body, sig] = token.slice(4).split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const forged = `tkt_${Buffer.from(JSON.stringify({ ...claims, sub: 'A3', exp: (claims.exp as number) + 3600 })).toString('base64url')}.${sig}`;
    await invalidToken(await as(forged).get('/v1/subjects/A3/tiers'));
    await invalidToken(await as(token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA')).get('/v1/subjects/A2/tiers'));

    const later = createApp({ db: f.db.db, now: () => new Date(NOW.getTime() + 901_000), logError: () => undefined });
    const expired = await later.request('/v1/subjects/A2/tiers', { headers: { Authorization: `Bearer ${token}` } });
    assert.match((await invalidToken(expired)).detail ?? '', /expired/);
  });

  it('an embed token reads its own subject and the schemes, and nothing else', async () => {
    await admin.customer('E1');
    await admin.balances(
      'E1',
      Q3.map((p) => [p, 60_000]),
    );
    await admin.customer('E2');
    const token = await embedToken(f, { subject: 'E1', origins: ['https://ebank.example'], ttlSeconds: 300 });
    const widget = client(f, () => token);
    const tiers = await widget.get('/v1/subjects/E1/tiers');
    assert.equal(tiers.status, 200);
    assert.equal(((await tiers.json()) as TiersResponse).assignments.find((a) => a.scheme === 'retail-tier')?.level, 'gold');
    for (const path of ['/v1/subjects/E1/history', '/v1/subjects/E1/entitlements', '/v1/schemes', '/v1/schemes/retail-tier']) {
      assert.equal((await widget.get(path)).status, 200, path);
    }
    assert.equal((await widget.get('/v1/subjects/E1/tiers', { Origin: 'https://ebank.example' })).status, 200, 'its own origin');

    await problem(await widget.get('/v1/subjects/E2/tiers'), 403);
    await problem(await widget.get('/v1/subjects/E2/history'), 403);
    await problem(
      await widget.put('/v1/subjects/E1/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 1 }] }),
      403,
    );
    await problem(await widget.put('/v1/subjects/E1', { kind: 'customer', displayName: '黑客' }), 403);
    await problem(await widget.get('/v1/matrix/risk-value-test'), 403);
    await problem(await widget.get('/v1/subjects?scheme=retail-tier&level=gold'), 403);
    await problem(await widget.post('/v1/embed-tokens', { subject: 'E2' }), 403);
    await problem(await widget.get('/v1/subjects/E1/tiers', { Origin: 'https://evil.example' }), 403);
    const retail = (await (await admin.get('/v1/subjects/E1/tiers')).json()) as TiersResponse;
    assert.equal(retail.assignments.find((a) => a.scheme === 'retail-tier')?.level, 'gold', 'the refused write changed nothing');
  });

  it('a token minted without origins may not be used from any browser page', async () => {
    await admin.customer('E3');
    const widget = client(f, () => token);
    const token = await embedToken(f, { subject: 'E3' });
    assert.equal((await widget.get('/v1/subjects/E3/tiers')).status, 200);
    await problem(await widget.get('/v1/subjects/E3/tiers', { Origin: 'http://localhost:8787' }), 403);
  });

  it('minting checks its input: a subject of the tenant, real origins, at most 15 minutes', async () => {
    const officer = client(f, () => f.keys.roles.officer);
    await admin.customer('E4');
    assert.ok(
      (await problem(await officer.post('/v1/embed-tokens', { subject: 'E4', ttlSeconds: 901 }), 400)).errors?.some(
        (e) => e.path === 'ttlSeconds',
      ),
    );
    assert.ok(
      (await problem(await officer.post('/v1/embed-tokens', { subject: 'E4', origins: ['javascript:alert(1)'] }), 400)).errors?.some(
        (e) => e.path === 'origins[0]',
      ),
    );
    await problem(await officer.post('/v1/embed-tokens', { subject: 'NOPE' }), 404);
    await problem(await client(f, 'b').post('/v1/embed-tokens', { subject: 'E4' }), 404);
  });

  it('roles: viewers and analysts read, officers write and mint embed tokens', async () => {
    await admin.customer('R1');
    const as = (role: keyof typeof f.keys.roles) => client(f, () => f.keys.roles[role]);
    const write = { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 100 }] };
    for (const role of ['viewer', 'analyst'] as const) {
      assert.equal((await as(role).get('/v1/subjects/R1/tiers')).status, 200);
      assert.equal((await as(role).get('/v1/matrix/risk-value-test')).status, 200, 'staff keys read the portfolio');
      assert.equal((await as(role).get('/v1/subjects')).status, 200);
      await problem(await as(role).put('/v1/subjects/R1/metrics', write), 403);
      await problem(await as(role).put('/v1/subjects/R9', { kind: 'customer', displayName: '王五' }), 403);
      await problem(await as(role).post('/v1/embed-tokens', { subject: 'R1' }), 403);
    }
    for (const role of ['officer', 'approver', 'admin'] as const)
      assert.equal((await as(role).put('/v1/subjects/R1/metrics', write)).status, 200, role);
    assert.equal((await as('officer').put('/v1/subjects/R2', { kind: 'customer', displayName: '王五' })).status, 201);
  });

  it('a staff token reads the whole tenant but writes nothing', async () => {
    await admin.customer('S1');
    const { token } = await mintStaffToken(f.db.db, { tenantId: 'bank-a', ttlSeconds: 600, now: NOW });
    const rm = client(f, () => token);
    assert.equal((await rm.get('/v1/matrix/risk-value-test')).status, 200);
    assert.equal((await rm.get('/v1/subjects?scheme=retail-tier&level=standard')).status, 200);
    assert.equal((await rm.get('/v1/subjects/S1/tiers')).status, 200);
    await problem(
      await rm.put('/v1/subjects/S1/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 1 }] }),
      403,
    );
    await problem(await rm.post('/v1/embed-tokens', { subject: 'S1' }), 403);
    await assert.rejects(mintStaffToken(f.db.db, { tenantId: 'bank-a', ttlSeconds: 901 }), /1…900 seconds/);
  });

  it('an unknown path is a 404 for every credential, and the same 401 as any path for none', async () => {
    await admin.customer('U1');
    const { token: staff } = await mintStaffToken(f.db.db, { tenantId: 'bank-a', ttlSeconds: 600, now: NOW });
    const embed = ((await (await admin.post('/v1/embed-tokens', { subject: 'U1' })).json()) as { token: string }).token;
    const credentials = { staff, embed, viewer: f.keys.roles.viewer, admin: f.keys.a };
    for (const path of ['/v1/schemes/retail-tier/versions/2', '/v1/no-such-thing', '/v1/subjects/U1/tiers/extra']) {
      for (const [name, credential] of Object.entries(credentials)) {
        const body = await problem(await client(f, () => credential).get(path), 404);
        assert.equal(body.type, 'https://tierkit.dev/problems/not-found', `${name} ${path}`);
      }
      // No credential: a missing one is refused before any route is looked for, so nothing tells which exist.
      const anonymous = await f.app.request(path);
      assert.equal(anonymous.status, 401, path);
      assert.equal(anonymous.status, (await f.app.request('/v1/schemes')).status);
    }
    // A route that exists still refuses a credential that may not use it.
    await problem(await client(f, () => staff).post('/v1/embed-tokens', { subject: 'U1' }), 403);
    await problem(await client(f, () => embed).get('/v1/subjects'), 403);
  });

  it('the credential decides the tenant: bank-b never sees bank-a’s subject, even by its id', async () => {
    await admin.customer('I1', '赵敏');
    await admin.balances(
      'I1',
      Q3.map((p) => [p, 400_000]),
    );
    const b = client(f, 'b');
    await problem(await b.get('/v1/subjects/I1/tiers'), 404);
    await problem(await b.get('/v1/subjects/I1/history'), 404);
    await problem(await b.put('/v1/subjects/I1/metrics', { metrics: [{ metric: 'avg_daily_balance', period: '2025-10', value: 1 }] }), 404);
    const list = (await (await b.get('/v1/subjects?scheme=retail-tier&level=platinum')).json()) as { items: { id: string }[] };
    assert.ok(!list.items.some((s) => s.id === 'I1'));
    // A tenant-looking header changes nothing.
    await problem(await b.get('/v1/subjects/I1/tiers', { 'X-Tenant': 'bank-a' }), 404);
    // A tenant-looking query is a parameter the route does not take: refused before anything is read, the
    // same answer for bank-a's subject as for an id no tenant has, so it tells nothing either.
    for (const id of ['I1', 'NO-SUCH-SUBJECT']) {
      const refused = await problem(await b.get(`/v1/subjects/${id}/tiers?tenant=bank-a`, { 'X-Tenant': 'bank-a' }), 400);
      assert.deepEqual(
        refused.errors?.map((e) => [e.path, e.code, e.params?.parameter]),
        [['query.tenant', 'unknown_parameter', 'tenant']],
        id,
      );
      assert.ok(!JSON.stringify(refused).includes('赵'), id);
    }
    // bank-b's token for the same id is about bank-b's subject (here: none).
    await b.customer('I1', '周芷若');
    const theirs = await client(f, 'b').post('/v1/embed-tokens', { subject: 'I1' });
    const token = ((await theirs.json()) as { token: string }).token;
    const body = (await (await client(f, () => token).get('/v1/subjects/I1/tiers')).json()) as TiersResponse;
    assert.equal(body.subject.displayName, '周*若');
    assert.equal(body.assignments.length, 0);
  });

  it('a revoked key stops working at once; rotating the signing key voids outstanding tokens', async () => {
    const { key, secret } = await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'admin', label: 'temp', now: NOW });
    const temp = client(f, () => secret);
    assert.equal((await temp.get('/v1/schemes')).status, 200);
    assert.equal(await revokeKey(f.db.db, key.id), true);
    await invalidToken(await temp.get('/v1/schemes'));
    assert.equal(await revokeKey(f.db.db, key.id), false, 'revoking twice says so');

    await admin.customer('K1');
    const token = await embedToken(f, { subject: 'K1' });
    assert.equal((await client(f, () => token).get('/v1/subjects/K1/tiers')).status, 200);
    await rotateSigningKey(f.db.db, 'bank-a');
    await invalidToken(await client(f, () => token).get('/v1/subjects/K1/tiers'));
    const fresh = await embedToken(f, { subject: 'K1' });
    assert.equal((await client(f, () => fresh).get('/v1/subjects/K1/tiers')).status, 200);
  });

  it('keys are stored as SHA-256 hashes: no secret is anywhere in the table', async () => {
    const rows = await f.db.db.selectFrom('api_keys').selectAll().execute();
    const stored = JSON.stringify(rows);
    for (const secret of [f.keys.a, f.keys.b, ...Object.values(f.keys.roles)]) {
      assert.ok(!stored.includes(secret), 'the secret is not stored');
      assert.ok(!stored.includes(secret.slice(10)), 'not even its tail');
      assert.ok(rows.some((r) => r.secret_hash === createHash('sha256').update(secret).digest('hex')));
    }
    const listed = await listKeys(f.db.db, 'bank-a');
    assert.ok(listed.length >= 5);
    assert.ok(!JSON.stringify(listed).includes('secret_hash'), 'listing shows no hashes');
  });

  it('the ops bootstrap key is created once, and never revived or widened', async () => {
    const secret = `tk_${'b0075742'.repeat(5)}`;
    const first = await ensureApiKey(f.db.db, { tenantId: 'bank-a', secret, role: 'admin', label: 'TIERKIT_ADMIN_KEY' });
    const again = await ensureApiKey(f.db.db, { tenantId: 'bank-a', secret, role: 'admin', label: 'TIERKIT_ADMIN_KEY' });
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(again.key.id, first.key.id);
    assert.equal((await client(f, () => secret).get('/v1/subjects')).status, 200);
    await assert.rejects(
      ensureApiKey(f.db.db, { tenantId: 'bank-b', secret, role: 'admin', label: 'x' }),
      /already exists for tenant "bank-a"/,
    );
    await assert.rejects(ensureApiKey(f.db.db, { tenantId: 'bank-a', secret: 'tk_short', role: 'admin', label: 'x' }), /at least 32/);
    await revokeKey(f.db.db, first.key.id);
    await assert.rejects(ensureApiKey(f.db.db, { tenantId: 'bank-a', secret, role: 'admin', label: 'x' }), /revoked/);
  });

  it('the OpenAPI document declares bearer auth and the 401/403 answers of every /v1 operation', async () => {
    type Doc = {
      security?: unknown[];
      components: { securitySchemes?: Record<string, { type: string; scheme: string }> };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const doc = (await (await f.app.request('/openapi.json')).json()) as Doc;
    assert.deepEqual(
      doc.components.securitySchemes?.bearer && {
        type: doc.components.securitySchemes.bearer.type,
        scheme: doc.components.securitySchemes.bearer.scheme,
      },
      { type: 'http', scheme: 'bearer' },
    );
    assert.deepEqual(doc.security, [{ bearer: [] }]);
    assert.ok(doc.paths['/v1/embed-tokens']?.post);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        assert.ok(op.responses['401'] && op.responses['403'], `${method} ${path} documents 401 and 403`);
      }
    }
  });
});
