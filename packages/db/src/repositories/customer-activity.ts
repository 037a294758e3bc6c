import { type Expression, type ExpressionBuilder, sql, type SqlBool } from 'kysely';
import type { Database } from '../schema.js';
import { chunks, type Executor } from './executor.js';

/*
 * What the book records of a customer as a live customer, for the end of the relationship that the AML
 * retention counts from (docs/operations.md, "Retention and erasure"):
 *
 * - a month's metrics (`metrics.period`): the customer's own balances and transactions, the "transaction
 *   records" of the AML rule;
 * - a person's decision about them (`approval_decisions`): a checker approving, rejecting or revoking an
 *   override or a level sign-off (an AML 高 vouched for), a periodic review, an override request filed or
 *   edited. The steps made by the system are not: a sign-off a re-tier opened or superseded comes from
 *   the metrics already counted, and a withdrawal is what a closing itself does.
 *
 * Not tier events: they are the bank's computation from those metrics, and a re-tier of a customer the
 * bank did not yet know had left writes them from no new data (a level held, a downgrade as the
 * balances stop), which would date the end by the bank's own processing. Not when a row was written:
 * loading last year's figures today is not activity today.
 */

/** Decision steps a person takes about a customer of the bank, whatever the request. */
const DECIDED = ['approved', 'rejected', 'revoked', 'reviewed'] as const;
/** Steps of an override request its filer takes (a sign-off is requested by a re-tier, not a person). */
const FILED = ['requested', 'edited'] as const;

function personsStep(eb: ExpressionBuilder<Database, 'approval_decisions'>): Expression<SqlBool> {
  return eb.or([
    eb('approval_decisions.action', 'in', DECIDED),
    eb.and([eb('approval_decisions.kind', '=', 'override'), eb('approval_decisions.action', 'in', FILED)]),
  ]);
}

/** A customer's latest recorded activity: the last month with metrics, the last person's decision (ISO UTC). */
export interface CustomerActivity {
  readonly lastPeriod: string | null;
  readonly lastDecisionAt: string | null;
}

/**
 * The latest activity of each of `subjectIds` (internal ids) of the tenant; a customer with none is
 * absent. Two index reads per batch: metrics by (subject, period), decisions by (tenant, subject).
 */
export async function customerActivity(
  db: Executor,
  tenantId: string,
  subjectIds: readonly string[],
): Promise<Map<string, CustomerActivity>> {
  const out = new Map<string, { lastPeriod: string | null; lastDecisionAt: string | null }>();
  const of = (id: string) => {
    let a = out.get(id);
    if (!a) out.set(id, (a = { lastPeriod: null, lastDecisionAt: null }));
    return a;
  };
  for (const batch of chunks([...new Set(subjectIds)])) {
    const periods = await db
      .selectFrom('metrics')
      .select(['subject_id', (eb) => eb.fn.max('period').as('last')])
      .where('tenant_id', '=', tenantId)
      .where('subject_id', 'in', batch)
      .groupBy('subject_id')
      .execute();
    for (const r of periods) of(r.subject_id).lastPeriod = r.last;
    const decisions = await db
      .selectFrom('approval_decisions')
      .select(['subject_id', (eb) => eb.fn.max('at').as('last')])
      .where('tenant_id', '=', tenantId)
      .where('subject_id', 'in', batch)
      .where(personsStep)
      .groupBy('subject_id')
      .execute();
    for (const r of decisions) if (r.subject_id !== null) of(r.subject_id).lastDecisionAt = r.last;
  }
  return out;
}

/**
 * Some activity of the customer (the outer query's `subjects` row) in the month `fromPeriod` or after,
 * or at `fromInstant` or after: the relationship did not end before then. One index probe each (a
 * customer's metrics by subject and month, their decisions by tenant and subject), made only for the
 * closed customers whose closing is past the cutoff.
 *
 * Metrics count only up to `untilPeriod` (the month the closing was recorded in, not the date it gives): a feed that goes on
 * sending figures for a closed customer is the bank's system, not the customer, and would otherwise
 * hold them for ever. A person's decision after the closing still counts: someone acted on them.
 */
export function activeSince(fromPeriod: string, fromInstant: string, untilPeriod: Expression<string>) {
  return (eb: ExpressionBuilder<Database, 'subjects'>): Expression<SqlBool> =>
    eb.or([
      eb.exists(
        eb
          .selectFrom('metrics as m')
          .select(sql.lit(1).as('one'))
          .whereRef('m.subject_id', '=', 'subjects.id')
          .where('m.period', '>=', fromPeriod)
          .where('m.period', '<=', untilPeriod),
      ),
      eb.exists(
        eb
          .selectFrom('approval_decisions')
          .select(sql.lit(1).as('one'))
          .whereRef('approval_decisions.tenant_id', '=', 'subjects.tenant_id')
          .whereRef('approval_decisions.subject_id', '=', 'subjects.id')
          .where('approval_decisions.at', '>=', fromInstant)
          .where(personsStep),
      ),
    ]);
}
