import { sql } from 'kysely';
import { type Executor, isPostgres } from './executor.js';
import { ofTenant } from './retention.js';

/**
 * `column = tenantId` as a check, never the way in. SQLite keeps no statistics and took the tenant's
 * index for it, reading the tenant's whole history (or every customer) sorted by id; PostgreSQL's
 * statistics make it a filter anyway, and hiding the column from them (`|| ''`) made it guess the
 * tenant's rows few and walk every customer of the tenant instead.
 */
const tenantCheck = (db: Executor, tenantId: string, column: string) =>
  isPostgres(db) ? sql<boolean>`${sql.ref(column)} = ${tenantId}` : ofTenant(tenantId, column);

/** One level a re-tier job changed: its tier event, with the customer's number and stored name. */
export interface JobChange {
  /** The tier event's id: the page's cursor. */
  readonly id: string;
  readonly externalId: string;
  readonly name: string;
  readonly scheme: string;
  readonly from: string | null;
  readonly to: string;
  readonly period: string | null;
}

/**
 * When a job's events can have been written: event ids (`sortableId`: their time first) from `idFrom`
 * and before `idBefore` (none while the job runs), their `at` from `atFrom`. `actor` has no index — an
 * index on tier events costs every re-tier write, a million a month — so without these bounds a read
 * walks every tenant's history; with them, the primary key's span of the job's run.
 */
export interface JobSpan {
  readonly idFrom: string;
  readonly idBefore?: string;
  readonly atFrom: string;
}

/**
 * A page of the levels re-tier job `jobId` changed (its tier events, `actor` `job:<id>`, within `span`),
 * in event-id order after `after`: of the customers in `books` now when given (a book-scoped reader's
 * reach, as the analytics cut it), leaving out `notSchemes` (the levels the reader may not read).
 */
export async function jobChangesPage(
  db: Executor,
  tenantId: string,
  jobId: string,
  span: JobSpan,
  opts: { readonly books?: readonly string[]; readonly notSchemes?: readonly string[]; readonly after?: string; readonly limit: number },
): Promise<JobChange[]> {
  let q = db
    .selectFrom('tier_events as e')
    .innerJoin('subjects as s', (j) => j.onRef('s.id', '=', 'e.subject_id').on(tenantCheck(db, tenantId, 's.tenant_id')))
    .select(['e.id', 's.external_id', 's.display_name', 'e.scheme', 'e.from_level', 'e.to_level', 'e.period'])
    // The span of the job's ids is the way in (or, for a few books, their customers); the tenant a check.
    .where(tenantCheck(db, tenantId, 'e.tenant_id'))
    .where('e.actor', '=', `job:${jobId}`)
    .where('e.id', '>', opts.after !== undefined && opts.after > span.idFrom ? opts.after : span.idFrom);
  if (span.idBefore !== undefined) q = q.where('e.id', '<', span.idBefore);
  const books = opts.books;
  if (books !== undefined) {
    // No book, no customer: `in ()` is no SQL.
    if (books.length === 0) return [];
    // A few books' customers, each from the subject index at the job's start rather than the span of ids.
    q = q.where('e.at', '>=', span.atFrom);
    q = q.where('e.subject_id', 'in', (sub) =>
      sub
        .selectFrom('subject_managers')
        .select('subject_id')
        .where('tenant_id', '=', tenantId)
        .where('staff_id', 'in', [...books]),
    );
  }
  if (opts.notSchemes !== undefined && opts.notSchemes.length > 0) q = q.where('e.scheme', 'not in', [...opts.notSchemes]);
  const rows = await q.orderBy('e.id').limit(opts.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    externalId: r.external_id,
    name: r.display_name,
    scheme: r.scheme,
    from: r.from_level,
    to: r.to_level,
    period: r.period,
  }));
}
