/*
 * Servers started together on one PostgreSQL database: the second waits for the first one's start-up
 * provisioning (a demo seed takes minutes), however long that takes next to a request's statement timeout.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { connect, migrateToLatest } from '@tierkit/db';
import { openDatabase, openSetupConnection, provisionOnce } from '@tierkit/ops';
import { sql } from 'kysely';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let pg: TestPostgres;
let url = '';

before(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase(`tierkit_provision_${process.pid}`, { migrated: true });
  const db = connect({ url });
  await migrateToLatest(db.db);
  await db.close();
});
after(() => pg.stop());

it('a second server waits for the first one’s provisioning however long it runs past a request’s statement timeout', {
  timeout: 60_000,
}, async () => {
  // 300 ms stands in for a request's 10 s; the first server's seed takes longer than that, in one statement.
  const env = { TIERKIT_PG_STATEMENT_TIMEOUT_MS: '300' };
  const requests = connect({ url, statementTimeoutMs: 300 });
  const order: string[] = [];
  let firstHolds: () => void = () => undefined;
  const holding = new Promise<void>((resolve) => {
    firstHolds = resolve;
  });
  try {
    const first = provisionOnce(
      requests,
      url,
      'bank-a',
      async (locked) => {
        firstHolds();
        await sql`SELECT pg_sleep(1.5)`.execute(locked.db);
        order.push('first seeded');
      },
      undefined,
      env,
    );
    await holding;
    let waited = false;
    const second = provisionOnce(
      requests,
      url,
      'bank-a',
      async () => {
        order.push('second found it done');
      },
      () => {
        waited = true;
      },
      env,
    );
    await Promise.all([first, second]);
    assert.ok(waited, 'the second was told it waits');
    assert.deepEqual(order, ['first seeded', 'second found it done']);
  } finally {
    await requests.close();
  }
});

it('a start migrates and provisions on one batch-timeout connection, and its lock goes with that connection', {
  timeout: 60_000,
}, async () => {
  const env = { TIERKIT_PG_STATEMENT_TIMEOUT_MS: '300', TIERKIT_PG_BATCH_STATEMENT_TIMEOUT_MS: '1800000' };
  const setup = openSetupConnection(url, env);
  assert.ok(setup, 'PostgreSQL gets one');
  assert.equal(openSetupConnection('/tmp/tierkit.db', env), undefined, 'SQLite needs none');
  const pid = async (db: { db: typeof setup.db }) =>
    (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(db.db)).rows[0]?.pid;
  const setupPid = await pid(setup);
  const db = await openDatabase(url, () => undefined, 'requests', setup);
  // The provisioning lock of bank-b, as another server's start asks for it: on a connection of its own, without waiting.
  const key = sql`hashtextextended(${'tierkit-provision:bank-b'}, 0)`;
  const freeElsewhere = () =>
    db.db.connection().execute(async (conn) => {
      const free = (await sql<{ free: boolean }>`SELECT pg_try_advisory_lock(${key}) AS free`.execute(conn)).rows[0]?.free === true;
      if (free) await sql`SELECT pg_advisory_unlock(${key})`.execute(conn);
      return free;
    });
  try {
    const seen = await provisionOnce(
      db,
      url,
      'bank-b',
      async (locked) => {
        // Taken once more and never released, as a body's unlock that never ran would leave it: a
        // session lock outlives everything but its connection.
        await sql`SELECT pg_advisory_lock(${key})`.execute(locked.db);
        return {
          pid: await pid(locked),
          timeout: (await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(locked.db)).rows[0]?.statement_timeout,
        };
      },
      undefined,
      env,
      setup,
    );
    assert.deepEqual(seen, { pid: setupPid, timeout: '30min' }, 'provisioned on the start-up connection, with batch work’s timeout');
    assert.equal(await pid(setup), setupPid, 'still open for the caller, who closes it');
    assert.equal(await freeElsewhere(), false, 'while the start-up connection stays open, its lock stays held: another server would wait');
  } finally {
    await setup.close();
  }
  // Closed with the start-up: the lock went with it, and another server provisions at once. PostgreSQL
  // ends the closed connection's backend, and with it its locks, a moment after the client hangs up:
  // wait (bounded) until that backend is gone, then the lock must be free.
  for (let tries = 0; tries < 200; tries++) {
    const alive = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ${setupPid}`.execute(db.db);
    if ((alive.rows[0]?.n ?? 0) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(await freeElsewhere(), true);
  let waited = false;
  await provisionOnce(
    db,
    url,
    'bank-b',
    async () => undefined,
    () => {
      waited = true;
    },
  );
  assert.equal(waited, false);
  await db.close();
});
