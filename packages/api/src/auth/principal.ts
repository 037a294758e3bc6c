import { booksLedBy, type Executor } from '@tierkit/db';
import type { KeyRole } from './roles.js';

/** How a request proved who it is. */
export const CREDENTIAL_KINDS = ['key', 'staff-token', 'embed-token'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/**
 * Who a request acts as. The tenant comes from here and nowhere else: never from a body, a query
 * or a header the caller chooses.
 */
export interface Principal {
  readonly tenantId: string;
  readonly via: CredentialKind;
  /** `embedder`: an API key that may only mint embed tokens (roles.ts). */
  readonly role: KeyRole;
  /** Embed tokens: the one subject (external id) they may read. Null for keys and staff tokens. */
  readonly subject: string | null;
  /** Tokens: the browser origins allowed to present them. Null for keys. */
  readonly origins: readonly string[] | null;
  /**
   * Written to tier events, audit records and logs, a stable string per credential: `key:<id>`,
   * `staff:<staff id>` for a staff member's token, `token:<kind>` otherwise. Four eyes compares the
   * person behind it (`personOfActor`): an owned key is its owner's `staff:<id>`.
   */
  readonly actor: string;
  /** Staff tokens minted for a staff member, and keys a staff member owns: their id. */
  readonly staffId?: string;
  /**
   * Book-scoped staff (relationship managers, team leads): their own staff id. Whatever refuses a
   * book-scoped credential (access.ts: `tenantWide`, `notBookScoped`) refuses it.
   */
  readonly book?: string;
  /**
   * Book-scoped staff: every book they read — their own, then those of the teams they lead
   * (packages/api/README.md, "Teams"). Absent: their own book only (`booksRead`).
   */
  readonly books?: readonly string[];
}

/** The books `p` reads (its own first), or undefined when it reads the whole tenant. */
export function booksRead(p: Pick<Principal, 'book' | 'books'>): readonly string[] | undefined {
  if (p.book === undefined) return undefined;
  return p.books ?? [p.book];
}

/**
 * A staff member's reach as their credentials carry it: `bookOf`, and for a book-scoped one the books
 * of the teams they lead, read from the tables when the credential is verified — as role and scope
 * are, so a team changed applies to tokens already out (within the credential cache's seconds).
 */
export async function reachOf(
  db: Executor,
  staff: { readonly tenantId: string; readonly id: string; readonly scope: string },
): Promise<Pick<Principal, 'book' | 'books'>> {
  const own = bookOf(staff);
  if (own.book === undefined) return own;
  const led = (await booksLedBy(db, staff.tenantId, staff.id)).filter((b) => b !== staff.id);
  return led.length === 0 ? own : { book: own.book, books: [own.book, ...led] };
}

/**
 * The book a staff member's credentials are limited to: their own, when they are book-scoped (a
 * relationship manager); none when tenant-wide. The one reading of a staff scope, for their tokens,
 * the keys they own and (through `Principal.book`) what they file.
 */
export function bookOf(staff: { readonly id: string; readonly scope: string }): Pick<Principal, 'book'> {
  return staff.scope === 'book' ? { book: staff.id } : {};
}

/**
 * Whether a staff member (as stored, or as a change would leave them) is a tenant-wide admin: the
 * admin role, its scope read as authentication reads it (`bookOf`). The one reading for the staff
 * lock-out rule and for whether a key's owner lets it administer over HTTP, so the two cannot disagree.
 */
export function tenantWideAdmin(staff: { readonly id: string; readonly role: string; readonly scope: string }): boolean {
  return staff.role === 'admin' && bookOf(staff).book === undefined;
}
