// PostgreSQL ends connections behind a pool's back: a failover, a restart, an idle timeout, an admin's
// pg_terminate_backend. An idle pooled connection that dies must not take the process with it (pg
// emits 'error' on the pool, an uncaught exception without a listener: every API server and worker
// crashed at once), and the next query opens a new connection.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { connect, migrateToLatest, type Db } from '@tierkit/db';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let server: TestPostgres;
let url: string;
let db: Db;
const lost: Error[] = [];

before(async () => {
  server = await startPostgres();
  url = await server.createDatabase(`tierkit_lost_${process.pid}`, { migrated: true });
  db = connect({ url, poolSize: 3, onConnectionLost: (e) => lost.push(e) });
  await migrateToLatest(db.db);
});
after(async () => {
  await db.close();
  await server.stop();
});

it('survives the server ending its idle connections, and the next query reconnects', async () => {
  // Three connections open at once, then idle in the pool.
  await Promise.all([1, 2, 3].map(() => sql`SELECT pg_sleep(0.05)`.execute(db.db)));
  const admin = connect({ url, poolSize: 1, onConnectionLost: () => undefined });
  let n = 0;
  try {
    const ended = await sql<{ n: number }>`
      SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`.execute(admin.db);
    n = ended.rows[0]?.n ?? 0;
    assert.ok(n >= 1, 'the pool had connections to end');
  } finally {
    await admin.close();
  }
  // Each idle client hears of its end on its own socket; wait until all of them have.
  for (let i = 0; i < 400 && lost.length < n; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(lost.length, n, 'the pool reported every lost connection');
  const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db.db);
  assert.deepEqual(rows, [{ one: 1 }]);
});

it('survives the server ending a connection inside a transaction: the transaction fails, the next query works', async () => {
  const admin = connect({ url, poolSize: 1, onConnectionLost: () => undefined });
  const before = lost.length;
  try {
    await assert.rejects(
      db.db.transaction().execute(async (trx) => {
        const pid = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx)).rows[0]?.pid;
        await sql`SELECT pg_terminate_backend(${pid})`.execute(admin.db);
        // Between two statements, as an import waiting for its next rows is.
        for (let i = 0; i < 400 && lost.length === before; i++) await new Promise((r) => setTimeout(r, 25));
        await sql`SELECT 1`.execute(trx);
      }),
    );
  } finally {
    await admin.close();
  }
  assert.ok(lost.length > before, 'reported');
  const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(db.db);
  assert.deepEqual(rows, [{ one: 1 }]);
});
