import { LOCALES, type Locale } from '@tierkit/core';
import { findSubjectForRead, findSubjectForTiers, type SubjectForRead, type SubjectForTiers, type SubjectVersion } from '@tierkit/db';
import type { MiddlewareHandler } from 'hono';
import { keyFromBrowser, refusal, type ApiKeysFromBrowsers } from '../auth/access.js';
import { cachedPrincipal } from '../auth/authenticate.js';
import type { CredentialCache } from '../auth/credential-cache.js';
import type { Principal } from '../auth/principal.js';
import type { ApiDeps, AppEnv, SharedDeps } from '../deps.js';
import { ifNoneMatchHas } from '../etag.js';
import { periodOf } from '../periods.js';
import type { RateLimits } from '../rate-limit.js';
import type { ReadCache } from '../read-cache.js';
import {
  buildEntitlements,
  buildHistory,
  buildTiers,
  DEFAULT_HISTORY_LIMIT,
  packPrint,
  queryKey,
  readKey,
  type SubjectRead,
} from '../routes/subject-reads.js';
import { audienceOf, audienceOfPrincipal } from '../services/audience.js';
import type { TenantPack } from '../services/tenant-pack.js';
import { restrictedShown } from '../services/restricted-reads.js';
import { SCHEMES_QUERY_MAX } from '../services/views.js';
import type { SubjectVersions } from '../version-trust.js';
import { requestIdOf } from './audit.js';

/** What the fast path shares with the general chain: the same caches and limits, never copies of them. */
export interface FastReadOptions {
  readonly shared: SharedDeps;
  readonly credentials: CredentialCache;
  readonly reads: ReadCache;
  /** Subject versions read recently: a kept read within their trust makes no query (version-trust.ts). */
  readonly versions: SubjectVersions;
  readonly limits: RateLimits | undefined;
  /** The headers every `/v1` response carries (security headers, `Cache-Control`), as the general chain sets them. */
  readonly headers: readonly (readonly [string, string])[];
  /** CORS as the chain answers a browser's GET: the origin allowed (or null), the headers exposed to it. */
  readonly cors: { readonly allow: (origin: string) => string | null; readonly expose: readonly string[] };
  /** Whether an API key from a browser (`Origin` or `Sec-Fetch-Site`) is refused, as the chain's authentication has it. */
  readonly keysFromBrowsers: ApiKeysFromBrowsers;
}

// The subject id as SubjectIdParams accepts it, and nothing percent-encoded: whatever the general
// chain would have to decode, check or refuse goes to it.
const PATH = /^\/v1\/subjects\/([A-Za-z0-9][A-Za-z0-9_.:-]{0,63})\/(tiers|history|entitlements)$/;
const LOCALE_VALUES: ReadonlyMap<string, Locale> = new Map(LOCALES.map((l) => [l, l]));
// Scheme keys as they are written, nothing percent-encoded but the comma; anything else SchemesQuery
// takes (or refuses) goes to the chain.
const SCHEME_LIST = /^[A-Za-z0-9_.-]{1,64}(,[A-Za-z0-9_.-]{1,64})*$/;

/** The query of a read the fast path answers: `locale=` and, on tiers, `scheme=`. */
interface FastQuery {
  readonly locale: Locale | undefined;
  readonly scheme: string | undefined;
}

const NO_QUERY: FastQuery = { locale: undefined, scheme: undefined };

/**
 * `locale=` (any read) and `scheme=` (tiers: what a bank's front page asks, its one scheme in its
 * one language), each at most once, in either order. Undefined for anything else — another
 * parameter, a repeated one, an unknown locale, an encoded value other than a comma, a list longer
 * than SchemesQuery takes — which the general chain answers.
 */
function fastQuery(route: SubjectRead, query: string): FastQuery | undefined {
  let locale: Locale | undefined;
  let scheme: string | undefined;
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (name === 'locale' && locale === undefined) {
      locale = LOCALE_VALUES.get(value);
      if (locale === undefined) return undefined;
    } else if (name === 'scheme' && route === 'tiers' && scheme === undefined) {
      // The comma as @tierkit/client sends it (URLSearchParams encodes it); any other escape goes to the chain.
      const list = value.replace(/%2C/gi, ',');
      if (list.length > SCHEMES_QUERY_MAX || !SCHEME_LIST.test(list)) return undefined;
      scheme = list;
    } else return undefined;
  }
  return { locale, scheme };
}

