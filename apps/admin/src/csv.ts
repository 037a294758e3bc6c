// The writer is core's (@tierkit/core/csv), shared with the audit export; the console adds the download.
export { csvCell, csvText, type CsvCell } from '@tierkit/core/csv';

/** Offer `blob` as a download named `name`: a file the page made, or one fetched with the session's token. */
export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // Later, not at once: a browser may still be reading the Blob for the download it started.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Offer `text` as a download named `name` (client-side: the figures are already on the page). */
export function downloadCsv(name: string, text: string): void {
  downloadBlob(name, new Blob([text], { type: 'text/csv;charset=utf-8' }));
}
