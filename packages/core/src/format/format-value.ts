import type { Locale, LocalizedText } from '../model/locale.js';
import type { MetricUnit, WindowSpec } from '../model/metric.js';
import { LOCALES } from '../model/locale.js';
import { formatMoney, gapUp, groupDigits } from './money.js';

// The units this formats, for a browser client that checks a unit it was sent without core's root (and zod).
export { METRIC_UNITS, type MetricUnit } from '../model/metric.js';
export { formatPeriod, graceDrop } from './period.js';

const UNIT_SUFFIX: Readonly<Record<Exclude<MetricUnit, 'money' | 'count'>, LocalizedText>> = {
  days: { 'zh-CN': ' 天', 'zh-TW': ' 天', en: ' days' },
  score: { 'zh-CN': ' 分', 'zh-TW': ' 分', en: ' points' },
  boolean: { 'zh-CN': '', 'zh-TW': '', en: '' },
  bp: { 'zh-CN': ' bp', 'zh-TW': ' bp', en: ' bp' },
};

/** A metric value as an approver reads it, in one locale. */
export function formatValue(value: number, unit: MetricUnit, currency: string | undefined, locale: Locale): string {
  if (unit === 'money') return formatMoney(value, currency, locale);
  if (unit === 'boolean')
    return value ? { 'zh-CN': '是', 'zh-TW': '是', en: 'yes' }[locale] : { 'zh-CN': '否', 'zh-TW': '否', en: 'no' }[locale];
  const n = Number.isInteger(value) ? groupDigits(value) : String(Math.round(value * 100) / 100);
  return unit === 'count' ? n : `${n}${UNIT_SUFFIX[unit][locale]}`;
}

/**
 * A gap still to reach (a progress path's or a retention line's `gap`) as people are told it: money in
 * whole major units rounded up (money.ts, gapUp), the figure the customer's badge says; other units as
 * `formatValue` writes them. An RM quotes it to the customer; the exact `gap`, `current` and `required`
 * stay in the API for whoever reconciles.
 */
export function formatGap(gap: number, unit: MetricUnit, currency: string | undefined, locale: Locale): string {
  return unit === 'money' ? formatMoney(gapUp(gap, currency), currency, locale) : formatValue(gap, unit, currency, locale);
}

const FN_TEXT: Readonly<Record<WindowSpec['fn'], LocalizedText>> = {
  avg: { 'zh-CN': '平均', 'zh-TW': '平均', en: 'average' },
  min: { 'zh-CN': '最低', 'zh-TW': '最低', en: 'minimum' },
  max: { 'zh-CN': '最高', 'zh-TW': '最高', en: 'maximum' },
  sum: { 'zh-CN': '合计', 'zh-TW': '合計', en: 'total' },
  last: { 'zh-CN': '最近值', 'zh-TW': '最近值', en: 'latest' },
  count: { 'zh-CN': '有数据的月数', 'zh-TW': '有資料的月數', en: 'months with data' },
};

/** "近3个月平均" / "average of the last 3 months"; empty for a plain latest value. */
export function windowText(window: WindowSpec | null | undefined, locale: Locale): string {
  if (!window) return '';
  const fn = FN_TEXT[window.fn][locale];
  if (locale === 'en') return `${fn} of the last ${window.months} month${window.months === 1 ? '' : 's'}`;
  return `近${window.months}${locale === 'zh-TW' ? '個' : '个'}月${fn}`;
}

/**
 * "月日均资产（近3个月平均）" / "Average daily balance (average of the last 3 months)": a metric's name
 * with its window, the one way a rule's condition and a grade's input name what they read; the name
 * alone for a plain latest value.
 */
export function metricWithWindow(name: string, window: WindowSpec | null | undefined, locale: Locale): string {
  const w = windowText(window, locale);
  if (!w) return name;
  return locale === 'en' ? `${name} (${w})` : `${name}（${w}）`;
}

/** Builds a LocalizedText from a function of the locale. */
export function localize(f: (locale: Locale) => string): LocalizedText {
  return Object.fromEntries(LOCALES.map((l) => [l, f(l)])) as LocalizedText;
}