/**
 * What the fast path answers, before any HTTP object is made of it: the status, every header but the
 * body's length (a fresh object per answer, the caller's to add to), and the body (null on a 304).
 * `fetchAnswers` makes a Web `Response` of it for the app's `fetch`.
 */
export interface FastReply {
  readonly status: 200 | 304;
  readonly headers: Record<string, string>;
  readonly body: string | Uint8Array<ArrayBuffer> | null;
}

/** A fast reply, undefined (the general chain's request), or the promise of either. */
export type FastReplyOrNot = FastReply | undefined | Promise<FastReply | undefined>;

/** One header of the request as the general chain would read it (`Headers.get`; a lowercase name), undefined when absent. */
export type HeaderOf = (name: string) => string | undefined;

/** The fast path over any server's request: its method, its target in origin form (`/v1/…?…`, as the request line has it), its headers. */
export type FastSubjectReads = (method: string, target: string, header: HeaderOf) => FastReplyOrNot;

/** A Web `fetch` handler's answer, or undefined: the request is the general chain's. */
export type FastAnswer = Response | undefined | Promise<Response | undefined>;

/**
 * The subject reads a widget or a bank's front page asks — no query but `?locale=` (and `?scheme=` on
 * tiers), from a credential verified within the cache's delay — answered before the general `/v1` chain, which cost a cached
 * read several times the read itself (a promise and a closure per middleware, URL parsing,
 * validation, headers set and then checked). Every check of the chain is made with the chain's own
 * code and state: the credential cache (so revocation takes effect exactly as there), the route
 * table's refusal (a token's origins included), the rate-limit buckets, the subject's stored version
 * (trusted for `VERSION_TRUST_MS` once read, writes in this process seen at once)
 * and the read cache's key; a kept body is sent as kept, a first ask built by the route's own
 * builders. The response carries the same headers, CORS ones included. Anything else — a credential
 * to verify, a book-scoped reader, a refusal, a missing subject, an exhausted bucket, an error — is
 * left to the general chain (undefined), which answers as it always has. The bucket is taken last, once the
 * answer is certain, so no request spends two tokens.
 *
 * It answers with a `FastReply`, not a `Response`, so that one home of these decisions can serve a
 * caller below the Web `fetch` too: the app's `fetch` makes a Response of it (`fetchAnswers`, before
 * Hono's router, so `app.request()` and any adapter get it); session 41's node:http prototype
 * (bench/api/node-listener.ts) writes it to the ServerResponse itself, which saved 0–8% of a first
 * ask's server CPU, so no server does (BENCHMARKS.md, api bench).
 */
