import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createApp, IDEMPOTENCY_LEASE_MS, IDEMPOTENCY_TTL_MS } from '@tierkit/api';
import type { Problem } from '@tierkit/core';
import type { Database } from '@tierkit/db';
import { InsertQueryNode, type Kysely, type KyselyPlugin, SelectQueryNode, TableNode } from 'kysely';
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

/** How many embed-token writes ran in `bank-a`: each leaves one intent record before it runs. */
async function intents(f: ApiFixture): Promise<number> {
  const rows = await f.db.db
    .selectFrom('audit_records')
    .select('seq')
    .where('chain', '=', 'bank-a')
    .where('phase', '=', 'intent')
    .where('route', '=', '/v1/embed-tokens')
    .execute();
  return rows.length;
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

/**
 * A database whose first plain `SELECT … FROM subjects` after an `Idempotency-Key` is claimed waits
 * for `open()`: the request that claimed the key is held mid-run, as a slow one is, while others run.
 * A read outside a transaction holds no writer, on either dialect, so the others are not held with it.
 */
function heldAfterClaim(db: Kysely<Database>) {
  let claimed = false;
  let holding: 'not yet' | 'next result' | 'done' = 'not yet';
  let reached: () => void = () => undefined;
  let open: () => void = () => undefined;
  const reachedP = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const plugin: KyselyPlugin = {
    transformQuery({ node }) {
      if (InsertQueryNode.is(node) && node.into?.table.identifier.name === 'idempotency_keys') claimed = true;
      else if (claimed && holding === 'not yet' && SelectQueryNode.is(node)) {
        const from = node.from?.froms[0];
        if (from && TableNode.is(from) && from.table.identifier.name === 'subjects') holding = 'next result';
      }
      return node;
    },
    // The result is that query's, matched by order rather than id: a repository may run a query it
    // compiled once under a fresh id, and only the held request runs until `reached`.
    async transformResult({ result }) {
      if (holding === 'next result') {
        holding = 'done';
        reached();
        await opened;
      }
      return result;
    },
  };
  return { db: db.withPlugin(plugin), reached: reachedP, open };
}

forEachDialect('Idempotency-Key while its first request runs', (f) => {
  const officer = () => f.keys.roles.officer;

  it('a duplicate is a 409 idempotency-key-in-use with Retry-After, not conflict; once answered, the key replays', async () => {
    await client(f).customer('IF1');
    const ran = await intents(f);
    const gate = heldAfterClaim(f.db.db);
    const app = createApp({ db: gate.db, now: () => NOW, logError: () => undefined, idempotencyWaitMs: 0 });
    const body = { subject: 'IF1', ttlSeconds: 300 };
    const first = Promise.resolve(post(f, officer(), 'in-flight-1', body, app));
    await Promise.race([gate.reached, first.then((r) => assert.fail(`the first request answered ${r.status} without being held`))]);
    const duplicate = await post(f, officer(), 'in-flight-1', body, app);
    const refused = (await duplicate.json()) as Problem;
    assert.equal(duplicate.status, 409, JSON.stringify(refused));
    assert.equal(refused.type, 'https://tierkit.dev/problems/idempotency-key-in-use');
    assert.equal(duplicate.headers.get('Retry-After'), '1');
    // Another body under the key while it runs is still the reuse, not a wait.
    const other = await post(f, officer(), 'in-flight-1', { subject: 'IF1', ttlSeconds: 60 }, app);
    assert.equal(other.status, 422);
    assert.equal(((await other.json()) as Problem).type, 'https://tierkit.dev/problems/idempotency-key-reused');
    gate.open();
    const answered = await first;
    assert.equal(answered.status, 201);
    const text = await answered.text();
    const retried = await post(f, officer(), 'in-flight-1', body, app);
    assert.equal(retried.status, 201);
    assert.equal(retried.headers.get('Idempotent-Replayed'), 'true');
    assert.equal(await retried.text(), text, 'the retry gets the first request’s answer');
    assert.equal(await intents(f), ran + 1, 'the work ran once');
  });
});

forEachDialect('Idempotency-Key whose first request’s instance died', (f) => {
  const officer = () => f.keys.roles.officer;

  it('a reservation its holder stopped renewing is refused until its lease lapses by the database’s clock, then taken over and run once', async () => {
    await client(f).customer('IL1');
    const ran = await intents(f);
    const key = 'dead-holder-1';
    const body = { subject: 'IL1', ttlSeconds: 300 };
    // What a killed instance leaves behind: a running reservation nobody renews. A real request claims
    // it (so actor and hash are the retry's) and is held mid-run; then its holder is made someone gone.
    const gate = heldAfterClaim(f.db.db);
    const before = Date.now();
    const first = Promise.resolve(post(f, officer(), key, body, createApp({ db: gate.db, now: () => NOW, logError: () => undefined })));
    assert.equal(await Promise.race([gate.reached.then(() => 'held'), first.then((r) => `answered ${r.status}`)]), 'held');
    const after = Date.now();
    const row = await f.db.db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
    assert.equal(row.status, null);
    // The lease is the database's clock (this machine's) plus 15 s, whatever the instance's own clock says (NOW).
    const until = Date.parse(row.lease_until ?? '') - IDEMPOTENCY_LEASE_MS;
    assert.ok(until >= before - 1 && until <= after + 1, `${row.lease_until} is 15 s after the claim by the database's clock`);
    // The holder's process is gone: its row no longer names a live request, and nothing renews it.
    await f.db.db.updateTable('idempotency_keys').set({ holder: 'killed-instance' }).where('key', '=', key).execute();

    const at = (ms: number) =>
      createApp({ db: f.db.db, now: () => new Date(NOW.getTime() + ms), logError: () => undefined, idempotencyWaitMs: 0 });
    // An instance whose clock runs an hour ahead still sees the lease live: only the database's clock judges it.
    const early = await post(f, officer(), key, body, at(60 * 60_000));
    assert.equal(early.status, 409, 'within the lease the first request may still be running');
    assert.equal(((await early.json()) as Problem).type, 'https://tierkit.dev/problems/idempotency-key-in-use');

    // The lease lapses (by the database's clock, set back here rather than waited for).
    await f.db.db.updateTable('idempotency_keys').set({ lease_until: '2000-01-01T00:00:00.000Z' }).where('key', '=', key).execute();
    const retry = await post(f, officer(), key, body, at(0));
    assert.equal(retry.status, 201, await retry.clone().text());
    assert.equal(retry.headers.get('Idempotent-Replayed'), null, 'it ran, not replayed');
    const text = await retry.text();
    const again = await post(f, officer(), key, body, at(1000));
    assert.equal(again.headers.get('Idempotent-Replayed'), 'true');
    assert.equal(await again.text(), text);

    // The "killed" request finishing late must not overwrite the answer the retry stored.
    gate.open();
    await first;
    const stored = await f.db.db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
    assert.equal(stored.body, text, 'the takeover’s answer is the one kept');
    assert.equal(await intents(f), ran + 2, 'the dead request’s run and the retry’s');
  });

  it('a reservation from before leases is taken over 5 minutes after it was made, as before', async () => {
    await client(f).customer('IL2');
    const body = { subject: 'IL2', ttlSeconds: 300 };
    const first = await post(f, officer(), 'old-row-1', body);
    assert.equal(first.status, 201);
    await f.db.db
      .updateTable('idempotency_keys')
      .set({ status: null, body: null, content_type: null, holder: null, lease_until: null })
      .where('key', '=', 'old-row-1')
      .execute();
    const at = (ms: number) =>
      createApp({ db: f.db.db, now: () => new Date(NOW.getTime() + ms), logError: () => undefined, idempotencyWaitMs: 0 });
    assert.equal((await post(f, officer(), 'old-row-1', body, at(60_000))).status, 409);
    const retry = await post(f, officer(), 'old-row-1', body, at(5 * 60_000 + 1000));
    assert.equal(retry.status, 201);
    assert.equal(retry.headers.get('Idempotent-Replayed'), null);
  });

  it('a live holder whose request pool is saturated still renews its lease on its own connection: a duplicate waiting past the lease is refused, and the work runs once', {
    timeout: 60_000,
  }, async () => {
    await client(f).customer('IL3');
    const ran = await intents(f);
    const body = { subject: 'IL3', ttlSeconds: 300 };
    // A 3 s lease renewed every second, and a duplicate that waits 1.5 leases: it is refused only if
    // renewals came through while the holder's request pool answered nothing. Only a stall of two
    // renewals (2 s) could let it in, and that is what the lease is for.
    const leaseMs = 3000;
    const gate = heldAt(f.db.db, 'signing_keys');
    const pool = saturable(gate.db);
    const holderApp = createApp({
      db: pool.db,
      idempotencyLeaseDb: f.db.db,
      now: () => NOW,
      logError: () => undefined,
      idempotencyLeaseMs: leaseMs,
    });
    const otherInstance = createApp({
      db: f.db.db,
      now: () => NOW,
      logError: () => undefined,
      idempotencyLeaseMs: leaseMs,
      idempotencyWaitMs: 1.5 * leaseMs,
    });
    const first = Promise.resolve(post(f, officer(), 'live-holder-1', body, holderApp));
    assert.equal(await Promise.race([gate.reached.then(() => 'held'), first.then((r) => `answered ${r.status}`)]), 'held');
    pool.saturate();
    try {
      const duplicate = await post(f, officer(), 'live-holder-1', body, otherInstance);
      assert.equal(duplicate.status, 409, 'never taken over while its holder runs');
    } finally {
      pool.free();
      gate.open();
    }
    assert.equal((await first).status, 201);
    assert.equal(await intents(f), ran + 1, 'the work ran once');
    const replayed = await post(f, officer(), 'live-holder-1', body, otherInstance);
    assert.equal(replayed.headers.get('Idempotent-Replayed'), 'true');
  });

  it('a running request that finds its key taken over says so in the error log', { timeout: 60_000 }, async () => {
    await client(f).customer('IL4');
    const gate = heldAt(f.db.db, 'signing_keys');
    let logged: (err: unknown) => void = () => undefined;
    const told = new Promise<unknown>((resolve) => {
      logged = resolve;
    });
    const holderApp = createApp({ db: gate.db, now: () => NOW, logError: (err) => logged(err), idempotencyLeaseMs: 300 });
    const first = Promise.resolve(post(f, officer(), 'lost-lease-1', { subject: 'IL4', ttlSeconds: 300 }, holderApp));
    await gate.reached;
    // Another instance took the key over (its lease lapsed while this request was stalled).
    try {
      await f.db.db.updateTable('idempotency_keys').set({ holder: 'another-instance' }).where('key', '=', 'lost-lease-1').execute();
      // The renewal timer is unref'd (it must not hold a server open), so on SQLite nothing else keeps
      // this process alive while we wait: without a timer of our own Node exits mid-file with status 0.
      const alive = setInterval(() => undefined, 1000);
      const err = await told.finally(() => clearInterval(alive));
      assert.match(String(err), /Idempotency-Key "lost-lease-1".*the POST may have run twice/);
    } finally {
      gate.open();
    }
    await first;
  });

  it('a POST that completes while a renewal is still on its way logs no lost lease', { timeout: 60_000 }, async () => {
    await client(f).customer('IL5');
    const errors: unknown[] = [];
    // A lease connection 40 ms away and a beat every 50 ms: the request below runs ~4 beats and
    // completes while a renewal is in flight, which then lands on a completed key and updates nothing.
    const leaseDb = lagging(f.db.db, 40);
    for (let i = 0; i < 5; i++) {
      const gate = heldAt(f.db.db, 'signing_keys');
      const app = createApp({
        db: gate.db,
        idempotencyLeaseDb: leaseDb,
        now: () => NOW,
        logError: (err) => errors.push(err),
        idempotencyLeaseMs: 150,
      });
      const res = Promise.resolve(post(f, officer(), `late-renewal-${i}`, { subject: 'IL5', ttlSeconds: 300 }, app));
      await gate.reached;
      await new Promise((resolve) => setTimeout(resolve, 130 + 7 * i));
      gate.open();
      assert.equal((await res).status, 201);
      // Let the renewal in flight land before looking at the log.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(errors.map(String), []);
  });
});

/** A database every query of which takes `ms` longer to get there, as a distant connection. */
function lagging(db: Kysely<Database>, ms: number) {
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, property) {
        const value = Reflect.get(t, property, t) as unknown;
        if (typeof value !== 'function') return value;
        if (typeof property === 'string' && /^execute/.test(property))
          return async (...args: unknown[]) => {
            await new Promise((resolve) => setTimeout(resolve, ms));
            return (value as (...a: unknown[]) => unknown).apply(t, args);
          };
        return (...args: unknown[]) => {
          const out = (value as (...a: unknown[]) => unknown).apply(t, args);
          return out !== null && typeof out === 'object' && !(out instanceof Promise) ? wrap(out) : out;
        };
      },
    });
  return wrap(db);
}

