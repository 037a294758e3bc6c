import { loweringApproverNeeded, mayApproveAs, monthsBack, schemeMetrics } from '@tierkit/core';
import {
  appendDecision,
  decideLevelApproval,
  findLatestLevelApproval,
  findPendingLevelApproval,
  findSubjectByExternalId,
  holdOpenSubject,
  signOffsOf,
  type SchemeSignOffs,
  insertLevelApproval,
  listAssignments,
  listPendingLevelApprovals,
  setAssignmentPending,
  type Executor,
  type LevelApproval,
  type AssignmentState,
  type StoredAssignment,
  type Subject,
  type SubjectKey,
} from '@tierkit/db';
import { packOf, subjectOr404, type ApiDeps } from '../deps.js';
import { sortableId } from '../ids.js';
import { ProblemError, subjectClosed } from '../problem.js';
import { CLOSING_WITHDRAWAL_NOTE, withdrawnByClosing } from './closing-withdrawal.js';
import type { PeriodEvent } from './evaluate-periods.js';
import { contentHash, requireDistinctPerson, requireSameContent } from './four-eyes.js';
import { requireNotBehindFigures } from './lowering-figures.js';
import type { Decision } from './override-requests.js';
import { planSubjectNow, reevaluateSubject } from './reevaluate.js';
import type { TenantPack } from './tenant-pack.js';

/**
 * What a level sign-off approves: this subject at this level, decided on this month's data under this
 * policy version — or, a lowering request, leaving `level` for `proposedLevel` (only then in the hash,
 * so the hashes of sign-offs stored before lowering requests existed stay what they were).
 */
export function levelContent(
  a: Pick<LevelApproval, 'subject' | 'scheme' | 'level' | 'fromLevel' | 'period' | 'policyVersion'> & {
    readonly proposedLevel?: string | null;
  },
) {
  return {
    subject: a.subject,
    scheme: a.scheme,
    level: a.level,
    from: a.fromLevel,
    period: a.period,
    policyVersion: a.policyVersion,
    ...(a.proposedLevel ? { proposedLevel: a.proposedLevel } : {}),
  };
}

/** A pending or decided level sign-off as staff see it. */
export function levelApprovalView(a: LevelApproval) {
  return {
    id: a.id,
    subject: a.subject,
    scheme: a.scheme,
    level: a.level,
    from: a.fromLevel,
    period: a.period,
    policyVersion: a.policyVersion,
    status: a.status,
    contentHash: a.contentHash,
    requestedBy: a.requestedBy,
    requestedAt: a.requestedAt,
    decidedBy: a.decidedBy,
    decidedAt: a.decidedAt,
    decisionNote: a.decisionNote,
    // A lowering request: `level` stays in force until an approver lets `proposedLevel` take effect.
    ...(a.proposedLevel ? { proposedLevel: a.proposedLevel } : {}),
  };
}

async function recordStep(
  trx: Executor,
  tenantId: string,
  a: LevelApproval,
  action: 'requested' | 'approved' | 'rejected' | 'superseded' | 'withdrawn',
  actor: string,
  at: string,
  note: string | null,
) {
  await appendDecision(trx, tenantId, {
    id: sortableId(new Date(at)),
    kind: 'level',
    requestId: a.id,
    subjectId: a.subjectId,
    scheme: a.scheme,
    action,
    actor,
    at,
    note,
    contentHash: a.contentHash,
  });
}

/** Whether any of `events` moves into a level its policy marks `approvalRequired` (and so needs `planLevelApprovals`). */
export function movesIntoApprovalRequired(tp: TenantPack, events: readonly PeriodEvent[]): boolean {
  return events.some(
    (ev) => ev.reason !== 'override' && tp.schemes.get(ev.scheme)?.levels.find((l) => l.key === ev.to)?.approvalRequired === true,
  );
}

/** A write {@link openLevelApprovals} makes: a pending sign-off superseded, or a new one opened. */
export type LevelApprovalStep =
  | { readonly kind: 'supersede'; readonly approval: LevelApproval; readonly note: string }
  | { readonly kind: 'open'; readonly request: LevelApproval; readonly by: string; readonly note?: string };

/** What a re-evaluation's sign-offs come to: the rows to store, and the sign-off writes to make with them. */
export interface LevelApprovalPlan {
  /** Each marked `approvalRequired` while its scheme has a sign-off pending once `steps` are made. */
  readonly rows: StoredAssignment[];
  readonly steps: readonly LevelApprovalStep[];
  /**
   * The schemes whose held level stays in force against the looser one data computed (a lowering
   * waits for, or was refused, approval): the caller stores the held level ({@link heldRow}) and
   * none of the run's moves of the scheme.
   */
  readonly held: ReadonlySet<string>;
}

