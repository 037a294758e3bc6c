import type { LevelDef } from '../model/scheme.js';
import type { MetricDef } from '../model/metric.js';
import type { RulesPolicy, Trigger } from '../policy/policy-schema.js';
import { localize } from '../format/format-value.js';
import { compileCondition, decidingNode } from './condition.js';
import type { CompiledCondition, VecTest } from './condition.js';
import type { Decider, Decision } from './decider.js';
import { InputRegistry } from './inputs.js';
import { progressPaths, retentionLines } from './progress.js';

export interface CompiledTrigger {
  readonly index: number;
  readonly trigger: Trigger;
  readonly cond: CompiledCondition;
}

/** Triggers in policy order; the first that holds wins over everything else. */
export function compileTriggers(
  triggers: readonly Trigger[] | undefined, levelIndex: ReadonlyMap<string, number>,
  registry: InputRegistry, metrics: ReadonlyMap<string, MetricDef>,
): CompiledTrigger[] {
  return (triggers ?? []).map((t) => ({
    index: levelIndex.get(t.level) ?? 0, trigger: t, cond: compileCondition(t.when, `trigger.${t.id}`, registry, metrics),
  }));
}

export function triggerDecision(t: CompiledTrigger): Decision {
  return { index: t.index, kind: 'trigger', id: t.trigger.id, label: t.trigger.label, triggered: true };
}

interface CompiledRule {
  readonly index: number;
  readonly cond: CompiledCondition;
  readonly retained: CompiledCondition | null;
}

/** Threshold and any-of / all-of rules: the highest level whose condition holds. */
export function compileRulesDecider(
  policy: RulesPolicy, levels: readonly LevelDef[], metrics: ReadonlyMap<string, MetricDef>,
): Decider {
  const registry = new InputRegistry(metrics);
  const levelIndex = new Map(levels.map((l, i) => [l.key, i]));
  const triggers = compileTriggers(policy.triggers, levelIndex, registry, metrics);
  const permille = policy.hysteresis?.retentionPermille;
  const rules: CompiledRule[] = policy.levels
    .map((r, i) => ({
      index: levelIndex.get(r.level) ?? 0,
      cond: compileCondition(r.when, `${r.level}`, registry, metrics),
      retained: permille === undefined ? null : compileCondition(r.when, `${r.level}`, registry, metrics, permille),
      order: i,
    }))
    .sort((a, b) => b.index - a.index);
  const byIndex = new Map(rules.map((r) => [r.index, r]));
  const triggerTests: VecTest[] = triggers.map((t) => t.cond.test);
  const triggerIdx = triggers.map((t) => t.index);
  const ruleTests: VecTest[] = rules.map((r) => r.cond.test);
  const ruleIdx = rules.map((r) => r.index);
  const nT = triggerTests.length;
  const nR = ruleTests.length;
  const lowest = levels[0];
  const defaultLabel = localize((l) => ({ 'zh-CN': '未达到任何更高等级的条件', 'zh-TW': '未達到任何更高等級的條件', en: 'no rule for a higher level holds' })[l]);

  return {
    inputs: registry,
    hysteresis: policy.hysteresis,
    decide(vec) {
      for (let i = 0; i < nT; i++) if ((triggerTests[i] as VecTest)(vec)) return triggerIdx[i] as number;
      for (let i = 0; i < nR; i++) if ((ruleTests[i] as VecTest)(vec)) return ruleIdx[i] as number;
      return 0;
    },
    explain(vec) {
      for (const t of triggers) if (t.cond.test(vec)) return triggerDecision(t);
      for (const r of rules) {
        const node = decidingNode(r.cond, vec);
        if (node) return { index: r.index, kind: 'threshold', id: node.id, label: node.label, triggered: false };
      }
      return { index: 0, kind: 'default', id: `default.${lowest?.key ?? ''}`, label: defaultLabel, triggered: false };
    },
    retains(vec, index) {
      const r = byIndex.get(index);
      if (!r) return index === 0;
      return (r.retained ?? r.cond).test(vec);
    },
    progress(vec, index) {
      for (let i = rules.length - 1; i >= 0; i--) {
        const r = rules[i] as CompiledRule;
        if (r.index <= index) continue;
        const p = progressPaths(r.cond, vec, registry.inputs);
        return p ? { toIndex: r.index, ...p } : null;
      }
      return null;
    },
    retentionLines(vec, index) {
      const r = byIndex.get(index);
      return r ? retentionLines(r.cond, vec, registry.inputs, permille) : [];
    },
  };
}
