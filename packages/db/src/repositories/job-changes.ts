import type { Executor } from './executor.js';

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
 * A page of the levels re-tier job `jobId` changed (its tier events, `actor` `job:<id>`), in event-id
 * order after `after`: of the customers in `books` now when given (a book-scoped reader's reach, as the
 * analytics cut it), leaving out `notSchemes` (the levels the reader may not read).
 */
export async function jobChangesPage(
  db: Executor,
  tenantId: string,
  jobId: string,
  opts: { readonly books?: readonly string[]; readonly notSchemes?: readonly string[]; readonly after?: string; readonly limit: number },
): Promise<JobChange[]> {
  let q = db
    .selectFrom('tier_events as e')
    .innerJoin('subjects as s', (j) => j.onRef('s.id', '=', 'e.subject_id').on('s.tenant_id', '=', tenantId))
    .select(['e.id', 's.external_id', 's.display_name', 'e.scheme', 'e.from_level', 'e.to_level', 'e.period'])
    .where('e.tenant_id', '=', tenantId)
    .where('e.actor', '=', `job:${jobId}`);
  const books = opts.books;
  if (books !== undefined) {
    // No book, no customer: `in ()` is no SQL.
    if (books.length === 0) return [];
    q = q.where('e.subject_id', 'in', (sub) =>
      sub
        .selectFrom('subject_managers')
        .select('subject_id')
        .where('tenant_id', '=', tenantId)
        .where('staff_id', 'in', [...books]),
    );
  }
  if (opts.notSchemes !== undefined && opts.notSchemes.length > 0) q = q.where('e.scheme', 'not in', [...opts.notSchemes]);
  if (opts.after !== undefined) q = q.where('e.id', '>', opts.after);
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
