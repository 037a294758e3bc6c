import { type ClosingRequest, type Executor, lapsedPendingClosingRequests, settleClosingRequest } from '@tierkit/db';
import { ProblemError } from '../problem.js';
import { appendOperatorAudit, type OperatorAction } from './audit.js';

/*
 * A closing request nobody decides lapses (docs/operations.md, "A closing dated far back needs a second
 * person"). Thirty days: a checker sees the queue daily, and a month-end reconciliation — the time
 * branches learn of closings and look at what they filed — falls within any thirty days; after it the
 * checks the maker's date was judged on (the customer's activity, the final months) have moved, and an
 * approval would rest on a month-old reading. Undecided longer, it held the customer from every
 * retention run and barred any other closing of them for good. The maker files it again if it still
 * stands. The same for every tenant: no bank asked for another span, and a setting would let the admin
 * the four eyes guard against stretch it.
 *
 * Lapsing is a matter of time, so every read and decision tells it from `requested_at` at its own
 * instant, on any server, without a schedule: the queue leaves a lapsed request out, a read shows it
 * `lapsed`, a decision is a 409 `lapsed`, and the retention run no longer counts it a hold. The row
 * itself is written `lapsed` — with one `change` record in the trail, at the instant it lapsed, by
 * `system:lapse` — by the first write that needs the row free: a new closing of that customer (its
 * unique pending slot), over HTTP or by a subjects import's row, or the retention run. That write is a
 * guarded update of a row stored pending, so of two servers doing it at once exactly one records the
 * lapse; a refusal writes nothing.
 */

/** Days an undecided closing request waits before it lapses. */
export const CLOSING_REQUEST_LAPSE_DAYS = 30;

/** Who lapses a request in the trail and on the row (`decided_by`): no person. */
export const LAPSE_ACTOR = 'system:lapse';

const LAPSE_MS = CLOSING_REQUEST_LAPSE_DAYS * 86_400_000;

/** The instant a request filed at `requestedAt` lapses, if still undecided then. */
export function closingRequestLapsesAt(requestedAt: string): string {
  return new Date(Date.parse(requestedAt) + LAPSE_MS).toISOString();
}

/** Requests filed at or before this instant have lapsed at `now`. */
export function lapsedAtOrBefore(now: Date): string {
  return new Date(now.getTime() - LAPSE_MS).toISOString();
}

/** Stored pending and past its span at `now`: lapsed, whatever the row says yet. */
export function hasLapsed(r: Pick<ClosingRequest, 'status' | 'requestedAt'>, now: Date): boolean {
  return r.status === 'pending' && r.requestedAt <= lapsedAtOrBefore(now);
}

/** The status a caller reads at `now`. */
export function statusAt(r: ClosingRequest, now: Date): ClosingRequest['status'] {
  return hasLapsed(r, now) ? 'lapsed' : r.status;
}

/** 409 `lapsed`: undecided past its span; nothing was changed. */
export function requestLapsed(r: ClosingRequest, doing: string): ProblemError {
  const at = closingRequestLapsesAt(r.requestedAt);
  return new ProblemError(
    'conflict',
    `Closing request ${r.id} lapsed at ${at}, undecided ${CLOSING_REQUEST_LAPSE_DAYS} days after it was filed; it can no longer be ${doing}. If the closing still stands, file it again. Nothing was changed.`,
    [
      {
        path: 'params.id',
        message: `lapsed at ${at}`,
        code: 'lapsed',
        params: { lapsedAt: at, lapseDays: CLOSING_REQUEST_LAPSE_DAYS },
      },
    ],
  );
}

/**
 * Write `lapsed` on the requests stored pending that lapsed by `now` — one customer's (internal id) or the
 * tenant's — in the caller's transaction, without their records: the caller records each one this call
 * wrote ({@link recordLapse}) before it commits. Returns those (none that another server wrote first).
 * Apart from the records for a subjects import: it frees a customer's pending place mid-file, and
 * appends the records at the file's end, so the tenant's audit chain head is held only to the commit.
 */
export async function writeLapses(trx: Executor, tenantId: string, now: Date, subjectId?: string): Promise<ClosingRequest[]> {
  const written: ClosingRequest[] = [];
  for (const r of await lapsedPendingClosingRequests(trx, tenantId, lapsedAtOrBefore(now), subjectId)) {
    const at = closingRequestLapsesAt(r.requestedAt);
    if (await settleClosingRequest(trx, tenantId, r.id, { status: 'lapsed', by: LAPSE_ACTOR, at, note: null })) written.push(r);
  }
  return written;
}

/** The one `change` record of a lapse {@link writeLapses} wrote, in the caller's request (`action`), at `now`. */
export async function recordLapse(trx: Executor, tenantId: string, now: Date, action: OperatorAction, r: ClosingRequest): Promise<void> {
  await appendOperatorAudit(
    trx,
    tenantId,
    { ...action, actor: LAPSE_ACTOR, credential: 'system' },
    {
      phase: 'change',
      status: 200,
      at: now,
      // The number goes to the record's side row, erased with the customer, as any record naming one.
      target: { subject: r.externalId },
      detail: {
        request: r.id,
        at: r.at,
        late: r.late,
        requestedBy: r.requestedBy,
        requestedAt: r.requestedAt,
        status: 'lapsed',
        lapsedAt: closingRequestLapsesAt(r.requestedAt),
      },
    },
  );
}

/**
 * Write `lapsed` on the requests stored pending that lapsed by `now` — one customer's (internal id) or the
 * tenant's — each with its `change` record in the caller's request (`action`), in the caller's
 * transaction. Returns how many this call recorded (none that another server recorded first).
 */
export async function recordLapses(
  trx: Executor,
  tenantId: string,
  now: Date,
  action: OperatorAction,
  subjectId?: string,
): Promise<number> {
  const written = await writeLapses(trx, tenantId, now, subjectId);
  for (const r of written) await recordLapse(trx, tenantId, now, action, r);
  return written.length;
}
