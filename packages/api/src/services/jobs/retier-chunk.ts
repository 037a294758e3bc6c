import {
  listActiveDatedOverridesInRange,
  listAssignmentsInRange,
  listSubjectsInRange,
  loadMetricValuesInRange,
  serializeAssignment,
  storeReevaluations,
  type Executor,
  type NewTierEventInput,
  type StoredAssignmentJson,
} from '@tierkit/db';
import { planReevaluation, reevaluationWindow, rowsWithoutSignOffs, withSignOffs } from '../reevaluate.js';
import type { TenantPack } from '../tenant-pack.js';
import { sumTotals, type MigrationCell, type RetierParams, type RetierTotals } from './retier-params.js';

/** The subjects of one chunk: a range of internal ids of the tenant. */
export interface SubjectRange {
  readonly first: string;
  readonly last: string;
}

/**
 * Re-tier one chunk inside the caller's transaction: every subject in the range is re-evaluated at
 * the job's period by the same rules a metrics write follows (`planReevaluation`), and the results are
 * written in a few multi-row statements. Reads are one range query per table, not one per subject.
 * A subject already evaluated at a later month is left alone; so is one with neither a level nor data,
 * and one outside the filter.
 */
export async function retierChunk(
  trx: Executor,
  tp: TenantPack,
  params: RetierParams,
  range: SubjectRange,
  now: Date,
  actor: string,
): Promise<RetierTotals> {
  const tenantId = tp.tenantId;
  const target = params.period;
  const subjects = await listSubjectsInRange(trx, tenantId, range.first, range.last, params.filter.kind);
  const stored = await listAssignmentsInRange(trx, tenantId, range.first, range.last);
  // One window of data for the chunk: the widest any of its subjects reads.
  let dataFrom = target;
  for (const s of subjects) {
    const w = reevaluationWindow(tp, stored.get(s.id) ?? [], target);
    if (w.dataFrom < dataFrom) dataFrom = w.dataFrom;
  }
  const values = await loadMetricValuesInRange(trx, tenantId, range.first, range.last, dataFrom, target);
  const overrides = await listActiveDatedOverridesInRange(trx, tenantId, range.first, range.last, now.toISOString());
  const writes = params.schemes === null ? null : new Set(params.schemes);
  const level = params.filter.level;
  const since = params.filter.evaluatedSince;
  const nowIso = now.toISOString();
  const only = params.filter.subjects ? new Set(params.filter.subjects) : undefined;

  const rows: StoredAssignmentJson[] = [];
  const events: NewTierEventInput[] = [];
  const cells = new Map<string, MigrationCell & { count: number }>();
  let processed = 0;
  let skipped = 0;
  let approvalRequired = 0;
  for (const subject of subjects) {
    const had = stored.get(subject.id) ?? [];
    const data = values.get(subject.id);
    const storedPeriod = had.reduce<string | undefined>((max, a) => (max === undefined || a.period > max ? a.period : max), undefined);
    const outside =
      (only !== undefined && !only.has(subject.externalId)) ||
      (level !== undefined && !had.some((a) => a.scheme === level.scheme && a.level === level.level)) ||
      (since !== undefined && (storedPeriod === undefined || storedPeriod < since));
    if (outside || (storedPeriod !== undefined && storedPeriod > target) || (had.length === 0 && data === undefined)) {
      skipped++;
      continue;
    }
    const plan = planReevaluation(tp, { subject, stored: had, active: overrides.get(subject.id) ?? [] }, target, data ?? {}, now, actor);
    processed++;
    const before = new Map(had.map((a) => [a.scheme, a.level]));
    const signed = rowsWithoutSignOffs(tp, plan, had) ?? (await withSignOffs(trx, tp, subject, plan, had, actor, nowIso));
    for (const r of signed) {
      if (writes && !writes.has(r.scheme)) continue;
      rows.push(serializeAssignment(r));
      if (r.approvalRequired) approvalRequired++;
      const from = before.get(r.scheme) ?? null;
      const key = `${r.scheme}\u0000${from ?? ''}\u0000${from === null ? 0 : 1}\u0000${r.level}`;
      const cell = cells.get(key);
      if (cell) cell.count++;
      else cells.set(key, { scheme: r.scheme, from, to: r.level, count: 1 });
    }
    for (const e of plan.events) if (!writes || writes.has(e.scheme)) events.push(e);
  }
  // One version bump per subject for both writes (no trigger per row any more).
  await storeReevaluations(trx, tenantId, rows, events);
  return sumTotals([{ processed, skipped, changes: events.length, approvalRequired, matrix: [...cells.values()] }]);
}
