import type { RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { UNMASK_PARAM } from './middleware/unmask.js';
import { invalid } from './problem.js';
import { problemResponses } from './schemas/common.js';

/** Query parameters every route takes, read by the app's own middleware rather than a route's schema. */
const EVERY_ROUTE: readonly string[] = [UNMASK_PARAM];

/**
 * `route`, refusing a query parameter its schema does not name: a 400 `validation`, field code
 * `unknown_parameter` (params `parameter`, `known`), before anything is read. A zod object drops what it
 * does not know, so `GET /v1/analytics/migration?…&manager=RM001` answered the whole bank's figures, which
 * a lead read as RM001's (packages/api/README.md, "Analytics"); `?schem=` on a list answered the whole
 * list. Runs before the route's validators. `router()` applies it to every GET it registers, and adds
 * the 400 to a route's documented answers when it had none (a route with no query could answer only
 * this 400).
 */
export function onlyKnownQuery<R extends RouteConfig>(route: R): R {
  const shape = (route.request?.query as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
  const known = [...Object.keys(shape), ...EVERY_ROUTE];
  const check: MiddlewareHandler = async (c, next) => {
    const unknown = Object.keys(c.req.queries()).filter((name) => !known.includes(name));
    if (unknown.length > 0)
      throw invalid(
        unknown.map((parameter) => ({
          path: `query.${parameter}`,
          message: `not a parameter of this route; it takes ${known.join(', ')}`,
          code: 'unknown_parameter',
          params: { parameter, known },
        })),
      );
    await next();
  };
  const before = route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
  const responses = 400 in route.responses ? route.responses : { ...route.responses, 400: problemResponses(400)[400] };
  return { ...route, responses, middleware: [check, ...before] };
}
