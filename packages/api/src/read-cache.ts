import type { Context } from 'hono';
import { etagOf, matchesEtag } from './etag.js';

/** Bytes of response bodies one app keeps, by default: 32 MiB. */
export const READ_CACHE_BYTES = 32 * 1024 * 1024;

interface Entry {
  readonly body: string;
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
 */
export class ReadCache {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(private readonly maxBytes = READ_CACHE_BYTES) {}

  /**
   * Answer `c` from the entry under `key`, or build it: 304 when `If-None-Match` has the ETag,
   * else the JSON body. The body is serialized and hashed once per key, not once per request.
   */
  async respond(c: Context, key: string, nowMs: number, build: () => Promise<BuiltRead>): Promise<Response> {
    let entry = this.#entries.get(key);
    if (entry && entry.until <= nowMs) {
      this.#forget(key, entry);
      entry = undefined;
    }
    if (!entry) {
      const built = await build();
      const body = 'json' in built ? built.json : JSON.stringify(built.body);
      entry = { body, etag: etagOf(body), until: built.until ?? Number.POSITIVE_INFINITY };
      this.#remember(key, entry);
    }
    if (matchesEtag(c, entry.etag)) return c.body(null, 304);
    return c.body(entry.body, 200, { 'Content-Type': 'application/json' });
  }

  #remember(key: string, entry: Entry): void {
    const size = entry.body.length + key.length;
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

  #forget(key: string, entry: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.body.length + key.length;
  }
}

const ids = new WeakMap<object, number>();
let nextId = 0;

/**
 * A number for an object for as long as it lives: a cache key part for things that are replaced,
 * never changed in place — a tenant's compiled pack is a new object once its policies change.
 */
export function identityOf(value: object): number {
  let id = ids.get(value);
  if (id === undefined) ids.set(value, (id = ++nextId));
  return id;
}
