import { findStaff, type Books, type Executor, type MadeMove } from '@tierkit/db';
import { booksRead } from '../auth/principal.js';
import type { Context } from 'hono';
import type { ApiDeps, AppEnv } from '../deps.js';
import { invalid, ProblemError } from '../problem.js';
import { appendAudit } from './audit.js';

/**
 * Whose books a list, a matrix or the reviews due are cut to: the `manager` query (`me` or a staff id)
 * where the credential may choose; where it is book-scoped, the books it reads (a team lead's own and
 * their team's), or one of them named by `manager`. Undefined: the whole tenant. A staff id the tenant
 * does not have is a 400, never an empty book: a mistyped id must not read as "no customers".
 */
export async function bookOf(deps: ApiDeps, manager: string | undefined): Promise<Books | undefined> {
  const { principal } = deps;
  const asked = manager === 'me' ? principal.staffId : manager;
  if (manager === 'me' && asked === undefined) {
    throw invalid([{ path: 'query.manager', message: '"me" needs a staff member’s token; pass a staff id', code: 'me_needs_staff_token' }]);
  }
  const reads = booksRead(principal);
  if (reads !== undefined) {
    if (asked !== undefined && !reads.includes(asked)) {
      throw new ProblemError('forbidden', 'A book-scoped staff credential reads only its own book and those of the teams it leads.');
    }
    return asked ?? reads;
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
 * What a move's audit records name of the request: what its intent record named (the audit
 * middleware's route template), so the `change` records read as the request's other records do.
 */
export function moveAudit(c: Context<AppEnv>): MoveAuditContext {
  const { requestId, described } = c.var.audit;
  // The intent middleware runs before every write route: a move outside one is a wiring fault, not a request to audit.
  if (!described) throw new Error('a move outside an audited write request');
  return { tenantId: c.var.deps.tenantId, requestId, ...described };
}

/** Moves one `change` record holds at most: its `detail` stays a few dozen kilobytes. */
export const MOVES_PER_RECORD = 1000;

/**
 * The moves of one request as audit records (phase `change`), in the moves' own transaction, so a
 * move is never committed without its record: one record per `MOVES_PER_RECORD` moves, its `detail`
 * `{ moves: [{ subject, from, to }] }` (external subject id; `''`: no book) and its `target`
 * `{ moves: "<count>" }`. One record per move made a large move hold the tenant's chain head (which
 * every audited request of the tenant appends through) for as many appends as moves. Appended after
 * every book row is locked and written, so the head is never held while waiting for a book row.
 */
export async function auditMoves(
  trx: Executor,
  ctx: MoveAuditContext,
  moves: readonly MadeMove[],
  externalIdOf: (subjectId: string) => string,
): Promise<void> {
  for (let i = 0; i < moves.length; i += MOVES_PER_RECORD) {
    const part = moves.slice(i, i + MOVES_PER_RECORD);
    await appendAudit(trx, ctx.tenantId, {
      // The moves' own time, read after their locks (`assignManagers`).
      at: part[0]?.at ?? '',
      request_id: ctx.requestId,
      phase: 'change',
      actor: ctx.actor,
      credential: ctx.credential,
      method: ctx.method,
      route: ctx.route,
      target: JSON.stringify({ moves: String(part.length) }),
      status: null,
      problem: null,
      unmasked: 0,
      detail: JSON.stringify({ moves: part.map((m) => ({ subject: externalIdOf(m.subjectId), from: m.from ?? '', to: m.to ?? '' })) }),
    });
  }
}
