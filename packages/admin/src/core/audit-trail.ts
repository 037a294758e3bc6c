import { type HttpTierkitClient, type Page, query } from '@tierkit/client';
import type { AuditFilter, AuditRecord, AuditVerification } from './audit-types.js';
import { CursorList, type CursorListState, emptyList } from './cursor-list.js';
import type { KitError, Status } from './kit-store.js';
import { pageSizeOf, withoutEmpty } from './list-filter.js';

/** Records newest first, pages appended in order; `empty` when nothing matched. */
export interface AuditTrailState extends CursorListState<AuditRecord> {
  readonly filter: AuditFilter;
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

/** A customer's move between books, as a `change` record holds it. */
export interface AuditBookMove {
  readonly subject: string;
  /** The book it left (a staff id); null: it was in none (the record's ""). */
  readonly from: string | null;
  /** The book it joined; null: none. */
  readonly to: string | null;
}

const book = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The moves between books a `change` record holds, in the order it lists them; undefined for any other
 * record. A request's moves are one record per 1,000 customers, listed in `detail.moves`; records
 * written before that held one move each, in `target` (`{ subject, from, to }`), and read the same.
 */
export function bookMovesOf(record: AuditRecord): readonly AuditBookMove[] | undefined {
  if (record.phase !== 'change') return undefined;
  const listed = record.detail?.moves;
  if (Array.isArray(listed))
    return listed.flatMap((m: unknown) => {
      if (typeof m !== 'object' || m === null) return [];
      const { subject, from, to } = m as Record<string, unknown>;
      return typeof subject === 'string' ? [{ subject, from: book(from), to: book(to) }] : [];
    });
  const { subject, from, to } = record.target;
  if (subject === undefined || from === undefined || to === undefined) return undefined;
  return [{ subject, from: book(from), to: book(to) }];
}

/**
 * The audit trail: browse the tenant's records newest first with the API's filters (actor, method,
 * route, target, status, a time range) and cursor pages, and verify the hash chain end to end. The
 * trail grows with every request, so each `load` reads afresh rather than from the client's cache.
 */
export class AuditTrail extends CursorList<AuditRecord, AuditTrailState> {
  readonly #client: Client;
  readonly #pageSize: number;

  constructor(client: Client, options: AuditTrailOptions = {}) {
    super({ ...emptyList<AuditRecord>(), filter: {}, verification: { status: 'idle', result: undefined, error: undefined } });
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

  /** Load the first page of the current filter afresh (past the client's cache), replacing the list. */
  override load(): Promise<void> {
    this.#client.invalidate('/v1/audit?');
    return super.load();
  }

  protected page(cursor: string | undefined, signal: AbortSignal): Promise<Page<AuditRecord>> {
    return this.#client.http.get<Page<AuditRecord>>(this.#path(cursor), { signal });
  }

  protected keyOf(record: AuditRecord): string {
    return String(record.seq);
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
