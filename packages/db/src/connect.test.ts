import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { connect, reusingStatements, SQLITE_PAGE_SIZE } from './connect.js';
import { isDatabaseBusy } from './sqlite-driver.js';

describe('reusingStatements', () => {
  it('hands out the same prepared statement for the same SQL text, a new one for new text', () => {
    const database = new SQLite(':memory:');
    const db = reusingStatements(database);
    const a = db.prepare('SELECT 1 AS one');
    assert.equal(db.prepare('SELECT 1 AS one'), a);
    assert.notEqual(db.prepare('SELECT 2 AS two'), a);
    assert.deepEqual(a.all([]), [{ one: 1 }]);
    database.close();
  });

  it('gives a statement that is still iterating a twin, so a stream and a query can overlap', () => {
    const database = new SQLite(':memory:');
    const db = reusingStatements(database);
    const sql = 'SELECT value FROM json_each(?)';
    const streaming = db.prepare(sql).iterate(['[1,2,3]']);
    assert.deepEqual(streaming.next().value, { value: 1 });
    assert.deepEqual(db.prepare(sql).all(['[7]']), [{ value: 7 }]);
    assert.deepEqual([...streaming], [{ value: 2 }, { value: 3 }]);
    database.close();
  });

  it('keeps at most `size` statements: past it, it starts over', () => {
    const database = new SQLite(':memory:');
    const db = reusingStatements(database, 2);
    const first = db.prepare('SELECT 1');
    assert.equal(db.prepare('SELECT 1'), first);
    db.prepare('SELECT 2');
    db.prepare('SELECT 3');
    assert.notEqual(db.prepare('SELECT 1'), first, 'forgotten after the bound was reached');
    database.close();
  });
});

