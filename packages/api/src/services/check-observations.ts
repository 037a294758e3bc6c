import type { MetricDef, MetricObservation, MetricUnit } from '@tierkit/core';
import type { FieldError } from '../problem.js';
import { monthError } from '../month-errors.js';

/** Allowed integer range per unit. Money: ≤ ¥10 trillion in fen; nothing a bank stores is larger. */
const RANGES: Record<MetricUnit, readonly [number, number]> = {
  money: [0, 1e15],
  count: [0, 1e12],
  days: [0, 100_000],
  score: [0, 100_000],
  boolean: [0, 1],
  bp: [-1_000_000, 1_000_000],
};

/**
 * Check observations against the tenant's metric catalogue: known metric, a real month not after
 * `currentPeriod`, a value in the unit's range, no metric and period twice. Returns every error
 * with its field path, so a client can fix them all at once.
 */
export function checkObservations(
  observations: readonly MetricObservation[],
  catalogue: ReadonlyMap<string, MetricDef>,
  currentPeriod: string,
): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  observations.forEach((o, i) => {
    const def = catalogue.get(o.metric);
    if (!def) {
      errors.push({
        path: `metrics[${i}].metric`,
        message: `unknown metric "${o.metric}"; known: ${[...catalogue.keys()].join(', ')}`,
        code: 'unknown_metric',
        params: { metric: o.metric, known: [...catalogue.keys()] },
      });
    }
    const period = monthError(`metrics[${i}].period`, o.period, currentPeriod);
    if (period) errors.push(period);
    if (def) {
      const [min, max] = RANGES[def.unit];
      if (o.value < min || o.value > max) {
        const what =
          def.unit === 'boolean'
            ? 'must be 0 or 1'
            : def.unit === 'money'
              ? `must be a non-negative amount in minor units, at most ${max}`
              : `must be between ${min} and ${max}`;
        const low = o.value < min;
        errors.push({
          path: `metrics[${i}].value`,
          message: `${o.metric} (${def.unit}) ${what}`,
          code: low ? 'too_small' : 'too_big',
          params: { ...(low ? { minimum: min } : { maximum: max }), inclusive: true, origin: def.unit, metric: o.metric },
        });
      }
    }
    const key = `${o.metric}@${o.period}`;
    if (seen.has(key))
      errors.push({
        path: `metrics[${i}]`,
        message: `${o.metric} for ${o.period} appears more than once`,
        code: 'duplicate',
        params: { metric: o.metric, month: o.period },
      });
    seen.add(key);
  });
  return errors;
}
