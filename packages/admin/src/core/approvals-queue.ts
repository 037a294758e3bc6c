import { type HttpTierkitClient, query, type Session } from '@tierkit/client';
import type { Locale } from '@tierkit/core';
import type { ApprovalItem, ApprovalKind, ApprovalsPage, PolicyApprovalAnswer, Reevaluation } from './approvals-types.js';
import { CursorList, type CursorListState, emptyList } from './cursor-list.js';
import type { KitError } from './kit-store.js';
import { filedBySession, hasRole } from './session.js';

/** Filters of `GET /v1/approvals`. */
export interface ApprovalFilter {
  readonly kind?: ApprovalKind;
  readonly scheme?: string;
  /** External id of a subject. */
  readonly subject?: string;
  /** Only items waiting at least this long. */
  readonly minAgeSeconds?: number;
  /**
   * true: only the requests the signed-in person made; false: only others' — what waits for them to
   * decide (`?mine=`, filtered by the API, so one's own are on the first page however long the queue).
   */
  readonly mine?: boolean;
}

/**
 * The queue a person opens by default: what waits for them when they may decide (approver and up),
 * else their own requests — a maker cannot decide any, and hers were on page 6 of everyone's.
 */
export function defaultApprovalFilter(session: Session | undefined): ApprovalFilter {
  return { mine: !hasRole(session, 'approver') };
}

/**
 * The `type` of the refusal a rejection without a note gets before anything is sent (the API would
 * refuse it with zod's "expected string, received undefined"): a console says it in its own words.
 */
export const REJECT_NOTE_REQUIRED = 'urn:tierkit:admin:reject-note-required';

/**
 * Why the signed-in person may not decide an item: it is their own request; a level sign-off that a
 * re-tier job they started raised (`own-job`: four eyes counts the job as its starter); or their role
 * is below approver.
 */
export type NotApprovable = 'own-request' | 'own-job' | 'role';

/** What approving a policy version did to the book. */
export type Activation =
  | { readonly kind: 'reevaluated'; readonly subjects: number; readonly changes: number; readonly fromPeriod: string }
  | { readonly kind: 'job'; readonly jobId: string; readonly fromPeriod: string }
  | { readonly kind: 'deferred'; readonly fromPeriod: string; readonly subjects: number }
  | { readonly kind: 'scheduled'; readonly fromPeriod: string; readonly effectiveFrom: string | null }
  /** In force now, but the month under way is judged once its monthly feeds (`missing`) are loaded. */
  | { readonly kind: 'awaiting-data'; readonly fromPeriod: string; readonly missing: readonly string[] };

/** What approving a policy version may say besides the note (`POST …/approve`). */
export interface PolicyApprovalOptions {
  readonly effectiveFrom?: string;
  readonly confirmRetier?: boolean;
  readonly simulationJobId?: string;
}

/** A decision taken in this queue: the item (gone from `items`) and the API's answer. */
export interface Decided {
  readonly key: string;
  readonly item: ApprovalItem;
  /** `withdraw`: a retirement its asker took back (`kind: retirement`). */
  readonly action: 'approve' | 'reject' | 'withdraw';
  /** For an approved policy version: what happened to the book. */
  readonly activation?: Activation;
}

/** The waiting items loaded so far (oldest first, pages appended) and the queue's decisions. */
export interface ApprovalsQueueState extends CursorListState<ApprovalItem> {
  readonly filter: ApprovalFilter;
  /** Items whose decision is on its way, by {@link approvalKey}. */
  readonly deciding: Readonly<Record<string, true>>;
  /** The refusal of an item's last decision (403 four-eyes, 409 content-changed, 400 …), by key. */
  readonly refusals: Readonly<Record<string, KitError>>;
  /** Decisions taken here, newest first. */
  readonly decided: readonly Decided[];
}

export interface ApprovalsQueueOptions {
  /** Who is deciding: their own requests are not approvable, and below approver nothing is. */
  readonly session?: Session;
  /** Items per page (API maximum 100). Default 50. */
  readonly pageSize?: number;
  readonly filter?: ApprovalFilter;
  /** The language of each item's `summary` (scheme and level labels); the API's default (zh-CN) when absent. */
  readonly locale?: Locale;
}

type Client = Pick<HttpTierkitClient, 'http' | 'invalidate'>;

/** The key of an item in the page's DOM and the store's maps: `<kind>:<id>`. */
export function approvalKey(item: Pick<ApprovalItem, 'kind' | 'id'>): string {
  return `${item.kind}:${item.id}`;
}

/**
 * Why `session` may not decide `item`, or undefined when it may (the API checks again). Whether it is
 * their own request is the API's `requestedByYou`, by person as four eyes compares — a request filed
 * with a key they own is theirs too, which comparing `requestedBy` with the session's actor would miss
 * (that comparison is the fallback for an API without the field: {@link filedBySession}). An item whose
 * `requestedBy` is a re-tier job (`job:<id>`) is theirs because they started the job: `own-job`.
 * The item must have been read with the same person's credential as `session`.
 */
