import type { EntitlementDef, LevelRef, NextLevelGain, QuotaPeriod, ResolvedEntitlement } from '../model/entitlement.js';
import type { SchemeCategory } from '../model/scheme.js';
import type { PolicyPack, SchemeDefinition } from '../policy/pack-schema.js';
import { isBetter } from './compare.js';

/** Schemes where a higher level is better for the subject, so "what the next level adds" makes sense. */
const CLIMBABLE: ReadonlySet<SchemeCategory> = new Set<SchemeCategory>(['value', 'credit', 'grade']);

interface Granted {
  def: EntitlementDef;
  by: LevelRef;
}

/**
 * The `usage` key of a quota's use over its own period (`lounge_visits@month`). Two quotas may count
 * the same usage metric over different periods; keyed by metric alone they would share one total.
 */
export function quotaUsageKey(metric: string, period: QuotaPeriod): string {
  return `${metric}@${period}`;
}

/**
 * Resolves a subject's entitlements across all its schemes. The same key from two levels keeps the
 * better one; a restriction (AML 高's blocked non-counter transfers) always wins over a benefit it
 * `blocks`, whichever scheme granted the benefit, and each blocked benefit names the restriction and
 * the level that imposed it. `usage` fills a quota's `used`: keyed by `quotaUsageKey(metric, period)`,
 * else by its usage metric, else by its key.
 * `next` lists, per value/credit/grade scheme, what its next level would add or improve, with the
 * restriction that would block an add (`blockedBy`, by key).
 */
export function resolveEntitlements(
  pack: PolicyPack,
  levels: Readonly<Record<string, string>>,
  usage?: Readonly<Record<string, number>>,
): { entitlements: ResolvedEntitlement[]; next: NextLevelGain[] } {
  const benefits = new Map<string, Granted>();
  const restrictions = new Map<string, Granted>();
  // Every restriction imposed, including a second one under a key already listed: the list shows one
  // per key, but what each blocks holds whichever scheme imposed it (two schemes restricting under the
  // same key may block different benefits, and dropping the second's would let them through).
  const imposed: Granted[] = [];
  for (const s of pack.schemes) {
    const level = levels[s.key];
    if (level === undefined) continue;
    for (const def of s.entitlements?.[level] ?? []) {
      const by = { scheme: s.key, level };
      if (def.kind === 'restriction') {
        imposed.push({ def, by });
        if (!restrictions.has(def.key)) restrictions.set(def.key, { def, by });
        continue;
      }
      const have = benefits.get(def.key);
      if (!have || isBetter(def, have.def)) benefits.set(def.key, { def, by });
    }
  }
  const blockedBy = new Map<string, LevelRef & { restriction: string }>();
  for (const r of imposed) {
    if (r.def.kind !== 'restriction') continue;
    for (const k of r.def.blocks ?? []) if (!blockedBy.has(k)) blockedBy.set(k, { ...r.by, restriction: r.def.key });
  }
  const entitlements: ResolvedEntitlement[] = [];
  for (const [key, g] of benefits) {
    const blocked = blockedBy.get(key);
    const d = g.def;
    const used =
      d.kind === 'quota'
        ? (usage?.[quotaUsageKey(d.usageMetric ?? d.key, d.period)] ?? usage?.[d.usageMetric ?? d.key] ?? usage?.[d.key])
        : undefined;
    entitlements.push({
      def: g.def,
      status: blocked ? 'blocked' : 'active',
      grantedBy: g.by,
      ...(blocked ? { blockedBy: blocked } : {}),
      ...(used !== undefined ? { used } : {}),
    });
  }
  for (const r of restrictions.values()) entitlements.push({ def: r.def, status: 'active', grantedBy: r.by });
  return { entitlements, next: nextGains(pack.schemes, levels, blockedBy) };
}

function nextGains(
  schemes: readonly SchemeDefinition[],
  levels: Readonly<Record<string, string>>,
  blockedBy: ReadonlyMap<string, LevelRef & { restriction: string }>,
): NextLevelGain[] {
  const out: NextLevelGain[] = [];
  for (const s of schemes) {
    const level = levels[s.key];
    if (level === undefined || !CLIMBABLE.has(s.category)) continue;
    const sorted = [...s.levels].sort((a, b) => a.rank - b.rank);
    const at = sorted.findIndex((l) => l.key === level);
    const next = sorted[at + 1];
    if (at < 0 || !next) continue;
    const now = new Map((s.entitlements?.[level] ?? []).map((d) => [d.key, d]));
    const adds = (s.entitlements?.[next.key] ?? []).filter((d) => {
      if (d.kind === 'restriction') return false;
      const have = now.get(d.key);
      return !have || isBetter(d, have);
    });
    if (!adds.length) continue;
    // What the next level adds is blocked the same as if held now: an upgrade does not lift AML 高.
    const blocked = adds.flatMap((d) => {
      const by = blockedBy.get(d.key);
      return by ? [[d.key, by] as const] : [];
    });
    out.push(
      blocked.length
        ? { scheme: s.key, toLevel: next.key, adds, blockedBy: Object.fromEntries(blocked) }
        : { scheme: s.key, toLevel: next.key, adds },
    );
  }
  return out;
}
