import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/** What every repository function takes first: the database or an open transaction. */
export type Executor = Kysely<Database>;

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
