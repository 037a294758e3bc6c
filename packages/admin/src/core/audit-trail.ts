import { type HttpTierkitClient, type Page, query } from '@tierkit/client';
import type { AuditFilter, AuditRecord, AuditVerification } from './audit-types.js';
import { KitStore, type KitError, type Status } from './kit-store.js';
import { pageSizeOf, withoutEmpty } from './list-filter.js';

export interface AuditTrailState {
  readonly filter: AuditFilter;
  /** Records loaded so far, newest first, pages appended in order. */
  readonly items: readonly AuditRecord[];
  /** Null once every matching record is loaded. */
  readonly nextCursor: string | null;
  /** Of the first page: `loading` while the list is replaced. */
  readonly status: Status;
  readonly loadingMore: boolean;
  readonly error: KitError | undefined;
  /** Ready and nothing matched. */
  readonly empty: boolean;
  /** The last chain check: idle until `verify`, then its answer or its problem. */
  readonly verification: { readonly status: Status; readonly result: AuditVerification | undefined; readonly error: KitError | undefined };
}

export interface AuditTrailOptions {
  /** Records per page (API maximum 100). Default 50. */
  readonly pageSize?: number;
}

type Client = Pick<HttpTierkitClient, 'http' | 'invalidate'>;

/** Where the chain first breaks, or undefined when it is intact (or not checked yet). */
export function firstBreak(v: AuditVerification | undefined): number | undefined {
  return v && !v.ok ? Math.min(...v.problems.map((p) => p.seq)) : undefined;
}

/**
 * The audit trail: browse the tenant's records newest first with the API's filters (actor, method,
 * route, target, status, a time range) and cursor pages, and verify the hash chain end to end. The
 * trail grows with every request, so each `load` reads afresh rather than from the client's cache.
 */
export class AuditTrail extends KitStore<AuditTrailState> {
  readonly #client: Client;
  readonly #pageSize: number;

  constructor(client: Client, options: AuditTrailOptions = {}) {
    super({
      filter: {},
      items: [],
      nextCursor: null,
      status: 'idle',
      loadingMore: false,
      error: undefined,
      empty: false,
      verification: { status: 'idle', result: undefined, error: undefined },
    });
    this.#client = client;
    this.#pageSize = pageSizeOf(options.pageSize);
  }

  /** Replace the filter (empty fields dropped) and load its first page. */
  setFilter(filter: AuditFilter): Promise<void> {
    this.set({ filter: withoutEmpty(filter) });
    return this.load();
  }

  #path(cursor?: string): string {
    return `/v1/audit${query({ ...this.state.filter, limit: this.#pageSize, cursor })}`;
  }

  /** Load the first page of the current filter afresh, replacing the list. */
  async load(): Promise<void> {
    this.cancel('more');
    this.#client.invalidate('/v1/audit?');
    this.set({ status: 'loading', loadingMore: false, error: undefined });
    const page = await this.run(
      'first',
      (signal) => this.#client.http.get<Page<AuditRecord>>(this.#path(), { signal }),
      (error) => this.set({ status: 'error', error }),
    );
    if (page) this.set({ items: page.items, nextCursor: page.nextCursor, status: 'ready', empty: page.items.length === 0 });
  }

  /** Append the next (older) page; nothing while the first loads or when all are loaded. */
  async loadMore(): Promise<void> {
    const { nextCursor, status } = this.state;
    if (nextCursor === null || status !== 'ready' || this.busy('more')) return;
    this.set({ loadingMore: true, error: undefined });
    const page = await this.run(
      'more',
      (signal) => this.#client.http.get<Page<AuditRecord>>(this.#path(nextCursor), { signal }),
      (error) => this.set({ loadingMore: false, error }),
    );
    if (page) this.set((prev) => ({ items: [...prev.items, ...page.items], nextCursor: page.nextCursor, loadingMore: false }));
  }

  /** Check the whole chain now (never a cached answer: the chain grows with every request). */
  async verify(): Promise<void> {
    this.#client.invalidate('/v1/audit/verify');
    this.set({ verification: { status: 'loading', result: undefined, error: undefined } });
    const result = await this.run(
      'verify',
      (signal) => this.#client.http.get<AuditVerification>('/v1/audit/verify', { signal }),
      (error) => this.set({ verification: { status: 'error', result: undefined, error } }),
    );
    if (result) this.set({ verification: { status: 'ready', result, error: undefined } });
  }
}