/** The levels a subject holds now that a lowering could leave, by scheme: those no override decided. */
export function heldLevelsOf(stored: readonly Pick<AssignmentState, 'scheme' | 'level' | 'explanation'>[]): Map<string, string> {
  return new Map(stored.filter((a) => a.explanation.decidedBy.kind !== 'override').map((a) => [a.scheme, a.level]));
}

/**
 * Whether a row of `rows` leaves a level held in `stored` ({@link heldLevelsOf}: one not decided by an
 * override) for a looser one its scheme asks approval for. Plain loops over the stored rows, no map
 * of them: a re-tier chunk asks this of every subject it plans (BENCHMARKS.md, session 33).
 */
export function lowersHeldLevel(
  tp: TenantPack,
  rows: readonly Pick<StoredAssignment, 'scheme' | 'level' | 'explanation'>[],
  stored: readonly Pick<AssignmentState, 'scheme' | 'level' | 'explanation'>[],
): boolean {
  for (const r of rows) {
    if (r.explanation.decidedBy.kind === 'override') continue;
    // The last of a scheme's stored rows, as the map heldLevelsOf builds would hold.
    let h: string | undefined;
    for (const a of stored) if (a.scheme === r.scheme && a.explanation.decidedBy.kind !== 'override') h = a.level;
    const def = h === undefined ? undefined : tp.schemes.get(r.scheme);
    if (h !== undefined && def !== undefined && loweringApproverNeeded(def, h, r.level)) return true;
  }
  return false;
}

/**
 * The row stored for a scheme whose held level stays in force: the held level with its own explanation,
 * progress and retention, on the month and engine state just evaluated (so the next month carries on
 * from what the rules computed, and proposes the lower level again until an approver decides).
 */
export function heldRow(stored: StoredAssignment, computed: StoredAssignment, approvalRequired: boolean): StoredAssignment {
  return {
    ...computed,
    level: stored.level,
    rank: stored.rank,
    periodsBelow: stored.periodsBelow,
    explanation: stored.explanation,
    progress: stored.progress,
    retention: stored.retention,
    approvalRequired,
  };
}

/**
 * Whether a rejected lowering request still answers the proposal `r` (docs/domain.md §4, "A rejection
 * holds"): the approver refused these figures — the same inputs with the same values, whatever month
 * re-reads them (a risk score is read as its latest value, so every month-end re-tier proposes the same
 * move again) — and the held level's review interval (`reviewMonths`) has not passed since the month
 * refused, when the grade is due a fresh look anyway.
 */
function rejectionHolds(a: LevelApproval, r: Pick<SignedLevel, 'period' | 'explanation'>, reviewMonths: number | undefined): boolean {
  if (a.proposal === null) return false;
  const figures = (inputs: SignedLevel['explanation']['inputs']) =>
    JSON.stringify(inputs.map((i) => [i.metric, i.window?.fn ?? null, i.window?.months ?? null, i.value]));
  if (figures(a.proposal.explanation.inputs) !== figures(r.explanation.inputs)) return false;
  return reviewMonths === undefined || a.proposal.period > (monthsBack(r.period, reviewMonths + 1).at(-1) ?? r.period);
}

/** A level as the sign-off rule reads it: a stored or planned assignment. */
export type SignedLevel = Pick<
  StoredAssignment,
  'scheme' | 'level' | 'period' | 'previousLevel' | 'policyVersion' | 'approvalRequired' | 'explanation' | 'retention'
>;

/**
 * The metrics feeding a scheme of the policy in force with a level that needs a sign-off: the risk
 * inputs whose replacement a metrics import records by count (docs/domain.md §4).
 */
export function signOffMetrics(tp: TenantPack): Set<string> {
  const out = new Set<string>();
  for (const s of tp.schemes.values()) if (s.levels.some((l) => l.approvalRequired)) for (const m of schemeMetrics(s)) out.add(m);
  return out;
}

/** Whether the policy in force asks a second person to sign off `level` of `scheme`. */
export function needsSignOff(tp: TenantPack, scheme: string, level: string): boolean {
  return tp.schemes.get(scheme)?.levels.find((l) => l.key === level)?.approvalRequired === true;
}

/** The levels the policy in force marks `approvalRequired`, by scheme: what a re-tier chunk checks its customers for. */
export function approvalRequiredLevels(tp: TenantPack): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, def] of tp.schemes) {
    const levels = def.levels.filter((l) => l.approvalRequired === true).map((l) => l.key);
    if (levels.length) out.set(key, levels);
  }
  return out;
}

