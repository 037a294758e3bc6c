import { schemeMetrics, simulationMoves, type HeldCell, type LevelCount, type PolicySimulation, type SubjectKind } from '@tierkit/core';
import type { LevelComparison, SimulationBaseline } from '@tierkit/core/wire';
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
import type { ReevaluationPlan } from './reevaluate.js';
import { checkDocument } from './policy-checks.js';
import { packInForceFor, packWithVersionFrom, type PinnedVersion, type TenantPack } from './tenant-pack.js';

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
  /**
   * What the simulation compares with: the scheme's version in force (without the draft) and the
   * versions its pack was built from, pinned as `pinned` is; null for a scheme with none in force
   * (absent: a job queued before baselines were kept).
   */
  readonly baseline?: { readonly version: number; readonly pinned: readonly PinnedVersion[] } | null;
}

/** What some chunks of the book found: cells and held counts with their first samples, the kept, the subjects gone through. */
export interface SimulationPart {
  readonly cells: readonly Cell[];
  readonly held: readonly Held[];
  readonly kept: number;
  readonly processed: number;
  readonly skipped: number;
  /** The same subjects under the version in force: its cells and held counts, and in-force level → simulated level. */
  readonly baseline?: BaselinePart;
}

interface BaselinePart {
  readonly cells: readonly Cell[];
  readonly held: readonly Held[];
  readonly compared: readonly Cell[];
}

