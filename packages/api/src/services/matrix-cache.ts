/*
 * Portfolio matrices are one GROUP BY over every current assignment of a tenant (~25 ms at 10,000
 * customers on SQLite, where the query runs synchronously and holds the event loop). A caller asking
 * in a loop would stall every other request; so a result is shared for a short time, concurrent
 * requests for the same matrix wait on one query, and this app's writes drop the tenant's results at
 * once. Whatever the query becomes (issue 9 may make it cheaper), it stays behind `get`.
 */

interface Entry<T> {
  readonly at: number;
  readonly value: Promise<T>;
  /** The value once the load has settled (see `settled`). */
  done?: T;
}

/** Results per tenant and key, each kept `ttlMs`; at most `maxEntries`, oldest dropped first. */
export class TenantResultCache<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #ttlMs: number;
  readonly #clock: () => number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, clock: () => number = () => performance.now(), maxEntries = 1000) {
    this.#ttlMs = ttlMs;
    this.#clock = clock;
    this.#maxEntries = maxEntries;
  }

  /**
   * The tenant's result for `key`: a fresh or in-flight one, else `load()` (shared with concurrent
   * callers). With a life of 0 nothing is shared, but the result is still kept for `settled`: a caller
   * that checks it against the data version needs no age limit, and a server that shares no matrix
   * (bench/api/serve.ts, to time the query) would otherwise read every empty cell's level index again.
   */
  get(tenantId: string, key: string, load: () => Promise<T>): Promise<T> {
    const id = `${tenantId}\u0000${key}`;
    const now = this.#clock();
    const hit = this.#entries.get(id);
    if (hit && this.#ttlMs > 0 && now - hit.at < this.#ttlMs) return hit.value;
    const value = load();
    const entry: Entry<T> = { at: now, value };
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    value.then(
      (v) => {
        entry.done = v;
      },
      () => {},
    );
    // A failed query is not remembered: the next caller tries again.
    value.catch(() => {
      if (this.#entries.get(id)?.value === value) this.#entries.delete(id);
    });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return value;
  }

  /**
   * The tenant's last settled result for `key`, however old: only for a caller that can tell whether it
   * still holds (a result carrying the data version it was read at, see matrixCounts). Dropped by
   * `invalidate` and pushed out like the others.
   */
  settled(tenantId: string, key: string): T | undefined {
    return this.#entries.get(`${tenantId}\u0000${key}`)?.done;
  }

  /** Forget every result of the tenant (after a write that may change them). */
  invalidate(tenantId: string): void {
    const prefix = `${tenantId}\u0000`;
    for (const id of [...this.#entries.keys()]) if (id.startsWith(prefix)) this.#entries.delete(id);
  }
}

/** A matrix's cell counts, with the data version they were read at when one was had (dataVersion). */
export interface MatrixCounts {
  /** The axes counted: a cell is a level of each. */
  readonly rowScheme: string;
  readonly colScheme: string;
  readonly rows: readonly { row: string; col: string; count: number }[];
  readonly version: string | undefined;
}

/** The key of a matrix's counts in `ApiDeps.matrices`: the scheme, and the kind and book they were counted over. */
export function matrixKey(scheme: string, kind: string | undefined, book: string | readonly string[] | undefined): string {
  return `${scheme}\u0000${kind ?? ''}\u0000${[book ?? ''].flat().join(',')}`;
}
