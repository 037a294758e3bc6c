import { type HttpTierkitClient, query, type Session } from '@tierkit/client';
import type { SchemeSummary } from '@tierkit/core';
// Not the core's main entry: its validator (zod) would follow it into every page of a console (esbuild's chunks).
import { mayRequestOverride, OVERRIDE_MODES, overrideRuleOf } from '@tierkit/core/wire';
import { apiFieldErrors, type CheckData, type FieldCheck, fieldCheck } from './checks.js';
import { CursorList, type CursorListState, emptyList } from './cursor-list.js';
import type { KitError } from './kit-store.js';
import { filedBySession, hasRole, isBookScoped } from './session.js';
import type { Override, OverrideEdit, OverrideList, OverrideRequest, OverrideStatus, OverrideWithDecisions } from './overrides-types.js';
import { readSchemes } from './schemes.js';

/**
 * What the list shows: a status (`approved` = in force now, `expired` = approved, past its expiry), a
 * scheme, and `mine`: only the signed-in person's own requests (the API's `requestedBy=me`, by person as
 * four eyes counts them), within what they may read (a relationship manager's book).
 */
export interface OverrideFilter {
  readonly status?: OverrideStatus;
  readonly scheme?: string;
  readonly mine?: boolean;
  /**
   * Only those in force now that end before this day (`YYYY-MM-DD`, the bank's) begins: the tenant's
   * list only (the API's `expiresBefore`), what an RM renews or lets lapse this month.
   */
  readonly expiresBefore?: string;
  /** `expiresAt`: soonest expiry first (the API's `sort`), the order an RM works an expiring list in; newest first otherwise. */
  readonly sort?: 'expiresAt';
}

/** What the kit reads of an override to decide what to offer (the caller fields are absent from an older API). */
type OfferedOverride = Pick<Override, 'status' | 'requestedBy'> & {
  readonly requestedByYou?: boolean;
  readonly mayEdit?: boolean;
  readonly mayWithdraw?: boolean;
};

/**
 * Whether to offer `session` to withdraw `o`: the API's `mayWithdraw`, computed for the caller — their
 * own pending request, or one a relationship manager filed for a customer now in the caller's book.
 * From an API without it: a pending request they filed (`requestedByYou`, or `requestedBy` against
 * their credential) and a role that may withdraw (officer or above, a relationship manager too).
 */
export function mayWithdrawOverride(o: OfferedOverride, session: Session | undefined): boolean {
  if (o.mayWithdraw !== undefined) return o.mayWithdraw;
  return o.status === 'pending' && hasRole(session, 'officer') && filedBySession(o, session);
}

/**
 * Whether to offer `session` to edit `o`: the API's `mayEdit` (their own pending request, not past its
 * expiry); from an API without it, as {@link mayWithdrawOverride} reads the older API. Editing stays
 * the requester's: an RM who took over a customer may withdraw its request, not rewrite it.
 */
export function mayEditOverride(o: OfferedOverride, session: Session | undefined): boolean {
  if (o.mayEdit !== undefined) return o.mayEdit;
  return o.status === 'pending' && hasRole(session, 'officer') && filedBySession(o, session);
}

/** The API's problem types a write on an override is refused with for the state of things (409). */
const CONFLICT = 'https://tierkit.dev/problems/conflict';
const CONTENT_CHANGED = 'https://tierkit.dev/problems/content-changed';

/** The refusal `state` holds, when it is a 409 of `type` about the customer listed now (not one left before). */
function refusedNow(state: OverridesState, type: string): OverrideRefusal | undefined {
  const refused = state.refused;
  if (refused === undefined || state.actionError?.status !== 409 || state.actionError.type !== type) return undefined;
  return refused.subject === state.subject ? refused : undefined;
}

/**
 * A request refused because the subject already has one pending in its scheme (the API's 409
 * `conflict` on a request): true, and the pending one when the list, read again after the refusal,
 * shows it (someone else may have filed it meanwhile; `requestedByYou` says when it is the caller's
 * own, to edit or withdraw). A host words the refusal by this, not by the API's English detail.
 */
export function alreadyPending(state: OverridesState): { readonly pending: Override | undefined } | undefined {
  const refused = refusedNow(state, CONFLICT);
  if (refused?.action !== 'request') return undefined;
  return {
    pending: state.items.find((o) => o.status === 'pending' && o.scheme === refused.scheme && o.subject === refused.subject),
  };
}

/** The status an edit, withdrawal or revocation needs the override in. */
const NEEDS: Readonly<Record<Exclude<OverrideAction, 'request'>, Override['status']>> = {
  edit: 'pending',
  withdraw: 'pending',
  revoke: 'approved',
};

