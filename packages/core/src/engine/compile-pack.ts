import type { Evaluation, PriorAssignment } from '../model/evaluation.js';
import type { SubjectFacts } from '../model/metric.js';
import type { OverrideInfo } from '../model/override.js';
import type { SubjectKind } from '../model/scheme.js';
import type { PolicyPack } from '../policy/pack-schema.js';
import { dependencyOrder } from '../policy/dependencies.js';
import { compileScheme } from './compile-scheme.js';
import type { CompiledScheme, EvaluateOptions } from './compile-scheme.js';
import { MonthKeys } from './months.js';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../calendar/zone.js';

/** A pack compiled once, evaluated millions of times. */
export interface CompiledPack {
  readonly pack: PolicyPack;
  /** The calendar it was compiled for (`CompilePackOptions.timeZone`). */
  readonly timeZone: string;
  scheme(key: string): CompiledScheme | undefined;
  /** Schemes for a subject kind in dependency order (matrix schemes after the schemes they read). */
  schemesFor(kind: SubjectKind): readonly CompiledScheme[];
  /**
   * Evaluates every scheme of `kind` for one subject; priors/overrides are keyed by scheme key.
   * Derived and matrix schemes read the final levels (after hysteresis and overrides) of the schemes before them.
   */
  evaluateSubject(
    kind: SubjectKind,
    facts: SubjectFacts,
    priors?: Readonly<Record<string, PriorAssignment>>,
    overrides?: Readonly<Record<string, OverrideInfo>>,
    options?: EvaluateOptions,
  ): Evaluation[];
  /** Largest window (months) any policy reads: how much metric history a caller must load. */
  readonly monthsNeeded: number;
  /**
   * The metrics a kind's schemes read with no window (the latest observation, however old): a caller
   * loading `monthsNeeded` months must also load each one's latest observation before them.
   */
  latestMetricsFor(kind: SubjectKind): readonly string[];
}

const NONE: readonly string[] = [];

/** How {@link compilePack} compiles. */
export interface CompilePackOptions {
  /**
   * The bank's calendar (IANA zone): a month ends at midnight there, and an override decides a month
   * when it was still in force at that instant. Default {@link DEFAULT_TIME_ZONE}.
   */
  readonly timeZone?: string;
}

/** Compiles a validated pack (see `validatePolicyPack`). */
export function compilePack(pack: PolicyPack, options: CompilePackOptions = {}): CompiledPack {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  // Checked here, once, rather than at the first override a batch meets.
  if (!isTimeZone(timeZone)) throw new RangeError(`timeZone must be an IANA time zone such as "Asia/Shanghai", got "${timeZone}"`);
  const metrics = new Map(pack.metrics.map((m) => [m.key, m]));
  const probe = pack.schemes.map((s) => compileScheme(s, metrics));
  const monthsNeeded = Math.max(1, ...probe.map((s) => s.monthsNeeded));
  // One month-key cache for the whole pack: every scheme of a subject reads the same months.
  const months = new MonthKeys(monthsNeeded);
  const definitions = new Map(pack.schemes.map((s) => [s.key, s]));
  const ordered = dependencyOrder(pack.schemes).map((s) => compileScheme(s, metrics, { months, schemes: definitions, timeZone }));
  const byKey = new Map(ordered.map((s) => [s.definition.key, s]));
  const byKind = new Map<SubjectKind, CompiledScheme[]>();
  for (const s of ordered) {
    const list = byKind.get(s.definition.subjectKind) ?? [];
    list.push(s);
    byKind.set(s.definition.subjectKind, list);
  }
  const latestByKind = new Map([...byKind].map(([kind, list]) => [kind, [...new Set(list.flatMap((s) => s.latestMetrics))]]));
  return {
    pack,
    timeZone,
    monthsNeeded,
    latestMetricsFor: (kind) => latestByKind.get(kind) ?? NONE,
    scheme: (key) => byKey.get(key),
    schemesFor: (kind) => byKind.get(kind) ?? [],
    evaluateSubject(kind, facts, priors, overrides, options) {
      const levels: Record<string, string> = {};
      const out: Evaluation[] = [];
      for (const s of byKind.get(kind) ?? []) {
        const key = s.definition.key;
        const e = s.evaluate(facts, priors?.[key], overrides?.[key], levels, options);
        levels[key] = e.level;
        out.push(e);
      }
      return out;
    },
  };
}

/**
 * What to carry to the next period so that its hysteresis can count: the engine's `state` (the
 * level rules and hysteresis gave without any override, and its periods below). `period` stamps the
 * evaluated month (evaluating that month again from this state does not count it twice); omitted,
 * the engine's own stamp is kept. The one function for this: the API's catch-up uses it too.
 */
export function nextPrior(evaluation: Evaluation, period?: string): PriorAssignment {
  const s = evaluation.state;
  // Evaluations built before `state` existed (stored, or hand-made) fall back to what they show.
  const level = s?.level ?? evaluation.level;
  const periodsBelow = s?.periodsBelow ?? evaluation.retention?.periodsBelow ?? 0;
  const at = period ?? s?.period;
  return at === undefined ? { level, periodsBelow } : { level, periodsBelow, period: at };
}
