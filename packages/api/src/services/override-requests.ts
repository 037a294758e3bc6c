import {
  looserLevel,
  mayApproveAs,
  mayRequestOverride,
  overrideApproverNeeded,
  overrideExpiryProblem,
  overrideJumpProblem,
  overrideRuleOf,
  revocationApproverNeeded,
  type OverrideApprover,
  type OverrideContent,
  type OverrideDecision,
  type OverrideMode,
  type OverrideReasonCategory,
  type Override,
  type OverrideRuleProblem,
  type OverrideStatus,
  type SchemeDefinition,
} from '@tierkit/core';
import { staffBehind, staffOf, type StaffBehind } from './staff-behind.js';
import {
  appendDecision,
  changeOverride,
  findOverride,
  findSubjectByExternalId,
  holdOpenSubject,
  isManagedBy,
  insertOverride,
  listAssignments,
  listDecisions,
  pendingOverrideForUpdate,
  type ApprovalDecision,
  type DecisionAction,
  type Executor,
  type OverrideChange,
  type OverrideRecord,
  type Subject,
} from '@tierkit/db';
import { packOf, subjectOr404, type ApiDeps } from '../deps.js';
import { sortableId } from '../ids.js';
import { maskName } from '../mask.js';
import { invalid, ProblemError, subjectClosed } from '../problem.js';
import { refusal } from '../auth/access.js';
import { withdrawnByClosing } from './closing-withdrawal.js';
import { contentHash, requestedByCaller, requireDistinctPerson, requireSameContent, samePerson } from './four-eyes.js';
import { reevaluateSubject } from './reevaluate.js';
import type { TenantPack } from './tenant-pack.js';
import { requireReadable, unreadableSchemes } from './audience.js';
import { booksRead } from '../auth/principal.js';
import { bookMayDecide, deciderRole } from './book-deciders.js';

// What the API sends about overrides: one home, shared with the admin kit.
export type { OverrideContent } from '@tierkit/core';

/** Where an override stands as the API shows it: `expired` is an approved one past its expiry. */
export type OverrideState = OverrideStatus;

/** An override request as staff see it (never sent to a customer's credential: access.ts refuses embed tokens). */
export type OverrideView = Override;

/** One step of a request's life as the API shows it. */
export type DecisionView = OverrideDecision;

export function overrideContent(r: OverrideRecord): OverrideContent {
  const o = r.override;
  return {
    subject: r.subject,
    scheme: o.scheme,
    level: o.level,
    mode: o.mode,
    reason: o.reason,
    ...(o.reasonCategory !== undefined ? { reasonCategory: o.reasonCategory } : {}),
    ...(o.evidence !== undefined ? { evidence: o.evidence } : {}),
    expiresAt: o.expiresAt,
  };
}

/** The hash of an override's content, computed afresh (rows migrated from before four eyes stored none). */
export function overrideHash(r: OverrideRecord): string {
  return contentHash(overrideContent(r));
}

function stateOf(r: OverrideRecord, now: string): OverrideState {
  if (r.status !== 'approved') return r.status;
  return r.override.expiresAt !== null && r.override.expiresAt <= now ? 'expired' : 'approved';
}

/** What the caller may do with a request, as the API decides it ({@link callerOf}). */
export interface OverrideCaller {
  readonly requestedByYou: boolean;
  readonly mayEdit: boolean;
  readonly mayWithdraw: boolean;
}

/**
 * Whether the caller stands for the request when withdrawing it: its requester (by person), or — a
 * request filed by book-scoped staff belonging to its customer's book — a relationship manager whose
 * book the customer is in. Whoever reaches `r` with a book-scoped credential has the customer in
 * their book (`overrideOr404`, `subjectOr404`). How the requester was scoped is read from the request
 * (as it held when filed), never from their scope today: a compliance officer made book-scoped later
 * does not hand their requests to a relationship manager.
 */
function withdrawsFor(deps: ApiDeps, r: OverrideRecord, requestedByYou: boolean): boolean {
  return requestedByYou || (r.requesterScope === 'book' && deps.principal.book !== undefined);
}

/**
 * What the caller may do with `r` now (`requestedByYou` from `requestedByCaller`): the rules of
 * `editOverride` and `withdrawOverride`, so a console offers exactly what the API would accept.
 */
export function callerOf(deps: ApiDeps, r: OverrideRecord, now: string, requestedByYou: boolean): OverrideCaller {
  const pending = r.status === 'pending';
  const allowed = (method: string, path: string) => refusal(deps.principal, method, path, undefined) === undefined;
  const id = encodeURIComponent(r.override.id);
  return {
    requestedByYou,
    // Past its expiry a pending request can only be rejected or withdrawn (see editOverride).
    mayEdit:
      pending && requestedByYou && (r.override.expiresAt === null || r.override.expiresAt > now) && allowed('PATCH', `/v1/overrides/${id}`),
    mayWithdraw: pending && withdrawsFor(deps, r, requestedByYou) && allowed('POST', `/v1/overrides/${id}/withdraw`),
  };
}

