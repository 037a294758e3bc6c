import { nextPrior, periodEnd, type Evaluation, type OverrideInfo, type PriorAssignment, type SubjectKind } from '@tierkit/core';
import {
  latestMetricPeriod,
  listActiveDatedOverrides,
  listAssignments,
  addLatestObservationsBefore,
  loadMetricValues,
  storeReevaluations,
  holdOpenSubject,
  type AssignmentState,
  type DatedOverride,
  type Executor,
  type NewTierEventInput,
  type StoredAssignment,
  type Subject,
  type SubjectKey,
} from '@tierkit/db';
import { sortableId } from '../ids.js';
import { addMonths, monthRange, monthsBetween, periodOf } from '../periods.js';
import { assignmentRows, evaluatePeriods, type PeriodEvent, type RecordedMove, type Values } from './evaluate-periods.js';
import {
  heldLevelsOf,
  heldRow,
  lowersHeldLevel,
  movesIntoApprovalRequired,
  needsSignOff,
  openLevelApprovals,
  planLevelApprovals,
  type LevelApprovalPlan,
} from './level-approvals.js';
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
  /** Each scheme whose level it moved, from the level before to the one after (null: none), once per scheme however many months it stepped through. */
  readonly moved?: readonly LevelMove[];
}

/** A scheme's level moved by a re-evaluation. */
export interface LevelMove {
  readonly scheme: string;
  readonly from: string | null;
  readonly to: string | null;
}

/** A run's events as one move per scheme: the first event's `from`, the last one's `to`; a scheme back where it began moved nothing. */
function netMoves(events: readonly { readonly scheme: string; readonly from: string | null; readonly to: string | null }[]): LevelMove[] {
  const by = new Map<string, { from: string | null; to: string | null }>();
  for (const ev of events) {
    const seen = by.get(ev.scheme);
    if (seen) seen.to = ev.to;
    else by.set(ev.scheme, { from: ev.from, to: ev.to });
  }
  return [...by].filter(([, m]) => m.from !== m.to).map(([scheme, m]) => ({ scheme, ...m }));
}

/** What a subject's re-evaluation starts from: its stored assignments and the approved overrides in force. */
export interface ReevaluationInput {
  readonly subject: SubjectKey;
  readonly stored: readonly AssignmentState[];
  readonly active: readonly DatedOverride[];
}

/** The months a re-evaluation at `target` steps through, and the first month of data it reads. */
export interface ReevaluationWindow {
  readonly periods: readonly string[];
  /** The months of data the windows read start here; before it, only `latestMetrics`' latest observations. */
  readonly dataFrom: string;
  /** Metrics read with no window (the latest observation, however old): their latest before `dataFrom` is read too. */
  readonly latestMetrics: readonly string[];
  readonly storedPeriod: string | undefined;
}

/**
 * Windows already worked out, per pack: a re-tier asks for every subject of a chunk, twice (for the
 * chunk's data range, then in {@link planReevaluation}), and nearly all share one stored month and
 * one target. Month arithmetic and the packs of every month cost more than the lookup.
 */
const windows = new WeakMap<TenantPack, Map<string, ReevaluationWindow>>();
/** The last window answered, checked before the map: the map's key is a string made per call. */
let lastWindow:
  | { tp: TenantPack; kind: SubjectKind; storedPeriod: string | undefined; target: string; window: ReevaluationWindow }
  | undefined;

/** The months to evaluate and the data range needed to re-evaluate `stored` at `target`. */
export function reevaluationWindow(
  tp: TenantPack,
  kind: SubjectKind,
  stored: readonly AssignmentState[],
  target: string,
): ReevaluationWindow {
  let storedPeriod: string | undefined;
  for (const a of stored) if (storedPeriod === undefined || a.period > storedPeriod) storedPeriod = a.period;
  const last = lastWindow;
  if (last && last.tp === tp && last.kind === kind && last.storedPeriod === storedPeriod && last.target === target) return last.window;
  let held = windows.get(tp);
  if (!held) windows.set(tp, (held = new Map()));
  const key = `${kind}\u0000${storedPeriod ?? ''}\u0000${target}`;
  let window = held.get(key);
  if (!window) {
    // A pack serves a handful of months; bound the map all the same.
    if (held.size >= 256) held.clear();
    window = windowOf(tp, kind, storedPeriod, target);
    held.set(key, window);
  }
  lastWindow = { tp, kind, storedPeriod, target, window };
  return window;
}

