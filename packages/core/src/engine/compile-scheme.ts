import type { Evaluation, PriorAssignment } from '../model/evaluation.js';
import type { Explanation, Progress, Retention } from '../model/explanation.js';
import type { MetricDef, SubjectFacts } from '../model/metric.js';
import type { OverrideInfo } from '../model/override.js';
import type { SchemeSummary } from '../model/scheme.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import type { Hysteresis } from '../policy/policy-schema.js';
import type { Decider } from './decider.js';
import { compileRulesDecider } from './rules-decider.js';
import { compileScoreDecider } from './score-decider.js';
import { compileDerivedDecider, compileMatrixDecider } from './level-deciders.js';
import { DEFAULT_TIME_ZONE, periodEnd } from '../calendar/zone.js';
import { MonthKeys } from './months.js';
import { holdLabel, overrideLabel } from './labels.js';
import { shiftPeriod } from '../format/period.js';

/** Options of one evaluation. */
export interface EvaluateOptions {
  /**
   * The instant (ISO 8601 UTC) against which override expiry is checked. Default: the end of the
   * evaluated month in the bank's time zone (the pack's `timeZone`), so an evaluation never depends
   * on the wall clock.
   */
  readonly at?: string;
}

/** One scheme compiled to closures: evaluate millions of subjects without re-reading the policy. */
export interface CompiledScheme {
  readonly summary: SchemeSummary;
  readonly definition: SchemeDefinition;
  /** Fast path: the level key only, no explanation, no hysteresis (this is what the benchmark's "deciding the level" measures). */
  decide(facts: SubjectFacts, levels?: Readonly<Record<string, string>>): string;
  /** The full evaluation; `levels` are other schemes' levels, read by derived and matrix schemes. */
  evaluate(
    facts: SubjectFacts,
    prior?: PriorAssignment,
    override?: OverrideInfo,
    levels?: Readonly<Record<string, string>>,
    options?: EvaluateOptions,
  ): Evaluation;
  /**
   * Re-decides from an explanation alone (its inputs, prior and levels read): the reproducibility
   * check. An override that decided is re-applied from `explanation.override` (same level and mode).
   */
  replay(explanation: Explanation): string;
  /** Largest window, in months, this scheme reads. */
  readonly monthsNeeded: number;
  /**
   * Metrics it reads with no window (`window: null`: the latest observation, however old): a caller
   * loading `monthsNeeded` months must also load each one's latest observation before them.
   */
  readonly latestMetrics: readonly string[];
}

/** "Upgrade at once, downgrade after 3 consecutive periods below" (docs/domain.md §1) when a policy says nothing. */
export const DEFAULT_HYSTERESIS: Hysteresis = { downgradeAfterPeriods: 3 };

function deciderFor(
  def: SchemeDefinition,
  levels: SchemeSummary['levels'],
  metrics: ReadonlyMap<string, MetricDef>,
  schemes: ReadonlyMap<string, SchemeDefinition> | undefined,
): Decider {
  const p = def.policy;
  switch (p.kind) {
    case 'rules':
      return compileRulesDecider(p, levels, metrics);
    case 'score':
      return compileScoreDecider(p, levels, metrics);
    case 'derived':
      return compileDerivedDecider(p, levels, metrics, schemes);
    case 'matrix': {
      if (!def.matrix) throw new TypeError(`scheme "${def.key}": a matrix policy needs a matrix definition`);
      return compileMatrixDecider(def.matrix, levels, metrics);
    }
  }
}

/** How {@link compileScheme} compiles a scheme beyond its definition. */
export interface CompileSchemeOptions {
  /** Month keys, shared by all schemes of a pack. */
  readonly months?: MonthKeys;
  /** The pack's schemes by key: names the levels a derived scheme reads in its explanations. */
  readonly schemes?: ReadonlyMap<string, SchemeDefinition>;
  /** The bank's calendar, where months end (override expiry). Default {@link DEFAULT_TIME_ZONE}. */
  readonly timeZone?: string;
}