/**
 * The one rule of level sign-offs, whatever wrote the level (a metric write, a re-tier job, an
 * import, an override's decision, a reopening): a level its policy marks `approvalRequired` that an
 * approver has not decided is pending a sign-off of that very level, and only of it.
 *
 * - A sign-off pending for a level the customer no longer has is superseded (by `system`, the note
 *   naming the level now, its month and whose write moved it): approving it would vouch for a grade
 *   no longer in force, signed blind. Moving to a level that needs none ends it so too — the one way
 *   besides an approver's decision; the write that moved the level is itself on the trail with the
 *   figures it replaced (packages/api/README.md, "Level sign-offs").
 * - A level that needs a sign-off and has none pending opens one, unless the newest sign-off of the
 *   scheme was decided (approved or rejected) at that level by an approver — a level stays decided
 *   until it moves. A move into it in this run dates the sign-off (its month, the level before);
 *   otherwise one withdrawn or superseded at that level (a closing's withdrawal, before a reopening)
 *   is restored as it was, with its requester, so whoever caused the level still may not decide it;
 *   else it is dated by the level's own month.
 * - A level an approved override decided is the override approver's: it opens none.
 *
 * Reads only: the writes come back as `steps`, for {@link openLevelApprovals} once the writer holds
 * the subject's row and knows it open. Lock order of every level write and of a sign-off decision:
 * subject, then sign-off, then assignment.
 */
export async function planLevelApprovals<Row extends SignedLevel>(
  db: Executor,
  tp: TenantPack,
  subject: Pick<Subject, 'id' | 'externalId'>,
  events: readonly PeriodEvent[],
  rows: readonly Row[],
  actor: string,
  nowIso: string,
  heldLevels: ReadonlyMap<string, string> = new Map(),
  keepWithdrawn: ReadonlySet<string> = new Set(),
): Promise<{ readonly rows: Row[]; readonly steps: readonly LevelApprovalStep[]; readonly held: ReadonlySet<string> }> {
  const of = (await signOffsOf(db, tp.tenantId, [subject.id])).get(subject.id);
  return settleSignOffs(tp, subject, events, rows, of ?? NO_SIGN_OFFS, actor, nowIso, heldLevels, keepWithdrawn);
}

const NO_SIGN_OFFS: SchemeSignOffs = { pending: new Map(), latest: new Map(), standing: new Map() };

/**
 * {@link planLevelApprovals} on sign-offs already read (`signOffsOf`): the pending one and the newest
 * still standing of each scheme. `heldLevels`: the levels stored now ({@link heldLevelsOf}), which a
 * lowering request holds in force.
 *
 * Lowering (docs/domain.md §4, "Lowering a sign-off level"): a row whose level is looser than a held
 * level its scheme's `loweringNeeds` guards keeps the held level (`held`) unless the newest standing
 * sign-off is an approved lowering request from that level to this one. A lowering request of this very
 * move pending stays; one rejected stays the answer while its figures stand ({@link rejectionHolds}: no
 * request reopened each re-tier); otherwise one is opened — the maker the write's actor, the proposal's figures kept on it —
 * superseding whatever was pending (the held level's sign-off, or a lowering to another level).
 */
