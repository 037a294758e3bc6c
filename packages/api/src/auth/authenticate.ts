import type { MiddlewareHandler } from 'hono';
import type { Executor } from '@tierkit/db';
import type { AppEnv, SharedDeps } from '../deps.js';
import { ProblemError } from '../problem.js';
import { accessFor } from './access.js';
import { authenticateKey } from './api-keys.js';
import { CredentialCache } from './credential-cache.js';
import type { Principal } from './principal.js';
import { roleAtLeast } from './roles.js';
import { KEY_PREFIX } from './secrets.js';
import { TOKEN_PREFIX, verifyToken } from './tokens.js';

const REALM = 'Bearer realm="tierkit"';

function unauthorized(detail: string): ProblemError {
  return new ProblemError('unauthorized', detail, undefined, { 'WWW-Authenticate': REALM });
}

function invalidToken(detail: string): ProblemError {
  return new ProblemError('invalid-token', detail, undefined, { 'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="${detail.replace(/"/g, "'")}"` });
}

const TOKEN_FAILURES = {
  'malformed': 'The token is not one this API issued.',
  'bad-signature': 'The token signature does not verify (tampered, or its signing key was rotated).',
  'expired': 'The token has expired; ask your backend for a new one.',
} as const;

async function principalOf(db: Executor, cache: CredentialCache, header: string | undefined, now: Date): Promise<Principal> {
  if (!header) throw unauthorized('Send a credential: Authorization: Bearer <API key or token>.');
  const m = /^Bearer +(\S{1,4096})$/i.exec(header.trim());
  if (!m?.[1]) throw invalidToken('The Authorization header must be "Bearer <API key or token>".');
  const credential = m[1];
  const nowMs = now.getTime();
  const cached = cache.get(credential, nowMs);
  if (cached) return cached;
  if (credential.startsWith(TOKEN_PREFIX)) {
    const result = await verifyToken(db, credential, now);
    if (!result.ok) throw invalidToken(TOKEN_FAILURES[result.reason]);
    cache.set(credential, result.principal, nowMs, result.expiresAt.getTime());
    return result.principal;
  }
  const principal = credential.startsWith(KEY_PREFIX) ? await authenticateKey(db, credential) : undefined;
  if (!principal) throw invalidToken('Unknown or revoked API key.');
  cache.set(credential, principal, nowMs);
  return principal;
}

/** Refuse what the principal may not do on this route, with a 403 problem that says why. */
function authorize(p: Principal, method: string, path: string, origin: string | undefined): void {
  // A token names the pages that may use it; a page elsewhere holding it is a leak, not a customer.
  if (p.origins !== null && origin !== undefined && !p.origins.includes(origin)) {
    throw new ProblemError('forbidden', `This token may not be used from ${origin}.`);
  }
  const access = accessFor(method, path);
  if (p.via === 'embed-token') {
    if (access.embed === false) throw new ProblemError('forbidden', 'An embed token may only read its own subject’s tiers, history and entitlements, and the schemes.');
    if (access.embed === 'subject' && access.subject !== p.subject) throw new ProblemError('forbidden', 'An embed token may only read its own subject.');
    return;
  }
  if (access.keyOnly && p.via !== 'key') throw new ProblemError('forbidden', 'This needs an API key; tokens cannot do it.');
  if (!roleAtLeast(p.role, access.role)) throw new ProblemError('forbidden', `This needs the ${access.role} role or higher (the credential has ${p.role}).`);
}

/**
 * Every `/v1` request: who is asking (API key or signed token → 401 problem when missing or bad),
 * whether they may (→ 403 problem), and the request's tenant-scoped dependencies from the credential.
 * A verified credential is trusted for `cacheSeconds` on the app's clock (see credential-cache.ts);
 * what it may do is checked on every request.
 */
export function authenticate(shared: SharedDeps, cacheSeconds: number): MiddlewareHandler<AppEnv> {
  const cache = new CredentialCache(cacheSeconds * 1000);
  return async function authenticateRequest(c, next) {
    const principal = await principalOf(shared.db, cache, c.req.header('Authorization'), shared.now());
    authorize(principal, c.req.method, c.req.path, c.req.header('Origin'));
    c.set('deps', { ...shared, tenantId: principal.tenantId, principal });
    await next();
  };
}