function windowOf(tp: TenantPack, kind: SubjectKind, storedPeriod: string | undefined, target: string): ReevaluationWindow {
  let periods: string[];
  if (storedPeriod === undefined) periods = [target];
  else if (target <= storedPeriod) periods = [storedPeriod];
  else {
    const gap = monthsBetween(storedPeriod, target);
    periods = monthRange(addMonths(target, -Math.min(gap, MAX_CATCH_UP_MONTHS) + 1), target);
  }
  const first = periods[0] ?? target;
  const from = storedPeriod !== undefined && storedPeriod < first ? storedPeriod : first;
  // Each month is evaluated under the policy versions in force for it (effective dates): read as far
  // back as the longest window among them needs.
  const compiled = [from, ...periods].map((p) => tp.at(p).compiled);
  const monthsNeeded = Math.max(...compiled.map((c) => c.monthsNeeded));
  // Usually one pack for every month: its own list, no copy (a re-tier chunk asks for each subject).
  let latestMetrics = compiled[0]?.latestMetricsFor(kind) ?? [];
  for (const c of compiled) {
    const more = c.latestMetricsFor(kind);
    if (more !== latestMetrics) latestMetrics = [...new Set([...latestMetrics, ...more])];
  }
  return { periods, dataFrom: addMonths(from, -(monthsNeeded - 1)), latestMetrics, storedPeriod };
}

/** Why a subject is re-evaluated, where it changes what is recorded. */
export interface ReevaluationOptions {
  /**
   * An override was approved, revoked or expired (not new data): the level it sets or gives back takes
   * effect in the month of the decision, so a month already evaluated (closed) keeps the figures it
   * was reported with (packages/api/README.md, "A subject's level in a month").
   */
  readonly overrideDecision?: boolean;
  /**
   * The caller's own write in this transaction moved the subject's version already (an override's
   * approval or revocation): the store writes without moving it again, so the decision is one move.
   * {@link planSubjectNow} applies it (for {@link reevaluateSubject} and reopening). planning ignores it.
   */
  readonly versionMoved?: boolean;
  /**
   * Store only these schemes' levels and moves (every scheme is still evaluated, as derived ones read
   * their inputs): a policy change judges again the scheme it changed and those derived from it, and
   * leaves every other level as it was judged (reevaluate-book.ts). {@link planSubjectNow} applies it (for {@link reevaluateSubject} and reopening).
   */
  readonly only?: ReadonlySet<string>;
  /**
   * A policy version was approved or retired (reevaluate-book.ts): a rule's move in the month already
   * judged — the same data, another version — is recorded `policy-change` (政策调整, which customers are
   * shown: packages/api README, "History"), not `rule`. A move in a month not judged before is the data's.
   */
  readonly policyChange?: boolean;
  /**
   * An approved lowering request lets `to` take effect on `scheme`: the move's tier event is its
   * maker's (`maker`, whose data proposed it), approved by `approvedBy` with the decision's `note`,
   * reason `lowering-approved` (docs/domain.md §4).
   */
  readonly lowering?: {
    readonly scheme: string;
    readonly to: string;
    readonly maker: string;
    readonly approvedBy: string;
    readonly note: string | null;
  };
}

/** Rows to store for one subject's re-evaluation: what {@link reevaluateSubject} and re-tier jobs write. */
export interface ReevaluationPlan extends Reevaluation {
  /** Before sign-offs: store what {@link withSignOffs} returns for them. */
  readonly rows: readonly StoredAssignment[];
  readonly events: readonly NewTierEventInput[];
  /** The engine's level changes, month by month (sign-offs open on moves into approval-required levels). */
  readonly periodEvents: readonly PeriodEvent[];
}

/**
 * Re-evaluate every scheme of a subject at `target` (or at its stored month when that is later)
 * from its stored state and `values` — pure: the one home of the rules both single-subject writes and
 * re-tier jobs follow. Months since the last evaluation are replayed in order so hysteresis counts
 * them; the same month evaluated again starts from the state before it, so repeating it changes
 * nothing. `values` may hold more months than the window reads; only the window's are used.
 */
