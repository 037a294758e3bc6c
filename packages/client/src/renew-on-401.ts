import type { TokenFunctionError } from './errors.js';

/** What the recovery needs of `<tk-provider>`: its events, and `reload()`, which reads every widget again. */
export interface Reloadable extends EventTarget {
  reload(): void;
  /** `<tk-provider>`'s own: a new `token` (with no `client`) already has every widget read again. */
  readonly token?: string;
  readonly client?: unknown;
}

export interface RenewOn401Options {
  /**
   * Renewals in a row, with no read loading between them, before it gives up (default 3): a renewed
   * token the API refuses too (a bad mint, a key rotated again) is renewed, but never without end.
   */
  readonly maxRenewals?: number;
  /** Milliseconds before the second renewal in a row, doubled for each after it (default 1000); the first is at once. */
  readonly backoff?: number;
  /**
   * Called when it will not renew (the session ended): the token function itself answered 401 (its
   * error carries `source: 'token'`), a renewal failed, or `maxRenewals` renewals in a row were
   * refused. The widgets say "signed out" by themselves; this is where a page offers its sign-in. Called
   * for each refused widget's read (three widgets, three calls): make it idempotent.
   */
  readonly onSignedOut?: (error: unknown) => void;
}

/**
 * The recovery from a refused token (401) that `tk-error` asks the host for, done so that it cannot
 * loop: `renew` (forget the held token, or mint one and set it as a `base-url` provider's `token`,
 * which reads every widget again by itself) then `provider.reload()` unless a new token did, once for
 * every 401 the widgets hear while it runs — they are all the same refused token's, and `reload()`
 * drops the reads that started before it, so a 401 after it is the renewed token's. A 401 the token
 * function threw (`source: 'token'`, the client marks it) is the bank's session ending, which no
 * renewal mends: the widgets stay signed out. A renewed token refused again is renewed after a
 * back-off, `maxRenewals` times at most until a read loads. Only `provider`'s own widgets count: a
 * nested provider's errors bubble through it too. Returns the function that stops it.
 *
 * Lives outside the client, as `reuseToken` does, so the widgets' bundle does not carry it.
 */
export function renewOn401(provider: Reloadable, renew: () => unknown, options: RenewOn401Options = {}): () => void {
  const { maxRenewals = 3, backoff = 1000, onSignedOut } = options;
  let renewals = 0;
  let renewing = false;
  /** Whether `e` comes from a widget of this provider, not of one nested in it. */
  const ours = (e: Event) =>
    e.composedPath().find((n) => n !== e.target && typeof (n as Partial<Reloadable>).reload === 'function') === provider;
  const loaded = (e: Event) => {
    if (ours(e)) renewals = 0;
  };
  const refused = (e: Event) => {
    const error = (e as Event & { error?: Partial<TokenFunctionError> | null }).error;
    if (error?.status !== 401 || renewing || !ours(e)) return;
    if (error.source === 'token' || renewals >= maxRenewals) {
      onSignedOut?.(error);
      return;
    }
    const wait = renewals++ === 0 ? 0 : backoff * 2 ** (renewals - 2);
    renewing = true;
    const token = provider.token;
    new Promise((r) => setTimeout(r, wait))
      .then(renew)
      .then(
        // A `base-url` provider given a new token makes a new client, which every widget reads through
        // at once; reload() as well would have each read a second time.
        () => (provider.client || provider.token === token ? provider.reload() : undefined),
        (failed: unknown) => onSignedOut?.(failed),
      )
      .finally(() => {
        renewing = false;
      });
  };
  provider.addEventListener('tk-load', loaded);
  provider.addEventListener('tk-error', refused);
  return () => {
    provider.removeEventListener('tk-load', loaded);
    provider.removeEventListener('tk-error', refused);
  };
}
