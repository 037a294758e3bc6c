import type { MiddlewareHandler } from 'hono';
import { ProblemError } from '../problem.js';

const JSON_MEDIA = /^application\/([\w.-]+\+)?json$/i;
const WRITES = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Writes must send `Content-Type: application/json`. Without this, a body sent as text/plain
 * would be read as empty and reported as missing fields, hiding the real mistake.
 */
export function requireJson(): MiddlewareHandler {
  return async function requireJsonBody(c, next) {
    if (WRITES.has(c.req.method)) {
      const media = (c.req.header('Content-Type') ?? '').split(';')[0]?.trim() ?? '';
      if (!JSON_MEDIA.test(media)) {
        throw new ProblemError(
          'unsupported-media-type',
          `Send the body as application/json (got ${media ? `"${media}"` : 'no Content-Type'}).`,
        );
      }
    }
    await next();
  };
}
