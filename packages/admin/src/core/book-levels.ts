import type { HttpTierkitClient, Session, SubjectQuery } from '@tierkit/client';
import type { BookLevelsResponse, BookLevelsRow } from '@tierkit/core/wire';
import { KitStore, type KitError, type Status } from './kit-store.js';

// Wire types of `GET /v1/books/levels`: their one home is @tierkit/core/wire.
export type { BookLevelsResponse, BookLevelsRow };

export interface BookLevelsState {
  /** The scheme counted; undefined before the first `load`. */
  readonly scheme: string | undefined;
  readonly status: Status;
  readonly levels: BookLevelsResponse | undefined;
  readonly error: KitError | undefined;
  /** Ready, and no book to show. */
  readonly empty: boolean;
}

/**
 * Counts per book (`GET /v1/books/levels`): each RM's customers at each level of a scheme now, and
 * the month's moves — what a team lead reads first, beside the lists a count links to.
 */
export class BookLevels extends KitStore<BookLevelsState> {
  readonly #client: Pick<HttpTierkitClient, 'http'>;

  constructor(client: Pick<HttpTierkitClient, 'http'>) {
    super({ scheme: undefined, status: 'idle', levels: undefined, error: undefined, empty: false });
    this.#client = client;
  }

  /** Read the counts of `scheme` (a load in flight is cancelled); what was shown stays until they come. */
  async load(scheme: string): Promise<void> {
    this.set({ scheme, status: 'loading', error: undefined });
    const levels = await this.run(
      'load',
      (signal) => this.#client.http.get<BookLevelsResponse>(`/v1/books/levels?scheme=${encodeURIComponent(scheme)}`, { signal }),
      (error) => this.set({ status: 'error', error, levels: undefined }),
    );
    if (!levels) return;
    this.set({ levels, status: 'ready', empty: levels.books.length === 0 });
  }
}

/** The count a book has at a level (0 when the row lists none). */
export function countAt(row: BookLevelsRow, level: string): number {
  return row.counts.find((c) => c.level === level)?.count ?? 0;
}

/**
 * The customers a count is made of, as the subject list's filter: that book's customers at that level.
 * Null for the customers in no book, which no list filter names.
 */
export function countFilter(row: BookLevelsRow, scheme: string, level: string): SubjectQuery | null {
  return row.manager === null ? null : { manager: row.manager, scheme, level };
}

/** One choice of the RM picker: every book read, the caller's own, or one RM's of their team. */
export type BookChoice = { readonly kind: 'all' } | { readonly kind: 'mine' } | { readonly kind: 'book'; readonly book: string };

/**
 * What a lead's customer lists may be cut to: all their books, their own, each team RM's (the books the
 * session reads past their own, in its order). Nothing for anyone reading one book (an RM with no team)
 * or tenant-wide staff: they have no team to choose in.
 */
export function bookChoices(session: Session | undefined): readonly BookChoice[] {
  const books = session?.books ?? [];
  if (session?.book == null || books.length < 2) return [];
  return [{ kind: 'all' }, { kind: 'mine' }, ...books.filter((b) => b !== session.book).map((book) => ({ kind: 'book' as const, book }))];
}

/** The list's `manager` for a choice: undefined for all (the API reads every book of the reach). */
export function managerOf(choice: BookChoice): string | undefined {
  return choice.kind === 'all' ? undefined : choice.kind === 'mine' ? 'me' : choice.book;
}

/** The picker's choice a list's `manager` is: all when it names no book. */
export function choiceOf(manager: string | undefined, session: Session | undefined): BookChoice {
  if (manager === 'me' || (manager !== undefined && manager === session?.book)) return { kind: 'mine' };
  return manager === undefined ? { kind: 'all' } : { kind: 'book', book: manager };
}

/** Whether a list with this `manager` spans several books of the session: its rows then say whose. */
export function spansBooks(manager: string | undefined, session: Session | undefined): boolean {
  return manager === undefined && bookChoices(session).length > 0;
}
