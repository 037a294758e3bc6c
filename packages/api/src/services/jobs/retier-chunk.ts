import {
  addLatestObservationsBefore,
  bumpOpenSubjectVersions,
  holdSubjects,
  isPostgres,
  listActiveDatedOverridesInRange,
  listAssignments,
  listAssignmentsInRange,
  listCurrentLevelsInRange,
  listSubjectsInRange,
  signOffsOf,
  unsettledSignOffsInRange,
  loadMetricValuesInRange,
  serializeAssignment,
  storeReevaluations,
  subjectsWithDataIn,
  type AssignmentState,
  type MetricValues,
  type Executor,
  type NewTierEventInput,
  type RangeSubject,
  type StoredAssignment,
  type StoredAssignmentJson,
  type StoredAssignmentUtf8,
  type SubjectKey,
} from '@tierkit/db';
import type { SubjectKind } from '@tierkit/core';
import { planReevaluation, reevaluationWindow, rowsWithoutSignOffs, type ReevaluationPlan } from '../reevaluate.js';
import { approvalRequiredLevels, heldLevelsOf, heldRow, openLevelApprovals, settleSignOffs } from '../level-approvals.js';
import type { TenantPack } from '../tenant-pack.js';
import { sortableId } from '../../ids.js';
import { sumTotals, type MigrationCell, type RetierParams, type RetierTotals } from './retier-params.js';

/** The subjects of one chunk: a range of internal ids of the tenant. */
export interface SubjectRange {
  readonly first: string;
  readonly last: string;
}

/** A chunk's results computed outside its write transaction ({@link prepareRetierChunk}), ready to store. */
export interface PreparedChunk<Row = StoredAssignmentJson | StoredAssignmentUtf8> {
  /** Serialized: as text when prepared on the writer's thread, as UTF-8 when sent from the prepare thread (utf8-rows.ts). */
  readonly rows: readonly Row[];
  readonly events: readonly NewTierEventInput[];
  /** Each row's level before (null: none), by position: a row dropped at the write leaves its matrix cell. */
  readonly froms: readonly (string | null)[];
  readonly totals: RetierTotals;
  /** The last subject it covers when it covers only the start of the range (see `share`); the rest is left to do. */
  readonly upTo?: string;
}

/** Plans the sign-offs a subject's plan needs and returns its rows; undefined stops the chunk's planning. */
type SignOffs = (
  subject: SubjectKey,
  plan: ReevaluationPlan,
  had: readonly AssignmentState[],
) => Promise<readonly StoredAssignment[] | undefined> | readonly StoredAssignment[] | undefined;

/**
 * Re-tier one chunk inside the caller's transaction: every subject in the range is re-evaluated at
 * the job's period by the same rules a metrics write follows (`planReevaluation`), and the results are
 * written in a few multi-row statements. Reads are one range query per table, not one per subject.
 * A subject already evaluated at a later month is left alone (counted as skipped); so is a closed one
 * (the customer left the bank), one with
 * neither a level nor data, and one outside the level or evaluated-since filter, which are decided
 * here, not when the job is queued. Subjects not of the job's kind or list are not the job's at all.
 * `idsAt`: when the chunk is evaluated at an instant before the one it is stored at (a pipelined
 * chunk, evaluated at its claim), its event ids are drawn at the later one ({@link withEventIds}).
 * It works from what it reads while it holds its customers: on PostgreSQL it locks the rows of those it
 * may write (in id order) before it reads their levels, data and overrides, so a metric write or a
 * decision that holds one of them first is waited for and seen, not overwritten with a level worked
 * out from the data before it. Those it leaves alone are not locked ({@link planChunk}).
 */
