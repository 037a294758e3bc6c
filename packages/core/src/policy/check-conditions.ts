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