/**
 * An edit, withdrawal or revocation refused because the override changed meanwhile (the API's 409
 * `conflict`: decided, withdrawn or expired; or `content-changed`: edited or decided while the write
 * ran): the override as the list (or the followed one), read again after the refusal, now shows it,
 * and `retry` when it is still in the state the action needs — read it again and try once more.
 */
export function changedMeanwhile(state: OverridesState): { readonly override: Override | undefined; readonly retry: boolean } | undefined {
  const refused = refusedNow(state, CONFLICT) ?? refusedNow(state, CONTENT_CHANGED);
  if (refused === undefined || refused.action === 'request') return undefined;
  const override = state.items.find((o) => o.id === refused.id) ?? (state.current?.id === refused.id ? state.current : undefined);
  return { override, retry: override === undefined || override.status === NEEDS[refused.action] };
}

/**
 * Field → what is wrong with it (`reason`, `expiresAt`, `level`, …), from the form's check (with a
 * code of {@link OVERRIDE_CHECKS}) or the API's 400 (no code, the API's message).
 */
export type FieldErrors = Readonly<Record<string, FieldCheck<OverrideCheck>>>;

export interface OverridesState extends CursorListState<Override> {
  /** The subject whose overrides are listed (external id); undefined: the whole tenant's. */
  readonly subject: string | undefined;
  readonly filter: OverrideFilter;
  /** The schemes a request may name, with their levels (loaded by `loadSchemes`). */
  readonly schemes: readonly SchemeSummary[];
  /** The override followed with `follow`, and every decision on it. */
  readonly current: OverrideWithDecisions | undefined;
  /** A write in flight (request, edit, withdraw, revoke). */
  readonly saving: boolean;
  /** Why the last write's fields were refused, before sending or by the API. */
  readonly fieldErrors: FieldErrors;
  /** Why the last write was refused as a whole (403, 404, 409 …). */
  readonly actionError: KitError | undefined;
  /** The write `actionError` refused (see {@link alreadyPending}, {@link changedMeanwhile}). */
  readonly refused: OverrideRefusal | undefined;
  /** The last write that succeeded: what it did, and the override as it now is. */
  readonly done: { readonly action: OverrideAction; readonly override: Override } | undefined;
}

export type OverrideAction = 'request' | 'edit' | 'withdraw' | 'revoke';

/**
 * A write refused: what it was, the customer listed when it was sent (a late answer must not be read
 * as about the one listed now), for a request the scheme it named, otherwise the override's id.
 */
export interface OverrideRefusal {
  readonly action: OverrideAction;
  readonly subject: string | undefined;
  readonly scheme?: string;
  readonly id?: string;
}

type Client = Pick<HttpTierkitClient, 'http' | 'invalidate'>;

const enc = encodeURIComponent;
const KEY = /^[a-z0-9][a-z0-9_.-]*$/i;

/** The most characters an override's reason may have (the API's limit too). */
export const REASON_MAX = 1000;

/**
 * The kit's own checks of an override form, by code, with their default words (English). A host
 * words each code itself (`fieldErrors[field].code`, and `max` for `reason-too-long`); the API's own
 * refusals carry no code.
 */
export const OVERRIDE_CHECKS = {
  'choose-scheme': () => 'choose a scheme',
  'choose-level': () => 'choose a level',
  'not-a-level': () => 'not a level of this scheme',
  'choose-mode': () => 'fixed or floor',
  'reason-required': () => 'a reason is required',
  'reason-too-long': ({ max }: CheckData) => `at most ${max} characters`,
  'not-a-date': () => 'not a date',
  'expiry-past': () => 'must be in the future',
  'revoke-note': () => 'say why it is revoked',
  'no-subject': () => 'open a subject first',
  'no-change': () => 'change at least one field',
} as const satisfies Record<string, (data: CheckData) => string>;

export type OverrideCheck = keyof typeof OVERRIDE_CHECKS;

const check = (code: OverrideCheck, data?: CheckData) => fieldCheck(OVERRIDE_CHECKS, code, data);

/**
 * The schemes `session` may file an override of, by each scheme's rule in its policy (`overrides`): a
 * relationship manager is not offered a scheme only tenant-wide staff may request (AML, credit in the
 * default pack), nobody one that takes no overrides. The rule is the API's own (core), so the form
 * offers what the API accepts; the API still decides each request.
 */
export function requestableSchemes<S extends SchemeSummary>(schemes: readonly S[], session: Session | undefined): S[] {
  if (!session) return [];
  const caller = { role: session.role, bookScoped: isBookScoped(session) };
  return schemes.filter((s) => mayRequestOverride(overrideRuleOf(s), caller));
}

/**
 * What the API would refuse in a request (or an edit's fields), said before it is sent: a reason, a
 * level of the scheme, an expiry in the future. The API checks again; this only saves a round trip.
 */