export function settleSignOffs<Row extends SignedLevel>(
  tp: TenantPack,
  subject: Pick<Subject, 'id' | 'externalId'>,
  events: readonly PeriodEvent[],
  rows: readonly Row[],
  signOffs: SchemeSignOffs,
  actor: string,
  nowIso: string,
  heldLevels: ReadonlyMap<string, string> = new Map(),
  keepWithdrawn: ReadonlySet<string> = new Set(),
): { rows: Row[]; steps: LevelApprovalStep[]; held: Set<string> } {
  const { pending, standing } = signOffs;
  const steps: LevelApprovalStep[] = [];
  const waiting = new Set<string>();
  const held = new Set<string>();
  const open = (
    r: Row,
    content: Omit<
      LevelApproval,
      'id' | 'subjectId' | 'subject' | 'scheme' | 'requestedAt' | 'contentHash' | 'status' | 'decidedBy' | 'decidedAt' | 'decisionNote'
    >,
    note?: string,
  ) => {
    const fields = {
      id: `lvl_${sortableId(new Date(nowIso))}`,
      subjectId: subject.id,
      subject: subject.externalId,
      scheme: r.scheme,
      requestedAt: nowIso,
      ...content,
    };
    const request: LevelApproval = {
      ...fields,
      contentHash: contentHash(levelContent(fields)),
      status: 'pending',
      decidedBy: null,
      decidedAt: null,
      decisionNote: null,
    };
    steps.push({ kind: 'open', request, by: actor, ...(note ? { note } : {}) });
    waiting.add(r.scheme);
  };
  for (const r of rows) {
    const before = pending.get(r.scheme);
    const byOverride = r.explanation.decidedBy.kind === 'override';
    const last = standing.get(r.scheme);
    const from = heldLevels.get(r.scheme);
    const def = tp.schemes.get(r.scheme);
    if (!byOverride && from !== undefined && def !== undefined && loweringApproverNeeded(def, from, r.level)) {
      const sameMove = (a: LevelApproval | undefined) => a?.level === from && a.proposedLevel === r.level;
      if (!(sameMove(last) && last?.status === 'approved')) {
        held.add(r.scheme);
        if (sameMove(before)) {
          waiting.add(r.scheme);
          continue;
        }
        // Refused: the rejection holds while the figures it saw stand (and the held level's review is not due).
        const reviewMonths = def.levels.find((l) => l.key === from)?.reviewMonths;
        if (sameMove(last) && last?.status === 'rejected' && rejectionHolds(last, r, reviewMonths)) continue;
        if (before)
          steps.push({
            kind: 'supersede',
            approval: before,
            note: `superseded by lowering request ${from} → ${r.level} (${r.period}), proposed by ${actor}`,
          });
        open(r, {
          level: from,
          fromLevel: from,
          proposedLevel: r.level,
          proposal: { period: r.period, policyVersion: r.policyVersion, explanation: r.explanation, retention: r.retention },
          period: r.period,
          policyVersion: r.policyVersion,
          requestedBy: actor,
        });
        continue;
      }
      // Approved: the proposed level takes effect, by the rule for any level below.
    }
    // The stored levels themselves (no `heldLevels`: a reopening): a lowering request the closing
    // withdrew is restored as it was, with its maker and figures, while the held level is still in force
    // — unless the reopening found the policy in force or the figures no longer ask for it (`keepWithdrawn`).
    const latest = signOffs.latest.get(r.scheme);
    if (
      from === undefined &&
      !keepWithdrawn.has(r.scheme) &&
      !before &&
      !byOverride &&
      latest?.proposedLevel &&
      latest.status === 'withdrawn' &&
      latest.level === r.level
    ) {
      const { level, fromLevel, proposedLevel, proposal, period, policyVersion, requestedBy } = latest;
      open(r, { level, fromLevel, proposedLevel, proposal, period, policyVersion, requestedBy }, `restores ${latest.id} (withdrawn)`);
      continue;
    }
    if (before?.level === r.level && before.proposedLevel === null) {
      waiting.add(r.scheme);
      continue;
    }
    if (before) steps.push({ kind: 'supersede', approval: before, note: `superseded by ${r.level} (${r.period}), moved by ${actor}` });
    if (byOverride || !needsSignOff(tp, r.scheme, r.level)) continue;
    // The move into the level this run made last (a catch-up may step in and out of it).
    const move = events.findLast((ev) => ev.scheme === r.scheme && ev.to === r.level && ev.reason !== 'override');
    const plain = { level: r.level, proposedLevel: null, proposal: null };
    // An approved lowering request decided the level it let in; a rejected one, the level it kept.
    const decidedAt = last?.proposedLevel ? (last.status === 'approved' ? last.proposedLevel : last.level) : last?.level;
    if (move) open(r, { ...plain, fromLevel: move.from, period: move.period, policyVersion: move.policyVersion, requestedBy: actor });
    else if (decidedAt === r.level && (last?.status === 'approved' || last?.status === 'rejected')) continue;
    else if (last?.level === r.level && last.status !== 'pending' && last.proposedLevel === null)
      open(
        r,
        { ...plain, fromLevel: last.fromLevel, period: last.period, policyVersion: last.policyVersion, requestedBy: last.requestedBy },
        `restores ${last.id} (${last.status})`,
      );
    else
      open(
        r,
        {
          ...plain,
          fromLevel: r.previousLevel === r.level ? null : r.previousLevel,
          period: r.period,
          policyVersion: r.policyVersion,
          requestedBy: actor,
        },
        'level held with no sign-off',
      );
  }
  return {
    rows: rows.map((r) => (r.approvalRequired === waiting.has(r.scheme) ? r : { ...r, approvalRequired: waiting.has(r.scheme) })),
    steps,
    held,
  };
}

/**
 * Make the sign-off writes {@link planLevelApprovals} planned, in order, with their decision records:
 * inside the store's transaction, holding the subject's row and before the assignments are written.
 */
