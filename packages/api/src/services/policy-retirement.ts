import { listPolicyVersionsIn, updatePolicyVersion, type PolicyVersion } from '@tierkit/db';
import { packOf, type ApiDeps } from '../deps.js';
import { periodOf } from '../periods.js';
import { ProblemError } from '../problem.js';
import { contentHash, requireDistinctPerson, requireSameContent, samePerson } from './four-eyes.js';
import { requireRetirer } from './policy-approvals.js';
import { checkTimeline, firstPeriodFrom } from './policy-checks.js';
import {
  reevaluateAfterChange,
  requireStatus,
  underCatalogue,
  versionOr404,
  type AwaitingData,
  type PolicyReevaluation,
} from './policy-lifecycle.js';

/*
 * Retiring a version takes two people, as approving one does: one asks, with a reason; another, with
 * the role the retirement needs (`requireRetirer`: the role of what it weakens), approves or rejects;
 * the one who asked may withdraw. Only an approval retires the version and re-evaluates the current
 * month. The pending request lives on the version's row (`retire_requested_*`), so a version has at
 * most one, and every step is one conditional UPDATE on the version's status and the request's time.
 */

/** What a decision on `v`'s pending retirement names: the hash of the request as it stands; null when none waits. */
export function retirementHash(v: PolicyVersion): string | null {
  if (v.status !== 'active' || v.retireRequestedAt === null) return null;
  return contentHash({
    scheme: v.scheme,
    version: v.version,
    requestedBy: v.retireRequestedBy,
    requestedAt: v.retireRequestedAt,
    note: v.retireRequestNote,
  });
}

/** A version with a retirement waiting for a decision (in force or scheduled, not yet retired). */
export function retirementPending(v: PolicyVersion): boolean {
  return retirementHash(v) !== null;
}

function pendingConflict(v: PolicyVersion): ProblemError {
  return new ProblemError(
    'conflict',
    `A retirement of version ${v.version} of "${v.scheme}" already waits for a second person (asked by ${v.retireRequestedBy} at ${v.retireRequestedAt}): it is decided or withdrawn before another is asked.`,
    [
      {
        path: 'version',
        message: 'a retirement of this version already waits',
        code: 'retirement_pending',
        params: { scheme: v.scheme, version: v.version, requestedBy: v.retireRequestedBy ?? '', requestedAt: v.retireRequestedAt ?? '' },
      },
    ],
  );
}

/**
 * 409 `conflict`, code `already_decided` (params `kind: retirement`): the request the caller reviewed
 * was approved, rejected or withdrawn first — two checkers deciding at once, each through a server of
 * their own, get one decision and this answer, as an override's or a staff grant's do.
 */
function alreadyDecided(v: PolicyVersion, doing: string): ProblemError {
  return new ProblemError(
    'conflict',
    `The retirement of version ${v.version} of "${v.scheme}" was decided or withdrawn first (the version is ${v.status}); it can no longer be ${doing}.`,
    [
      {
        path: 'params.version',
        message: `is ${v.status}`,
        code: 'already_decided',
        params: { status: v.status, kind: 'retirement' },
      },
    ],
  );
}

/**
 * Why `v`, as read now, holds no request the caller may act on — `reviewed` the request's hash they
 * sent (undefined: none). Another request asked since is a 409 `content-changed`; the one reviewed
 * decided first (the version retired by it, or nothing waiting though they named one) `already_decided`;
 * a version never asked about `no_retirement_pending`, or the status conflict when it is not active.
 */
function notWaiting(v: PolicyVersion, reviewed: string | undefined, doing: string): ProblemError {
  if (retirementPending(v))
    return new ProblemError('content-changed', 'The retirement was withdrawn and asked again while you reviewed it: read it again.');
  // An approval keeps who asked on the retired version; a rejection or withdrawal clears the request.
  const decided = v.status === 'retired' ? v.retireRequestedAt !== null : v.status === 'active' && reviewed !== undefined;
  if (decided) return alreadyDecided(v, doing);
  requireStatus(v, ['active'], doing);
  return new ProblemError('conflict', `No retirement of version ${v.version} of "${v.scheme}" waits: there is nothing to ${doing}.`, [
    {
      path: 'version',
      message: 'no retirement of this version waits',
      code: 'no_retirement_pending',
      params: { scheme: v.scheme, version: v.version },
    },
  ]);
}

/**
 * Ask for `v` to be retired, with the reason. Refused when one already waits (409 `retirement_pending`)
 * and when no month's pack would be valid without it (422, as an approval would be refused): a request
 * that cannot be approved is not queued. Nothing changes in force until a second person approves.
 */
export async function requestRetirement(deps: ApiDeps, v: PolicyVersion, body: { note: string }): Promise<PolicyVersion> {
  requireStatus(v, ['active'], 'retired');
  if (retirementPending(v)) throw pendingConflict(v);
  const current = periodOf(deps.now(), deps.timeZone);
  const active = await listPolicyVersionsIn(deps.db, deps.tenantId, ['active']);
  checkTimeline(
    (await packOf(deps)).pack.metrics,
    active.filter((a) => a.id !== v.id),
    current,
  );
  const at = deps.now().toISOString();
  const done = await updatePolicyVersion(
    deps.db,
    deps.tenantId,
    v.scheme,
    v.version,
    'active',
    { retireRequestedBy: deps.principal.actor, retireRequestedAt: at, retireRequestNote: body.note },
    undefined,
    null,
  );
  if (!done) {
    const now = await versionOr404(deps, v.scheme, v.version);
    if (retirementPending(now)) throw pendingConflict(now);
    requireStatus(now, ['active'], 'retired');
  }
  return versionOr404(deps, v.scheme, v.version);
}

