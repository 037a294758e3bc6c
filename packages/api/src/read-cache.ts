import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import { acceptsGzip, codedEtag, etagOf, ifNoneMatchHas } from './etag.js';

/** Bytes of response bodies one app keeps, by default: 32 MiB. */
export const READ_CACHE_BYTES = 32 * 1024 * 1024;

/** Keys a cache remembers having been asked once (see ReadCache). */
export const READ_CACHE_SEEN_KEYS = 8192;

/** Bodies shorter than this are sent as they are: gzip would save less than its header costs to parse. */
export const GZIP_MIN_BYTES = 1024;

/**
 * A kept read: its ETag, until when it holds, and its body in the codings asked for so far — bytes
 * outside the JavaScript heap, so the collector neither copies nor marks them and no read encodes
 * them again. At least one of `identity` and `gzip` is set; the other is made from it the first time
 * a reader asks for it.
 */
export interface CachedRead {
  readonly etag: string;
  /** Epoch ms after which the body may be wrong without any write (an override expiring); Infinity if never. */
  readonly until: number;
  /** The body's UTF-8 bytes. */
  identity: Uint8Array<ArrayBuffer> | undefined;
  /** The same bytes gzip-compressed, for readers whose `Accept-Encoding` takes gzip (every browser does). */
  gzip: Uint8Array<ArrayBuffer> | undefined;
}

/** A body as it goes out: its bytes (or JSON text), the ETag of that representation, its content coding. */
export interface ReadBody {
  readonly etag: string;
  /** The uncompressed representation's ETag: `If-None-Match` with it or with `etag` is a 304. */
  readonly identityEtag: string;
  readonly body: string | Uint8Array<ArrayBuffer>;
  readonly encoding: 'gzip' | undefined;
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
 * The ETag is the hash of the key and the body's `until`, not of the body: hashing a 20 KB body on
 * every cache miss cost more than the query that built it. The key is the same in every process (see
 * fingerprintOf), so servers behind one load balancer agree on it. Time is the one thing a key does
 * not name: an override in force expires by itself, and the body built after that instant has
 * another `until` (the next expiry, or none), hence another ETag.
 *
 * A kept body goes out gzip-compressed to a reader that accepts it: a staff tiers body is 23 KB of
 * JSON (labels in three languages) and 5 KB compressed, and writing and reading those bytes, not
 * finding them, was most of what a kept read cost (BENCHMARKS.md). It is compressed once, when it is
 * first sent compressed, and kept that way; a first ask is sent as built, since compressing a body
 * that may never be asked again costs about as much as building it. The compressed representation
 * has its own ETag (RFC 9110 §8.8.3: the coding is part of the representation), and `If-None-Match`
 * with either one is a 304, since both are the same document.
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
    const gzip = acceptsGzip(c.req.header('Accept-Encoding'));
    const kept = this.kept(key, nowMs);
    const { etag, identityEtag, body, encoding } = kept ? this.coded(key, kept, gzip) : await this.build(key, build, gzip);
    // Every answer says it depends on Accept-Encoding, a 304 and an uncompressed body included.
    c.header('Vary', 'Accept-Encoding', { append: true });
    c.header('ETag', etag);
    if (isCurrent(c.req.header('If-None-Match'), identityEtag)) return c.body(null, 304);
    if (encoding) c.header('Content-Encoding', encoding);
    return c.body(body, 200, { 'Content-Type': 'application/json' });
  }

  /**
   * Build the body under `key` (not looked up first: see `kept`), and keep it if it was asked for
   * before — in the coding this reader takes, and then sent that way.
   */
  async build(key: string, build: () => Promise<BuiltRead>, gzip: boolean): Promise<ReadBody> {
    const built = await build();
    const body = 'json' in built ? built.json : JSON.stringify(built.body);
    const until = built.until ?? Number.POSITIVE_INFINITY;
    const etag = etagOf(`${key}\n${until}`);
    if (this.#seen.delete(key)) {
      // Kept in the coding this reader takes: a cache read by browsers holds compressed bodies only.
      const bytes = Buffer.from(body);
      const compress = gzip && bytes.byteLength >= GZIP_MIN_BYTES;
      const entry: CachedRead = { etag, until, identity: compress ? undefined : bytes, gzip: compress ? gzipSync(bytes) : undefined };
      this.#remember(key, entry);
      return this.coded(key, entry, gzip);
    } else {
      // Past the bound start over rather than tracking recency on every read.
      if (this.#seen.size >= this.seenKeys) this.#seen.clear();
      this.#seen.add(key);
    }
    return { etag, identityEtag: etag, body, encoding: undefined };
  }

  /** A kept entry's body in the coding a reader takes, made (and kept) the first time it is asked for. */
  coded(key: string, entry: CachedRead, gzip: boolean): ReadBody {
    // A gzip coding exists only for a body long enough to be worth it.
    if (gzip && (entry.gzip !== undefined || entry.identity!.byteLength >= GZIP_MIN_BYTES)) {
      if (!entry.gzip) this.#add(key, entry, 'gzip', gzipSync(entry.identity!));
      return { etag: codedEtag(entry.etag, 'gzip'), identityEtag: entry.etag, body: entry.gzip!, encoding: 'gzip' };
    }
    if (!entry.identity) this.#add(key, entry, 'identity', gunzipSync(entry.gzip!));
    return { etag: entry.etag, identityEtag: entry.etag, body: entry.identity!, encoding: undefined };
  }

  /** The entry under `key` if one is kept and still holds at `nowMs`. */
  kept(key: string, nowMs: number): CachedRead | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.until > nowMs) return entry;
    this.#forget(key, entry);
    return undefined;
  }

  /** Keep `entry`, making room for it; false if it is larger than the whole cache. */
  #remember(key: string, entry: CachedRead): boolean {
    const size = sizeOf(key, entry);
    if (size > this.maxBytes) return false;
    const old = this.#entries.get(key);
    if (old) this.#forget(key, old);
    this.#makeRoom(size);
    this.#entries.set(key, entry);
    this.#bytes += size;
    return true;
  }

  /** Add a coding to a kept entry. Making room may push the entry itself out; it is still answered from. */
  #add(key: string, entry: CachedRead, coding: 'identity' | 'gzip', body: Uint8Array<ArrayBuffer>): void {
    const kept = this.#entries.get(key) === entry;
    if (kept) this.#forget(key, entry);
    entry[coding] = body;
    if (kept) this.#remember(key, entry);
  }

  #makeRoom(size: number): void {
    while (this.#bytes + size > this.maxBytes) {
      const oldest = this.#entries.entries().next();
      if (oldest.done) break;
      this.#forget(oldest.value[0], oldest.value[1]);
    }
  }

  #forget(key: string, entry: CachedRead): void {
    this.#entries.delete(key);
    this.#bytes -= sizeOf(key, entry);
  }
}

const sizeOf = (key: string, entry: CachedRead) => (entry.identity?.byteLength ?? 0) + (entry.gzip?.byteLength ?? 0) + key.length;

/** Whether `If-None-Match` names the document in either coding: a 304 sends no body, so either is current. */
export function isCurrent(inm: string | undefined, identityEtag: string): boolean {
  return ifNoneMatchHas(inm, identityEtag) || ifNoneMatchHas(inm, codedEtag(identityEtag, 'gzip'));
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
