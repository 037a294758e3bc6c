import { type ApprovalBlock, type ExplanationInput, monthsBack, periodOf, schemeMetrics } from '@tierkit/core';
import {
  listPendingLevelApprovals,
  metricImportersOf,
  monthsRead,
  signOffInputWriters,
  signOffInputWritersOfMany,
  type Executor,
  type LevelApproval,
} from '@tierkit/db';
import type { ApiDeps } from '../deps.js';
import { ProblemError } from '../problem.js';
import { approvalsBlocked, loweringBlocked } from './approvers-left.js';
import { requestedByCaller } from './four-eyes.js';
import type { TenantPack } from './tenant-pack.js';

/*
 * Whose figures a lowering request or a sign-off rests on (docs/domain.md §4, "Lowering a sign-off
 * level"). The request's maker is whoever's write or job evaluated them; the figures themselves may be
 * another person's — an import, or an API write — and that person may not approve it either: an
 * examiner saw a checker import `pep=1` for a customer, a re-tier raise AML 高, and the same checker
 * sign it off.
 */

/** The inputs a pending item was decided on: a lowering's proposal's, else (a sign-off) the level's own explanation's. */
type Inputs = readonly Pick<ExplanationInput, 'metric' | 'window'>[];

/** What the refusal names: the proposal to lower, or the sign-off of the level entered. */
const itemWords = (a: LevelApproval) =>
  a.proposedLevel ? `the proposal to lower ${a.scheme} from ${a.level} to ${a.proposedLevel}` : `the sign-off of ${a.scheme} ${a.level}`;

/**
 * The stored months the figures were read from: as of the proposal's month (what the request shows)
 * and as of now (approving applies the data as it is now, which a later figure may sustain). A latest-
 * value read or a `last` window reads one month — often older than the proposal's (an AML assessment
 * stands until the next) — any other window each month it spans. Any metric of the scheme the
 * explanation does not list is read as its latest value, in case a rule reads it.
 */
async function figureMonths(trx: Executor, deps: ApiDeps, tp: TenantPack, a: LevelApproval, signOffInputs: Inputs) {
  const asOfs = [...new Set([a.proposal?.period ?? a.period, periodOf(deps.now(), deps.timeZone)])];
  const inputs: Inputs = a.proposal?.explanation.inputs ?? signOffInputs;
  const def = tp.schemes.get(a.scheme);
  const reads = [
    ...inputs.map((i) => ({ metric: i.metric, window: i.window })),
    ...(def ? [...schemeMetrics(def)] : []).filter((m) => !inputs.some((i) => i.metric === m)).map((metric) => ({ metric, window: null })),
  ].flatMap((r) =>
    asOfs.map((to) => ({
      metric: r.metric,
      to,
      from: r.window ? (monthsBack(to, r.window.months).at(-1) ?? to) : null,
      latest: r.window === null || r.window.fn === 'last',
    })),
  );
  return monthsRead(trx, deps.tenantId, a.subjectId, reads);
}

/**
 * 403 `four-eyes` when the caller (or another credential of theirs) put in one of the values the figures
 * were read from — through `PUT /v1/subjects/{id}/metrics` or a metrics import, each recording its writer
 * per value (`metrics.written_by`) — or imported a month they were read from by an import that
 * recorded no writers (one from before the upgrade: which customers it loaded is not known, so its
 * importer stays barred tenant-wide for that month). Only the item's own figures count: an operations
 * officer who loads the monthly file for everyone may approve the customers whose values the file did
 * not change, or else a small bank's approvers are all barred by one load. Else one person lowers
 * the grade alone (import or write the figure, someone else's job or write opens the request, approve),
 * or signs off a grade their own figure raised. Rejecting is not refused: it keeps the stricter level,
 * or records the dispute. `signOffInputs`: a sign-off's level's explanation inputs (a lowering reads
 * its proposal's); every other metric of the scheme is read as its latest value either way.
 */
