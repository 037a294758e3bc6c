/* What the API sends about a subject's place in the books (`GET /v1/subjects/{id}/manager/moves`). */

/** One move of a subject between books. */
export interface BookMove {
  /** The book it left (a staff id); null: it was in none. */
  readonly from: string | null;
  /** The book it joined; null: taken out of every book. */
  readonly to: string | null;
  /** When (ISO instant, UTC). */
  readonly at: string;
  /**
   * Who moved it: `staff:<id>` (a staff member's token or owned key), `key:<id>` (an unowned API key),
   * `system:…` (the server itself: seed, upgrade), `cli:<user>` (the \`tierkit\` CLI, as the operating
   * system's user who ran it), `token:<kind>` (another token).
   */
  readonly actor: string;
  /**
   * False for the assignment found when the API began keeping moves (the upgrade): the subject was in
   * `to`'s book by then, since a time nobody recorded, and who held it before is not known.
   */
  readonly recorded: boolean;
}

/** A subject's moves between books, newest first. */
export interface BookMovesResponse {
  /** The subject's external id. */
  readonly subject: string;
  /** Newest first. */
  readonly moves: readonly BookMove[];
}

/** One book's row of `GET /v1/books/levels`: its customers at each level now, and this month's moves. */
export interface BookLevelsRow {
  /** The RM holding the book (staff id); null: the customers in no book. */
  readonly manager: string | null;
  readonly name: string | null;
  /** Open customers at each level of the scheme now, every level listed. */
  readonly counts: readonly { readonly level: string; readonly count: number }[];
  readonly total: number;
  /** Customers the month left higher than it found them, each once. */
  readonly up: number;
  readonly down: number;
  /** Customers given a first level this month. */
  readonly entered: number;
}

/** `GET /v1/books/levels`: per book a lead (or tenant-wide staff) reads, counts per level of one scheme. */
export interface BookLevelsResponse {
  readonly scheme: string;
  /** The bank's month (`YYYY-MM`, in `timeZone`) the moves were recorded in. */
  readonly period: string;
  readonly timeZone: string;
  readonly from: string;
  readonly to: string;
  /** Highest rank first. */
  readonly levels: readonly { readonly key: string; readonly rank: number }[];
  readonly books: readonly BookLevelsRow[];
}
