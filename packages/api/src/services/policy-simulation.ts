import { schemeMetrics, type HeldCell, type LevelCount, type PolicySimulation, type SubjectKind } from '@tierkit/core';
import {
  latestDataPeriodUpTo,
  latestEvaluatedPeriods,
  planSubjectChunks,
  BOOK_CHUNK,
  isPostgres,
  type Executor,
  type MetricValues,
  type PolicyVersion,
} from '@tierkit/db';
import { packOf, type ApiDeps } from '../deps.js';
import { notMonth } from '../month-errors.js';
import { invalid, ProblemError } from '../problem.js';
import { addMonths, isPeriod, monthRange, periodOf } from '../periods.js';
import { contentHash } from './four-eyes.js';
import { previewRetierChunk, type SubjectRange } from './jobs/retier-chunk.js';
import { checkDocument } from './policy-checks.js';
import { packWithVersionFrom, type PinnedVersion, type TenantPack } from './tenant-pack.js';

export type { LevelCount } from '@tierkit/core';

/** What a simulation reads through: a request's deps, or the CLI's (tierkit simulate). */
export type SimulationDeps = Pick<ApiDeps, 'db' | 'packs' | 'tenantId' | 'now' | 'timeZone'>;

/** A version run over the whole current book (the wire shape of `…/simulate`). */
export type BookSimulation = PolicySimulation;

type Cell = { from: string; to: string; count: number; samples: string[] };
type Held = { level: string; to: string; monthsLeft: number; count: number; samples: string[] };

/**
 * Most subjects of the scheme's kind `POST …/simulate` plans inside its request; above it the request
 * is refused (409 `conflict`, field code `use_simulation_job`) and the caller queues the simulation
 * as a job (`POST …/simulations`). 10,000 customers took 4.4 s in one request (packages/api README,
 * "Simulation as a job").
 */
export const SYNC_SIMULATION_MAX_SUBJECTS = 10_000;

/**
 * What a simulation was set up with: everything its chunks and its result need besides the book,
 * decided once (a job stores it in its params, so every chunk of it, on any worker, plans alike).
 */
export interface SimulationSetup {
  readonly scheme: string;
  readonly version: number;
  /** `contentHash` of the document simulated: a draft edited after the simulation began has another. */
  readonly revision: string;
  readonly against: number | null;
  readonly kind: string;
  readonly period: string;
  readonly dataPeriod: string | null;
  readonly samplesPerCell: number;
  /** The draft's levels, lowest rank first, and their ranks. */
  readonly levels: readonly { readonly key: string; readonly rank: number }[];
  /** The metrics the scheme and those it reads read: the only ones a chunk loads. */
  readonly metrics: readonly string[];
  /** ISO instant the plans are made at (overrides in force then). */
  readonly at: string;
  /**
   * The other versions the pack was built from (of the scheme and those it reads, every month back),
   * as they were when it was set up: a job plans every chunk under these, so one approved or retired meanwhile cannot make two
   * chunks (or two workers) plan under different policies.
   */
  readonly pinned: readonly PinnedVersion[];
}

/** What some chunks of the book found: cells and held counts with their first samples, the kept, the subjects gone through. */
export interface SimulationPart {
  readonly cells: readonly Cell[];
  readonly held: readonly Held[];
  readonly kept: number;
  readonly processed: number;
  readonly skipped: number;
}

function distribution(cells: readonly Cell[], side: 'from' | 'to', order: readonly string[]): LevelCount[] {
  const counts = new Map<string, number>();
  for (const c of cells) counts.set(c[side], (counts.get(c[side]) ?? 0) + c.count);
  const rank = (l: string) => order.indexOf(l);
  return [...counts].map(([level, count]) => ({ level, count })).sort((a, b) => rank(a.level) - rank(b.level));
}

/**
 * The month the next re-tier judges: the one after the latest month the scheme's levels judge (of the
 * kind's other schemes, for a scheme not yet in force), else the latest month with data, else now;
 * and that latest judged month (null: none judged yet).
 */
async function nextRetierPeriod(
  deps: SimulationDeps,
  scheme: string,
  kindSchemes: readonly string[],
  metrics: readonly string[],
  current: string,
): Promise<{ next: string; judged: string | null }> {
  const evaluated = await latestEvaluatedPeriods(deps.db, deps.tenantId, [scheme, ...kindSchemes]);
  const judged = evaluated.get(scheme) ?? [...evaluated.values()].sort().at(-1) ?? null;
  if (judged !== null) return { next: addMonths(judged, 1), judged };
  return { next: (await latestDataPeriodUpTo(deps.db, deps.tenantId, metrics, current)) ?? current, judged };
}

