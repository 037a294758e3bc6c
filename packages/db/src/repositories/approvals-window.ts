import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { isPostgres, type Executor } from './executor.js';

/**
 * One page's worth of one kind of pending request, in the approvals queue's order: request time,
 * then id, both compared as the API compares them in memory — code unit by code unit. SQLite's
 * default BINARY collation does so already (UTF-8 byte order, the same for every character of the
 * Basic Multilingual Plane); PostgreSQL compares by the database's collation unless told `"C"`.
 */
export interface ApprovalsWindow {
  readonly scheme?: string;
  /** External id of the subject. */
  readonly subject?: string;
  /** Only requests made at or before this instant (ISO 8601 as stored): "waiting at least so long". */
  readonly requestedAtOrBefore?: string;
  /**
   * Only requests after this position. `id: null` means after every request at `at`; `''` means
   * every request at `at` (no id is empty).
   */
  readonly after?: { readonly at: string; readonly id: string | null };
  readonly limit: number;
}

/** `expr` compared byte by byte on either dialect. */
export function codeUnitOrder(db: Executor, expr: Expression<string>): RawBuilder<string> {
  return isPostgres(db) ? sql<string>`(${expr} COLLATE "C")` : sql<string>`${expr}`;
}

/** The keyset condition of `after` on (`at`, `id`), both already in code-unit order. */
export function afterPosition(
  at: RawBuilder<string>,
  id: RawBuilder<string>,
  after: NonNullable<ApprovalsWindow['after']>,
): RawBuilder<SqlBool> {
  if (after.id === null) return sql<SqlBool>`${at} > ${after.at}`;
  // The leading `>=` is a range an index on the time can start from; the OR alone is not, to SQLite.
  return sql<SqlBool>`(${at} >= ${after.at} AND (${at} > ${after.at} OR ${id} > ${after.id}))`;
}
