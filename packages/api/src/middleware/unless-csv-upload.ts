import type { MiddlewareHandler } from 'hono';

/** The one route whose body is a file, not JSON: `POST /v1/imports`. */
export function isCsvUpload(method: string, path: string): boolean {
  return method === 'POST' && (path === '/v1/imports' || path === '/v1/imports/');
}

/**
 * Skip `middleware` for CSV uploads. The JSON body limit and media-type check would refuse a file
 * upload outright; the import route applies its own limit while it streams the body.
 */
export function unlessCsvUpload(middleware: MiddlewareHandler): MiddlewareHandler {
  return (c, next) => (isCsvUpload(c.req.method, c.req.path) ? next() : middleware(c, next));
}
