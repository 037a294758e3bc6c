import type { MetricDef, MetricUnit, WindowSpec } from '../model/metric.js';
import type { ExplanationInput } from '../model/explanation.js';
import { compileWindowReader } from './window-reader.js';
import type { WindowReader } from './window-reader.js';

/** One distinct (metric, window) a scheme reads; its value sits at `index` of the input vector. */
export interface CompiledInput {
  readonly index: number;
  readonly metric: string;
  readonly window: WindowSpec | null;
  readonly unit: MetricUnit;
  readonly currency: string | undefined;
  /** The metric's `actionable` (absent = true): whether the customer's nearest path may be on it first. */
  readonly actionable: boolean;
  readonly read: WindowReader;
}

/** Interns the inputs of one scheme so that a metric read by several rules is read once per subject. */
export class InputRegistry {
  readonly inputs: CompiledInput[] = [];
  private readonly byKey = new Map<string, number>();
  private readonly metrics: ReadonlyMap<string, MetricDef>;
  constructor(metrics: ReadonlyMap<string, MetricDef>) {
    this.metrics = metrics;
  }

  /** Index of the input for `metric` over `window`, added on first use. */
  intern(metric: string, window: WindowSpec | null | undefined): number {
    const key = inputKey(metric, window ?? null);
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    // A count of months is a count whatever the metric measures.
    const def = window?.fn === 'count' ? undefined : this.metrics.get(metric);
    const index = this.inputs.length;
    this.inputs.push({
      index,
      metric,
      window: window ?? null,
      unit: def?.unit ?? 'count',
      currency: def?.currency,
      actionable: this.metrics.get(metric)?.actionable !== false,
      read: compileWindowReader(metric, window),
    });
    this.byKey.set(key, index);
    return index;
  }

  /** The index of an explanation input, for replaying it; undefined when this scheme does not read it. */
  find(metric: string, window: WindowSpec | null): number | undefined {
    return this.byKey.get(inputKey(metric, window));
  }

  /** The values read, as an explanation lists them. */
  describe(vec: Float64Array): ExplanationInput[] {
    const out: ExplanationInput[] = [];
    for (const i of this.inputs) {
      const value = vec[i.index] ?? 0;
      out.push(
        i.currency !== undefined
          ? { metric: i.metric, window: i.window, value, unit: i.unit, currency: i.currency }
          : { metric: i.metric, window: i.window, value, unit: i.unit },
      );
    }
    return out;
  }
}

function inputKey(metric: string, w: WindowSpec | null): string {
  return w ? `${metric}|${w.fn}|${w.months}|${w.missing}` : `${metric}|latest`;
}
