import type { MiddlewareHandler } from 'hono';

/**
 * `Cache-Control: no-store` on every `/v1` response: they carry a bank's customer data (names,
 * tiers, AML levels, portfolio counts), which no browser or proxy may keep on disk. ETags still
 * work: the client library keeps its own in-memory copy and sends `If-None-Match` itself.
 */
export function noStore(): MiddlewareHandler {
  return async function noStoreResponse(c, next) {
    await next();
    c.header('Cache-Control', 'no-store');
  };
}
