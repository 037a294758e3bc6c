import {
  findPolicyVersion,
  insertPolicyDraft,
  listPolicyVersionsIn,
  lockTenant,
  nextPolicySlot,
  updatePolicyVersion,
  type Executor,
  type PolicyStatus,
  type PolicyVersion,
  type PolicyVersionChange,
} from '@tierkit/db';
import { packOf, type ApiDeps } from '../deps.js';
import { periodOf } from '../periods.js';
import { invalid, ProblemError } from '../problem.js';
import { contentHash, requireDistinctPerson, requireSameContent } from './four-eyes.js';
import { policyRequesters, requirePolicyApprover } from './policy-approvals.js';
import { checkDocument, checkTimeline, firstPeriodFrom, isDay, stampVersion } from './policy-checks.js';
import { enqueueRetier } from './jobs/jobs.js';
import { earlyReasons, requireConfirmation, requireSimulation, type EarlyReason } from './policy-approval-impact.js';
import { defaultApprovalDay } from './policy-changes.js';
import { requireDocumentReadable } from './policy-readers.js';
import { lastApproved, startOf, type TenantPack } from './tenant-pack.js';
import { changedWith, reevaluateBook, SYNC_REEVALUATION_LIMIT, type BookReevaluation } from './reevaluate-book.js';
import { monthLoad } from './jobs/month-data.js';

/*
 * The policy lifecycle: draft → submitted → active from its effective date → retired (or rejected).
 * Every step is one conditional UPDATE on the version's current status (and, for decisions, its
 * submitted hash), so two people deciding at once cannot both succeed.
 */

/** The version, or a 404 problem. */
export async function versionOr404(deps: ApiDeps, scheme: string, version: number): Promise<PolicyVersion> {
  const v = await findPolicyVersion(deps.db, deps.tenantId, scheme, version);
  if (!v) throw new ProblemError('not-found', `Scheme "${scheme}" has no version ${version} in this tenant.`);
  return v;
}

export function requireStatus(v: PolicyVersion, allowed: readonly PolicyStatus[], doing: string): void {
  if (!allowed.includes(v.status)) {
    throw new ProblemError(
      'conflict',
      `Version ${v.version} of "${v.scheme}" is ${v.status}; only ${allowed.join(' or ')} versions can be ${doing}.`,
    );
  }
}

export async function apply(deps: ApiDeps, v: PolicyVersion, change: PolicyVersionChange, hash?: string): Promise<PolicyVersion> {
  const done = await updatePolicyVersion(deps.db, deps.tenantId, v.scheme, v.version, v.status, change, hash);
  if (!done) throw new ProblemError('conflict', `Version ${v.version} of "${v.scheme}" changed meanwhile; read it again.`);
  return versionOr404(deps, v.scheme, v.version);
}

/** A new draft: a copy of `from` (a version number), of the given document, or of the last approved version (`lastApproved`). */
export async function createDraft(
  deps: ApiDeps,
  scheme: string,
  body: { from?: number; document?: Record<string, unknown>; note?: string },
): Promise<PolicyVersion> {
  if (body.from !== undefined && body.document !== undefined) {
    throw invalid([
      {
        path: 'from',
        message: 'give either a version to copy or a document, not both',
        code: 'not_both',
        params: { fields: ['from', 'document'] },
      },
    ]);
  }
  let document: unknown = body.document;
  if (document === undefined && body.from !== undefined) document = (await versionOr404(deps, scheme, body.from)).document;
  if (document === undefined) {
    // The last approved version, scheduled or in force: a copy of the one in force undid a launch
    // already scheduled once approved after it (packages/api/README.md, "Versions in order").
    const inForce = lastApproved(await listPolicyVersionsIn(deps.db, deps.tenantId, ['active']), scheme);
    if (!inForce)
      throw invalid([
        {
          path: 'document',
          message: `scheme "${scheme}" has no version in force to copy: send a document`,
          code: 'nothing_in_force',
          params: { scheme },
        },
      ]);
    document = inForce.document;
  }
  // A copy is held to its readers as a sent document is (the route checks those): an older version's
  // narrower readers would otherwise make a draft its writer may not read, or one no decider reads.
  if (body.document === undefined) await requireDocumentReadable(deps, scheme, document);
  const now = deps.now().toISOString();
  // Numbers are taken inside the transaction; the unique (tenant, scheme, version) key refuses a twin.
  const version = await deps.db.transaction().execute(async (trx) => {
    const slot = await nextPolicySlot(trx, deps.tenantId, scheme);
    await insertPolicyDraft(trx, deps.tenantId, {
      id: `${deps.tenantId}:${scheme}:v${slot.version}`,
      scheme,
      version: slot.version,
      position: slot.position,
      document: stampVersion(document, slot.version),
      author: deps.principal.actor,
      now,
      note: body.note ?? null,
    });
    return slot.version;
  });
  return versionOr404(deps, scheme, version);
}