export async function retierChunk(
  trx: Executor,
  tp: TenantPack,
  params: RetierParams,
  range: SubjectRange,
  now: Date,
  actor: string,
  idsAt?: Date,
): Promise<RetierTotals> {
  const nowIso = now.toISOString();
  const writes = params.schemes === null ? null : new Set(params.schemes);
  // Subjects whose sign-offs matter (a move into an approval-required level, or one pending): their
  // sign-offs are planned after the chunk's evaluation, below; until then their rows' flags are unknown.
  const signed = new Map<
    string,
    { readonly subject: SubjectKey; readonly plan: ReevaluationPlan; readonly had: readonly AssignmentState[] }
  >();
  const planned = await planChunk(trx, tp, params, range, now, actor, true, (subject, plan, had) => {
    signed.set(subject.id, { subject, plan, had });
    return plan.rows;
  });
  // Never undefined: the callback always returns rows.
  if (!planned) throw new Error('re-tier chunk planned nothing');
  let prepared = idsAt ? withEventIds(planned, idsAt) : planned;
  // Lock order of every level write and of a sign-off decision: the subjects (in id order, held since
  // planChunk read them), then their sign-offs, then their assignments. Only the customers the chunk
  // writes to are bumped (a bump voids their cached reads); the ones it skipped stay as they were.
  // Every one was held and seen open before its data was read (on SQLite the write transaction holds
  // the file), so the bump needs no lock pass of its own and finds them all open.
  const ids = new Set(signed.keys());
  for (const r of prepared.rows) ids.add(r.subjectId);
  for (const e of prepared.events) ids.add(e.subjectId);
  const open = ids.size ? await bumpOpenSubjectVersions(trx, tp.tenantId, ids, true) : ids;
  // Sign-offs are planned from the sign-offs as they are now, under the rows held: planned from a read
  // made before, a metric write or a decision committed in between (one that held the row first)
  // could have opened, superseded or decided one, and the chunk would open a second pending sign-off
  // beside it, or store a stale flag.
  const flags = new Map<string, Map<string, boolean>>();
  // Levels held in force against a looser one data computed (a lowering waits for approval): their
  // stored rows replace the computed ones, and the run's moves of those schemes are not recorded.
  const kept = new Map<string, Map<string, StoredAssignment>>();
  // One read of the sign-offs of every subject that needs them, not one per subject.
  const held = [...signed.keys()].filter((id) => open.has(id));
  const signOffs = await signOffsOf(trx, tp.tenantId, held);
  for (const id of held) {
    const s = signed.get(id);
    if (!s) continue;
    const { subject, plan } = s;
    const of = signOffs.get(id);
    const again = settleSignOffs(
      tp,
      subject,
      plan.periodEvents,
      plan.rows,
      of ?? { pending: new Map(), latest: new Map(), standing: new Map() },
      actor,
      nowIso,
      heldLevelsOf(s.had),
    );
    // A job limited to some schemes stores no level of the others, so it opens no sign-off of theirs.
    const steps = writes
      ? again.steps.filter((st) => writes.has(st.kind === 'open' ? st.request.scheme : st.approval.scheme))
      : again.steps;
    await openLevelApprovals(trx, tp.tenantId, steps, nowIso);
    flags.set(id, new Map(again.rows.map((r) => [r.scheme, r.approvalRequired])));
    if (again.held.size === 0) continue;
    // Rare (a lowering proposed or refused): the held rows' explanations are read for these alone.
    const full = await listAssignments(trx, tp.tenantId, id);
    const rows = new Map<string, StoredAssignment>();
    for (const r of again.rows) {
      const was = full.find((a) => a.scheme === r.scheme);
      if (again.held.has(r.scheme) && was) rows.set(r.scheme, heldRow(was, r, r.approvalRequired));
    }
    kept.set(id, rows);
  }
  if (kept.size) prepared = withHeld(prepared, kept);
  if (flags.size) prepared = withFlags(prepared, flags);
  // Those still open were bumped above: the store neither locks nor bumps them again, and leaves out
  // (and answers) the ones found closed. None can be, as the subjects were held open before they were
  // planned; the store's answer is kept as a guard, so that the totals stay right if a later change
  // lets a chunk plan a customer it does not hold.
  const closed = await storeReevaluations(trx, tp.tenantId, prepared.rows, prepared.events, open, levelKept(prepared));
  // The call lists' month is not moved here but when the job completes (complete-job.ts): a chunk is
  // only part of the book.
  return closed.size ? withoutClosed(prepared, closed) : prepared.totals;
}

/**
 * A chunk with the levels its sign-off planning held in force: each such row replaced by the held one,
 * the scheme's events of the run dropped, the moves and matrix counted as stored.
 */
