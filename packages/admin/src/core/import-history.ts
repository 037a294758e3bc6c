import { type HttpTierkitClient, query } from '@tierkit/client';
import type { ImportDetail, ImportRecord, ImportRowError } from '@tierkit/core/wire';
import { CursorList, type CursorListState, emptyList } from './cursor-list.js';
import type { KitError, Status } from './kit-store.js';

type Client = Pick<HttpTierkitClient, 'http' | 'invalidate'>;

/** What {@link ImportHistory} holds: the imports so far, and the one opened with its row errors. */
export interface ImportHistoryState extends CursorListState<ImportRecord> {
  /** The import opened (`open`), with the row errors read so far. */
  readonly opened: ImportRecord | undefined;
  readonly openedErrors: readonly ImportRowError[];
  readonly openedNextCursor: string | null;
  readonly openedStatus: Status;
  readonly openedError: KitError | undefined;
  readonly loadingMoreErrors: boolean;
}

/**
 * The tenant's imports as they went, newest first (`GET /v1/imports`), and one import's row errors
 * (`GET /v1/imports/{id}`), each list paged with the API's cursors. It reads and uploads nothing, so
 * it is the whole of what internal audit may do with imports; the API strips a refused cell's text
 * from the errors an auditor reads, and the store shows what it is sent.
 */
export class ImportHistory extends CursorList<ImportRecord, ImportHistoryState> {
  readonly #client: Client;
  readonly #pageSize: number;
  readonly #errorPageSize: number;

  constructor(client: Client, options: { pageSize?: number; errorPageSize?: number } = {}) {
    super({
      ...emptyList<ImportRecord>(),
      opened: undefined,
      openedErrors: [],
      openedNextCursor: null,
      openedStatus: 'idle',
      openedError: undefined,
      loadingMoreErrors: false,
    });
    this.#client = client;
    this.#pageSize = Math.min(100, Math.max(1, options.pageSize ?? 20));
    this.#errorPageSize = Math.min(100, Math.max(1, options.errorPageSize ?? 50));
  }

  protected page(cursor: string | undefined, signal: AbortSignal): Promise<{ items: readonly ImportRecord[]; nextCursor: string | null }> {
    return this.#client.http.get(`/v1/imports${query({ limit: this.#pageSize, cursor })}`, { signal });
  }

  protected keyOf(item: ImportRecord): string {
    return item.id;
  }

  /** The list again, past the client's cache (an import may have finished meanwhile). */
  async refresh(): Promise<void> {
    this.#client.invalidate('/v1/imports');
    await this.load();
  }

  /** Open import `id`: its outcome, read again (a running one moves on), and its first row errors. */
  async open(id: string): Promise<void> {
    this.cancel('more-errors');
    this.set({ openedStatus: 'loading', openedError: undefined, loadingMoreErrors: false });
    const detail = await this.run(
      'open',
      (signal) => this.#detail(id, undefined, signal),
      (openedError) => this.set({ openedStatus: 'error', openedError, opened: undefined, openedErrors: [], openedNextCursor: null }),
    );
    if (!detail) return;
    const { errors, ...opened } = detail;
    this.set({ openedStatus: 'ready', opened, openedErrors: errors.items, openedNextCursor: errors.nextCursor });
  }

  /** The opened import's next page of row errors. */
  async loadMoreErrors(): Promise<void> {
    const { opened, openedNextCursor: cursor } = this.state;
    if (!opened || cursor === null || this.busy('more-errors')) return;
    this.set({ loadingMoreErrors: true, openedError: undefined });
    const detail = await this.run(
      'more-errors',
      (signal) => this.#detail(opened.id, cursor, signal),
      (openedError) => this.set({ loadingMoreErrors: false, openedError }),
    );
    if (!detail) return;
    this.set((prev) => ({
      openedErrors: [...prev.openedErrors, ...detail.errors.items],
      openedNextCursor: detail.errors.nextCursor,
      loadingMoreErrors: false,
    }));
  }

  /** Close the opened import. */
  close(): void {
    this.cancel('open');
    this.cancel('more-errors');
    this.set({
      opened: undefined,
      openedErrors: [],
      openedNextCursor: null,
      openedStatus: 'idle',
      openedError: undefined,
      loadingMoreErrors: false,
    });
  }

  #detail(id: string, cursor: string | undefined, signal: AbortSignal): Promise<ImportDetail> {
    const path = `/v1/imports/${encodeURIComponent(id)}`;
    if (cursor === undefined) this.#client.invalidate(path);
    return this.#client.http.get<ImportDetail>(`${path}${query({ limit: this.#errorPageSize, cursor })}`, { signal });
  }
}
