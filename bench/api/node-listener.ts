// The prototype session 41 measured (node-listener-ab.bench.ts): the fast subject reads answered at
// the node:http level, from the IncomingMessage, writing the ServerResponse. Not what apps/server
// serves: it saved 0–8% of a first ask's server CPU (BENCHMARKS.md, api bench, session 41), so the
// server kept @hono/node-server's listener of the app's `fetch` for everything.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { FastReply, FastSubjectReads } from '../../packages/api/src/middleware/fast-reads.js';

// A Host that @hono/node-server takes as it is (its `reValidHost`): anything else it checks with a
// URL parse and may refuse (400), so such a request is left to it.
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;

/** A header sent twice or padded: the general path reads it its own way (joined, trimmed), so the request is its. */
class NotPlain extends Error {}
const NOT_PLAIN = new NotPlain();

/**
 * One header of the request as Web `Headers.get` would give it, read from the raw list (so Node's
 * `req.headers` object is never built): undefined when absent. A header sent more than once, or with
 * whitespace around its value, throws NOT_PLAIN, and the fast path leaves the request to the general
 * one — Node keeps the first of two `Authorization` headers where `Headers.get` joins them, and that
 * must never decide who is asking.
 */
function rawHeader(raw: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i] as string;
    if (key.length !== name.length || key.toLowerCase() !== name) continue;
    if (value !== undefined) throw NOT_PLAIN;
    value = raw[i + 1] as string;
    const last = value.length - 1;
    if (last >= 0 && (value.charCodeAt(0) <= 32 || value.charCodeAt(last) <= 32)) throw NOT_PLAIN;
  }
  return value;
}

/** Write a fast reply as @hono/node-server writes the Response made of it: the same status, headers and bytes. */
function write(res: ServerResponse, reply: FastReply): void {
  const { status, headers, body } = reply;
  if (body === null) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  res.writeHead(status, headers);
  res.end(body);
}

/**
 * A node:http request listener that answers the app's fast subject reads itself — from the
 * IncomingMessage's method, target and raw headers, writing the ServerResponse — and hands every
 * other request, and every read the fast path leaves, to `general` (@hono/node-server's listener of
 * the app's `fetch`) untouched. The decisions are the app's own (fastRepliesOf: the same function
 * its `fetch` runs first), so the answers are those of `app.fetch`; what a first ask no longer pays
 * is the adapter's Request and Response objects, its promise handling and close listener.
 */
export function fastReadsListener(replies: FastSubjectReads, general: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const target = req.url;
    const raw = req.rawHeaders;
    let answered: ReturnType<FastSubjectReads>;
    try {
      // Origin form only (an absolute target is the adapter's to parse), and a Host it takes as it is.
      answered =
        req.method === 'GET' && target !== undefined && target.charCodeAt(0) === 47 && PLAIN_HOST.test(rawHeader(raw, 'host') ?? '')
          ? replies('GET', target, (name) => rawHeader(raw, name))
          : undefined;
    } catch {
      answered = undefined;
    }
    if (answered === undefined) return general(req, res);
    if (!(answered instanceof Promise)) return write(res, answered);
    answered.then(
      (reply) => (reply === undefined ? general(req, res) : write(res, reply)),
      () => general(req, res),
    );
  };
}
