import type { HttpTierkitClient, ListedSubject, Session, SubjectQuery } from '@tierkit/client';
import { KitStore, type KitError, type Status } from './kit-store.js';
import { pageSizeOf, withoutEmpty } from './list-filter.js';

export interface SubjectBrowserState {
  readonly filter: SubjectQuery;
  /** Every subject loaded so far, pages appended in order. */
  readonly items: readonly ListedSubject[];
  /** Null once the whole result is loaded. */
  readonly nextCursor: string | null;
  /** Of the first page: `loading` while the list is replaced, `ready` with an answer (maybe empty). */
  readonly status: Status;
  /** A further page is on its way. */
  readonly loadingMore: boolean;
  readonly error: KitError | undefined;
  /** Ready and nothing matched. */
  readonly empty: boolean;
  /** Pages loaded. */
  readonly pages: number;
  /** The scheme whose level each listed subject carries (`level`), kept whatever the filter becomes. */
  readonly levelOf: string | undefined;
}

export interface SubjectBrowserOptions {
  /** Subjects per page (API maximum 100). Default 50. */
  readonly pageSize?: number;
  /** The filter to start from (see `defaultSubjectFilter`). */
  readonly filter?: SubjectQuery;
  /** A scheme key: each subject listed carries its level in it, read with its page (see `showLevelsOf`). */
  readonly levelOf?: string;
}

/** Where a browser starts: a relationship manager on their own book, anyone else on the whole tenant. */
export function defaultSubjectFilter(session: Session | undefined): SubjectQuery {
  return session?.book != null ? { manager: 'me' } : {};
}

type Client = Pick<HttpTierkitClient, 'listSubjects' | 'invalidate'>;

/**
 * The subject browser: search by id prefix or by name, filter by a scheme's level or a matrix cell, a book, sort
 * by id either way, and page with the API's cursors through the whole result — never only the first
 * page. The filter is the state; changing it replaces the list.
 */
export class SubjectBrowser extends KitStore<SubjectBrowserState> {
  readonly #client: Client;
  readonly #pageSize: number;

  constructor(client: Client, options: SubjectBrowserOptions = {}) {
    super({
      filter: options.filter ?? {},
      items: [],
      nextCursor: null,
      status: 'idle',
      loadingMore: false,
      error: undefined,
      empty: false,
      pages: 0,
      levelOf: options.levelOf,
    });
    this.#client = client;
    this.#pageSize = pageSizeOf(options.pageSize);
  }

  /** Replace the filter (undefined fields are dropped) and load its first page. */
  setFilter(filter: SubjectQuery): Promise<void> {
    this.set({ filter: withoutEmpty(filter) });
    return this.load();
  }

  /** Change some fields of the filter; a field set to undefined is removed. */
  updateFilter(patch: SubjectQuery): Promise<void> {
    return this.setFilter({ ...this.state.filter, ...patch });
  }

  /** Show one cell of a matrix scheme (`row`/`col` are levels of its row and column schemes). */
  showCell(scheme: string, row: string, col: string): Promise<void> {
    const { manager, q, idContains, name, order, kind } = this.state.filter;
    return this.setFilter({ manager, q, idContains, name, order, kind, scheme, row, col });
  }

  /**
   * Cut the list to one book (a lead's RM picker: `me`, a team RM's id) or, undefined, to every book the
   * caller reads; whatever else the filter holds stays, so the counts beside it and the list agree.
   */
  showBook(manager: string | undefined): Promise<void> {
    return this.updateFilter({ manager });
  }

  /** Show the subjects at one level of a scheme. */
  showLevel(scheme: string, level: string): Promise<void> {
    const { manager, q, idContains, name, order, kind } = this.state.filter;
    return this.setFilter({ manager, q, idContains, name, order, kind, scheme, level });
  }

  /**
   * List each subject with its level in `scheme` (undefined: without), from the next load on — one
   * request per page, never one per subject. Loads nothing itself: call before `setFilter` or `load`.
   */
  showLevelsOf(scheme: string | undefined): void {
    this.set({ levelOf: scheme });
  }

  /** The query of a page: the filter, and the scheme whose levels the list shows. */
  #query(): SubjectQuery {
    const { filter, levelOf } = this.state;
    return levelOf === undefined ? filter : { ...filter, levelOf };
  }

  /** Load the first page of the current filter, replacing the list (a load in flight is cancelled). */
  async load(): Promise<void> {
    this.cancel('more');
    this.set({ status: 'loading', loadingMore: false, error: undefined });
    const filter = this.#query();
    const page = await this.run(
      'first',
      (signal) => this.#client.listSubjects(filter, { limit: this.#pageSize, signal }),
      (error) => this.set({ status: 'error', error }),
    );
    if (!page) return;
    this.set({ items: page.items, nextCursor: page.nextCursor, status: 'ready', empty: page.items.length === 0, pages: 1 });
  }

  /** Append the next page. Does nothing while the first page loads, or when everything is loaded. */
  async loadMore(): Promise<void> {
    const { nextCursor, status } = this.state;
    if (nextCursor === null || status !== 'ready' || this.busy('more')) return;
    this.set({ loadingMore: true, error: undefined });
    const filter = this.#query();
    const page = await this.run(
      'more',
      (signal) => this.#client.listSubjects(filter, { limit: this.#pageSize, cursor: nextCursor, signal }),
      (error) => this.set({ loadingMore: false, error }),
    );
    if (!page) return;
    this.set((prev) => ({ items: [...prev.items, ...page.items], nextCursor: page.nextCursor, loadingMore: false, pages: prev.pages + 1 }));
  }

  /** Page until the whole result is loaded, or `maxItems` are (default 10,000). */
  async loadAll(maxItems = 10_000): Promise<void> {
    if (this.state.status !== 'ready') await this.load();
    while (this.state.nextCursor !== null && this.state.items.length < maxItems && this.state.status === 'ready') {
      const before = this.state.items.length;
      await this.loadMore();
      if (this.state.items.length === before) return; // failed or cancelled: the error is in the state
    }
  }

  /** Load again from the first page, past the client's cache (after a reassignment elsewhere, say). */
  refresh(): Promise<void> {
    this.#client.invalidate('/v1/subjects?');
    return this.load();
  }
}
