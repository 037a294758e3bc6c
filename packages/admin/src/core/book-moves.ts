import type { HttpTierkitClient } from '@tierkit/client';
import { type ActorSource, actorSource } from './actor.js';
import type { BookMove, BookMovesResponse } from '@tierkit/core/wire';
import { KitStore, type KitError, type Status } from './kit-store.js';
import { readStaffMember } from './staff.js';

// Wire types of `GET /v1/subjects/{id}/manager/moves`: their one home is @tierkit/core/wire, where the
// API that sends them takes them from too.
export type { BookMove, BookMovesResponse };

/** One stretch of a subject in one book, as a screen lists "who held it from when to when". */
export interface BookSpell {
  /** Whose book (a staff id); null: in nobody's. */
  readonly manager: string | null;
  /** The move that began it. */
  readonly move: BookMove;
  /**
   * When it began (`move.at`); null when not known — the upgrade's row (`move.recorded` false), whose
   * `at` is only the last assignment found then, not when the subject came into the book.
   */
  readonly since: string | null;
  /**
   * When the next move ended it; null: it still lasts. With `gapAfter`, only the latest it can have
   * ended: the next move recorded is not the one that ended it.
   */
  readonly until: string | null;
  /**
   * The next move recorded did not take the subject out of this book (its `from` is another): a move
   * between them was not recorded, and who held the subject in between is not known.
   */
  readonly gapAfter: boolean;
}

export interface BookMovesState {
  /** The subject (external id), undefined before `open`. */
  readonly subject: string | undefined;
  readonly status: Status;
  /** Newest first. */
  readonly moves: readonly BookMove[];
  /**
   * Ready, and no move kept. Not "never in a book": the upgrade recorded only the books it found then,
   * so a subject out of every book by that time has no row for the moves before.
   */
  readonly empty: boolean;
  /** As many moves came as were asked for: older ones may exist, and the list is the newest only. */
  readonly more: boolean;
  /**
   * Names of the staff the moves name (id → name). Filled in after the moves are shown, one
   * `GET /v1/staff/{id}` per id not already known to this store; a screen shows the id of anyone
   * missing — not yet read, or one that cannot be read (gone, refused), which leaves the id, not the
   * moves failed.
   */
  readonly names: Readonly<Record<string, string>>;
  /** The API answered 404: no such subject — or, for a relationship manager, not (or no longer) in their book. */
  readonly notFound: boolean;
  /**
   * `refresh` is reading the moves again: the moves shown stay (status `ready`) until the new ones
   * replace them, so a screen need not empty the list nor announce a load it already shows.
   */
  readonly refreshing: boolean;
  readonly error: KitError | undefined;
}

type Client = Pick<HttpTierkitClient, 'http' | 'invalidate'>;

/** The most moves the API hands out in one answer (its `limit`, 1–100). */
export const BOOK_MOVES_MAX = 100;

const NOTHING: Omit<BookMovesState, 'subject' | 'status'> = {
  moves: [],
  empty: false,
  more: false,
  names: {},
  notFound: false,
  refreshing: false,
  error: undefined,
};

const movesPath = (subject: string) => `/v1/subjects/${encodeURIComponent(subject)}/manager/moves`;

/** Who made a move: {@link actorSource}, the one reader of actors, under the name the moves' screens knew it by. */
export type BookMover = ActorSource;
export const bookMover = actorSource;

/** The staff id of an actor that is a staff member (`staff:RM001` → `RM001`), else undefined. */
export function staffOfActor(actor: string): string | undefined {
  return actor.startsWith('staff:') ? actor.slice('staff:'.length) : undefined;
}

/** The staff ids `moves` name, once each: the books left and joined, and the staff who moved them. */
function staffNamed(moves: readonly BookMove[]): string[] {
  const ids = new Set<string>();
  for (const m of moves) for (const id of [m.from, m.to, staffOfActor(m.actor)]) if (id) ids.add(id);
  return [...ids];
}