export function checkOverrideRequest(r: Partial<OverrideRequest>, schemes: readonly SchemeSummary[], now: Date, edit = false): FieldErrors {
  const errors: Record<string, FieldCheck<OverrideCheck>> = {};
  if (!edit || r.scheme !== undefined) {
    if (!r.scheme || !KEY.test(r.scheme)) errors.scheme = check('choose-scheme');
  }
  const scheme = schemes.find((s) => s.key === r.scheme);
  if (!edit || r.level !== undefined) {
    if (!r.level) errors.level = check('choose-level');
    else if (scheme && !scheme.levels.some((l) => l.key === r.level)) errors.level = check('not-a-level');
  }
  if ((!edit || r.mode !== undefined) && !(OVERRIDE_MODES as readonly string[]).includes(r.mode ?? '')) errors.mode = check('choose-mode');
  if (!edit || r.reason !== undefined) {
    const reason = r.reason?.trim() ?? '';
    if (!reason) errors.reason = check('reason-required');
    else if (reason.length > REASON_MAX) errors.reason = check('reason-too-long', { max: REASON_MAX });
  }
  if (r.expiresAt !== undefined && r.expiresAt !== null) {
    const at = Date.parse(r.expiresAt);
    if (Number.isNaN(at)) errors.expiresAt = check('not-a-date');
    else if (at <= now.getTime()) errors.expiresAt = check('expiry-past');
  }
  return errors;
}

/**
 * Override requests: one subject's (the relationship manager's customer) or the tenant's, filtered
 * and paged with the API's cursors; one followed with its decisions; and the writes a requester or
 * approver makes — request, edit while pending, withdraw, revoke. Approving and rejecting belong to
 * the approvals queue. Every write forgets the lists and the subject's tiers it makes stale.
 */
export class Overrides extends CursorList<Override, OverridesState> {
  readonly #client: Client;
  readonly #pageSize: number;
  readonly #now: () => Date;

  constructor(client: Client, options: { readonly pageSize?: number; readonly now?: () => Date } = {}) {
    super({
      ...emptyList<Override>(),
      subject: undefined,
      filter: {},
      schemes: [],
      current: undefined,
      saving: false,
      fieldErrors: {},
      actionError: undefined,
      refused: undefined,
      done: undefined,
    });
    this.#client = client;
    this.#pageSize = options.pageSize ?? 20;
    this.#now = options.now ?? (() => new Date());
  }

