import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { etagOf, matchesEtag } from './etag.js';

/** Bytes of response bodies one app keeps, by default: 32 MiB. */
export const READ_CACHE_BYTES = 32 * 1024 * 1024;

/** Keys a cache remembers having been asked once (see ReadCache). */
export const READ_CACHE_SEEN_KEYS = 8192;

/** A kept read: its body as sent, its ETag, and until when it holds. */
export interface CachedRead {
  /** UTF-8 bytes, outside the JavaScript heap: the collector neither copies nor marks them, and no read encodes them again. */
  readonly body: Uint8Array<ArrayBuffer>;
  readonly etag: string;
  /** Epoch ms after which the body may be wrong without any write (an override expiring); Infinity if never. */
  readonly until: number;
}

/** What a read built: the body (or its JSON text), and until when it holds if nothing is written. */
export type BuiltRead = ({ readonly body: unknown } | { readonly json: string }) & { readonly until?: number };

/**
 * The bodies of recent subject reads, as sent, with their ETags. A key names everything the body
 * depends on — the subject's stored `version` and `updatedAt` (see the subject-version migration),
 * the tenant's pack, the route, its query and the caller's view — so an entry is never stale: a
 * write makes a new key, and the old entry just ages out. Bounded by total body bytes; the oldest
 * entries go first.
 *
 * A body is kept only when its key is asked for the second time (among the last `seenKeys` keys).
 * Reads of a widget's customer repeat (several widgets, polling), reads of random customers by a
 * bank's server mostly do not: keeping each of those 20 KB bodies until it is pushed out made the
 * garbage collector copy and then sweep them, which cost more than building them did.
 *
 * The ETag is the hash of the body, made once when it is built; a kept read sends it without hashing.
 * It was the hash of the key, which was cheaper on a miss, but the key names the subject's version,
 * which moves with writes a customer's body does not show (an AML override requested, a sign-off):
 * a customer's ETag changed with nothing they could see, telling them staff had acted. Bodies are
 * the same in every process, so servers behind one load balancer agree on their ETags. Time is the
 * one thing a key does not name: an override in force expires by itself, and the entry stops
 * holding at that instant (`until`); the body built after it shows no override.
 */
export class ReadCache {
  readonly #entries = new Map<string, CachedRead>();
  readonly #seen = new Set<string>();
  #bytes = 0;

  constructor(
    private readonly maxBytes = READ_CACHE_BYTES,
    private readonly seenKeys = READ_CACHE_SEEN_KEYS,
  ) {}

  /**
   * Answer `c` from the entry under `key`, or build it: 304 when `If-None-Match` has the ETag,
   * else the JSON body. The body is serialized and hashed once per key, not once per request.
   */
  async respond(c: Context, key: string, nowMs: number, build: () => Promise<BuiltRead>): Promise<Response> {
    const { etag, body } = this.kept(key, nowMs) ?? (await this.build(key, nowMs, build));
    return this.#send(c, etag, body);
  }

  /**
   * Build the body under `key` (not looked up first: see `kept`), and keep it if it was asked for
   * before and still holds after `nowMs`, the read's instant.
   */
  async build(
    key: string,
    nowMs: number,
    build: () => Promise<BuiltRead>,
  ): Promise<{ readonly etag: string; readonly body: Uint8Array<ArrayBuffer> }> {
    const built = await build();
    // Encoded once, here: the hash, the response and the kept entry all take these bytes. Hashing the
    // text and sending the text encoded a first ask's body twice (three times when it was kept), which
    // for a staff read of every scheme (20 KB) cost more than hashing it (BENCHMARKS.md, api bench).
    const body = Buffer.from('json' in built ? built.json : JSON.stringify(built.body));
    const until = built.until ?? Number.POSITIVE_INFINITY;
    // Of the body, not of the key: the key holds the subject's version, which staff writes a customer
    // never sees (an AML override, a sign-off) also move; an ETag of the key would tell them.
    const etag = etagOf(body);
    // A body that no longer holds (one built unsettled, `until` now) would only take room until pushed out.
    if (until <= nowMs) return { etag, body };
    if (this.#seen.delete(key)) this.#remember(key, { body, etag, until });
    else {
      // Past the bound start over rather than tracking recency on every read.
      if (this.#seen.size >= this.seenKeys) this.#seen.clear();
      this.#seen.add(key);
    }
    return { etag, body };
  }

  /** The entry under `key` if one is kept and still holds at `nowMs`. */
  kept(key: string, nowMs: number): CachedRead | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.until > nowMs) return entry;
    this.#forget(key, entry);
    return undefined;
  }

  #send(c: Context, etag: string, body: string | Uint8Array<ArrayBuffer>): Response {
    if (matchesEtag(c, etag)) return c.body(null, 304);
    return c.body(body, 200, { 'Content-Type': 'application/json' });
  }

  #remember(key: string, entry: CachedRead): void {
    const size = entry.body.byteLength + key.length;
    if (size > this.maxBytes) return;
    const old = this.#entries.get(key);
    if (old) this.#forget(key, old);
    while (this.#bytes + size > this.maxBytes) {
      const oldest = this.#entries.entries().next();
      if (oldest.done) break;
      this.#forget(oldest.value[0], oldest.value[1]);
    }
    this.#entries.set(key, entry);
    this.#bytes += size;
  }

  #forget(key: string, entry: CachedRead): void {
    this.#entries.delete(key);
    this.#bytes -= entry.body.byteLength + key.length;
  }
}

const fingerprints = new WeakMap<object, string>();

/**
 * A hash of an object's JSON, computed once per object: a cache key and ETag part for things that
 * are replaced, never changed in place (a tenant's compiled pack is a new object once its policies
 * change). Unlike an object identity, it is the same in every process and after a restart.
 */
export function fingerprintOf(value: object): string {
  let print = fingerprints.get(value);
  if (print === undefined) fingerprints.set(value, (print = createHash('sha256').update(JSON.stringify(value)).digest('base64url')));
  return print;
}
