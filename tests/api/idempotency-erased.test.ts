import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApp } from '@tierkit/api';
import { authHeader, client, forEachDialect } from '../support/api-fixture.js';

/*
 * A retry after an erasure (docs/operations.md, "What is erased"): a kept answer an Idempotency-Key would
 * replay that names an erased customer loses its body. A re-tier job of two customers answers with both
 * numbers; once one is erased, a retry by its client with the same key must not queue the job again —
 * deleted whole, the key let it run a second time. It is refused, 409 `idempotency-key-erased`, and
 * nothing more is queued; the kept answer holds the number nowhere.
 */

const GONE = 'C880001';
const STAYS = 'C880002';
const ACTIVE = '2019-06-15T02:00:00Z';
const LEFT = '2019-07-01T02:00:00Z';

forEachDialect('a retry of a request whose answer named a customer since erased', (f) => {
  // The request and its retries are made on one day (within the key's 24 hours), through an app whose clock stands then.
  let activeApp: ReturnType<typeof createApp> | undefined;
  const retier = () =>
    (activeApp ??= createApp({ db: f.db.db, now: () => new Date(ACTIVE), logError: () => undefined })).request('/v1/jobs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'retier-two-customers', ...authHeader(f) },
      body: JSON.stringify({ kind: 'retier', period: '2019-05', filter: { subjects: [GONE, STAYS] } }),
    });
  const key = () => f.db.db.selectFrom('idempotency_keys').selectAll().where('key', '=', 'retier-two-customers').executeTakeFirst();
  /** The stored hash of the request whose body held both numbers, before the erasure. */
  let hashBefore: string | undefined;
  const jobs = async () => (await f.db.db.selectFrom('jobs').select('id').where('tenant_id', '=', 'bank-a').execute()).length;
  const then = (at: string, as: () => string | undefined) =>
    client({ ...f, app: createApp({ db: f.db.db, now: () => new Date(at), logError: () => undefined }) }, as);

  before(async () => {
    const active = then(ACTIVE, () => f.keys.a);
    for (const s of [GONE, STAYS]) {
      await active.customer(s, '欧阳明');
      const loaded = await then(ACTIVE, () => f.keys.roles.officer).balances(s, [
        ['2019-04', 100_000],
        ['2019-05', 100_000],
      ]);
      assert.equal(loaded.status, 200, await loaded.clone().text());
    }
    const queued = await retier();
    assert.equal(queued.status, 201, await queued.clone().text());
    assert.equal((await retier()).headers.get('idempotent-replayed'), 'true', 'before the erasure the key replays its answer');
    hashBefore = (await key())?.request_hash;
    const closed = await then(LEFT, () => f.keys.roles.officer).post(`/v1/subjects/${GONE}/close`, { reason: '主动销户' });
    assert.equal(closed.status, 200, await closed.clone().text());
    const run = await client(f).post('/v1/retention/run', {});
    assert.equal(run.status, 200, await run.clone().text());
    assert.equal(((await run.json()) as { erased: number }).erased, 1);
  });

  it('is refused with 409 idempotency-key-erased, and the job is not queued a second time', async () => {
    const before = await jobs();
    const again = await retier();
    const body = (await again.json()) as { type: string; detail: string };
    assert.equal(again.status, 409, JSON.stringify(body));
    assert.equal(body.type, 'https://tierkit.dev/problems/idempotency-key-erased');
    assert.match(body.detail, /already ran, and is not run again/);
    assert.notEqual(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(await jobs(), before, 'no second job');
    // A second retry is refused the same way: the key stays until its 24 hours are up.
    assert.equal((await retier()).status, 409);
    assert.equal(await jobs(), before);
  });

  it('keeps the key but not the answer: the erased number is not in the idempotency table', async () => {
    const rows = await f.db.db.selectFrom('idempotency_keys').selectAll().where('key', '=', 'retier-two-customers').execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.body, null);
    assert.ok(!JSON.stringify(rows).includes(GONE));
    // The request's hash was of a body holding the number, unsalted: a guessed body could be checked against it.
    assert.ok(hashBefore);
    assert.notEqual(rows[0]?.request_hash, hashBefore, 'the hash of the request that named them is gone');
  });

  it('a request of another body with the kept key is refused the same way, nothing queued', async () => {
    const before = await jobs();
    activeApp ??= createApp({ db: f.db.db, now: () => new Date(ACTIVE), logError: () => undefined });
    const other = await activeApp.request('/v1/jobs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'retier-two-customers', ...authHeader(f) },
      body: JSON.stringify({ kind: 'retier', period: '2019-05', filter: { subjects: [STAYS] } }),
    });
    const body = (await other.json()) as { type: string };
    assert.equal(other.status, 409, JSON.stringify(body));
    assert.equal(body.type, 'https://tierkit.dev/problems/idempotency-key-erased');
    assert.equal(await jobs(), before);
  });
});
