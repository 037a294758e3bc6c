/*
 * CSV the console hands to a spreadsheet: UTF-8 with a byte-order mark (Excel reads Chinese text as
 * UTF-8 only with it), CRLF line ends (RFC 4180), and cells that a spreadsheet would run as a formula
 * (=, +, -, @, tab, CR at the start) prefixed with an apostrophe, so a label typed into the catalogue
 * cannot become a formula on a manager's machine (OWASP "CSV injection"). Numbers stay numbers: a
 * negative figure is written as a number, not as text.
 */

export type CsvCell = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: a number as written, text made formula-safe and quoted when it must be. */
export function csvCell(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  const safe = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The whole file: BOM, rows joined by CRLF, a CRLF after the last. */
export function csvText(rows: readonly (readonly CsvCell[])[]): string {
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** Offer `text` as a download named `name` (client-side: the figures are already on the page). */
export function downloadCsv(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