export function planReevaluation(
  tp: TenantPack,
  input: ReevaluationInput,
  target: string,
  values: Values,
  now: Date,
  actor = 'system',
  options: ReevaluationOptions = {},
): ReevaluationPlan {
  const { subject, stored, active } = input;
  const { periods, dataFrom, latestMetrics, storedPeriod } = reevaluationWindow(tp, subject.kind as SubjectKind, stored, target);
  const start: Record<string, PriorAssignment | undefined> = {};
  const base: Record<string, PriorAssignment | undefined> = {};
  for (const a of stored) base[a.scheme] = a.base.level === null ? undefined : { level: a.base.level, periodsBelow: a.base.periodsBelow };
  if (storedPeriod !== undefined && target <= storedPeriod) Object.assign(start, base);
  const shown = Object.fromEntries(stored.map((a) => [a.scheme, a.level]));
  const first = periods[0] ?? target;
  const last = periods[periods.length - 1] ?? target;
  const window = withinMonths(values, dataFrom, last, latestMetrics);
  const packFor = (period: string) => tp.at(period).compiled;
  const nowIso = now.toISOString();
  const all: Record<string, OverrideInfo> = {};
  for (const d of active) all[d.override.scheme] = d.override;
  // The last period is the level shown today, so every override in force now decides it (even one
  // approved after that month: data lags the calendar). Earlier months of a catch-up reconstruct what
  // their monthly batches showed: an override decides from its approval (four eyes), not its request,
  // so one approved after a month ended did not decide it, and the one approved last before then did
  // (a standing floor, say, until a fixed one was approved) — the instants analytics read too
  // (overrideInForceAt in packages/db). Only overrides in force now are known here: one since expired
  // or revoked decides no earlier month of a catch-up, though analytics hold its months by it.
  const overridesFor = (period: string): Record<string, OverrideInfo> => {
    if (period === last) return all;
    const end = Date.parse(periodEnd(period, tp.timeZone));
    const out: Record<string, OverrideInfo> = {};
    for (const d of active) {
      const deciding = Date.parse(d.approvedAt) < end ? d : d.earlier.find((e) => Date.parse(e.approvedAt) < end);
      if (deciding) out[d.override.scheme] = deciding.override;
    }
    return out;
  };
  const dated = active.flatMap((d) => [d, ...d.earlier]);
  const byOverride = new Set(stored.filter((a) => a.explanation.decidedBy.kind === 'override').map((a) => a.scheme));
  const recorded: RecordedMove[] = [];
  if (storedPeriod !== undefined && storedPeriod < first) {
    // The stored level is what was shown, which is not the state to carry on from when an override
    // decided it: evaluate the stored month again from the state before it (recorded with it) and
    // carry the engine's state. Its level changes, if any, are superseded by the months that follow.
    const again = (overrides: Record<string, OverrideInfo>) =>
      evaluatePeriods(packFor, subject.kind as SubjectKind, window, [storedPeriod], base, {}, overrides).final;
    const overridesThen = overridesFor(storedPeriod);
    const redo = again(overridesThen);
    for (const e of redo) start[e.scheme] = nextPrior(e, storedPeriod);
    // An override approved after the stored month closed, and before it was last evaluated, set the
    // stored level only from its approval, whose re-evaluation of that month recorded the move in the
    // month it was decided. The months before showed the level without it (the redo's); starting
    // from the override's would record the rules' level there as a move away from it, and the
    // approval's move a second time. (One approved after, this run's own approval, records its move now.)
    // A monthly re-tier takes this path for every subject, most with no override in force: none of this
    // applies to them.
    if (dated.length > 0) {
      const storedEnd = Date.parse(periodEnd(storedPeriod, tp.timeZone));
      const later = dated
        .filter((d) => {
          const approved = Date.parse(d.approvedAt);
          const evaluated = stored.find((a) => a.scheme === d.override.scheme)?.evaluatedAt;
          return approved >= storedEnd && evaluated !== undefined && approved <= Date.parse(evaluated);
        })
        .sort((a, b) => Date.parse(a.approvedAt) - Date.parse(b.approvedAt));
      // Only where one of them decided the stored level: an override row stored without going through
      // its approval (as tests and seeds write them) re-evaluated nothing and recorded no move.
      const ids = new Set(later.map((d) => d.override.id));
      const schemes = new Set(
        stored.filter((a) => a.explanation.decidedBy.kind === 'override' && ids.has(a.explanation.decidedBy.id)).map((a) => a.scheme),
      );
      for (const e of redo) {
        if (!schemes.has(e.scheme)) continue;
        shown[e.scheme] = e.level;
        if (e.explanation.decidedBy.kind === 'override') byOverride.add(e.scheme);
        else byOverride.delete(e.scheme);
      }
      // The level each approval found, per scheme: the redo's, then the one the previous approval set.
      const levelBefore = new Map(redo.map((e) => [e.scheme, e.level]));
      for (const d of later) {
        const scheme = d.override.scheme;
        if (!schemes.has(scheme)) continue;
        const e = again({ ...overridesThen, [scheme]: d.override }).find((x) => x.scheme === scheme);
        if (!e) continue;
        // An approval that set the level already shown recorded no move: relying on one would jump the
        // replay to its level and lose the move the rules' months before it call for (gold by August's
        // balances, set back to standard by the override in September), which the replay records itself.
        if (e.level === levelBefore.get(scheme)) continue;
        levelBefore.set(scheme, e.level);
        // Months are `YYYY-MM` strings: the approval's month, within the replayed ones.
        let period = periodOf(new Date(d.approvedAt), tp.timeZone);
        if (period > last) period = last;
        if (period < first) period = first;
        recorded.push({ scheme, period, level: e.level, byOverride: e.explanation.decidedBy.kind === 'override' });
      }
    }
  }

  const run = evaluatePeriods(packFor, subject.kind as SubjectKind, window, periods, start, shown, overridesFor, byOverride, recorded);
  // The same month again: what it showed before is stored with it (the run starts from its result).
  const sameMonth = storedPeriod !== undefined && last === storedPeriod;
  const previous = sameMonth ? Object.fromEntries(stored.map((a) => [a.scheme, a.previousLevel])) : undefined;
  const rows = assignmentRows(run, subject.id, last, nowIso, previous);
  // A level an override decided is the requester's change, signed off by its approver.
  const byId = new Map(dated.map((d) => [d.override.id, d]));
  // The data lag the calendar: an override decided today re-evaluates the last month with data,
  // which has usually been reported already. Its move belongs to the month it was decided in.
  const decidedIn = options.overrideDecision ? periodOf(now, tp.timeZone) : undefined;
  const periodOfEvent = (ev: PeriodEvent): string =>
    decidedIn !== undefined && decidedIn > ev.period && ev.period === last && (ev.reason === 'override' || ev.reason === 'override-expired')
      ? decidedIn
      : ev.period;
  const lowering = options.lowering;
  const events = run.events.map((ev) => {
    const d = ev.reason === 'override' && ev.ruleId !== null ? byId.get(ev.ruleId) : undefined;
    const o = d?.override;
    // The approved lowering's move: its maker's (whose data proposed it), signed off by its approver
    // with their note — not the approver's own rule move (an auditor found 高→中 read so).
    const lowered = lowering !== undefined && ev.scheme === lowering.scheme && ev.to === lowering.to && ev.reason === 'rule';
    const period = periodOfEvent(ev);
    // The note is the decision's, a person's words; never a sentence made here: the event's month is
    // its `period`, which each reader words in its own language ("decided in 2026-12", stored once,
    // was printed as English in every locale).
    return {
      id: sortableId(now),
      subjectId: subject.id,
      scheme: ev.scheme,
      from: ev.from,
      to: ev.to,
      at: nowIso,
      reason: lowered
        ? ('lowering-approved' as const)
        : options.policyChange && ev.reason === 'rule' && ev.period === storedPeriod
          ? ('policy-change' as const)
          : ev.reason,
      ruleId: ev.ruleId,
      note: lowered ? lowering.note : (d?.decisionNote ?? null),
      actor: o ? o.requestedBy : lowered ? lowering.maker : actor,
      approvedBy: o ? o.approvedBy : lowered ? lowering.approvedBy : null,
      policyVersion: ev.policyVersion,
      period,
    };
  });
  return {
    asOf: last,
    evaluations: run.final,
    changes: run.events.length,
    rows,
    events,
    periodEvents: run.events,
  };
}

