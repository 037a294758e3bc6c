import type { LevelDef, PolicyChange, PolicySimulation, VersionSimulations } from '@tierkit/core';
import { dayOf } from '@tierkit/core/calendar';
import {
  changedSince,
  findJob,
  latestEvaluatedPeriods,
  latestVersionSimulationJob,
  listPolicyVersionsIn,
  type PolicyVersion,
} from '@tierkit/db';
import type { ApiDeps } from '../deps.js';
import { addMonths, periodOf } from '../periods.js';
import { ProblemError } from '../problem.js';
import { viewOf } from './jobs/jobs.js';
import type { SimulationJobParams } from './jobs/simulation-job.js';
import { diffVersion } from './policy-changes.js';
import { contentHash } from './four-eyes.js';
import { firstPeriodFrom } from './policy-checks.js';
import { startOf, type TenantPack } from './tenant-pack.js';

/*
 * What the approver of a policy version is shown before deciding — its diff against the version in
 * force and the latest simulation of it on the book — and what approving it from a given day does to
 * months already under way. An examiner found approvals with neither, dated into the month under way.
 */

/** The first day of the month after the current one in the bank's zone: an approval's default date. */
export function nextMonthStart(deps: Pick<ApiDeps, 'now' | 'timeZone'>): string {
  return `${addMonths(periodOf(deps.now(), deps.timeZone), 1)}-01`;
}

/** Why a day needs the approver's explicit word: it re-tiers a month under way, one already judged, or is past. */
export type EarlyReason = 'month-under-way' | 'already-judged' | 'past';

/**
 * What approving `scheme` from `day` reaches that the approver may not mean: the month under way (it
 * would be judged again mid-month), a month the scheme's levels already judge, or a day already past.
 */
export async function earlyReasons(deps: ApiDeps, scheme: string, day: string): Promise<EarlyReason[]> {
  const current = periodOf(deps.now(), deps.timeZone);
  const from = firstPeriodFrom(day);
  const d = dayOf(deps.now(), deps.timeZone);
  const today = `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  const judged = (await latestEvaluatedPeriods(deps.db, deps.tenantId, [scheme])).get(scheme);
  const out: EarlyReason[] = [];
  if (from <= current) out.push('month-under-way');
  if (judged !== undefined && from <= judged) out.push('already-judged');
  if (day < today) out.push('past');
  return out;
}

/** Refuse a day that needs the approver's word without it (422 `effective_date_needs_confirmation`). */
export function requireConfirmation(
  reasons: readonly EarlyReason[],
  day: string,
  confirmed: boolean,
  deps: Pick<ApiDeps, 'now' | 'timeZone'>,
): void {
  if (reasons.length === 0 || confirmed) return;
  const next = nextMonthStart(deps);
  throw new ProblemError('unprocessable', `${day} needs confirmRetier: true (${reasons.join(', ')}); the default is ${next}.`, [
    {
      path: 'effectiveFrom',
      message: `${day} re-tiers ${reasons.join(', ')}: send confirmRetier: true to mean it, or take ${next} (the default)`,
      code: 'effective_date_needs_confirmation',
      params: { value: day, period: firstPeriodFrom(day), reasons, suggested: next },
    },
  ]);
}

/** Whether `scheme` has a level needing a sign-off, in the version in force or in the version `document`. */
function hasSignOffs(tp: TenantPack, v: PolicyVersion): boolean {
  const levels = [
    ...(tp.schemes.get(v.scheme)?.levels ?? []),
    ...((v.document as { levels?: readonly Pick<LevelDef, 'approvalRequired'>[] }).levels ?? []),
  ];
  return levels.some((l) => l.approvalRequired === true);
}

/**
 * 422 `simulation_required` on `simulationJobId` when `v` is of a scheme with sign-off levels and its
 * approval names no simulation: the checker of an AML or credit policy must have seen what it does to
 * the book (who moves onto a level needing a sign-off, who leaves one), and the trail records which
 * (`approvalShown`). A job named is judged as for any scheme, with the same codes: one that is no
 * simulation of `v` is `approvalShown`'s `simulation_not_of_version`, and one of `v` not completed is
 * `simulation_not_completed` (params `value`, `status`), as the s32 simulation checks word it — one
 * mistake answers one code whichever scheme it is made on.
 */
/** 422 `simulation_not_completed`: a named simulation still running, cancelled or failed covers part of the book. */
function notCompleted(simulationJobId: string, status: string): ProblemError {
  return new ProblemError(
    'unprocessable',
    `Simulation job "${simulationJobId}" is ${status}, not completed: its figures are not the whole book's.`,
    [
      {
        path: 'simulationJobId',
        message: `simulation job "${simulationJobId}" is ${status}: name a completed one`,
        code: 'simulation_not_completed',
        params: { value: simulationJobId, status },
      },
    ],
  );
}

