import type { ProgressPath } from '../model/explanation.js';
import type { CompiledCondition } from './condition.js';
import { leaves } from './condition.js';
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
 * binds the cheapest route (cheapest = smallest largest relative gap). Routes whose every missing
 * leaf is on an actionable metric come first: a customer told to raise a declared income they
 * cannot change has no step to take (MetricDef.actionable); the others count only when no such
 * route remains. null when no route remains or the condition is already met.
 */
export function progressPaths(
  c: CompiledCondition,
  vec: Float64Array,
  inputs: readonly CompiledInput[],
): { paths: ProgressPath[]; nearest: number } | null {
  const rs = routes(c, vec);
  if (rs.length === 0 || rs.some((r) => r.length === 0)) return null;
  const paths: ProgressPath[] = [];
  // Routes share leaves; a linear scan over a handful of leaves beats a Map per subject.
  const seen: Leaf[] = [];
  let best = Number.POSITIVE_INFINITY;
  let nearest = -1;
  let bestActionable = Number.POSITIVE_INFINITY;
  let nearestActionable = -1;
  for (const r of rs) {
    let worst = -1;
    let worstAt = 0;
    let actionable = true;
    for (const leaf of r) {
      const input = inputs[leaf.input] as CompiledInput;
      let at = seen.indexOf(leaf);
      if (at < 0) {
        at = paths.push(toPath(input, vec[leaf.input] as number, required(leaf))) - 1;
        seen.push(leaf);
      }
      if (!input.actionable) actionable = false;
      const g = relativeGap(paths[at] as ProgressPath);
      if (g > worst) {
        worst = g;
        worstAt = at;
      }
    }
    if (worst < best || nearest < 0) {
      best = worst;
      nearest = worstAt;
    }
    if (actionable && (worst < bestActionable || nearestActionable < 0)) {
      bestActionable = worst;
      nearestActionable = worstAt;
    }
  }
  return { paths, nearest: nearestActionable >= 0 ? nearestActionable : Math.max(0, nearest) };
}

/** How to reach one rule's level: built once per rule, run per subject. */
export type ProgressFn = (vec: Float64Array) => { toIndex: number; paths: ProgressPath[]; nearest: number } | null;

/** The leaves of a threshold, or of an any-of over thresholds only (the card tier's shape); else null. */
function flatRoutes(c: CompiledCondition): Leaf[] | null {
  if (c.kind === 'threshold') return [c];
  if (c.kind !== 'any' || c.children.length > MAX_ROUTES) return null;
  const out: Leaf[] = [];
  for (const ch of c.children) {
    if (ch.kind !== 'threshold') return null;
    out.push(ch);
  }
  return out;
}

/**
 * Compiles `progressPaths` for one rule's condition. A threshold or a flat any-of (every route is
 * one leaf) gets a specialised loop with no route arrays; nested conditions use the general search.
 * Both give the same paths in the same order and the same nearest path.
 */
export function compileProgress(c: CompiledCondition, inputs: readonly CompiledInput[], toIndex: number): ProgressFn {
  const flat = flatRoutes(c);
  if (!flat) {
    return (vec) => {
      const p = progressPaths(c, vec, inputs);
      return p ? { toIndex, paths: p.paths, nearest: p.nearest } : null;
    };
  }
  const tests = flat.map((l) => l.test);
  const growable = flat.filter((l) => l.leaf.op === 'gte' || l.leaf.op === 'gt');
  const at = growable.map((l) => l.input);
  const req = growable.map(required);
  const ins = growable.map((l) => inputs[l.input] as CompiledInput);
  const acts = ins.map((i) => i.actionable);
  const nt = tests.length;
  const ng = growable.length;
  if (ng === 0) return () => null; // no route can be grown into: no progress to show
  return (vec) => {
    // Any route already met means the condition holds: nothing to progress towards.
    for (let i = 0; i < nt; i++) if ((tests[i] as (v: Float64Array) => boolean)(vec)) return null;
    const paths: ProgressPath[] = new Array(ng);
    // As progressPaths: the nearest actionable path, else the nearest of all.
    let best = Number.POSITIVE_INFINITY;
    let nearest = -1;
    let bestActionable = Number.POSITIVE_INFINITY;
    let nearestActionable = -1;
    for (let i = 0; i < ng; i++) {
      const p = toPath(ins[i] as CompiledInput, vec[at[i] as number] as number, req[i] as number);
      paths[i] = p;
      const g = relativeGap(p);
      if (g < best || nearest < 0) {
        best = g;
        nearest = i;
      }
      if (acts[i] && (g < bestActionable || nearestActionable < 0)) {
        bestActionable = g;
        nearestActionable = i;
      }
    }
    return { toIndex, paths, nearest: nearestActionable >= 0 ? nearestActionable : nearest };
  };
}

/** Compiles `retentionLines` for one rule: its `≥`/`>` leaves, flattened once, in tree order. */
export function compileRetentionLines(
  c: CompiledCondition,
  inputs: readonly CompiledInput[],
  permille: number | undefined,
): (vec: Float64Array) => ProgressPath[] {
  const lines = leaves(c).filter((l) => l.leaf.op === 'gte' || l.leaf.op === 'gt');
  const at = lines.map((l) => l.input);
  const req = lines.map((l) => retainedValue(required(l), permille));
  const ins = lines.map((l) => inputs[l.input] as CompiledInput);
  const n = lines.length;
  return (vec) => {
    const out: ProgressPath[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = toPath(ins[i] as CompiledInput, vec[at[i] as number] as number, req[i] as number);
    return out;
  };
}

/** Scales a threshold to the retention fraction, rounding so the line is never above the threshold. */
export function retainedValue(value: number, permille: number | undefined): number {
  return permille === undefined ? value : Math.floor((value * permille) / 1000);
}
