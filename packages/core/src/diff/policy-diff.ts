import type { LocalizedText } from '../model/locale.js';
import type { MetricDef } from '../model/metric.js';
import type { SchemeSummary } from '../model/scheme.js';
import type { Condition, Policy } from '../policy/policy-schema.js';
import { walkThresholds } from '../policy/check-conditions.js';
import { derivedSources } from '../policy/dependencies.js';
import { thresholdLabel } from '../engine/condition.js';
import { formatValue, localize, windowText } from '../format/format-value.js';

/** One change between two versions of a policy, in words an approver can read. */
export interface PolicyChange {
  /** Stable key of what changed (`rule:gold/gold.balance`, `band:star-3`, `hysteresis`). */
  readonly key: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly text: LocalizedText;
}

interface Entry {
  readonly value: string;
  readonly label: LocalizedText;
}

/**
 * What changed from `before` to `after` (two versions of one scheme's policy): thresholds, routes,
 * triggers, score factors and bands, hysteresis, derivation tables. `scheme` gives level names.
 */
export function diffPolicies(before: Policy, after: Policy, scheme: SchemeSummary, metrics: readonly MetricDef[]): PolicyChange[] {
  const ctx = { scheme, metrics: new Map(metrics.map((m) => [m.key, m])) };
  const a = entries(before, ctx);
  const b = entries(after, ctx);
  const out: PolicyChange[] = [];
  if (before.kind !== after.kind) {
    out.push({
      key: 'kind',
      change: 'changed',
      text: localize((l) => `${{ 'zh-CN': '策略类型：', 'zh-TW': '策略類型：', en: 'policy kind: ' }[l]}${before.kind} → ${after.kind}`),
    });
  }
  for (const [key, e] of a) {
    const n = b.get(key);
    if (!n)
      out.push({
        key,
        change: 'removed',
        text: localize((l) => `${l === 'en' ? 'removed' : l === 'zh-TW' ? '刪除' : '删除'}: ${e.label[l]}`),
      });
    else if (n.value !== e.value)
      out.push({
        key,
        change: 'changed',
        text: localize((l) => `${l === 'en' ? 'changed' : l === 'zh-TW' ? '修改' : '修改'}: ${e.label[l]} → ${n.label[l]}`),
      });
  }
  for (const [key, n] of b) {
    if (!a.has(key))
      out.push({ key, change: 'added', text: localize((l) => `${l === 'en' ? 'added' : l === 'zh-TW' ? '新增' : '新增'}: ${n.label[l]}`) });
  }
  return out;
}

interface Ctx {
  readonly scheme: SchemeSummary;
  readonly metrics: ReadonlyMap<string, MetricDef>;
}

function levelName(ctx: Ctx, key: string): LocalizedText {
  return ctx.scheme.levels.find((l) => l.key === key)?.name ?? localize(() => key);
}

function conditionEntries(out: Map<string, Entry>, prefix: string, cond: Condition, owner: LocalizedText, ctx: Ctx): void {
  walkThresholds(cond, [], (leaf, path) => {
    const id = leaf.id ?? path.join('.');
    const label = thresholdLabel(leaf, ctx.metrics.get(leaf.metric));
    out.set(`${prefix}/${id}`, { value: JSON.stringify(leaf), label: localize((l) => `${owner[l]}: ${label[l]}`) });
  });
}

