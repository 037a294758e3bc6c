import type { CustomerDrop, Explanation, Progress, Retention, StaffRole, SubjectKind, SubjectRef } from '@tierkit/core';
import type { ReadOptions } from './types.js';

/*
 * Wire types of the staff routes (packages/api/README.md, "Staff and books"): what an admin console
 * reads besides the widgets' subject reads.
 */

/** API roles, weakest first: one home, in core's wire types. */
export type { StaffRole };

/** A staff member: `scope: 'book'` reads only the subjects they manage (a relationship manager). */
export interface StaffMember {
  readonly id: string;
  readonly name: string;
  readonly role: StaffRole;
  readonly scope: 'tenant' | 'book';
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * When they were disabled (`tierkit staff disable`, someone leaving): their tokens and keys authenticate
   * nothing. Null while they work. Optional: an API before it did not send it.
   */
  readonly disabledAt?: string | null;
}

/** `GET /v1/session`: who the credential is and what the API lets it do. */
export interface Session {
  readonly tenantId: string;
  readonly via: 'key' | 'staff-token' | 'embed-token';
  readonly role: StaffRole;
  /** Stable per credential, as records name it: `staff:<id>`, `key:<id>`, `token:…`. */
  readonly actor: string;
  /** The staff member of a staff token, or who owns the key (four eyes counts them as one person). */
  readonly staff: StaffMember | null;
  /** Book-scoped credentials: their own book (their staff id). */
  readonly book: string | null;
  /** Book-scoped credentials: every book they read, their own first, then the teams' they lead (absent from older servers). */
  readonly books?: readonly string[] | null;
  /** The bank's calendar (IANA zone): where its days and months end, to show times in. */
  readonly timeZone: string;
  readonly can: {
    readonly readSubjects: boolean;
    readonly writeSubjects: boolean;
    readonly assignManagers: boolean;
    readonly manageStaff: boolean;
  };
}

/** Filters of `GET /v1/subjects`: a level or a matrix cell of a scheme, a book, an id prefix, an order. */
export interface SubjectQuery {
  readonly scheme?: string;
  readonly level?: string;
  readonly row?: string;
  readonly col?: string;
  readonly kind?: SubjectKind;
  /** `me` or a staff id. */
  readonly manager?: string;
  /** Subjects whose id starts with this text. */
  readonly q?: string;
  /** Subjects whose id holds this text anywhere: within a book only (a book-scoped reader, or `manager`). */
  readonly idContains?: string;
  /** Subjects whose display name holds this text (needs the unmask-names permission; audited). */
  readonly name?: string;
  /** A scheme key: each item then carries its `level` in that scheme (null: none). */
  readonly levelOf?: string;
  readonly order?: 'asc' | 'desc';
  /** Customers who left the bank: left out when absent, `include` lists them too, `only` lists only them. */
  readonly closed?: 'exclude' | 'include' | 'only';
  /** With `scheme`: only subjects whose level in it moved down, up or either way at its latest re-tier. */
  readonly change?: 'down' | 'up' | 'any';
  /** With `scheme`: only subjects in a grace period there (below their level's line now). */
  readonly grace?: true;
  /**
   * With `scheme` and `currency`: only subjects within this amount (minor units: ¥50,000 = 5_000_000)
   * of the next level there — 潜力客户.
   */
  readonly nearNext?: number;
  /** ISO 4217 code of `nearNext`: the currency the scheme's money metrics are kept in. */
  readonly currency?: string;
  /** With `scheme`: by gap to the next level, nearest first; or (with `grace`) by grace periods left, fewest first. */
  readonly sort?: 'gap' | 'monthsLeft';
  /** Display names in full: needs the unmask-names permission (officer and up); the API audits the read. */
  readonly unmask?: true;
}

/** Where a listed subject stands in the `levelOf` scheme: the call-list columns. */
export interface ListedStanding {
  /** The level before the latest evaluation (null: none). */
  readonly previousLevel: string | null;
  /** The month last evaluated (`YYYY-MM`). */
  readonly period: string;
  readonly periodsBelow: number;
  readonly decidedBy: Explanation['decidedBy'];
  readonly progress: Progress | null;
  readonly retention: Retention | null;
  /** On a level the rules lowered at its latest re-tier: why, in the criteria of the level lost. */
  readonly because?: CustomerDrop;
}

/** A subject in a list: with `level` and `standing` in the scheme the query's `levelOf` named. */
export interface ListedSubject extends SubjectRef {
  /** Staff: whose book the subject is in (a staff id), null in none. */
  readonly manager?: string | null;
  readonly level?: string | null;
  readonly standing?: ListedStanding | null;
}

/** One page of a cursor-paged list. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface PageOptions extends ReadOptions {
  readonly cursor?: string;
  readonly limit?: number;
}

/** The staff routes of the client. */
export interface StaffApi {
  getSession(o?: ReadOptions): Promise<Session>;
  listSubjects(query: SubjectQuery, o?: PageOptions): Promise<Page<ListedSubject>>;
  listStaff(o?: PageOptions & { readonly role?: StaffRole }): Promise<Page<StaffMember>>;
  /** Whose book a subject is in (null: nobody's). */
  getManager(subjectId: string, o?: ReadOptions): Promise<{ subject: string; manager: string | null }>;
  /** Put a subject in a staff member's book (null: in none). */
  setManager(subjectId: string, manager: string | null, o?: ReadOptions): Promise<{ subject: string; manager: string | null }>;
  /** All or nothing: a 400 `TierkitApiError` names each bad entry. */
  assignManagers(
    assignments: readonly { readonly subject: string; readonly manager: string | null }[],
    o?: ReadOptions,
  ): Promise<{ assigned: number }>;
}
