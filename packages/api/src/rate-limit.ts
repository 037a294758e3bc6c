/*
 * Token buckets for rate limits. Written here rather than taken from hono-rate-limiter because two
 * things it does not give are needed: memory bounded whatever callers send (least recently seen
 * callers are forgotten first), and a bucket charged after the work, only when it failed, as
 * failed-credential limits need.
 */

/** Rate limits of `createApp` (see packages/api/README.md#rate-limits). */
export interface RateLimitOptions {
  /** Requests one credential may send at once. Default 600. */
  readonly burst?: number;
  /** Requests per second one credential may sustain. Default 100. */
  readonly perSecond?: number;
  /**
   * Burst of one API key. Default 5,000: a key is the bank's backend, which mints an embed token at
   * every customer login — tens of thousands a minute at month start — not one person.
   */
  readonly keyBurst?: number;
  /** Requests per second one API key may sustain. Default 2,000. */
  readonly keyPerSecond?: number;
  /** Requests with a bad credential one client address may send at once (needs `clientAddress`). Default 30. */
  readonly failedBurst?: number;
  /** Bad-credential requests per second one client address may sustain. Default 1. */
  readonly failedPerSecond?: number;
  /** Callers tracked at most, per limit; beyond it the least recently seen is forgotten. Default 10,000. */
  readonly maxTracked?: number;
  /** Milliseconds of a monotonic clock. Default `performance.now` (tests pass their own). */
  readonly clock?: () => number;
}

export const RATE_LIMIT_DEFAULTS = {
  burst: 600,
  perSecond: 100,
  keyBurst: 5000,
  keyPerSecond: 2000,
  failedBurst: 30,
  failedPerSecond: 1,
  maxTracked: 10_000,
} as const;

interface Bucket {
  tokens: number;
  at: number;
}

/** One token bucket per key, at most `maxTracked` keys. */
export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();
  readonly #burst: number;
  readonly #perSecond: number;
  readonly #maxTracked: number;

  constructor(burst: number, perSecond: number, maxTracked: number) {
    if (!(burst >= 1 && perSecond > 0 && maxTracked >= 1))
      throw new RangeError(`rate limit needs burst ≥ 1, perSecond > 0 and maxTracked ≥ 1 (got ${burst}, ${perSecond}, ${maxTracked})`);
    this.#burst = burst;
    this.#perSecond = perSecond;
    this.#maxTracked = maxTracked;
  }

  /** Keys currently tracked (never more than `maxTracked`). */
  get size(): number {
    return this.#buckets.size;
  }

  #tokens(b: Bucket | undefined, nowMs: number): number {
    return b ? Math.min(this.#burst, b.tokens + (Math.max(0, nowMs - b.at) / 1000) * this.#perSecond) : this.#burst;
  }

  #refilled(key: string, nowMs: number): Bucket {
    const tokens = this.#tokens(this.#buckets.get(key), nowMs);
    // Re-inserting keeps the map in least-recently-seen order, so eviction drops the stalest key.
    this.#buckets.delete(key);
    const fresh = { tokens, at: nowMs };
    this.#buckets.set(key, fresh);
    while (this.#buckets.size > this.#maxTracked) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest === undefined) break;
      this.#buckets.delete(oldest);
    }
    return fresh;
  }

  #wait(tokens: number): number {
    return Math.max(1, Math.ceil((1 - tokens) / this.#perSecond));
  }

  /** Take one token: 0 when there was one, else the whole seconds to wait (for `Retry-After`). */
  take(key: string, nowMs: number): number {
    const b = this.#refilled(key, nowMs);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return this.#wait(b.tokens);
  }

  /** Like `take`, without taking: whether a request would be allowed now. */
  check(key: string, nowMs: number): number {
    const tokens = this.#tokens(this.#buckets.get(key), nowMs);
    return tokens >= 1 ? 0 : this.#wait(tokens);
  }
}

/** The limits of one app: per token, per API key, and failed credentials per client address. */
export interface RateLimits {
  readonly perCredential: TokenBuckets;
  readonly perKey: TokenBuckets;
  readonly failedAuth: TokenBuckets;
  readonly clock: () => number;
}

/** Build the app's limits from its options; `false` turns rate limiting off. */
export function rateLimits(options: RateLimitOptions | false | undefined): RateLimits | undefined {
  if (options === false) return undefined;
  const o = { ...RATE_LIMIT_DEFAULTS, ...options };
  return {
    perCredential: new TokenBuckets(o.burst, o.perSecond, o.maxTracked),
    perKey: new TokenBuckets(o.keyBurst, o.keyPerSecond, o.maxTracked),
    failedAuth: new TokenBuckets(o.failedBurst, o.failedPerSecond, o.maxTracked),
    clock: options?.clock ?? (() => performance.now()),
  };
}
