import { CompiledQuery, PostgresAdapter, sql, type Compilable, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Database } from '../schema.js';

/** What every repository function takes first: the database or an open transaction. */
export type Executor = Kysely<Database>;

/**
 * Run `fn` in the caller's transaction, or in a new one when there is none: for writes of several
 * statements that must land together (a row and the version bump that makes reads see it).
 */
export function atomically<T>(db: Executor, fn: (trx: Executor) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/**
 * Whether `db` is PostgreSQL: row locks, `FOR … UPDATE` and statements that see other transactions'
 * commits. SQLite has one writer at a time, whose transaction holds the whole file.
 */
export function isPostgres(db: Executor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Rows per multi-row INSERT: far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
export const INSERT_BATCH_ROWS = 500;

/** Split rows into INSERT-sized chunks. */
export function* chunks<T>(rows: readonly T[], size = INSERT_BATCH_ROWS): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/** Parse a JSON column written by these repositories. */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** The same, for nullable columns. */
export function parseJsonOrNull<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/** Compiled SQL of keyed batch statements, per dialect adapter, by key and batch length. */
const compiledSql = new WeakMap<object, Map<string, string>>();

/**
 * Run a multi-row statement over `rows` in batches of `size`, building and compiling the query once
 * per batch length and re-executing that SQL with each batch's values: with many batches, building a
 * Kysely query object each time costs more than the database spends writing. `build` must bind the
 * rows' values in the order of `Object.values(row)` and nothing else (an INSERT … VALUES, with any
 * ON CONFLICT clause referring only to `excluded` columns), or `bind` must push the values `build`
 * binds for a row, in the same order. With a `key` naming the statement, its
 * SQL is kept across calls too: a re-tier job writes a thousand rows per chunk and call, and
 * building a 16,000-value query per chunk cost more than SQLite spent writing it.
 */
export async function executeInBatches<R>(
  db: Executor,
  rows: readonly R[],
  size: number,
  build: (batch: readonly R[]) => Compilable,
  key?: string,
  bind: (row: R, out: unknown[]) => void = bindValues,
  /** The rows each batch returns (a statement with RETURNING), and the rows it inserted or changed. */
  returned?: (rows: readonly unknown[], affected: bigint | undefined) => void,
): Promise<void> {
  const compiled = key === undefined ? new Map<string, string>() : (sqlCacheOf(db) ?? new Map<string, string>());
  for (let i = 0; i < rows.length; i += size) {
    const end = Math.min(i + size, rows.length);
    const slot = `${key ?? ''}\u0000${end - i}`;
    const text = compiled.get(slot);
    if (text === undefined) {
      const query = build(rows.slice(i, end)).compile();
      compiled.set(slot, query.sql);
      const result = await db.executeQuery(query);
      returned?.(result.rows, result.numAffectedRows);
      continue;
    }
    // Straight from the rows into one parameter array: no batch copy, no row object per row.
    const parameters: unknown[] = [];
    for (let j = i; j < end; j++) bind(rows[j] as R, parameters);
    const result = await db.executeQuery(CompiledQuery.raw(text, parameters));
    returned?.(result.rows, result.numAffectedRows);
  }
}

/**
 * The row object with `columns` as keys and, in the same order, the values `push` pushes: for the
 * first batch of a length, which Kysely builds from row objects, from the function that binds rows.
 */
export function rowOfValues(columns: readonly string[], push: (out: unknown[]) => void): Record<string, unknown> {
  const values: unknown[] = [];
  push(values);
  const row: Record<string, unknown> = {};
  columns.forEach((column, i) => {
    row[column] = values[i];
  });
  return row;
}

/** The default binding of {@link executeInBatches}: a row object's values, in key order. */
function bindValues(row: unknown, out: unknown[]): void {
  for (const v of Object.values(row as Record<string, unknown>)) out.push(v);
}

/**
 * The keyed SQL of this database's dialect (a transaction shares its database's adapter); none when
 * a plugin may rewrite queries, since the SQL then depends on more than the dialect.
 */
function sqlCacheOf(db: Executor): Map<string, string> | undefined {
  const executor = db.getExecutor();
  if (executor.plugins.length > 0) return undefined;
  const adapter = executor.adapter;
  let cache = compiledSql.get(adapter);
  if (!cache) compiledSql.set(adapter, (cache = new Map()));
  return cache;
}

/**
 * `tenant_id = ?` for reads of an id range (a job chunk), written so that the query planner cannot
 * use it to pick a tenant-wide index: ids are unique across tenants, so the range is the selective
 * part, and SQLite otherwise scans the whole tenant for every chunk. Every row is still checked.
 */
export function rangeTenant(tenantId: string, column = 'tenant_id'): RawBuilder<SqlBool> {
  return sql<SqlBool>`coalesce(${sql.ref(column)}, '') = ${tenantId}`;
}

const PLACEHOLDER = '\u0000tierkit-parameter-';

/**
 * A query whose shape never changes, built and compiled once per dialect and then run with each
 * call's values. On the hot reads (a subject, its assignments, its overrides) building and compiling
 * the Kysely query cost more than SQLite spent running it. `build` gets a placeholder for each
 * argument and must use it only as a bound value (`where(col, '=', arg)`), never to decide the shape.
 */
export function reusableQuery<A extends readonly unknown[], O>(
  build: (db: Executor, ...args: { [K in keyof A]: A[K] }) => Compilable<O>,
): (db: Executor, ...args: A) => Promise<O[]> {
  // Keyed by the dialect's adapter: a transaction shares its database's, and SQL differs by dialect only.
  const compiled = new WeakMap<object, { sql: string; slots: readonly (number | { value: unknown })[] }>();
  return async (db, ...args) => {
    const adapter = db.getExecutor().adapter;
    let query = compiled.get(adapter);
    if (!query) {
      const placeholders = args.map((_, i) => `${PLACEHOLDER}${i}`) as unknown as A;
      const { sql: text, parameters } = build(db, ...placeholders).compile();
      const slots = parameters.map((p) =>
        typeof p === 'string' && p.startsWith(PLACEHOLDER) ? Number(p.slice(PLACEHOLDER.length)) : { value: p },
      );
      const used = new Set(slots.filter((s) => typeof s === 'number'));
      if (used.size !== args.length) throw new Error(`reusableQuery: the query binds ${used.size} of its ${args.length} arguments`);
      compiled.set(adapter, (query = { sql: text, slots }));
    }
    const values = query.slots.map((s) => (typeof s === 'number' ? args[s] : s.value));
    return (await db.executeQuery(CompiledQuery.raw(query.sql, values))).rows as O[];
  };
}
