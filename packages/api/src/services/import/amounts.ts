/*
 * Numbers in import files are read as text and converted with integer arithmetic only: a yuan amount
 * never passes through a float (0.1 + 0.2 ≠ 0.3), so ¥1,234.56 is exactly 123456 fen.
 */

import { IMPORT_AMOUNTS, type ImportAmounts } from '@tierkit/core';

/** How money columns are written in a file: yuan with at most two decimals, or integer fen. */
export const AMOUNT_UNITS = IMPORT_AMOUNTS;
export type AmountUnit = ImportAmounts;

const INTEGER = /^-?\d{1,15}$/;

/** An integer written in plain digits (optional minus), or undefined. */
export function parseInteger(text: string): number | undefined {
  return INTEGER.test(text) ? Number(text) : undefined;
}

/** Yuan with at most two decimals as integer fen: core's, the one parser of typed yuan. */
export { yuanToFen } from '@tierkit/core';
