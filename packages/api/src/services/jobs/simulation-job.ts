import type { JobSimulation, RetierParams } from '@tierkit/core';
import {
  completeChunk,
  findPolicyVersion,
  insertJob,
  planSubjectChunks,
  type ClaimedChunk,
  type Executor,
  type JobRow,
  type PolicyVersion,
} from '@tierkit/db';
import { sortableId } from '../../ids.js';
import { contentHash } from '../four-eyes.js';
import {
  asIfPack,
  mergeParts,
  setUpSimulation,
  simulateRange,
  simulationOf,
  type SimulationDeps,
  type SimulationPart,
  type SimulationSetup,
} from '../policy-simulation.js';
import { packInForceFor, type TenantPack } from '../tenant-pack.js';
import type { RetierTotals } from './retier-params.js';

/*
 * A policy simulation as a job (packages/api README, "Simulation as a job"): the book is cut into
 * chunks as a re-tier's is, and each chunk plans its subjects by the re-tier's own code, read-only
 * (`simulateRange`: no customer held, nothing written but the chunk's own result). A chunk's counts
 * and first samples are stored with it when it is marked done, so a worker killed mid-chunk loses
 * only that chunk, which the next worker plans again; the job's result is its done chunks' parts added
 * up in chunk order — the synchronous route's answer, whichever workers did which chunks.
 */

/** Subjects per chunk of a simulation: as a re-tier's (services/jobs/jobs.ts DEFAULT_CHUNK_SUBJECTS). */
export const SIMULATION_CHUNK_SUBJECTS = 1000;

/** What a simulation job stores as its params: a re-tier's shape (the scheme and month it plans), and its setup. */
export interface SimulationJobParams extends RetierParams {
  readonly simulation: SimulationSetup & {
    /** The document simulated, as it was when the job was queued: every chunk plans this one. */
    readonly document: unknown;
    readonly timeZone: string;
  };
}

/** A chunk's stored result: empty re-tier totals (it writes nothing) and what it found. */
interface SimulationChunkResult extends RetierTotals {
  readonly simulation: SimulationPart;
}

/**
 * Queue a simulation of `v` at `period` (default: the next re-tier's month) over the book of its
 * scheme's kind, as `deps.requestedBy` (`Principal.actor`, or the CLI's action). Checked as `POST …/simulate` checks (the period's range, a draft
 * that does not fit a version scheduled by then: 422) before anything is stored.
 */
