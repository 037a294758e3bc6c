import type { LocalizedText } from '../model/locale.js';
import type { MetricDef } from '../model/metric.js';
import type { ComparisonOp, Condition, ThresholdCondition } from '../policy/policy-schema.js';
import { formatValue, localize, metricWithWindow } from '../format/format-value.js';
import type { InputRegistry } from './inputs.js';

/** A test over the input vector; built once per policy, run once per subject. */
export type VecTest = (vec: Float64Array) => boolean;

/** A compiled condition: its fast test plus what explanations and progress need to describe it. */
export type CompiledCondition =
  | {
      readonly kind: 'threshold';
      readonly id: string;
      readonly label: LocalizedText;
      readonly test: VecTest;
      readonly leaf: ThresholdCondition;
      readonly input: number;
    }
  | {
      readonly kind: 'any' | 'all';
      readonly id: string;
      readonly label: LocalizedText;
      readonly test: VecTest;
      readonly children: readonly CompiledCondition[];
    };

const OP_TEXT: Readonly<Record<ComparisonOp, string>> = { gte: '≥', gt: '>', lte: '≤', lt: '<', eq: '=' };

/** The comparison as a closure specialised for its operator (no switch per subject). */
export function compare(op: ComparisonOp, i: number, value: number): VecTest {
  switch (op) {
    case 'gte':
      return (v) => (v[i] as number) >= value;
    case 'gt':
      return (v) => (v[i] as number) > value;
    case 'lte':
      return (v) => (v[i] as number) <= value;
    case 'lt':
      return (v) => (v[i] as number) < value;
    case 'eq':
      return (v) => v[i] === value;
  }
}

/** "近3个月平均 月日均资产 ≥ ¥50,000.00" in every locale. */
export function thresholdLabel(leaf: ThresholdCondition, def: MetricDef | undefined): LocalizedText {
  return localize((l) => {
    const subject = metricWithWindow(def?.label[l] ?? leaf.metric, leaf.window, l);
    if (def?.unit === 'boolean' && leaf.op === 'gte' && leaf.value === 1) return subject;
    const counted = leaf.window?.fn === 'count';
    return `${subject} ${OP_TEXT[leaf.op]} ${formatValue(leaf.value, counted ? 'count' : (def?.unit ?? 'count'), counted ? undefined : def?.currency, l)}`;
  });
}

/**
 * Compiles a condition tree into nested closures; `id` defaults to the node's path (stable per version).
 * With `permille`, `≥`/`>` thresholds are scaled down to that fraction: the retention line of hysteresis.
 */
export function compileCondition(
  cond: Condition,
  id: string,
  registry: InputRegistry,
  metrics: ReadonlyMap<string, MetricDef>,
  permille?: number,
): CompiledCondition {
  if (cond.kind === 'threshold') {
    const input = registry.intern(cond.metric, cond.window);
    const scaled = permille !== undefined && (cond.op === 'gte' || cond.op === 'gt');
    const value = scaled ? Math.floor((cond.value * permille) / 1000) : cond.value;
    return {
      kind: 'threshold',
      id: cond.id ?? id,
      label: cond.label ?? thresholdLabel(cond, metrics.get(cond.metric)),
      test: compare(cond.op, input, value),
      leaf: cond,
      input,
    };
  }
  const children = cond.of.map((c, i) => compileCondition(c, `${id}.${i}`, registry, metrics, permille));
  const tests = children.map((c) => c.test);
  const joiner: LocalizedText =
    cond.kind === 'any' ? { 'zh-CN': ' 或 ', 'zh-TW': ' 或 ', en: ' or ' } : { 'zh-CN': ' 且 ', 'zh-TW': ' 且 ', en: ' and ' };
  const label = cond.label ?? localize((l) => children.map((c) => c.label[l]).join(joiner[l]));
  return { kind: cond.kind, id: cond.id ?? id, label, test: cond.kind === 'any' ? anyOf(tests) : allOf(tests), children };
}

function anyOf(tests: readonly VecTest[]): VecTest {
  const [a, b, c] = tests;
  // Small fixed arities avoid the loop; the card tier's three routes are the common case.
  if (tests.length === 1 && a) return a;
  if (tests.length === 2 && a && b) return (v) => a(v) || b(v);
  if (tests.length === 3 && a && b && c) return (v) => a(v) || b(v) || c(v);
  const n = tests.length;
  return (v) => {
    for (let i = 0; i < n; i++) if ((tests[i] as VecTest)(v)) return true;
    return false;
  };
}

function allOf(tests: readonly VecTest[]): VecTest {
  const [a, b, c] = tests;
  if (tests.length === 1 && a) return a;
  if (tests.length === 2 && a && b) return (v) => a(v) && b(v);
  if (tests.length === 3 && a && b && c) return (v) => a(v) && b(v) && c(v);
  const n = tests.length;
  return (v) => {
    for (let i = 0; i < n; i++) if (!(tests[i] as VecTest)(v)) return false;
    return true;
  };
}

/** The node that decided a holding condition: the first holding route of an any-of, or the all-of itself. */
export function decidingNode(c: CompiledCondition, vec: Float64Array): CompiledCondition | null {
  if (!c.test(vec)) return null;
  if (c.kind !== 'any') return c;
  for (const child of c.children) {
    const d = decidingNode(child, vec);
    if (d) return d;
  }
  return c;
}

/** Every threshold leaf under a condition. */
export function leaves(c: CompiledCondition): Extract<CompiledCondition, { kind: 'threshold' }>[] {
  return c.kind === 'threshold' ? [c] : c.children.flatMap(leaves);
}