export async function requireNotBehindFigures(
  trx: Executor,
  deps: ApiDeps,
  tp: TenantPack,
  a: LevelApproval,
  signOffInputs: Inputs = [],
): Promise<void> {
  const { importers, writers } = await figureMakers(trx, deps, tp, a, signOffInputs);
  const mine = requestedByCaller(trx, deps.tenantId, deps.principal.actor);
  for (const { period, importer } of importers) {
    if (!(await mine([importer]))) continue;
    throw new ProblemError(
      'four-eyes',
      `You imported metrics of ${period} as ${importer} (an import from before values were recorded by writer), figures behind ${itemWords(a)}; another person must approve it. Nothing was approved.`,
    );
  }
  for (const writer of writers) {
    if (!(await mine([writer]))) continue;
    throw new ProblemError(
      'four-eyes',
      `You wrote or imported a figure (as ${writer}) behind ${itemWords(a)}; another person must approve it. Nothing was approved.`,
    );
  }
}

/**
 * Who put in the figures an item rests on (stored actors): the writers of its values, by API write or
 * import, and the importers of its months by imports that named no writers — the people
 * {@link requireNotBehindFigures} bars from approving it.
 */
export async function figureMakers(
  trx: Executor,
  deps: ApiDeps,
  tp: TenantPack,
  a: LevelApproval,
  signOffInputs: Inputs = [],
): Promise<{ importers: { period: string; importer: string }[]; writers: string[] }> {
  const months = await figureMonths(trx, deps, tp, a, signOffInputs);
  const periods = [...new Set([a.proposal?.period ?? a.period, ...months.map((m) => m.period)])].sort();
  const importers = [];
  for (const period of periods)
    for (const importer of await metricImportersOf(trx, deps.tenantId, period, deps.now().toISOString()))
      importers.push({ period, importer });
  return { importers, writers: await signOffInputWriters(trx, deps.tenantId, a.subjectId, months) };
}

/**
 * {@link figureMakers} of a page of lowering requests, as one list of stored actors per request (`approvals`'
 * order): each request's months read as for one, then the pre-upgrade importers of each month once for the
 * whole page, and the writers of every request's values in one query — the approvals queue asked both per
 * request, several queries for each lowering on the page.
 */
export async function figureMakersOfPage(
  trx: Executor,
  deps: ApiDeps,
  tp: TenantPack,
  approvals: readonly LevelApproval[],
): Promise<string[][]> {
  const months = await Promise.all(approvals.map((a) => figureMonths(trx, deps, tp, a, [])));
  const periods = approvals.map((a, i) => [...new Set([a.proposal?.period ?? a.period, ...(months[i] ?? []).map((m) => m.period)])]);
  const at = deps.now().toISOString();
  const importers = new Map<string, string[]>();
  for (const period of new Set(periods.flat())) importers.set(period, await metricImportersOf(trx, deps.tenantId, period, at));
  const written = await signOffInputWritersOfMany(
    trx,
    deps.tenantId,
    approvals.flatMap((a, i) => (months[i] ?? []).map((m) => ({ subjectId: a.subjectId, ...m }))),
  );
  return approvals.map((a, i) => {
    const mine = new Set((months[i] ?? []).map((m) => JSON.stringify([a.subjectId, m.metric, m.period])));
    const writers = written.filter((w) => mine.has(JSON.stringify([w.subjectId, w.metric, w.period]))).map((w) => w.writtenBy);
    return [...new Set([...(periods[i] ?? []).flatMap((p) => importers.get(p) ?? []), ...writers])];
  });
}

/**
 * Why nobody may approve each lowering request pending for a subject now, by scheme (`ApprovalBlock`,
 * null when someone may): what the approvals queue says of them, for the answer of the write that left
 * them pending — a maker whose every approver wrote the figures heard it from a queue nobody could work.
 * Read in the write's transaction, so the values it just wrote count among the figures.
 */
export async function loweringBlocksOf(
  trx: Executor,
  deps: ApiDeps,
  tp: TenantPack,
  subjectId: string,
): Promise<Map<string, ApprovalBlock | null>> {
  const pending = (await listPendingLevelApprovals(trx, deps.tenantId, { subjectId })).filter((a) => a.proposedLevel);
  if (pending.length === 0) return new Map();
  const makers = await figureMakersOfPage(trx, deps, tp, pending);
  const blocked = approvalsBlocked(trx, deps.tenantId);
  const out = new Map<string, ApprovalBlock | null>();
  for (const [i, a] of pending.entries()) {
    const needs = tp.schemes.get(a.scheme)?.loweringNeeds ?? 'approver';
    out.set(a.scheme, await loweringBlocked(blocked, needs, [a.requestedBy], makers[i] ?? []));
  }
  return out;
}
