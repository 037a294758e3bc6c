import type { Locale, LocalizedText } from '../model/locale.js';
import { overrideRuleOf, type OverrideApprover } from '../model/override-rule.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import { localize } from '../format/format-value.js';
import type { PolicyChange } from './policy-diff.js';
import { blockWeakenings, reachWeakenings } from './governance-reach.js';
import { precedenceAndScoreWeakenings } from './governance-precedence.js';
import type { SchemeReaders } from '../model/scheme-readers.js';

/*
 * Which changes of a scheme's document weaken its governance: a sign-off level that no longer needs
 * one, a lowering no longer approved, an override rule that files, approves or loosens with a weaker
 * role or runs longer. A compliance officer found a maker and a checker could together delete every
 * guard the policy reserved for an admin (docs/permissions.md, "Policy versions"); the approval of such
 * a version needs the strongest role the version in force asks for (`strongestApprover`).
 *
 * Each guard is a number, larger stricter, so "weaker" is one comparison whatever the field; a level
 * or a rule that is gone is as weak as the field allows.
 */

const t = (zhCN: string, zhTW: string, en: string): LocalizedText => ({ 'zh-CN': zhCN, 'zh-TW': zhTW, en });

/**
 * One guard of a document: how strict (`strength`, larger stricter), how strict it is when the field
 * is absent (`weakest`: a level removed that guarded nothing weakens nothing), and how it reads.
 */
interface Guard {
  readonly strength: number;
  readonly weakest: number;
  readonly field: LocalizedText;
  readonly shown: (l: Locale) => string;
}

const ROLE_STRENGTH: Readonly<Record<string, number>> = { approver: 1, admin: 2 };
const REQUESTER_STRENGTH: Readonly<Record<string, number>> = { book: 0, tenant: 1, none: 2 };

const ROLE_WORDS: Readonly<Record<string, LocalizedText>> = {
  none: t('无需审批', '無需核准', 'no approval'),
  approver: t('审批人', '核准人', 'an approver'),
  admin: t('管理员', '管理員', 'an admin'),
};
const REQUESTER_WORDS: Readonly<Record<string, LocalizedText>> = {
  book: t('客户经理及以上', '客戶經理及以上', 'relationship managers and above'),
  tenant: t('仅全行员工', '僅全行員工', 'bank-wide staff only'),
  none: t('不可人工调整', '不可人工調整', 'nobody'),
};
const AUDIENCE_WORDS: Readonly<Record<string, LocalizedText>> = {
  staff: t('仅员工可见', '僅員工可見', 'staff only'),
  customer: t('客户可见', '客戶可見', 'customers too'),
};
const BLOCKS_WORDS: Readonly<Record<string, LocalizedText>> = {
  omit: t('不显示', '不顯示', 'left out'),
  notice: t('显示为暂不可用', '顯示為暫不可用', 'shown as unavailable'),
};
const PENDING_WORDS: Readonly<Record<string, LocalizedText>> = {
  apply: t('立即适用', '立即適用', 'applies at once'),
  previous: t('复核前沿用原等级', '複核前沿用原等級', 'the previous level until signed off'),
};
const YES = t('是', '是', 'yes');
const NO = t('否', '否', 'no');
const NO_BOUND = t('不限', '不限', 'no bound');

const months = (n: number | undefined) => (l: Locale) =>
  n === undefined ? NO_BOUND[l] : { 'zh-CN': `${n} 个月`, 'zh-TW': `${n} 個月`, en: `${n} months` }[l];
const days = (n: number | null) => (l: Locale) =>
  n === null ? NO_BOUND[l] : { 'zh-CN': `${n} 天`, 'zh-TW': `${n} 天`, en: `${n} days` }[l];
const steps = (n: number | undefined) => (l: Locale) => (n === undefined ? NO_BOUND[l] : String(n));

