import { KitStore, type KitError, type Status } from './kit-store.js';

/** A list the API pages with keyset cursors: what the screen shows of it. */
export interface CursorListState<T> {
  /** Items loaded so far, pages appended in order. */
  readonly items: readonly T[];
  /** Null once the whole result is loaded. */
  readonly nextCursor: string | null;
  /** Of the first page: `loading` while the list is replaced, `ready` with an answer (maybe empty). */
  readonly status: Status;
  /** A further page is on its way. */
  readonly loadingMore: boolean;
  /** Ready and nothing there. */
  readonly empty: boolean;
  readonly error: KitError | undefined;
}

/** The state a {@link CursorList} starts from. */
export function emptyList<T>(): CursorListState<T> {
  return { items: [], nextCursor: null, status: 'idle', loadingMore: false, empty: false, error: undefined };
}

/**
 * A store whose core is a cursor-paged list (lanes `first` and `more`): `load` replaces it with the
 * first page, `loadMore` appends the next. Items are told apart by `keyOf`, so a page that repeats
 * an item (one decided or started meanwhile) does not list it twice.
 */
export abstract class CursorList<T, S extends CursorListState<T>> extends KitStore<S> {
  /** One page: the first when `cursor` is undefined. */
  protected abstract page(
    cursor: string | undefined,
    signal: AbortSignal,
  ): Promise<{ readonly items: readonly T[]; readonly nextCursor: string | null }>;
  protected abstract keyOf(item: T): string;

  /** Load the first page (what was loaded is replaced). */
  async load(): Promise<void> {
    this.cancel('more');
    this.set({ status: 'loading', error: undefined, loadingMore: false } as Partial<S>);
    const page = await this.run(
      'first',
      (signal) => this.page(undefined, signal),
      // The list no longer answers what was asked (another filter, another subject): show none of it.
      (error) =>
        this.set({ status: 'error', error, items: [], nextCursor: null, empty: false } as Partial<CursorListState<T>> as Partial<S>),
    );
    if (!page) return;
    this.set({ status: 'ready', items: page.items, nextCursor: page.nextCursor, empty: page.items.length === 0 } as Partial<S>);
  }

  /** Append the next page; nothing while the first page loads or once everything is loaded. */
  async loadMore(): Promise<void> {
    const { nextCursor, status } = this.state;
    if (nextCursor === null || status !== 'ready' || this.busy('more')) return;
    this.set({ loadingMore: true, error: undefined } as Partial<S>);
    const page = await this.run(
      'more',
      (signal) => this.page(nextCursor, signal),
      (error) => this.set({ loadingMore: false, error } as Partial<S>),
    );
    if (!page) return;
    this.set((prev) => {
      const have = new Set(prev.items.map((i) => this.keyOf(i)));
      const items = [...prev.items, ...page.items.filter((i) => !have.has(this.keyOf(i)))];
      return { items, nextCursor: page.nextCursor, loadingMore: false } as Partial<CursorListState<T>> as Partial<S>;
    });
  }
}
