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
 * which renews again.
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
  return async (input, init) => {
    const current = renewal;
    const res = await inner(input, init);
    const sent = new Headers(init?.headers).get('authorization');
    // A body that was a stream is spent: such a request is not sent again (the client sends none).
    if (res.status !== 401 || sent === null || init?.body instanceof ReadableStream) return res;
    if (refused !== sent || (current === failed && current === renewal)) {
      refused = sent;
      // A chain, not an async function run at once: a `renew` that throws at once must still find `started` set.
      const started: Promise<string> = Promise.resolve()
        .then(renew)
        .then(async () => `Bearer ${await token()}`)
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
