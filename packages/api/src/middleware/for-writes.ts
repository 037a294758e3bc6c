import type { MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';

/**
 * Middlewares that only act on requests that may change something, as one that reads (GET, HEAD)
 * pass straight through. Each layer of Hono's chain costs every request a promise and a closure even
 * when it does nothing, and reads are most of the traffic.
 */
export function forWrites<E extends object>(...middleware: MiddlewareHandler<E>[]): MiddlewareHandler<E> {
  const writes = every(...middleware);
  return (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : writes(c, next));
}
