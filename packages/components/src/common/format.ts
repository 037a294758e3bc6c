import type { Locale } from '@tierkit/core';
import { MINUS } from '@tierkit/core/money';

/*
 * Number formatting for widgets beyond money: rates, multipliers, counts and periods. Money is
 * printed by core's `formatMoney` (@tierkit/core/money), the one the API's explanations use too, so
 * a gap reads `¥12,000` in the widget and in the API alike.
 */

function numberLocale(locale: Locale): string {
  return locale === 'en' ? 'en-US' : locale;
}

function sign(n: number, always: boolean): string {
  if (n < 0) return MINUS;
  return always && n > 0 ? '+' : '';
}

/** Signed basis points: `+20 bp`, `−30 bp`. */
export function formatBp(bp: number): string {
  return `${sign(bp, true)}${Math.abs(bp)} bp`;
}

/** Signed percent from basis points with two decimals: `+0.20 %`, `−0.30 %`. */
export function formatPercentFromBp(bp: number, locale: Locale): string {
  const n = new Intl.NumberFormat(numberLocale(locale), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${sign(bp, true)}${n.format(Math.abs(bp) / 100)} %`;
}

/** A limit multiplier from per-mille: 1500 → `1.5×`, 2000 → `2×`. */
export function formatMultiplier(permille: number, locale: Locale): string {
  const n = new Intl.NumberFormat(numberLocale(locale), { maximumFractionDigits: 3 });
  return `${n.format(permille / 1000)}×`;
}

/** A whole number in the locale's grouping: `12,000`. */
export function formatCount(n: number, locale: Locale): string {
  return new Intl.NumberFormat(numberLocale(locale)).format(n);
}

/** A `YYYY-MM` period as the locale writes it: `2025年3月`, `Mar 2025`. */
export function formatPeriod(period: string, locale: Locale): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) return period;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return new Intl.DateTimeFormat(numberLocale(locale), { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(d);
}