/** The override as `caller` sees it. */
export function overrideView(r: OverrideRecord, now: string, caller: OverrideCaller, unmask: boolean, behind: StaffBehind): OverrideView {
  const status = stateOf(r, now);
  return {
    id: r.override.id,
    subjectName: unmask ? r.subjectName : maskName(r.subjectName),
    ...overrideContent(r),
    status,
    inForce: status === 'approved',
    contentHash: overrideHash(r),
    requestedBy: r.override.requestedBy,
    requestedByStaff: staffOf(behind, r.override.requestedBy),
    requestedByYou: caller.requestedByYou,
    mayEdit: caller.mayEdit,
    mayWithdraw: caller.mayWithdraw,
    requestedAt: r.createdAt,
    updatedAt: r.updatedAt,
    decidedBy: r.decidedBy,
    decidedByStaff: staffOf(behind, r.decidedBy),
    decidedAt: r.decidedAt,
    decisionNote: r.decisionNote,
    revokedBy: r.revokedBy,
    revokedAt: r.revokedAt,
    revokeNote: r.revokeNote,
  };
}

export function decisionView(d: ApprovalDecision): DecisionView {
  return { action: d.action, actor: d.actor, at: d.at, note: d.note, contentHash: d.contentHash };
}

/** What a request or an edit may set. */
export interface OverrideInput {
  readonly scheme: string;
  readonly level: string;
  readonly mode: OverrideMode;
  readonly reason: string;
  /** What the request rests on and the document cited (docs/domain.md §4, "An override's evidence"); absent: not said. */
  readonly reasonCategory?: OverrideReasonCategory;
  readonly evidence?: string;
  readonly expiresAt: string | null;
}

/** What an edit may change: any of a request's fields; null takes a category or evidence away. */
export type OverrideEdit = Partial<Omit<OverrideInput, 'scheme' | 'reasonCategory' | 'evidence'>> & {
  readonly reasonCategory?: OverrideReasonCategory | null;
  readonly evidence?: string | null;
};

/** The scheme and level must exist for the subject's kind, and the expiry must lie ahead. */
function checkInput(tp: TenantPack, subject: Subject, input: OverrideInput, now: string): SchemeDefinition {
  const scheme = tp.schemes.get(input.scheme);
  if (!scheme || scheme.subjectKind !== subject.kind) {
    throw invalid([
      {
        path: 'scheme',
        message: `no scheme "${input.scheme}" for a ${subject.kind} in this tenant`,
        code: 'unknown_scheme',
        params: { scheme: input.scheme, subjectKind: subject.kind },
      },
    ]);
  }
  if (!scheme.levels.some((l) => l.key === input.level)) {
    throw invalid([
      {
        path: 'level',
        message: `"${input.level}" is not a level of ${input.scheme} (${scheme.levels.map((l) => l.key).join(', ')})`,
        code: 'unknown_level',
        params: { level: input.level, scheme: input.scheme, levels: scheme.levels.map((l) => l.key) },
      },
    ]);
  }
  if (input.expiresAt !== null && input.expiresAt <= now)
    throw invalid([{ path: 'expiresAt', message: 'must be in the future', code: 'expired', params: { now } }]);
  return scheme;
}

/**
 * The scheme's override rule (`overrides` in its document) for whoever files or edits a request: who
 * may (403 `forbidden` naming the rule), and how long it may run (400 on `expiresAt`). Checked before
 * anything is written, so a refused request files nothing.
 */
function checkRule(deps: ApiDeps, scheme: SchemeDefinition, input: OverrideInput, now: Date): void {
  const rule = overrideRuleOf(scheme);
  const p = deps.principal;
  if (!mayRequestOverride(rule, { role: p.role, bookScoped: p.book !== undefined }))
    throw new ProblemError(
      'forbidden',
      rule.requestedBy === 'none'
        ? `The policy of ${scheme.key} takes no overrides (overrides.requestedBy "none"): its rules alone decide.`
        : `The policy of ${scheme.key} takes override requests only from staff who see the whole bank (overrides.requestedBy "tenant"), not from a relationship manager: ask compliance or risk management to file it.`,
    );
  const expiry = overrideExpiryProblem(rule, input.expiresAt, now);
  if (expiry)
    throw invalid([
      {
        path: 'expiresAt',
        message:
          expiry.code === 'expiry_required'
            ? `an override of ${scheme.key} needs an expiry, at most ${expiry.maxDays} days ahead (overrides.maxDays)`
            : `an override of ${scheme.key} may run at most ${expiry.maxDays} days (overrides.maxDays): until ${expiry.latest} at the latest`,
        code: expiry.code,
        params: { scheme: scheme.key, maxDays: expiry.maxDays, latest: expiry.latest },
      },
    ]);
}

/**
 * The scheme's `maxStep` (`overrides.maxStep`) for an override to `level` of a subject holding `from`
 * now: 422 `unprocessable`, code `override_jump_too_far` on `level`, when it moves further. Refused, not
 * sent to a senior approver: a customer that far from what the rules give is a case for the rules.
 */
