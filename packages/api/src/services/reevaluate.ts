import { nextPrior, periodEnd, type Evaluation, type OverrideInfo, type PriorAssignment, type SubjectKind } from '@tierkit/core';
import {
  appendTierEvents,
  latestMetricPeriod,
  listActiveDatedOverrides,
  listAssignments,
  loadMetricValues,
  upsertAssignments,
  type Executor,
  type Subject,
} from '@tierkit/db';
import { sortableId } from '../ids.js';
import { addMonths, monthRange, monthsBetween } from '../periods.js';
import { assignmentRows, evaluatePeriods } from './evaluate-periods.js';
import { syncLevelApprovals } from './level-approvals.js';
import type { TenantPack } from './tenant-pack.js';
import type { StoredState } from './views.js';

/**
 * At most this many months up to the latest are replayed one by one. A longer gap skips the months
 * before them: the replay still starts from the stored state, as if those months had not been evaluated.
 */
const MAX_CATCH_UP_MONTHS = 36;

/** What re-evaluating a subject did. */
export interface Reevaluation {
  readonly asOf: string | null;
  readonly evaluations: readonly Evaluation[];
  readonly changes: number;
  /** What it stored and the overrides in force, when it stored anything (for the write's response). */
  readonly stored?: StoredState;
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

  // Months to evaluate, and the months before them whose data is needed to recover the start state.
  let periods: string[];
  const start: Record<string, PriorAssignment | undefined> = {};
  const base: Record<string, PriorAssignment | undefined> = {};
  for (const a of stored) base[a.scheme] = a.base.level === null ? undefined : { level: a.base.level, periodsBelow: a.base.periodsBelow };
  if (storedPeriod === undefined) {
    periods = [latest];
  } else if (latest <= storedPeriod) {
    periods = [storedPeriod];
    Object.assign(start, base);
  } else {
    const gap = monthsBetween(storedPeriod, latest);
    periods = monthRange(addMonths(latest, -Math.min(gap, MAX_CATCH_UP_MONTHS) + 1), latest);
  }
  const shown = Object.fromEntries(stored.map((a) => [a.scheme, a.level]));
  const first = periods[0] ?? latest;
  const last = periods[periods.length - 1] ?? latest;
  const from = storedPeriod !== undefined && storedPeriod < first ? storedPeriod : first;
  const values = await loadMetricValues(trx, tenantId, subject.id, addMonths(from, -(tp.compiled.monthsNeeded - 1)), last);
  const nowIso = now.toISOString();
  const active = await listActiveDatedOverrides(trx, tenantId, subject.id, nowIso);
  const all: Record<string, OverrideInfo> = {};
  for (const d of active) all[d.override.scheme] = d.override;
  // The last period is the level shown today, so every override in force now decides it (even one
  // created after that month: data lags the calendar). Earlier months of a catch-up reconstruct what
  // their monthly batches showed; an override created after a month ended could not have decided it.
  const overridesFor = (period: string): Record<string, OverrideInfo> => {
    if (period === last) return all;
    const end = Date.parse(periodEnd(period));
    const out: Record<string, OverrideInfo> = {};
    for (const d of active) if (Date.parse(d.createdAt) < end) out[d.override.scheme] = d.override;
    return out;
  };
  if (storedPeriod !== undefined && storedPeriod < first) {
    // The stored level is what was shown, which is not the state to carry on from when an override
    // decided it: evaluate the stored month again from the state before it (recorded with it) and
    // carry the engine's state. Its level changes, if any, are superseded by the months that follow.
    const redo = evaluatePeriods(tp.compiled, subject.kind as SubjectKind, values, [storedPeriod], base, {}, overridesFor);
    for (const e of redo.final) start[e.scheme] = nextPrior(e, storedPeriod);
  }

  const byOverride = new Set(stored.filter((a) => a.explanation.decidedBy.kind === 'override').map((a) => a.scheme));
  const run = evaluatePeriods(tp.compiled, subject.kind as SubjectKind, values, periods, start, shown, overridesFor, byOverride);
  // The same month again: what it showed before is stored with it (the run starts from its result).
  const sameMonth = storedPeriod !== undefined && last === storedPeriod;
  const previous = sameMonth ? Object.fromEntries(stored.map((a) => [a.scheme, a.previousLevel])) : undefined;
  const rows = await syncLevelApprovals(
    trx,
    tp,
    subject,
    run.events,
    assignmentRows(run, subject.id, last, nowIso, previous),
    actor,
    nowIso,
  );
  await upsertAssignments(trx, tenantId, rows);
  // A level an override decided is the requester's change, signed off by its approver.
  const byId = new Map(active.map((d) => [d.override.id, d.override]));
  await appendTierEvents(
    trx,
    tenantId,
    run.events.map((ev) => {
      const o = ev.reason === 'override' && ev.ruleId !== null ? byId.get(ev.ruleId) : undefined;
      return {
        id: sortableId(now),
        subjectId: subject.id,
        scheme: ev.scheme,
        from: ev.from,
        to: ev.to,
        at: nowIso,
        reason: ev.reason,
        ruleId: ev.ruleId,
        note: periods.length > 1 ? `evaluated ${ev.period}` : null,
        actor: o ? o.requestedBy : actor,
        approvedBy: o ? o.approvedBy : null,
        policyVersion: ev.policyVersion,
        period: ev.period,
      };
    }),
  );
  // Rows of schemes this run did not evaluate (no longer in the pack) stay stored as they were.
  const evaluated = new Set(rows.map((r) => r.scheme));
  const assignments = [...rows, ...stored.filter((a) => !evaluated.has(a.scheme))];
  return {
    asOf: last,
    evaluations: run.final,
    changes: run.events.length,
    stored: { assignments, overrides: active.map((d) => d.override) },
  };
}
