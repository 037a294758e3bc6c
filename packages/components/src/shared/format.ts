import type { Locale } from '@tierkit/core';

/*
 * Number formatting for widgets. Money arrives in integer minor units (fen) and is divided only for
 * display. Two styles, chosen per use:
 * - symbol (`formatMoney`): `¥12,000` in every locale, decimals only when there are fen — used for
 *   gaps and amounts a customer compares ("再增加 ¥12,000 …");
 * - compact (`formatMoneyCompact`): `5万元` / `150万元` (zh-CN), `5萬元` (zh-TW), `¥50K` / `¥1.5M` (en) — used
 *   for thresholds and counts where the round figure reads better.
 */

const SYMBOLS: Readonly<Record<string, string>> = { CNY: '¥', HKD: 'HK$', USD: '$', EUR: '€', GBP: '£', JPY: '¥' };
/** Minor units per major unit; JPY has none. */
const MINOR: Readonly<Record<string, number>> = { JPY: 1 };
/** A real minus sign reads better than a hyphen next to digits and screen readers say "minus". */
const MINUS = '\u2212';

function numberLocale(locale: Locale): string {
  return locale === 'en' ? 'en-US' : locale;
}

function sign(n: number, always: boolean): string {
  if (n < 0) return MINUS;
  return always && n > 0 ? '+' : '';
}

/** `¥12,000`, `¥12,000.50`, `−¥300`, `HK$1,000`, `CHF 1,000`. */
export function formatMoney(minor: number, currency: string, locale: Locale): string {
  const per = MINOR[currency] ?? 100;
  const abs = Math.abs(minor);
  const hasFraction = abs % per !== 0;
  const digits = new Intl.NumberFormat(numberLocale(locale), {
    minimumFractionDigits: hasFraction ? 2 : 0,
    maximumFractionDigits: hasFraction ? 2 : 0,
  }).format(abs / per);
  const symbol = SYMBOLS[currency];
  return `${sign(minor, false)}${symbol ?? `${currency} `}${digits}`;
}

/** `5万元` / `1.2万元` / `3,000元` (zh), `5萬元` (zh-TW), `¥50K` / `¥1.5M` (en). Non-CNY falls back to symbol style. */
export function formatMoneyCompact(minor: number, currency: string, locale: Locale): string {
  if (currency !== 'CNY') return formatMoney(minor, currency, locale);
  const yuan = Math.abs(minor) / 100;
  const s = sign(minor, false);
  const one = (n: number) => new Intl.NumberFormat(numberLocale(locale), { maximumFractionDigits: 1 }).format(n);
  if (locale === 'en') {
    if (yuan >= 1_000_000) return `${s}¥${one(yuan / 1_000_000)}M`;
    if (yuan >= 1_000) return `${s}¥${one(yuan / 1_000)}K`;
    return `${s}¥${one(yuan)}`;
  }
  const wan = locale === 'zh-TW' ? '萬' : '万';
  const yi = locale === 'zh-TW' ? '億' : '亿';
  if (yuan >= 100_000_000) return `${s}${one(yuan / 100_000_000)}${yi}元`;
  if (yuan >= 10_000) return `${s}${one(yuan / 10_000)}${wan}元`;
  return `${s}${one(yuan)}元`;
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

/**
 * A calendar date of an ISO instant in a time zone (the bank's, default Asia/Shanghai, so a change
 * at 23:30Z on the 31st shows as the 1st, as the customer lived it).
 */
export function formatDate(iso: string, locale: Locale, timeZone = 'Asia/Shanghai'): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(numberLocale(locale), { year: 'numeric', month: 'short', day: 'numeric', timeZone }).format(d);
}

/** The year of an ISO instant in a time zone, for grouping. */
export function yearOf(iso: string, timeZone = 'Asia/Shanghai'): number {
  const d = new Date(iso);
  return Number(new Intl.DateTimeFormat('en-US', { year: 'numeric', timeZone }).format(d));
}

/** A `YYYY-MM` period as the locale writes it: `2025年3月`, `Mar 2025`. */
export function formatPeriod(period: string, locale: Locale): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m) return period;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return new Intl.DateTimeFormat(numberLocale(locale), { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(d);
}
