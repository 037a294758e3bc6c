import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { connect } from './connect.js';
import { MIGRATIONS, MigrationError, migrateToLatest } from './migrate.js';
import { BUSY_WAIT_MS } from './sqlite-driver.js';

// Two processes opening one SQLite file after an upgrade (`npm start` and `tierkit import` or a
// worker) both migrate it. Two connections to the file are two processes to SQLite: its locks are the file's.
describe('migrating one SQLite file from two connections at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tierkit-migrate-lock-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs each migration once; neither start fails', async () => {
    const file = join(dir, 'tierkit.db');
    const a = connect({ url: file });
    const b = connect({ url: file });
    try {
      const [ranA, ranB] = await Promise.all([migrateToLatest(a.db), migrateToLatest(b.db)]);
      assert.deepEqual([...ranA, ...ranB].sort(), Object.keys(MIGRATIONS).sort(), 'every migration ran, by one of them, once');
      const recorded = await a.db
        .selectFrom('kysely_migration' as never)
        .select('name' as never)
        .execute();
      assert.equal(recorded.length, Object.keys(MIGRATIONS).length);
      assert.deepEqual(await migrateToLatest(b.db), [], 'and the file is current for both');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('waits for another process that holds the file longer than a write waits', async () => {
    const file = join(dir, 'held.db');
    await (await connect({ url: file })).close();
    const other = new SQLite(file);
    const db = connect({ url: file });
    try {
      other.exec('BEGIN IMMEDIATE');
      // Held past one write's wait: a start that gave up then would fail.
      const release = setTimeout(() => other.exec('COMMIT'), BUSY_WAIT_MS + 600);
      await assert.rejects(migrateToLatest(db.db, 0), (err: unknown) => err instanceof MigrationError && /locked/.test(err.message));
      const ran = await migrateToLatest(db.db);
      clearTimeout(release);
      assert.deepEqual(ran, Object.keys(MIGRATIONS), 'all of them, once the other process let go');
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await db.close();
    }
  });
});
