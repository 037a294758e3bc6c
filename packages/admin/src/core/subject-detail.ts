import type { HttpTierkitClient } from '@tierkit/client';
import type { HistoryEvent, Locale, TiersResponse } from '@tierkit/core';
import { KitStore, type KitError, type Status } from './kit-store.js';

export interface SubjectDetailState {
  /** The subject asked for (external id), undefined before `open`. */
  readonly id: string | undefined;
  readonly status: Status;
  readonly tiers: TiersResponse | undefined;
  /** History loaded so far, newest first. */
  readonly history: readonly HistoryEvent[];
  readonly historyCursor: string | null;
  readonly loadingHistory: boolean;
  readonly error: KitError | undefined;
  /** The API answered 404: no such subject — or, for a relationship manager, not in their book. */
  readonly notFound: boolean;
}

type Client = Pick<HttpTierkitClient, 'getTiers' | 'getHistory' | 'invalidate'>;

/** Nothing loaded: before `open`, and what `open` starts from. */
const NOTHING: Omit<SubjectDetailState, 'id' | 'status'> = {
  tiers: undefined,
  history: [],
  historyCursor: null,
  loadingHistory: false,
  error: undefined,
  notFound: false,
};

/**
 * One subject: current tiers and the history, paged. The widgets (`<tk-tier-badge>`, …) render the
 * same subject through the same client, so they share these requests; the store tells the screen
 * whether the subject is there at all, and holds what a console lists besides the widgets.
 */
export class SubjectDetail extends KitStore<SubjectDetailState> {
  readonly #client: Client;
  readonly #locale: Locale | undefined;
  readonly #historyPage: number;

  constructor(client: Client, options: { readonly locale?: Locale; readonly historyPageSize?: number } = {}) {
    super({ id: undefined, status: 'idle', ...NOTHING });
    this.#client = client;
    this.#locale = options.locale;
    this.#historyPage = options.historyPageSize ?? 20;
  }

  /** Show subject `id`: its tiers and the first page of history (a subject still loading is cancelled). */
  async open(id: string): Promise<void> {
    this.cancel();
    this.set({ id, status: 'loading', ...NOTHING });
    const locale = this.#locale ? { locale: this.#locale } : {};
    const both = await this.run(
      'subject',
      (signal) =>
        Promise.all([
          this.#client.getTiers(id, { ...locale, signal }),
          this.#client.getHistory(id, { ...locale, limit: this.#historyPage, signal }),
        ]),
      (error) => this.set({ status: 'error', error, notFound: error.status === 404 }),
    );
    if (!both) return;
    const [tiers, history] = both;
    this.set({ status: 'ready', tiers, history: history.items, historyCursor: history.nextCursor });
  }

  /** Append the next page of history. */
  async loadMoreHistory(): Promise<void> {
    const { id, historyCursor, status } = this.state;
    if (id === undefined || historyCursor === null || status !== 'ready' || this.busy('history')) return;
    this.set({ loadingHistory: true, error: undefined });
    const locale = this.#locale ? { locale: this.#locale } : {};
    const page = await this.run(
      'history',
      (signal) => this.#client.getHistory(id, { ...locale, limit: this.#historyPage, cursor: historyCursor, signal }),
      (error) => this.set({ loadingHistory: false, error }),
    );
    if (!page) return;
    this.set((prev) => ({ history: [...prev.history, ...page.items], historyCursor: page.nextCursor, loadingHistory: false }));
  }

  /** Load the subject again, past the client's cache. */
  refresh(): Promise<void> {
    const id = this.state.id;
    if (id === undefined) return Promise.resolve();
    this.#client.invalidate(`/v1/subjects/${encodeURIComponent(id)}/`);
    return this.open(id);
  }
}