/**
 * A database that can be made to answer nothing, as a request pool whose every connection is taken:
 * after `saturate()`, each query waits until `free()`.
 */
function saturable(db: Kysely<Database>) {
  let waiting: Promise<void> | undefined;
  let free: () => void = () => undefined;
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, property) {
        const value = Reflect.get(t, property, t) as unknown;
        if (typeof value !== 'function') return value;
        if (typeof property === 'string' && /^execute/.test(property))
          return async (...args: unknown[]) => {
            await waiting;
            return (value as (...a: unknown[]) => unknown).apply(t, args);
          };
        return (...args: unknown[]) => {
          const out = (value as (...a: unknown[]) => unknown).apply(t, args);
          return out !== null && typeof out === 'object' && !(out instanceof Promise) ? wrap(out) : out;
        };
      },
    });
  return {
    db: wrap(db),
    saturate() {
      waiting = new Promise<void>((resolve) => {
        free = resolve;
      });
    },
    free() {
      waiting = undefined;
      free();
    },
  };
}

/**
 * A database whose first read of `table` waits for `open()`: a request that reads it after claiming
 * its key (the embed-token route reads its signing key) is held mid-run while its lease renewals,
 * writes through the same database, go on.
 */
function heldAt(db: Kysely<Database>, table: string) {
  const held = new Set<unknown>();
  let reached: () => void = () => undefined;
  let open: () => void = () => undefined;
  const reachedP = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let done = false;
  const plugin: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      const from = SelectQueryNode.is(node) ? node.from?.froms[0] : undefined;
      if (!done && from && TableNode.is(from) && from.table.identifier.name === table) {
        done = true;
        held.add(queryId);
      }
      return node;
    },
    async transformResult({ result, queryId }) {
      if (held.delete(queryId)) {
        reached();
        await opened;
      }
      return result;
    },
  };
  return { db: db.withPlugin(plugin), reached: reachedP, open };
}
