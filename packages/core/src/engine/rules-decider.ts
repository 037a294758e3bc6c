import type { LevelDef } from '../model/scheme.js';
import type { MetricDef } from '../model/metric.js';
import type { RulesPolicy, Trigger } from '../policy/policy-schema.js';
import { localize } from '../format/format-value.js';
import { compileCondition, decidingNode } from './condition.js';
import type { CompiledCondition, VecTest } from './condition.js';
import type { Decider, Decision } from './decider.js';
import { InputRegistry } from './inputs.js';
import { compileProgress, compileRetentionLines } from './progress.js';
import type { ProgressFn } from './progress.js';
import { decision } from './decider.js';

export interface CompiledTrigger {
  readonly index: number;
  readonly trigger: Trigger;
  readonly cond: CompiledCondition;
}

/** Triggers in policy order; the first that holds wins over everything else. */
export function compileTriggers(
  triggers: readonly Trigger[] | undefined,
  levelIndex: ReadonlyMap<string, number>,
  registry: InputRegistry,
  metrics: ReadonlyMap<string, MetricDef>,
): CompiledTrigger[] {
  return (triggers ?? []).map((t) => ({
    index: levelIndex.get(t.level) ?? 0,
    trigger: t,
    cond: compileCondition(t.when, `trigger.${t.id}`, registry, metrics),
  }));
}

export function triggerDecision(t: CompiledTrigger): Decision {
  return decision(t.index, 'trigger', t.trigger.id, t.trigger.label, true);
}

interface CompiledRule {
  readonly index: number;
  readonly cond: CompiledCondition;
  readonly retained: CompiledCondition | null;
}

/** Threshold and any-of / all-of rules: the highest level whose condition holds. */
export function compileRulesDecider(policy: RulesPolicy, levels: readonly LevelDef[], metrics: ReadonlyMap<string, MetricDef>): Decider {
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
  const triggerTests: VecTest[] = triggers.map((t) => t.cond.test);
  const triggerIdx = triggers.map((t) => t.index);
  const ruleTests: VecTest[] = rules.map((r) => r.cond.test);
  const ruleIdx = rules.map((r) => r.index);
  const nT = triggerTests.length;
  const nR = ruleTests.length;
  const lowest = levels[0];
  const defaultLabel = localize(
    (l) => ({ 'zh-CN': '未达到任何更高等级的条件', 'zh-TW': '未達到任何更高等級的條件', en: 'no rule for a higher level holds' })[l],
  );

  // Everything an explanation says that does not depend on the subject is built here, once:
  // one Decision per trigger, per node that can decide a rule, and for the default.
  const triggerDecisions = triggers.map(triggerDecision);
  const nodeDecisions = new Map<CompiledCondition, Decision>();
  for (const r of rules) {
    const visit = (c: CompiledCondition): void => {
      nodeDecisions.set(c, decision(r.index, 'threshold', c.id, c.label, false));
      if (c.kind === 'any') for (const ch of c.children) visit(ch);
    };
    visit(r.cond);
  }
  const defaultDecision = decision(0, 'default', `default.${lowest?.key ?? ''}`, defaultLabel, false);
  // Per level index: the rule that keeps it, its retention lines, and the progress to the next rule above.
  const byIndex: (CompiledRule | undefined)[] = levels.map(() => undefined);
  for (const r of rules) byIndex[r.index] = r; // the last rule for a level keeps it, as before
  const linesAt = byIndex.map((r) => (r ? compileRetentionLines(r.cond, registry.inputs, permille) : null));
  const progressAt: (ProgressFn | null)[] = levels.map((_, i) => {
    let next: CompiledRule | undefined;
    for (let j = rules.length - 1; j >= 0 && !next; j--) if ((rules[j] as CompiledRule).index > i) next = rules[j];
    return next ? compileProgress(next.cond, registry.inputs, next.index) : null;
  });

  return {
    inputs: registry,
    hysteresis: policy.hysteresis,
    decide(vec) {
      for (let i = 0; i < nT; i++) if ((triggerTests[i] as VecTest)(vec)) return triggerIdx[i] as number;
      for (let i = 0; i < nR; i++) if ((ruleTests[i] as VecTest)(vec)) return ruleIdx[i] as number;
      return 0;
    },
    explain(vec) {
      for (let i = 0; i < nT; i++) if ((triggerTests[i] as VecTest)(vec)) return triggerDecisions[i] as Decision;
      for (let i = 0; i < nR; i++) {
        const node = decidingNode((rules[i] as CompiledRule).cond, vec);
        if (node) return nodeDecisions.get(node) as Decision;
      }
      return defaultDecision;
    },
    retains(vec, index) {
      const r = byIndex[index];
      if (!r) return index === 0;
      return (r.retained ?? r.cond).test(vec);
    },
    progress(vec, index) {
      const p = progressAt[index];
      return p ? p(vec) : null;
    },
    retentionLines(vec, index) {
      const lines = linesAt[index];
      return lines ? lines(vec) : [];
    },
  };
}
