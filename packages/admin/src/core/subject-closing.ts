import { BOOK_READS, type HttpTierkitClient, type Session } from '@tierkit/client';
import type { SubjectRef } from '@tierkit/core';
// A subpath: the core's root would bring its schemas (zod) onto the console's first page.
import { type ApprovalsPage, CLOSING_FLOOR } from '@tierkit/core/wire';
import { apiFieldErrors, type CheckData, type FieldCheck, fieldCheck } from './checks.js';
import { KitStore, type KitError } from './kit-store.js';
import { hasRole, isBookScoped } from './session.js';
import { readWallTime, WALL_TIME_CHECKS } from './wall-time.js';

/** The most characters a closing's reason or a reopening's note may have, trimmed (the API's limit too). */
export const CLOSING_REASON_MAX = 200;

/**
 * The earliest closing the API takes, an instant (UTC): a page telling the API's floor of 2000 from a
 * final month's end (a `too_small`'s `params.minimum`) compares with it.
 */
export { CLOSING_FLOOR };

/** Its year, read in the bank's calendar: nothing in the bank's books is older. */
const EARLIEST_YEAR = Number(CLOSING_FLOOR.slice(0, 4));

/**
 * The kit's own checks of a closing or reopening, by code, with their default words (English). A host
 * words each code itself (`fieldErrors[field].code`, and `max` for `reason-too-long`); the API's own
 * refusals carry no kit code but its `api.code` (`too_small` with `params.minimum`: the first instant a
 * closing may have, past the last month whose figures are final — unless the closing is said to be
 * learnt late, `late`).
 */
export const CLOSING_CHECKS = {
  'reason-required': () => 'a reason is required',
  'reason-too-long': ({ max }: CheckData) => `at most ${max} characters`,
  ...WALL_TIME_CHECKS,
  'in-future': () => 'must not be in the future',
  'before-2000': () => 'must not be before 2000',
  'late-needs-time': () => 'say when the customer left: a closing dated now is never late',
} as const satisfies Record<string, (data: CheckData) => string>;

export type ClosingCheck = keyof typeof CLOSING_CHECKS;

/** Field (`reason`, `at`, `note`) → what is wrong with it, from the kit's check or the API's 400. */
export type ClosingFieldErrors = Readonly<Record<string, FieldCheck<ClosingCheck>>>;

const check = (code: ClosingCheck, data?: CheckData) => fieldCheck(CLOSING_CHECKS, code, data);

/** What a person fills in to close a customer. */
export interface ClosingInput {
  readonly reason: string;
  /**
   * When the customer left, as the bank's wall clock read it (`YYYY-MM-DDTHH:MM`, a `datetime-local`
   * field's value, seconds optional); empty or absent: now.
   */
  readonly at?: string;
  /**
   * The field holds something that is not a time yet (a browser's `validity.badInput`: a half-typed
   * `datetime-local` reads as ''), so an empty `at` is not taken for "now".
   */
  readonly atUnreadable?: boolean;
  /**
   * The bank learnt of the closing after the month it happened in was final, and the person says so:
   * the API then keeps `at` as when the customer left (`leftAt`) and counts the closing from the first
   * instant allowed. Needs an `at`. Without it such a date is refused, so a mistyped one is not moved.
   */
  readonly late?: boolean;
}

/** What the API is sent: the reason trimmed, the time an explicit UTC instant (or left out: now), `late` only when said. */
export interface ClosingBody {
  readonly reason: string;
  readonly at?: string;
  readonly late?: true;
}

/**
 * Why a session is not offered to close or reopen customers: `book-scoped` (a relationship manager —
 * someone other than the RM records that their customer left), `role` (below officer), `no-session`;
 * undefined when it is offered. The API decides every request; this only avoids offering what it refuses.
 */
export type NoClosing = 'no-session' | 'book-scoped' | 'role';

/**
 * The one rule the console offers closing and reopening by: tenant-wide staff, officer or above (the
 * API's access table, `tenantWide`). A page says why when it does not offer them, so there is no
 * yes-or-no twin of it: test `=== undefined`.
 */
export function whyNoClosing(session: Session | undefined): NoClosing | undefined {
  if (session === undefined || session.via === 'embed-token') return 'no-session';
  if (isBookScoped(session)) return 'book-scoped';
  if (!hasRole(session, 'officer')) return 'role';
  return undefined;
}

