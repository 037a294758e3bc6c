import type { ImportRowError } from '@tierkit/core/wire';

/*
 * Internal audit examines how an import went — its file, counts, which lines and columns were refused
 * and why — never the customers' figures in it: a refused cell is a balance mistyped, a customer number,
 * a closing date. An auditor reads row errors without the cell's text (docs/permissions.md, "Internal audit").
 */

/** What stands for a refused cell's text in a row error an auditor reads. */
const CELL = 'the cell';

/**
 * `e` without the cell's text: `params.value` dropped and the message's quoted copy of it (`"12,3.4" is not
 * an amount …`, check-rows.ts) said as "the cell". A row error stored before errors had params carries its
 * value only in the message, as the first quoted text before ` is `: that is cut too.
 */
export function withoutCellValue(e: ImportRowError): ImportRowError {
  const { value, ...params } = (e.params ?? {}) as Record<string, unknown>;
  const quoted = typeof value === 'string' ? `"${value}"` : undefined;
  const message =
    quoted !== undefined && e.message.includes(quoted)
      ? e.message.split(quoted).join(CELL)
      : e.params === undefined || value !== undefined
        ? e.message.replace(/^"[\s\S]*"(?= is )/, CELL)
        : e.message;
  return { ...e, message, ...(e.params !== undefined ? { params: params as NonNullable<ImportRowError['params']> } : {}) };
}