export async function openLevelApprovals(
  trx: Executor,
  tenantId: string,
  steps: readonly LevelApprovalStep[],
  nowIso: string,
): Promise<void> {
  for (const step of steps) {
    if (step.kind === 'supersede') {
      const a = step.approval;
      // Writers plan their sign-offs holding the subject's row; a guard all the same: a sign-off
      // decided meanwhile stays as decided, and nothing records a supersede that did not happen.
      if (
        !(await decideLevelApproval(trx, tenantId, a.id, a.contentHash, {
          status: 'superseded',
          by: 'system',
          at: nowIso,
          note: step.note,
        }))
      )
        continue;
      await recordStep(trx, tenantId, a, 'superseded', 'system', nowIso, step.note);
    } else {
      const { subject: _subject, status: _status, decidedBy: _by, decidedAt: _at, decisionNote: _note, ...request } = step.request;
      await insertLevelApproval(trx, tenantId, request);
      await recordStep(trx, tenantId, step.request, 'requested', step.by, nowIso, step.note ?? null);
    }
  }
}

/**
 * {@link planLevelApprovals} and {@link openLevelApprovals} at once, for a caller that stores the rows
 * it returns in the same transaction whatever happens (a seed).
 */
export async function syncLevelApprovals(
  trx: Executor,
  tp: TenantPack,
  subject: Pick<Subject, 'id' | 'externalId'>,
  events: readonly PeriodEvent[],
  rows: readonly StoredAssignment[],
  actor: string,
  nowIso: string,
): Promise<StoredAssignment[]> {
  const plan = await planLevelApprovals(trx, tp, subject, events, rows, actor, nowIso);
  await openLevelApprovals(trx, tp.tenantId, plan.steps, nowIso);
  return plan.rows;
}

/**
 * Withdraw every pending sign-off of a customer who is being closed, scheme by scheme, each marked
 * with the id of the `closing` that withdrew it and with its `withdrawn` step (the closing's note) on
 * its trail, and stop their levels showing as waiting; answers their ids.
 * The closing's part of the sign-off trail, kept here with every other step of it. Call holding the
 * customer's row (the closing has just closed it): no writer can open another meanwhile, so one read
 * finds them all. Moves no version: the closing's write of the row did, once for all of it.
 */
export async function withdrawLevelApprovals(
  trx: Executor,
  tenantId: string,
  subjectId: string,
  actor: string,
  nowIso: string,
  closing: string,
): Promise<string[]> {
  const note = CLOSING_WITHDRAWAL_NOTE;
  const pending = await listPendingLevelApprovals(trx, tenantId, { subjectId, includeClosed: true });
  const withdrawn: string[] = [];
  for (const a of pending.sort((x, y) => (x.scheme < y.scheme ? -1 : x.scheme > y.scheme ? 1 : 0))) {
    if (!(await decideLevelApproval(trx, tenantId, a.id, a.contentHash, { status: 'withdrawn', by: actor, at: nowIso, note, closing })))
      continue;
    await recordStep(trx, tenantId, a, 'withdrawn', actor, nowIso, note);
    // Nobody is asked to sign the level off any more: reads stop showing it as waiting.
    await setAssignmentPending(trx, tenantId, subjectId, a.scheme, false, { bump: false });
    withdrawn.push(a.id);
  }
  return withdrawn;
}

/**
 * A lowering request a closing withdrew that its reopening did not restore, and why: the policy in
 * force no longer guards that move (`rule_dropped`: no `loweringNeeds`, or the held level no longer
 * needs a sign-off), or today's figures no longer propose that level (`data_moved`, `computed` the
 * level they give — null with no data). The reopening's audit record lists them (`notRestored`).
 */
export interface NotRestoredLowering {
  readonly request: string;
  readonly scheme: string;
  readonly level: string;
  readonly proposedLevel: string;
  readonly why: 'rule_dropped' | 'data_moved';
  readonly computed?: string | null;
}

/**
 * A reopened customer's sign-offs, by the one rule ({@link planLevelApprovals}): each level that needs
 * one and that no approver decided is pending again — what the closing withdrew restored as it was,
 * with its requester, so that closing and reopening a customer never ends a sign-off. A lowering
 * request is restored only if the policy would still file it now: the version in force still guards
 * the move and the customer's figures today still propose that level (a re-evaluation planned, read
 * only, as a re-tier would); otherwise the held level's own sign-off is settled as for any level, and
 * the request is named in `notRestored` — never a pending request no rule asks for. Call holding the
 * customer's row, just reopened (the reopening moved the version); answers the ids opened.
 */
