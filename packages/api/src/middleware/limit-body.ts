import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ProblemError } from '../problem.js';

/**
 * Refuse request bodies over `maxBytes` with a 413 problem, before anything parses them. GET and
 * HEAD requests carry no body (a fetch Request cannot have one), and asking for it would make the
 * Node adapter build a full Request and stream on every read.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ProblemError(
        'payload-too-large',
        `Request bodies are limited to ${maxBytes} bytes; split the upload into several requests.`,
      );
    },
  });
  return (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limit(c, next));
}