function withHeld(prepared: PreparedChunk, kept: ReadonlyMap<string, ReadonlyMap<string, StoredAssignment>>): PreparedChunk {
  const matrix = new Map<string, MigrationCell>();
  const count = (scheme: string, from: string | null, to: string, n: number) => {
    const key = `${scheme}\u0000${from ?? ''}\u0000${from === null ? 0 : 1}\u0000${to}`;
    const cell = matrix.get(key);
    matrix.set(key, { scheme, from, to, count: (cell?.count ?? 0) + n });
  };
  for (const c of prepared.totals.matrix) count(c.scheme, c.from, c.to, c.count);
  const rows = prepared.rows.map((r, i) => {
    const held = kept.get(r.subjectId)?.get(r.scheme);
    if (!held) return r;
    const from = prepared.froms[i] ?? null;
    count(r.scheme, from, r.level, -1);
    count(r.scheme, from, held.level, 1);
    return serializeAssignment(held);
  });
  const events = prepared.events.filter((e) => !kept.get(e.subjectId)?.has(e.scheme));
  return {
    ...prepared,
    rows,
    events,
    totals: {
      ...prepared.totals,
      changes: prepared.totals.changes - (prepared.events.length - events.length),
      matrix: [...matrix.values()].filter((c) => c.count > 0),
    },
  };
}

/** A chunk with each row's `approvalRequired` as its subject's second planning found it, totals to match. */
function withFlags(prepared: PreparedChunk, flags: ReadonlyMap<string, ReadonlyMap<string, boolean>>): PreparedChunk {
  let delta = 0;
  let changed = false;
  const byScheme = { ...prepared.totals.approvalRequiredByScheme };
  const rows = prepared.rows.map((r) => {
    const flag = flags.get(r.subjectId)?.get(r.scheme);
    if (flag === undefined || flag === r.approvalRequired) return r;
    changed = true;
    delta += flag ? 1 : -1;
    byScheme[r.scheme] = (byScheme[r.scheme] ?? 0) + (flag ? 1 : -1);
    return { ...r, approvalRequired: flag };
  });
  return changed
    ? {
        ...prepared,
        rows,
        totals: {
          ...prepared.totals,
          approvalRequired: prepared.totals.approvalRequired + delta,
          ...(prepared.totals.approvalRequiredByScheme ? { approvalRequiredByScheme: byScheme } : {}),
        },
      }
    : prepared;
}

/**
 * A chunk's events with ids drawn on this thread at `at`, the moment they are stored: ids sort by
 * creation within a process (`sortableId`: time, then a counter reset when the time changes), so ids
 * drawn on another thread, or at an earlier instant than an event this thread wrote for the same
 * subject since, would not sort after it.
 */
export function withEventIds(prepared: PreparedChunk, at: Date): PreparedChunk {
  return { ...prepared, events: prepared.events.map((e) => ({ ...e, id: sortableId(at) })) };
}

/**
 * The reads and the evaluation of {@link retierChunk} without its writes, for a pipeline that prepares
 * the next chunk on another connection while the current one is written. Undefined when a subject of
 * the chunk needs a sign-off opened or kept (that reads the pending sign-offs and writes new ones, so
 * the chunk must run as a whole inside its transaction). The caller must make sure nothing it read changed before it applies the result.
 * With `share` below 1 only that fraction of the range's subjects (its first ones) is prepared, and
 * `upTo` names the last of them: the caller re-tiers the rest ({@link rangeAfter}) in its transaction.
 */
export function prepareRetierChunk(
  db: Executor,
  tp: TenantPack,
  params: RetierParams,
  range: SubjectRange,
  now: Date,
  actor: string,
  share = 1,
): Promise<PreparedChunk<StoredAssignmentJson> | undefined> {
  // rowsWithoutSignOffs was tried first: a subject that gets here needs the database. Nothing is
  // locked: it reads on a connection of its own (SQLite), and its caller checks for writes since.
  return planChunk(db, tp, params, range, now, actor, false, () => undefined, share);
}