/**
 * The rows of `plan` to store, each marked `approvalRequired` while a sign-off of its scheme is
 * pending, and the sign-off writes for every move into an approval-required level
 * (services/level-approvals.ts), to make with `openLevelApprovals` once the rows are stored.
 * Skips the database when no level needs a sign-off and nothing was pending (`stored` flags).
 */
export async function withSignOffs(
  db: Executor,
  tp: TenantPack,
  subject: SubjectKey,
  plan: ReevaluationPlan,
  stored: readonly AssignmentState[],
  actor: string,
  nowIso: string,
): Promise<LevelApprovalPlan> {
  const rows = rowsWithoutSignOffs(tp, plan, stored);
  return rows
    ? { rows, steps: [], held: new Set() }
    : planLevelApprovals(db, tp, subject, plan.periodEvents, plan.rows, actor, nowIso, heldLevelsOf(stored));
}

/**
 * {@link withSignOffs} when it needs no database — nothing moved into an approval-required level,
 * nothing was pending, and no level it stores needs a sign-off unless the caller knows (`settled`:
 * a re-tier chunk's one check of its customers, `unsettledSignOffsInRange`) that an approver decided
 * each such level already — else undefined. Lets a re-tier chunk skip a promise per subject.
 */
export function rowsWithoutSignOffs(
  tp: TenantPack,
  plan: ReevaluationPlan,
  stored: readonly AssignmentState[],
  settled = false,
): StoredAssignment[] | undefined {
  if (movesIntoApprovalRequired(tp, plan.periodEvents) || stored.some((a) => a.approvalRequired)) return undefined;
  // Leaving a held level whose scheme asks approval for that (`loweringNeeds`) is the rule's to judge.
  if (lowersHeldLevel(tp, plan.rows, stored)) return undefined;
  if (!settled && plan.rows.some((r) => r.explanation.decidedBy.kind !== 'override' && needsSignOff(tp, r.scheme, r.level)))
    return undefined;
  return plan.rows.map((r) => (r.approvalRequired ? { ...r, approvalRequired: false } : r));
}