/**
 * What the API would refuse in a closing, said before it is sent, and the body to send when nothing
 * is: a reason (trimmed, 1–200 characters) and a time in the bank's zone, read as the UTC instant it
 * is (one its clocks show), neither in the future nor before 2000 in the bank's calendar. The floor
 * past the final months is the API's to say. A time in an hour the clocks show twice (summer time
 * ending) is the first of the two, in every zone: a closing is one moment, and the first the bank's
 * clocks showed is the one a person most likely means (and the one never later than they meant).
 */
export function checkClosing(
  input: ClosingInput,
  o: { readonly timeZone: string; readonly now: Date },
): { readonly errors: ClosingFieldErrors; readonly body: ClosingBody | undefined } {
  const errors: Record<string, FieldCheck<ClosingCheck>> = {};
  const reason = input.reason.trim();
  if (!reason) errors.reason = check('reason-required');
  else if (reason.length > CLOSING_REASON_MAX) errors.reason = check('reason-too-long', { max: CLOSING_REASON_MAX });
  let at: string | undefined;
  if (input.atUnreadable) errors.at = check('not-a-time');
  else if (input.at?.trim()) {
    const read = readWallTime(input.at, o.timeZone);
    if ('error' in read) errors.at = check(read.error);
    else if (Date.parse(read.at) > o.now.getTime()) errors.at = check('in-future');
    // The year as typed, the bank's: 2000-01-01 05:00 in Shanghai is 1999 in UTC, and still 2000 to the bank.
    else if (Number(input.at.trim().slice(0, 4)) < EARLIEST_YEAR) errors.at = check('before-2000');
    else at = read.at;
  }
  if (input.late && !errors.at && at === undefined) errors.at = check('late-needs-time');
  if (Object.keys(errors).length) return { errors, body: undefined };
  return { errors, body: { reason, ...(at !== undefined ? { at } : {}), ...(input.late ? { late: true as const } : {}) } };
}

/** A reopening's note: optional, trimmed, at most 200 characters. */
export function checkReopening(note: string | undefined): { readonly errors: ClosingFieldErrors; readonly body: { note?: string } } {
  const trimmed = note?.trim() ?? '';
  if (trimmed.length > CLOSING_REASON_MAX) return { errors: { note: check('reason-too-long', { max: CLOSING_REASON_MAX }) }, body: {} };
  return { errors: {}, body: trimmed ? { note: trimmed } : {} };
}

export type ClosingAction = 'close' | 'reopen';

/**
 * Where a dialog of closing is: `idle` (nothing asked), `editing` (the form shown, maybe with field
 * errors), `confirming` (checked, the person is told what closing does and confirms), `saving`,
 * `done` (the API answered the subject as it now is), `refused` (a refusal of the whole write: 403,
 * 404, 409, the network).
 */
export type ClosingPhase = 'idle' | 'editing' | 'confirming' | 'saving' | 'done' | 'refused';

export interface SubjectClosingState {
  /** The subject (external id), undefined before `open`. */
  readonly subject: string | undefined;
  /** When it was closed (ISO UTC) and why, as last known; null: a current customer. */
  readonly closedAt: string | null;
  readonly closedReason: string | null;
  /** When the customer really left, where earlier than `closedAt` (a closing learnt late); else null. */
  readonly leftAt: string | null;
  /** The action under way (the dialog shown), undefined when none. */
  readonly action: ClosingAction | undefined;
  readonly phase: ClosingPhase;
  /** The closing checked and waiting for confirmation (`confirming`), as it will be sent. */
  readonly pending: ClosingBody | undefined;
  /** Why the last attempt's fields were refused, before sending or by the API. */
  readonly fieldErrors: ClosingFieldErrors;
  /** Why the last write was refused as a whole (403, 404, 409, network). */
  readonly actionError: KitError | undefined;
  /**
   * A 409: the customer was `closed` already (someone closed them meanwhile), or `open` already (reopened
   * meanwhile). The host reads the subject again: the state it shows is stale.
   */
  readonly conflict: 'closed' | 'open' | undefined;
  /** The subject as the last successful write left it. */
  readonly done: { readonly action: ClosingAction; readonly subject: SubjectRef } | undefined;
  /**
   * A closing dated far back that waits for a second person (the API's closing request): filed by this
   * store's last write (answered 202: the customer stays open) or read when the subject was opened.
   * Undefined when none waits, or the session may not see one.
   */
  readonly waiting: WaitingClosing | undefined;
  /** The last write filed a closing request rather than closing the customer. */
  readonly filed: boolean;
  /** Why taking the waiting request back was refused. */
  readonly withdrawError: KitError | undefined;
  /**
   * The customer's latest closing request when nobody approved it and none waits — rejected (with the
   * checker's note) or lapsed, undecided for 30 days — so its maker learns what became of it.
   */
  readonly unapproved: UnapprovedClosing | undefined;
}

