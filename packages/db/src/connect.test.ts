import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { connect, reusingStatements, SQLITE_PAGE_SIZE } from './connect.js';

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