export function whyNotApprovable(item: ApprovalItem, session: Session | undefined): NotApprovable | undefined {
  if (filedBySession(item, session)) return item.requestedBy.startsWith('job:') ? 'own-job' : 'own-request';
  if (!hasRole(session, 'approver')) return 'role';
  return undefined;
}

/**
 * Whether `session` may approve `item` as far as roles go: its role is at least the item's
 * `approvalNeeds` (an override whose scheme asks an admin for it). Whose request it is, is
 * {@link whyNotApprovable}'s; one who may decide but not approve may still reject (the API asks an
 * approver for that). An item from an API without the field needs an approver, as it always did. The
 * API checks again when asked, also what only the approval can tell (it ends an override in force).
 */
export function mayApproveItem(item: ApprovalItem, session: Session | undefined): boolean {
  return whyNotApprovable(item, session) === undefined && hasRole(session, item.approvalNeeds ?? 'approver');
}

/** What the approval answer says about the book, in one of five plain outcomes. */
export function activationOf(answer: PolicyApprovalAnswer): Activation {
  const r: Reevaluation = answer.reevaluation;
  if (r.jobId) return { kind: 'job', jobId: r.jobId, fromPeriod: r.fromPeriod };
  if (r.status === 'done') return { kind: 'reevaluated', subjects: r.subjects ?? 0, changes: r.changes ?? 0, fromPeriod: r.fromPeriod };
  if (r.status === 'deferred') return { kind: 'deferred', fromPeriod: r.fromPeriod, subjects: r.subjects ?? 0 };
  if (r.missing?.length) return { kind: 'awaiting-data', fromPeriod: r.fromPeriod, missing: r.missing };
  return { kind: 'scheduled', fromPeriod: r.fromPeriod, effectiveFrom: answer.version.effectiveFrom };
}

const enc = encodeURIComponent;

/**
 * The approvals queue: every request waiting for a second person (overrides, level sign-offs,
 * submitted policy versions), oldest first with its age, filtered and paged by the API's cursors;
 * approve or reject each with a note. A decided item leaves the list and its answer is kept in
 * `decided`; a refusal stays beside the item in `refusals`, so the screen can say why.
 */
export class ApprovalsQueue extends CursorList<ApprovalItem, ApprovalsQueueState> {
  readonly #client: Client;
  readonly #pageSize: number;
  readonly #session: Session | undefined;
  #locale: Locale | undefined;

  constructor(client: Client, options: ApprovalsQueueOptions = {}) {
    super({
      ...emptyList<ApprovalItem>(),
      filter: options.filter ?? {},
      deciding: {},
      refusals: {},
      decided: [],
    });
    this.#client = client;
    this.#session = options.session;
    this.#locale = options.locale;
    this.#pageSize = Math.min(100, Math.max(1, options.pageSize ?? 50));
  }

