import { sql } from 'kysely';
import type { Executor } from './executor.js';
import { levelAtMonth, monthBefore } from './level-history.js';
import { latestRetierPeriod } from './retier-periods.js';

/** The change a customer is on a call list for: from one level to another at the re-tier of `period`. */
export interface ListedChange {
  readonly period: string;
  readonly from: string;
  readonly to: string;
}

/**
 * What each of a call list's page of subjects changed at the scheme's latest re-tier, month P (the
 * month `listSubjects`' `change` filter lists): their assignment's previous and current level while it
 * is at P; once the next month-end job has re-tiered them past P (running, or stopped part-way), their
 * level at the month before P and at P from their history, as the list found them — not where that
 * job has put them. A subject with no change at P (the month moved between the two reads) is absent.
 */
export async function callListChanges(
  db: Executor,
  tenantId: string,
  scheme: string,
  subjectIds: readonly string[],
): Promise<Map<string, ListedChange>> {
  const out = new Map<string, ListedChange>();
  if (subjectIds.length === 0) return out;
  const period = await latestRetierPeriod(db, tenantId, scheme);
  if (period === undefined) return out;
  const past = (month: string) =>
    sql<string | null>`case when ${sql.ref('a.period')} > ${period} then ${levelAtMonth(
      tenantId,
      scheme,
      sql.ref('a.subject_id'),
      month,
    )} end`;
  const rows = await db
    .selectFrom('assignments as a')
    .select(['a.subject_id', 'a.period', 'a.previous_level', 'a.level'])
    .select([past(monthBefore(period)).as('before_level'), past(period).as('after_level')])
    .where('a.tenant_id', '=', tenantId)
    .where('a.scheme', '=', scheme)
    .where('a.subject_id', 'in', [...subjectIds])
    .execute();
  for (const r of rows) {
    const [from, to] =
      r.period === period ? [r.previous_level, r.level] : r.period > period ? [r.before_level, r.after_level] : [null, null];
    if (from !== null && to !== null && from !== to) out.set(r.subject_id, { period, from, to });
  }
  return out;
}
