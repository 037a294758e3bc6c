import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { BUSY_WAIT_MS, isDatabaseBusy } from '@tierkit/db';
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
  // Another process (a CLI import or re-tier on the same SQLite file) held the write lock for longer
  // than a write waits: nothing was written, and the same request later will go through.
  if (isDatabaseBusy(err))
    return new ProblemError(
      'database-busy',
      `Another process has been writing to the database for over ${BUSY_WAIT_MS / 1000} s (an import or a re-tier); the request changed nothing. Try again shortly.`,
      undefined,
      { 'Retry-After': '5' },
    );
  return new ProblemError('internal', 'Something went wrong on our side; the request changed nothing.');
}

/** The app's single error handler: every failure leaves as `application/problem+json`. */
export function problemResponse(err: unknown, c: Context, log: (err: unknown) => void): Response {
  const problem = toProblemError(err);
  if (problem.kind === 'internal') log(err);
  // Through the context, so headers other middleware prepared (CORS) stay on the error response.
  c.header('ETag', undefined);
  c.header('Content-Type', 'application/problem+json; charset=UTF-8');
  c.header('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(problem.headers)) c.header(name, value);
  return c.body(JSON.stringify(problem.toProblem(c.req.path)), problem.status as 400);
}
