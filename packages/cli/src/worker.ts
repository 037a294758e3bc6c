import { parseArgs } from 'node:util';
import { runWorker, workerName } from '@tierkit/api';
import type { Db } from '@tierkit/db';

export const WORKER_USAGE = `  worker [--lease-seconds N] [--poll-ms N] [--json]
                            run re-tier chunks until SIGINT/SIGTERM; on PostgreSQL any number of
                            workers on any number of machines share the queue`;

/** `tierkit worker`: runs until a signal (or `signal`) stops it. Returns the exit code. */
export async function runWorkerCommand(
  db: Db,
  argv: readonly string[],
  out: (line: string) => void,
  signal?: AbortSignal,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { 'lease-seconds': { type: 'string' }, 'poll-ms': { type: 'string' }, json: { type: 'boolean' } },
  });
  const lease = Number(values['lease-seconds'] ?? 60);
  const poll = Number(values['poll-ms'] ?? 1000);
  if (!(lease > 0) || !(poll > 0)) {
    out('worker: --lease-seconds and --poll-ms must be positive numbers');
    return 2;
  }
  const abort = new AbortController();
  const stop = () => abort.abort();
  signal?.addEventListener('abort', stop, { once: true });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const owner = workerName();
  out(values.json ? JSON.stringify({ worker: owner, started: true }) : `worker ${owner}: waiting for chunks (${db.dialect})`);
  try {
    await runWorker({
      db: db.db,
      owner,
      leaseMs: lease * 1000,
      pollMs: poll,
      signal: abort.signal,
      onChunk: ({ jobId, seq, totals }) =>
        out(
          values.json
            ? JSON.stringify({ job: jobId, chunk: seq, processed: totals.processed, changes: totals.changes })
            : `${jobId} chunk ${seq}: ${totals.processed} subjects, ${totals.changes} changes`,
        ),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  out(values.json ? JSON.stringify({ worker: owner, stopped: true }) : `worker ${owner}: stopped`);
  return 0;
}
