import { createHash } from 'node:crypto';
import type { Context } from 'hono';

/** A strong ETag of a response body as sent. */
export function etagOf(text: string): string {
  return `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
}

/**
 * Set `etag` on the response and say whether the client's `If-None-Match` already has it (answer
 * 304 then). Widgets poll these reads; a 304 saves body and re-render.
 */
export function matchesEtag(c: Context, etag: string): boolean {
  c.header('ETag', etag);
  return ifNoneMatchHas(c.req.header('If-None-Match'), etag);
}

/** The ETag of a representation in a content coding: the identity one's, marked (`"…-gzip"`). */
export function codedEtag(identityEtag: string, coding: 'gzip'): string {
  return `${identityEtag.slice(0, -1)}-${coding}"`;
}

/**
 * Whether an `Accept-Encoding` header takes gzip: named (or `*`) without `q=0`. No header, or one
 * that names only other codings, gets the body as it is.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.split(';');
    const name = coding.trim().toLowerCase();
    if (name !== 'gzip' && name !== 'x-gzip' && name !== '*') continue;
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) return true;
  }
  return false;
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