function checkJump(
  scheme: SchemeDefinition,
  from: string | undefined,
  o: { readonly level: string; readonly mode: OverrideMode },
  subject: string,
): void {
  const level = o.level;
  const jump = overrideJumpProblem(overrideRuleOf(scheme), scheme.levels, from, level, o.mode);
  if (!jump) return;
  throw new ProblemError(
    'unprocessable',
    `An override of ${scheme.key} may move subject "${subject}" at most ${jump.maxStep} level(s) from the one it holds (${jump.from}); "${level}" is ${jump.steps} away (overrides.maxStep). Nothing was filed or changed.`,
    [
      {
        path: 'level',
        message: `at most ${jump.maxStep} level(s) from ${jump.from} (overrides.maxStep)`,
        code: jump.code,
        params: { scheme: scheme.key, from: jump.from, level, steps: jump.steps, maxStep: jump.maxStep },
      },
    ],
  );
}

/** The subject's level in `scheme` now (undefined: none yet), what `checkJump` measures from. */
async function heldLevel(db: Executor, deps: ApiDeps, subjectId: string, scheme: string): Promise<string | undefined> {
  return (await listAssignments(db, deps.tenantId, subjectId)).find((a) => a.scheme === scheme)?.level;
}

async function record(
  trx: Executor,
  deps: ApiDeps,
  r: OverrideRecord,
  action: DecisionAction,
  note: string | null,
  hash: string,
  at: string,
) {
  await appendDecision(trx, deps.tenantId, {
    id: sortableId(new Date(at)),
    kind: 'override',
    requestId: r.override.id,
    subjectId: r.subjectId,
    scheme: r.override.scheme,
    action,
    actor: deps.principal.actor,
    at,
    note,
    contentHash: hash,
  });
}

/**
 * An override of this tenant, or a 404 problem (another tenant's id is not told apart from none). A
 * request belongs to its subject's book: a book-scoped credential reaches it only while the subject is
 * in its book, and is told of any other as of none — whoever filed it, so an RM whose customer moved
 * to another book keeps no hold on the requests left behind.
 */
export async function overrideOr404(deps: ApiDeps, id: string, db: Executor = deps.db): Promise<OverrideRecord> {
  const r = await findOverride(db, deps.tenantId, id);
  const book = booksRead(deps.principal);
  // In a transaction (a write), the book held stays so until it ends: a move waits (isManagedBy).
  if (!r || (book !== undefined && !(await isManagedBy(db, deps.tenantId, r.subjectId, book, { hold: db.isTransaction }))))
    throw new ProblemError('not-found', `No override "${id}" in this tenant.`);
  // A request on a grade the caller may not read (an AML 高 for a viewer) is not theirs to know of: a 404
  // as for another tenant's, since even a refusal would tell that the customer has one (tipping off).
  if (unreadableSchemes(deps.principal, await packOf(deps)).includes(r.override.scheme))
    throw new ProblemError('not-found', `No override "${id}" in this tenant.`);
  return r;
}

/** The view of `r` as the caller sees it. */
async function viewFor(deps: ApiDeps, db: Executor, r: OverrideRecord, now: string): Promise<OverrideView> {
  const byYou = await requestedByCaller(db, deps.tenantId, deps.principal.actor)([r.override.requestedBy]);
  // On `db`, the caller's transaction when it writes: a read on another pooled connection while this
  // one holds the subject's locks waits for a free connection that requests waiting on those locks hold.
  const behind = await staffBehind(db, deps.tenantId, [r.override.requestedBy, r.decidedBy]);
  return overrideView(r, now, callerOf(deps, r, now, byYou), deps.unmaskNames, behind);
}

/** The override and every step of its life, oldest first. */
export async function overrideWithDecisions(deps: ApiDeps, id: string) {
  const r = await overrideOr404(deps, id);
  const decisions = await listDecisions(deps.db, deps.tenantId, 'override', id);
  return { ...(await viewFor(deps, deps.db, r, deps.now().toISOString())), decisions: decisions.map(decisionView) };
}

/**
 * Request an override on a subject: stored pending, with the hash an approval must send back. While
 * another request for the subject's scheme is pending, a 409 `conflict` naming it.
 */
