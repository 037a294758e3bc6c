/*
 * Numbers in import files are read as text and converted with integer arithmetic only: a yuan amount
 * never passes through a float (0.1 + 0.2 ≠ 0.3), so ¥1,234.56 is exactly 123456 fen.
 */

/** How money columns are written in a file: yuan with at most two decimals, or integer fen. */
export const AMOUNT_UNITS = ['yuan', 'fen'] as const;
export type AmountUnit = (typeof AMOUNT_UNITS)[number];

const INTEGER = /^-?\d{1,15}$/;
const YUAN = /^(\d{1,13})(?:\.(\d{1,2}))?$/;

/** An integer written in plain digits (optional minus), or undefined. */
export function parseInteger(text: string): number | undefined {
  return INTEGER.test(text) ? Number(text) : undefined;
}

/** Yuan with at most two decimals (`1234.5`, `1234.56`, `1234`) as integer fen, or undefined. */
export function yuanToFen(text: string): number | undefined {
  const m = YUAN.exec(text);
  if (!m) return undefined;
  // At most 13 integer digits: 13 + 2 digits of fen stay far below 2^53, so both parts are exact.
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