/** The guards of `d`, by a key stable across versions (`level:high/approvalRequired`, `overrides/maxDays`). */
function guards(d: SchemeDefinition): Map<string, Guard> {
  const out = new Map<string, Guard>();
  for (const v of d.levels) {
    const owner = (l: Locale) => `${{ 'zh-CN': '等级', 'zh-TW': '等級', en: 'level' }[l]} ${v.name[l]}`;
    out.set(`level:${v.key}/approvalRequired`, {
      strength: v.approvalRequired === true ? 1 : 0,
      weakest: 0,
      field: localize((l) => `${owner(l)} ${{ 'zh-CN': '需复核', 'zh-TW': '需複核', en: 'needs sign-off' }[l]}`),
      shown: (l) => (v.approvalRequired === true ? YES : NO)[l],
    });
    // A shorter review cycle is stricter; none is the weakest.
    out.set(`level:${v.key}/reviewMonths`, {
      strength: v.reviewMonths === undefined ? Number.NEGATIVE_INFINITY : -v.reviewMonths,
      weakest: Number.NEGATIVE_INFINITY,
      field: localize((l) => `${owner(l)} ${{ 'zh-CN': '复评周期', 'zh-TW': '複評週期', en: 'review cycle' }[l]}`),
      shown: months(v.reviewMonths),
    });
    // While a sign-off is pending, `previous` holds off what the level restricts (an AML grade's limits)
    // until someone signs: weaker than `apply`. Only a sign-off level reads it.
    if (v.approvalRequired === true) {
      const pending = v.whilePending ?? 'apply';
      out.set(`level:${v.key}/whilePending`, {
        strength: pending === 'apply' ? 1 : 0,
        weakest: 0,
        field: localize((l) => `${owner(l)} ${{ 'zh-CN': '复核期间', 'zh-TW': '複核期間', en: 'while pending' }[l]}`),
        shown: (l) => PENDING_WORDS[pending]?.[l] ?? pending,
      });
    }
  }
  // Who sees the scheme, and how a customer sees what it blocks: a staff scheme turned customer shows
  // customers their AML or credit grade; `notice` tells the restricted ones a staff restriction exists
  // (pack-schema.ts, `customerBlocks`). Either is a customer-facing leak a maker and a checker could make.
  out.set('scheme:audience', {
    strength: d.audience === 'staff' ? 1 : 0,
    weakest: 0,
    field: t('可见范围', '可見範圍', 'audience'),
    shown: (l) => AUDIENCE_WORDS[d.audience]?.[l] ?? d.audience,
  });
  const blocks = d.customerBlocks ?? 'omit';
  out.set('customerBlocks', {
    strength: blocks === 'omit' ? 1 : 0,
    weakest: 0,
    field: t('客户端显示受限权益的方式', '客戶端顯示受限權益的方式', 'how customers see blocked benefits'),
    shown: (l) => BLOCKS_WORDS[blocks]?.[l] ?? blocks,
  });
  // Absent, a looser level than a held one takes effect at once: no approval at all.
  const lowering = d.loweringNeeds ?? 'none';
  out.set('loweringNeeds', {
    strength: ROLE_STRENGTH[lowering] ?? 0,
    weakest: 0,
    field: t('降级须审批', '降級須核准', 'lowering approved by'),
    shown: (l) => ROLE_WORDS[lowering]?.[l] ?? lowering,
  });
  // A scheme without a rule has the rule every scheme had before rules (`overrideRuleOf`).
  const r = overrideRuleOf(d);
  const loosen = r.loosenNeeds ?? r.approvedBy;
  out.set('overrides/requestedBy', {
    strength: REQUESTER_STRENGTH[r.requestedBy] ?? 0,
    weakest: 0,
    field: t('人工调整申请人', '人工調整申請人', 'overrides filed by'),
    shown: (l) => REQUESTER_WORDS[r.requestedBy]?.[l] ?? r.requestedBy,
  });
  out.set('overrides/approvedBy', {
    strength: ROLE_STRENGTH[r.approvedBy] ?? 0,
    weakest: 0,
    field: t('人工调整审批', '人工調整核准', 'overrides approved by'),
    shown: (l) => ROLE_WORDS[r.approvedBy]?.[l] ?? r.approvedBy,
  });
  out.set('overrides/loosenNeeds', {
    strength: ROLE_STRENGTH[loosen] ?? 0,
    weakest: 0,
    field: t('放宽须审批', '放寬須核准', 'loosening approved by'),
    shown: (l) => ROLE_WORDS[loosen]?.[l] ?? loosen,
  });
  out.set('overrides/maxDays', {
    strength: r.maxDays === null ? Number.NEGATIVE_INFINITY : -r.maxDays,
    weakest: Number.NEGATIVE_INFINITY,
    field: t('人工调整最长期限', '人工調整最長期限', 'longest override'),
    shown: days(r.maxDays),
  });
  out.set('overrides/maxStep', {
    strength: r.maxStep === undefined ? Number.NEGATIVE_INFINITY : -r.maxStep,
    weakest: Number.NEGATIVE_INFINITY,
    field: t('人工调整最多级数', '人工調整最多級數', 'override step bound'),
    shown: steps(r.maxStep),
  });
  return out;
}

