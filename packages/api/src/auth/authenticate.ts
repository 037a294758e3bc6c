import type { Context, MiddlewareHandler } from 'hono';
import type { Executor } from '@tierkit/db';
import type { AppEnv, SharedDeps } from '../deps.js';
import { ProblemError } from '../problem.js';
import type { RateLimits } from '../rate-limit.js';
import { matchRoute, type RouteEntry } from '../route-table.js';
import { KEY_IN_BROWSER, keyFromBrowser, refusal, refusalCode, refusalKind, ruleFor, type ApiKeysFromBrowsers } from './access.js';
import { verifyKey } from './api-keys.js';
import type { CredentialCache } from './credential-cache.js';
import type { Principal } from './principal.js';
import { KEY_PREFIX } from './secrets.js';
import { TOKEN_PREFIX, verifyToken } from './tokens.js';

const REALM = 'Bearer realm="tierkit"';

function unauthorized(detail: string): ProblemError {
  return new ProblemError('unauthorized', detail, undefined, { 'WWW-Authenticate': REALM });
}

function invalidToken(detail: string): ProblemError {
  return new ProblemError('invalid-token', detail, undefined, {
    'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="${detail.replace(/"/g, "'")}"`,
  });
}

const TOKEN_FAILURES = {
  malformed: 'The token is not one this API issued.',
  'bad-signature': 'The token signature does not verify (tampered, or its signing key was rotated).',
  expired: 'The token has expired; ask your backend for a new one.',
  'unknown-staff': 'The token names a staff member this tenant no longer has.',
} as const;

/** A principal and the key its rate limit is counted under: one bucket per API key, per signed token. */
export interface Authenticated {
  readonly principal: Principal;
  readonly rateKey: string;
}

function authenticated(credential: string, principal: Principal): Authenticated {
  // The signature is unique to the token; the claims are not (two tokens of one customer share them).
  return { principal, rateKey: credential.startsWith(TOKEN_PREFIX) ? `token:${credential.slice(-43)}` : principal.actor };
}

const BEARER = /^Bearer +(\S{1,4096})$/i;

/**
 * The principal of an `Authorization` header whose credential `cache` holds, or undefined (no
 * header, a malformed one, or a credential not verified within the cache's delay). Never asks the
 * database: the read fast path (fast-reads.ts) takes only what this returns.
 */
export function cachedPrincipal(cache: CredentialCache, header: string | undefined, nowMs: number): Authenticated | undefined {
  const credential = header === undefined ? undefined : BEARER.exec(header.trim())?.[1];
  const cached = credential === undefined ? undefined : cache.get(credential, nowMs);
  return cached && credential !== undefined ? authenticated(credential, cached) : undefined;
}

async function principalOf(db: Executor, cache: CredentialCache, header: string | undefined, now: Date): Promise<Authenticated> {
  if (!header) throw unauthorized('Send a credential: Authorization: Bearer <API key or token>.');
  const m = BEARER.exec(header.trim());
  if (!m?.[1]) throw invalidToken('The Authorization header must be "Bearer <API key or token>".');
  const credential = m[1];
  const nowMs = now.getTime();
  const cached = cache.get(credential, nowMs);
  if (cached) return authenticated(credential, cached);
  const since = cache.stamp();
  if (credential.startsWith(TOKEN_PREFIX)) {
    const result = await verifyToken(db, credential, now);
    if (!result.ok) throw invalidToken(TOKEN_FAILURES[result.reason]);
    cache.set(credential, result.principal, nowMs, result.expiresAt.getTime(), since);
    return authenticated(credential, result.principal);
  }
  const verified = credential.startsWith(KEY_PREFIX) ? await verifyKey(db, credential) : undefined;
  if (!verified?.ok) {
    throw invalidToken(
      verified?.reason === 'owner-gone'
        ? "The staff member who owns this API key is no longer on this tenant's staff; the key acts for nobody."
        : 'Unknown or revoked API key.',
    );
  }
  cache.set(credential, verified.principal, nowMs, Number.POSITIVE_INFINITY, since);
  return authenticated(credential, verified.principal);
}

function tooMany(retryAfterSeconds: number, detail: string): ProblemError {
  return new ProblemError('rate-limited', `${detail} Retry after ${retryAfterSeconds} s.`, undefined, {
    'Retry-After': String(retryAfterSeconds),
  });
}

/** Rate limiting of `authenticate`: the limits, and who the client is when its credential fails. */
export interface AuthLimits {
  readonly limits: RateLimits;
  /** The client's network address (the adapter knows it; `app.request()` has none). */
  readonly clientAddress: (c: Context) => string | undefined;
}

/**
 * Every `/v1` request: who is asking (API key or signed token → 401 problem when missing or bad),
 * whether they may (→ 403 problem; an API key from a browser page → 403 `key-in-browser` unless
 * `keysFromBrowsers` is `'allow'`), how often (→ 429 problem with `Retry-After`), and the request's
 * tenant-scoped dependencies from the credential. A verified credential is trusted for the cache's
 * delay on the app's clock (see credential-cache.ts); what it may do, and how often, is checked on every
 * request, cached or not.
 */
export function authenticate(
  shared: SharedDeps,
  cache: CredentialCache,
  guard?: AuthLimits,
  keysFromBrowsers: ApiKeysFromBrowsers = 'refuse',
  routes?: () => readonly RouteEntry[],
): MiddlewareHandler<AppEnv> {
  return async function authenticateRequest(c, next) {
    const limits = guard?.limits;
    // Without an address, callers cannot be told apart: one client's bad guesses would lock out all.
    const client = guard?.clientAddress(c);
    const address = client === undefined ? undefined : `address:${client}`;
    let found: Authenticated;
    try {
      found = await principalOf(shared.db, cache, c.req.header('Authorization'), shared.now());
    } catch (err) {
      // Only failures are refused: many callers share an address (NAT, the bank's proxy), and a valid
      // credential from it must still be served however many bad ones (expired tokens too) came first.
      const wait =
        limits && address && err instanceof ProblemError && err.status === 401 ? limits.failedAuth.take(address, limits.clock()) : 0;
      if (wait) throw tooMany(wait, 'Too many requests with a missing or bad credential from this address.');
      throw err;
    }
    const { principal } = found;
    // Per credential, so one caller's burst spends its own bucket and nobody else's; forbidden requests count too.
    const buckets = principal.via === 'key' ? limits?.perKey : limits?.perCredential;
    const wait = limits && buckets ? buckets.take(found.rateKey, limits.clock()) : 0;
    if (wait) throw tooMany(wait, 'Too many requests with this credential.');
    // Set before the check, so the audit trail of a refused request knows who was refused.
    c.set('deps', { ...shared, tenantId: principal.tenantId, principal });
    const origin = c.req.header('Origin');
    // Before the route and the role checks, and not a failed credential: the key is valid, so no
    // lockout counts it; the trail records the 403 as any refusal, and the route never runs.
    if (keyFromBrowser(principal, { origin, fetchSite: c.req.header('Sec-Fetch-Site') }, keysFromBrowsers))
      throw new ProblemError('key-in-browser', KEY_IN_BROWSER);
    const why = refusal(principal, c.req.method, c.req.path, origin);
    if (why !== undefined) {
      // A path neither the access table nor the API's document knows is no route: a 404 for any
      // credential, not the deny-by-default 403 ("needs an API key") that reads as if it existed.
      // Only after authentication: without a credential every path is the same 401, so an anonymous
      // caller cannot map which routes exist.
      if (routes && ruleFor(c.req.method, c.req.path) === undefined && !matchRoute(routes(), c.req.method, c.req.path))
        throw new ProblemError('not-found', `Nothing at ${c.req.method} ${c.req.path}.`);
      const code = refusalCode(c.req.method, c.req.path, why);
      throw new ProblemError(refusalKind(principal), why, code === undefined ? undefined : [{ path: 'credential', message: why, code }]);
    }
    await next();
  };
}
