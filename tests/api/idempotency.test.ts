import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApp, IDEMPOTENCY_TTL_MS } from '@tierkit/api';
import type { Problem } from '@tierkit/core';
import { NOW, client, forEachDialect, type ApiFixture } from '../support/api-fixture.js';

function post(f: ApiFixture, credential: string, key: string | undefined, body: unknown, app = f.app) {
  return app.request('/v1/embed-tokens', {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${credential}`,
      'Content-Type': 'application/json',
      ...(key === undefined ? {} : { 'Idempotency-Key': key }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** How many writes with this Idempotency-Key really ran: each leaves one intent record before it runs. */
async function runs(f: ApiFixture, key: string): Promise<number> {
  const requestIds = await f.db.db
    .selectFrom('audit_records')
    .select('request_id')
    .where('chain', '=', 'bank-a')
    .where('phase', '=', 'intent')
    .where('request_id', 'like', `${key}%`)
    .execute();
  return requestIds.length;
}

forEachDialect('Idempotency-Key', (f) => {
  const officer = () => f.keys.roles.officer;

  it('the same key and body replay the stored response without running again; another body is a 422', async () => {
    await client(f).customer('ID1');
    await client(f).customer('ID2');
    const first = await post(f, officer(), 'key-1', { subject: 'ID1', ttlSeconds: 300 });
    assert.equal(first.status, 201);
    assert.equal(first.headers.get('Idempotent-Replayed'), null);
    const body = await first.text();
    // The same JSON with its keys in another order is the same request.
    const again = await post(f, officer(), 'key-1', '{"ttlSeconds":300,"subject":"ID1"}');
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('Idempotent-Replayed'), 'true');
    assert.match(again.headers.get('Content-Type') ?? '', /^application\/json/);
    assert.equal(await again.text(), body);

    const reused = await post(f, officer(), 'key-1', { subject: 'ID2', ttlSeconds: 300 });
    assert.equal(reused.status, 422);
    assert.match(((await reused.json()) as Problem).type, /idempotency-key-reused$/);

    const intents = await f.db.db
      .selectFrom('audit_records')
      .select(['phase', 'status'])
      .where('chain', '=', 'bank-a')
      .where('route', '=', '/v1/embed-tokens')
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      intents.map((r) => [r.phase, r.status]),
      [
        ['intent', null],
        ['result', 201],
        ['request', 201],
        ['request', 422],
      ],
      'one run; the replay and the refusal are recorded but never ran',
    );
  });

  it('keys belong to one credential: another key’s same Idempotency-Key runs on its own', async () => {
    const mine = await post(f, officer(), 'shared-key', { subject: 'ID1' });
    const theirs = await post(f, f.keys.roles.admin, 'shared-key', { subject: 'ID2' });
    assert.equal(mine.status, 201);
    assert.equal(theirs.status, 201);
    assert.equal(theirs.headers.get('Idempotent-Replayed'), null);
  });

  it('concurrent duplicates do the work once and all get the same answer', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        f.app.request('/v1/embed-tokens', {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${officer()}`,
            'Content-Type': 'application/json',
            'Idempotency-Key': 'concurrent-1',
            'X-Request-Id': `concurrent-1-${i}`,
          },
          body: JSON.stringify({ subject: 'ID1', ttlSeconds: 120 }),
        }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array(8).fill(201),
    );
    const bodies = new Set(await Promise.all(results.map((r) => r.text())));
    assert.equal(bodies.size, 1);
    assert.equal(results.filter((r) => r.headers.get('Idempotent-Replayed') === 'true').length, 7);
    assert.equal(await runs(f, 'concurrent-1'), 1, 'one intent: the work ran once');
  });

  it('a refused or invalid request is replayed as refused; keys expire after 24 hours; a bad key is a 400', async () => {
    const missing = await post(f, officer(), 'key-404', { subject: 'NOBODY' });
    assert.equal(missing.status, 404);
    const replayed = await post(f, officer(), 'key-404', { subject: 'NOBODY' });
    assert.equal(replayed.status, 404);
    assert.equal(replayed.headers.get('Idempotent-Replayed'), 'true');
    assert.match(replayed.headers.get('Content-Type') ?? '', /^application\/problem\+json/);

    const later = createApp({ db: f.db.db, now: () => new Date(NOW.getTime() + IDEMPOTENCY_TTL_MS + 1000), logError: () => undefined });
    const fresh = await post(f, officer(), 'key-1', { subject: 'ID2', ttlSeconds: 300 }, later);
    assert.equal(fresh.status, 201, 'the key from a day ago is forgotten: a new request under it runs');
    assert.equal(fresh.headers.get('Idempotent-Replayed'), null);

    for (const bad of ['', 'with space', 'x'.repeat(256), 'caf\u00e9']) {
      const res = await post(f, officer(), bad, { subject: 'ID1' });
      assert.equal(res.status, 400, JSON.stringify(bad));
      assert.match(((await res.json()) as Problem).detail ?? '', /idempotency-key/);
    }
    assert.equal((await post(f, officer(), undefined, { subject: 'ID1' })).status, 201, 'the header is optional');
  });
});