export async function requestOverride(deps: ApiDeps, externalId: string, input: OverrideInput): Promise<OverrideView> {
  const now = deps.now();
  const nowIso = now.toISOString();
  const tp = await packOf(deps);
  const subject = await subjectOr404(deps, externalId);
  // An override holds a level the customer is tiered at; one who left is tiered no more.
  if (subject.closedAt !== null) throw subjectClosed(externalId, subject, 'params.id', 'no override can be requested for it');
  const scheme = checkInput(tp, subject, input, nowIso);
  checkRule(deps, scheme, input, now);
  // A request names the grade it would hold: one filed on a grade the filer may not read (`readers`) is
  // refused before anything is written, not filed and then hidden from them.
  requireReadable(deps.principal, tp, input.scheme, 'scheme');
  checkJump(scheme, await heldLevel(deps.db, deps, subject.id, input.scheme), input, externalId);
  const id = `ovr_${sortableId(now)}`;
  const hash = contentHash({ subject: externalId, ...input } satisfies OverrideContent);
  return deps.db.transaction().execute(async (trx) => {
    // A second request beside a pending one would leave the checker to pick between two competing
    // exceptions; the maker changes the one that waits instead (edit, or withdraw and request anew).
    const pending = await pendingOverrideForUpdate(trx, deps.tenantId, subject.id, input.scheme, nowIso);
    const book = booksRead(deps.principal);
    // The customer was in the book when read above, but may have moved since (while this waited for
    // the lock above, say): say so rather than file a request the RM could not reach. Held from here
    // to the commit, so a move waits for it (isManagedBy).
    if (book !== undefined && !(await isManagedBy(trx, deps.tenantId, subject.id, book, { hold: true })))
      throw new ProblemError(
        'subject-not-found',
        `Subject "${externalId}" is no longer in your book: it was moved to another while this request was being filed, and nothing was filed.`,
      );
    if (pending) {
      const byYou = await requestedByCaller(trx, deps.tenantId, deps.principal.actor)([pending.override.requestedBy]);
      const may = callerOf(deps, pending, nowIso, byYou);
      // Say only what this caller may do about it: the new RM of a moved customer may withdraw, not edit.
      const instead =
        may.mayEdit && may.mayWithdraw
          ? 'edit or withdraw it rather than file another, or wait for its decision'
          : may.mayWithdraw
            ? 'withdraw it and file your own, or wait for its decision'
            : 'its requester may edit or withdraw it; otherwise wait for its decision';
      throw new ProblemError(
        'conflict',
        `Override ${pending.override.id} (${pending.override.level}, ${pending.override.mode}) is already pending for subject "${externalId}" in ${input.scheme}, requested by ${pending.override.requestedBy} at ${pending.createdAt}: ${instead}.`,
      );
    }
    await insertOverride(trx, deps.tenantId, subject.id, { id, ...input, requestedBy: deps.principal.actor, approvedBy: null }, nowIso, {
      status: 'pending',
      contentHash: hash,
      requesterScope: deps.principal.book !== undefined ? 'book' : 'tenant',
    });
    // The check above ran before this transaction: a closing may have committed since, or be in flight.
    // The insert bumped the subject's row, so a closing in flight has committed by now (or waits for
    // this one and then withdraws the request, closeSubject); read again, a request filed for someone
    // who left would wait, pending, in no queue.
    // (Not subjectOr404: the book was held above, and is not to be locked again after the subject.)
    const reread = await findSubjectByExternalId(trx, deps.tenantId, externalId);
    if (reread && reread.closedAt !== null) throw subjectClosed(externalId, reread, 'params.id', 'no override can be requested for it');
    const r = await overrideOr404(deps, id, trx);
    await record(trx, deps, r, 'requested', null, hash, nowIso);
    return viewFor(deps, trx, r, nowIso);
  });
}

/**
 * Only the person who requested `r` (with any credential of theirs) may edit it. A book-scoped caller
 * reaches only its own book's requests (`overrideOr404`), so it is told why.
 */
async function requireRequester(trx: Executor, deps: ApiDeps, r: OverrideRecord, refusal: string): Promise<void> {
  if (await samePerson(trx, deps.tenantId, r.override.requestedBy, deps.principal.actor)) return;
  throw new ProblemError('forbidden', refusal);
}

/**
 * Who may withdraw a pending request: its requester, or the relationship manager whose book the
 * customer is in when book-scoped staff filed it (`withdrawsFor`): a customer moved between books
 * keeps a request nobody in the new book could otherwise take back, and none could be filed beside
 * it. One filed by tenant-wide staff (a compliance officer's, say) stays theirs to withdraw.
 */
async function requireMayWithdraw(trx: Executor, deps: ApiDeps, r: OverrideRecord): Promise<void> {
  const byYou = await samePerson(trx, deps.tenantId, r.override.requestedBy, deps.principal.actor);
  if (withdrawsFor(deps, r, byYou)) return;
  throw new ProblemError(
    'forbidden',
    r.requesterScope === 'tenant'
      ? `Override ${r.override.id} was filed by ${r.override.requestedBy} for the whole bank, not for a book: only they may withdraw it (an approver may reject it).`
      : `Only the requester (${r.override.requestedBy}) or the relationship manager whose book the customer is in may withdraw override ${r.override.id}.`,
  );
}

/**
 * Refuse a step on a request that is not in `status`: a 409 saying where it stands. A request no
 * longer pending was settled by someone else first — two checkers deciding it at once, each through a
 * server of their own, included — so it carries `already_decided`, as a staff grant's does, and the
 * console says so rather than "conflict".
 */
