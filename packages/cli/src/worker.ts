import { runWorker, workerName } from '@tierkit/api';
import type { Db } from '@tierkit/db';
import { EXIT } from './command.js';
import type { JobArgs, JobCommand, JobIo } from './job-command.js';
import { oneLine } from './job-output.js';

export const workerCommand: JobCommand = {
  name: 'worker',
  usage: `  worker [--lease-seconds N] [--poll-ms N] [--json]
                            run re-tier chunks until SIGINT/SIGTERM; on PostgreSQL any number of
                            workers on any number of machines share the queue (PostgreSQL only)`,
  // On SQLite one process writes at a time and the server's in-process worker runs the chunks
  // (apps/server/README.md); a separate worker there, without DATABASE_URL, made ./data/tierkit.db and waited forever.
  refusedOnSqlite: 'a worker runs on PostgreSQL only: set DATABASE_URL=postgres://… (on SQLite the server runs re-tier chunks itself)',
  options: { 'lease-seconds': { type: 'string' }, 'poll-ms': { type: 'string' }, json: { type: 'boolean' } },
  run: runWorkerCommand,
};

/** `tierkit worker`: runs until SIGINT or SIGTERM stops it. Returns the exit code. */
async function runWorkerCommand(db: Db, { values, timeZone }: JobArgs, io: JobIo): Promise<number> {
  const lease = Number(values['lease-seconds'] ?? 60);
  const poll = Number(values['poll-ms'] ?? 1000);
  if (!(lease > 0) || !(poll > 0)) {
    io.err('worker: --lease-seconds and --poll-ms must be positive numbers');
    return EXIT.usage;
  }
  const json = values.json === true;
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const owner = workerName();
  io.out(json ? JSON.stringify({ worker: owner, started: true }) : `worker ${owner}: waiting for chunks (${db.dialect})`);
  try {
    await runWorker({
      db: db.db,
      owner,
      leaseMs: lease * 1000,
      pollMs: poll,
      timeZone,
      signal: abort.signal,
      logError: (e) => io.err(`worker: ${oneLine(e)}`),
      onChunk: ({ jobId, seq, totals }) =>
        io.out(
          json
            ? JSON.stringify({ job: jobId, chunk: seq, processed: totals.processed, changes: totals.changes })
            : `${jobId} chunk ${seq}: ${totals.processed} subjects, ${totals.changes} changes`,
        ),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  io.out(json ? JSON.stringify({ worker: owner, stopped: true }) : `worker ${owner}: stopped`);
  return EXIT.ok;
}