/** Replace a draft's document. A submitted version goes back to draft: its submission (and hash) no longer stands. */
export async function editDraft(deps: ApiDeps, v: PolicyVersion, document: Record<string, unknown>): Promise<PolicyVersion> {
  requireStatus(v, ['draft', 'submitted'], 'edited');
  const authors = v.authors.includes(deps.principal.actor) ? v.authors : [...v.authors, deps.principal.actor];
  return apply(deps, v, {
    status: 'draft',
    document: stampVersion(document, v.version),
    authors,
    submittedBy: null,
    submittedAt: null,
    contentHash: null,
    // The submitter's word was about the content as submitted; the draft's own note stays.
    submitNote: null,
  });
}

/**
 * Run `write` in one transaction holding the tenant's row (`lockTenant`), with `tp`'s pack checked
 * against the metric catalogue as stored at that moment rather than the cached pack's (another server's
 * change is seen only within a second): a catalogue change takes the same row, so a metric removed, or
 * a kind or audience changed, while a version reading it is submitted or approved is decided before or
 * after it, never beside it (services/metric-catalogue.ts, `decide`).
 */
export async function underCatalogue<T>(deps: ApiDeps, tp: TenantPack, write: (trx: Executor, tp: TenantPack) => Promise<T>): Promise<T> {
  return deps.db.transaction().execute(async (trx) => {
    const tenant = await lockTenant(trx, deps.tenantId);
    if (!tenant) throw new ProblemError('not-found', `Tenant "${deps.tenantId}" does not exist.`);
    return write(trx, { ...tp, pack: { ...tp.pack, metrics: tenant.metrics } });
  });
}

/** Submit a draft for approval: validated as the engine will run it; the hash of its content is what an approval must name. */
export async function submitDraft(deps: ApiDeps, v: PolicyVersion, note: string | null = null): Promise<PolicyVersion> {
  requireStatus(v, ['draft'], 'submitted');
  return underCatalogue(deps, await packOf(deps), async (trx, tp) => {
    checkDocument(tp, v.scheme, v.document);
    return apply({ ...deps, db: trx }, v, {
      status: 'submitted',
      submittedBy: deps.principal.actor,
      submittedAt: deps.now().toISOString(),
      contentHash: contentHash(v.document),
      submitNote: note,
    });
  });
}

/** Whoever wrote or submitted a version may not decide it, with any credential of theirs. */
function requireFourEyes(deps: ApiDeps, v: PolicyVersion): Promise<void> {
  return requireDistinctPerson(deps.db, deps.tenantId, policyRequesters(v), deps.principal.actor);
}

/** A re-evaluation after a change of policy: done in the request, or `deferred` to the re-tier job `jobId`. */
export type PolicyReevaluation = BookReevaluation & { readonly jobId?: string };

/**
 * A change in the month under way whose data are not all in: nothing judged now (`missing`: the metrics
 * read by month the month has no data of yet); the monthly schedule judges the month under it.
 */
export interface AwaitingData {
  readonly status: 'scheduled';
  readonly fromPeriod: string;
  readonly missing: readonly string[];
}

/** What an approval did: the version, and the re-evaluation of the book when its date has come. */
export interface Approval {
  readonly version: PolicyVersion;
  /** The day approved from: the one asked for, or the default (the next month's first day). */
  readonly effectiveFrom: string;
  /** What the day reaches that needed the approver's `confirmRetier` (empty: nothing). */
  readonly early: readonly EarlyReason[];
  readonly reevaluation: PolicyReevaluation | AwaitingData | { readonly status: 'scheduled'; readonly fromPeriod: string };
}

/**
 * Evaluate the current month again after `scheme`'s policy changed in it: in the request for a book
 * of up to `SYNC_REEVALUATION_LIMIT` subjects, else by a re-tier job queued here, which the workers
 * run by themselves. The job judges only the subjects already judged this month (as the request
 * would): the others are judged at month end by the monthly schedule, under the policy then in force.
 */
