import { sql, type SqlBool } from 'kysely';

/**
 * Approved by someone, and not revoked: an override that decides until it expires. `alias` names
 * the overrides table in a query that aliases it (`overrides as o`). Its own module so that
 * overrides.ts and subjects.ts (findSubjectForRead) share it while it stays out of the package's
 * exports, which take every export of those two.
 */
export function approvedNotRevoked(alias?: 'o') {
  const column = (name: string) => sql.ref(alias === undefined ? name : `${alias}.${name}`);
  return sql<SqlBool>`(${column('status')} = ${'approved'} AND ${column('approved_by')} IS NOT NULL AND ${column('revoked_at')} IS NULL)`;
}