function requireStatus(r: OverrideRecord, status: OverrideRecord['status'], doing: string): void {
  if (r.status === status) return;
  const message = `Override ${r.override.id} is ${r.status}; only ${status} overrides can be ${doing}.`;
  throw new ProblemError(
    'conflict',
    message,
    status === 'pending'
      ? [{ path: 'params.overrideId', message: `is ${r.status}`, code: 'already_decided', params: { status: r.status, kind: 'override' } }]
      : undefined,
  );
}

/**
 * The rest of a step on a pending request, once the caller is known to be allowed it (scope and
 * permission come first, so nobody without the right to act learns more than another item would tell
 * them): where the request stands, then whether its customer is still one (409 `subject_closed`).
 * A request its customer's closing withdrew was pending as far as the caller knew: that closing is the
 * answer, not "withdrawn"; one decided before the closing answers as it would for an open customer.
 *
 * Holds the customer's row before anything is written and reads the request again under it, so the
 * status checked is the one the step's write meets. The lock order of a closing (subject, then its
 * pending requests, closeSubject) and of a level write: a step that took the request first and the
 * subject second (as `changeOverride`'s bump does) could hold a request filed while a closing waited
 * for the row, and wait for that row while the closing waits for the request — PostgreSQL would abort
 * one. Taken after the book's row (`overrideOr404`, the order of a move between books). A step that
 * waited here for a closing finds its request withdrawn by it, and says the customer was closed.
 */
async function holdPending(trx: Executor, deps: ApiDeps, r: OverrideRecord, doing: string, refused: string): Promise<OverrideRecord> {
  const open = await holdOpenSubject(trx, deps.tenantId, r.subjectId);
  const held = (await findOverride(trx, deps.tenantId, r.override.id)) ?? r;
  const closed = async () => subjectClosed(r.subject, await subjectOr404(deps, r.subject, trx), 'params.overrideId', refused);
  if (await withdrawnByClosing(trx, deps.tenantId, 'overrides', { id: held.override.id, status: held.status })) throw await closed();
  requireStatus(held, 'pending', doing);
  if (!open) throw await closed();
  return held;
}

/**
 * Apply a step guarded by the status and hash read: if someone else changed the request in between,
 * the conditional write finds nothing and the caller is told the content changed.
 */
async function step(
  trx: Executor,
  deps: ApiDeps,
  r: OverrideRecord,
  status: OverrideRecord['status'],
  change: OverrideChange,
): Promise<void> {
  const changed = await changeOverride(trx, deps.tenantId, r.override.id, { status, contentHash: r.contentHash }, change);
  if (!changed) throw new ProblemError('content-changed', 'The override changed while this request was being handled: read it again.');
}

/** The requester (with any credential of theirs) edits their pending request: its content, and so its hash, change. */
export async function editOverride(
  deps: ApiDeps,
  id: string,
  patch: OverrideEdit,
  /** Told what the request said before this edit and after it, read in the edit's own transaction (the audit trail). */
  told?: (before: OverrideInput, after: OverrideInput) => void,
): Promise<OverrideView> {
  const nowIso = deps.now().toISOString();
  const tp = await packOf(deps);
  return deps.db.transaction().execute(async (trx) => {
    const seen = await overrideOr404(deps, id, trx);
    await requireRequester(
      trx,
      deps,
      seen,
      deps.principal.book !== undefined
        ? `Only the requester may edit a pending override; ${seen.override.requestedBy} requested ${seen.override.id}. Withdraw it and file your own instead.`
        : 'Only the requester may edit a pending override.',
    );
    const r = await holdPending(trx, deps, seen, 'edited', 'its requests can no longer be edited');
    const subject = await subjectOr404(deps, r.subject, trx);
    const o = r.override;
    // Past its expiry a request no longer blocks a new one for its subject and scheme (see
    // requestOverride): brought back by an edit, it would stand beside that one.
    if (o.expiresAt !== null && o.expiresAt <= nowIso)
      throw new ProblemError(
        'conflict',
        `Override ${id} expired at ${o.expiresAt} before anyone decided it: it can only be rejected or withdrawn. File a new request instead.`,
      );
    // null in the edit takes a category or an evidence reference away; absent keeps it.
    const category = patch.reasonCategory === undefined ? o.reasonCategory : (patch.reasonCategory ?? undefined);
    const evidence = patch.evidence === undefined ? o.evidence : (patch.evidence ?? undefined);
    const next: OverrideInput = {
      scheme: o.scheme,
      level: patch.level ?? o.level,
      mode: patch.mode ?? o.mode,
      reason: patch.reason ?? o.reason,
      ...(category !== undefined ? { reasonCategory: category } : {}),
      ...(evidence !== undefined ? { evidence } : {}),
      expiresAt: patch.expiresAt === undefined ? o.expiresAt : patch.expiresAt,
    };
    const scheme = checkInput(tp, subject, next, nowIso);
    checkRule(deps, scheme, next, deps.now());
    checkJump(scheme, await heldLevel(trx, deps, subject.id, next.scheme), next, r.subject);
    const hash = contentHash({ subject: r.subject, ...next } satisfies OverrideContent);
    await step(trx, deps, r, 'pending', {
      ...next,
      reasonCategory: next.reasonCategory ?? null,
      evidence: next.evidence ?? null,
      contentHash: hash,
      updatedAt: nowIso,
    });
    const edited = await overrideOr404(deps, id, trx);
    await record(trx, deps, edited, 'edited', null, hash, nowIso);
    if (told) {
      const { subject: _subject, ...before } = overrideContent(r);
      told(before, next);
    }
    return viewFor(deps, trx, edited, nowIso);
  });
}

