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
   * Only requests whose requester is one of `only`, or none of `except` (stored actors) — or a re-tier
   * job (`job:<id>`) one of them started, which acts for its starter as four eyes reads it
   * (personOfActor): a person's own requests, or everyone else's (`GET /v1/approvals?mine=`). The API
   * passes every credential of the caller's person (actorsOfPerson), so this is "same person", in SQL.
   */
  readonly requesters?: { readonly only: readonly string[] } | { readonly except: readonly string[] };
  /**
   * Requests the caller's role may not decide, left out (`GET /v1/approvals?mine=false`: what waits for
   * the caller is what they can act on). The API works them out from the policy in force, which says
   * who approves what (`approvalNeeds`): override requests by scheme, level and mode, lowering requests
   * by scheme; `all` leaves out every request of the kind (a role below any checker's).
   */
  readonly beyondRole?: {
    readonly all: boolean;
    readonly overrides: readonly { readonly scheme: string; readonly level: string; readonly mode: string }[];
    readonly loweringSchemes: readonly string[];
  };
  /**
   * Requests about these schemes left out — a customer's level in one, or a version of its rules: the
   * caller may not read them (the scheme's `readers`, an AML grade for a viewer). In the query, not after it: left out of a page
   * already read, a page held fewer than `limit` while more waited, or none with a cursor.
   */
  readonly notSchemes?: readonly string[];
  /**
   * Only requests about customers in these books now (a book-scoped approver's reach: their own book and
   * their teams'). Undefined: the whole tenant. Read by the sources about a customer (override requests).
   */
  readonly books?: readonly string[];
  readonly limit: number;
}

/**
 * The condition of `w.requesters` on a requester column of `tenantId`'s rows; undefined: no such filter.
 * The jobs the listed actors started are matched by a sub-query, not listed: a person whose key runs
 * the re-tiers by script has started thousands, which as bound parameters would slow every page and
 * pass the databases' limits (SQLite 32,766, PostgreSQL 65,535).
 */
export function requesterCondition(
  tenantId: string,
  column: Expression<string>,
  w: Pick<ApprovalsWindow, 'requesters'>,
): RawBuilder<SqlBool> | undefined {
  const r = w.requesters;
  if (r === undefined) return undefined;
  const actors = 'only' in r ? r.only : r.except;
  if (actors.length === 0) return 'only' in r ? sql<SqlBool>`1 = 0` : undefined;
  const list = sql.join(actors);
  const theirs = sql<SqlBool>`(${column} IN (${list}) OR ${column} IN (SELECT 'job:' || rj.id FROM jobs rj WHERE rj.tenant_id = ${tenantId} AND rj.requested_by IN (${list})))`;
  return 'only' in r ? theirs : sql<SqlBool>`NOT ${theirs}`;
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
