import { findStaff, type Executor, type MadeMove } from '@tierkit/db';
import type { ApiDeps } from '../deps.js';
import { invalid, ProblemError } from '../problem.js';
import { appendAudit } from './audit.js';

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

/** Who asked for a move, as its audit record names them: the request's id, credential, method and route template. */
export interface MoveAuditContext {
  readonly tenantId: string;
  readonly requestId: string;
  readonly actor: string;
  readonly credential: string;
  readonly method: string;
  readonly route: string;
}

/**
 * One audit record per move made (phase `change`), in the move's own transaction, so a move is never
 * committed without it: the subject (external id), whose book it left (`from`) and whose it joined
 * (`to`), `''` for none. The request's `intent` and `result` name only the path. Appended after every
 * book row is locked and written: the chain's head row, which every audited request of the tenant
 * appends through, is then held only until the commit, and never while waiting for a book row.
 */
export async function auditMoves(
  trx: Executor,
  ctx: MoveAuditContext,
  moves: readonly MadeMove[],
  externalIdOf: (subjectId: string) => string,
  at: string,
): Promise<void> {
  for (const m of moves) {
    await appendAudit(trx, ctx.tenantId, {
      at,
      request_id: ctx.requestId,
      phase: 'change',
      actor: ctx.actor,
      credential: ctx.credential,
      method: ctx.method,
      route: ctx.route,
      target: JSON.stringify({ subject: externalIdOf(m.subjectId), from: m.from ?? '', to: m.to ?? '' }),
      status: null,
      problem: null,
      unmasked: 0,
    });
  }
}
