import { hash } from 'node:crypto';
import type { Context } from 'hono';

/** A strong ETag of a response body as sent: its text, or its UTF-8 bytes (the same tag for the same body). */
export function etagOf(body: string | Uint8Array): string {
  // One call, no Hash object: every first ask of a subject read hashes its body.
  return `"${hash('sha256', body, 'base64url').slice(0, 27)}"`;
}

/**
 * Set `etag` on the response and say whether the client's `If-None-Match` already has it (answer
 * 304 then). Widgets poll these reads; a 304 saves body and re-render.
 */
export function matchesEtag(c: Context, etag: string): boolean {
  c.header('ETag', etag);
  return ifNoneMatchHas(c.req.header('If-None-Match'), etag);
}

/** Whether an `If-None-Match` header value names `etag` (or `*`); weak tags compare by their value. */
export function ifNoneMatchHas(inm: string | undefined, etag: string): boolean {
  if (!inm) return false;
  return inm.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

/** {@link matchesEtag} for a body that is still an object: its ETag is that of its JSON. */
export function isNotModified(c: Context, body: unknown): boolean {
  return matchesEtag(c, etagOf(JSON.stringify(body)));
}