/** How a preview ({@link previewRetierChunk}) sees each subject's plan, and the data it plans from. */
export interface ChunkPreview {
  /**
   * Each subject the chunk re-evaluates, with its plan and its levels before; and, given a `baseline`
   * pack, its plan under that pack from the same stored state, data and overrides.
   */
  readonly seen: (subject: RangeSubject, plan: ReevaluationPlan, had: readonly AssignmentState[], base?: ReevaluationPlan) => void;
  /**
   * A second pack each subject is planned under too (a simulation's versions in force without the draft):
   * the comparison is of the same subjects on the same figures, read once.
   */
  readonly baseline?: TenantPack;
  /** The chunk's data as read, to what the plans read instead (a simulation carrying the latest month forward). */
  readonly values?: (values: Map<string, MetricValues>) => Map<string, MetricValues>;
  /**
   * Read only these metrics (those the previewed schemes read): a job reads every metric of its
   * subjects, most of them for schemes a simulation does not plan. A subject with none of them but
   * other data is still planned, as the job would plan it.
   */
  readonly metrics?: readonly string[];
}

/**
 * What {@link retierChunk} would do to `range`, planned by the same code and stored nowhere, without
 * holding anyone: a policy simulation (services/policy-simulation.ts) runs it under the pack with the
 * draft in force, so its figures are the job's. Sign-offs are not planned (they change flags, not levels).
 * Returns how many subjects it planned and left alone.
 */
export async function previewRetierChunk(
  db: Executor,
  tp: TenantPack,
  params: RetierParams,
  range: SubjectRange,
  now: Date,
  preview: ChunkPreview,
): Promise<{ readonly processed: number; readonly skipped: number }> {
  const planned = await planChunk(db, tp, params, range, now, 'simulation', false, (_s, plan) => plan.rows, 1, preview);
  return { processed: planned?.totals.processed ?? 0, skipped: planned?.totals.skipped ?? 0 };
}

/** What is left of `range` after a prepared chunk that covers it up to `upTo`. */
export function rangeAfter(range: SubjectRange, upTo: string): SubjectRange {
  // The least string after upTo: ids compare as strings (SQLite's BINARY collation).
  return { first: `${upTo}\u0000`, last: range.last };
}

/**
 * Store a prepared chunk inside the caller's transaction (one version bump per subject for both
 * writes). The chunk read its subjects without a lock: one closed since is not written to, and counts
 * as skipped, as it would have had it been closed when read.
 */
export async function applyPreparedChunk(trx: Executor, tenantId: string, prepared: PreparedChunk): Promise<RetierTotals> {
  const closed = await storeReevaluations(trx, tenantId, prepared.rows, prepared.events, undefined, levelKept(prepared));
  return closed.size ? withoutClosed(prepared, closed) : prepared.totals;
}

/**
 * The chunk's rows at the level read as stored (`froms`): a monthly re-tier's customers who stay where
 * they are, written without rewriting the level (writeAssignments; it checks the level still stored).
 */
function levelKept(prepared: PreparedChunk): ReadonlySet<StoredAssignmentJson | StoredAssignmentUtf8> {
  const kept = new Set<StoredAssignmentJson | StoredAssignmentUtf8>();
  const { rows, froms } = prepared;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r !== undefined && froms[i] === r.level) kept.add(r);
  }
  return kept;
}

/** A chunk's totals less the subjects that turned out closed at its write. */
function withoutClosed(prepared: PreparedChunk, closed: ReadonlySet<string>): RetierTotals {
  const t = prepared.totals;
  const negative: MigrationCell[] = [];
  let approvalRequired = 0;
  const approvalByScheme = { ...t.approvalRequiredByScheme };
  prepared.rows.forEach((r, i) => {
    if (!closed.has(r.subjectId)) return;
    if (r.approvalRequired) {
      approvalRequired++;
      approvalByScheme[r.scheme] = (approvalByScheme[r.scheme] ?? 0) - 1;
    }
    negative.push({ scheme: r.scheme, from: prepared.froms[i] ?? null, to: r.level, count: -1 });
  });
  const gone = prepared.events.filter((e) => closed.has(e.subjectId));
  const changes = gone.length;
  const summed = sumTotals([t, { processed: 0, skipped: 0, changes: 0, approvalRequired: 0, matrix: negative }]);
  const byScheme = { ...t.changesByScheme };
  for (const e of gone) byScheme[e.scheme] = (byScheme[e.scheme] ?? 0) - 1;
  return {
    processed: t.processed - closed.size,
    skipped: t.skipped + closed.size,
    changes: t.changes - changes,
    approvalRequired: t.approvalRequired - approvalRequired,
    matrix: summed.matrix.filter((c) => c.count > 0),
    changesByScheme: byScheme,
    ...(t.approvalRequiredByScheme ? { approvalRequiredByScheme: approvalByScheme } : {}),
  };
}