  #listPath(cursor?: string): string {
    const { subject, filter } = this.state;
    const base = subject === undefined ? '/v1/overrides' : `/v1/subjects/${enc(subject)}/overrides`;
    return `${base}${query({ status: filter.status, scheme: filter.scheme, requestedBy: filter.mine ? 'me' : undefined, expiresBefore: filter.expiresBefore, sort: filter.sort, limit: this.#pageSize, cursor })}`;
  }

  /** List `subject`'s overrides (undefined: the tenant's) with `filter`, from the first page. */
  open(subject: string | undefined, filter: OverrideFilter = {}): Promise<void> {
    if (subject !== this.state.subject) {
      // A write in flight was about the customer listed before: its answer must not land on this one.
      this.cancel('write');
      this.set({ current: undefined, saving: false, done: undefined, fieldErrors: {}, actionError: undefined, refused: undefined });
    }
    this.set({ subject, filter });
    return this.load();
  }

  /** Change the filter and load its first page. */
  setFilter(filter: OverrideFilter): Promise<void> {
    this.set({ filter });
    return this.load();
  }

  protected page(cursor: string | undefined, signal: AbortSignal): Promise<OverrideList> {
    return this.#client.http.get<OverrideList>(this.#listPath(cursor), { signal });
  }

  protected keyOf(override: Override): string {
    return override.id;
  }

  /** The list again, past the client's cache. */
  refresh(): Promise<void> {
    this.#forgetLists();
    return this.load();
  }

  /** The schemes a request may name and their levels (for the form's choices and its check). */
  async loadSchemes(): Promise<void> {
    const res = await this.run(
      'schemes',
      (signal) => readSchemes(this.#client, signal),
      (error) => this.set({ error }),
    );
    if (res) this.set({ schemes: res });
  }

  /** Show one override and its decisions (`GET /v1/overrides/{id}`), past the cache. */
  async follow(id: string): Promise<void> {
    this.#client.invalidate(`/v1/overrides/${enc(id)}`);
    const o = await this.run(
      'follow',
      (signal) => this.#client.http.get<OverrideWithDecisions>(`/v1/overrides/${enc(id)}`, { signal }),
      (actionError) => this.set({ actionError }),
    );
    if (o) this.set({ current: o, actionError: undefined });
  }

  /** The followed override read again after a refusal: a failure to read it leaves the refusal said. */
  async #followAgain(id: string): Promise<void> {
    this.#client.invalidate(`/v1/overrides/${enc(id)}`);
    const o = await this.run(
      'follow',
      (signal) => this.#client.http.get<OverrideWithDecisions>(`/v1/overrides/${enc(id)}`, { signal }),
      () => undefined,
    );
    if (o) this.set((prev) => (prev.current?.id === id ? { current: o } : {}));
  }

  /** Stop following. */
  unfollow(): void {
    this.cancel('follow');
    this.set({ current: undefined });
  }

  /** Request an override for the listed subject; checked here first, then by the API. */
  request(r: OverrideRequest): Promise<boolean> {
    const subject = this.state.subject;
    if (subject === undefined) return Promise.resolve(this.#refuse({ subject: check('no-subject') }));
    const body: OverrideRequest = { ...r, reason: r.reason.trim() };
    const errors = checkOverrideRequest(body, this.state.schemes, this.#now());
    if (Object.keys(errors).length) return Promise.resolve(this.#refuse(errors));
    return this.#write(
      'request',
      (signal) => this.#client.http.send<Override>('POST', `/v1/subjects/${enc(subject)}/overrides`, body, { signal }),
      { scheme: body.scheme },
    );
  }

  /** Change a pending request (its requester only: `mayEditOverride`); the approvers must review it again. */
  edit(id: string, patch: OverrideEdit): Promise<boolean> {
    const scheme = this.state.items.find((o) => o.id === id)?.scheme ?? this.state.current?.scheme;
    const errors = {
      ...checkOverrideRequest({ ...patch, ...(scheme !== undefined ? { scheme } : {}) }, this.state.schemes, this.#now(), true),
      ...(Object.keys(patch).length === 0 ? { form: check('no-change') } : {}),
    };
    if (Object.keys(errors).length) return Promise.resolve(this.#refuse(errors));
    return this.#write('edit', (signal) => this.#client.http.send<Override>('PATCH', `/v1/overrides/${enc(id)}`, patch, { signal }), {
      id,
    });
  }

  /** Take back a pending request (its requester, or the RM now holding the customer: `mayWithdrawOverride`). */
  withdraw(id: string, note?: string): Promise<boolean> {
    const body = note?.trim() ? { note: note.trim() } : {};
    return this.#write(
      'withdraw',
      (signal) => this.#client.http.send<Override>('POST', `/v1/overrides/${enc(id)}/withdraw`, body, { signal }),
      { id },
    );
  }

  /** End an approved override (approvers), saying why. */
  revoke(id: string, note: string): Promise<boolean> {
    if (!note.trim()) return Promise.resolve(this.#refuse({ note: check('revoke-note') }));
    return this.#write(
      'revoke',
      (signal) => this.#client.http.send<Override>('POST', `/v1/overrides/${enc(id)}/revoke`, { note: note.trim() }, { signal }),
      { id },
    );
  }

  #refuse(fieldErrors: FieldErrors): false {
    this.set({ fieldErrors, actionError: undefined, refused: undefined, done: undefined });
    return false;
  }

  #forgetLists(): void {
    this.#client.invalidate('/v1/overrides');
    const subject = this.state.subject;
    if (subject !== undefined) this.#client.invalidate(`/v1/subjects/${enc(subject)}/`);
  }

  async #write(
    action: OverrideAction,
    send: (signal: AbortSignal) => Promise<Override>,
    about: { readonly scheme?: string; readonly id?: string },
  ): Promise<boolean> {
    this.set({ saving: true, fieldErrors: {}, actionError: undefined, refused: undefined, done: undefined });
    const subject = this.state.subject;
    let fields: FieldErrors = {};
    const o = await this.run(
      'write',
      (signal) =>
        send(signal).catch((err: unknown) => {
          fields = apiFieldErrors<OverrideCheck>(err);
          throw err;
        }),
      (actionError) => this.set({ saving: false, actionError, fieldErrors: fields, refused: { action, subject, ...about } }),
    );
    if (!o) {
      // Refused for the state of things (a request already pending, one decided meanwhile): the list
      // again, past the cache, so it shows what the refusal is about and what may be done with it.
      if (this.state.actionError?.status === 409) {
        this.#forgetLists();
        // The override refused, when followed, too: its detail must not stay as it was (the refusal stays).
        const followed = this.state.current?.id;
        await Promise.all([this.load(), followed !== undefined && followed === about.id ? this.#followAgain(followed) : undefined]);
      }
      return false;
    }
    // An override changes the subject's tiers (once approved), the lists and the approvals queue.
    this.#forgetLists();
    this.#client.invalidate(`/v1/subjects/${enc(o.subject)}/`);
    this.#client.invalidate('/v1/approvals');
    this.set((prev) => ({
      saving: false,
      done: { action, override: o },
      current: prev.current?.id === o.id ? { ...prev.current, ...o } : prev.current,
    }));
    await this.load();
    return true;
  }
}
