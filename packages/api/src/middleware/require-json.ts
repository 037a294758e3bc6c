import type { MiddlewareHandler } from 'hono';
import { ProblemError } from '../problem.js';

const JSON_MEDIA = /^application\/([\w.-]+\+)?json$/i;
const WRITES = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Writes must send `Content-Type: application/json`. Without this, a body sent as text/plain
 * would be read as empty and reported as missing fields, hiding the real mistake. A write that sends
 * no body at all (`curl -X POST …/cancel`: no Content-Type, no length or a length of 0, not chunked)
 * has nothing to misread: it passes, and a route that needs a body refuses it as missing.
 */
export function requireJson(): MiddlewareHandler {
  return async function requireJsonBody(c, next) {
    if (WRITES.has(c.req.method)) {
      const media = (c.req.header('Content-Type') ?? '').split(';')[0]?.trim() ?? '';
      if (!JSON_MEDIA.test(media) && !(media === '' && withoutBody(c.req.raw))) {
        throw new ProblemError(
          'unsupported-media-type',
          `Send the body as application/json (got ${media ? `"${media}"` : 'no Content-Type'}).`,
        );
      }
    }
    await next();
  };
}

/** No body: none in the request object, or headers that announce none (what a Node adapter sees). */
function withoutBody(req: Request): boolean {
  if (req.body === null) return true;
  const length = req.headers.get('Content-Length');
  return (length === null || length.trim() === '0') && req.headers.get('Transfer-Encoding') === null;
}