export async function requireSimulation(
  deps: ApiDeps,
  tp: TenantPack,
  v: PolicyVersion,
  simulationJobId: string | undefined,
): Promise<void> {
  if (!hasSignOffs(tp, v)) return;
  if (simulationJobId !== undefined) {
    const row = await findJob(deps.db, deps.tenantId, simulationJobId);
    const params = row?.kind === 'simulate' ? (JSON.parse(row.params) as SimulationJobParams) : undefined;
    if (!row || !params || !isSimulationOf(params, v) || row.status === 'completed') return;
    throw notCompleted(simulationJobId, row.status);
  }
  const latest = (await versionSimulations(deps, v)).latest?.id ?? null;
  throw new ProblemError(
    'unprocessable',
    `"${v.scheme}" has levels that need a sign-off: approving version ${v.version} names a completed simulation of it (simulationJobId).`,
    [
      {
        path: 'simulationJobId',
        message: 'name the completed simulation of this version you were shown',
        code: 'simulation_required',
        params: { scheme: v.scheme, version: v.version, value: null, status: null, latest },
      },
    ],
  );
}

function isSimulationOf(params: SimulationJobParams, v: PolicyVersion): boolean {
  return params.simulation?.scheme === v.scheme && params.simulation.version === v.version;
}

/**
 * Subjects a simulation moves onto a level that needs a second person's sign-off, by the levels of the
 * document it simulated: a version may turn `approvalRequired` on or off, and the checker weighs the
 * sign-offs approving it opens, not those the scheme in force would.
 */
function signOffsOpened(params: SimulationJobParams, result: Pick<PolicySimulation, 'cells'> | undefined): number {
  const levels = (params.simulation.document as { levels?: readonly Pick<LevelDef, 'key' | 'approvalRequired'>[] }).levels ?? [];
  const needs = new Set(levels.filter((l) => l.approvalRequired === true).map((l) => l.key));
  return (result?.cells ?? []).reduce((n, c) => (c.from !== c.to && needs.has(c.to) ? n + c.count : n), 0);
}

/**
 * Whether the approved versions a simulation planned under (`pinned`) are no longer those one queued now
 * would plan under: a version of a scheme it reads approved or retired since. Compared as sets of
 * versions, as tenant-pack.ts picks them, not by the decision's and the job's instants: two hosts'
 * clocks stamp those (the write_seq migration's reason), and a rejection changes nothing it planned under.
 */
async function pinnedChanged(deps: ApiDeps, s: SimulationJobParams['simulation']): Promise<boolean> {
  const schemes = new Set([s.scheme, ...s.pinned.map((p) => p.scheme)]);
  const day = `${s.period}-01`;
  const now = (await listPolicyVersionsIn(deps.db, deps.tenantId, ['active']))
    .filter((v) => schemes.has(v.scheme) && (v.scheme !== s.scheme || startOf(v) < day))
    .map((v) => `${v.scheme}@${v.version}`);
  const then = new Set(s.pinned.map((p) => `${p.scheme}@${p.version}`));
  return now.length !== then.size || now.some((k) => !then.has(k));
}

/** The latest completed simulation of `v`, what changed since it was queued, and one still running. */
export async function versionSimulations(deps: ApiDeps, v: PolicyVersion): Promise<VersionSimulations> {
  // Read by version through its index: a busy tenant's other simulations cannot push this one's out of sight.
  const runningRow = await latestVersionSimulationJob(deps.db, deps.tenantId, v.scheme, v.version, 'running');
  const latestRow = await latestVersionSimulationJob(deps.db, deps.tenantId, v.scheme, v.version, 'completed');
  const running = runningRow ? await viewOf(deps.db, runningRow) : null;
  if (!latestRow) return { latest: null, pinned: [], changedSince: null, stale: false, signOffs: null, running };
  const latest = await viewOf(deps.db, latestRow);
  const params = JSON.parse(latestRow.params) as SimulationJobParams;
  const since = await changedSince(deps.db, deps.tenantId, latestRow);
  const changed = { ...since, policies: await pinnedChanged(deps, params.simulation), revision: latest.simulation?.current === false };
  const pinned = params.simulation.pinned.map((p) => ({ scheme: p.scheme, version: p.version }));
  const signOffs = signOffsOpened(params, latest.simulation?.result);
  return { latest, pinned, changedSince: changed, stale: Object.values(changed).some(Boolean), signOffs, running };
}

