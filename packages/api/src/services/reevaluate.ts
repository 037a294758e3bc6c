import type { Evaluation, OverrideInfo, PriorAssignment, SubjectKind } from '@tierkit/core';
import {
  appendTierEvents,
  latestMetricPeriod,
  listActiveOverrides,
  listAssignments,
  loadMetricValues,
  upsertAssignments,
  type Executor,
  type Subject,
} from '@tierkit/db';
import { sortableId } from '../ids.js';
import { addMonths, monthRange, monthsBetween } from '../periods.js';
import { assignmentRows, evaluatePeriods } from './evaluate-periods.js';
import type { TenantPack } from './tenant-pack.js';

/** At most this many missed months are replayed one by one; older gaps start from a fresh state. */
const MAX_CATCH_UP_MONTHS = 36;

/** What re-evaluating a subject did. */
export interface Reevaluation {
  readonly asOf: string | null;
  readonly evaluations: readonly Evaluation[];
  readonly changes: number;
}

/**
 * Re-evaluate every scheme of a subject at its latest period with data and store the result:
 * assignments replaced, one tier event per level change. Months since the last evaluation are
 * replayed in order so hysteresis counts them; the same month evaluated again starts from the
 * state before it, so repeating a write changes nothing. Run it inside the write's transaction.
 */
export async function reevaluateSubject(
  trx: Executor,
  tp: TenantPack,
  subject: Subject,
  now: Date,
  actor = 'system',
): Promise<Reevaluation> {
  const tenantId = tp.tenantId;
  const latest = await latestMetricPeriod(trx, tenantId, subject.id);
  if (latest === undefined) return { asOf: null, evaluations: [], changes: 0 };
  const stored = await listAssignments(trx, tenantId, subject.id);
  const storedPeriod = stored.reduce<string | undefined>((max, a) => (max === undefined || a.period > max ? a.period : max), undefined);

  let periods: string[];
  const start: Record<string, PriorAssignment | undefined> = {};
  if (storedPeriod === undefined) {
    periods = [latest];
  } else if (latest <= storedPeriod) {
    periods = [storedPeriod];
    for (const a of stored) start[a.scheme] = a.base.level === null ? undefined : { level: a.base.level, periodsBelow: a.base.periodsBelow };
  } else {
    const gap = monthsBetween(storedPeriod, latest);
    periods = monthRange(addMonths(latest, -Math.min(gap, MAX_CATCH_UP_MONTHS) + 1), latest);
    for (const a of stored) start[a.scheme] = { level: a.level, periodsBelow: a.periodsBelow };
  }
  const shown = Object.fromEntries(stored.map((a) => [a.scheme, a.level]));
  const first = periods[0] ?? latest;
  const last = periods[periods.length - 1] ?? latest;
  const values = await loadMetricValues(trx, tenantId, subject.id, addMonths(first, -(tp.compiled.monthsNeeded - 1)), last);
  const nowIso = now.toISOString();
  const overrides: Record<string, OverrideInfo> = {};
  for (const o of await listActiveOverrides(trx, tenantId, subject.id, nowIso)) overrides[o.scheme] = o;

  const run = evaluatePeriods(tp.compiled, subject.kind as SubjectKind, values, periods, start, shown, overrides);
  const rows = assignmentRows(run, subject.id, last, nowIso);
  await upsertAssignments(trx, tenantId, rows);
  await appendTierEvents(
    trx,
    tenantId,
    run.events.map((ev) => ({
      id: sortableId(now),
      subjectId: subject.id,
      scheme: ev.scheme,
      from: ev.from,
      to: ev.to,
      at: nowIso,
      reason: ev.reason,
      ruleId: ev.ruleId,
      note: periods.length > 1 ? `evaluated ${ev.period}` : null,
      actor,
      approvedBy: null,
      policyVersion: ev.policyVersion,
    })),
  );
  return { asOf: last, evaluations: run.final, changes: run.events.length };
}
