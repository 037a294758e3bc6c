import type { SubjectKind } from '../model/scheme.js';
import type { Condition, ThresholdCondition } from './policy-schema.js';
import type { PolicyError } from './policy-errors.js';
import { formatPath } from './policy-errors.js';

/** Calls `visit` for every threshold leaf with its path and the equality guards of the all-of groups above it. */
export function walkThresholds(
  cond: Condition,
  path: readonly PropertyKey[],
  visit: (leaf: ThresholdCondition, path: readonly PropertyKey[], guard: string) => void,
  guard = '',
): void {
  if (cond.kind === 'threshold') {
    visit(cond, path, guard);
    return;
  }
  let inner = guard;
  if (cond.kind === 'all') {
    // An all-of with `industry_code = 2` among its members only compares with other wholesale thresholds.
    const eqs = cond.of.filter((c): c is ThresholdCondition => c.kind === 'threshold' && c.op === 'eq');
    inner += eqs
      .map((e) => `${e.metric}=${e.value};`)
      .sort()
      .join('');
  }
  cond.of.forEach((c, i) => {
    walkThresholds(c, [...path, 'of', i], visit, inner);
  });
}

/** Every metric a condition reads must be in the catalogue. */
export function checkMetrics(cond: Condition, path: readonly PropertyKey[], metrics: ReadonlySet<string>, errors: PolicyError[]): void {
  walkThresholds(cond, path, (leaf, p) => {
    if (!metrics.has(leaf.metric))
      errors.push({
        path: formatPath([...p, 'metric']),
        message: `unknown metric "${leaf.metric}"`,
        code: 'unknown_metric',
        params: { metric: leaf.metric, known: [...metrics] },
      });
  });
}

/**
 * Every metric a condition reads must be measured on the scheme's kind of subject: a customer tier
 * that reads a company's revenue compiles, and then finds no such value for any customer.
 */
export function checkMetricSubjects(
  cond: Condition,
  path: readonly PropertyKey[],
  kindsOf: (metric: string) => readonly SubjectKind[] | undefined,
  subjectKind: SubjectKind,
  errors: PolicyError[],
): void {
  walkThresholds(cond, path, (leaf, p) => {
    const problem = metricSubjectProblem(leaf.metric, kindsOf(leaf.metric), subjectKind, [...p, 'metric']);
    if (problem) errors.push(problem);
  });
}

/** The error for `metric` (measured on `kinds`) read by a scheme of `subjectKind`, or undefined when it may. */
export function metricSubjectProblem(
  metric: string,
  kinds: readonly SubjectKind[] | undefined,
  subjectKind: SubjectKind,
  path: readonly PropertyKey[],
): PolicyError | undefined {
  if (!kinds || kinds.includes(subjectKind)) return undefined;
  return {
    path: formatPath(path),
    message: `metric "${metric}" is measured on ${kinds.join('/')} subjects, not on this scheme's ${subjectKind} subjects`,
    code: 'metric_subject_kind',
    params: { metric, subjectKind, metricKinds: [...kinds] },
  };
}

interface Seen {
  readonly rank: number;
  readonly level: string;
  readonly value: number;
  readonly path: readonly PropertyKey[];
}

/**
 * A higher level must not ask for less of the same thing than a lower one (gold at ¥300,000 and
 * platinum at ¥50,000 is a typo that would make gold unreachable). Compared per metric, window,
 * operator and equality guard, across the levels' conditions. Each error names both levels (`level`,
 * `otherLevel`): an author told only "out of order" must work out which rule it collides with.
 */
