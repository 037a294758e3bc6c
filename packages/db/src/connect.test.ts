import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { reusingStatements } from './connect.js';

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