/**
 * The month a simulation may be asked for: from the latest month judged (judged again, as a re-tier
 * of it would) to the next re-tier's, and never after the month after the current one. Later months
 * would only repeat the latest figures, and each month between is carried forward for every subject,
 * so an unbounded one (`9999-12`) would exhaust the server.
 */
function checkPeriod(requested: string, judged: string | null, next: string, current: string): void {
  if (!isPeriod(requested)) throw invalid([notMonth('period', requested)]);
  const maximum = next < addMonths(current, 1) ? next : addMonths(current, 1);
  const minimum = judged ?? undefined;
  if (requested > maximum || (minimum !== undefined && requested < minimum)) {
    throw new ProblemError(
      'unprocessable',
      `period ${requested} cannot be simulated: ${minimum === undefined ? `up to ${maximum}` : `from ${minimum} (the latest month judged) to ${maximum}`}`,
      [
        {
          path: 'period',
          message: `${requested} is outside ${minimum ?? ''}..${maximum}`,
          code: 'period_out_of_range',
          params: { ...(minimum === undefined ? {} : { minimum }), maximum, value: requested },
        },
      ],
    );
  }
}

/**
 * "If nothing changes": each metric observed in `data` and not since stands in, at that figure, for
 * every month after it up to `period`. Later observations (a month partly loaded) are kept as they are.
 */
function carriedForward(values: Map<string, MetricValues>, data: string, period: string): Map<string, MetricValues> {
  const months = monthRange(addMonths(data, 1), period);
  for (const byMetric of values.values()) {
    for (const byMonth of Object.values(byMetric)) {
      const figure = byMonth[data];
      if (figure === undefined) continue;
      for (const m of months) if (byMonth[m] === undefined) byMonth[m] = figure;
    }
  }
  return values;
}

/**
 * Decide what a simulation of `v` at `requested` (default: the next re-tier's month) plans under and
 * from: the month, the data month, the pack with `v` in force from it (narrowed to the scheme and those
 * it reads). A draft that does not fit a version in force by then is a 422 (packWithVersionFrom).
 */
export async function setUpSimulation(
  deps: SimulationDeps,
  v: PolicyVersion,
  samplesPerCell: number,
  requested?: string,
): Promise<{ readonly setup: SimulationSetup; readonly asIf: TenantPack }> {
  const tp = await packOf(deps);
  const { definition } = checkDocument(tp, v.scheme, v.document);
  const kind = definition.subjectKind;
  const schemeOwn = [...schemeMetrics(definition)];
  const kindSchemes = [...tp.schemes.values()].filter((s) => s.subjectKind === kind && s.key !== v.scheme).map((s) => s.key);
  const now = deps.now();
  const current = periodOf(now, tp.timeZone);
  const { next, judged } = await nextRetierPeriod(deps, v.scheme, kindSchemes, schemeOwn, current);
  if (requested !== undefined) checkPeriod(requested, judged, next, current);
  const period = requested ?? next;
  const dataPeriod = await latestDataPeriodUpTo(deps.db, deps.tenantId, schemeOwn, period);
  // Only the scheme and those it reads (derived and matrix schemes), transitively: its level depends on
  // nothing else, and planning every other scheme of every subject too cost most of the time.
  const asIf = await asIfPack(deps.db, deps.tenantId, tp.timeZone, v, period);
  const draft = asIf.compiled.scheme(v.scheme);
  if (!draft) throw new Error('a validated pack lost its scheme');
  // What the narrowed pack's schemes read, and nothing else: a bank's book has many more metrics.
  const metrics = new Set<string>();
  for (const s of asIf.pack.schemes) for (const m of schemeMetrics(s)) metrics.add(m);
  return {
    asIf,
    setup: {
      scheme: v.scheme,
      version: v.version,
      revision: contentHash(v.document),
      against: tp.versions.get(v.scheme)?.version ?? null,
      kind,
      period,
      dataPeriod,
      samplesPerCell,
      levels: draft.summary.levels.map((l) => ({ key: l.key, rank: l.rank })),
      metrics: [...metrics].sort(),
      at: now.toISOString(),
      pinned: asIf.pinned,
    },
  };
}