export async function enqueueSimulation(
  deps: SimulationDeps & { readonly requestedBy: string },
  v: PolicyVersion,
  samplesPerCell: number,
  period?: string,
  chunkSubjects = SIMULATION_CHUNK_SUBJECTS,
): Promise<JobRow> {
  const now = deps.now();
  const { setup, asIf } = await setUpSimulation(deps, v, samplesPerCell, period);
  const chunks = await planSubjectChunks(deps.db, deps.tenantId, { kind: setup.kind }, chunkSubjects);
  const params: SimulationJobParams = {
    schemes: [v.scheme],
    dependents: [],
    period: setup.period,
    filter: { kind: setup.kind as NonNullable<RetierParams['filter']['kind']> },
    reason: null,
    simulation: { ...setup, document: v.document, timeZone: asIf.timeZone },
  };
  const id = `job_${sortableId(now)}`;
  await insertJob(deps.db, {
    id,
    tenantId: deps.tenantId,
    kind: 'simulate',
    params,
    requestedBy: deps.requestedBy,
    chunks,
    now: now.toISOString(),
    simulationOf: { scheme: v.scheme, version: v.version },
  });
  const row = await deps.db.selectFrom('jobs').selectAll().where('tenant_id', '=', deps.tenantId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new Error('a simulation job just stored is gone');
  return row;
}

/**
 * The packs simulation chunks plan under, by job: compiling the pack with the draft costs more than a
 * small chunk, and a job's chunks all plan the same document under the same pinned versions, so this
 * is only a cache: a process that misses it builds the same pack. A few jobs at a time.
 */
interface JobPacks {
  readonly asIf: TenantPack;
  /** The versions in force without the draft, as pinned at setup: the baseline (none for a new scheme or a job queued before baselines). */
  readonly base: TenantPack | undefined;
}
const packsByJob = new Map<string, Promise<JobPacks>>();
const PACKS_KEPT = 4;

/** The packs a simulation job's chunks plan under (its draft's, its baseline's), as its setup pinned them: what a re-plan of it (the affected list) plans under too. */
export function packsOfSimulation(db: Executor, job: JobRow, params: SimulationJobParams): Promise<JobPacks> {
  return packFor(db, job, params);
}

function packFor(db: Executor, job: JobRow, params: SimulationJobParams): Promise<JobPacks> {
  const had = packsByJob.get(job.id);
  if (had) return had;
  const made = (async () => {
    const s = params.simulation;
    const stored = await findPolicyVersion(db, job.tenant_id, s.scheme, s.version);
    if (!stored) throw new Error(`version ${s.version} of "${s.scheme}" is gone: the simulation cannot be planned`);
    // The document as queued, under the versions in force when it was queued (pinned): a version
    // approved or retired since must not reach some chunks and not others.
    const asIf = await asIfPack(
      db,
      job.tenant_id,
      s.timeZone,
      { ...stored, document: s.document as PolicyVersion['document'] },
      s.period,
      s.pinned,
    );
    const base = s.baseline ? await packInForceFor(db, job.tenant_id, s.timeZone, s.scheme, s.period, s.baseline.pinned) : undefined;
    return { asIf, base };
  })();
  packsByJob.set(job.id, made);
  made.catch(() => packsByJob.delete(job.id));
  while (packsByJob.size > PACKS_KEPT) packsByJob.delete(packsByJob.keys().next().value as string);
  return made;
}

/**
 * Plan a claimed simulation chunk and mark it done with what it found, in a write of its own: the
 * planning reads without holding anyone (a re-tier running beside it waits for nothing), and only the
 * chunk's row is written. Undefined when the chunk was no longer this owner's to finish (the job was
 * cancelled, or its lease ran out and another worker took it): nothing of it was stored.
 */
export async function runSimulationChunk(
  db: Executor,
  { chunk, job }: ClaimedChunk,
  owner: string,
  clock: () => Date,
  write: (fn: (trx: Executor) => Promise<boolean>) => Promise<boolean>,
): Promise<RetierTotals | undefined> {
  const params = JSON.parse(job.params) as SimulationJobParams;
  const { asIf, base } = await packFor(db, job, params);
  const part = await simulateRange(db, asIf, params.simulation, { first: chunk.first_subject, last: chunk.last_subject }, base);
  const result: SimulationChunkResult = {
    processed: part.processed,
    skipped: part.skipped,
    changes: 0,
    approvalRequired: 0,
    matrix: [],
    simulation: part,
  };
  const stored = await write((trx) => completeChunk(trx, job.id, chunk.seq, owner, JSON.stringify(result), clock().toISOString()));
  if (stored && chunk.seq === Number(job.total_chunks) - 1) packsByJob.delete(job.id);
  return stored ? result : undefined;
}

/** A simulation job's `simulation`: its setup and what its done chunks found, and whether the draft is still what it planned. */
export async function simulationView(db: Executor, row: JobRow, results: readonly string[]): Promise<JobSimulation> {
  const { simulation: s } = JSON.parse(row.params) as SimulationJobParams;
  const parts = results.map((r) => (JSON.parse(r) as SimulationChunkResult).simulation);
  const now = await findPolicyVersion(db, row.tenant_id, s.scheme, s.version);
  return {
    scheme: s.scheme,
    version: s.version,
    revision: s.revision,
    current: now !== undefined && contentHash(now.document) === s.revision,
    samplesPerCell: s.samplesPerCell,
    result: simulationOf(s, mergeParts(parts, s.samplesPerCell)),
  };
}

/** A simulation job's params as the API shows them: the re-tier's fields, without the stored setup. */
export function publicParams(params: SimulationJobParams): RetierParams & { readonly dependents: readonly [] } {
  return { schemes: params.schemes, dependents: [], period: params.period, filter: params.filter, reason: params.reason };
}
