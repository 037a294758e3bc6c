import type { Locale } from '@tierkit/core';
import { MINUS } from '@tierkit/core/money';

/*
 * Number formatting for widgets beyond money: rates, multipliers and counts. Money is printed by
 * core's `formatMoney` (@tierkit/core/money), the one the API's explanations use too, so a gap reads
 * `¥12,000` in the widget and in the API alike (a gap rounded up to whole yuan by core's `gapUp`, inside
 * `progressSentence`); a month by core's `formatPeriod` (@tierkit/core/period),
 * so the timeline and the console write it alike. `en` is US English to Intl (1,204; Oct 1, 2026): the
 * locale goes to Intl as it is.
 */

function sign(n: number, always: boolean): string {
  if (n < 0) return MINUS;
  return always && n > 0 ? '+' : '';
}

/**
 * Signed percent from basis points with two decimals, no space, as Chinese and English write it:
 * `+0.20%`, `−0.30%`. Percent only: "bp" means nothing to a customer, and the two decimals carry
 * every basis point.
 */
export function formatPercentFromBp(bp: number, locale: Locale): string {
  const n = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${sign(bp, true)}${n.format(Math.abs(bp) / 100)}%`;
}

/** A limit multiplier from per-mille: 1500 → `1.5倍` in Chinese, `1.5×` in English; 2000 → `2倍`, `2×`. */
export function formatMultiplier(permille: number, locale: Locale): string {
  const n = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });
  return n.format(permille / 1000) + (locale === 'en' ? '×' : '倍');
}

/** A whole number in the locale's grouping: `12,000`. */
export function formatCount(n: number, locale: Locale): string {
  return new Intl.NumberFormat(locale).format(n);
}