export async function reevaluateAfterChange(
  deps: ApiDeps,
  scheme: string,
  fromPeriod: string,
  why: string,
): Promise<PolicyReevaluation | AwaitingData> {
  const tp = await packOf(deps);
  // The month under way is judged now only once its data are in, by the rule the monthly schedule and a
  // person's re-tier follow (`monthLoad`, `month_open`): judged before, a balance not yet loaded counts
  // as zero (retail-tier moved 28 customers gold→standard on 1 December). Until then the version is in
  // force for every write of the month, and the month is judged when the schedule finds it loaded.
  if (fromPeriod === periodOf(deps.now(), deps.timeZone)) {
    // A scheme no longer in force (its only version retired): every scheme's, as reevaluateBook judges them all.
    const schemes = tp.schemes.has(scheme) ? [...changedWith(tp.pack.schemes, scheme)] : undefined;
    // Waited for as the schedule waits: a by-month feed loaded the two months before and not yet this one.
    const load = await monthLoad(deps.db, tp, fromPeriod, schemes);
    const missing = load.required.filter((m) => !load.loaded.includes(m));
    if (missing.length) return { status: 'scheduled', fromPeriod, missing };
  }
  const done = await reevaluateBook(deps, scheme, fromPeriod, { limit: SYNC_REEVALUATION_LIMIT });
  if (done.status === 'done') return done;
  // A scheme no longer in the pack (its only version retired): every scheme, as `reevaluateBook` does.
  const kind = tp.schemes.get(scheme)?.subjectKind;
  const job = await enqueueRetier(deps.db, {
    tenantId: deps.tenantId,
    schemes: kind === undefined ? null : [scheme],
    period: periodOf(deps.now(), deps.timeZone),
    filter: { evaluatedSince: fromPeriod, ...(kind === undefined ? {} : { kind }) },
    reason: why,
    requestedBy: deps.principal.actor,
    now: deps.now(),
    timeZone: deps.timeZone,
    pack: tp,
  });
  return job ? { ...done, jobId: job.id } : done;
}

/**
 * 409 `scheduled_version_later` when a version of `v`'s scheme is already scheduled after `day`: it was
 * drafted without `v`, and on its date it would silently undo what `v` changes (a fee waiver restored,
 * a launch withdrawn). A checker approves versions in their order: `v` from a later day (it then
 * replaces that one, and its diff shows what it changes of it), or that one retired first.
 */
function requireAfterScheduled(active: readonly PolicyVersion[], v: PolicyVersion, day: string): void {
  const later = active
    .filter((a) => a.scheme === v.scheme && a.decidedAt !== null && startOf(a) > day)
    .sort((a, b) => startOf(a).localeCompare(startOf(b)));
  const first = later[0];
  if (!first) return;
  const from = startOf(first);
  throw new ProblemError(
    'conflict',
    `Version ${first.version} of "${v.scheme}" is scheduled from ${from}, after ${day}, and would undo version ${v.version} on that day: approve version ${v.version} from a later day, or retire version ${first.version} first. Nothing was approved.`,
    [
      {
        path: 'effectiveFrom',
        message: `version ${first.version} is scheduled from ${from}: a new version starts after it`,
        code: 'scheduled_version_later',
        params: { scheme: v.scheme, value: day, version: first.version, day: from },
      },
    ],
  );
}

/**
 * Approve a submitted version from `effectiveFrom` (a day, not before the current month's first;
 * default the next month's first). A day that re-tiers the month under way, a month already judged,
 * or that is past needs `confirmRetier` (policy-approval-impact.ts).
 * When that day has come, the book's current month is evaluated again under it (`reevaluateAfterChange`);
 * a later day is `scheduled`: the monthly schedule judges that month under it when the month ends.
 */