async function planChunk(
  trx: Executor,
  tp: TenantPack,
  params: RetierParams,
  range: SubjectRange,
  now: Date,
  actor: string,
  hold: boolean,
  signOffs: SignOffs,
  share = 1,
  preview?: ChunkPreview,
): Promise<PreparedChunk<StoredAssignmentJson> | undefined> {
  const tenantId = tp.tenantId;
  const target = params.period;
  const only = params.filter.subjects ? new Set(params.filter.subjects) : undefined;
  let subjects = await listSubjectsInRange(trx, tenantId, range.first, range.last, params.filter.kind);
  // A chunk of a listed job spans other subjects between the listed ones: they are not the job's, and
  // neither processed nor skipped (its total counts the listed ones only).
  if (only) subjects = subjects.filter((s) => only.has(s.externalId));
  let upTo: string | undefined;
  if (share < 1 && subjects.length > 1) {
    subjects = subjects.slice(0, Math.max(1, Math.round(subjects.length * share)));
    upTo = subjects[subjects.length - 1]?.id;
    if (upTo !== undefined) range = { first: range.first, last: upTo };
  }
  // Skipped before they were held: closed, evaluated at a later month, or outside the job's filters.
  let passedOver = 0;
  if (hold && isPostgres(trx)) {
    // The rows of the customers the chunk may write are held before their levels, data and overrides
    // are read, so that what is read is what a writer holding one of them committed (PostgreSQL reads
    // each statement afresh). The ones it would leave alone, going by an unlocked read, are not held:
    // held for the whole chunk, a filtered job would block writes to every customer of its range, and
    // any writer that took them in another order than id order would deadlock with it. What is held
    // is checked again below on what is read once held.
    const levels = await listCurrentLevelsInRange(trx, tenantId, range.first, range.last);
    const candidates = subjects.filter((s) => !leftAlone(s, levels.get(s.id) ?? [], params)).map((s) => s.id);
    passedOver = subjects.length - candidates.length;
    subjects = await holdSubjects(trx, tenantId, candidates);
  }
  const stored = await listAssignmentsInRange(trx, tenantId, range.first, range.last);
  // One window of data for the chunk: the widest any of its subjects reads.
  let dataFrom = target;
  // By kind: a customer is not looked up for a product's risk class.
  const latestMetrics = new Map<string, Set<string>>();
  const packs = preview?.baseline ? [tp, preview.baseline] : [tp];
  for (const s of subjects) {
    for (const pack of packs) {
      const w = reevaluationWindow(pack, s.kind as SubjectKind, stored.get(s.id) ?? [], target);
      if (w.dataFrom < dataFrom) dataFrom = w.dataFrom;
      if (w.latestMetrics.length === 0) continue;
      let metrics = latestMetrics.get(s.kind);
      if (!metrics) latestMetrics.set(s.kind, (metrics = new Set()));
      for (const m of w.latestMetrics) metrics.add(m);
    }
  }
  const narrow = preview?.metrics;
  const read = await loadMetricValuesInRange(trx, tenantId, range.first, range.last, dataFrom, target, narrow);
  for (const [kind, metrics] of latestMetrics)
    await addLatestObservationsBefore(trx, tenantId, { ...range, kind }, metrics, dataFrom, read);
  if (narrow) {
    // "Neither a level nor data" is of any metric (below): a subject the narrowed read found nothing
    // for may have data of others, and the job would evaluate it (on none of the schemes' metrics).
    const unknown = subjects.filter((s) => !read.has(s.id) && (stored.get(s.id) ?? []).length === 0).map((s) => s.id);
    if (unknown.length) for (const id of await subjectsWithDataIn(trx, tenantId, unknown, dataFrom, target)) read.set(id, {});
  }
  const values = preview?.values ? preview.values(read) : read;
  const overrides = await listActiveDatedOverridesInRange(trx, tenantId, range.first, range.last, now.toISOString());
  const writes = params.schemes === null ? null : new Set(params.schemes);
  // The sign-off rule's one check of the chunk (services/level-approvals.ts): who holds a level that
  // needs a sign-off with none pending nor decided, or has one pending of another level. Nobody, in a
  // settled book, so every other customer's rows are planned with no read of their sign-offs.
  const unsettled = preview ? undefined : await unsettledSignOffsInRange(trx, tenantId, range.first, range.last, requiredLevels(tp));

  const rows: StoredAssignmentJson[] = [];
  const froms: (string | null)[] = [];
  const events: NewTierEventInput[] = [];
  const cells = new Map<string, MigrationCell & { count: number }>();
  let processed = 0;
  let skipped = passedOver;
  let approvalRequired = 0;
  const approvalRequiredByScheme: Record<string, number> = {};
  for (const subject of subjects) {
    const had = stored.get(subject.id) ?? [];
    const data = values.get(subject.id);
    if (leftAlone(subject, had, params) || (had.length === 0 && data === undefined)) {
      skipped++;
      continue;
    }
    const plan = planReevaluation(tp, { subject, stored: had, active: overrides.get(subject.id) ?? [] }, target, data ?? {}, now, actor);
    processed++;
    if (preview) {
      // A preview reads the plan: the rows and events a job would store are not built.
      const base = preview.baseline
        ? planReevaluation(
            preview.baseline,
            { subject, stored: had, active: overrides.get(subject.id) ?? [] },
            target,
            data ?? {},
            now,
            actor,
          )
        : undefined;
      preview.seen(subject, plan, had, base);
      continue;
    }
    const before = new Map(had.map((a) => [a.scheme, a.level]));
    const signed = rowsWithoutSignOffs(tp, plan, had, !unsettled?.has(subject.id)) ?? (await signOffs(subject, plan, had));
    if (!signed) return undefined;
    for (const r of signed) {
      if (writes && !writes.has(r.scheme)) continue;
      rows.push(serializeAssignment(r));
      if (r.approvalRequired) {
        approvalRequired++;
        approvalRequiredByScheme[r.scheme] = (approvalRequiredByScheme[r.scheme] ?? 0) + 1;
      }
      const from = before.get(r.scheme) ?? null;
      froms.push(from);
      const key = `${r.scheme}\u0000${from ?? ''}\u0000${from === null ? 0 : 1}\u0000${r.level}`;
      const cell = cells.get(key);
      if (cell) cell.count++;
      else cells.set(key, { scheme: r.scheme, from, to: r.level, count: 1 });
    }
    for (const e of plan.events) if (!writes || writes.has(e.scheme)) events.push(e);
  }
  const changesByScheme: Record<string, number> = {};
  for (const e of events) changesByScheme[e.scheme] = (changesByScheme[e.scheme] ?? 0) + 1;
  const totals = sumTotals([
    {
      processed,
      skipped,
      changes: events.length,
      approvalRequired,
      matrix: [...cells.values()],
      changesByScheme,
      approvalRequiredByScheme,
    },
  ]);
  return { rows, events, froms, totals, ...(upTo === undefined ? {} : { upTo }) };
}

