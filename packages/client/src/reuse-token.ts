/**
 * What a host's token function answers: the token and when it stops being accepted (`expiresAt`, as
 * `POST /v1/embed-tokens` answers it: an ISO 8601 instant, ms since the epoch, or a Date).
 */
export interface TokenGrant {
  readonly token: string;
  readonly expiresAt: string | number | Date;
}

/** A wrapped token function: the same calls, plus `invalidate()` to forget what it holds. */
export interface ReusedToken<K extends unknown[]> {
  (...key: K): Promise<string>;
  /** Forget the held token(s), e.g. after the API answered 401 or the customer signed out. */
  invalidate(): void;
}

/** A token is asked for anew this long before its expiry, so no request carries one about to lapse. */
const REFRESH_BEFORE_MS = 30_000;

/**
 * Opt-in token reuse for a host whose token function mints a token per call (its backend and audit
 * log then see one mint per widget read). The wrapper asks `mint` once per distinct argument list —
 * so a function minting per customer keeps one token per customer, never another customer's — shares
 * that call between requests that start together, and reuses its token until 30 s before
 * `expiresAt`. A missing or unreadable `expiresAt` is not reused: guessing a lifetime would send a
 * lapsed token. A failed call is not kept, so the next request asks again.
 *
 * Lives outside `createClient` (which asks its token function per request, as before) so the widgets'
 * bundle, which never imports it, does not carry it.
 */
export function reuseToken<K extends unknown[]>(mint: (...key: K) => TokenGrant | Promise<TokenGrant>): ReusedToken<K> {
  // `until` is +Infinity while the call is pending (callers share it), then 30 s before expiresAt
  // (NaN when that is missing or unreadable, which compares false: never reused), -Infinity on failure.
  const held = new Map<string, { token: Promise<string>; until: number }>();
  const reused = ((...key: K) => {
    const id = JSON.stringify(key);
    const h = held.get(id);
    if (h && Date.now() < h.until) return h.token;
    const entry: { token?: Promise<string>; until: number } = { until: Number.POSITIVE_INFINITY };
    entry.token = (async () => {
      try {
        const g = await mint(...key);
        entry.until = new Date(g.expiresAt).getTime() - REFRESH_BEFORE_MS;
        return g.token;
      } catch (e) {
        entry.until = Number.NEGATIVE_INFINITY;
        throw e;
      }
    })();
    held.set(id, entry as { token: Promise<string>; until: number });
    return entry.token;
  }) as ReusedToken<K>;
  reused.invalidate = () => held.clear();
  return reused;
}
