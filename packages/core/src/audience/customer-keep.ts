import type { CustomerDrop, CustomerKeep, CustomerLine } from '../model/api.js';
import type { ProgressPath } from '../model/explanation.js';
import { LOCALES, type Locale, type LocalizedText } from '../model/locale.js';
import type { MetricDef } from '../model/metric.js';
import type { SchemeDefinition } from '../policy/pack-schema.js';
import type { Condition } from '../policy/policy-schema.js';
import { retainedValue } from '../engine/progress.js';
import { DEFAULT_HYSTERESIS } from '../engine/compile-scheme.js';
import { formatValue, metricWithWindow } from '../format/format-value.js';

/*
 * What a customer is told about keeping a level and about losing one, from the customer scheme's
 * published criteria only: the metric's own name with its measure (「月日均资产（近3个月平均）」, the one
 * naming of format-value.ts), the amount and the months. Never a rule id or note: the caller
 * (audience-view.ts) passes lines already cut to the customer's metrics. The sentences are built here,
 * once, in every locale, so the widgets render text the API sent instead of carrying the words in
 * their size-budgeted bundles (packages/components/README.md, "Budgets").
 */

/**
 * "月日均资产（近3个月平均）需达到 ¥500,000": a line's name, `verb` and the amount; a yes/no line quotes
 * its name as a condition instead (pack labels carry their own verb, as progress-sentence.ts does).
 */
const lineText = (l: CustomerLine, locale: Locale, verb: Verb) =>
  l.unit === 'boolean'
    ? verb.yes[locale].replace('%', l.name[locale])
    : `${l.name[locale]}${verb.amount[locale]}${formatValue(l.required, l.unit, l.currency, locale)}`;

interface Verb {
  readonly amount: LocalizedText;
  readonly yes: LocalizedText;
}
const REACH: Verb = {
  amount: { 'zh-CN': '需达到 ', 'zh-TW': '需達到 ', en: ' at or above ' },
  yes: { 'zh-CN': '满足“%”', 'zh-TW': '滿足「%」', en: 'meet “%”' },
};
const UNDER: Verb = {
  amount: { 'zh-CN': '低于 ', 'zh-TW': '低於 ', en: ' under ' },
  yes: { 'zh-CN': '未满足“%”', 'zh-TW': '未滿足「%」', en: 'did not meet “%”' },
};

const each = (f: (locale: Locale) => string): LocalizedText => Object.fromEntries(LOCALES.map((l) => [l, f(l)])) as LocalizedText;

const OR: LocalizedText = { 'zh-CN': '，或', 'zh-TW': '，或', en: ', or ' };
const SEP: LocalizedText = { 'zh-CN': '，', 'zh-TW': '，', en: ', ' };
const AND: LocalizedText = { 'zh-CN': '；', 'zh-TW': '；', en: '; ' };

/** A metric's customer-facing name with its measure, in every locale: 「月日均资产（近3个月平均）」. */
export function measureName(p: Pick<ProgressPath, 'metric' | 'window'>, metrics: readonly MetricDef[]): LocalizedText {
  const label = metrics.find((m) => m.key === p.metric)?.label;
  return each((l) => metricWithWindow(label?.[l] ?? p.metric, p.window, l));
}

function customerLine(
  p: Pick<ProgressPath, 'metric' | 'window' | 'unit' | 'currency' | 'required'>,
  metrics: readonly MetricDef[],
): CustomerLine {
  const line: { -readonly [K in keyof CustomerLine]: CustomerLine[K] } = {
    metric: p.metric,
    name: measureName(p, metrics),
    window: p.window,
    unit: p.unit,
    required: p.required,
  };
  if (p.currency !== undefined) line.currency = p.currency;
  return line;
}

/**
 * Whether a level's condition reads as alternatives: one `≥`/`>` threshold, or an `any` of them. Only
 * then are "holding any one of these keeps it" and "it was below each of these" both true; an `all`, a
 * nested group or a `<` leaf depends on values the customer's lines do not carry (which one failed), so
 * the sentences then say the months only, never a criterion the customer may have met.
 */
export function alternatives(c: Condition | undefined): boolean {
  const line = (x: Condition) => x.kind === 'threshold' && (x.op === 'gte' || x.op === 'gt');
  return c !== undefined && (line(c) || (c.kind === 'any' && c.of.every(line)));
}