/** The moves (newest first) as stretches in one book each, newest first: who held the subject from when to when. */
export function bookSpells(moves: readonly BookMove[]): BookSpell[] {
  return moves.map((move, i) => ({
    manager: move.to,
    move,
    since: move.recorded ? move.at : null,
    until: i === 0 ? null : (moves[i - 1]?.at ?? null),
    gapAfter: i > 0 && moves[i - 1]?.from !== move.to,
  }));
}

/**
 * A subject's moves between relationship managers' books, newest first, with the names of the staff
 * they name. Read by any staff who may read the subject; a relationship manager the subject has left
 * gets the API's 404 (`notFound`), like any subject outside their book.
 */
export class BookMoves extends KitStore<BookMovesState> {
  readonly #client: Client;
  readonly #limit: number;
  /** Staff names read so far (id → name): a customer opened after another asks only for new ids. */
  readonly #known = new Map<string, string>();

  constructor(client: Client, options: { readonly limit?: number } = {}) {
    super({ subject: undefined, status: 'idle', ...NOTHING });
    this.#client = client;
    const limit = options.limit ?? BOOK_MOVES_MAX;
    // A limit the API would refuse (or `NaN` sent as `?limit=NaN`) is the caller's mistake: said here, not as a 400 later.
    if (!Number.isInteger(limit) || limit < 1 || limit > BOOK_MOVES_MAX)
      throw new RangeError(`BookMoves: limit must be a whole number from 1 to ${BOOK_MOVES_MAX}, not ${String(limit)}`);
    this.#limit = limit;
  }

  /**
   * Show subject `subject`'s moves (a subject still loading is cancelled). The moves are shown as soon
   * as they come; the staff names follow (resolves when both are in).
   */
  open(subject: string): Promise<void> {
    return this.#read(subject, false);
  }

  /** Read `subject`'s moves; `keep`: over the moves shown (a refresh), not from an empty list. */
  async #read(subject: string, keep: boolean): Promise<void> {
    this.cancel();
    this.set(keep ? { refreshing: true } : { subject, status: 'loading', ...NOTHING });
    const moves = await this.run(
      'moves',
      async (signal) => (await this.#client.http.get<BookMovesResponse>(`${movesPath(subject)}?limit=${this.#limit}`, { signal })).moves,
      (error) => this.set({ ...NOTHING, status: 'error', error, notFound: error.status === 404 }),
    );
    if (!moves) return;
    this.set({
      status: 'ready',
      refreshing: false,
      moves,
      empty: moves.length === 0,
      more: moves.length >= this.#limit,
      names: this.#namesOf(moves),
    });
    await this.#readNames(moves);
  }

  /** The names already known of the staff `moves` name. */
  #namesOf(moves: readonly BookMove[]): Record<string, string> {
    const names: Record<string, string> = {};
    for (const id of staffNamed(moves)) {
      const name = this.#known.get(id);
      if (name !== undefined) names[id] = name;
    }
    return names;
  }

  /**
   * Only the ids the moves name, one by one: a relationship manager's open must not walk the tenant's
   * whole staff directory (up to 20 pages) to name two or three people.
   */
  async #readNames(moves: readonly BookMove[]): Promise<void> {
    const missing = staffNamed(moves).filter((id) => !this.#known.has(id));
    if (!missing.length) return;
    const read = await this.run(
      'names',
      (signal) =>
        Promise.all(
          // A staff member that cannot be read stays an id on the screen.
          missing.map((id) =>
            readStaffMember(this.#client, id, signal).then(
              (s) => this.#known.set(id, s.name),
              () => undefined,
            ),
          ),
        ),
      () => undefined,
    );
    if (read) this.set({ names: this.#namesOf(moves) });
  }

  /**
   * Read the moves again, past the client's cache (after a move made elsewhere). Moves already shown
   * stay, with `refreshing`, until the new ones come.
   */
  refresh(): Promise<void> {
    const { subject, status } = this.state;
    if (subject === undefined) return Promise.resolve();
    this.#client.invalidate(movesPath(subject));
    return this.#read(subject, status === 'ready');
  }
}
