import type { TokenSource } from './types.js';

/**
 * A `fetch` for `createClient` that mends an expired or revoked token before anyone sees the refusal:
 * on a 401 to a request that carried a credential it calls `renew` (forget the held token, or fetch a
 * new one from your backend and hold it), asks `token` again, and sends the request once more with the
 * new token — so the widgets go on showing, where a refusal would have shown "signed out" until a
 * `renewOn401` reload. The requests refused with one token share one renewal (four widgets, one
 * mint); a request is sent again once at most, so a renewed token refused too ends as that 401
 * (`renewOn401` and the widgets' "signed out" take it from there), and a `token` that answers the
 * refused token again is not sent again. What `renew` or `token` throws rejects the request marked
 * `source: 'token'`, as the client marks its token function's errors (`TokenFunctionError`): give
 * it the `status` your backend answered, and the widgets say "signed out" (401) or offer a retry (503),
 * which renews again. A renewed token for another customer, tenant or kind of token than the refused
 * one (read from the tokens' claims) is not sent: the request rejects with a `TokenHolderChangedError`
 * (403). The fetch keeps to the holder of the first token it sent: the host's cache may now hold the
 * other customer's token, so any later request carrying a token for another holder rejects the same
 * way before anything is sent. A page shows one customer; another customer's page makes a new fetch.
 *
 * Apart from `createClient`, as `reuseToken` is, so the widgets' bundle does not carry it:
 *
 * ```ts
 * const embedToken = reuseToken(mintOnYourBackend);
 * const client = createClient({
 *   baseUrl,
 *   token: () => embedToken(),
 *   fetch: renewingFetch(() => embedToken(), () => embedToken.invalidate()),
 * });
 * ```
 */
/** What a signed token says of whom it is for: its tenant, its kind (embed or staff) and its customer or staff member. */
interface TokenHolder {
  readonly ten?: unknown;
  readonly typ?: unknown;
  readonly sub?: unknown;
}

/**
 * The claims of a signed token (`tkt_<base64url JSON>.<signature>`) read without checking the signature,
 * which only the API can: enough to compare two tokens' holders. Undefined for anything else (an API key).
 */
function holderOf(authorization: string): TokenHolder | undefined {
  const m = /^Bearer tkt_([A-Za-z0-9_-]+)\./.exec(authorization);
  if (!m?.[1]) return undefined;
  try {
    const base64 = m[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (ch) => ch.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims === 'object' && claims !== null ? (claims as TokenHolder) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a renewed token is not sent: it is for someone else than the one it replaces (another customer,
 * tenant or kind of token) — a host's renewal that fetched the wrong customer's token. Marked as the
 * token function's errors are (`source: 'token'`, a 403 problem), so the widgets show an error rather
 * than the other customer's data, and a later read renews again.
 */
export class TokenHolderChangedError extends Error {
  readonly source = 'token' as const;
  readonly status = 403;
  readonly problem;
  constructor(detail: string) {
    super(detail);
    this.name = 'TokenHolderChangedError';
    this.problem = {
      type: 'https://tierkit.dev/problems/token-holder-changed',
      title: 'The renewed token is for someone else',
      status: 403,
      detail,
    };
  }
}

/** What differs between the refused token's holder and the renewed one's, in words; undefined when they are the same. */
function holderChange(refused: string, renewed: string): string | undefined {
  const before = holderOf(refused);
  // An API key (or anything not a signed token) names nobody to compare with.
  if (!before) return undefined;
  const after = holderOf(renewed);
  if (!after) return 'the renewed credential is not a signed token, where the one it replaces was';
  for (const [claim, what] of [
    ['ten', 'tenant'],
    ['typ', 'kind of token'],
    ['sub', 'customer (or staff member)'],
  ] as const)
    if (before[claim] !== after[claim]) return `the renewed token is for another ${what} than the one it replaces`;
  return undefined;
}

export function renewingFetch(
  token: Exclude<TokenSource, string>,
  renew: () => unknown,
  inner: typeof fetch = (input, init) => fetch(input, init),
): typeof fetch {
  // The credential the API refused, and the one renewal every request refused with it waits for.
  let refused: string | null = null;
  let renewal: Promise<string> | undefined;
  // A renewal that failed, which the requests sent before it failed share: a retry after it renews again.
  let failed: Promise<string> | undefined;
  // The first credential sent: whose it is stays whose every later request's is (checked before sending).
  let pinned: string | null = null;
  return async (input, init) => {
    const current = renewal;
    const sent = new Headers(init?.headers).get('authorization');
    if (sent !== null) {
      pinned ??= sent;
      const changed = holderChange(pinned, sent);
      if (changed) throw new TokenHolderChangedError(`${changed}: it is not sent. This page keeps to its first customer.`);
    }
    const res = await inner(input, init);
    // A body that was a stream is spent: such a request is not sent again (the client sends none).
    if (res.status !== 401 || sent === null || init?.body instanceof ReadableStream) return res;
    if (refused !== sent || (current === failed && current === renewal)) {
      refused = sent;
      // A chain, not an async function run at once: a `renew` that throws at once must still find `started` set.
      const started: Promise<string> = Promise.resolve()
        .then(renew)
        .then(async () => {
          const next = `Bearer ${await token()}`;
          // A page shows one customer: a token for another (a host's backend that minted for the wrong
          // session) is never sent, so nothing of theirs is asked for, let alone shown.
          const changed = holderChange(sent, next);
          if (changed) throw new TokenHolderChangedError(`${changed}: it is not sent. Renew with a token for the same customer.`);
          return next;
        })
        .catch((e: unknown) => {
          failed = started;
          throw Object.assign(Object(e), { source: 'token' });
        });
      renewal = started;
    }
    const next = await (renewal as Promise<string>);
    if (next === sent) return res;
    const headers = new Headers(init?.headers);
    headers.set('authorization', next);
    return inner(input, { ...init, headers });
  };
}
