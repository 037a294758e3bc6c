import { createHash } from 'node:crypto';
import type { Context } from 'hono';

/**
 * Set a strong ETag of `body` on the response and say whether the client's `If-None-Match`
 * already has it (answer 304 then). Widgets poll these reads; a 304 saves body and re-render.
 */
export function isNotModified(c: Context, body: unknown): boolean {
  const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
  c.header('ETag', etag);
  const inm = c.req.header('If-None-Match');
  if (!inm) return false;
  return inm.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}
