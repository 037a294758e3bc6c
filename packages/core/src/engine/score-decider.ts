import type { LevelDef } from '../model/scheme.js';
import type { MetricDef } from '../model/metric.js';
import type { ScoreFactor, ScorePolicy } from '../policy/policy-schema.js';
import { localize } from '../format/format-value.js';
import type { VecTest } from './condition.js';
import type { Decider } from './decider.js';
import { InputRegistry } from './inputs.js';
import { compileTriggers, triggerDecision } from './rules-decider.js';

/** The pseudo-metric progress and retention use for a weighted score (0–100 points). */
export const SCORE_METRIC = '@score';

type Points = (x: number) => number;

function compileTransform(t: ScoreFactor['transform']): Points {
  if (t.kind === 'boolean') return (x) => (x !== 0 ? 100 : 0);
  if (t.kind === 'linear') {
    const { from, to } = t;
    const span = to - from;
    return (x) => (x <= from ? 0 : x >= to ? 100 : ((x - from) * 100) / span);
  }
  const bands = [...t.bands].sort((a, b) => b.min - a.min);
  return (x) => {
    for (const b of bands) if (x >= b.min) return b.points;
    return 0;
  };
}

/** Two decimals, so that the score an explanation shows is exactly the score the bands compared. */
function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Weighted score with bands (star rating, savings grades), hard triggers first. */
export function compileScoreDecider(policy: ScorePolicy, levels: readonly LevelDef[], metrics: ReadonlyMap<string, MetricDef>): Decider {
  const registry = new InputRegistry(metrics);
  const levelIndex = new Map(levels.map((l, i) => [l.key, i]));
  const triggers = compileTriggers(policy.triggers, levelIndex, registry, metrics);
  const factors = policy.factors.map((f) => ({
    id: f.id,
    input: registry.intern(f.metric, f.window),
    weight: f.weight,
    points: compileTransform(f.transform),
  }));
  const bands = policy.bands.map((b) => ({ index: levelIndex.get(b.level) ?? 0, min: b.min })).sort((a, b) => b.min - a.min);
  const minOf = new Map(bands.map((b) => [b.index, b.min]));
  const permille = policy.hysteresis?.retentionPermille;
  const triggerTests: VecTest[] = triggers.map((t) => t.cond.test);
  const retainedMin = (min: number): number => (permille === undefined ? min : round2((min * permille) / 1000));

  const score = (vec: Float64Array): number => {
    let total = 0;
    for (const f of factors) total += (f.weight * f.points(vec[f.input] as number)) / 100;
    return round2(total);
  };
  const bandOf = (s: number): number => {
    for (const b of bands) if (s >= b.min) return b.index;
    return 0;
  };
  const path = (current: number, required: number) => ({
    metric: SCORE_METRIC,
    window: null,
    unit: 'score' as const,
    current,
    required,
    gap: round2(Math.max(0, required - current)),
  });

  return {
    inputs: registry,
    hysteresis: policy.hysteresis,
    decide(vec) {
      for (let i = 0; i < triggerTests.length; i++) if ((triggerTests[i] as VecTest)(vec)) return triggers[i]?.index ?? 0;
      return bandOf(score(vec));
    },
    explain(vec) {
      for (const t of triggers) if (t.cond.test(vec)) return triggerDecision(t);
      const total = score(vec);
      const index = bandOf(total);
      const detail = {
        total,
        factors: factors.map((f) => ({ id: f.id, points: round2((f.weight * f.points(vec[f.input] as number)) / 100) })),
      };
      const min = minOf.get(index);
      const label = localize((l) =>
        min === undefined
          ? { 'zh-CN': `评分 ${total}，低于所有分档`, 'zh-TW': `評分 ${total}，低於所有分檔`, en: `score ${total}, below every band` }[l]
          : { 'zh-CN': `评分 ${total} ≥ ${min}`, 'zh-TW': `評分 ${total} ≥ ${min}`, en: `score ${total} ≥ ${min}` }[l],
      );
      return { index, kind: 'band', id: `band.${levels[index]?.key ?? index}`, label, triggered: false, score: detail };
    },
    retains(vec, index) {
      const min = minOf.get(index);
      return min === undefined ? index === 0 : score(vec) >= retainedMin(min);
    },
    progress(vec, index) {
      for (let i = bands.length - 1; i >= 0; i--) {
        const b = bands[i];
        if (!b || b.index <= index) continue;
        return { toIndex: b.index, paths: [path(score(vec), b.min)], nearest: 0 };
      }
      return null;
    },
    retentionLines(vec, index) {
      const min = minOf.get(index);
      return min === undefined ? [] : [path(score(vec), retainedMin(min))];
    },
  };
}