export async function reopenLevelApprovals(
  trx: Executor,
  tp: TenantPack,
  subject: SubjectKey,
  actor: string,
  nowIso: string,
): Promise<{ readonly opened: string[]; readonly notRestored: NotRestoredLowering[] }> {
  const stored = (await listAssignments(trx, tp.tenantId, subject.id)).filter((a) => tp.schemes.has(a.scheme));
  const withdrawn: LevelApproval[] = [];
  for (const a of stored) {
    const latest = await findLatestLevelApproval(trx, tp.tenantId, subject.id, a.scheme);
    if (latest?.status === 'withdrawn' && latest.proposedLevel && latest.level === a.level) withdrawn.push(latest);
  }
  const notRestored: NotRestoredLowering[] = [];
  if (withdrawn.length) {
    const today = await planSubjectNow(trx, tp, subject, new Date(nowIso), actor);
    for (const w of withdrawn) {
      const proposedLevel = w.proposedLevel ?? '';
      const def = tp.schemes.get(w.scheme);
      const computed = today?.plan.rows.find((r) => r.scheme === w.scheme)?.level ?? null;
      const base = { request: w.id, scheme: w.scheme, level: w.level, proposedLevel };
      if (def === undefined || loweringApproverNeeded(def, w.level, proposedLevel) === undefined)
        notRestored.push({ ...base, why: 'rule_dropped' });
      else if (computed !== proposedLevel) notRestored.push({ ...base, why: 'data_moved', computed });
    }
  }
  const keep = new Set(notRestored.map((n) => n.scheme));
  const plan = await planLevelApprovals(trx, tp, subject, [], stored, actor, nowIso, new Map(), keep);
  await openLevelApprovals(trx, tp.tenantId, plan.steps, nowIso);
  for (const r of plan.rows) {
    if (stored.find((a) => a.scheme === r.scheme)?.approvalRequired === r.approvalRequired) continue;
    await setAssignmentPending(trx, tp.tenantId, subject.id, r.scheme, r.approvalRequired, { bump: false });
  }
  return { opened: plan.steps.flatMap((st) => (st.kind === 'open' ? [st.request.id] : [])), notRestored };
}

/**
 * 403 `forbidden` unless the caller's role may approve leaving the held level (`loweringNeeds` of the
 * scheme in force; absent now — the policy dropped it — any approver). Rejecting needs only an approver.
 */
function requireLoweringApprover(deps: ApiDeps, tp: TenantPack, a: LevelApproval): void {
  const needed = tp.schemes.get(a.scheme)?.loweringNeeds ?? 'approver';
  if (mayApproveAs(deps.principal.role, needed)) return;
  throw new ProblemError(
    'forbidden',
    `Lowering ${a.scheme} from ${a.level} to ${a.proposedLevel} is approved by the ${needed} role (loweringNeeds). Nothing was approved.`,
  );
}

/** 409 `conflict`, code `sign_off_superseded`: a sign-off that ended when the level it was about moved on. */
function supersededProblem(a: LevelApproval): ProblemError {
  return new ProblemError(
    'conflict',
    `The sign-off of ${a.scheme} ${a.level} (${a.period}) for subject "${a.subject}" was superseded at ${a.decidedAt}: the level it was about is no longer the customer's, so it cannot be decided.`,
    [
      {
        path: 'params.scheme',
        message: 'was superseded',
        code: 'sign_off_superseded',
        params: { level: a.level, period: a.period, supersededAt: a.decidedAt ?? '' },
      },
    ],
  );
}

/** Whether `a` was decided by an approver and is the content a checker sent (`contentHash`): the request they had open. */
function decidedAsSeen(a: LevelApproval | undefined, contentHash: string): a is LevelApproval {
  return (a?.status === 'approved' || a?.status === 'rejected') && a.contentHash === contentHash;
}

/**
 * 409 `conflict`, code `already_decided`: the sign-off or lowering request the checker had open was
 * decided by another first — two checkers at once, each through a server of their own, get one
 * decision and this answer (as a staff grant's and an override's), never a 404 that says none waited.
 */
function alreadyDecided(a: LevelApproval): ProblemError {
  return new ProblemError(
    'conflict',
    `The ${a.proposedLevel ? 'lowering request' : 'sign-off'} of ${a.scheme} ${a.level} (${a.period}) for subject "${a.subject}" was ${a.status} by ${a.decidedBy} at ${a.decidedAt}.`,
    [{ path: 'params.scheme', message: `is ${a.status}`, code: 'already_decided', params: { status: a.status, kind: 'level' } }],
  );
}

function noneWaiting(subject: Pick<Subject, 'externalId'>, scheme: string): ProblemError {
  return new ProblemError('not-found', `No level of ${scheme} is waiting for approval for subject "${subject.externalId}".`);
}

/** The pending sign-off of a subject's scheme, or a 404 problem. */
async function pendingOr404(deps: ApiDeps, trx: Executor, subject: Subject, scheme: string): Promise<LevelApproval> {
  const a = await findPendingLevelApproval(trx, deps.tenantId, subject.id, scheme);
  if (!a) throw noneWaiting(subject, scheme);
  return a;
}

