import type { PriorAssignment } from '../model/evaluation.js';
import type { SubjectFacts } from '../model/metric.js';
import type { CompiledScheme } from '../engine/compile-scheme.js';
import { simulationMoves } from './moves.js';

/** One subject of a simulated population. */
export interface SimulationSubject {
  readonly id: string;
  readonly facts: SubjectFacts;
  /** Today's level; when absent, the baseline scheme decides it. */
  readonly currentLevel?: string;
  /** Other schemes' levels, for derived and matrix schemes. */
  readonly levels?: Readonly<Record<string, string>>;
  /**
   * The engine state the subject's current level was evaluated from (its stored base): when given,
   * the draft decides with hysteresis from it, as the monthly evaluation would.
   */
  readonly prior?: PriorAssignment;
}

/** The migration matrix: from-level × to-level counts, with a few sample subject ids per cell. */
export interface SimulationResult {
  readonly scheme: string;
  /** Level keys, lowest rank first; `from`/`to` of the cells use them (plus `none` for an unknown current level). */
  readonly levels: readonly string[];
  readonly cells: readonly { readonly from: string; readonly to: string; readonly count: number; readonly samples: readonly string[] }[];
  readonly total: number;
  readonly upgraded: number;
  readonly downgraded: number;
  /**
   * Subjects given their first level (from `none`: a new scheme, or a subject it never tiered): neither
   * up, down nor unchanged. Counted as unchanged once, a new scheme's simulation read "unchanged 300".
   */
  readonly assigned: number;
  readonly unchanged: number;
}

export interface SimulationOptions {
  /** The active policy, compiled, to decide today's level of subjects that do not carry one. */
  readonly baseline?: CompiledScheme;
  readonly samplesPerCell?: number;
}

/**
 * Runs a draft policy over a population, streaming: subjects are consumed one at a time from any
 * (async) iterable, so a database cursor over millions of rows never sits in memory. Uses the fast
 * `decide` path (no hysteresis) unless a subject carries its `prior` state: then the full evaluation
 * from that state, so a downgrade the draft causes waits for the periods below it requires.
 */
export async function simulate(
  draft: CompiledScheme,
  subjects: Iterable<SimulationSubject> | AsyncIterable<SimulationSubject>,
  options: SimulationOptions = {},
): Promise<SimulationResult> {
  const keys = draft.summary.levels.map((l) => l.key);
  const rank = new Map(draft.summary.levels.map((l) => [l.key, l.rank]));
  const samples = options.samplesPerCell ?? 3;
  const cells = new Map<string, { from: string; to: string; count: number; samples: string[] }>();
  for await (const s of subjects) {
    const from = s.currentLevel ?? options.baseline?.decide(s.facts, s.levels) ?? 'none';
    const to = s.prior === undefined ? draft.decide(s.facts, s.levels) : draft.evaluate(s.facts, s.prior, undefined, s.levels).level;
    const k = `${from}\u0000${to}`;
    let cell = cells.get(k);
    if (!cell) {
      cell = { from, to, count: 0, samples: [] };
      cells.set(k, cell);
    }
    cell.count++;
    if (cell.samples.length < samples) cell.samples.push(s.id);
  }
  const order = (l: string) => rank.get(l) ?? -1;
  const sorted = [...cells.values()].sort((a, b) => order(a.from) - order(b.from) || order(a.to) - order(b.to));
  return {
    scheme: draft.summary.key,
    levels: keys,
    cells: sorted,
    ...simulationMoves(sorted, rank),
  };
}
