import type { EntitlementsResponse, HistoryResponse, MatrixResponse, SchemeResponse, TiersResponse } from '@tierkit/core';
import { TierkitApiError, abortReason, problemOf } from './errors.js';
import { SharedGet } from './shared-get.js';
import type { ListedSubject, Page, Session, StaffApi, StaffMember } from './staff-types.js';
import type { ClientOptions, ReadOptions, TierkitClient } from './types.js';

/**
 * `?a=1&b=2` from the defined, non-empty values, keys sorted so that the same filter given in another
 * order hits the same cache entry; '' when nothing is left.
 */
export function query(params: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const pairs = Object.entries(params)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined && e[1] !== '')
    // An object's keys are unique: two never compare equal.
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return pairs.length ? `?${pairs.join('&')}` : '';
}

/**
 * What a change of books makes stale: the subject lists and the matrix (path prefixes for `invalidate`).
 * Exported so a host's own write that changes who is in the book (closing a customer) forgets the same.
 */
export const BOOK_READS = ['/v1/subjects?', '/v1/matrix/'] as const;

const ACCEPT = 'application/json, application/problem+json';

/** A 2xx answer's JSON body; any other answer rejects with its problem. */
async function bodyOf(res: Response): Promise<unknown> {
  if (!res.ok) throw new TierkitApiError(await problemOf(res));
  return res.json();
}

interface CacheEntry {
  readonly etag: string | null;
  readonly body: unknown;
  readonly at: number;
}

/**
 * The widgets' client: their reads, with the cache exposed for hosts that know data changed (after an
 * override, say) and the transport. What `@tierkit/components` makes and exports: it carries no staff
 * route, which an embed token may not call anyway, so the widgets' bundle does not pay for them.
 */
export interface ReadClient extends TierkitClient {
  /** Forgets cached bodies: all, or those whose path starts with `pathPrefix` (e.g. `/v1/subjects/C1/`). */
  invalidate(pathPrefix?: string): void;
  /**
   * The client's transport, for the admin kit's routes: they live in `@tierkit/admin`, not here, so
   * the widgets' bundle does not carry the console's API.
   */
  readonly http: HttpAccess;
}

/** A ReadClient with the staff routes an admin console needs. */
export interface HttpTierkitClient extends ReadClient, StaffApi {}

/** Options of a write: what it makes stale, and extra headers (an `Idempotency-Key`, say). */
export interface SendOptions extends ReadOptions {
  /** Path prefixes whose cached reads the write makes stale (see `invalidate`). */
  readonly forget?: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
}

