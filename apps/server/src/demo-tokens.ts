import {
  isTrustedOrigin,
  MAX_TOKEN_TTL_SECONDS,
  mintEmbedToken,
  mintStaffToken,
  ProblemError,
  sendProblem,
  subjectClosed,
  type TrustedOrigins,
} from '@tierkit/api';
import { findStaff, findSubjectByExternalId, seedRunClaimed, type Executor } from '@tierkit/db';
import { Hono, type Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { DEMO_SIGN_INS, type DemoSignIn } from '@tierkit/ops';

/*
 * The demo pages' stand-in for a bank's own backend. A real bank mints these tokens in its online
 * banking backend for the customer IT logged in (POST /v1/embed-tokens with its API key), and for
 * its staff behind its own staff login. Here anyone who can open the demo page is "logged in": that
 * is why these routes exist only in the demo server, never in @tierkit/api, and can be switched off
 * (DEMO_TOKENS=off). No API key ever reaches the browser: the page gets a signed, read-only token.
 */

const SUBJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A refusal as the API words its own: problem+json (RFC 9457) with the API's problem types, so a
 * widget's token function reads it as it reads the API's (`subject-not-found`: "Customer not found.").
 */
function refuse(c: Context, kind: 'validation' | 'forbidden' | 'subject-not-found' | 'not-found', detail: string) {
  return sendProblem(c, new ProblemError(kind, detail));
}

/** Only the demo's own pages may ask: a page on another site must not mint tokens through a visitor's browser. */
function crossSite(c: Context): boolean {
  const own = new URL(c.req.url).origin;
  const origin = c.req.header('Origin');
  return c.req.header('Sec-Fetch-Site') === 'cross-site' || (origin !== undefined && origin !== own);
}

/**
 * The page's origin as the request names it (its `Host`), when the server was configured to serve
 * it. A page on a DNS-rebinding domain reaches this server under its own name; without this check
 * it would pass as same-site and get a token bound to its own origin.
 */
function trustedPageOrigin(c: Context, trusted: TrustedOrigins): string | undefined {
  const own = new URL(c.req.url).origin;
  return isTrustedOrigin(trusted, own) ? own : undefined;
}

/**
 * `GET /demo/embed-token?subject=…`, `GET /demo/rm-token` (the RM page's: the demo RM's token, their
 * book only) and `GET /demo/staff-token?as=maker|checker|rm|analyst|viewer|admin|auditor|lead` (the console's demo sign-in: a token of
 * that demo staff member), each answering `{ token, expiresAt }`,
 * only to pages served under one of `trustedOrigins` (default: localhost origins).
 */
export function demoTokenRoutes(db: Executor, tenantId: string, trustedOrigins?: TrustedOrigins) {
  // Demo tokens are for the tenant the demo seeder made, never a bank's own (`tierkit tenants create`),
  // whatever DEMO_TOKENS says: there they would mint tokens for real customers to anyone (demo-key.ts,
  // demoTokensFor). Asked per request until it holds, so a server that seeds after it is built still serves them.
  let demoTenant = false;
  const refuseNotDemo = async (c: Context) => {
    demoTenant ||= await seedRunClaimed(db, tenantId);
    return demoTenant ? undefined : refuse(c, 'not-found', `No demo tokens here: tenant "${tenantId}" is not a demo tenant.`);
  };
  const refuseUntrusted = async (c: Context) => {
    if (crossSite(c)) return refuse(c, 'forbidden', 'Demo tokens are only for the demo’s own pages.');
    if (!trustedPageOrigin(c, trustedOrigins))
      return refuse(
        c,
        'forbidden',
        `Demo tokens are only for pages at the configured origins (CORS_ORIGINS); this request names host "${c.req.header('Host') ?? new URL(c.req.url).host}".`,
      );
    return refuseNotDemo(c);
  };
  // Every demo token: for this tenant, bound to the asking page's origin, for the longest lifetime.
  const forPage = (c: Context) => ({ tenantId, origins: [new URL(c.req.url).origin], ttlSeconds: MAX_TOKEN_TTL_SECONDS });
  const answer = (c: Context, minted: { token: string; expiresAt: string }) => {
    c.header('Cache-Control', 'no-store');
    return c.json(minted);
  };
  const staffToken = async (c: Context, staffId: string) => {
    if (!(await findStaff(db, tenantId, staffId)))
      // Not `subject-not-found`: a widget would tell the reader their customer was not found.
      return refuse(c, 'not-found', `No demo staff member "${staffId}" (start the demo server to seed them).`);
    return answer(c, await mintStaffToken(db, { ...forPage(c), staffId }));
  };
  return new Hono()
    .use('/demo/*', secureHeaders({ crossOriginResourcePolicy: false, strictTransportSecurity: false }))
    .get('/demo/embed-token', async (c) => {
      const refused = await refuseUntrusted(c);
      if (refused) return refused;
      const subject = c.req.query('subject') ?? '';
      if (!SUBJECT_ID.test(subject)) return refuse(c, 'validation', 'Pass ?subject=<customer id>.');
      const found = await findSubjectByExternalId(db, tenantId, subject);
      if (!found) return refuse(c, 'subject-not-found', `No subject "${subject}".`);
      // As POST /v1/embed-tokens: a customer who left the bank has no online banking to show.
      if (found.closedAt !== null) return sendProblem(c, subjectClosed(subject, found, 'subject', 'no token is issued for it'));
      return answer(c, await mintEmbedToken(db, { ...forPage(c), subject }));
    })
    .get('/demo/staff-token', async (c) => {
      const refused = await refuseUntrusted(c);
      if (refused) return refused;
      const as = c.req.query('as') ?? '';
      if (!Object.hasOwn(DEMO_SIGN_INS, as)) return refuse(c, 'validation', `Pass ?as= one of ${Object.keys(DEMO_SIGN_INS).join(', ')}.`);
      return staffToken(c, DEMO_SIGN_INS[as as DemoSignIn]);
    })
    .get('/demo/rm-token', async (c) => {
      const refused = await refuseUntrusted(c);
      if (refused) return refused;
      // The RM page is "my customers": a relationship manager's own token, cut to their book by the
      // API, never a staff token without a staff member, which reads every customer of the tenant.
      return staffToken(c, DEMO_SIGN_INS.rm);
    });
}
