import { MINUS } from '@tierkit/core/money';

/*
 * Number formatting for widgets beyond money: rates, multipliers and counts. Money is printed by
 * core's `formatMoney` (@tierkit/core/money), the one the API's explanations use too, so a gap reads
 * `¥12,000` in the widget and in the API alike (a gap rounded up to whole yuan by core's `gapUp`, inside
 * `progressSentence`); a month by core's `formatPeriod` (@tierkit/core/period),
 * so the timeline and the console write it alike. Each takes the tag Intl formats for — the widget's full
 * tag (LocalizeController's `lang`: `en-GB`, `zh-HK`), not only the locale of its words — since `en`
 * alone is US English to Intl (Oct 1, 2026), and `en-IN` groups a lakh as 1,00,000.
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
export function formatPercentFromBp(bp: number, lang: string): string {
  const n = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${sign(bp, true)}${n.format(Math.abs(bp) / 100)}%`;
}

/** A limit multiplier from per-mille: 1500 → `1.5倍` in Chinese, `1.5×` in English; 2000 → `2倍`, `2×`. */
export function formatMultiplier(permille: number, lang: string): string {
  const n = new Intl.NumberFormat(lang, { maximumFractionDigits: 3 });
  // Chinese (any `zh` tag) writes 倍; every other tag reads English words (locale.ts), so ×.
  return n.format(permille / 1000) + (/^zh/i.test(lang) ? '倍' : '×');
}

/** A whole number in the locale's grouping: `12,000`. */
export function formatCount(n: number, lang: string): string {
  return new Intl.NumberFormat(lang).format(n);
}
