import { schemeMetrics, type HeldCell, type LevelCount, type PolicySimulation } from '@tierkit/core';
import {
  latestDataPeriodUpTo,
  latestEvaluatedPeriods,
  planSubjectChunks,
  BOOK_CHUNK,
  isPostgres,
  type MetricValues,
  type PolicyVersion,
} from '@tierkit/db';
import { packOf, type ApiDeps } from '../deps.js';
import { notMonth } from '../month-errors.js';
import { invalid, ProblemError } from '../problem.js';
import { addMonths, isPeriod, monthRange, periodOf } from '../periods.js';
import { previewRetierChunk } from './jobs/retier-chunk.js';
import { checkDocument } from './policy-checks.js';
import { packWithVersionFrom } from './tenant-pack.js';

export type { LevelCount } from '@tierkit/core';

/** A version run over the whole current book (the wire shape of `…/simulate`). */
export type BookSimulation = PolicySimulation;

type Cell = { from: string; to: string; count: number; samples: string[] };

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
  deps: ApiDeps,
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
 * What the re-tier of `period` (default: the next one) would do were `v` in force for it: every
 * subject of the scheme's kind is planned by the re-tier job's own code (`previewRetierChunk`, which
 * is `planReevaluation`) from its stored levels and hysteresis state, under the pack with `v` in force
 * from `period`, and nothing is stored. When `period` has no data yet, the latest month's figures
 * stand in for it. Besides who moves, it counts who would fall below a line but be held by the grace
 * periods, and how many more months below it would move them. Overrides apply, as in the job. The book
 * is read a chunk of ids at a time, so memory stays flat however large it is.
 */
export async function simulateOnBook(deps: ApiDeps, v: PolicyVersion, samplesPerCell: number, requested?: string): Promise<BookSimulation> {
  const tp = await packOf(deps);
  const { definition } = checkDocument(tp, v.scheme, v.document);
  const kind = definition.subjectKind;
  const metrics = [...schemeMetrics(definition)];
  const kindSchemes = [...tp.schemes.values()].filter((s) => s.subjectKind === kind && s.key !== v.scheme).map((s) => s.key);
  const now = deps.now();
  const current = periodOf(now, tp.timeZone);
  const { next, judged } = await nextRetierPeriod(deps, v.scheme, kindSchemes, metrics, current);
  if (requested !== undefined) checkPeriod(requested, judged, next, current);
  const period = requested ?? next;
  const dataPeriod = await latestDataPeriodUpTo(deps.db, deps.tenantId, metrics, period);
  // Only the scheme and those it reads (derived and matrix schemes), transitively: its level depends on
  // nothing else, and planning every other scheme of every subject too cost most of the time.
  const asIf = await packWithVersionFrom(deps.db, deps.tenantId, tp.timeZone, v, period, true);
  const draft = asIf.compiled.scheme(v.scheme);
  if (!draft) throw new Error('a validated pack lost its scheme');
  const rank = new Map(draft.summary.levels.map((l) => [l.key, l.rank]));

  const cells = new Map<string, Cell>();
  let kept = 0;
  const held = new Map<string, { level: string; to: string; monthsLeft: number; count: number; samples: string[] }>();
  const add = <C extends { count: number; samples: string[] }>(map: Map<string, C>, key: string, make: () => C, id: string) => {
    let c = map.get(key);
    if (!c) map.set(key, (c = make()));
    c.count++;
    if (c.samples.length < samplesPerCell) c.samples.push(id);
  };
  const params = { schemes: [v.scheme], period, filter: { kind }, reason: null };
  const chunks = await planSubjectChunks(deps.db, deps.tenantId, { kind }, BOOK_CHUNK);
  // On PostgreSQL each statement sees the commits made before it: a chunk's levels, data and overrides
  // are read in one short read-only snapshot, so a re-tier storing meanwhile is seen whole or not at all.
  // (SQLite's reads are one statement each against a single writer; a transaction there would only
  // hold the file.)
  const inSnapshot = <T>(fn: (db: typeof deps.db) => Promise<T>): Promise<T> =>
    isPostgres(deps.db) && !deps.db.isTransaction
      ? deps.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn)
      : fn(deps.db);
  for (const range of chunks) {
    await inSnapshot((db) =>
      previewRetierChunk(db, asIf, params, range, now, {
        ...(dataPeriod !== null && dataPeriod < period ? { values: (values) => carriedForward(values, dataPeriod, period) } : {}),
        seen: (subject, plan, had) => {
          const e = plan.evaluations.find((x) => x.scheme === v.scheme);
          if (!e) return;
          const from = had.find((a) => a.scheme === v.scheme)?.level ?? 'none';
          add(cells, `${from}\u0000${e.level}`, () => ({ from, to: e.level, count: 0, samples: [] }), subject.externalId);
          // Below the line and kept by the grace periods (the engine's own count, with its default when
          // the policy names none): held until the rules' level, unadjusted, takes over. A level an
          // override decides has no retention: the override, not the grace, keeps it.
          const r = e.retention;
          if (r && r.periodsBelow > 0) {
            const level = e.level;
            const to = r.toLevel;
            const monthsLeft = r.periodsAllowed - r.periodsBelow;
            add(
              held,
              `${level}\u0000${to}\u0000${monthsLeft}`,
              () => ({ level, to, monthsLeft, count: 0, samples: [] }),
              subject.externalId,
            );
          } else if (e.explanation.decidedBy.id === 'hysteresis.retained') kept++;
        },
      }),
    );
    // A request, not a job: between chunks the server answers others (a whole book is many seconds).
    await new Promise((r) => setImmediate(r));
  }

  const order = (l: string) => rank.get(l) ?? -1;
  const sorted = [...cells.values()].sort((a, b) => order(a.from) - order(b.from) || order(a.to) - order(b.to));
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
  const heldCells: HeldCell[] = [...held.values()].sort(
    (a, b) => order(b.level) - order(a.level) || order(b.to) - order(a.to) || a.monthsLeft - b.monthsLeft,
  );
  const levels = ['none', ...draft.summary.levels.map((l) => l.key)];
  return {
    scheme: v.scheme,
    levels: draft.summary.levels.map((l) => l.key),
    cells: sorted,
    total,
    upgraded,
    downgraded,
    unchanged: total - upgraded - downgraded,
    version: v.version,
    against: tp.versions.get(v.scheme)?.version ?? null,
    before: distribution(sorted, 'from', levels),
    after: distribution(sorted, 'to', levels),
    period,
    dataPeriod,
    held: { total: heldCells.reduce((n, c) => n + c.count, 0), cells: heldCells },
    kept,
  };
}