/** Compiles one scheme of a validated pack. */
export function compileScheme(
  def: SchemeDefinition,
  metrics: ReadonlyMap<string, MetricDef>,
  options: CompileSchemeOptions = {},
): CompiledScheme {
  const { months, schemes, timeZone = DEFAULT_TIME_ZONE } = options;
  const levels = [...def.levels].sort((a, b) => a.rank - b.rank);
  const keys = levels.map((l) => l.key);
  const levelIndex = new Map(keys.map((k, i) => [k, i]));
  const decider = deciderFor(def, levels, metrics, schemes);
  const inputs = decider.inputs.inputs;
  const reads = inputs.map((i) => i.read);
  const n = reads.length;
  const vec = new Float64Array(n);
  const monthsNeeded = Math.max(1, ...inputs.map((i) => i.window?.months ?? 1));
  const latestMetrics = [...new Set(inputs.filter((i) => !i.window).map((i) => i.metric))];
  const monthKeys = months ?? new MonthKeys(monthsNeeded);
  const hyst = def.policy.kind === 'rules' || def.policy.kind === 'score' ? (decider.hysteresis ?? DEFAULT_HYSTERESIS) : undefined;
  const { policy } = def;
  const summary: SchemeSummary = { key: def.key, subjectKind: def.subjectKind, category: def.category, name: def.name, levels };

  const fill = (facts: SubjectFacts): void => {
    const m = monthKeys.get(facts.asOf);
    const values = facts.values;
    for (let i = 0; i < n; i++) vec[i] = (reads[i] as (typeof reads)[number])(values, m);
  };

  // Subject-independent parts of explanations, built once: hysteresis reasons, override expiry cut-off.
  const retainedBy: Explanation['decidedBy'] = Object.freeze({
    kind: 'hysteresis',
    id: 'hysteresis.retained',
    label: holdLabel('retained', 0, hyst?.downgradeAfterPeriods ?? 0),
  });
  const graceBy: Explanation['decidedBy'][] = [];
  const grace = (below: number, allowed: number): Explanation['decidedBy'] => {
    const cached = graceBy[below];
    if (cached) return cached;
    const made = Object.freeze({ kind: 'hysteresis', id: 'hysteresis.grace', label: holdLabel('grace', below, allowed) } as const);
    if (below >= 0 && below < 64 && Number.isInteger(below)) graceBy[below] = made;
    return made;
  };
  // periodEnd keeps its answers per zone and month: a job alternating two months missed a cache of one here.
  const periodEndMs = (asOf: string): number => Date.parse(periodEnd(asOf, timeZone));
  // The re-tier that drops a level held `below` months so far, were it below from now on (as graceDrop reads it).
  const dropsAt = (asOf: string, below: number): string => shiftPeriod(asOf, Math.max(1, (hyst?.downgradeAfterPeriods ?? 1) - below));

  const evaluateVec = (
    asOf: string,
    prior: PriorAssignment | undefined,
    override: OverrideInfo | undefined,
    levelsRead: Readonly<Record<string, string>> | undefined,
    at: string | undefined,
  ): Evaluation => {
    const d = decider.explain(vec, levelsRead);
    let index = d.index;
    let decidedBy: Explanation['decidedBy'] = d.decidedBy ?? { kind: d.kind, id: d.id, label: d.label };
    let periodsBelow = 0;
    const priorIndex = prior ? levelIndex.get(prior.level) : undefined;
    if (prior && priorIndex !== undefined && priorIndex > index && !d.triggered && hyst) {
      if (decider.retains(vec, priorIndex)) {
        index = priorIndex;
        decidedBy = retainedBy;
      } else {
        const below = prior.periodsBelow + (prior.period !== undefined && prior.period === asOf ? 0 : 1);
        if (below < hyst.downgradeAfterPeriods) {
          index = priorIndex;
          periodsBelow = below;
          decidedBy = grace(below, hyst.downgradeAfterPeriods);
        }
      }
    }
    // Carried to the next period before the override is applied: an override decides what is shown,
    // never what hysteresis later holds (an expired override must not linger as an earned level).
    const state: PriorAssignment = { level: keys[index] ?? keys[0] ?? '', periodsBelow, period: asOf };
    let byOverride: OverrideInfo | null = null;
    // A floor at the level held (a customer in grace kept where they are) moves nobody today, yet holds
    // the level if it is still in force at the re-tier the grace runs out in: then there is no line to
    // keep, so no retention — the grace list puts them last rather than saying they drop
    // (packages/api/README.md, "Subject lists"). One that lapses before that re-tier stops no drop.
    let heldByFloor = false;
    if (override && override.scheme === def.key) {
      const oi = levelIndex.get(override.level);
      const live = override.expiresAt === null || Date.parse(override.expiresAt) > (at === undefined ? periodEndMs(asOf) : Date.parse(at));
      if (oi !== undefined && live && (override.mode === 'fixed' || oi > index)) {
        index = oi;
        byOverride = override;
        decidedBy = { kind: 'override', id: override.id, label: overrideLabel(override) };
      }
      heldByFloor =
        oi !== undefined &&
        live &&
        override.mode === 'floor' &&
        oi >= index &&
        (override.expiresAt === null || Date.parse(override.expiresAt) > periodEndMs(dropsAt(asOf, periodsBelow)));
    }
    const level = levels[index] ?? levels[0];
    const key = level?.key ?? '';
    const previousLevel = prior?.level ?? null;
    const changed = previousLevel !== key;

    let progress: Progress | null = null;
    if (!d.triggered && byOverride?.mode !== 'fixed') {
      const p = decider.progress(vec, index);
      if (p) progress = { toLevel: keys[p.toIndex] ?? '', paths: p.paths, nearest: p.nearest };
    }
    let retention: Retention | null = null;
    if (index > 0 && !d.triggered && !byOverride && !heldByFloor && hyst) {
      const lines = decider.retentionLines(vec, index);
      if (lines.length) {
        retention = {
          toLevel: keys[d.index < index ? d.index : index - 1] ?? '',
          lines,
          periodsBelow,
          periodsAllowed: hyst.downgradeAfterPeriods,
        };
      }
    }
    const explanation: { -readonly [K in keyof Explanation]: Explanation[K] } = {
      policyId: policy.id,
      policyVersion: policy.version,
      decidedBy,
      inputs: decider.inputs.describe(vec),
      asOf,
    };
    if (d.score) explanation.score = d.score;
    if (prior) {
      explanation.prior =
        prior.period === undefined
          ? { level: prior.level, periodsBelow: prior.periodsBelow }
          : { level: prior.level, periodsBelow: prior.periodsBelow, period: prior.period };
    }
    if (d.levelsRead) explanation.levelsRead = d.levelsRead;
    if (byOverride) explanation.override = { id: byOverride.id, level: byOverride.level, mode: byOverride.mode };
    return {
      scheme: def.key,
      level: key,
      rank: level?.rank ?? 0,
      previousLevel,
      changed,
      approvalRequired: level?.approvalRequired === true && changed && !byOverride?.approvedBy,
      explanation,
      progress,
      retention,
      state,
    };
  };

  return {
    summary,
    definition: def,
    monthsNeeded,
    latestMetrics,
    decide(facts, levelsRead) {
      fill(facts);
      return keys[decider.decide(vec, levelsRead)] ?? '';
    },
    evaluate(facts, prior, override, levelsRead, options) {
      fill(facts);
      return evaluateVec(facts.asOf, prior, override, levelsRead, options?.at);
    },
    replay(explanation) {
      vec.fill(0);
      for (const input of explanation.inputs) {
        const i = decider.inputs.find(input.metric, input.window);
        if (i !== undefined) vec[i] = input.value;
      }
      const o = explanation.override;
      // The override applied when it was evaluated; replaying re-applies it as it was (live, same mode).
      const override: OverrideInfo | undefined = o && {
        id: o.id,
        scheme: def.key,
        level: o.level,
        mode: o.mode,
        reason: '',
        expiresAt: null,
        requestedBy: '',
        approvedBy: null,
      };
      return evaluateVec(explanation.asOf ?? '', explanation.prior, override, explanation.levelsRead, undefined).level;
    },
  };
}