/** The month after `period` (`YYYY-MM`): the month whose data the next review reads. */
function monthAfter(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * What keeps a level a customer holds in its grace period (below its line, kept for `periodsAllowed`
 * reviews): null when not in grace. `lines` are the assignment's retention lines as the customer may
 * read them (any one held keeps the level).
 */
export function customerKeep(
  retention: {
    readonly lines: readonly ProgressPath[];
    readonly periodsBelow: number;
    readonly periodsAllowed: number;
    readonly toLevel: string;
  } | null,
  period: string,
  metrics: readonly MetricDef[],
  /** The lines are alternatives (`alternatives()`); otherwise the sentence names the months only. */
  anyOne = true,
): CustomerKeep | null {
  if (!retention || retention.periodsBelow < 1 || !retention.lines.length) return null;
  const lines = anyOne ? retention.lines.map((p) => customerLine(p, metrics)) : [];
  // The level drops at the review that makes `periodsAllowed` months below: the ones before it are left.
  const periodsLeft = Math.max(0, retention.periodsAllowed - retention.periodsBelow);
  const what = (l: Locale) => (lines.length ? lines.map((x) => lineText(x, l, REACH)).join(OR[l]) + SEP[l] : '');
  return {
    toLevel: retention.toLevel,
    lines,
    periodsBelow: retention.periodsBelow,
    periodsLeft,
    nextReview: monthAfter(period),
    text: {
      'zh-CN': `保级期：${what('zh-CN')}剩余 ${periodsLeft} 个月`,
      'zh-TW': `保級期：${what('zh-TW')}剩餘 ${periodsLeft} 個月`,
      en: `Grace period: ${lines.length ? `keep ${what('en')}` : ''}${periodsLeft} month${periodsLeft === 1 ? '' : 's'} left`,
    },
  };
}

/** A condition's `≥`/`>` thresholds in tree order: the lines that keep its level (engine/progress.ts). */
function keepLeaves(c: Condition, out: Extract<Condition, { kind: 'threshold' }>[] = []) {
  if (c.kind === 'threshold') {
    if (c.op === 'gte' || c.op === 'gt') out.push(c);
  } else for (const x of c.of) keepLeaves(x, out);
  return out;
}

/**
 * Why a customer's level was lowered by the rules: the level lost, the months it was below and, when
 * the event was decided under the version in force now (`version`), that level's lines on metrics the
 * customer may see (`open`). Under another version the criteria may have changed since, so the reason
 * names the level and the months only, never an amount the customer was not measured against.
 */
export function customerDrop(
  scheme: SchemeDefinition,
  from: string,
  eventVersion: number | undefined,
  metrics: readonly MetricDef[],
  open: (metric: string) => boolean,
): CustomerDrop {
  const p = scheme.policy;
  const periods = p.kind === 'rules' || p.kind === 'score' ? (p.hysteresis ?? DEFAULT_HYSTERESIS).downgradeAfterPeriods : 0;
  const found = p.kind === 'rules' && p.version === eventVersion ? p.levels.find((l) => l.level === from) : undefined;
  const rule = found && alternatives(found.when) ? found : undefined;
  const permille = p.kind === 'rules' ? p.hysteresis?.retentionPermille : undefined;
  const lines = (rule ? keepLeaves(rule.when) : [])
    .filter((t) => open(t.metric))
    .map((t) => {
      const def = metrics.find((m) => m.key === t.metric);
      return customerLine(
        {
          metric: t.metric,
          window: t.window ?? null,
          unit: def?.unit ?? 'count',
          ...(def?.currency ? { currency: def.currency } : {}),
          required: retainedValue(t.op === 'gt' ? t.value + 1 : t.value, permille),
        },
        metrics,
      );
    });
  const name = scheme.levels.find((l) => l.key === from)?.name ?? each(() => from);
  const months = (l: Locale) =>
    periods < 2 ? '' : l === 'en' ? ` for ${periods} months in a row` : l === 'zh-TW' ? `連續${periods}個月` : `连续${periods}个月`;
  const below = (l: Locale) => lines.map((x) => lineText(x, l, UNDER)).join(AND[l]);
  const text: LocalizedText = lines.length
    ? {
        'zh-CN': `${months('zh-CN')}未达到${name['zh-CN']}标准：${below('zh-CN')}`,
        'zh-TW': `${months('zh-TW')}未達到${name['zh-TW']}標準：${below('zh-TW')}`,
        en: `Below the ${name.en} criteria${months('en')}: ${below('en')}`,
      }
    : {
        'zh-CN': `${months('zh-CN')}未达到${name['zh-CN']}标准`,
        'zh-TW': `${months('zh-TW')}未達到${name['zh-TW']}標準`,
        en: `Below the ${name.en} criteria${months('en')}`,
      };
  return { level: from, periods, lines, text };
}