function entries(p: Policy, ctx: Ctx): Map<string, Entry> {
  const out = new Map<string, Entry>();
  if (p.kind === 'rules' || p.kind === 'score') {
    for (const t of p.triggers ?? []) {
      const to = levelName(ctx, t.level);
      conditionEntries(
        out,
        `trigger:${t.id}`,
        t.when,
        localize((l) => `${t.label[l]} → ${to[l]}`),
        ctx,
      );
    }
    const h = p.hysteresis;
    if (h) {
      out.set('hysteresis', {
        value: JSON.stringify(h),
        label: localize((l) => {
          const pct = h.retentionPermille === undefined ? undefined : h.retentionPermille / 10;
          const per =
            pct === undefined
              ? ''
              : {
                  'zh-CN': `，达到标准的 ${pct}% 即保级`,
                  'zh-TW': `，達到標準的 ${pct}% 即保級`,
                  en: `, kept while ≥ ${pct} % of the line`,
                }[l];
          const n = h.downgradeAfterPeriods;
          if (n === 0)
            return { 'zh-CN': `低于标准即降级${per}`, 'zh-TW': `低於標準即降級${per}`, en: `downgrade at once when below${per}` }[l];
          return {
            'zh-CN': `连续 ${n} 期低于标准后降级${per}`,
            'zh-TW': `連續 ${n} 期低於標準後降級${per}`,
            en: `downgrade after ${n} period${n === 1 ? '' : 's'} below${per}`,
          }[l];
        }),
      });
    }
  }
  if (p.kind === 'rules') {
    for (const r of p.levels) conditionEntries(out, `rule:${r.level}`, r.when, levelName(ctx, r.level), ctx);
  } else if (p.kind === 'score') {
    for (const f of p.factors) {
      const def = ctx.metrics.get(f.metric);
      out.set(`factor:${f.id}`, {
        value: JSON.stringify(f),
        label: localize((l) => {
          const w = windowText(f.window, l);
          const tr = f.transform;
          const how =
            tr.kind === 'linear'
              ? `${formatValue(tr.from, def?.unit ?? 'count', def?.currency, l)} – ${formatValue(tr.to, def?.unit ?? 'count', def?.currency, l)}`
              : tr.kind === 'bands'
                ? tr.bands.map((b) => `≥ ${formatValue(b.min, def?.unit ?? 'count', def?.currency, l)}: ${b.points}`).join(', ')
                : { 'zh-CN': '是/否', 'zh-TW': '是/否', en: 'yes/no' }[l];
          return `${def?.label[l] ?? f.metric}${w ? ` (${w})` : ''} ×${f.weight}% [${how}]`;
        }),
      });
    }
    for (const b of p.bands) {
      const name = levelName(ctx, b.level);
      out.set(`band:${b.level}`, {
        value: String(b.min),
        label: localize((l) => `${name[l]}: ${{ 'zh-CN': '评分', 'zh-TW': '評分', en: 'score' }[l]} ≥ ${b.min}`),
      });
    }
  } else if (p.kind === 'derived') {
    derivedSources(p).forEach((src, i) => {
      for (const [from, to] of Object.entries(src.map)) {
        const name = levelName(ctx, to);
        out.set(i === 0 ? `map:${from}` : `map:${src.from}:${from}`, {
          value: to,
          label: localize((l) => `${src.from} ${from} → ${name[l]}`),
        });
      }
    });
  }
  return out;
}

/**
 * What changed from `before` to `after` (two versions of one scheme) as its approver weighs it: the
 * policy's own changes ({@link diffPolicies}), then the levels (added, removed, renamed, re-ranked),
 * which of them need a second person's sign-off and how often they are reviewed, and who may override
 * the scheme. A checker signing off a version approves all of it, not the thresholds alone.
 */
export function diffSchemes(
  before: SchemeSummary & { readonly policy: Policy },
  after: SchemeSummary & { readonly policy: Policy },
  metrics: readonly MetricDef[],
): PolicyChange[] {
  const out = diffPolicies(before.policy, after.policy, after, metrics);
  const a = schemeEntries(before);
  const b = schemeEntries(after);
  for (const [key, e] of a) {
    const n = b.get(key);
    if (!n)
      out.push({
        key,
        change: 'removed',
        text: localize((l) => `${l === 'en' ? 'removed' : l === 'zh-TW' ? '刪除' : '删除'}: ${e.label[l]}`),
      });
    else if (n.value !== e.value)
      out.push({ key, change: 'changed', text: localize((l) => `${l === 'en' ? 'changed' : '修改'}: ${e.label[l]} → ${n.label[l]}`) });
  }
  for (const [key, n] of b) {
    if (!a.has(key)) out.push({ key, change: 'added', text: localize((l) => `${l === 'en' ? 'added' : '新增'}: ${n.label[l]}`) });
  }
  return out;
}

