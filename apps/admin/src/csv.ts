// The writer is core's (@tierkit/core/csv), shared with the audit export; the console adds the download.
export { csvCell, csvText, type CsvCell } from '@tierkit/core/csv';

/** Offer `text` as a download named `name` (client-side: the figures are already on the page). */
export function downloadCsv(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