/** {@link approvalRequiredLevels} of a pack, worked out once per pack rather than per chunk. */
const required = new WeakMap<TenantPack, Map<string, string[]>>();
function requiredLevels(tp: TenantPack): Map<string, string[]> {
  let levels = required.get(tp);
  if (!levels) required.set(tp, (levels = approvalRequiredLevels(tp)));
  return levels;
}

/**
 * Whether a chunk leaves the subject alone whatever its data: a customer who left (they keep the levels
 * they had when they left: history, not a current tier), one evaluated at a later month than the job's,
 * or one outside its level or evaluated-since filter. `had`: their current levels.
 */
function leftAlone(
  subject: RangeSubject,
  had: readonly { readonly scheme: string; readonly level: string; readonly period: string }[],
  params: RetierParams,
): boolean {
  if (subject.closed) return true;
  const { level, evaluatedSince: since } = params.filter;
  const storedPeriod = had.reduce<string | undefined>((max, a) => (max === undefined || a.period > max ? a.period : max), undefined);
  if (storedPeriod !== undefined && storedPeriod > params.period) return true;
  if (level !== undefined && !had.some((a) => a.scheme === level.scheme && a.level === level.level)) return true;
  return since !== undefined && (storedPeriod === undefined || storedPeriod < since);
}