function distribution(
  cells: readonly { from: string; to: string; count: number }[],
  side: 'from' | 'to',
  order: readonly string[],
): LevelCount[] {
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
export function carriedForward(values: Map<string, MetricValues>, data: string, period: string): Map<string, MetricValues> {
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
): Promise<{ readonly setup: SimulationSetup; readonly asIf: TenantPack; readonly base: TenantPack | undefined }> {
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
  // The baseline reads the same chunk's figures: what the version in force reads is loaded too.
  const base = await packInForceFor(deps.db, deps.tenantId, tp.timeZone, v.scheme, period, undefined, current);
  if (base) for (const s of base.pack.schemes) for (const m of schemeMetrics(s)) metrics.add(m);
  const baseVersion = base?.versions.get(v.scheme)?.version;
  return {
    asIf,
    base,
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
      baseline: base && baseVersion !== undefined ? { version: baseVersion, pinned: base.pinned } : null,
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
export async function simulateRange(
  db: Executor,
  asIf: TenantPack,
  setup: SimulationSetup,
  range: SubjectRange,
  base?: TenantPack,
): Promise<SimulationPart> {
  const { scheme, period, dataPeriod, samplesPerCell } = setup;
  const cells = new Map<string, Cell>();
  const held = new Map<string, Held>();
  const baseCells = new Map<string, Cell>();
  const baseHeld = new Map<string, Held>();
  const compared = new Map<string, Cell>();
  let kept = 0;
  const add = <C extends { count: number; samples: string[] }>(
    map: Map<string, C>,
    key: string,
    make: () => C,
    id: string,
    samples = samplesPerCell,
  ) => {
    let c = map.get(key);
    if (!c) map.set(key, (c = make()));
    c.count++;
    if (c.samples.length < samples) c.samples.push(id);
  };
  // Below the line and kept by the grace periods (the engine's own count, with its default when the
  // policy names none): held until the rules' level, unadjusted, takes over. A level an override
  // decides has no retention: the override, not the grace, keeps it.
  const countHeld = (into: Map<string, Held>, e: ReevaluationPlan['evaluations'][number], id: string, samples: number): boolean => {
    const r = e.retention;
    if (!r || r.periodsBelow <= 0) return false;
    const level = e.level;
    const to = r.toLevel;
    const monthsLeft = r.periodsAllowed - r.periodsBelow;
    add(into, `${level}\u0000${to}\u0000${monthsLeft}`, () => ({ level, to, monthsLeft, count: 0, samples: [] }), id, samples);
    return true;
  };
  const params = { schemes: [scheme], period, filter: { kind: setup.kind as SubjectKind }, reason: null };
  const totals = await inSnapshot(db, (ex) =>
    previewRetierChunk(ex, asIf, params, range, new Date(setup.at), {
      metrics: setup.metrics,
      ...(dataPeriod !== null && dataPeriod < period ? { values: (values) => carriedForward(values, dataPeriod, period) } : {}),
      ...(base ? { baseline: base } : {}),
      seen: (subject, plan, had, basePlan) => {
        const e = plan.evaluations.find((x) => x.scheme === scheme);
        if (!e) return;
        const id = subject.externalId;
        const from = had.find((a) => a.scheme === scheme)?.level ?? 'none';
        add(cells, `${from}\u0000${e.level}`, () => ({ from, to: e.level, count: 0, samples: [] }), id);
        if (!countHeld(held, e, id, samplesPerCell) && e.explanation.decidedBy.id === 'hysteresis.retained') kept++;
        const b = basePlan?.evaluations.find((x) => x.scheme === scheme);
        if (!b) return;
        // The baseline's own moves are counted without samples: the card names subjects by the comparison.
        add(baseCells, `${from}\u0000${b.level}`, () => ({ from, to: b.level, count: 0, samples: [] }), id, 0);
        countHeld(baseHeld, b, id, 0);
        add(compared, `${b.level}\u0000${e.level}`, () => ({ from: b.level, to: e.level, count: 0, samples: [] }), id);
      },
    }),
  );
  return {
    cells: [...cells.values()],
    held: [...held.values()],
    kept,
    processed: totals.processed,
    skipped: totals.skipped,
    ...(base ? { baseline: { cells: [...baseCells.values()], held: [...baseHeld.values()], compared: [...compared.values()] } } : {}),
  };
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
  const baseCells = new Map<string, Cell>();
  const baseHeld = new Map<string, Held>();
  const compared = new Map<string, Cell>();
  // A part without a baseline (a chunk stored before they were kept) leaves the whole without one.
  const withBaseline = parts.every((p) => p.baseline !== undefined);
  let kept = 0;
  let processed = 0;
  let skipped = 0;
  for (const p of parts) {
    for (const c of p.cells) merge(cells, `${c.from}\u0000${c.to}`, c);
    for (const h of p.held) merge(held, `${h.level}\u0000${h.to}\u0000${h.monthsLeft}`, h);
    if (withBaseline && p.baseline) {
      for (const c of p.baseline.cells) merge(baseCells, `${c.from}\u0000${c.to}`, c);
      for (const h of p.baseline.held) merge(baseHeld, `${h.level}\u0000${h.to}\u0000${h.monthsLeft}`, h);
      for (const c of p.baseline.compared) merge(compared, `${c.from}\u0000${c.to}`, c);
    }
    kept += p.kept;
    processed += p.processed;
    skipped += p.skipped;
  }
  return {
    cells: [...cells.values()],
    held: [...held.values()],
    kept,
    processed,
    skipped,
    ...(withBaseline
      ? { baseline: { cells: [...baseCells.values()], held: [...baseHeld.values()], compared: [...compared.values()] } }
      : {}),
  };
}

/** Held cells in the card's order (highest level first), with the month each drops in. */
function heldOf(held: readonly Held[], period: string, order: (l: string) => number): { total: number; cells: HeldCell[] } {
  const cells = [...held]
    .sort((a, b) => order(b.level) - order(a.level) || order(b.to) - order(a.to) || a.monthsLeft - b.monthsLeft)
    .map((h) => ({
      level: h.level,
      to: h.to,
      monthsLeft: h.monthsLeft,
      dropsIn: addMonths(period, h.monthsLeft),
      count: h.count,
      samples: h.samples,
    }));
  return { total: cells.reduce((n, c) => n + c.count, 0), cells };
}

/** `after` once the grace periods end: each held subject moved from its level to the one it drops to. */
function afterGraceOf(after: readonly LevelCount[], held: readonly HeldCell[], levels: readonly string[]): LevelCount[] {
  const counts = new Map(after.map((l) => [l.level, l.count]));
  for (const h of held) {
    counts.set(h.level, (counts.get(h.level) ?? 0) - h.count);
    counts.set(h.to, (counts.get(h.to) ?? 0) + h.count);
  }
  return levels.filter((l) => counts.has(l)).map((level) => ({ level, count: counts.get(level) ?? 0 }));
}

/** The wire shape of a simulation from its setup and what its chunks found (all of them, or those done so far). */
export function simulationOf(setup: SimulationSetup, part: SimulationPart): BookSimulation {
  const rank = new Map(setup.levels.map((l) => [l.key, l.rank]));
  const order = (l: string) => rank.get(l) ?? -1;
  const byRank = (a: { from: string; to: string }, b: { from: string; to: string }) =>
    order(a.from) - order(b.from) || order(a.to) - order(b.to);
  const sorted = [...part.cells].sort(byRank);
  const keys = setup.levels.map((l) => l.key);
  const levels = ['none', ...keys];
  const after = distribution(sorted, 'to', levels);
  const held = heldOf(part.held, setup.period, order);
  const afterGrace = afterGraceOf(after, held.cells, levels);
  return {
    scheme: setup.scheme,
    levels: keys,
    cells: sorted,
    ...simulationMoves(sorted, rank),
    version: setup.version,
    against: setup.against,
    before: distribution(sorted, 'from', levels),
    after,
    period: setup.period,
    dataPeriod: setup.dataPeriod,
    held,
    kept: part.kept,
    afterGrace,
    baseline: setup.baseline && part.baseline ? baselineOf(setup, setup.baseline.version, part.baseline, after, afterGrace) : null,
  };
}

/**
 * The baseline's figures beside the simulation's: its own moves from the stored levels, and subject by
 * subject and level by level the version simulated against it, this month and once both sides' grace
 * periods end. Ranks are the simulated version's: a level the version in force has and it removed
 * compares as unranked (neither higher nor lower).
 */
function baselineOf(
  setup: SimulationSetup,
  version: number,
  part: BaselinePart,
  after: readonly LevelCount[],
  afterGrace: readonly LevelCount[],
): SimulationBaseline {
  const rank = new Map(setup.levels.map((l) => [l.key, l.rank]));
  const order = (l: string) => rank.get(l) ?? -1;
  const byRank = (a: { from: string; to: string }, b: { from: string; to: string }) =>
    order(a.from) - order(b.from) || order(a.to) - order(b.to);
  const cells = [...part.cells].sort(byRank).map((c) => ({ from: c.from, to: c.to, count: c.count }));
  const own = simulationMoves(cells, rank);
  const compared = [...part.compared].sort(byRank);
  const versus = simulationMoves(compared, rank);
  const keys = setup.levels.map((l) => l.key);
  // Levels of the version in force the simulated one does not have still show, after its own.
  const extra = [...new Set([...cells.map((c) => c.to), ...compared.map((c) => c.from)])].filter((l) => l !== 'none' && !rank.has(l));
  const all = ['none', ...keys, ...extra.sort()];
  const baseAfter = distribution(cells, 'to', all);
  const held = heldOf(part.held, setup.period, order);
  const baseAfterGrace = afterGraceOf(baseAfter, held.cells, all);
  const count = (list: readonly LevelCount[], level: string) => list.find((l) => l.level === level)?.count ?? 0;
  const shown = all.filter((l) => [baseAfter, after, baseAfterGrace, afterGrace].some((list) => list.some((x) => x.level === l)));
  const compare: LevelComparison[] = shown.map((level) => {
    const b = count(baseAfter, level);
    const s = count(after, level);
    const bg = count(baseAfterGrace, level);
    const sg = count(afterGrace, level);
    return { level, baseline: b, simulated: s, change: s - b, baselineAfterGrace: bg, simulatedAfterGrace: sg, changeAfterGrace: sg - bg };
  });
  return {
    version,
    cells,
    after: baseAfter,
    afterGrace: baseAfterGrace,
    upgraded: own.upgraded,
    downgraded: own.downgraded,
    held,
    compared,
    higher: versus.upgraded,
    lower: versus.downgraded,
    same: compared.filter((c) => c.from === c.to).reduce((n, c) => n + c.count, 0),
    levels: compare,
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
  const { setup, asIf, base } = await setUpSimulation(deps, v, samplesPerCell, requested);
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
    parts.push(await simulateRange(deps.db, asIf, setup, range, base));
    // A request, not a job: between chunks the server answers others.
    await new Promise((r) => setImmediate(r));
  }
  return simulationOf(setup, mergeParts(parts, samplesPerCell));
}
