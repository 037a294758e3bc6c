import type { Locale, LocalizedText } from '../model/locale.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import type { Condition } from '../policy/policy-schema.js';
import { localize } from '../format/format-value.js';
import type { PolicyChange } from './policy-diff.js';

/*
 * Weakenings of a scheme with sign-off levels that no guard field shows: its sign-off levels made harder
 * to reach (a band's floor raised, a trigger's threshold moved so fewer customers meet it, a trigger or
 * a rule gone), and what its levels block shrunk. Raising the AML 高 band from 75 to 90 keeps every
 * field of `governanceWeakenings` as it was, yet fewer customers get the 高 sign-off and its blocks; a
 * compliance officer counts that as weakening the rule (docs/permissions.md, "Policy versions").
 *
 * Only what can be ordered is compared: a threshold with the same metric and operator whose value moved
 * the harder way. A changed operator, metric or group is flagged too — nothing orders it, and it is an
 * admin's to vouch for — but a threshold moved the easier way, a new trigger or a new block is not.
 */

const t = (zhCN: string, zhTW: string, en: string): LocalizedText => ({ 'zh-CN': zhCN, 'zh-TW': zhTW, en });
const REMOVED = t('已删除', '已刪除', 'removed');
const CHANGED = t('已更改', '已更改', 'changed');

/** Threshold leaves of `c`, keyed by their id or else their place in the tree, with the group kinds on the way. */
function leaves(c: Condition, path: string, out: Map<string, string>): Map<string, string> {
  const here = c.id ?? path;
  if (c.kind === 'threshold') out.set(here, JSON.stringify([c.metric, c.op, c.value, c.window ?? null]));
  else {
    out.set(`${here}#group`, c.kind);
    for (const [i, child] of c.of.entries()) leaves(child, `${here}.${i}`, out);
  }
  return out;
}

/** Whether threshold `now` is met by fewer values than `was` (same metric, op and window; value moved the harder way), or unorderable. */
function harder(was: string, now: string): boolean {
  const [m0, op0, v0, w0] = JSON.parse(was) as [string, string, number, unknown];
  const [m1, op1, v1, w1] = JSON.parse(now) as [string, string, number, unknown];
  if (m0 !== m1 || op0 !== op1 || JSON.stringify(w0) !== JSON.stringify(w1)) return true;
  if (op0 === 'gte' || op0 === 'gt') return v1 > v0;
  if (op0 === 'lte' || op0 === 'lt') return v1 < v0;
  return v1 !== v0;
}

/** The ways into each sign-off level of `d`: `band:<level>` (its floor), `trigger:<id>` and `rule:<level>` (their conditions). */
function ways(d: SchemeDefinition, signOff: ReadonlySet<string>): Map<string, { level: string; floor?: number; when?: Condition }> {
  const out = new Map<string, { level: string; floor?: number; when?: Condition }>();
  const p = d.policy;
  if (p.kind === 'score') {
    for (const b of p.bands) if (signOff.has(b.level)) out.set(`band:${b.level}`, { level: b.level, floor: b.min });
  }
  if (p.kind === 'score' || p.kind === 'rules') {
    for (const tr of p.triggers ?? []) if (signOff.has(tr.level)) out.set(`trigger:${tr.id}`, { level: tr.level, when: tr.when });
  }
  if (p.kind === 'rules') {
    for (const r of p.levels) if (signOff.has(r.level)) out.set(`rule:${r.level}`, { level: r.level, when: r.when });
  }
  return out;
}

const levelName = (d: SchemeDefinition, key: string, l: Locale): string => d.levels.find((v) => v.key === key)?.name[l] ?? key;

/** Sign-off levels of `after` harder to reach than in `before`, one change per way in. */
export function reachWeakenings(before: SchemeDefinition, after: SchemeDefinition): PolicyChange[] {
  const signOff = new Set(before.levels.filter((v) => v.approvalRequired === true).map((v) => v.key));
  if (signOff.size === 0) return [];
  const a = ways(before, signOff);
  const b = ways(after, signOff);
  const out: PolicyChange[] = [];
  for (const [key, was] of a) {
    const now = b.get(key);
    const owner = (l: Locale) =>
      `${{ 'zh-CN': '复核等级', 'zh-TW': '複核等級', en: 'sign-off level' }[l]} ${levelName(before, was.level, l)}`;
    if (now === undefined || now.level !== was.level) {
      out.push({
        key: `reach:${key}`,
        change: 'removed',
        text: localize((l) => `${owner(l)} ${{ 'zh-CN': '的进入条件', 'zh-TW': '的進入條件', en: 'way in' }[l]} ${key}: ${REMOVED[l]}`),
      });
      continue;
    }
    if (was.floor !== undefined && now.floor !== undefined) {
      if (now.floor > was.floor) {
        out.push({
          key: `reach:${key}`,
          change: 'changed',
          text: localize(
            (l) => `${owner(l)} ${{ 'zh-CN': '分数下限', 'zh-TW': '分數下限', en: 'score floor' }[l]}: ${was.floor} → ${now.floor}`,
          ),
        });
      }
      continue;
    }
    if (was.when === undefined || now.when === undefined) continue;
    const w0 = leaves(was.when, 'when', new Map());
    const w1 = leaves(now.when, 'when', new Map());
    const moved = [...w0].filter(([id, v]) => {
      const n = w1.get(id);
      if (n === undefined) return true;
      // A group turned from "any" to "all" is met by fewer; the other way by more.
      if (id.endsWith('#group')) return v === 'any' && n === 'all';
      return harder(v, n);
    });
    if (moved.length > 0) {
      out.push({
        key: `reach:${key}`,
        change: 'changed',
        text: localize(
          (l) =>
            `${owner(l)} ${{ 'zh-CN': '的进入条件', 'zh-TW': '的進入條件', en: 'way in' }[l]} ${key}: ${moved.map(([id]) => id.replace(/#group$/, '')).join(', ')} ${CHANGED[l]}`,
        ),
      });
    }
  }
  return out;
}

/** What each level of `d` blocks, by restriction: `<level>/<restriction>` → blocked benefit keys (a restriction with none blocks itself). */
function blocked(d: SchemeDefinition): Map<string, ReadonlySet<string>> {
  const out = new Map<string, ReadonlySet<string>>();
  for (const [level, list] of Object.entries(d.entitlements ?? {})) {
    for (const e of list) if (e.kind === 'restriction') out.set(`${level}/${e.key}`, new Set(e.blocks ?? []));
  }
  return out;
}

/** Restrictions of a scheme with sign-off levels that `after` removes or makes block less. */
export function blockWeakenings(before: SchemeDefinition, after: SchemeDefinition): PolicyChange[] {
  if (!before.levels.some((v) => v.approvalRequired === true)) return [];
  const a = blocked(before);
  const b = blocked(after);
  const out: PolicyChange[] = [];
  for (const [key, was] of a) {
    const now = b.get(key);
    const lost = now === undefined ? [...was] : [...was].filter((k) => !now.has(k));
    if (now !== undefined && lost.length === 0) continue;
    out.push({
      key: `blocks:${key}`,
      change: now === undefined ? 'removed' : 'changed',
      text: localize(
        (l) =>
          `${{ 'zh-CN': '限制', 'zh-TW': '限制', en: 'restriction' }[l]} ${key}${lost.length > 0 ? ` ${{ 'zh-CN': '不再限制', 'zh-TW': '不再限制', en: 'no longer blocks' }[l]} ${lost.join(', ')}` : ''}${now === undefined ? `: ${REMOVED[l]}` : ''}`,
      ),
    });
  }
  return out;
}
