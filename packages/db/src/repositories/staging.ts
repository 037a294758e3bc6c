import type { CreateTableBuilder, Kysely } from 'kysely';
import { isPostgres, type Executor } from './executor.js';

/**
 * An import's file staged in the importing transaction's connection rather than in the process's
 * memory. Temporary tables: no other session sees them, they go with the transaction (PostgreSQL drops
 * them at its commit; a rollback removes them on both dialects) and SQLite spills them to a temporary
 * file past its page cache, so a file of a million customers costs pages, not heap.
 */
export function temporaryTable<T extends string>(trx: Executor, name: T): CreateTableBuilder<T, never> {
  if (!trx.isTransaction) throw new Error(`${name}: an import's staging table lives in a transaction`);
  const table = (trx as unknown as Kysely<unknown>).schema.createTable(name).temporary();
  return isPostgres(trx) ? table.onCommit('drop') : table;
}

/** Drop staging tables before the commit (SQLite keeps a temporary table for the connection's life). */
export async function dropStaging(trx: Executor, names: readonly string[]): Promise<void> {
  for (const name of names) await (trx as unknown as Kysely<unknown>).schema.dropTable(name).ifExists().execute();
}
