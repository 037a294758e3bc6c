import { formatLogLine, logFormatFromEnv, runWorker, workerName, type LogFields, type LogLevel } from '@tierkit/api';
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
  logs: true,
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
  // A worker runs for days under a process manager: its lines are log records (a UTC time and a level,
  // TIERKIT_LOG_FORMAT); with --json its chunk lines stay the documents scripts read.
  const format = logFormatFromEnv(process.env);
  const record = (level: LogLevel, line: string, fields?: LogFields) => formatLogLine(level, line, fields, format);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const owner = workerName();
  io.out(json ? JSON.stringify({ worker: owner, started: true }) : record('info', `worker ${owner}: waiting for chunks (${db.dialect})`));
  try {
    await runWorker({
      db: db.db,
      owner,
      leaseMs: lease * 1000,
      pollMs: poll,
      timeZone,
      signal: abort.signal,
      logError: (e) => io.err(record('error', `worker: ${oneLine(e)}`)),
      logWarn: (msg, fields) => io.err(record('warn', msg, fields)),
      onChunk: ({ jobId, seq, totals }) =>
        io.out(
          json
            ? JSON.stringify({ job: jobId, chunk: seq, processed: totals.processed, changes: totals.changes })
            : record('info', `${jobId} chunk ${seq}: ${totals.processed} subjects, ${totals.changes} changes`),
        ),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  io.out(json ? JSON.stringify({ worker: owner, stopped: true }) : record('info', `worker ${owner}: stopped`));
  return EXIT.ok;
}