const ROLE_WORDS = {
  approver: { 'zh-CN': '审批人', 'zh-TW': '審核人', en: 'an approver' },
  admin: { 'zh-CN': '管理员', 'zh-TW': '管理員', en: 'an admin' },
} as const;
const REQUESTER_WORDS = {
  book: { 'zh-CN': '客户经理及以上', 'zh-TW': '客戶經理及以上', en: 'relationship managers and above' },
  tenant: { 'zh-CN': '全行视角的专员及以上', 'zh-TW': '全行視角的專員及以上', en: 'bank-wide officers and above' },
  none: { 'zh-CN': '不允许调整', 'zh-TW': '不允許調整', en: 'nobody' },
} as const;

function schemeEntries(s: SchemeSummary): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const lv of s.levels) {
    out.set(`level:${lv.key}`, {
      value: JSON.stringify([lv.rank, lv.name]),
      label: localize(
        (l) =>
          `${{ 'zh-CN': '等级', 'zh-TW': '等級', en: 'level' }[l]} ${lv.name[l]} (${lv.key}, ${{ 'zh-CN': '序位', 'zh-TW': '序位', en: 'rank' }[l]} ${lv.rank})`,
      ),
    });
    out.set(`approval:${lv.key}`, {
      value: JSON.stringify([lv.approvalRequired === true, lv.whilePending ?? 'apply', lv.reviewMonths ?? null]),
      label: localize((l) => {
        const signOff = lv.approvalRequired
          ? { 'zh-CN': '需第二人复核', 'zh-TW': '需第二人覆核', en: 'needs a second person’s sign-off' }[l]
          : { 'zh-CN': '无需复核', 'zh-TW': '無需覆核', en: 'no sign-off' }[l];
        const review =
          lv.reviewMonths === undefined
            ? ''
            : {
                'zh-CN': `，每 ${lv.reviewMonths} 个月复查`,
                'zh-TW': `，每 ${lv.reviewMonths} 個月複查`,
                en: `, reviewed every ${lv.reviewMonths} months`,
              }[l];
        return `${lv.name[l]}: ${signOff}${review}`;
      }),
    });
  }
  const r = s.overrides;
  out.set('overrides', {
    value: JSON.stringify(r ?? null),
    label: localize((l) => {
      const head = { 'zh-CN': '人工调整', 'zh-TW': '人工調整', en: 'overrides' }[l];
      if (!r) return `${head}: ${{ 'zh-CN': '默认规则', 'zh-TW': '預設規則', en: 'the default rule' }[l]}`;
      const days =
        r.maxDays === null
          ? { 'zh-CN': '可不设期限', 'zh-TW': '可不設期限', en: 'no end required' }[l]
          : { 'zh-CN': `最长 ${r.maxDays} 天`, 'zh-TW': `最長 ${r.maxDays} 天`, en: `at most ${r.maxDays} days` }[l];
      const step =
        r.maxStep === undefined
          ? ''
          : { 'zh-CN': `，最多调 ${r.maxStep} 级`, 'zh-TW': `，最多調 ${r.maxStep} 級`, en: `, at most ${r.maxStep} level(s) away` }[l];
      const loosen =
        r.loosenNeeds === undefined
          ? ''
          : {
              'zh-CN': `，放松须${ROLE_WORDS[r.loosenNeeds][l]}`,
              'zh-TW': `，放寬須${ROLE_WORDS[r.loosenNeeds][l]}`,
              en: `, loosening needs ${ROLE_WORDS[r.loosenNeeds][l]}`,
            }[l];
      const by = { 'zh-CN': '申请', 'zh-TW': '申請', en: 'filed by' }[l];
      const ok = { 'zh-CN': '审批', 'zh-TW': '審核', en: 'approved by' }[l];
      const sep = l === 'en' ? ', ' : '，';
      return `${head}: ${by} ${REQUESTER_WORDS[r.requestedBy][l]}${sep}${ok} ${ROLE_WORDS[r.approvedBy][l]}${sep}${days}${step}${loosen}`;
    }),
  });
  return out;
}
