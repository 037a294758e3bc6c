import { SingleBar } from 'cli-progress';

/** A progress bar on stderr over a byte count, with rows, rows per second and the time left. */
export interface ProgressBar {
  update(bytes: number, rows: number): void;
  stop(): void;
}

const MB = 1024 * 1024;

/** A bar for work over `totalBytes`; a no-op when `enabled` is false (no terminal, or --json). */
export function progressBar(totalBytes: number, enabled: boolean): ProgressBar {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    format: 'import |{bar}| {percentage}% | {mb}/{totalMb} MB | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 50,
    stream: process.stderr,
  });
  const started = Date.now();
  bar.start(Math.max(totalBytes, 1), 0, { mb: '0.0', totalMb: (totalBytes / MB).toFixed(1), rows: 0, rate: 0 });
  return {
    update(bytes, rows) {
      const seconds = (Date.now() - started) / 1000;
      bar.update(bytes, {
        mb: (bytes / MB).toFixed(1),
        rows: rows.toLocaleString('en'),
        rate: seconds > 0 ? Math.round(rows / seconds).toLocaleString('en') : 0,
      });
    },
    stop() {
      bar.stop();
    },
  };
}