/** What the approver was shown, as the trail keeps it: the diff in words, and the simulation they named. */
export interface ApprovalShown {
  readonly diff: { readonly against: number; readonly changes: readonly PolicyChange[] } | null;
  readonly simulation: {
    readonly job: string;
    readonly status: string;
    readonly period: string;
    readonly revision: string;
    readonly finishedAt: string | null;
    readonly upgraded: number;
    readonly downgraded: number;
    /** First levels (from none), apart from `unchanged` (SimulationResult.assigned). */
    readonly assigned: number;
    readonly unchanged: number;
    readonly signOffs: number;
    readonly changedSince: VersionSimulations['changedSince'];
  } | null;
}

/**
 * What the approver of `v` was shown, read before the approval changes the version in force: the
 * diff against that version (null for a scheme with none) and the simulation job they name, which
 * must be one of `v` (else a 422 `simulation_not_of_version`: the trail would otherwise vouch for
 * figures of another draft), completed (else `simulation_not_completed`: a failed, cancelled or
 * unfinished one shows part of the book or none), and of the revision being approved (else
 * `simulation_of_earlier_revision`: its figures are of a document since edited).
 */
export async function approvalShown(deps: ApiDeps, v: PolicyVersion, simulationJobId: string | undefined): Promise<ApprovalShown> {
  let diff: ApprovalShown['diff'] = null;
  try {
    const d = await diffVersion(deps, v);
    diff = { against: d.against, changes: d.changes };
  } catch (e) {
    // A new scheme has no version in force: nothing to compare with, which the trail says as null.
    if (!(e instanceof ProblemError && e.kind === 'not-found')) throw e;
  }
  if (simulationJobId === undefined) return { diff, simulation: null };
  const row = await findJob(deps.db, deps.tenantId, simulationJobId);
  const params = row?.kind === 'simulate' ? (JSON.parse(row.params) as SimulationJobParams) : undefined;
  if (!row || !params || !isSimulationOf(params, v)) {
    throw new ProblemError('unprocessable', `Job "${simulationJobId}" is no simulation of version ${v.version} of "${v.scheme}".`, [
      {
        path: 'simulationJobId',
        message: `no simulation job "${simulationJobId}" of version ${v.version} of "${v.scheme}" in this tenant`,
        code: 'simulation_not_of_version',
        params: { value: simulationJobId, scheme: v.scheme, version: v.version },
      },
    ]);
  }
  if (row.status !== 'completed') {
    throw notCompleted(simulationJobId, row.status);
  }
  const revision = contentHash(v.document);
  if (params.simulation.revision !== revision) {
    throw new ProblemError(
      'unprocessable',
      `Simulation job "${simulationJobId}" planned an earlier revision of version ${v.version} of "${v.scheme}": simulate the version as submitted.`,
      [
        {
          path: 'simulationJobId',
          message: `simulation job "${simulationJobId}" is of revision ${params.simulation.revision}, the version is now ${revision}`,
          code: 'simulation_of_earlier_revision',
          params: { value: simulationJobId, simulated: params.simulation.revision, current: revision },
        },
      ],
    );
  }
  const job = await viewOf(deps.db, row);
  const sims = await versionSimulations(deps, v);
  const result = job.simulation?.result;
  return {
    diff,
    simulation: {
      job: job.id,
      status: job.status,
      period: job.params.period,
      revision: job.simulation?.revision ?? '',
      finishedAt: job.finishedAt,
      upgraded: result?.upgraded ?? 0,
      downgraded: result?.downgraded ?? 0,
      assigned: result?.assigned ?? 0,
      unchanged: result?.unchanged ?? 0,
      signOffs: signOffsOpened(params, result),
      changedSince: sims.latest?.id === job.id ? sims.changedSince : null,
    },
  };
}