/** Requests with the client's base URL, credential, cache and problem handling. */
export interface HttpAccess {
  /** A GET through the cache and coalescing the widgets' reads use; `path` includes its query. */
  get<T>(path: string, o?: ReadOptions): Promise<T>;
  /** A JSON write; rejects with {@link TierkitApiError} on a non-2xx answer. */
  send<T>(method: 'POST' | 'PUT' | 'PATCH', path: string, body: unknown, o?: SendOptions): Promise<T>;
  /**
   * The bare exchange for what is not a JSON read or write (a CSV upload, an event stream): base URL
   * and credential added, nothing cached, the `Response` returned whatever its status.
   */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * Creates the HTTP client of the tierkit API.
 *
 * - Identical GETs in flight are coalesced into one request.
 * - Responses are cached by URL; within `freshFor` ms they are reused without a request, after it the
 *   client sends `If-None-Match` and reuses the body on `304 Not Modified`.
 * - A caller's `signal` aborts its own wait; the request is aborted when no caller waits any more.
 * - Non-2xx answers reject with {@link TierkitApiError} carrying the RFC 9457 problem.
 * - A read or write with no answer within `timeout` ms (default 20 s) rejects with a TierkitApiError of
 *   status 0; `http.fetch` is raw and waits as long as the caller's signal lets it.
 *
 * @example
 * ```ts
 * const client = createClient({ baseUrl: 'https://tier.bank.example', token: () => fetchEmbedToken() });
 * const { assignments } = await client.getTiers('C000003');
 * ```
 */
export function createClient(options: ClientOptions): HttpTierkitClient {
  const reads = createReadClient(options);
  const { get, send } = reads.http;
  const enc = encodeURIComponent;
  return {
    ...reads,
    getSession: (o) => get<Session>('/v1/session', o),
    // `order` always present, so every list path starts `/v1/subjects?` and BOOK_READS finds it.
    listSubjects: (q, o) =>
      get<Page<ListedSubject>>(`/v1/subjects${query({ ...q, order: q.order ?? 'asc', cursor: o?.cursor, limit: o?.limit })}`, o),
    listStaff: (o) => get<Page<StaffMember>>(`/v1/staff${query({ role: o?.role, cursor: o?.cursor, limit: o?.limit })}`, o),
    // A book changed: lists and matrix counts are stale, the subject's own reads are not.
    getManager: (id, o) => get<{ subject: string; manager: string | null }>(`/v1/subjects/${enc(id)}/manager`, o),
    setManager: (id, manager, o) =>
      send('PUT', `/v1/subjects/${enc(id)}/manager`, { manager }, { ...o, forget: [...BOOK_READS, `/v1/subjects/${enc(id)}/manager`] }),
    assignManagers: (assignments, o) =>
      send(
        'POST',
        '/v1/subject-managers',
        { assignments },
        { ...o, forget: [...BOOK_READS, ...assignments.map((a) => `/v1/subjects/${enc(a.subject)}/manager`)] },
      ),
  };
}

/** `createClient` without the staff routes: the reads, cache and transport the widgets use (ReadClient). */
export function createReadClient(options: ClientOptions): ReadClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const freshFor = options.freshFor ?? 5000;
  const timeout = options.timeout ?? 20_000;
  const cacheSize = Math.max(1, options.cacheSize ?? 200);
  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, SharedGet<unknown>>();
  // Bumped per path by invalidate(): a request that started before an invalidation may still answer
  // its own callers, but must not refill the cache with what was true before it.
  const generation = new Map<string, number>();

  /** Store as most recently used, evicting the least recently used past `cacheSize`. */
  function remember(path: string, entry: CacheEntry): void {
    cache.delete(path);
    cache.set(path, entry);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
  }

  async function authHeader(): Promise<string | undefined> {
    // No token: `value` stays undefined, and no credential is sent.
    const t = options.token;
    let value: string | undefined;
    try {
      value = typeof t === 'function' ? await t() : t;
    } catch (e) {
      // Marked `source: 'token'`: its 401 is the bank's own session ending, which reads exactly like the
      // API refusing a token, but a new token cannot mend it — a 401 recovery that renewed on it minted
      // and read again without end (renewOn401 skips it). The host's own error keeps its identity,
      // status and problem (a thrown string becomes a String object); a frozen one cannot take the mark,
      // and the read rejects with the TypeError of trying. Inline: a helper cost 16 B gzip of tierkit.js.
      throw Object.assign(Object(e), { source: 'token' });
    }
    return value ? `Bearer ${value}` : undefined;
  }

  async function request(path: string, signal: AbortSignal): Promise<unknown> {
    const started = generation.get(path) ?? 0;
    const current = () => (generation.get(path) ?? 0) === started;
    const cached = cache.get(path);
    const res = await exchange(path, {
      headers: cached?.etag ? { accept: ACCEPT, 'if-none-match': cached.etag } : { accept: ACCEPT },
      signal,
    });
    if (res.status === 304 && cached) {
      if (current()) remember(path, { ...cached, at: Date.now() });
      return cached.body;
    }
    const body = await bodyOf(res);
    if (current()) remember(path, { etag: res.headers.get('etag'), body, at: Date.now() });
    return body;
  }