/** The pending sign-off of a subject's scheme (404 when there is none). */
export async function pendingLevel(deps: ApiDeps, externalId: string, scheme: string) {
  const subject = await subjectOr404(deps, externalId);
  return levelApprovalView(await pendingOr404(deps, deps.db, subject, scheme));
}

/**
 * Approve or reject the pending sign-off of a subject's scheme. Whoever caused the level (the
 * upload's credential, or `system` for a batch) may not decide it, with that or any other credential of theirs, and the hash sent must be the
 * pending content's. Either way the assignment stops showing `approvalRequired`; the level stays what
 * the rules decided (a rejection is the record that the grade was disputed; to change the level,
 * request an override).
 */
export async function decideLevel(deps: ApiDeps, externalId: string, scheme: string, approve: boolean, d: Decision) {
  const now = deps.now();
  const nowIso = now.toISOString();
  const tp = await packOf(deps);
  const decision = deps.db.transaction().execute(async (trx) => {
    const subject = await subjectOr404(deps, externalId, trx);
    const closed = async () =>
      subjectClosed(externalId, await subjectOr404(deps, externalId, trx), 'params.id', 'its levels are no longer signed off');
    // The order a bank expects: who may decide, then where the sign-off stands, then whether the
    // customer is still one — so whoever may not decide it learns nothing of the customer from a refusal.
    // What the checker had open: the pending sign-off, or — none pending for a closed customer — the
    // one the closing they are under withdrew (the rule a request's step follows too). One decided
    // before that closing, or withdrawn by an earlier one they were reopened from, is not waiting, as
    // for an open customer.
    const closingWithdrew = async () => {
      const latest = await findLatestLevelApproval(trx, deps.tenantId, subject.id, scheme);
      return latest && (await withdrawnByClosing(trx, deps.tenantId, 'level_approvals', latest)) ? latest : undefined;
    };
    const seen =
      (await findPendingLevelApproval(trx, deps.tenantId, subject.id, scheme)) ??
      (subject.closedAt === null ? undefined : await closingWithdrew());
    if (!seen) {
      // One that ended because the level moved on: say so, not that nothing ever waited — a checker
      // who had it open learns it can no longer be approved, and what the level is now. One another
      // checker decided, the very content this one had open (its hash): that checker was first.
      const latest = await findLatestLevelApproval(trx, deps.tenantId, subject.id, scheme);
      if (latest?.status !== 'superseded' && !decidedAsSeen(latest, d.contentHash)) throw noneWaiting(subject, scheme);
      await requireDistinctPerson(trx, deps.tenantId, [latest.requestedBy], deps.principal.actor);
      // Who may not approve a lowering hears so before where it stands (and who decided it).
      if (approve && latest.proposedLevel) requireLoweringApprover(deps, tp, latest);
      throw latest.status === 'superseded' ? supersededProblem(latest) : alreadyDecided(latest);
    }
    await requireDistinctPerson(trx, deps.tenantId, [seen.requestedBy], deps.principal.actor);
    if (seen.status !== 'pending') throw await closed();
    // The subject's row before the sign-off's (lock order of a level write, and of a closing): a
    // closing in flight is waited for and seen, and one that comes later waits for this decision. The
    // sign-off is read again under it. Held, not bumped: the assignment's flag below moves the version,
    // once per decision.
    const open = await holdOpenSubject(trx, deps.tenantId, subject.id);
    const a = await findPendingLevelApproval(trx, deps.tenantId, subject.id, scheme);
    // Gone meanwhile: withdrawn by a closing that committed first, or decided by another checker.
    if (!a) {
      if (!open && (await closingWithdrew())) throw await closed();
      const latest = await findLatestLevelApproval(trx, deps.tenantId, subject.id, scheme);
      if (latest?.id !== seen.id || !decidedAsSeen(latest, d.contentHash)) throw noneWaiting(subject, scheme);
      if (approve && latest.proposedLevel) requireLoweringApprover(deps, tp, latest);
      throw alreadyDecided(latest);
    }
    // Superseded meanwhile by a move into another approval-required level: who caused that one may not decide it either.
    if (a.id !== seen.id) await requireDistinctPerson(trx, deps.tenantId, [a.requestedBy], deps.principal.actor);
    if (!open) throw await closed();
    requireSameContent(a.contentHash, d.contentHash);
    // A sign-off's level rests on figures too: whoever imported or wrote them may not sign it off.
    if (approve && !a.proposedLevel) {
      const held = (await listAssignments(trx, deps.tenantId, subject.id)).find((x) => x.scheme === scheme);
      await requireNotBehindFigures(trx, deps, tp, a, held?.explanation.inputs ?? []);
    }
    if (approve && a.proposedLevel) {
      requireLoweringApprover(deps, tp, a);
      await requireNotBehindFigures(trx, deps, tp, a);
      // The figures may have moved since the request opened (an import with no re-tier yet): the one
      // rule runs first on the data as it is now, with the request still pending. Data still proposing
      // this level leaves it pending and it is approved below. Data back at the held level, or
      // proposing another, throws: this transaction — and whatever else the import would move — is
      // rolled back, and the request alone is superseded after it ({@link supersedeMoved}), so a refused
      // approval changes nothing else and opens nothing in nobody's name.
      await reevaluateSubject(trx, tp, subject, now, deps.principal.actor);
      const still = await findPendingLevelApproval(trx, deps.tenantId, subject.id, scheme);
      if (still?.id !== a.id) {
        const held = (await listAssignments(trx, deps.tenantId, subject.id)).find((x) => x.scheme === scheme)?.level ?? a.level;
        throw new DataMoved(a, still?.proposedLevel ?? held);
      }
    }
    const status = approve ? 'approved' : 'rejected';
    const changed = await decideLevelApproval(trx, deps.tenantId, a.id, a.contentHash, {
      status,
      by: deps.principal.actor,
      at: nowIso,
      note: d.note,
    });
    if (!changed) throw new ProblemError('content-changed', 'The sign-off changed while this request was being handled: read it again.');
    await recordStep(trx, deps.tenantId, a, status, deps.principal.actor, nowIso, d.note);
    // An approved lowering request lets the proposed level take effect: the subject is re-evaluated
    // now, by the one rule, which finds this approval and stores the level with its history event —
    // its maker's move, approved by this approver with the note (`lowering`). A rejection leaves the
    // held level in force, as any decision does.
    if (approve && a.proposedLevel)
      await reevaluateSubject(trx, tp, subject, now, deps.principal.actor, {
        lowering: { scheme: a.scheme, to: a.proposedLevel, maker: a.requestedBy, approvedBy: deps.principal.actor, note: d.note },
      });
    else await setAssignmentPending(trx, deps.tenantId, subject.id, scheme, false);
    return levelApprovalView({ ...a, status, decidedBy: deps.principal.actor, decidedAt: nowIso, decisionNote: d.note });
  });
  return decision.catch(async (e: unknown) => {
    if (!(e instanceof DataMoved)) throw e;
    await supersedeMoved(deps, tp, e, nowIso);
    throw dataMovedProblem(e.request, e.computed);
  });
}

