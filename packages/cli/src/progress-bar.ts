import { SingleBar } from 'cli-progress';

/** A progress bar on stderr over a byte count, with rows, rows per second and the time left. */
export interface ProgressBar {
  update(bytes: number, rows: number): void;
  stop(): void;
}

const MB = 1024 * 1024;

/**
 * The time left at the rate so far, or `—` until there is a rate: cli-progress's own `eta_formatted`
 * read `NFs` on the first frame, before anything was done. `done` and `total` in any unit.
 */
export function etaText(done: number, total: number, elapsedSeconds: number): string {
  if (!(done > 0) || !(elapsedSeconds > 0)) return '—';
  const left = Math.max(0, Math.round(((total - done) * elapsedSeconds) / done));
  if (left < 60) return `${left}s`;
  if (left < 3600) return `${Math.floor(left / 60)}m${left % 60}s`;
  return `${Math.floor(left / 3600)}h${Math.floor((left % 3600) / 60)}m`;
}

/** A bar for work over `totalBytes`; a no-op when `enabled` is false (no terminal, or --json). */
export function progressBar(totalBytes: number, enabled: boolean): ProgressBar {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    format: 'import |{bar}| {percentage}% | {mb}/{totalMb} MB | {rows} rows | {rate} rows/s | ETA {eta}',
    hideCursor: true,
    stream: process.stderr,
  });
  const started = Date.now();
  bar.start(Math.max(totalBytes, 1), 0, {
    mb: '0.0',
    totalMb: (totalBytes / MB).toFixed(1),
    rows: 0,
    rate: 0,
    eta: etaText(0, totalBytes, 0),
  });
  return {
    update(bytes, rows) {
      const seconds = (Date.now() - started) / 1000;
      bar.update(bytes, {
        mb: (bytes / MB).toFixed(1),
        rows: rows.toLocaleString('en'),
        rate: seconds > 0 ? Math.round(rows / seconds).toLocaleString('en') : 0,
        eta: etaText(bytes, totalBytes, seconds),
      });
    },
    stop() {
      bar.stop();
    },
  };
}
