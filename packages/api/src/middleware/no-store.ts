import type { MiddlewareHandler } from 'hono';

/** The header {@link noStore} sets. */
export const NO_STORE = [['Cache-Control', 'no-store']] as const;

/**
 * `Cache-Control: no-store` on every `/v1` response: they carry a bank's customer data (names,
 * tiers, AML levels, portfolio counts), which no browser or proxy may keep on disk. ETags still
 * work: the client library keeps its own in-memory copy and sends `If-None-Match` itself.
 */
export function noStore(): MiddlewareHandler {
  return fixedHeaders(NO_STORE);
}

/**
 * Headers every response under this middleware carries, overriding what a route set. Prepared before
 * the route runs, so a response built through the context already has them; afterwards they are
 * only checked, and set in place when missing. `c.header()` on a finished response would copy it,
 * which costs the Node adapter its fast path (it then streams the body) on every read.
 */
export function fixedHeaders(headers: readonly (readonly [string, string])[]): MiddlewareHandler {
  return async function setFixedHeaders(c, next) {
    for (const [name, value] of headers) c.header(name, value);
    await next();
    const out = c.res.headers;
    for (const [name, value] of headers) if (out.get(name) !== value) out.set(name, value);
  };
}
