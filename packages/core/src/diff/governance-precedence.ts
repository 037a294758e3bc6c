import type { Locale, LocalizedText } from '../model/locale.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import type { Condition, ScoreFactor } from '../policy/policy-schema.js';
import { localize } from '../format/format-value.js';
import type { PolicyChange } from './policy-diff.js';

/*
 * Weakenings of a sign-off level's reach that leave its own way in as it was (governance-reach.ts compares
 * those): something else now decides first, or a score reaches its floor less often.
 *
 * - Precedence. Triggers decide in the order written, before any band or rule, and among rules the
 *   highest-ranked level that holds wins (engine/rules-decider.ts). Moving the default pack's
 *   `unassessed` trigger ahead of `pep` sends an unassessed PEP to 未评估 instead of 高; a new trigger to a
 *   lower level, an existing one made easier to meet, or a level ranked above the sign-off level, each
 *   takes customers from the sign-off without touching its rule.
 * - A band's ceiling. A band of another level put above the sign-off band (a higher `min`) takes its top.
 * - A score's factors. The total is the weighted points of its factors (weights add up to 100), so
 *   moving weight between factors has no order: fewer customers may reach 75 when the customer-risk
 *   factor loses ten points to the industry one. Any factor change is flagged but a transform that
 *   gives every value at least the points it gave (same metric, window and weight).
 * As in governance-reach.ts, what cannot be ordered counts as a weakening, an admin's to vouch for.
 */

const t = (zhCN: string, zhTW: string, en: string): LocalizedText => ({ 'zh-CN': zhCN, 'zh-TW': zhTW, en });
const NOW_PRECEDED = t('现先判定', '現先判定', 'now decided first by');
const CEILING = t('分数上限', '分數上限', 'score ceiling');
const FACTOR = t('评分因子', '評分因子', 'score factor');
const REMOVED = t('已删除', '已刪除', 'removed');
const CHANGED = t('已更改', '已更改', 'changed');
const NONE = t('无', '無', 'none');

const levelName = (d: SchemeDefinition, key: string, l: Locale): string => d.levels.find((v) => v.key === key)?.name[l] ?? key;
const owner = (d: SchemeDefinition, level: string) => (l: Locale) =>
  `${{ 'zh-CN': '复核等级', 'zh-TW': '複核等級', en: 'sign-off level' }[l]} ${levelName(d, level, l)}`;

/** A threshold's values as met by more customers than before (same metric, op and window, value moved the easier way), or unorderable. */
function easierLeaf(was: Condition & { kind: 'threshold' }, now: Condition & { kind: 'threshold' }): boolean {
  if (was.metric !== now.metric || was.op !== now.op || JSON.stringify(was.window ?? null) !== JSON.stringify(now.window ?? null))
    return true;
  if (was.op === 'gte' || was.op === 'gt') return now.value < was.value;
  if (was.op === 'lte' || was.op === 'lt') return now.value > was.value;
  return now.value !== was.value;
}

/** Whether condition `now` may hold for someone `was` did not: a leaf moved the easier way, a group turned "all" to "any", the shape changed. */
function easier(was: Condition, now: Condition): boolean {
  if (was.kind === 'threshold' || now.kind === 'threshold') {
    return was.kind !== 'threshold' || now.kind !== 'threshold' ? JSON.stringify(was) !== JSON.stringify(now) : easierLeaf(was, now);
  }
  if (was.kind !== now.kind) return was.kind === 'all';
  if (was.of.length !== now.of.length) return true;
  return was.of.some((c, i) => easier(c, now.of[i] as Condition));
}

/** What decides before a way into `level`: triggers to another level (ahead of trigger `id`, when the way is one), then rules of higher-ranked levels. */
function firstDeciders(d: SchemeDefinition, level: string, trigger?: string): Map<string, Condition> {
  const out = new Map<string, Condition>();
  const p = d.policy;
  if (p.kind !== 'rules' && p.kind !== 'score') return out;
  for (const tr of p.triggers ?? []) {
    if (tr.id === trigger) break;
    if (tr.level !== level) out.set(`trigger:${tr.id}→${tr.level}`, tr.when);
  }
  if (p.kind === 'rules' && trigger === undefined) {
    const rank = (k: string) => d.levels.findIndex((v) => v.key === k);
    for (const r of p.levels) if (r.level !== level && rank(r.level) > rank(level)) out.set(`rule:${r.level}`, r.when);
  }
  return out;
}

/** The ways into `level` of `d` that decide after something else: its band, its rule and each trigger to it. */
function waysAfterOthers(d: SchemeDefinition, level: string): { key: string; trigger?: string }[] {
  const p = d.policy;
  const out: { key: string; trigger?: string }[] = [];
  if (p.kind === 'score' && p.bands.some((b) => b.level === level)) out.push({ key: `band:${level}` });
  if (p.kind === 'rules' && p.levels.some((r) => r.level === level)) out.push({ key: `rule:${level}` });
  if (p.kind === 'score' || p.kind === 'rules')
    for (const tr of p.triggers ?? []) if (tr.level === level) out.push({ key: `trigger:${tr.id}`, trigger: tr.id });
  return out;
}