export function checkThresholdOrder(
  levels: readonly {
    readonly rank: number;
    readonly level: string;
    readonly when: Condition;
    readonly path: readonly PropertyKey[];
  }[],
  errors: PolicyError[],
): void {
  const byKey = new Map<string, Seen[]>();
  for (const lv of levels) {
    walkThresholds(lv.when, [...lv.path, 'when'], (leaf, p, guard) => {
      if (leaf.op === 'eq') return;
      const k = `${leaf.metric}|${JSON.stringify(leaf.window ?? null)}|${leaf.op}|${guard}`;
      const list = byKey.get(k) ?? [];
      list.push({ rank: lv.rank, level: lv.level, value: leaf.value, path: p });
      byKey.set(k, list);
    });
  }
  for (const [k, list] of byKey) {
    const ascending = k.includes('|gte|') || k.includes('|gt|');
    for (const a of list) {
      for (const b of list) {
        if (a.rank >= b.rank) continue;
        const bad = ascending ? b.value < a.value : b.value > a.value;
        if (bad) {
          const at = formatPath(a.path);
          errors.push({
            path: formatPath([...b.path, 'value']),
            message: `threshold out of order: ${b.value} for "${b.level}", a higher level than "${a.level}", is ${ascending ? 'below' : 'above'} ${a.value} at ${at}`,
            code: 'out_of_order',
            params: {
              of: 'threshold',
              value: b.value,
              other: a.value,
              at,
              higher: ascending ? 'below' : 'above',
              level: b.level,
              otherLevel: a.level,
            },
          });
        }
      }
    }
  }
}

/** Whether every value meeting `a` meets `b` (both on the same metric and window). */
function implies(a: ThresholdCondition, b: ThresholdCondition): boolean {
  const up = (op: string) => op === 'gte' || op === 'gt';
  const down = (op: string) => op === 'lte' || op === 'lt';
  const meets = (t: ThresholdCondition, v: number) =>
    t.op === 'gte'
      ? v >= t.value
      : t.op === 'gt'
        ? v > t.value
        : t.op === 'lte'
          ? v <= t.value
          : t.op === 'lt'
            ? v < t.value
            : v === t.value;
  if (a.op === 'eq') return meets(b, a.value);
  if (up(a.op) && up(b.op)) return a.value > b.value || (a.value === b.value && (b.op === 'gte' || a.op === 'gt'));
  if (down(a.op) && down(b.op)) return a.value < b.value || (a.value === b.value && (b.op === 'lte' || a.op === 'lt'));
  return false;
}

/**
 * A level whose rule can never decide (`R2 ≥ 2` under `R3 ≥ 2`): the highest level whose rule holds
 * wins (rules-decider), so a lower rule that implies a higher one's is dead. Reported only where it is
 * proven: the higher rule is one threshold, and the lower rule is a threshold or an all-of with a
 * threshold on the same metric and window that implies it. A level a trigger sets stays reachable.
 * Thresholds of one operator at different values are left to `checkThresholdOrder`, which names them.
 */
export function checkUnreachableLevels(
  levels: readonly {
    readonly rank: number;
    readonly level: string;
    readonly when: Condition;
    readonly path: readonly PropertyKey[];
  }[],
  triggered: ReadonlySet<string>,
  errors: PolicyError[],
): void {
  const sameInput = (a: ThresholdCondition, b: ThresholdCondition) =>
    a.metric === b.metric && JSON.stringify(a.window ?? null) === JSON.stringify(b.window ?? null);
  for (const low of levels) {
    if (triggered.has(low.level)) continue;
    const own: ThresholdCondition[] =
      low.when.kind === 'threshold'
        ? [low.when]
        : low.when.kind === 'all'
          ? low.when.of.filter((c): c is ThresholdCondition => c.kind === 'threshold')
          : [];
    const guarded = low.when.kind === 'all' && own.some((c) => c.op === 'eq');
    const high = levels.find(
      (h) =>
        h.rank > low.rank &&
        h.when.kind === 'threshold' &&
        own.some((t) => {
          const ht = h.when as ThresholdCondition;
          if (!sameInput(t, ht) || !implies(t, ht)) return false;
          return !(t.op === ht.op && t.value !== ht.value && !guarded);
        }),
    );
    if (!high) continue;
    const at = formatPath(high.path);
    errors.push({
      path: formatPath([...low.path, 'level']),
      message: `level "${low.level}" can never be reached: every subject its rule admits meets the rule of the higher level "${high.level}" at ${at}`,
      code: 'unreachable_level',
      params: { level: low.level, otherLevel: high.level, at },
    });
  }
}