/** What an approved retirement did: the version, and the re-evaluation of the current month when it was in force. */
export interface Retirement {
  readonly version: PolicyVersion;
  /** Absent when the version had not taken effect: no month was judged by it. */
  readonly reevaluation?: PolicyReevaluation | AwaitingData;
}

/**
 * Approve `v`'s pending retirement: another person than its requester, holding the role it needs,
 * naming the request's hash. A scheduled version never takes effect; one in force stops deciding, and
 * the version before it decides again (or, without one, the scheme leaves the pack) — the current month
 * is evaluated again as after an approval. Refused with nothing changed when the version is no longer
 * active, or when a month's pack would no longer be valid without it (409: it was when asked).
 */
export async function approveRetirement(deps: ApiDeps, v: PolicyVersion, body: { contentHash: string }): Promise<Retirement> {
  if (!retirementPending(v)) throw notWaiting(v, body.contentHash, 'approved');
  await requireDistinctPerson(deps.db, deps.tenantId, [v.retireRequestedBy ?? ''], deps.principal.actor);
  requireSameContent(retirementHash(v) ?? '', body.contentHash);
  const current = periodOf(deps.now(), deps.timeZone);
  const now = deps.now().toISOString();
  // Checked and written holding the tenant's row, as an approval and a catalogue change are
  // (`underCatalogue`): two retirements, or a retirement and an approval, decided at once on two servers
  // are judged one after the other, so neither can leave a month's pack invalid that each alone left valid.
  const done = await underCatalogue(deps, await packOf(deps), async (trx, tp) => {
    const active = await listPolicyVersionsIn(trx, deps.tenantId, ['active']);
    requireRetirer(deps, active, v, current);
    try {
      checkTimeline(
        tp.pack.metrics,
        active.filter((a) => a.id !== v.id),
        current,
      );
    } catch (e) {
      // Valid when asked, no longer now (a version approved since reads it): the state moved, not the request.
      if (!(e instanceof ProblemError)) throw e;
      throw new ProblemError('conflict', `${e.message} Nothing was retired; reject the request, or retire what reads it first.`, e.errors);
    }
    return updatePolicyVersion(
      trx,
      deps.tenantId,
      v.scheme,
      v.version,
      'active',
      { status: 'retired', retiredBy: deps.principal.actor, retiredAt: now, retireNote: v.retireRequestNote },
      undefined,
      v.retireRequestedAt,
    );
  });
  // The conditional UPDATE missed: another decided, withdrew or asked again meanwhile (another server).
  if (!done) throw notWaiting(await versionOr404(deps, v.scheme, v.version), body.contentHash, 'approved');
  deps.packs.invalidate(deps.tenantId);
  const retired = await versionOr404(deps, v.scheme, v.version);
  // A version the tenant came with (never approved here) has been in force from the beginning,
  // whatever day it was stored on: only an approved one can still be waiting for its date.
  if (v.decidedAt !== null && firstPeriodFrom(v.effectiveFrom.slice(0, 10)) > current) return { version: retired };
  const why = `${v.scheme} version ${v.version} retired: ${v.retireRequestNote ?? ''}`.slice(0, 500);
  return { version: retired, reevaluation: await reevaluateAfterChange(deps, v.scheme, current, why) };
}

/** Clear the pending request `v` holds (a rejection or a withdrawal): the version stays as it is. */
async function clearRequest(deps: ApiDeps, v: PolicyVersion, reviewed: string | undefined, doing: string): Promise<PolicyVersion> {
  const done = await updatePolicyVersion(
    deps.db,
    deps.tenantId,
    v.scheme,
    v.version,
    'active',
    { retireRequestedBy: null, retireRequestedAt: null, retireRequestNote: null },
    undefined,
    v.retireRequestedAt,
  );
  if (!done) throw notWaiting(await versionOr404(deps, v.scheme, v.version), reviewed, doing);
  return versionOr404(deps, v.scheme, v.version);
}

/** Reject `v`'s pending retirement, with the reason (kept in the trail): any approver but its requester. */
export async function rejectRetirement(
  deps: ApiDeps,
  v: PolicyVersion,
  body: { contentHash?: string | undefined },
): Promise<PolicyVersion> {
  if (!retirementPending(v)) throw notWaiting(v, body.contentHash, 'rejected');
  await requireDistinctPerson(deps.db, deps.tenantId, [v.retireRequestedBy ?? ''], deps.principal.actor);
  if (body.contentHash !== undefined) requireSameContent(retirementHash(v) ?? '', body.contentHash);
  return clearRequest(deps, v, body.contentHash, 'rejected');
}

/** Withdraw `v`'s pending retirement: only whoever asked for it (by person); anyone else rejects it. */
export async function withdrawRetirement(deps: ApiDeps, v: PolicyVersion): Promise<PolicyVersion> {
  if (!retirementPending(v)) throw notWaiting(v, undefined, 'withdrawn');
  if (!(await samePerson(deps.db, deps.tenantId, v.retireRequestedBy ?? '', deps.principal.actor))) {
    throw new ProblemError(
      'forbidden',
      `Only whoever asked for the retirement of version ${v.version} of "${v.scheme}" (${v.retireRequestedBy}) may withdraw it; another approver may reject it.`,
    );
  }
  return clearRequest(deps, v, undefined, 'withdrawn');
}