export async function approveVersion(
  deps: ApiDeps,
  v: PolicyVersion,
  asked: {
    contentHash: string;
    effectiveFrom?: string | undefined;
    confirmRetier?: boolean | undefined;
    note?: string | undefined;
    simulationJobId?: string | undefined;
  },
  beforeApproving?: () => Promise<void>,
): Promise<Approval> {
  requireStatus(v, ['submitted'], 'approved');
  await requireFourEyes(deps, v);
  requireSameContent(v.contentHash ?? '', asked.contentHash);
  const inForce = await packOf(deps);
  // Checked again as submit checks it: a version submitted under a release without a check (a customer
  // scheme on PEP, `staff_metric`) would otherwise go into force, and to customers, unchecked.
  checkDocument(inForce, v.scheme, v.document);
  await requirePolicyApprover(deps, inForce, v);
  await requireSimulation(deps, inForce, v, asked.simulationJobId);
  const current = periodOf(deps.now(), deps.timeZone);
  const active = await listPolicyVersionsIn(deps.db, deps.tenantId, ['active']);
  // Not given: the next month's first day, so the month under way keeps the policy it began under —
  // or the month after the last one scheduled, which a version may not be dated before.
  const body = { ...asked, effectiveFrom: asked.effectiveFrom ?? defaultApprovalDay(deps, active, v.scheme) };
  if (!isDay(body.effectiveFrom))
    throw invalid([
      {
        path: 'effectiveFrom',
        message: 'must be a calendar day, YYYY-MM-DD',
        code: 'invalid_format',
        params: { format: 'day', value: body.effectiveFrom },
      },
    ]);
  if (body.effectiveFrom < `${current}-01`) {
    throw invalid([
      {
        path: 'effectiveFrom',
        message: `must not be before ${current}-01: months already judged keep the policy they were judged by`,
        code: 'too_small',
        params: { minimum: `${current}-01`, inclusive: true, origin: 'day' },
      },
    ]);
  }
  requireAfterScheduled(active, v, body.effectiveFrom);
  const twin = active.find((a) => a.scheme === v.scheme && a.decidedAt !== null && a.effectiveFrom.slice(0, 10) === body.effectiveFrom);
  if (twin) {
    throw new ProblemError(
      'conflict',
      `Version ${twin.version} of "${v.scheme}" is already active from ${body.effectiveFrom}; retire it first.`,
      [
        {
          path: 'effectiveFrom',
          message: 'one active version per scheme and date',
          code: 'duplicate',
          params: { scheme: v.scheme, day: body.effectiveFrom, version: twin.version },
        },
      ],
    );
  }
  const early = await earlyReasons(deps, v.scheme, body.effectiveFrom);
  requireConfirmation(early, body.effectiveFrom, body.confirmRetier === true, deps);
  // Past every check of the request, before the version in force changes: what the approver was shown (the route's).
  await beforeApproving?.();
  const now = deps.now().toISOString();
  const approved: PolicyVersion = {
    ...v,
    status: 'active',
    effectiveFrom: body.effectiveFrom,
    decidedAt: now,
    decidedBy: deps.principal.actor,
  };
  // Checked again against the catalogue as stored, holding it: a metric the version reads removed, or
  // its kinds or audience changed, since the checks above (here or on another server) is refused
  // rather than put in force for every read of the tenant to fail on.
  const done = await underCatalogue(deps, await packOf(deps), async (trx, tp) => {
    checkDocument(tp, v.scheme, v.document);
    const approvedNow = await listPolicyVersionsIn(trx, deps.tenantId, ['active']);
    checkTimeline(tp.pack.metrics, [...approvedNow, approved], firstPeriodFrom(body.effectiveFrom));
    return updatePolicyVersion(
      trx,
      deps.tenantId,
      v.scheme,
      v.version,
      'submitted',
      { status: 'active', effectiveFrom: body.effectiveFrom, decidedBy: deps.principal.actor, decidedAt: now, note: body.note ?? null },
      body.contentHash,
    );
  });
  if (!done) {
    throw new ProblemError('content-changed', 'The version was edited, withdrawn or decided while you reviewed it: read it again.');
  }
  deps.packs.invalidate(deps.tenantId);
  const fromPeriod = firstPeriodFrom(body.effectiveFrom);
  const reevaluation =
    fromPeriod <= current
      ? await reevaluateAfterChange(deps, v.scheme, fromPeriod, `${v.scheme} version ${v.version} in force from ${body.effectiveFrom}`)
      : { status: 'scheduled' as const, fromPeriod };
  return { version: await versionOr404(deps, v.scheme, v.version), reevaluation, effectiveFrom: body.effectiveFrom, early };
}

/** Reject a submitted version, with the reason. */
export async function rejectVersion(
  deps: ApiDeps,
  v: PolicyVersion,
  body: { contentHash?: string | undefined; note: string },
): Promise<PolicyVersion> {
  requireStatus(v, ['submitted'], 'rejected');
  await requireFourEyes(deps, v);
  if (body.contentHash !== undefined) requireSameContent(v.contentHash ?? '', body.contentHash);
  return apply(
    deps,
    v,
    { status: 'rejected', decidedBy: deps.principal.actor, decidedAt: deps.now().toISOString(), note: body.note },
    v.contentHash ?? undefined,
  );
}
