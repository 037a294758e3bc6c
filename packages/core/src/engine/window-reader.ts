import type { WindowSpec } from '../model/metric.js';

/** Per metric, per month, one integer — `SubjectFacts.values`. */
export type MetricValues = Readonly<Record<string, Readonly<Record<string, number>>>>;

/**
 * Reads one windowed metric from a subject's values; `months` holds `asOf` and the months before it,
 * newest first. Averages are floored to whole minor units, so the value an explanation reports is
 * exactly the value the rule compared (¥49,999.995 is not ¥50,000).
 */
export type WindowReader = (values: MetricValues, months: readonly string[]) => number;

/** Compiles a window into a reader specialised for its function and missing-month rule. */
export function compileWindowReader(metric: string, window: WindowSpec | null | undefined): WindowReader {
  if (!window) return latestReader(metric);
  const n = window.months;
  const zero = window.missing === 'zero';
  switch (window.fn) {
    case 'avg':
      return (values, months) => {
        const m = values[metric];
        if (m === undefined) return 0;
        let sum = 0;
        let seen = 0;
        for (let i = 0; i < n; i++) {
          const v = m[months[i] as string];
          if (v !== undefined) {
            sum += v;
            seen++;
          }
        }
        const d = zero ? n : seen;
        return d === 0 ? 0 : Math.floor(sum / d);
      };
    case 'count':
      return (values, months) => {
        const m = values[metric];
        if (m === undefined) return 0;
        let seen = 0;
        for (let i = 0; i < n; i++) if (m[months[i] as string] !== undefined) seen++;
        return seen;
      };
    case 'sum':
      return (values, months) => {
        const m = values[metric];
        if (m === undefined) return 0;
        let sum = 0;
        for (let i = 0; i < n; i++) {
          const v = m[months[i] as string];
          if (v !== undefined) sum += v;
        }
        return sum;
      };
    case 'min':
    case 'max': {
      const isMin = window.fn === 'min';
      return (values, months) => {
        const m = values[metric];
        let out: number | undefined;
        for (let i = 0; i < n; i++) {
          let v = m === undefined ? undefined : m[months[i] as string];
          if (v === undefined) {
            if (!zero) continue;
            v = 0;
          }
          if (out === undefined || (isMin ? v < out : v > out)) out = v;
        }
        return out ?? 0;
      };
    }
    case 'last':
      return (values, months) => {
        const m = values[metric];
        if (m === undefined) return 0;
        if (zero) return m[months[0] as string] ?? 0;
        for (let i = 0; i < n; i++) {
          const v = m[months[i] as string];
          if (v !== undefined) return v;
        }
        return 0;
      };
  }
}

/** The latest observation at or before `asOf`, however old; 0 when there is none (effect analytics read such a metric so too: `latestMetricsFor`). */
function latestReader(metric: string): WindowReader {
  return (values, months) => {
    const m = values[metric];
    if (m === undefined) return 0;
    const asOf = months[0] as string;
    const exact = m[asOf];
    if (exact !== undefined) return exact;
    let best = '';
    for (const p in m) if (p <= asOf && p > best) best = p;
    return best ? (m[best] ?? 0) : 0;
  };
}
