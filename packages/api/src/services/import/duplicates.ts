import {
  createMetricKeyStaging,
  observationKey,
  stagedObservations,
  stageObservations,
  unstageObservations,
  type Executor,
  type StagedObservation,
} from '@tierkit/db';
import type { MetricRow, RowError } from './check-rows.js';
import { SEEN_OBSERVATIONS, SeenObservations } from './seen-observations.js';

/** Rows of the in-memory set staged per call when a file outgrows it: a bounded array at a time. */
const SPILL_ROWS = 10_000;

/**
 * What a metrics import has seen of its file, for `withoutConflicts`: the observations in memory
 * (seen-observations.ts) while the file stays within the bound, then in the importing transaction's
 * staging table (metric-key-staging.ts), created when the file outgrows it.
 */
export class ObservationsSeen {
  memory: SeenObservations | undefined;
  constructor(
    /** The importing transaction (a dry run's is rolled back): where the staging table is made. */
    readonly trx: Executor,
    limit = SEEN_OBSERVATIONS,
  ) {
    this.memory = new SeenObservations(limit);
  }
}

function duplicate(r: MetricRow, o: MetricRow['observations'][number], first: { value: string; line: number }): RowError {
  return {
    line: r.line,
    column: null,
    message: `${o.metric} for ${o.period} of "${r.subject}" is given a different value on line ${first.line} (${first.value}, here ${o.value})`,
    code: 'duplicate',
    params: { subject: r.subject, metric: o.metric, month: o.period, line: first.line },
  };
}

/**
 * A batch's metrics rows less those giving an observation (subject, metric, month) another value than
 * the file's first row that gave it — rejected with code `duplicate` naming that line, as `PUT
 * …/metrics` refuses a metric and month given twice; the same value again is accepted (a file sent
 * with a repeated row imports as without it). A rejected row gives no observation.
 *
 * Checked in memory while the file's observations fit the bound (SEEN_OBSERVATIONS, 200,000 subjects):
 * staging every batch in a temporary table made a 1,000,000-row import ~4.2× a raw insert, about
 * twice what it was without the check (BENCHMARKS.md, import). The batch that would pass the bound
 * first moves what memory holds to the staging table, and from then on every batch is checked there.
 */
export async function withoutConflicts(
  seen: ObservationsSeen,
  rows: readonly MetricRow[],
  subjectIds: ReadonlyMap<string, string>,
  reject: (errors: readonly RowError[]) => void,
): Promise<MetricRow[]> {
  const memory = seen.memory;
  if (memory) {
    let observations = 0;
    const subjects = new Set<string>();
    const metrics = new Set<string>();
    for (const r of rows) {
      subjects.add(subjectIds.get(r.subject) as string);
      for (const o of r.observations) metrics.add(o.metric);
      observations += r.observations.length;
    }
    if (memory.fits(observations, subjects, metrics)) return inMemory(memory, rows, subjectIds, reject);
    await createMetricKeyStaging(seen.trx);
    let page: StagedObservation[] = [];
    for (const o of memory.entries()) {
      page.push(o);
      if (page.length >= SPILL_ROWS) {
        await stageObservations(seen.trx, page);
        page = [];
      }
    }
    if (page.length) await stageObservations(seen.trx, page);
    seen.memory = undefined;
  }
  return inStaging(seen.trx, rows, subjectIds, reject);
}

function inMemory(
  memory: SeenObservations,
  rows: readonly MetricRow[],
  subjectIds: ReadonlyMap<string, string>,
  reject: (errors: readonly RowError[]) => void,
): MetricRow[] {
  const kept: MetricRow[] = [];
  for (const r of rows) {
    const id = subjectIds.get(r.subject) as string;
    const errors: RowError[] = [];
    for (const o of r.observations) {
      const first = memory.get(id, o.metric, o.period);
      if (first !== undefined && first.value !== o.value) errors.push(duplicate(r, o, { value: String(first.value), line: first.line }));
    }
    if (errors.length) {
      reject(errors);
      continue;
    }
    // Within the bound: `fits` counted every observation of the batch as new.
    for (const o of r.observations) memory.add(id, o.metric, o.period, o.value, r.line);
    kept.push(r);
  }
  return kept;
}

/**
 * The check against the staging table: the batch's observations are staged first, each as its first
 * row in the batch gives it, in one INSERT … RETURNING per chunk (metric-key-staging.ts): only the keys
 * not returned — given by an earlier batch — are read back. Then the rows are checked in memory (a
 * batch is bounded). A key staged for a row that was then rejected is restaged for the first row kept
 * that gives it, or unstaged.
 */
async function inStaging(
  trx: Executor,
  rows: readonly MetricRow[],
  subjectIds: ReadonlyMap<string, string>,
  reject: (errors: readonly RowError[]) => void,
): Promise<MetricRow[]> {
  const idOf = (r: MetricRow) => subjectIds.get(r.subject) as string;
  // The first row in the batch giving each observation, as staged.
  const firsts = new Map<string, StagedObservation>();
  for (const r of rows)
    for (const o of r.observations) {
      const key = observationKey(idOf(r), o.metric, o.period);
      if (!firsts.has(key)) firsts.set(key, { subjectId: idOf(r), metric: o.metric, period: o.period, value: o.value, line: r.line });
    }
  const stagedNow = await stageObservations(trx, [...firsts.values()]);
  const repeats = [...firsts].filter(([key]) => !stagedNow.has(key)).map(([, o]) => o.subjectId);
  // The value each observation must have: an earlier batch's, else the first kept row's of this one.
  // Read by subject, which also returns what this batch staged just now: only the repeats are kept.
  const earlier = repeats.length ? await stagedObservations(trx, repeats) : new Map<string, { value: string; line: number }>();
  const reference = new Map<string, { value: string; line: number }>();
  for (const [key] of firsts) {
    const e = stagedNow.has(key) ? undefined : earlier.get(key);
    if (e) reference.set(key, e);
  }
  const kept: MetricRow[] = [];
  for (const r of rows) {
    const errors: RowError[] = [];
    for (const o of r.observations) {
      const first = reference.get(observationKey(idOf(r), o.metric, o.period));
      if (first !== undefined && first.value !== String(o.value)) errors.push(duplicate(r, o, first));
    }
    if (errors.length) {
      reject(errors);
      continue;
    }
    for (const o of r.observations) {
      const key = observationKey(idOf(r), o.metric, o.period);
      if (!reference.has(key)) reference.set(key, { value: String(o.value), line: r.line });
    }
    kept.push(r);
  }
  // Staged for a row then rejected: the key is the first kept row's, or no row's.
  const wrong = [...firsts].filter(([key, o]) => stagedNow.has(key) && reference.get(key)?.line !== o.line);
  if (wrong.length) {
    await unstageObservations(
      trx,
      wrong.map(([, o]) => o),
    );
    const restage: StagedObservation[] = [];
    for (const [key, o] of wrong) {
      const ref = reference.get(key);
      if (ref) restage.push({ ...o, value: Number(ref.value), line: ref.line });
    }
    if (restage.length) await stageObservations(trx, restage);
  }
  return kept;
}