/** The requester (with any credential of theirs) takes back their pending request. */
export async function withdrawOverride(deps: ApiDeps, id: string, note: string | null): Promise<OverrideView> {
  const nowIso = deps.now().toISOString();
  return deps.db.transaction().execute(async (trx) => {
    const seen = await overrideOr404(deps, id, trx);
    await requireMayWithdraw(trx, deps, seen);
    const r = await holdPending(trx, deps, seen, 'withdrawn', 'its requests can no longer be withdrawn');
    await step(trx, deps, r, 'pending', {
      status: 'withdrawn',
      decidedBy: deps.principal.actor,
      decidedAt: nowIso,
      decisionNote: note,
      updatedAt: nowIso,
    });
    const done = await overrideOr404(deps, id, trx);
    await record(trx, deps, done, 'withdrawn', note, overrideHash(done), nowIso);
    return viewFor(deps, trx, done, nowIso);
  });
}

/** A decision by a second person on a pending request, bound to the content they reviewed. */
export interface Decision {
  readonly contentHash: string;
  readonly note: string | null;
}

/**
 * Approve or reject a pending override. Four eyes whatever the roles: the requester is refused
 * (403 `four-eyes`), with any credential of theirs, and the hash sent must be the pending content's (409 `content-changed`).
 * An approval takes effect at once: the subject is re-evaluated in the same transaction.
 */