/**
 * The tenant's pack with `v` in force from `period`, narrowed to its scheme and those it reads: of the
 * versions active now, or of `pinned` (a job's chunks: those of its setup).
 */
export function asIfPack(
  db: Executor,
  tenantId: string,
  timeZone: string,
  v: PolicyVersion,
  period: string,
  pinned?: readonly PinnedVersion[],
): Promise<TenantPack & { readonly pinned: readonly PinnedVersion[] }> {
  return packWithVersionFrom(db, tenantId, timeZone, v, period, true, pinned);
}

/**
 * On PostgreSQL each statement sees the commits made before it: a chunk's levels, data and overrides
 * are read in one short read-only snapshot, so a re-tier storing meanwhile is seen whole or not at all,
 * and nothing is locked that a re-tier would wait for. (SQLite's reads are one statement each against
 * a single writer; a transaction there would only hold the file.)
 */
function inSnapshot<T>(db: Executor, fn: (db: Executor) => Promise<T>): Promise<T> {
  return isPostgres(db) && !db.isTransaction
    ? db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn)
    : fn(db);
}

/**
 * Plan the subjects of `range` as the re-tier would (`previewRetierChunk`, read-only: it holds no
 * customer and writes nothing) and count what it finds. One chunk of a simulation job, or a slice of
 * the synchronous one.
 */
export async function simulateRange(db: Executor, asIf: TenantPack, setup: SimulationSetup, range: SubjectRange): Promise<SimulationPart> {
  const { scheme, period, dataPeriod, samplesPerCell } = setup;
  const cells = new Map<string, Cell>();
  const held = new Map<string, Held>();
  let kept = 0;
  const add = <C extends { count: number; samples: string[] }>(map: Map<string, C>, key: string, make: () => C, id: string) => {
    let c = map.get(key);
    if (!c) map.set(key, (c = make()));
    c.count++;
    if (c.samples.length < samplesPerCell) c.samples.push(id);
  };
  const params = { schemes: [scheme], period, filter: { kind: setup.kind as SubjectKind }, reason: null };
  const totals = await inSnapshot(db, (ex) =>
    previewRetierChunk(ex, asIf, params, range, new Date(setup.at), {
      metrics: setup.metrics,
      ...(dataPeriod !== null && dataPeriod < period ? { values: (values) => carriedForward(values, dataPeriod, period) } : {}),
      seen: (subject, plan, had) => {
        const e = plan.evaluations.find((x) => x.scheme === scheme);
        if (!e) return;
        const from = had.find((a) => a.scheme === scheme)?.level ?? 'none';
        add(cells, `${from}\u0000${e.level}`, () => ({ from, to: e.level, count: 0, samples: [] }), subject.externalId);
        // Below the line and kept by the grace periods (the engine's own count, with its default when
        // the policy names none): held until the rules' level, unadjusted, takes over. A level an
        // override decides has no retention: the override, not the grace, keeps it.
        const r = e.retention;
        if (r && r.periodsBelow > 0) {
          const level = e.level;
          const to = r.toLevel;
          const monthsLeft = r.periodsAllowed - r.periodsBelow;
          add(held, `${level}\u0000${to}\u0000${monthsLeft}`, () => ({ level, to, monthsLeft, count: 0, samples: [] }), subject.externalId);
        } else if (e.explanation.decidedBy.id === 'hysteresis.retained') kept++;
      },
    }),
  );
  return { cells: [...cells.values()], held: [...held.values()], kept, processed: totals.processed, skipped: totals.skipped };
}

/**
 * Parts added up in the order given (chunks in id order): counts summed, each cell's samples the
 * first `samplesPerCell` of the parts' in turn — the first subjects in id order, as one pass over the
 * book would take them.
 */
export function mergeParts(parts: readonly SimulationPart[], samplesPerCell: number): SimulationPart {
  const cells = new Map<string, Cell>();
  const held = new Map<string, Held>();
  const merge = <C extends { count: number; samples: string[] }>(into: Map<string, C>, key: string, c: C) => {
    const had = into.get(key);
    if (!had) into.set(key, { ...c, samples: c.samples.slice(0, samplesPerCell) });
    else {
      had.count += c.count;
      for (const s of c.samples) if (had.samples.length < samplesPerCell) had.samples.push(s);
    }
  };
  let kept = 0;
  let processed = 0;
  let skipped = 0;
  for (const p of parts) {
    for (const c of p.cells) merge(cells, `${c.from}\u0000${c.to}`, c);
    for (const h of p.held) merge(held, `${h.level}\u0000${h.to}\u0000${h.monthsLeft}`, h);
    kept += p.kept;
    processed += p.processed;
    skipped += p.skipped;
  }
  return { cells: [...cells.values()], held: [...held.values()], kept, processed, skipped };
}