export function fastSubjectReplies(options: FastReadOptions): FastSubjectReads {
  const { shared, credentials, reads, versions, limits } = options;
  const expose = options.cors.expose.join(',');
  const fixed: Readonly<Record<string, string>> = Object.fromEntries(options.headers.map(([k, v]) => [k.toLowerCase(), v]));
  return function fastSubjectRead(method, target, header) {
    if (method !== 'GET') return undefined;
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const match = PATH.exec(path);
    if (!match) return undefined;
    const route = match[2] as SubjectRead;
    const query = q < 0 ? NO_QUERY : fastQuery(route, target.slice(q + 1));
    if (query === undefined) return undefined;
    try {
      const origin = header('origin');
      if (origin === '') return undefined;
      const answered = answer(match[1] ?? '', route, path, query, origin, header);
      // The general chain meets the same failure and reports it as it always has.
      return answered instanceof Promise ? answered.catch(() => undefined) : answered;
    } catch {
      return undefined;
    }
  };

  /** What a read's key and checks need of the reader: undefined when the chain must answer. */
  function reader(path: string, id: string, origin: string | undefined, header: HeaderOf, nowMs: number) {
    const found = cachedPrincipal(credentials, header('authorization'), nowMs);
    if (!found) return undefined;
    const { principal } = found;
    // A relationship manager's read also checks the book, which the kept body's key does not name.
    // A key from a browser page is the chain's to refuse (and to audit).
    if (principal.book !== undefined) return undefined;
    if (keyFromBrowser(principal, { origin, fetchSite: header('sec-fetch-site') }, options.keysFromBrowsers)) return undefined;
    if (refusal(principal, 'GET', path, origin) !== undefined) return undefined;
    // What subjectOr404 repeats for any credential bound to one subject.
    if (principal.subject !== null && principal.subject !== id) return undefined;
    return { found, principal, buckets: principal.via === 'key' ? limits?.perKey : limits?.perCredential };
  }

  /** The reader's view of the pack and the read's own key part; undefined for a scheme it does not see (the chain's 404). */
  function viewOf(route: SubjectRead, { locale, scheme }: FastQuery, principal: Principal, tp: TenantPack) {
    const audience = audienceOf(principal, tp);
    const shown = scheme === undefined ? undefined : new Set(scheme.split(','));
    if (shown && ![...shown].every((key) => audience.sees(key))) return undefined;
    // A staff read of a restricted scheme's level (an AML grade) is audited: the chain's to record.
    if (restrictedShown(audience, route === 'tiers' ? shown : undefined).length > 0) return undefined;
    const view =
      route === 'tiers'
        ? queryKey.tiers(locale, shown)
        : route === 'history'
          ? queryKey.history(locale, undefined, DEFAULT_HISTORY_LIMIT, undefined)
          : queryKey.entitlements(locale);
    return { audience, shown, view };
  }

  function answer(
    id: string,
    route: SubjectRead,
    path: string,
    query: FastQuery,
    origin: string | undefined,
    header: HeaderOf,
  ): FastReplyOrNot {
    const now = shared.now();
    const nowMs = now.getTime();
    const who = reader(path, id, origin, header, nowMs);
    if (!who) return undefined;
    const { principal } = who;
    // Version and pack both trusted in memory: a kept body is answered here, without a promise.
    const trusted = versions.trusted(principal.tenantId, id);
    const tp = trusted && shared.packs.peek(principal.tenantId, periodOf(now, shared.timeZone));
    if (trusted && tp) {
      const seen = viewOf(route, query, principal, tp);
      if (!seen) return undefined;
      const deps = { tenantId: principal.tenantId, principal, unmaskNames: shared.unmaskNames };
      const entry = reads.kept(readKey(route, deps, trusted, packPrint(tp), seen.audience, seen.view), nowMs);
      return entry ? send(entry, who, origin, header) : build(id, route, query, origin, header, now, who, trusted, tp);
    }
    return build(id, route, query, origin, header, now, who);
  }

  async function build(
    id: string,
    route: SubjectRead,
    query: FastQuery,
    origin: string | undefined,
    header: HeaderOf,
    now: Date,
    who: NonNullable<ReturnType<typeof reader>>,
    trusted?: SubjectVersion,
    peeked?: TenantPack,
  ): Promise<FastReply | undefined> {
    const nowMs = now.getTime();
    const { principal, found, buckets } = who;
    // A staff front page's first ask (tiers of one scheme) reads the subject and its assignment in
    // one statement; a customer's view is built from parsed assignments (tiersView), which it reads
    // itself, and every scheme's rows cost more joined than read apart (findSubjectForTiers).
    const one = query.scheme !== undefined && !query.scheme.includes(',') ? query.scheme : undefined;
    const front = route === 'tiers' && audienceOfPrincipal(principal) === 'staff' ? one : undefined;
    const findWhole: (db: ApiDeps['db'], tenantId: string, externalId: string) => Promise<SubjectForRead | SubjectForTiers | undefined> =
      front === undefined ? findSubjectForRead : (db, tenantId, externalId) => findSubjectForTiers(db, tenantId, externalId, front);
    const known = trusted ?? (await versions.get(shared.db, principal.tenantId, id, findWhole));
    if (!known) return undefined;
    const subject = 'subject' in known ? known.subject : known;
    const tp = peeked ?? (await shared.packs.get(shared.db, principal.tenantId, periodOf(now, shared.timeZone)));
    const seen = viewOf(route, query, principal, tp);
    if (!seen) return undefined;
    const { audience, shown, view } = seen;
    const { locale } = query;
    const deps: ApiDeps = { ...shared, tenantId: principal.tenantId, principal };
    let entry: { readonly etag: string; readonly body: string | Uint8Array<ArrayBuffer> } | undefined = reads.kept(
      readKey(route, deps, subject, packPrint(tp), audience, view),
      nowMs,
    );
    if (!entry) {
      // A first ask: built here as the route builds it, from the whole row (and its version as read
      // now), once the bucket is known to have a token for it.
      if (limits && buckets && buckets.check(found.rateKey, limits.clock()) !== 0) return undefined;
      let read: SubjectForRead | undefined;
      // The version was just read from the database, with the whole row.
      if ('subject' in known) read = known;
      else {
        const mark = versions.mark();
        read = await findWhole(shared.db, principal.tenantId, id);
        if (!read) return undefined;
        // A version trusted from before another process's write would miss the body built now until the trust ends.
        versions.remember(principal.tenantId, id, read.subject, mark);
      }
      // Whether it has an approved override is as of this same read, which the body is kept under.
      const { subject: whole, hasApprovedOverride } = read;
      // What the same statement read of the assignments, if it did (only a tiers read asks for them).
      const stored = 'assignments' in read ? (read as SubjectForTiers).assignments : undefined;
      // A customer who left reads nothing of themselves: the chain answers 404 (subjectOr404). Their
      // version moved when they were closed, so no body kept from before can be served here either.
      if (whole.closedAt !== null && principal.subject !== null) return undefined;
      // Nor is an erased customer's: the chain answers 404 `subject-erased` (subjectOr404).
      if (whole.erasedAt !== null) return undefined;
      const key = readKey(route, deps, whole, packPrint(tp), audience, view);
      entry = await reads.build(key, nowMs, () =>
        route === 'tiers'
          ? buildTiers(deps, whole, tp, audience, now, shown, locale, hasApprovedOverride, stored)
          : route === 'history'
            ? buildHistory(deps, whole, tp, audience, undefined, DEFAULT_HISTORY_LIMIT, undefined, locale, hasApprovedOverride)
            : buildEntitlements(deps, whole, tp, audience, locale, hasApprovedOverride),
      );
    }
    return send(entry, who, origin, header);
  }

  function send(
    entry: { readonly etag: string; readonly body: string | Uint8Array<ArrayBuffer> },
    { found, buckets }: NonNullable<ReturnType<typeof reader>>,
    origin: string | undefined,
    header: HeaderOf,
  ): FastReply | undefined {
    // Every header read before the bucket is taken: a caller whose header reader gives up (throws) spends no token.
    const requestId = requestIdOf(header('x-request-id'));
    const notModified = ifNoneMatchHas(header('if-none-match'), entry.etag);
    // The one side effect, last: a bucket that is empty is left for the general chain to refuse (429).
    if (limits && buckets && buckets.take(found.rateKey, limits.clock()) !== 0) return undefined;
    const out: Record<string, string> = { ...fixed, etag: entry.etag, 'x-request-id': requestId };
    if (origin !== undefined) {
      // What hono/cors adds to a browser's GET (the chain's first middleware), in the same words.
      const allowed = options.cors.allow(origin);
      if (allowed) out['access-control-allow-origin'] = allowed;
      out['access-control-expose-headers'] = expose;
      out.vary = 'Origin';
    }
    if (notModified) return { status: 304, headers: out, body: null };
    out['content-type'] = 'application/json';
    return { status: 200, headers: out, body: entry.body };
  }
}

