import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey } from '@tierkit/api';
import type { Problem } from '@tierkit/core';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';
import { upsertStaff } from '@tierkit/db';

const PORTAL = 'https://ebank.example';

async function problem(res: Response, status: number, type: string): Promise<Problem> {
  const body = (await res.json()) as Problem;
  assert.equal(res.status, status, JSON.stringify(body));
  assert.ok(body.type.endsWith(`/${type}`), body.type);
  return body;
}

// What the bank's portal team found: the portal backend needed an officer key (every customer's AML and
// credit, overrides, imports) to mint, and a token minted for an origin the server does not answer failed
// only in the browser.
forEachDialect('the portal backend: an embedder key, and origins the server answers', { corsOrigins: [PORTAL] }, (f) => {
  let embedder = '';
  const portal = () => client(f, () => embedder);

  it('an embedder key mints a token that reads its customer, and is refused everywhere else with embedder-key', async () => {
    embedder = (await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'embedder', label: 'portal backend', now: NOW })).secret;
    await client(f).customer('C000777');
    await client(f).customer('C000005');
    const minted = await portal().post('/v1/embed-tokens', { subject: 'C000005', origins: [PORTAL] });
    assert.equal(minted.status, 201);
    const { token } = (await minted.json()) as { token: string };
    assert.equal((await client(f, () => token).get('/v1/subjects/C000005/tiers', { Origin: PORTAL })).status, 200);
    for (const path of [
      '/v1/subjects/C000777/tiers',
      '/v1/subjects/C000777/entitlements',
      '/v1/subjects',
      '/v1/schemes',
      '/v1/session',
      '/v1/keys',
    ])
      await problem(await portal().get(path), 403, 'embedder-key');
    await problem(await portal().post('/v1/subjects/C000777/overrides', {}), 403, 'embedder-key');
    await problem(await portal().put('/v1/subjects/C000777/metrics', { metrics: [] }), 403, 'embedder-key');
    await problem(await portal().post('/v1/jobs', { period: '2025-10' }), 403, 'embedder-key');
  });

  it('an admin issues an embedder key over HTTP, never an owned one', async () => {
    const made = await client(f).post('/v1/keys', { role: 'embedder', label: 'portal backend 2' });
    assert.equal(made.status, 201);
    const { key, secret } = (await made.json()) as { key: { role: string; staff: string | null }; secret: string };
    assert.deepEqual([key.role, key.staff], ['embedder', null]);
    assert.equal((await client(f, () => secret).post('/v1/embed-tokens', { subject: 'C000005' })).status, 201);
    await upsertStaff(f.db.db, 'bank-a', { id: 'OPS9', name: '运维', role: 'admin', scope: 'tenant' }, NOW.toISOString());
    const owned = await problem(await client(f).post('/v1/keys', { role: 'embedder', label: 'x', staff: 'OPS9' }), 400, 'validation');
    assert.equal(owned.errors?.[0]?.path, 'staff');
    await assert.rejects(createApiKey(f.db.db, { tenantId: 'bank-a', role: 'embedder', label: 'x', staffId: 'OPS9' }), /no owner/);
  });

  it('a token for an origin the server’s CORS allow-list leaves out is a 422 naming CORS_ORIGINS, and nothing is minted', async () => {
    for (const as of [portal(), client(f, () => f.keys.roles.officer)]) {
      const refused = await problem(
        await as.post('/v1/embed-tokens', { subject: 'C000005', origins: [PORTAL, 'https://new-ebank.example'] }),
        422,
        'origin-not-allowed',
      );
      assert.match(refused.detail ?? '', /CORS_ORIGINS/);
      assert.deepEqual(
        refused.errors?.map((e) => [e.path, e.code]),
        [['origins[1]', 'origin_not_allowed']],
      );
    }
    // The demo's default (`http://localhost:*`) is not this server's list.
    await problem(
      await portal().post('/v1/embed-tokens', { subject: 'C000005', origins: ['http://localhost:5173'] }),
      422,
      'origin-not-allowed',
    );
    assert.equal((await portal().post('/v1/embed-tokens', { subject: 'C000005', origins: [PORTAL] })).status, 201);
  });
});
