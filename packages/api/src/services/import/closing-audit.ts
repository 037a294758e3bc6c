import type { ClosingRequest, Executor } from '@tierkit/db';
import { appendAudit } from '../audit.js';
import type { MoveAuditContext } from '../books.js';
import { recordLapse } from '../closing-lapse.js';

/** One customer a subjects import closed: whom, and the closing as the API's own record of one says it. */
export interface ImportClosing {
  readonly externalId: string;
  /** When the closing counts from (the end of the last final month for one learnt late before it). */
  readonly closedAt: string;
  /** When the customer really left, where earlier than `closedAt`. */
  readonly leftAt: string | null;
  /** The row said the closing was learnt late (closedLate 1). */
  readonly late: boolean;
  readonly reason: string | null;
  /** When the import recorded it. */
  readonly at: string;
  /**
   * Set when the closing was dated far back and filed as this closing request instead (closing-requests.ts):
   * the record says what the API's filing says (`closingRequest`, the date asked, `late`, the reason).
   */
  readonly request?: string;
  /**
   * The customer's requests that had lapsed and that this filing wrote `lapsed` to take their pending
   * place (closing-lapse.ts, writeLapses): each recorded, once, just before the filing's own record.
   */
  readonly lapsed?: readonly ClosingRequest[];
}

/**
 * One `change` record per customer an import closed or filed a closing request for, in the import's request (after
 * the lapse record of any request the filing took the place of): a closing starts the
 * retention clock, so the trail says who closed whom, when they left and why, as `POST …/close` does
 * (the import's own record names only the file). The customer's number (`target.subject`) and the
 * reason go to the record's side row (audit-personal.ts), so an erasure of the customer finds and
 * deletes them as for any record naming one customer. Appended at the file's end, after every
 * customer's row is held: the chain head is then held only to the commit (as auditMoves).
 */
export async function auditImportClosings(trx: Executor, audit: MoveAuditContext, closings: readonly ImportClosing[]): Promise<void> {
  for (const c of closings) {
    for (const r of c.lapsed ?? []) await recordLapse(trx, audit.tenantId, new Date(c.at), audit, r);
    await appendAudit(trx, audit.tenantId, {
      at: c.at,
      request_id: audit.requestId,
      phase: 'change',
      actor: audit.actor,
      credential: audit.credential,
      method: audit.method,
      route: audit.route,
      target: JSON.stringify({ subject: c.externalId }),
      status: null,
      problem: null,
      unmasked: 0,
      detail: JSON.stringify(
        c.request !== undefined
          ? { closingRequest: c.request, at: c.closedAt, late: c.late, ...(c.reason !== null ? { reason: c.reason } : {}) }
          : {
              closedAt: c.closedAt,
              ...(c.leftAt !== null ? { leftAt: c.leftAt } : {}),
              late: c.late,
              ...(c.reason !== null ? { reason: c.reason } : {}),
            },
      ),
    });
  }
}
