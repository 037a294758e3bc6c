import {
  observationKey,
  stagedObservations,
  stageObservations,
  unstageObservations,
  type Executor,
  type StagedObservation,
} from '@tierkit/db';
import type { MetricRow, RowError } from './check-rows.js';

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
 * The batch's observations are staged first, each as its first row in the batch gives it, in one
 * INSERT … RETURNING per chunk (metric-key-staging.ts): only the keys not returned — given by an
 * earlier batch, rare in a real file — are read back. Then the rows are checked in memory (a batch is
 * bounded). Reading every batch's keys back before staging them made a metrics import ~4.9× a raw
 * insert (BENCHMARKS.md, import). A key staged for a row that was then rejected is restaged for the
 * first row kept that gives it, or unstaged.
 */
export async function withoutConflicts(
  trx: Executor,
  rows: readonly MetricRow[],
  subjectIds: ReadonlyMap<string, string>,
  reject: (errors: readonly RowError[]) => void,
  staged: boolean,
): Promise<MetricRow[]> {
  const idOf = (r: MetricRow) => subjectIds.get(r.subject) as string;
  // The first row in the batch giving each observation, as staged.
  const firsts = new Map<string, StagedObservation>();
  for (const r of rows)
    for (const o of r.observations) {
      const key = observationKey(idOf(r), o.metric, o.period);
      if (!firsts.has(key)) firsts.set(key, { subjectId: idOf(r), metric: o.metric, period: o.period, value: o.value, line: r.line });
    }
  // A dry run has no transaction to stage in: the batch is checked against itself only.
  const stagedNow = staged ? await stageObservations(trx, [...firsts.values()]) : new Set(firsts.keys());
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
  if (!staged) return kept;
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
