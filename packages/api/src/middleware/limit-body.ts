import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ProblemError } from '../problem.js';

/** Refuse request bodies over `maxBytes` with a 413 problem, before anything parses them. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ProblemError('payload-too-large', `Request bodies are limited to ${maxBytes} bytes; split the upload into several requests.`);
    },
  });
}