/**
 * The months `from … to` of `values` (both included), and of each metric in `latest` (read with no
 * window) its latest observation before `from`; the same object when nothing else falls outside.
 * A chunk loads the widest window any of its subjects needs: each subject sees only its own, as a
 * re-evaluation of that subject alone would.
 */
function withinMonths(values: Values, from: string, to: string, latest: readonly string[]): Values {
  let out: Record<string, Record<string, number>> | undefined;
  for (const metric in values) {
    const byMonth = values[metric] ?? {};
    // A metric read with no window keeps its latest observation before the window too.
    const keepsLatest = latest.includes(metric);
    let before = '';
    let outside = false;
    for (const p in byMonth) {
      if (p > to) outside = true;
      else if (p < from) {
        if (!keepsLatest || before !== '') outside = true;
        if (keepsLatest && p > before) before = p;
      }
    }
    if (!outside) continue;
    out ??= { ...values };
    const kept: Record<string, number> = {};
    for (const p in byMonth) if ((p >= from && p <= to) || p === before) kept[p] = byMonth[p] ?? 0;
    out[metric] = kept;
  }
  return out ?? values;
}

/**
 * What re-evaluating `subject` at its latest period with data would plan now, read only (undefined: it
 * has no data): its stored levels, the overrides in force and {@link planReevaluation}'s plan. The one
 * reading of {@link reevaluateSubject}, and of a reopening asking whether the figures and the policy in
 * force still call for a lowering request the closing withdrew (reopenLevelApprovals).
 */
export async function planSubjectNow(
  trx: Executor,
  tp: TenantPack,
  subject: SubjectKey,
  now: Date,
  actor: string,
  options: ReevaluationOptions = {},
) {
  const tenantId = tp.tenantId;
  const latest = await latestMetricPeriod(trx, tenantId, subject.id);
  if (latest === undefined) return undefined;
  const stored = await listAssignments(trx, tenantId, subject.id);
  const { dataFrom, periods, latestMetrics } = reevaluationWindow(tp, subject.kind as SubjectKind, stored, latest);
  const loaded = new Map([
    [subject.id, await loadMetricValues(trx, tenantId, subject.id, dataFrom, periods[periods.length - 1] ?? latest)],
  ]);
  await addLatestObservationsBefore(
    trx,
    tenantId,
    { first: subject.id, last: subject.id, kind: subject.kind },
    latestMetrics,
    dataFrom,
    loaded,
  );
  const values = loaded.get(subject.id) ?? {};
  const active = await listActiveDatedOverrides(trx, tenantId, subject.id, now.toISOString());
  const whole = planReevaluation(tp, { subject, stored, active }, latest, values, now, actor, options);
  const plan = options.only ? onlySchemes(whole, options.only) : whole;
  return { stored, active, plan };
}

