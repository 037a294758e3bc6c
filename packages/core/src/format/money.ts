/*
 * The one home of money and number formatting for people to read: the API's explanations, the
 * policy diff and the widgets all print amounts with these, so `¥12,000` reads the same everywhere.
 * Money arrives in integer minor units (fen) and is split by integer arithmetic (a float division
 * would misprint large sums); decimals appear only when there are fen. zh-CN, zh-TW and en group
 * digits the same way, so no Intl data is needed. Depends on nothing, so a widget bundle can take it.
 *
 * The symbol is the reader's, as Intl.NumberFormat's `style: 'currency'` writes it: ¥ is the yuan only
 * to a mainland reader (zh-CN, where the yen is JP¥); in Taiwan, Hong Kong and English ¥ is the yen, so
 * the yuan is CN¥ there.
 */

const SYMBOLS: Readonly<Record<string, string>> = { CNY: '¥', HKD: 'HK$', TWD: 'NT$', USD: '$', EUR: '€', GBP: '£', JPY: '¥' };
/** Minor units per major unit; JPY has none. */
const MINOR: Readonly<Record<string, number>> = { JPY: 1 };
/** A real minus sign reads better than a hyphen next to digits, and screen readers say "minus". */
export const MINUS = '\u2212';

/** A whole number with its thousands grouped: `12000` → `12,000`. */
export function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * `¥12,000`, `¥12,000.50`, `−¥300`, `HK$1,000`, `CHF 1,000` for a zh-CN reader, `CN¥12,000` for a zh-TW
 * or en one; `minor` is a whole number of minor units.
 */
export function formatMoney(minor: number, currency = 'CNY', locale = 'zh-CN'): string {
  const per = MINOR[currency] ?? 100;
  const abs = Math.abs(minor);
  const fraction = abs % per;
  const cents = fraction ? `.${String(fraction).padStart(2, '0')}` : '';
  const s = SYMBOLS[currency] ?? `${currency} `;
  // ¥ is the yuan to a mainland reader and the yen to every other: the one it is not to this reader is
  // written with its country, CN¥ or JP¥.
  return `${minor < 0 ? MINUS : ''}${s === '¥' && (locale === 'zh-CN') !== (currency === 'CNY') ? currency.slice(0, 2) + s : s}${groupDigits((abs - fraction) / per)}${cents}`;
}

/**
 * A gap still to close (money a customer must add to reach a line) as people are told it: rounded UP
 * to a whole major unit, so ¥46,631.31 missing is said as ¥46,632 and `formatMoney` prints no fen. A
 * customer is never told less than they need, nor a precision no one moves money to; core's
 * progressSentence (the badge's, and any portal's that words a path the API sent) and an RM's call list
 * say this one figure (packages/api/README.md, "What a customer sees"). Not for balances or thresholds,
 * which stay exact. A currency without minor units (JPY) is whole already; a met line (zero, or a
 * negative difference) needs nothing.
 */
export function gapUp(minor: number, currency = 'CNY'): number {
  if (minor <= 0) return 0;
  const per = MINOR[currency] ?? 100;
  // Integer arithmetic, as formatMoney: a float division would misround the largest sums.
  const fraction = minor % per;
  return fraction ? minor - fraction + per : minor;
}

const YUAN = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

/**
 * Yuan as people type them (`1234.5`, `1234.56`, `1234`) as integer fen, or undefined: integer
 * arithmetic only, so ¥1,234.56 is exactly 123456 fen (an import file's cell, an editor's field).
 */
export function yuanToFen(text: string): number | undefined {
  const m = YUAN.exec(text);
  if (!m) return undefined;
  // At most 13 integer digits: 13 + 2 digits of fen stay far below 2^53, so both parts are exact.
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Integer fen as the plain yuan a field shows and `yuanToFen` reads back: `5000000` → `50000`, `5` → `0.05`. */
export function fenToYuanText(minor: number): string {
  const abs = Math.abs(minor);
  const fraction = abs % 100;
  return `${minor < 0 ? '-' : ''}${(abs - fraction) / 100}${fraction ? `.${String(fraction).padStart(2, '0').replace(/0$/, '')}` : ''}`;
}