/** A closing request that ended without closing the customer: rejected, or lapsed. */
export interface UnapprovedClosing {
  readonly id: string;
  readonly status: 'rejected' | 'lapsed';
  /** The date it asked (ISO 8601 UTC). */
  readonly at: string;
  /** When it was rejected or lapsed, and by whom (null for a lapse: no one). */
  readonly decidedAt: string | null;
  readonly decidedBy: string | null;
  readonly decisionNote: string | null;
}

/** `GET /v1/closing-requests?subject=`: the customer's requests the caller sees, the latest first. */
interface ClosingRequestList {
  readonly items: readonly {
    readonly id: string;
    readonly status: string;
    readonly at: string;
    readonly decidedAt: string | null;
    readonly decidedBy: string | null;
    readonly decisionNote: string | null;
  }[];
}

/** A closing request waiting for a second person, as a customer's page shows it. */
export interface WaitingClosing {
  readonly id: string;
  /** The date the closing would give (ISO 8601 UTC), and whether it was said to be learnt late. */
  readonly at: string;
  readonly late: boolean;
  readonly reason: string;
  readonly requestedBy: string;
  /** The staff member behind `requestedBy` (absent from the 202's answer: that is the caller). */
  readonly requestedByStaff: string | null;
  readonly requestedAt: string;
  /** The caller asked for it, by person: they may withdraw it. */
  readonly requestedByYou: boolean;
}

/** The API's answer to a closing it filed for a second person (202, `ClosingRequest`). */
interface FiledClosing {
  readonly id: string;
  readonly at: string;
  readonly late: boolean;
  readonly reason: string;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly requestedByYou: boolean;
  readonly mayWithdraw: boolean;
}

/** A closing request's answer, told from a subject's by what only a request carries. */
function isFiled(answer: SubjectRef | FiledClosing): answer is FiledClosing {
  return 'mayWithdraw' in answer;
}

type Client = Pick<HttpTierkitClient, 'http' | 'invalidate'>;

const enc = encodeURIComponent;

/** The fields of a closing or reopening: an API refusal of any other is the whole write's. */
const CLOSING_FIELDS = ['reason', 'at', 'note'] as const;

const CLEAR = { pending: undefined, fieldErrors: {}, actionError: undefined, conflict: undefined } as const;
/** What a store knows of no subject's closing yet: at start, and when another subject is opened. */
const IDLE = {
  action: undefined,
  phase: 'idle',
  ...CLEAR,
  done: undefined,
  waiting: undefined,
  filed: false,
  withdrawError: undefined,
  unapproved: undefined,
} as const;

/** The 409's stable code, when the API gave one: `subject_closed` or `not_closed`. */
function conflictOf(err: unknown): 'closed' | 'open' | undefined {
  const problem =
    err && typeof err === 'object' && 'problem' in err ? (err as { problem: { status?: unknown; errors?: unknown } }).problem : undefined;
  if (problem?.status !== 409 || !Array.isArray(problem.errors)) return undefined;
  const codes = (problem.errors as { code?: unknown }[]).map((e) => e.code);
  return codes.includes('subject_closed') ? 'closed' : codes.includes('not_closed') ? 'open' : undefined;
}

/**
 * Closing a customer who left the bank (销户), and taking a closing back: the dialog's state from
 * asking to confirming to the API's answer. The time a person types is the bank's wall clock
 * (`timeZone`, the session's), sent as the UTC instant it is. Only for tenant-wide staff, officer or
 * above ({@link whyNoClosing}); the API refuses anyone else, and the refusal lands in `actionError`.
 * A success, a 409 and a write cancelled once sent (it may have been recorded) forget the client's
 * reads of the subject and the lists, so the widgets and the list read the customer as they now are; a
 * cancelled write leaves the store `idle`, not `saving`.
 */
export class SubjectClosing extends KitStore<SubjectClosingState> {
  readonly #client: Client;
  readonly #now: () => Date;
  readonly #timeZone: () => string;

  constructor(client: Client, options: { readonly timeZone: string | (() => string); readonly now?: () => Date }) {
    super({
      subject: undefined,
      closedAt: null,
      closedReason: null,
      leftAt: null,
      ...IDLE,
    });
    this.#client = client;
    const zone = options.timeZone;
    this.#timeZone = typeof zone === 'function' ? zone : () => zone;
    this.#now = options.now ?? (() => new Date());
  }

