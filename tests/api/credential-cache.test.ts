import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, createApp, mintEmbedToken, CREDENTIAL_CACHE_SECONDS } from '@tierkit/api';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';

forEachDialect('credential cache: revocation from another process takes effect within the stated delay', (f) => {
  // An app whose clock the test moves; the fixture's app keeps its pinned clock.
  let clock = NOW.getTime();
  const app = () => createApp({ db: f.db.db, now: () => new Date(clock), logError: () => undefined });
  const get = (a: ReturnType<typeof createApp>, path: string, credential: string) =>
    a.request(path, { headers: { Authorization: `Bearer ${credential}` } });

  it(`a key revoked behind the app's back is refused once ${CREDENTIAL_CACHE_SECONDS} s have passed`, async () => {
    clock = NOW.getTime();
    const served = app();
    const { key, secret } = await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'viewer', label: 'revoked elsewhere', now: NOW });
    assert.equal((await get(served, '/v1/schemes', secret)).status, 200);
    // What `tierkit keys revoke` in another process does: only the row changes, no in-process signal.
    await f.db.db.updateTable('api_keys').set({ revoked_at: NOW.toISOString() }).where('id', '=', key.id).execute();
    clock += CREDENTIAL_CACHE_SECONDS * 1000 - 1;
    assert.equal((await get(served, '/v1/schemes', secret)).status, 200, 'still trusted inside the stated delay');
    clock += 1;
    const refused = await get(served, '/v1/schemes', secret);
    assert.equal(refused.status, 401, 'refused once the delay has passed');
    assert.equal(((await refused.json()) as { type: string }).type.endsWith('/invalid-token'), true);
  });

  it('a retired signing key voids its tokens within the same delay; a fresh app checks at once', async () => {
    clock = NOW.getTime();
    const served = app();
    await client(f).customer('CC1');
    const { token } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'CC1', now: NOW });
    assert.equal((await get(served, '/v1/subjects/CC1/tiers', token)).status, 200);
    await f.db.db
      .updateTable('signing_keys')
      .set({ retired_at: NOW.toISOString() })
      .where('tenant_id', '=', 'bank-a')
      .where('retired_at', 'is', null)
      .execute();
    assert.equal((await get(app(), '/v1/subjects/CC1/tiers', token)).status, 401, 'an app that never saw the token asks the database');
    clock += CREDENTIAL_CACHE_SECONDS * 1000;
    assert.equal((await get(served, '/v1/subjects/CC1/tiers', token)).status, 401);
  });

  it('a cached token still expires at its own expiry, however long the cache would keep it', async () => {
    clock = NOW.getTime();
    const served = app();
    await client(f).customer('CC2');
    const { token, expiresAt } = await mintEmbedToken(f.db.db, { tenantId: 'bank-a', subject: 'CC2', ttlSeconds: 2, now: NOW });
    assert.equal((await get(served, '/v1/subjects/CC2/tiers', token)).status, 200);
    clock = new Date(expiresAt).getTime();
    assert.equal((await get(served, '/v1/subjects/CC2/tiers', token)).status, 401);
  });
});
