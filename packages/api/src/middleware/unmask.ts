import type { MiddlewareHandler } from 'hono';
import { may, PERMISSIONS } from '../auth/permissions.js';
import type { AppEnv } from '../deps.js';
import { invalid, ProblemError } from '../problem.js';

/** The query parameter that asks for display names in full. */
export const UNMASK_PARAM = 'unmask';

/**
 * `?unmask=true` shows display names in full, for a principal holding the `unmask-names` permission
 * (403 otherwise); the audit trail records every such read (middleware/audit.ts). `?unmask=false`
 * masks even when the server-wide `unmaskNames` option is on. Done once here for every route, so
 * a route only ever reads `deps.unmaskNames`.
 */
export function unmaskOnRequest(): MiddlewareHandler<AppEnv> {
  return async function unmaskNames(c, next) {
    // Nearly no request asks: skip parsing the query on the read path unless the name is in the URL at all.
    if (!c.req.url.includes(UNMASK_PARAM)) return next();
    const all = c.req.queries(UNMASK_PARAM);
    if (all === undefined) return next();
    // Given twice, whichever one counted, the other would be ignored: a reader must say which.
    if (all.length > 1) throw invalid([{ path: `query.${UNMASK_PARAM}`, message: 'may be given only once', code: 'repeated' }]);
    const asked = all[0];
    if (asked !== 'true' && asked !== 'false')
      throw invalid([
        { path: `query.${UNMASK_PARAM}`, message: 'must be true or false', code: 'invalid_value', params: { values: ['true', 'false'] } },
      ]);
    const deps = c.var.deps;
    if (asked === 'true' && !may(deps.principal, 'unmask-names')) {
      throw new ProblemError(
        'forbidden',
        `Unmasked names need the unmask-names permission: an API key or staff credential with the ${PERMISSIONS['unmask-names'].role} role or higher.`,
      );
    }
    c.set('deps', { ...deps, unmaskNames: asked === 'true' });
    await next();
  };
}

/** The OpenAPI parameter that documents `unmask` on the reads that return display names. */
export const UNMASK_PARAMETER = {
  name: UNMASK_PARAM,
  in: 'query',
  required: false,
  schema: { type: 'string', enum: ['true', 'false'] },
  description: `\`true\`: display names in full (permission unmask-names: keys or staff credentials with the ${PERMISSIONS['unmask-names'].role} role or higher; each such read is audited). \`false\`: masked.`,
} as const;
