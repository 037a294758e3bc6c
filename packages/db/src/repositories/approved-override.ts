import { type ExpressionBuilder, sql, type SqlBool } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Approved by someone, and not revoked: an override that decides until it expires. `alias` names
 * the overrides table in a query that aliases it (`overrides as o`). Its own module so that
 * overrides.ts, subjects.ts (findSubjectForRead) and subject-tiers-read.ts share it while it stays out of the package's
 * exports, which take every export of those two.
 */
export function approvedNotRevoked(alias?: 'o') {
  const column = (name: string) => sql.ref(alias === undefined ? name : `${alias}.${name}`);
  return sql<SqlBool>`(${column('status')} = ${'approved'} AND ${column('approved_by')} IS NOT NULL AND ${column('revoked_at')} IS NULL)`;
}

/**
 * Whether the subject has any approved, unrevoked override, as the column `approved_overrides` of a
 * statement over `subjects`: what findSubjectForRead and findSubjectForTiers carry, so that a first
 * ask of a customer without one reads no overrides.
 */
export const approvedOverridesColumn = (eb: ExpressionBuilder<Database, 'subjects'>) =>
  eb
    .exists(eb.selectFrom('overrides as o').select('o.id').whereRef('o.subject_id', '=', 'subjects.id').where(approvedNotRevoked('o')))
    .as('approved_overrides');
