import type { ImportRowError } from '@tierkit/core/wire';

/*
 * Internal audit examines how an import went — its file, counts, which lines and columns were refused
 * and why — never the customers' figures in it: a refused cell is a balance mistyped, a customer number,
 * a closing date. An auditor reads row errors without the cell's text (docs/permissions.md, "Internal audit").
 */

/** What stands for a refused cell's text in a row error an auditor reads. */
const CELL = 'the cell';

/**
 * Quoted text the messages themselves write (check-rows.ts: what an id may hold), not a cell's: kept,
 * or an auditor would read "1–64 letters, digits, the cell, the cell …".
 */
const OWN_QUOTES = '"_", ".", ":", "-"';

/** Params naming a customer or holding a cell: the subject's number, the refused text. */
const CELL_PARAMS = new Set(['value', 'subject']);

/** A duplicate's "(first value, here other value)": two balances of one customer (duplicates.ts). */
const DUPLICATE_VALUES = / \([^()]*, here [^()]*\)$/;

/** `text` with every quoted text said as the cell, the messages' own quotes kept. */
function quotesAsCell(text: string): string {
  return text.replace(/"[^"]*"/g, CELL);
}

/**
 * `e` without a customer's number or figure: `params.value` and `params.subject` dropped, every quoted
 * text in the message said as "the cell" (a refused cell `"12,3.4" is not an amount …`, the subject of a
 * duplicate, unknown, erased or immutable row), a duplicate's two values cut. The cell's known text is
 * replaced first, so a cell holding a quote mark is cut whole; a row error stored before errors had params
 * carries its value only in the message, as the first quoted text before ` is `: that is cut too.
 */
export function withoutCellValue(e: ImportRowError): ImportRowError {
  const all = (e.params ?? {}) as Record<string, unknown>;
  const params = Object.fromEntries(Object.entries(all).filter(([k]) => !CELL_PARAMS.has(k)));
  let message = e.message;
  for (const k of CELL_PARAMS) {
    const v = all[k];
    if (typeof v === 'string' && v !== '') message = message.split(`"${v}"`).join(CELL);
  }
  message = message.replace(/^"[\s\S]*"(?= is )/, CELL);
  if (e.code === 'duplicate') message = message.replace(DUPLICATE_VALUES, '');
  message = message.split(OWN_QUOTES).map(quotesAsCell).join(OWN_QUOTES);
  return { ...e, message, ...(e.params !== undefined ? { params: params as NonNullable<ImportRowError['params']> } : {}) };
}