describe('connect (SQLite)', () => {
  const pragma = async (db: ReturnType<typeof connect>, name: string) =>
    Object.values((await sql<Record<string, unknown>>`${sql.raw(`PRAGMA ${name}`)}`.execute(db.db)).rows[0] ?? {})[0];

  it('creates a new database with large pages, in WAL mode with synchronous NORMAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tierkit-connect-'));
    try {
      const db = connect({ url: join(dir, 'new.db') });
      await sql`CREATE TABLE t (x)`.execute(db.db);
      assert.equal(await pragma(db, 'page_size'), SQLITE_PAGE_SIZE);
      assert.equal(await pragma(db, 'journal_mode'), 'wal');
      assert.equal(await pragma(db, 'synchronous'), 1, 'NORMAL: the documented durability');
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves the page size of an existing database as it was created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tierkit-connect-'));
    try {
      const file = join(dir, 'old.db');
      const old = new SQLite(file);
      old.pragma('page_size = 4096');
      old.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
      old.close();
      const db = connect({ url: file });
      assert.equal(await pragma(db, 'page_size'), 4096);
      assert.deepEqual((await sql<{ x: number }>`SELECT x FROM t`.execute(db.db)).rows, [{ x: 1 }]);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('connect (SQLite): a reader beside the writer', { timeout: 20_000 }, () => {
  /** A fresh file database with one table, for `body`; removed after. */
  async function withFile(body: (db: ReturnType<typeof connect> & { file: string }) => Promise<void>) {
    const dir = mkdtempSync(join(tmpdir(), 'tierkit-rw-'));
    const file = join(dir, 'rw.db');
    const db = connect({ url: file });
    try {
      await sql`CREATE TABLE t (x INTEGER)`.execute(db.db);
      await body({ ...db, file });
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const xs = async (db: ReturnType<typeof connect>) =>
    (await sql<{ x: number }>`SELECT x FROM t ORDER BY x`.execute(db.db)).rows.map((r) => r.x);

  it('answers a plain SELECT while a transaction is open, from what is committed', () =>
    withFile(async (db) => {
      await sql`INSERT INTO t VALUES (1)`.execute(db.db);
      await db.db.transaction().execute(async (trx) => {
        await sql`INSERT INTO t VALUES (2)`.execute(trx);
        // With one connection behind a mutex this read would wait for the transaction: a deadlock here.
        assert.deepEqual(await xs(db), [1]);
        assert.deepEqual((await sql<{ x: number }>`SELECT x FROM t ORDER BY x`.execute(trx)).rows, [{ x: 1 }, { x: 2 }]);
      });
      assert.deepEqual(await xs(db), [1, 2], 'seen once committed');
    }));

  it('streams a SELECT, and answers a plain read committed while the stream is open', () =>
    withFile(async (db) => {
      await sql`INSERT INTO t VALUES (1), (2), (3)`.execute(db.db);
      const seen: number[] = [];
      for await (const row of db.db
        .selectFrom('t' as never)
        .select(sql<number>`x`.as('x'))
        .stream()) {
        seen.push((row as { x: number }).x);
        // A stream on the reader would hold its snapshot, and this read would miss the write.
        if (seen.length === 1) {
          const other = new SQLite(db.file);
          other.exec('INSERT INTO t VALUES (4)');
          other.close();
          assert.deepEqual(await xs(db), [1, 2, 3, 4]);
        }
      }
      assert.deepEqual(seen, [1, 2, 3]);
    }));

  it('sends a write, a write inside WITH, and a PRAGMA to the writer, in order with its transactions', () =>
    withFile(async (db) => {
      const order: string[] = [];
      let release!: () => void;
      const held = new Promise<void>((r) => {
        release = r;
      });
      const trx = db.db.transaction().execute(async (t) => {
        await sql`INSERT INTO t VALUES (1)`.execute(t);
        order.push('transaction');
        await held;
      });
      // Queued behind the open transaction, not refused by the read-only reader.
      const write = sql`WITH v(x) AS (SELECT 2) INSERT INTO t SELECT x FROM v`.execute(db.db).then(() => order.push('write'));
      for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
      assert.deepEqual(order, ['transaction']);
      release();
      await Promise.all([trx, write]);
      assert.deepEqual(order, ['transaction', 'write']);
      assert.deepEqual(await xs(db), [1, 2]);
      // The reader is query_only; a PRAGMA answered by it would say 1.
      assert.equal(Object.values((await sql<Record<string, number>>`PRAGMA query_only`.execute(db.db)).rows[0] ?? {})[0], 0);
    }));

  it('keeps an in-memory database on one connection, so reads see its writes', async () => {
    const db = connect({ url: ':memory:' });
    await sql`CREATE TABLE t (x INTEGER)`.execute(db.db);
    await db.db.transaction().execute((trx) => sql`INSERT INTO t VALUES (7)`.execute(trx));
    assert.deepEqual(await xs(db), [7]);
    await db.close();
  });

  it('waits for the write lock another process holds without blocking the thread, then writes', () =>
    withFile(async (db) => {
      const other = new SQLite(db.file);
      other.exec('BEGIN IMMEDIATE');
      const insert = sql`INSERT INTO t VALUES (1)`.execute(db.db);
      // SQLite's busy_timeout would sleep inside the call: no timer would fire until it gave up.
      let ticks = 0;
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (++ticks === 5) {
            clearInterval(timer);
            resolve();
          }
        }, 1);
      });
      other.exec('COMMIT');
      other.close();
      await insert;
      assert.deepEqual(await xs(db), [1]);
    }));

  it('gives up with SQLITE_BUSY when the lock is held for longer than a write waits', () =>
    withFile(async (db) => {
      const other = new SQLite(db.file);
      other.exec('BEGIN IMMEDIATE');
      try {
        await assert.rejects(
          db.db.transaction().execute((trx) => sql`INSERT INTO t VALUES (1)`.execute(trx)),
          (err) => isDatabaseBusy(err),
        );
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      assert.deepEqual(await xs(db), []);
    }));
});