/**
 * Every way `after` (a new version of a scheme) governs more weakly than `before` (the version in
 * force), one change per guard, in words an approver reads. Empty: nothing weakened (tightening and
 * changes of rules or benefits are the ordinary approver's to decide). A sign-off level reached less
 * often counts too: its way in made harder (governance-reach.ts), or something deciding before it, its
 * band's top or its score's factors changed (governance-precedence.ts). A reordered `overrides.order`
 * counts while `before` has a guard that reads it (`loosenNeeds`, `loweringNeeds`): it moves which side is looser.
 */
export function governanceWeakenings(before: SchemeDefinition, after: SchemeDefinition): PolicyChange[] {
  const a = guards(before);
  const b = guards(after);
  const out: PolicyChange[] = [];
  for (const [key, was] of a) {
    const now = b.get(key);
    if ((now?.strength ?? was.weakest) >= was.strength) continue;
    // A level that lost its sign-off says so once: its pending rule went with it.
    if (key.endsWith('/whilePending') && out.some((c) => c.key === key.replace(/whilePending$/, 'approvalRequired'))) continue;
    out.push({
      key,
      change: now === undefined ? 'removed' : 'changed',
      text: localize(
        (l) =>
          `${was.field[l]}: ${was.shown(l)} → ${now === undefined ? { 'zh-CN': '已删除', 'zh-TW': '已刪除', en: 'removed' }[l] : now.shown(l)}`,
      ),
    });
  }
  const wider = widerReaders(before.readers, after.readers);
  if (wider !== undefined) out.push(wider);
  out.push(...reachWeakenings(before, after), ...precedenceAndScoreWeakenings(before, after), ...blockWeakenings(before, after));
  const readsOrder = before.loweringNeeds !== undefined || before.overrides?.loosenNeeds !== undefined;
  const order = (d: SchemeDefinition) => (d.overrides?.order ?? []).join('>');
  if (readsOrder && order(before) !== order(after)) {
    out.push({
      key: 'overrides/order',
      change: 'changed',
      text: localize(
        (l) =>
          `${{ 'zh-CN': '从严到宽顺序', 'zh-TW': '從嚴到寬順序', en: 'strictest-first order' }[l]}: ${order(before) || '—'} → ${order(after) || '—'}`,
      ),
    });
  }
  return out;
}

const ALL_STAFF = t('全部员工', '全部員工', 'all staff');
const shownReaders = (r: SchemeReaders | undefined) => (l: Locale) =>
  r === undefined
    ? ALL_STAFF[l]
    : `${r.roles.join(', ')}${r.books === true ? { 'zh-CN': '（含客户经理）', 'zh-TW': '（含客戶經理）', en: ' (relationship managers too)' }[l] : ''}`;

/**
 * `after`'s readers when they reach someone `before`'s did not: a role added, book-scoped staff let in,
 * or the list dropped (every staff role reads). Narrowing is a tightening.
 */
function widerReaders(before: SchemeReaders | undefined, after: SchemeReaders | undefined): PolicyChange | undefined {
  if (before === undefined) return undefined;
  const wider =
    after === undefined || after.roles.some((r) => !before.roles.includes(r)) || (after.books === true && before.books !== true);
  if (!wider) return undefined;
  return {
    key: 'readers',
    change: after === undefined ? 'removed' : 'changed',
    text: localize(
      (l) =>
        `${{ 'zh-CN': '可查看等级的员工', 'zh-TW': '可查看等級的員工', en: 'staff who read its levels' }[l]}: ${shownReaders(before)(l)} → ${shownReaders(after)(l)}`,
    ),
  };
}

/** The strongest role `d` asks for anywhere: its override rule's approvers and `loweringNeeds`; at least `approver`. */
export function strongestApprover(d: SchemeDefinition): OverrideApprover {
  const r = overrideRuleOf(d);
  return [r.approvedBy, r.loosenNeeds, d.loweringNeeds].includes('admin') ? 'admin' : 'approver';
}