/** A fast reply as a Web `Response`: the body's length is the adapter's to send, as for any Response. */
function toResponse(reply: FastReply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}

/**
 * The fast path for a Web `fetch` handler (the app's, before its router): the same replies as
 * `Response`s. A reply known at once is returned as it is, not as a promise: @hono/node-server writes a
 * Response with a body and a plain headers object straight to the socket (its `cacheKey` path),
 * where a promise costs an await, a close listener and their garbage on every request.
 */
export function fetchAnswers(replies: FastSubjectReads): (req: Request) => FastAnswer {
  return (req) => {
    const url = req.url;
    // The target as the request line had it: the absolute URL less its scheme and host.
    const answered = replies(req.method, url.slice(url.indexOf('/', url.indexOf('//') + 2)), (name) => req.headers.get(name) ?? undefined);
    if (answered === undefined) return undefined;
    return answered instanceof Promise ? answered.then((reply) => reply && toResponse(reply)) : toResponse(answered);
  };
}

/** The same answers as a Hono middleware in front of a chain (tests put the fast path before a chain of their own). */
export function fastSubjectReads(options: FastReadOptions): MiddlewareHandler<AppEnv> {
  const answers = fetchAnswers(fastSubjectReplies(options));
  return async (c, next) => (await answers(c.req.raw)) ?? next();
}

const repliesOfApps = new WeakMap<object, FastSubjectReads>();

/**
 * The fast path's replies of an app `createApp` made, for a caller that answers these reads below the
 * Web `fetch` (bench/api/node-listener.ts, the node:http prototype session 41 measured); undefined
 * when it has none (`unmaskNames` on). Everything else is still the app's `fetch`'s.
 */
export function fastRepliesOf(app: object): FastSubjectReads | undefined {
  return repliesOfApps.get(app);
}

/** Record that `app` answers its subject reads with `replies` before its router (see fastRepliesOf). */
export function answersFastReads(app: object, replies: FastSubjectReads): void {
  repliesOfApps.set(app, replies);
}