/** The wire shape of a simulation from its setup and what its chunks found (all of them, or those done so far). */
export function simulationOf(setup: SimulationSetup, part: SimulationPart): BookSimulation {
  const rank = new Map(setup.levels.map((l) => [l.key, l.rank]));
  const order = (l: string) => rank.get(l) ?? -1;
  const sorted = [...part.cells].sort((a, b) => order(a.from) - order(b.from) || order(a.to) - order(b.to));
  let total = 0;
  let upgraded = 0;
  let downgraded = 0;
  for (const c of sorted) {
    total += c.count;
    const rf = rank.get(c.from);
    const rt = rank.get(c.to) ?? 0;
    if (rf !== undefined && rt > rf) upgraded += c.count;
    else if (rf !== undefined && rt < rf) downgraded += c.count;
  }
  const heldCells: HeldCell[] = [...part.held].sort(
    (a, b) => order(b.level) - order(a.level) || order(b.to) - order(a.to) || a.monthsLeft - b.monthsLeft,
  );
  const keys = setup.levels.map((l) => l.key);
  const levels = ['none', ...keys];
  return {
    scheme: setup.scheme,
    levels: keys,
    cells: sorted,
    total,
    upgraded,
    downgraded,
    unchanged: total - upgraded - downgraded,
    version: setup.version,
    against: setup.against,
    before: distribution(sorted, 'from', levels),
    after: distribution(sorted, 'to', levels),
    period: setup.period,
    dataPeriod: setup.dataPeriod,
    held: { total: heldCells.reduce((n, c) => n + c.count, 0), cells: heldCells },
    kept: part.kept,
  };
}

/**
 * What the re-tier of `period` (default: the next one) would do were `v` in force for it: every
 * subject of the scheme's kind is planned by the re-tier job's own code (`previewRetierChunk`, which
 * is `planReevaluation`) from its stored levels and hysteresis state, under the pack with `v` in force
 * from `period`, and nothing is stored. When `period` has no data yet, the latest month's figures
 * stand in for it. Besides who moves, it counts who would fall below a line but be held by the grace
 * periods, and how many more months below it would move them. Overrides apply, as in the job. The book
 * is read a chunk of ids at a time, so memory stays flat however large it is. A book with more than
 * `maxSubjects` subjects of the kind is refused (409, field code `use_simulation_job`): a job
 * (services/jobs/simulation-job.ts) plans it in chunks that outlive the request.
 */
export async function simulateOnBook(
  deps: SimulationDeps,
  v: PolicyVersion,
  samplesPerCell: number,
  requested?: string,
  maxSubjects = SYNC_SIMULATION_MAX_SUBJECTS,
): Promise<BookSimulation> {
  const { setup, asIf } = await setUpSimulation(deps, v, samplesPerCell, requested);
  const chunks = await planSubjectChunks(deps.db, deps.tenantId, { kind: setup.kind }, BOOK_CHUNK);
  const subjects = chunks.reduce((n, c) => n + c.subjects, 0);
  if (subjects > maxSubjects)
    throw new ProblemError(
      'conflict',
      `The book has ${subjects} subjects of kind ${setup.kind}, more than the ${maxSubjects} a simulation plans inside one request: queue it as a job (POST /v1/policies/${v.scheme}/versions/${v.version}/simulations) and follow it (GET /v1/jobs/{id}/events).`,
      [
        {
          path: '',
          message: `more than ${maxSubjects} subjects: use POST …/simulations`,
          code: 'use_simulation_job',
          params: { maximum: maxSubjects, actual: subjects },
        },
      ],
    );
  const parts: SimulationPart[] = [];
  for (const range of chunks) {
    parts.push(await simulateRange(deps.db, asIf, setup, range));
    // A request, not a job: between chunks the server answers others.
    await new Promise((r) => setImmediate(r));
  }
  return simulationOf(setup, mergeParts(parts, samplesPerCell));
}
