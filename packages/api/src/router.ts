import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './deps.js';
import { issueCode } from '@tierkit/core';
import { onlyKnownQuery } from './known-query.js';
import { fieldPath, invalid, type FieldError } from './problem.js';

/** Where each validation target's field paths point: the body is the root, the rest are named. */
const TARGET_PREFIX: Record<string, string> = { json: '', form: '', query: 'query', param: 'params', header: 'headers', cookie: 'cookies' };

/**
 * A sub-app whose failed validations throw a 400 problem carrying every field path, instead of
 * the library's default response — so every error leaves through the app's one `onError`. Every GET
 * it registers refuses a query parameter its schema does not name (`onlyKnownQuery`): `?schem=` on a
 * list answered the whole list, read as the filtered one.
 */
export function router(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const prefix = TARGET_PREFIX[result.target] ?? result.target;
      // A parameter given twice reaches its schema as a list, whose own message ("expected one of
      // zh-CN|zh-TW|en" for `?locale=en&locale=en`) would blame a value that is fine.
      const once = (path: readonly PropertyKey[]) =>
        result.target === 'query' && path.length === 1 && typeof path[0] === 'string' && (c.req.queries(path[0])?.length ?? 0) > 1;
      throw invalid(
        result.error.issues.map((issue): FieldError => {
          const path = fieldPath(prefix, issue.path);
          if (once(issue.path)) return { path, message: 'may be given only once', code: 'repeated' };
          // A refinement of the API's own names its code and params in the issue's `params` (README "Errors").
          return { path, message: issue.message, ...issueCode(issue) };
        }),
      );
    },
  });
  const register = app.openapi.bind(app);
  app.openapi = ((route: Parameters<typeof register>[0], ...rest: unknown[]) =>
    (register as (...args: unknown[]) => unknown)(route.method === 'get' ? onlyKnownQuery(route) : route, ...rest)) as typeof app.openapi;
  return app;
}