export async function decideOverride(deps: ApiDeps, id: string, approve: boolean, d: Decision): Promise<OverrideView> {
  const now = deps.now();
  const nowIso = now.toISOString();
  const tp = await packOf(deps);
  const view = await deps.db.transaction().execute(async (trx) => {
    const seen = await overrideOr404(deps, id, trx);
    // Four eyes first: the requester learns nothing of the request's state or its customer's from a refusal.
    await requireDistinctPerson(trx, deps.tenantId, [seen.override.requestedBy], deps.principal.actor);
    const r = await holdPending(trx, deps, seen, approve ? 'approved' : 'rejected', 'its requests can no longer be decided');
    const subject = await subjectOr404(deps, r.subject, trx);
    const hash = overrideHash(r);
    requireSameContent(hash, d.contentHash);
    // A team lead decides their line's own exceptions only (book-deciders.ts): nothing is changed. A scheme
    // retired since has no rule in force that makes it the line's: said as such, not as a bank-wide rule.
    if (deps.principal.book !== undefined && !tp.schemes.has(r.override.scheme))
      throw new ProblemError(
        'forbidden',
        `Override ${id} is of ${r.override.scheme}, which is no longer in force in this tenant: a tenant-wide approver rejects it (nobody may approve it), not a book-scoped one. Nothing was decided.`,
        [
          {
            path: 'params.id',
            message: 'is of a scheme no longer in force',
            code: 'scheme_not_in_force',
            params: { scheme: r.override.scheme },
          },
        ],
      );
    if (deps.principal.book !== undefined && !bookMayDecide(tp.schemes.get(r.override.scheme)))
      throw new ProblemError(
        'forbidden',
        `Override ${id} is of ${r.override.scheme}, whose overrides only staff who see the whole bank may file (overrides.requestedBy "tenant"): a tenant-wide approver decides it, not a book-scoped one. Nothing was decided.`,
        [{ path: 'params.id', message: 'is decided bank-wide', code: 'tenant_wide_decision', params: { scheme: r.override.scheme } }],
      );
    if (approve) {
      const o = r.override;
      if (o.expiresAt !== null && o.expiresAt <= nowIso)
        throw new ProblemError('unprocessable', `Override ${id} expired at ${o.expiresAt} before it was approved.`);
      // The pack may have changed since the request (a version retired, a level dropped). The approver
      // sent only a hash, so this is not a 400 about their body: say why it cannot take effect.
      const scheme = tp.schemes.get(o.scheme);
      if (!scheme || scheme.subjectKind !== subject.kind) {
        throw new ProblemError(
          'unprocessable',
          `Override ${id} is for ${o.scheme}, which is no longer in force in this tenant: reject it, or its requester may withdraw it.`,
          [{ path: 'params.id', message: 'is of a scheme no longer in force', code: 'scheme_not_in_force', params: { scheme: o.scheme } }],
        );
      }
      if (!scheme.levels.some((l) => l.key === o.level)) {
        throw new ProblemError(
          'unprocessable',
          `Override ${id} sets ${o.scheme} to "${o.level}", a level the policy in force no longer has (${scheme.levels.map((l) => l.key).join(', ')}): reject it, or its requester may edit or withdraw it.`,
        );
      }
      const rule = overrideRuleOf(scheme);
      // One check, of the role the queue shows (`approvalNeeds`): `loosenNeeds` when the override can
      // loosen (never weaker than `approvedBy`: validate-pack), `approvedBy` otherwise.
      const needed = approvalNeeds(scheme, o);
      checkApprover(deps, scheme, id, needed.role, needed.loosens ? 'loosenNeeds' : 'approvedBy');
      // The policy in force may have stopped taking requests from whoever filed this one (a relationship
      // manager's, filed before the scheme became tenant staff's): the rule is the one in force now.
      if (rule.requestedBy === 'none' || (rule.requestedBy === 'tenant' && r.requesterScope === 'book'))
        throw new ProblemError(
          'unprocessable',
          rule.requestedBy === 'none'
            ? `Override ${id} cannot be approved: the policy of ${o.scheme} now takes no overrides (overrides.requestedBy "none"). Reject it, or its requester may withdraw it.`
            : `Override ${id} was filed by a relationship manager, and the policy of ${o.scheme} now takes override requests only from staff who see the whole bank (overrides.requestedBy "tenant"): reject it, and ask compliance or risk management to file it if it still stands.`,
        );
      const expiry = overrideExpiryProblem(rule, o.expiresAt, now);
      // The policy in force may bound overrides more tightly than when this one was filed.
      if (expiry)
        throw new ProblemError(
          'unprocessable',
          expiry.code === 'expiry_required'
            ? `Override ${id} has no expiry, and the policy of ${o.scheme} needs one at most ${expiry.maxDays} days ahead (overrides.maxDays): reject it, or its requester may edit it.`
            : `Override ${id} runs until ${o.expiresAt}, past the ${expiry.maxDays} days the policy of ${o.scheme} allows (overrides.maxDays, until ${expiry.latest}): reject it, or its requester may edit it.`,
        );
    }
    // The level before this approval, to compare with the one it brings: see the check after the re-evaluation.
    const before = approve ? await heldLevel(trx, deps, subject.id, r.override.scheme) : undefined;
    // A request filed before the policy bounded the step (or while the subject held another level) is
    // judged by the rule in force, as maxDays is above: 422, and the request stays pending for a rejection.
    const inForce = approve ? tp.schemes.get(r.override.scheme) : undefined;
    if (inForce) checkJump(inForce, before, r.override, r.subject);
    const decided = await changeOverride(
      trx,
      deps.tenantId,
      r.override.id,
      { status: 'pending', contentHash: r.contentHash },
      {
        status: approve ? 'approved' : 'rejected',
        ...(approve ? { approvedBy: deps.principal.actor } : {}),
        decidedBy: deps.principal.actor,
        decidedAt: nowIso,
        decisionNote: d.note,
        updatedAt: nowIso,
      },
    );
    // A guard: the request was read again holding the subject's row, which every step and a closing take first.
    if (!decided) throw new ProblemError('content-changed', 'The override changed while this request was being handled: read it again.');
    const done = await overrideOr404(deps, id, trx);
    await record(trx, deps, done, approve ? 'approved' : 'rejected', d.note, hash, nowIso);
    // The approval's write moved the subject's version: the levels it brings come with that one move.
    if (approve) {
      const run = await reevaluateSubject(trx, tp, subject, now, deps.principal.actor, { overrideDecision: true, versionMoved: true });
      // The newest approved override decides, so approving this one ends any in force: a floor 低 approved
      // over a fixed 高 clears the customer as surely as revoking the 高 would. When the level it leaves is
      // looser than the one before, the rule's senior approver must approve, and throwing here undoes the
      // approval, its record and the levels with this transaction. (The static check above stays: it
      // catches an override that is harmless today but can hold the subject loose once the data moves.)
      const scheme = tp.schemes.get(r.override.scheme);
      const rule = scheme && overrideRuleOf(scheme);
      const after = run.evaluations.filter((e) => e.scheme === r.override.scheme).at(-1)?.level;
      if (scheme && rule?.loosenNeeds !== undefined && before !== undefined && after !== undefined && looserLevel(rule, after, before))
        checkApprover(deps, scheme, id, rule.loosenNeeds, 'supersedes');
    }
    return viewFor(deps, trx, done, nowIso);
  });
  if (approve) deps.matrices.invalidate(deps.tenantId);
  return view;
}

/**
 * The weakest role that may approve `o` under `scheme`'s override rule, and whether that is because the
 * override can loosen the grade: the one home of the rule `decideOverride` checks before it approves,
 * and the approvals queue shows (`approvalNeeds`), so a console never offers what the API then refuses.
 * Judged against any level the subject could have, not today's (`overrideApproverNeeded`). Not the whole
 * answer: approving also ends any override in force, and whether that leaves a looser level is known
 * only once the rules have re-run (`decideOverride`'s `supersedes` check).
 */
export function approvalNeeds(
  scheme: SchemeDefinition,
  o: { readonly level: string; readonly mode: OverrideMode },
): { readonly role: OverrideApprover; readonly loosens: boolean } {
  return overrideApproverNeeded(overrideRuleOf(scheme), scheme.levels, o.level, o.mode);
}