  /**
   * `run` with a signal that `outer` aborts, and so does `timeout`: then it rejects with a
   * TierkitApiError of status 0, which the widgets show as an error with a retry (ClientOptions.timeout).
   */
  async function timed<T>(outer: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ctl = new AbortController();
    const late = new TierkitApiError({ type: 'https://tierkit.dev/problems/timeout', title: 'Request timed out', status: 0 });
    const timer = timeout > 0 ? setTimeout(() => ctl.abort(late), timeout) : undefined;
    const stop = () => ctl.abort(abortReason(outer as AbortSignal));
    if (outer?.aborted) stop();
    outer?.addEventListener('abort', stop);
    try {
      return await run(ctl.signal);
    } catch (e) {
      // fetch rejects with the abort's reason, but a body read cut short may say only AbortError.
      throw ctl.signal.reason === late ? late : e;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', stop);
    }
  }

  /** Any request with the base URL and credential; the caller's own headers win. */
  async function exchange(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const auth = await authHeader();
    if (auth && !headers.has('authorization')) headers.set('authorization', auth);
    return doFetch(base + path, { ...init, headers });
  }

  /** A write: never cached or coalesced; what it changes is forgotten once it succeeded. */
  async function send<T>(method: 'PUT' | 'POST' | 'PATCH', path: string, body: unknown, o?: SendOptions): Promise<T> {
    const headers = { accept: ACCEPT, 'content-type': 'application/json', ...o?.headers };
    const out = (await timed(o?.signal, async (signal) =>
      bodyOf(await exchange(path, { method, headers, body: JSON.stringify(body), signal })),
    )) as T;
    for (const prefix of o?.forget ?? []) invalidate(prefix);
    return out;
  }

  function invalidate(pathPrefix?: string): void {
    for (const key of new Set([...cache.keys(), ...inFlight.keys()])) {
      if (pathPrefix && !key.startsWith(pathPrefix)) continue;
      cache.delete(key);
      // A read after this must not join a request that started before it.
      inFlight.delete(key);
      generation.set(key, (generation.get(key) ?? 0) + 1);
    }
  }

  function get<T>(path: string, o?: ReadOptions): Promise<T> {
    const cached = cache.get(path);
    if (cached && Date.now() - cached.at < freshFor) {
      if (o?.signal?.aborted) return Promise.reject(abortReason(o.signal));
      remember(path, cached);
      return Promise.resolve(cached.body as T);
    }
    let shared = inFlight.get(path);
    if (!shared?.live) {
      // Removed from the map before any caller sees the result, so a caller that reacts by asking
      // again gets the cache or a new request, never this finished one.
      const created: SharedGet<unknown> = new SharedGet((signal) =>
        timed(signal, (s) => request(path, s)).finally(() => {
          if (inFlight.get(path) === created) inFlight.delete(path);
        }),
      );
      shared = created;
      inFlight.set(path, created);
    }
    return shared.join(o?.signal) as Promise<T>;
  }

  const enc = encodeURIComponent;

  return {
    getTiers: (id, o) =>
      // Scheme keys sorted too: widgets asking for the same set share one request and cache entry.
      get<TiersResponse>(
        `/v1/subjects/${enc(id)}/tiers${query({ locale: o?.locale, scheme: o?.schemes ? [...new Set(o.schemes)].sort().join(',') : undefined })}`,
        o,
      ),
    getEntitlements: (id, o) => get<EntitlementsResponse>(`/v1/subjects/${enc(id)}/entitlements${query({ locale: o?.locale })}`, o),
    getHistory: (id, o) =>
      get<HistoryResponse>(
        `/v1/subjects/${enc(id)}/history${query({ scheme: o?.scheme, cursor: o?.cursor, limit: o?.limit, locale: o?.locale })}`,
        o,
      ),
    getScheme: (key, o) => get<SchemeResponse>(`/v1/schemes/${enc(key)}`, o),
    getMatrix: (scheme, o) => get<MatrixResponse>(`/v1/matrix/${enc(scheme)}${query(o?.filter ?? {})}`, o),
    invalidate,
    http: { get, send, fetch: exchange },
  };
}
