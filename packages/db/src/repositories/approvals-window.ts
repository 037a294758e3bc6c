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
  /**
   * Only requests whose requester is one of `only`, or none of `except` (stored actors): a person's
   * own requests, or everyone else's (`GET /v1/approvals?mine=`). The API passes every actor of the
   * caller's person (actorsOfPerson), so this is four eyes' "same person", in SQL.
   */
  readonly requesters?: { readonly only: readonly string[] } | { readonly except: readonly string[] };
  readonly limit: number;
}

/** The condition of `w.requesters` on a requester column; undefined: no such filter. */
export function requesterCondition(column: Expression<string>, w: Pick<ApprovalsWindow, 'requesters'>): RawBuilder<SqlBool> | undefined {
  const r = w.requesters;
  if (r === undefined) return undefined;
  if ('only' in r) return r.only.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`${column} IN (${sql.join(r.only)})`;
  return r.except.length === 0 ? undefined : sql<SqlBool>`${column} NOT IN (${sql.join(r.except)})`;
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
