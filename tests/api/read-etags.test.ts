import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApiKey, createApp } from '@tierkit/api';
import { LOCALES, type StaffTiersResponse, type TiersResponse } from '@tierkit/core';
import { findSubjectByExternalId, insertOverride } from '@tierkit/db';
import { client, forEachDialect } from '../support/api-fixture.js';

const Q3 = ['2025-08', '2025-09', '2025-10'] as const;

/** What `?locale=` promises: the full document with every all-locales text cut to one locale. */
function cut(value: unknown, locale: string): unknown {
  if (Array.isArray(value)) return value.map((v) => cut(v, locale));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === LOCALES.length && keys.every((k) => (LOCALES as readonly string[]).includes(k))) {
    return { [locale]: (value as Record<string, unknown>)[locale] };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cut(v, locale)]));
}

forEachDialect('read ETags: from the stored version, never stale; ?locale= spliced', (f) => {
  const api = client(f);

  it('?locale= is the full tiers document cut to that locale, for every locale and for one scheme', async () => {
    await api.customer('RE1');
    await api.balances(
      'RE1',
      Q3.map((p) => [p, 400_000]),
    );
    const full = await (await api.get('/v1/subjects/RE1/tiers')).json();
    for (const locale of LOCALES) {
      assert.deepEqual(await (await api.get(`/v1/subjects/RE1/tiers?locale=${locale}`)).json(), cut(full, locale), locale);
    }
    const one = (await (await api.get('/v1/subjects/RE1/tiers?scheme=retail-tier&locale=en')).json()) as TiersResponse;
    assert.deepEqual(one.assignments, [
      cut(
        (full as TiersResponse).assignments.find((a) => a.scheme === 'retail-tier'),
        'en',
      ),
    ]);
  });

  it('two apps (two processes) give one subject version the same ETag, and each honours the other’s', async () => {
    await api.customer('RE2');
    await api.balances(
      'RE2',
      Q3.map((p) => [p, 60_000]),
    );
    const other = createApp({ db: f.db.db, now: () => new Date('2025-11-15T04:00:00.000Z'), logError: () => undefined });
    const { secret } = await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'viewer', label: 'second app' });
    for (const route of ['tiers', 'tiers?locale=en', 'entitlements', 'history']) {
      const mine = await api.get(`/v1/subjects/RE2/${route}`);
      const etag = mine.headers.get('ETag') ?? '';
      assert.ok(etag, `${route} has an ETag`);
      const theirs = await other.request(`/v1/subjects/RE2/${route}`, { headers: { Authorization: `Bearer ${secret}` } });
      assert.equal(theirs.headers.get('ETag'), etag, `${route}: the same ETag in another app`);
      assert.deepEqual(await theirs.json(), await mine.json(), `${route}: the same body`);
      const again = await other.request(`/v1/subjects/RE2/${route}`, {
        headers: { Authorization: `Bearer ${secret}`, 'If-None-Match': etag },
      });
      assert.equal(again.status, 304, `${route}: 304 from the other app`);
    }
  });

  it('an override expiring by itself, with no write, changes the ETag: the old one gets the new body', async () => {
    let clock = new Date('2025-11-15T04:00:00.000Z');
    const app = createApp({ db: f.db.db, now: () => clock, logError: () => undefined });
    const { secret } = await createApiKey(f.db.db, { tenantId: 'bank-a', role: 'viewer', label: 'clock' });
    const get = (headers: Record<string, string> = {}) =>
      app.request('/v1/subjects/RE3/tiers', { headers: { Authorization: `Bearer ${secret}`, ...headers } });
    await api.customer('RE3');
    await api.balances(
      'RE3',
      Q3.map((p) => [p, 60_000]),
    );
    const subject = await findSubjectByExternalId(f.db.db, 'bank-a', 'RE3');
    assert.ok(subject);
    await insertOverride(
      f.db.db,
      'bank-a',
      subject.id,
      {
        id: 'ov-re3',
        scheme: 'retail-tier',
        level: 'diamond',
        mode: 'fixed',
        reason: 'VIP retention',
        expiresAt: '2025-11-20T00:00:00.000Z',
        requestedBy: 'rm-1',
        approvedBy: 'head-1',
      },
      clock.toISOString(),
    );
    const retail = (body: StaffTiersResponse) => body.assignments.find((a) => a.scheme === 'retail-tier');
    // Twice: the second answer comes from the read cache.
    for (let i = 0; i < 2; i++) {
      const before = await get();
      assert.equal(retail((await before.json()) as StaffTiersResponse)?.override?.id, 'ov-re3');
      assert.equal((await get({ 'If-None-Match': before.headers.get('ETag') ?? '' })).status, 304);
    }
    const etag = (await get()).headers.get('ETag') ?? '';

    clock = new Date('2025-11-21T04:00:00.000Z');
    const after = await get({ 'If-None-Match': etag });
    assert.equal(after.status, 200, 'the override expired: the old ETag is stale');
    assert.notEqual(after.headers.get('ETag'), etag);
    assert.equal(retail((await after.json()) as StaffTiersResponse)?.override, null);
  });
});
