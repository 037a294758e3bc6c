import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CamelCasePlugin, sql, type Kysely } from 'kysely';
import { connect } from '../connect.js';
import { executeInBatches, type Executor } from './executor.js';

type Row = { id: number; name: string };

/** A throwaway SQLite database with one table, and a counter of the queries `build` made. */
async function setup() {
  const { db, close } = connect({ url: ':memory:' });
  await sql`CREATE TABLE t (id integer primary key, name text not null)`.execute(db);
  const built: number[] = [];
  const build = (target: Executor) => (batch: readonly Row[]) => {
    built.push(batch.length);
    return (target as unknown as Kysely<{ t: Row }>).insertInto('t').values([...batch]);
  };
  const rows = async () => (await sql<Row>`SELECT id, name FROM t ORDER BY id`.execute(db)).rows;
  return { db, close, built, build, rows };
}

const make = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i, name: `n${from + i}` }));

describe('executeInBatches', () => {
  it('with a key, builds a statement once per batch length across calls and transactions, and writes every row', async () => {
    const { db, close, built, build, rows } = await setup();
    await executeInBatches(db, make(1, 5), 2, build(db), 'test.insert');
    await db.transaction().execute((trx) => executeInBatches(trx, make(6, 4), 2, build(trx), 'test.insert'));
    await executeInBatches(db, make(10, 1), 2, build(db), 'test.insert');
    assert.deepEqual(built, [2, 1], 'lengths 2 and 1 built once each; later batches reuse their SQL');
    assert.deepEqual(await rows(), make(1, 10));
    await close();
  });

  it('without a key, or when a plugin may rewrite the SQL, builds again on every call', async () => {
    const { db, close, built, build, rows } = await setup();
    await executeInBatches(db, make(1, 2), 2, build(db));
    await executeInBatches(db, make(3, 2), 2, build(db));
    const camel = db.withPlugin(new CamelCasePlugin()) as Executor;
    await executeInBatches(camel, make(5, 2), 2, build(camel), 'test.plugin');
    await executeInBatches(camel, make(7, 2), 2, build(camel), 'test.plugin');
    assert.deepEqual(built, [2, 2, 2, 2]);
    assert.deepEqual(await rows(), make(1, 8));
    await close();
  });
});