  /** Why the store's session may not decide `item` (undefined: it may). */
  whyNot(item: ApprovalItem): NotApprovable | undefined {
    return whyNotApprovable(item, this.#session);
  }

  protected page(cursor: string | undefined, signal: AbortSignal): Promise<ApprovalsPage> {
    const f = this.state.filter;
    const q = {
      kind: f.kind,
      scheme: f.scheme,
      subject: f.subject,
      minAgeSeconds: f.minAgeSeconds,
      mine: f.mine,
      locale: this.#locale,
      limit: this.#pageSize,
      cursor,
    };
    return this.#client.http.get<ApprovalsPage>(`/v1/approvals${query(q)}`, { signal });
  }

  protected keyOf(item: ApprovalItem): string {
    return approvalKey(item);
  }

  /** Replace the filter and load its first page. */
  setFilter(filter: ApprovalFilter): Promise<void> {
    const clean = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== '')) as ApprovalFilter;
    this.set({ filter: clean });
    return this.load();
  }

  /** The language of the summaries of the pages loaded from now on (`load()` to see the first page in it). */
  setLocale(locale: Locale): void {
    this.#locale = locale;
  }

  /** The queue again, past the client's cache. */
  refresh(): Promise<void> {
    this.#client.invalidate('/v1/approvals');
    return this.load();
  }

  /**
   * Approve `item`. A policy version takes `effectiveFrom` (YYYY-MM-DD, the first day it decides;
   * absent: the API's default, the next month's first day), `confirmRetier` (the approver means a day
   * that re-tiers a month under way or already judged) and `simulationJobId` (the simulation they were
   * shown, which the trail records). Resolves to the decision, or undefined when it was refused (see `refusals`).
   */
  approve(item: ApprovalItem, options: PolicyApprovalOptions & { readonly note?: string } = {}): Promise<Decided | undefined> {
    const { note, ...policy } = options;
    return this.#decide(item, 'approve', note, policy);
  }

  /** Reject `item`; the API requires a note saying why. */
  reject(item: ApprovalItem, note: string): Promise<Decided | undefined> {
    return this.#decide(item, 'reject', note, {});
  }

  /** Withdraw a retirement the caller asked for (`kind: retirement`): only its asker may; it leaves the queue. */
  withdraw(item: ApprovalItem): Promise<Decided | undefined> {
    return this.#decide(item, 'withdraw', undefined, {});
  }

  async #decide(item: ApprovalItem, action: Decided['action'], note: string | undefined, policy: PolicyApprovalOptions) {
    const key = approvalKey(item);
    const text = note?.trim() || undefined;
    if (action === 'reject' && text === undefined) {
      const refusal: KitError = { status: 400, type: REJECT_NOTE_REQUIRED, title: 'a note saying why is required to reject' };
      this.set((prev) => ({ refusals: { ...prev.refusals, [key]: refusal } }));
      return undefined;
    }
    this.set((prev) => ({ deciding: { ...prev.deciding, [key]: true }, refusals: without(prev.refusals, key) }));
    const answer = await this.run(
      `decide:${key}`,
      (signal) => this.#send(item, action, text, policy, signal),
      (error) => this.set((prev) => ({ deciding: without(prev.deciding, key), refusals: { ...prev.refusals, [key]: error } })),
    );
    if (answer === undefined) return undefined;
    const decided: Decided = {
      key,
      item,
      action,
      ...(item.kind === 'policy' && action === 'approve' ? { activation: activationOf(answer as PolicyApprovalAnswer) } : {}),
    };
    this.#client.invalidate('/v1/approvals');
    this.set((prev) => {
      const items = prev.items.filter((i) => approvalKey(i) !== key);
      return {
        items,
        empty: prev.status === 'ready' && items.length === 0 && prev.nextCursor === null,
        deciding: without(prev.deciding, key),
        decided: [decided, ...prev.decided],
      };
    });
    return decided;
  }

  #send(item: ApprovalItem, action: Decided['action'], note: string | undefined, policy: PolicyApprovalOptions, signal: AbortSignal) {
    const http = this.#client.http;
    const hash = { contentHash: item.contentHash, ...(note !== undefined ? { note } : {}) };
    const subjectReads = item.subject ? [`/v1/subjects/${enc(item.subject)}/`, '/v1/subjects?', '/v1/matrix/'] : [];
    if (item.kind === 'override')
      return http.send<unknown>('POST', `/v1/overrides/${enc(item.id)}/${action}`, hash, {
        signal,
        forget: ['/v1/overrides', ...subjectReads],
      });
    if (item.kind === 'staff')
      return http.send<unknown>('POST', `/v1/staff-grants/${enc(item.id)}/${action}`, hash, { signal, forget: ['/v1/staff'] });
    if (item.kind === 'metric-audience')
      return http.send<unknown>('POST', `/v1/metric-audience-requests/${enc(item.id)}/${action}`, hash, {
        signal,
        forget: ['/v1/metrics', '/v1/metric-audience-requests'],
      });
    // A closing dated far back (closing-requests): approved, the customer is closed; withdrawn by its asker with no more to say.
    if (item.kind === 'closing')
      return http.send<unknown>('POST', `/v1/closing-requests/${enc(item.id)}/${action}`, action === 'withdraw' ? {} : hash, {
        signal,
        forget: subjectReads,
      });
    if (item.kind === 'level')
      return http.send<unknown>('POST', `/v1/subjects/${enc(item.subject ?? '')}/levels/${enc(item.scheme)}/${action}`, hash, {
        signal,
        forget: subjectReads,
      });
    const at = item.id.lastIndexOf('@');
    const version = `/v1/policies/${enc(item.id.slice(0, at))}/versions/${enc(item.id.slice(at + 1))}`;
    const forget = ['/v1/policies', '/v1/subjects', '/v1/matrix/', '/v1/jobs'];
    // A retirement is decided by the version's hash of the request; withdrawn by its asker with no more to say.
    if (item.kind === 'retirement')
      return http.send<unknown>('POST', `${version}/retirement/${action}`, action === 'withdraw' ? {} : hash, { signal, forget });
    const path = `${version}/${action}`;
    return action === 'approve'
      ? http.send<PolicyApprovalAnswer>(
          'POST',
          path,
          {
            ...hash,
            ...(policy.effectiveFrom ? { effectiveFrom: policy.effectiveFrom } : {}),
            ...(policy.confirmRetier ? { confirmRetier: true } : {}),
            ...(policy.simulationJobId ? { simulationJobId: policy.simulationJobId } : {}),
          },
          { signal, forget },
        )
      : http.send<unknown>('POST', path, hash, { signal, forget });
  }
}

function without<T>(map: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  const { [key]: _gone, ...rest } = map;
  return rest;
}
