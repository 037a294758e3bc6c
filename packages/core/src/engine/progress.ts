import type { ProgressPath } from '../model/explanation.js';
import type { CompiledCondition } from './condition.js';
import type { CompiledInput } from './inputs.js';

type Leaf = Extract<CompiledCondition, { kind: 'threshold' }>;
/** One way to satisfy a condition: every listed leaf must still move. An empty route means "already met". */
type Route = readonly Leaf[];

const MAX_ROUTES = 64;

/**
 * The ways a condition can still be met by growing metrics. Only `≥` and `>` thresholds can be
 * grown into; an unmet `=`, `≤` or `<` leaf (the wrong industry, too many days past due) closes its route.
 */
function routes(c: CompiledCondition, vec: Float64Array): Route[] {
  if (c.kind === 'threshold') {
    if (c.test(vec)) return [[]];
    return c.leaf.op === 'gte' || c.leaf.op === 'gt' ? [[c]] : [];
  }
  // Plain loops, no spreads or flat(): this runs for every subject a full evaluation sees.
  if (c.kind === 'any') {
    const out: Route[] = [];
    for (const ch of c.children) {
      const rs = routes(ch, vec);
      for (let i = 0; i < rs.length && out.length < MAX_ROUTES; i++) out.push(rs[i] as Route);
    }
    return out;
  }
  let acc: Route[] = [[]];
  for (const ch of c.children) {
    const p = routes(ch, vec);
    const next: Route[] = [];
    for (const a of acc) for (const b of p) if (next.length < MAX_ROUTES) next.push(b.length === 0 ? a : a.length === 0 ? b : a.concat(b));
    acc = next;
  }
  return acc;
}

function required(leaf: Leaf): number {
  return leaf.leaf.op === 'gt' ? leaf.leaf.value + 1 : leaf.leaf.value;
}

export function toPath(input: CompiledInput, current: number, req: number): ProgressPath {
  const gap = req > current ? req - current : 0;
  // Two literal shapes instead of a spread: this runs for every subject of a batch.
  return input.currency !== undefined
    ? { metric: input.metric, window: input.window, unit: input.unit, currency: input.currency, current, required: req, gap }
    : { metric: input.metric, window: input.window, unit: input.unit, current, required: req, gap };
}

function relativeGap(p: ProgressPath): number {
  if (p.gap <= 0) return 0;
  return p.required > 0 ? p.gap / p.required : Number.POSITIVE_INFINITY;
}

/**
 * Paths to meet `c`: every leaf of every route, and the index of the nearest one — the leaf that
 * binds the cheapest route (cheapest = smallest largest relative gap). null when no route remains
 * or the condition is already met.
 */
export function progressPaths(
  c: CompiledCondition, vec: Float64Array, inputs: readonly CompiledInput[],
): { paths: ProgressPath[]; nearest: number } | null {
  const rs = routes(c, vec);
  if (rs.length === 0 || rs.some((r) => r.length === 0)) return null;
  const paths: ProgressPath[] = [];
  // Routes share leaves; a linear scan over a handful of leaves beats a Map per subject.
  const seen: Leaf[] = [];
  let best = Number.POSITIVE_INFINITY;
  let nearest = 0;
  for (const r of rs) {
    let worst = -1;
    let worstAt = 0;
    for (const leaf of r) {
      let at = seen.indexOf(leaf);
      if (at < 0) {
        const input = inputs[leaf.input] as CompiledInput;
        at = paths.push(toPath(input, vec[leaf.input] as number, required(leaf))) - 1;
        seen.push(leaf);
      }
      const g = relativeGap(paths[at] as ProgressPath);
      if (g > worst) { worst = g; worstAt = at; }
    }
    if (worst < best) { best = worst; nearest = worstAt; }
  }
  return { paths, nearest };
}

/** Scales a threshold to the retention fraction, rounding so the line is never above the threshold. */
export function retainedValue(value: number, permille: number | undefined): number {
  return permille === undefined ? value : Math.floor((value * permille) / 1000);
}

/** The lines a subject must stay on to keep a level reached through `c`. */
export function retentionLines(
  c: CompiledCondition, vec: Float64Array, inputs: readonly CompiledInput[], permille: number | undefined,
): ProgressPath[] {
  const out: ProgressPath[] = [];
  collectLines(c, vec, inputs, permille, out);
  return out;
}

// A module-level recursion rather than an inner closure: no function object per subject.
function collectLines(
  n: CompiledCondition, vec: Float64Array, inputs: readonly CompiledInput[], permille: number | undefined, out: ProgressPath[],
): void {
  if (n.kind !== 'threshold') {
    for (const ch of n.children) collectLines(ch, vec, inputs, permille, out);
    return;
  }
  if (n.leaf.op !== 'gte' && n.leaf.op !== 'gt') return;
  out.push(toPath(inputs[n.input] as CompiledInput, vec[n.input] as number, retainedValue(required(n), permille)));
}
