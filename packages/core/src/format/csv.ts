/*
 * CSV for a spreadsheet, the one writer of every export (console tables, audit export): UTF-8 with a
 * byte-order mark (Excel reads Chinese text as UTF-8 only with it), CRLF line ends (RFC 4180), every
 * text cell quoted, and a cell a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start)
 * prefixed with an apostrophe, so a label typed into the catalogue cannot become a formula on a
 * manager's machine (OWASP "CSV injection"). Numbers stay numbers: a negative figure is a number, not
 * text. Depends on nothing, so that any bundle may import it (the embed's import map included).
 */

export type CsvCell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: a finite number or a boolean as written, nothing for a missing one, text formula-safe and quoted. */
export function csvCell(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  if (typeof cell === 'boolean') return String(cell);
  const safe = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return `"${safe.replaceAll('"', '""')}"`;
}

/** One row, without its line end. */
export function csvLine(row: readonly CsvCell[]): string {
  return row.map(csvCell).join(',');
}

/** The whole file: BOM, rows joined by CRLF, a CRLF after the last. */
export function csvText(rows: readonly (readonly CsvCell[])[]): string {
  return `\uFEFF${rows.map(csvLine).join('\r\n')}\r\n`;
}
