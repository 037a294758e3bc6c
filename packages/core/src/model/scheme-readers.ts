/**
 * Which staff may read a scheme's levels (`SchemeSummary.readers`). An AML grade is need-to-know:
 * tipping-off rules keep a suspicion from the staff who serve the customer, and only compliance and
 * those who act on it read it (docs/domain.md §4, "Who reads a grade"). Absent: every staff role reads
 * the scheme, as before readers existed. Customers' credentials never read a staff scheme whatever
 * this says (`audience`).
 */
export const READER_ROLES = ['viewer', 'analyst', 'officer', 'approver', 'admin'] as const;
export type ReaderRole = (typeof READER_ROLES)[number];

export interface SchemeReaders {
  /** The staff roles that read it, each named: no role implies another, so widening is one look at the list. */
  readonly roles: readonly ReaderRole[];
  /**
   * Whether book-scoped staff (relationship managers) of those roles read it for their book too. Absent
   * or false: tenant-wide staff only — the relationship manager serves the customer, the one tipping-off
   * rules keep uninformed.
   */
  readonly books?: boolean;
}

/** Who is reading, as far as readers care: a role (a key's may be `embedder`, which reads nothing) and its scope. */
export interface SchemeReader {
  readonly role: string;
  readonly bookScoped: boolean;
}

/** Whether `caller` may read the levels of `scheme`: no `readers` is every staff role. */
export function mayReadScheme(scheme: { readonly readers?: SchemeReaders | undefined }, caller: SchemeReader): boolean {
  const r = scheme.readers;
  if (r === undefined) return true;
  if (!(r.roles as readonly string[]).includes(caller.role)) return false;
  return !caller.bookScoped || r.books === true;
}

/** Whether `scheme` restricts its readers: each staff read of its levels for named customers is then audited. */
export function restrictsReaders(scheme: { readonly readers?: SchemeReaders | undefined }): boolean {
  return scheme.readers !== undefined;
}
