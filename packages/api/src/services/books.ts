import { findStaff } from '@tierkit/db';
import type { ApiDeps } from '../deps.js';
import { invalid, ProblemError } from '../problem.js';

/**
 * Whose book a list, a matrix or the reviews due are cut to: the `manager` query (`me` or a staff id)
 * where the credential may choose, always the credential's own book where it is book-scoped.
 * Undefined: the whole tenant. A staff id the tenant does not have is a 400, never an empty book: a
 * mistyped id must not read as "no customers".
 */
export async function bookOf(deps: ApiDeps, manager: string | undefined): Promise<string | undefined> {
  const { principal } = deps;
  const asked = manager === 'me' ? principal.staffId : manager;
  if (manager === 'me' && asked === undefined) {
    throw invalid([{ path: 'query.manager', message: '"me" needs a staff member’s token; pass a staff id', code: 'me_needs_staff_token' }]);
  }
  if (principal.book !== undefined) {
    if (asked !== undefined && asked !== principal.book) {
      throw new ProblemError('forbidden', 'A book-scoped staff credential reads only its own book.');
    }
    return principal.book;
  }
  if (asked !== undefined && manager !== 'me' && !(await findStaff(deps.db, deps.tenantId, asked))) {
    throw invalid([
      { path: 'query.manager', message: `no staff member "${asked}" in this tenant`, code: 'unknown_staff', params: { staff: asked } },
    ]);
  }
  return asked;
}