/**
 * Re-evaluate every scheme of a subject at its latest period with data and store the result:
 * assignments replaced, one tier event per level change (see {@link planReevaluation}). Run it inside
 * the write's transaction. A closed subject is left as it is (nothing evaluated, nothing stored).
 */
export async function reevaluateSubject(
  trx: Executor,
  tp: TenantPack,
  subject: Subject,
  now: Date,
  actor = 'system',
  options: ReevaluationOptions = {},
): Promise<Reevaluation> {
  const tenantId = tp.tenantId;
  // A customer who left the bank is not tiered any more, whatever asks (a metric upload, an override's
  // decision, a policy's approval): the levels they left with stay as the record of them.
  // `subject` may have been read before this transaction, so ask again here, holding the row: a
  // closing committed since counts, one in flight is waited for, and a later one waits for this write.
  // The row is held, not bumped, before anything is read: a re-evaluation that stores nothing (no data
  // yet) leaves the version, and so every kept read of the customer, alone; the store below bumps it
  // once when it writes.
  if (subject.closedAt !== null || !(await holdOpenSubject(trx, tenantId, subject.id))) return { asOf: null, evaluations: [], changes: 0 };
  const now0 = await planSubjectNow(trx, tp, subject, now, actor, options);
  if (now0 === undefined) return { asOf: null, evaluations: [], changes: 0 };
  const { stored, active, plan } = now0;
  const signed = await withSignOffs(trx, tp, subject, plan, stored, actor, now.toISOString());
  const { steps, held } = signed;
  // A held level stays in force (a lowering waits for approval): its row and no move of the scheme.
  const rows = held.size
    ? signed.rows.map((r) => {
        const was = stored.find((a) => a.scheme === r.scheme);
        return held.has(r.scheme) && was ? heldRow(was, r, r.approvalRequired) : r;
      })
    : signed.rows;
  const events = held.size ? plan.events.filter((e) => !held.has(e.scheme)) : plan.events;
  // Sign-offs before assignments, under the subject's lock taken above: the order of every level write
  // and of a sign-off decision (subject, sign-off, assignment), so none can deadlock with another.
  await openLevelApprovals(trx, tenantId, steps, now.toISOString());
  // The row is held since the start and was open then: the store's bump finds it so and moves the version
  // once — or not at all when the caller's write moved it already (it knows the row open: held above).
  await storeReevaluations(trx, tenantId, rows, events, options.versionMoved ? new Set([subject.id]) : undefined);
  const { rows: _rows, events: _events, periodEvents: _periodEvents, ...planned } = plan;
  const result = held.size
    ? {
        ...planned,
        changes: events.length,
        evaluations: planned.evaluations.filter((e) => !held.has(e.scheme)),
      }
    : planned;
  // Rows of schemes this run did not evaluate (no longer in the pack) stay stored as they were.
  const evaluated = new Set(rows.map((r) => r.scheme));
  const assignments = [...rows, ...stored.filter((a) => !evaluated.has(a.scheme))];
  return { ...result, stored: { assignments, overrides: active.map((d) => d.override) }, moved: netMoves(events) };
}

/** `plan` with the rows, moves and events of `schemes` alone. */
function onlySchemes(plan: ReevaluationPlan, schemes: ReadonlySet<string>): ReevaluationPlan {
  const events = plan.events.filter((e) => schemes.has(e.scheme));
  return {
    ...plan,
    evaluations: plan.evaluations.filter((e) => schemes.has(e.scheme)),
    changes: events.length,
    rows: plan.rows.filter((r) => schemes.has(r.scheme)),
    events,
    periodEvents: plan.periodEvents.filter((e) => schemes.has(e.scheme)),
  };
}
