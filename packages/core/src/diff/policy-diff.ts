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

/**
 * What changed from `before` to `after` (two versions of one scheme's policy): thresholds, routes,
 * triggers, score factors and bands, hysteresis, derivation tables. `scheme` gives level names.
 */
export function diffPolicies(before: Policy, after: Policy, scheme: SchemeSummary, metrics: readonly MetricDef[]): PolicyChange[] {
  const ctx = { scheme, metrics: new Map(metrics.map((m) => [m.key, m])) };
  const out: PolicyChange[] = [];
  if (before.kind !== after.kind) {
    out.push({
      key: 'kind',
      change: 'changed',
      text: localize((l) => `${{ 'zh-CN': '策略类型：', 'zh-TW': '策略類型：', en: 'policy kind: ' }[l]}${before.kind} → ${after.kind}`),
    });
  }
  out.push(...compareEntries(entries(before, ctx), entries(after, ctx)));
  return out;
}

/** One described part of a document: `value` compares it, `label` says it. */
export interface Entry {
  readonly value: string;
  readonly label: LocalizedText;
}

/** Added, removed and changed entries between two keyed descriptions of a document. */
export function compareEntries(a: ReadonlyMap<string, Entry>, b: ReadonlyMap<string, Entry>): PolicyChange[] {
  const out: PolicyChange[] = [];
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
        text: localize((l) => `${l === 'en' ? 'changed' : '修改'}: ${e.label[l]} → ${n.label[l]}`),
      });
  }
  for (const [key, n] of b) {
    if (!a.has(key)) out.push({ key, change: 'added', text: localize((l) => `${l === 'en' ? 'added' : '新增'}: ${n.label[l]}`) });
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

const GROUP_TEXT: Readonly<Record<'any' | 'all', LocalizedText>> = {
  any: { 'zh-CN': '满足任一条件', 'zh-TW': '滿足任一條件', en: 'any one of its conditions' },
  all: { 'zh-CN': '须同时满足全部条件', 'zh-TW': '須同時滿足全部條件', en: 'all of its conditions' },
};

/** Each any/all group by id or path: turning "any" into "all" moves subjects as surely as a threshold does. */
function groupEntries(out: Map<string, Entry>, prefix: string, cond: Condition, path: readonly PropertyKey[], owner: LocalizedText): void {
  if (cond.kind === 'threshold') return;
  const id = cond.id ?? (path.length ? path.join('.') : 'root');
  out.set(`${prefix}/group:${id}`, {
    value: cond.kind,
    label: localize((l) => `${owner[l]}: ${GROUP_TEXT[cond.kind][l]}`),
  });
  cond.of.forEach((c, i) => {
    groupEntries(out, prefix, c, [...path, 'of', i], owner);
  });
}

function conditionEntries(out: Map<string, Entry>, prefix: string, cond: Condition, owner: LocalizedText, ctx: Ctx): void {
  groupEntries(out, prefix, cond, [], owner);
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
      out.set(`trigger:${t.id}`, { value: JSON.stringify([t.level, t.label]), label: localize((l) => `${t.label[l]} → ${to[l]}`) });
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