  /** The subject shown, as the detail read it (a write of another subject in flight is cancelled). */
  open(subject: SubjectRef, session?: Session): void {
    const other = subject.id !== this.state.subject;
    if (other) {
      this.cancel();
      this.set(IDLE);
    }
    this.set({
      subject: subject.id,
      closedAt: subject.closedAt ?? null,
      closedReason: subject.closedReason ?? null,
      leftAt: subject.leftAt ?? null,
    });
    // Only those offered closing read what waits (the API lists an officer their own, an approver all).
    if (other && subject.closedAt == null && whyNoClosing(session) === undefined) {
      void this.readWaiting();
      void this.readUnapproved();
    }
  }

  /** The customer's latest closing request, kept when it ended unapproved (`unapproved`). */
  async readUnapproved(): Promise<void> {
    const subject = this.state.subject;
    if (subject === undefined) return;
    const list = await this.run(
      'unapproved',
      (signal) => this.#client.http.get<ClosingRequestList>(`/v1/closing-requests?subject=${enc(subject)}`, { signal }),
      () => undefined,
    );
    const latest = list?.items[0];
    if (this.state.subject !== subject) return;
    this.set({
      unapproved:
        latest && (latest.status === 'rejected' || latest.status === 'lapsed')
          ? {
              id: latest.id,
              status: latest.status,
              at: latest.at,
              decidedAt: latest.decidedAt,
              decidedBy: latest.decidedBy,
              decisionNote: latest.decisionNote,
            }
          : undefined,
    });
  }

  /** The closing request waiting for this customer, if the session sees one (`GET /v1/approvals?kind=closing`). */
  async readWaiting(): Promise<void> {
    const subject = this.state.subject;
    if (subject === undefined) return;
    const page = await this.run(
      'waiting',
      (signal) => this.#client.http.get<ApprovalsPage>(`/v1/approvals?kind=closing&subject=${enc(subject)}&limit=1`, { signal }),
      // Unread, the page says nothing of a request: the API still refuses a second one (409).
      () => undefined,
    );
    const item = page?.items.find((i) => i.kind === 'closing' && i.subject === subject && i.closing);
    if (this.state.subject !== subject) return;
    this.set({
      waiting:
        item?.closing === undefined
          ? undefined
          : {
              id: item.id,
              at: item.closing.at,
              late: item.closing.late,
              reason: item.reason ?? '',
              requestedBy: item.requestedBy,
              requestedByStaff: item.requestedByStaff,
              requestedAt: item.requestedAt,
              requestedByYou: item.requestedByYou,
            },
    });
  }

