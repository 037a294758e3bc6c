import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import {
  BUSY_WAIT_MS,
  HeavyReadFailedError,
  HeavyReadsBusyError,
  HeavyReadTimeoutError,
  isDatabaseBusy,
  isDatabaseUnreachable,
} from '@tierkit/db';
import { ProblemError } from './problem.js';

/** Map anything thrown to a ProblemError; unknown errors become a 500 that reveals nothing. */
export function toProblemError(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  if (err instanceof HTTPException) {
    if (/malformed json/i.test(err.message)) return new ProblemError('malformed-json', 'The body could not be parsed as JSON.');
    if (err.status === 413) return new ProblemError('payload-too-large', err.message);
    if (err.status === 415) return new ProblemError('unsupported-media-type', err.message);
    if (err.status === 404) return new ProblemError('not-found', err.message);
    if (err.status >= 400 && err.status < 500) return new ProblemError('validation', err.message || 'Bad request');
  }
  // A read whose cost grows with the book, run beside the server's thread on SQLite (HeavyReads,
  // docs/operations.md "SQLite: what runs where"): past its bound it was stopped; a read, so nothing changed.
  // Retry-After is the configured bound (TIERKIT_HEAVY_READ_TIMEOUT_MS), in whole seconds rounded up: the
  // same scan asked again holds a reader that long, so sooner than that it only meets a busy server.
  if (err instanceof HeavyReadTimeoutError)
    return new ProblemError(
      'heavy-read-timeout',
      `The read ran longer than ${Math.round(err.timeoutMs / 1000)} s and was stopped; nothing was changed. Narrow it (a book with \`manager\`, a level with \`level\`) or try again later.`,
      undefined,
      { 'Retry-After': String(Math.ceil(err.timeoutMs / 1000)) },
    );
  if (err instanceof HeavyReadsBusyError)
    return new ProblemError(
      'heavy-reads-busy',
      'The server is running as many long reads (tenant-wide lists by a figure, analytics reports) as it allows, with others waiting, or none was free in time; this one was not started. Try again shortly, or narrow it to a book (`manager`).',
      undefined,
      { 'Retry-After': '5' },
    );
  // No reader can start (a file gone, a broken install): refused at once, to be asked again when the
  // next start is tried; the cause is in the server's log, written once when the readers began failing.
  if (err instanceof HeavyReadFailedError && err.retryAfterMs !== undefined)
    return new ProblemError(
      'heavy-read-failed',
      'The process that runs long reads (tenant-wide lists by a figure, analytics reports) cannot start just now; this read was not started and nothing was changed. Try again later, or narrow it to a book (`manager`).',
      undefined,
      { 'Retry-After': String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))) },
    );
  if (err instanceof HeavyReadFailedError)
    return new ProblemError(
      'heavy-read-failed',
      'The process running the read ended before it answered; nothing was changed. Try again.',
      undefined,
      {
        'Retry-After': '5',
      },
    );
  // Another process (a CLI import or re-tier on the same SQLite file) held the write lock for longer
  // than a write waits: nothing was written, and the same request later will go through.
  if (isDatabaseBusy(err))
    return new ProblemError(
      'database-busy',
      `Another process has been writing to the database for over ${BUSY_WAIT_MS / 1000} s (an import or a re-tier); the request was not carried out. Try again shortly.`,
      undefined,
      { 'Retry-After': '5' },
    );
  // PostgreSQL cancelled a statement that ran past statement_timeout (stuck behind a lock, a slow
  // disk): its transaction was rolled back, and the database is up, so this is "busy", not "down".
  if (isStatementTimeout(err))
    return new ProblemError(
      'database-busy',
      'The database took too long over this request and cancelled it; the request was not carried out. Try again shortly.',
      undefined,
      { 'Retry-After': '5' },
    );
  // PostgreSQL restarting, failing over or out of reach: not a fault of this server or the request, and
  // the pool reconnects by itself, so the caller (a load balancer too) is told to come back, not that it broke.
  if (isDatabaseUnreachable(err))
    return new ProblemError(
      'database-unavailable',
      'The database cannot be reached just now; try again shortly. A write answered this was not carried out, unless the connection was lost while it was being committed: retry it with the same Idempotency-Key to be sure.',
      undefined,
      { 'Retry-After': '5' },
    );
  return new ProblemError('internal', 'Something went wrong on our side; the request changed nothing.');
}

/** PostgreSQL's `query_canceled` (SQLSTATE 57014), which `statement_timeout` raises. */
function isStatementTimeout(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++)
    if ((e as { code?: unknown }).code === '57014') return true;
  return false;
}

/** The app's single error handler: every failure leaves as `application/problem+json`. */
export function problemResponse(err: unknown, c: Context, log: (err: unknown) => void): Response {
  const problem = toProblemError(err);
  // An unreachable database is the operator's to see in the log, as an unexpected error is — but not a
  // reader that cannot start, which HeavyReads logged once: per request it would be a line for every ask.
  const unstartable = err instanceof HeavyReadFailedError && err.retryAfterMs !== undefined;
  if (problem.kind === 'internal' || problem.kind === 'database-unavailable' || (problem.kind === 'heavy-read-failed' && !unstartable))
    log(err);
  return sendProblem(c, problem);
}

/**
 * A problem as the API answers it: `application/problem+json`, never stored, with the problem's own
 * headers (`Retry-After` …). Exported for the demo server's routes, which refuse in the API's words.
 */
export function sendProblem(c: Context, problem: ProblemError): Response {
  // Through the context, so headers other middleware prepared (CORS) stay on the error response.
  c.header('ETag', undefined);
  c.header('Content-Type', 'application/problem+json; charset=UTF-8');
  c.header('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(problem.headers)) c.header(name, value);
  return c.body(JSON.stringify(problem.toProblem(c.req.path)), problem.status as 400);
}
