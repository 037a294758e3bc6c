import type { EffectResponse } from '@tierkit/admin';
import { formatValue } from '@tierkit/core/format';
import { groupDigits, MINUS } from '@tierkit/core/money';
import type { ConsoleLocale } from '../words.js';

/*
 * How the effect evaluation's figures read, in the table and in the chart alike (the chart module is
 * loaded later, so this lives apart from both).
 */

/**
 * Fewer matched movers or stayers than this in a month, and that month's difference is marked as not
 * enough to conclude from: with a handful on either side one customer's balance moves the mean.
 */
export const FEW_TO_COMPARE = 30;

/** Whether a month of the matched comparison rests on too few customers to read its effect. */
export function tooFew(e: EffectResponse, month: number): boolean {
  return (e.matched.moved.counts[month] ?? 0) < FEW_TO_COMPARE || (e.matched.stayed.counts[month] ?? 0) < FEW_TO_COMPARE;
}

/** A count in a table: 10,000 customers, not 10000 (the three locales group digits alike). */
export function count(n: number | undefined): string {
  return groupDigits(n ?? 0);
}

const POINTS: Readonly<Record<ConsoleLocale, string>> = { 'zh-CN': ' 个百分点', 'zh-TW': ' 個百分點', en: ' pp' };

/**
 * A mean (or a mean change, or the effect) of the evaluated metric. A yes/no metric's mean is the share
 * of customers with "yes", so its changes read in percentage points, never as 是/否; money arrives
 * rounded to the fen by the API, but a chart's axis asks for any value in between.
 */
export function meanText(v: number, metric: EffectResponse['metric'], locale: ConsoleLocale): string {
  if (metric.unit === 'boolean') {
    const points = Math.round(Math.abs(v) * 100);
    return `${v < 0 && points !== 0 ? MINUS : ''}${points}${POINTS[locale]}`;
  }
  return formatValue(metric.unit === 'money' ? Math.round(v) : v, metric.unit, metric.currency, locale);
}