  /** Take back the waiting closing request (only its maker may); true when the API did. */
  async withdrawWaiting(): Promise<boolean> {
    const waiting = this.state.waiting;
    if (!waiting || this.busy('withdraw')) return false;
    this.set({ withdrawError: undefined });
    const done = await this.run(
      'withdraw',
      (signal) =>
        this.#client.http.send<unknown>(
          'POST',
          `/v1/closing-requests/${enc(waiting.id)}/withdraw`,
          {},
          { signal, forget: ['/v1/approvals', '/v1/closing-requests'] },
        ),
      (withdrawError) => this.set({ withdrawError }),
    );
    if (done === undefined) return false;
    this.set({ waiting: undefined, filed: false, done: undefined });
    return true;
  }

  /** Show the form of `action`: close for a current customer, reopen for a closed one. */
  begin(action: ClosingAction): void {
    if (this.state.subject === undefined || this.state.phase === 'saving') return;
    this.set({ action, phase: 'editing', ...CLEAR, done: undefined });
  }

  /** Leave the dialog without writing (Escape, Cancel); a write in flight is not taken back. */
  dismiss(): void {
    if (this.state.phase === 'saving') return;
    this.set({ action: undefined, phase: 'idle', ...CLEAR });
  }

  /**
   * Check the closing; when nothing is wrong, go on to confirming (nothing is sent yet). Returns
   * whether it may be confirmed.
   */
  review(input: ClosingInput): boolean {
    if (this.state.action !== 'close' || this.state.phase === 'saving') return false;
    const { errors, body } = checkClosing(input, { timeZone: this.#timeZone(), now: this.#now() });
    if (!body) {
      this.set({ phase: 'editing', ...CLEAR, fieldErrors: errors });
      return false;
    }
    this.set({ phase: 'confirming', ...CLEAR, pending: body });
    return true;
  }

  /** Back from confirming to the form, to change the reason or the time. */
  edit(): void {
    if (this.state.phase === 'confirming' || this.state.phase === 'refused') this.set({ phase: 'editing', ...CLEAR });
  }

  /** Send the closing confirmed; true when the API recorded it. */
  async confirm(): Promise<boolean> {
    const { subject, pending, phase } = this.state;
    if (subject === undefined || pending === undefined || phase !== 'confirming') return false;
    return this.#write('close', subject, pending, (signal) =>
      this.#client.http.send<SubjectRef | FiledClosing>('POST', `/v1/subjects/${enc(subject)}/close`, pending, { signal }),
    );
  }

  /** Take the closing back, with an optional note; true when the API did. */
  async reopen(note?: string): Promise<boolean> {
    const { subject, action, phase } = this.state;
    if (subject === undefined || action !== 'reopen' || phase === 'saving') return false;
    const { errors, body } = checkReopening(note);
    if (Object.keys(errors).length) {
      this.set({ phase: 'editing', ...CLEAR, fieldErrors: errors });
      return false;
    }
    return this.#write('reopen', subject, undefined, (signal) =>
      this.#client.http.send<SubjectRef>('POST', `/v1/subjects/${enc(subject)}/reopen`, body, { signal }),
    );
  }

  async #write(
    action: ClosingAction,
    subject: string,
    pending: ClosingBody | undefined,
    send: (signal: AbortSignal) => Promise<SubjectRef | FiledClosing>,
  ): Promise<boolean> {
    this.set({ phase: 'saving', fieldErrors: {}, actionError: undefined, conflict: undefined, done: undefined, filed: false });
    let fields: ClosingFieldErrors = {};
    let conflict: 'closed' | 'open' | undefined;
    let sent: AbortSignal | undefined;
    const ref = await this.run(
      'write',
      (signal) => {
        sent = signal;
        return send(signal).catch((err: unknown) => {
          fields = apiFieldErrors<ClosingCheck>(err, CLOSING_FIELDS);
          conflict = conflictOf(err);
          throw err;
        });
      },
      (actionError) =>
        // A field refused (the time before the final months' end, say): back to the form, that field said.
        Object.keys(fields).length
          ? this.set({ phase: 'editing', pending, fieldErrors: fields, actionError: undefined, conflict: undefined })
          : this.set({ phase: 'refused', pending, actionError, conflict }),
    );
    const aborted = sent?.aborted === true;
    // Whatever the answer, what the client kept of the subject may be stale now (a 409: someone else
    // wrote). A write cancelled after it was sent may have been recorded all the same: forget then too.
    if (ref || conflict || aborted) this.#forget(subject);
    if (aborted) {
      // Nothing will answer this write: out of `saving`, unless a newer write (or dialog) has the store now.
      if (this.state.phase === 'saving' && !this.busy('write')) this.set({ action: undefined, phase: 'idle', ...CLEAR });
      return false;
    }
    if (!ref) return false;
    if (isFiled(ref)) {
      // Dated more than three months back: not closed, but waiting for a second person (202). The queue
      // and the customer's requests read before it are stale (a rejection read within their fresh window
      // would otherwise show the request before it).
      this.#client.invalidate('/v1/approvals');
      this.#client.invalidate('/v1/closing-requests');
      this.set({
        action: undefined,
        phase: 'done',
        ...CLEAR,
        filed: true,
        unapproved: undefined,
        waiting: {
          id: ref.id,
          at: ref.at,
          late: ref.late,
          reason: ref.reason,
          requestedBy: ref.requestedBy,
          requestedByStaff: null,
          requestedAt: ref.requestedAt,
          requestedByYou: ref.requestedByYou,
        },
      });
      return true;
    }
    this.set({
      subject: ref.id,
      closedAt: ref.closedAt ?? null,
      closedReason: ref.closedReason ?? null,
      leftAt: ref.leftAt ?? null,
      action: undefined,
      phase: 'done',
      ...CLEAR,
      done: { action, subject: ref },
    });
    return true;
  }

  /** The subject's reads and every list: the closing changes what the subject, lists and matrix show. */
  #forget(subject: string): void {
    this.#client.invalidate(`/v1/subjects/${enc(subject)}/`);
    for (const prefix of BOOK_READS) this.#client.invalidate(prefix);
  }
}