/**
 * What the rule in force would refuse in approving `o` now, for a subject at `current` (null: no level
 * yet): the steps past `maxStep`, an expiry `maxDays` does not allow — the checks `decideOverride` makes,
 * by the codes a request is refused with, for the approvals queue to warn of before anyone presses Approve.
 */
export function overrideRuleProblems(
  scheme: SchemeDefinition | undefined,
  o: { readonly scheme: string; readonly level: string; readonly mode: OverrideMode; readonly expiresAt: string | null },
  current: string | null,
  now: Date,
): OverrideRuleProblem[] {
  // Retired since the request: approving is refused whatever the rule was (decideOverride's 422).
  if (!scheme) return [{ code: 'scheme_not_in_force', params: { scheme: o.scheme } }];
  const rule = overrideRuleOf(scheme);
  const out: OverrideRuleProblem[] = [];
  const jump = overrideJumpProblem(rule, scheme.levels, current, o.level, o.mode);
  if (jump) out.push({ code: jump.code, params: { from: jump.from, steps: jump.steps, maxStep: jump.maxStep } });
  const expiry = overrideExpiryProblem(rule, o.expiresAt, now);
  if (expiry) out.push({ code: expiry.code, params: { maxDays: expiry.maxDays, latest: expiry.latest } });
  return out;
}

/** 403 `forbidden` unless the caller's role is `needed` or stronger, naming the rule of the policy that asks for it. */
function checkApprover(
  deps: ApiDeps,
  scheme: SchemeDefinition,
  id: string,
  needed: 'approver' | 'admin',
  field: 'approvedBy' | 'loosenNeeds' | 'supersedes' | 'revoke',
): void {
  // A book-scoped admin decides as an approver: the senior approval a rule asks for is the bank's.
  if (mayApproveAs(deciderRole(deps.principal), needed)) return;
  throw new ProblemError(
    'forbidden',
    field === 'loosenNeeds'
      ? `Override ${id} can hold ${scheme.key} on its looser side (a looser grade than the data may call for, by overrides.order): the policy asks for an approver with the ${needed} role (overrides.loosenNeeds). Nothing was approved.`
      : field === 'supersedes'
        ? `Approving override ${id} would end the one in force and leave ${scheme.key} at a looser grade than it holds now (by overrides.order): the policy asks for the ${needed} role (overrides.loosenNeeds). Nothing was approved.`
        : field === 'revoke'
          ? `Revoking override ${id} would leave ${scheme.key} at a looser grade than the one it holds: the policy asks for the ${needed} role to revoke it (overrides.loosenNeeds). Nothing was revoked.`
          : `Overrides of ${scheme.key} are approved by the ${needed} role (overrides.approvedBy). Nothing was approved.`,
  );
}

/**
 * End an approved override (in force or not yet expired): the subject's level follows the rules
 * again from now. Revoking takes an exception away rather than granting one, so it needs an
 * approver but not a second person (packages/api/README.md, "Four eyes") — unless the level it leaves
 * is looser than the one the override held and the scheme's rule has `loosenNeeds`: then that role.
 */
export async function revokeOverride(deps: ApiDeps, id: string, note: string): Promise<OverrideView> {
  const now = deps.now();
  const nowIso = now.toISOString();
  const tp = await packOf(deps);
  const view = await deps.db.transaction().execute(async (trx) => {
    const r = await overrideOr404(deps, id, trx);
    requireStatus(r, 'approved', 'revoked');
    if (stateOf(r, nowIso) === 'expired') throw new ProblemError('conflict', `Override ${id} already expired at ${r.override.expiresAt}.`);
    await step(trx, deps, r, 'approved', {
      status: 'revoked',
      revokedBy: deps.principal.actor,
      revokedAt: nowIso,
      revokeNote: note,
      updatedAt: nowIso,
    });
    const done = await overrideOr404(deps, id, trx);
    await record(trx, deps, done, 'revoked', note, overrideHash(done), nowIso);
    // The revocation's write moved the subject's version: the levels it gives back come with that one move.
    const run = await reevaluateSubject(trx, tp, await subjectOr404(deps, r.subject, trx), now, deps.principal.actor, {
      overrideDecision: true,
      versionMoved: true,
    });
    // The level the subject falls to is known only once the rules have run; when it is looser than the
    // one the override held, the policy's senior approver must revoke, and throwing here undoes the
    // revocation, its record and the levels with this transaction.
    const scheme = tp.schemes.get(r.override.scheme);
    if (scheme) {
      const after = run.evaluations.filter((e) => e.scheme === r.override.scheme).at(-1)?.level;
      const needed = revocationApproverNeeded(overrideRuleOf(scheme), r.override.level, after);
      if (needed.loosens) checkApprover(deps, scheme, id, needed.role, 'revoke');
    }
    return viewFor(deps, trx, done, nowIso);
  });
  deps.matrices.invalidate(deps.tenantId);
  return view;
}