/** Ways into a sign-off level of `before` that `after` puts behind a new decider, or behind one made easier to meet. */
function precedenceWeakenings(before: SchemeDefinition, after: SchemeDefinition, signOff: ReadonlySet<string>): PolicyChange[] {
  const out: PolicyChange[] = [];
  for (const level of signOff) {
    const kept = new Set(waysAfterOthers(after, level).map((w) => w.key));
    for (const way of waysAfterOthers(before, level)) {
      // A way gone is governance-reach.ts's to say.
      if (!kept.has(way.key)) continue;
      const was = firstDeciders(before, level, way.trigger);
      const now = firstDeciders(after, level, way.trigger);
      const gained = [...now].filter(([k, c]) => {
        const old = was.get(k);
        return old === undefined || easier(old, c);
      });
      if (gained.length === 0) continue;
      const names = gained.map(([k]) => k).join(', ');
      out.push({
        key: `precedence:${way.key}`,
        change: 'changed',
        text: localize((l) => `${owner(before, level)(l)} ${way.key}: ${NOW_PRECEDED[l]} ${names}`),
      });
    }
  }
  return out;
}

/** The score where the band of sign-off `level` ends: the lowest `min` above its own of another level's band (Infinity: none). */
function ceiling(d: SchemeDefinition, level: string): number | undefined {
  const p = d.policy;
  if (p.kind !== 'score') return undefined;
  const own = p.bands.find((b) => b.level === level);
  if (!own) return undefined;
  return Math.min(...p.bands.filter((b) => b.level !== level && b.min > own.min).map((b) => b.min), Number.POSITIVE_INFINITY);
}

/** The points a transform gives at `x`. */
function points(f: ScoreFactor, x: number): number {
  const tr = f.transform;
  if (tr.kind === 'boolean') return x !== 0 ? 100 : 0;
  if (tr.kind === 'linear') return x <= tr.from ? 0 : x >= tr.to ? 100 : ((x - tr.from) / (tr.to - tr.from)) * 100;
  let p = 0;
  for (const b of tr.bands) if (x >= b.min) p = Math.max(p, b.points);
  return p;
}

/** Whether factor `now` gives every value at least the points `was` gave, with the same metric, window and weight. */
function noStingier(was: ScoreFactor, now: ScoreFactor): boolean {
  if (was.metric !== now.metric || was.weight !== now.weight) return false;
  if (JSON.stringify(was.window ?? null) !== JSON.stringify(now.window ?? null)) return false;
  if (was.transform.kind !== now.transform.kind) return false;
  const tw = was.transform;
  const tn = now.transform;
  if (tw.kind === 'linear' && tn.kind === 'linear') return tn.from <= tw.from && tn.to <= tw.to;
  if (tw.kind === 'bands' && tn.kind === 'bands') {
    // Step functions: comparing at every step of either, and below all of them, covers every value.
    const xs = [...tw.bands, ...tn.bands].map((b) => b.min);
    return [Math.min(...xs) - 1, ...xs].every((x) => points(now, x) >= points(was, x));
  }
  return true;
}

/** Score schemes whose sign-off band lost its top, or whose factors changed in a way nothing orders. */
function scoreWeakenings(before: SchemeDefinition, after: SchemeDefinition, signOff: ReadonlySet<string>): PolicyChange[] {
  const p0 = before.policy;
  const p1 = after.policy;
  if (p0.kind !== 'score' || p1.kind !== 'score') return [];
  const banded = [...signOff].filter((level) => p0.bands.some((b) => b.level === level));
  if (banded.length === 0) return [];
  const out: PolicyChange[] = [];
  for (const level of banded) {
    const c0 = ceiling(before, level);
    const c1 = ceiling(after, level);
    if (c0 !== undefined && c1 !== undefined && c1 < c0) {
      const shown = (c: number) => (l: Locale) => (c === Number.POSITIVE_INFINITY ? NONE[l] : String(c));
      out.push({
        key: `reach:band:${level}/ceiling`,
        change: 'changed',
        text: localize((l) => `${owner(before, level)(l)} ${CEILING[l]}: ${shown(c0)(l)} → ${shown(c1)(l)}`),
      });
    }
  }
  const now = new Map(p1.factors.map((f) => [f.id, f]));
  for (const was of p0.factors) {
    const f = now.get(was.id);
    if (f && noStingier(was, f)) continue;
    const describe = (l: Locale) =>
      f === undefined
        ? REMOVED[l]
        : was.weight !== f.weight
          ? `${{ 'zh-CN': '权重', 'zh-TW': '權重', en: 'weight' }[l]} ${was.weight} → ${f.weight}`
          : CHANGED[l];
    out.push({
      key: `reach:factor:${was.id}`,
      change: f === undefined ? 'removed' : 'changed',
      text: localize((l) => `${banded.map((level) => owner(before, level)(l)).join(', ')} ${FACTOR[l]} ${was.id}: ${describe(l)}`),
    });
  }
  return out;
}

/** Sign-off levels of `after` reached less often than in `before` though their own way in is unchanged. */
export function precedenceAndScoreWeakenings(before: SchemeDefinition, after: SchemeDefinition): PolicyChange[] {
  const signOff = new Set(before.levels.filter((v) => v.approvalRequired === true).map((v) => v.key));
  if (signOff.size === 0) return [];
  return [...precedenceWeakenings(before, after, signOff), ...scoreWeakenings(before, after, signOff)];
}
