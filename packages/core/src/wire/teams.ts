/* What the API sends about teams of books (`GET /v1/teams`, packages/api/README.md, "Teams"). */

/** A team of relationship managers' books, which its lead reads besides their own. */
export interface Team {
  readonly id: string;
  readonly name: string;
  /** The book-scoped staff member who reads the team's books; null: none. */
  readonly lead: string | null;
  /** Its books: the staff ids of the relationship managers who hold them, in id order. */
  readonly books: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** `GET /v1/teams`: every team of the tenant, in id order (not paged: a bank has tens of teams). */
export interface TeamList {
  readonly items: readonly Team[];
}
