import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { startBackgroundCheckpoints } from './checkpointer.js';
import { connect } from './connect.js';

const autocheckpoint = async (db: ReturnType<typeof connect>) =>
  Number(Object.values((await sql<Record<string, unknown>>`PRAGMA wal_autocheckpoint`.execute(db.db)).rows[0] ?? {})[0]);

describe('startBackgroundCheckpoints', () => {
  it('copies committed pages into the database file from its own thread, then gives checkpoints back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tierkit-checkpoints-'));
    const file = join(dir, 'book.db');
    const db = connect({ url: file });
    try {
      await sql`CREATE TABLE t (x TEXT)`.execute(db.db);
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db.db);
      const before = statSync(file).size;
      const stop = await startBackgroundCheckpoints(db.db);
      assert.ok((await autocheckpoint(db)) > 1000, 'the writer checkpoints only as a fallback meanwhile');
      // About 1 MB: far below the writer's own checkpoint threshold, so only the thread copies it.
      await sql`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) INSERT INTO t SELECT hex(randomblob(500)) FROM n`.execute(
        db.db,
      );
      // Bounded wait for the thread's next checkpoint (it runs every 200 ms); not a measure of speed.
      for (let i = 0; i < 250 && statSync(file).size === before; i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(statSync(file).size > before, 'the database file received the committed pages');
      await stop();
      assert.equal(await autocheckpoint(db), 1000, "SQLite's default again");
      assert.equal(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(db.db)).rows[0]?.n), 1000);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does nothing on an in-memory database', async () => {
    const db = connect({ url: ':memory:' });
    const stop = await startBackgroundCheckpoints(db.db);
    assert.equal(await autocheckpoint(db), 1000);
    await stop();
    await db.close();
  });
});