/** Thrown inside a decision to roll it back: the lowering request's figures no longer compute its level. */
class DataMoved extends Error {
  constructor(
    readonly request: LevelApproval,
    readonly computed: string,
  ) {
    super(`lowering request ${request.id}: the data now computes ${computed}`);
  }
}

/**
 * A lowering request whose data moved, superseded on its own (docs/domain.md §4): the sign-offs of the
 * stored levels are then settled as a reopening settles them — the held level's own sign-off, which the
 * request had taken the place of, restored if no approver had given it. The data's new level is the next
 * write's or re-tier's to propose, in its maker's name.
 */
async function supersedeMoved(deps: ApiDeps, tp: TenantPack, moved: DataMoved, nowIso: string): Promise<void> {
  const a = moved.request;
  await deps.db.transaction().execute(async (trx) => {
    if (!(await holdOpenSubject(trx, deps.tenantId, a.subjectId))) return;
    const note = `superseded: the data now computes ${a.scheme} ${moved.computed}, not ${a.proposedLevel} (found approving it, ${deps.principal.actor})`;
    if (!(await decideLevelApproval(trx, deps.tenantId, a.id, a.contentHash, { status: 'superseded', by: 'system', at: nowIso, note })))
      return;
    await recordStep(trx, deps.tenantId, a, 'superseded', 'system', nowIso, note);
    const subject = await findSubjectByExternalId(trx, deps.tenantId, a.subject);
    if (subject) await reopenLevelApprovals(trx, tp, subject, 'system', nowIso);
  });
}

/**
 * 409 `conflict`, code `lowering_data_moved`: a lowering request whose figures no longer compute its
 * proposed level. It was superseded (committed before this answer): approving it would answer
 * `approved` and leave the held level in force.
 */
function dataMovedProblem(a: LevelApproval, computed: string): ProblemError {
  return new ProblemError(
    'conflict',
    `The data of subject "${a.subject}" no longer computes ${a.scheme} ${a.proposedLevel} but ${computed}: the lowering request ${a.level} → ${a.proposedLevel} (${a.period}) was superseded and nothing was approved.`,
    [
      {
        path: 'params.scheme',
        message: 'the figures behind the lowering request moved',
        code: 'lowering_data_moved',
        params: { level: a.level, proposedLevel: a.proposedLevel ?? '', computed, period: a.period },
      },
    ],
  );
}
