import {
  alreadyPending,
  changedMeanwhile,
  hasRole,
  isBookScoped,
  mayWithdrawOverride,
  type Override,
  type Overrides,
  type OverrideStatus,
} from '@tierkit/admin';
import type { Session } from '@tierkit/client';
import { ERASURE_ACTOR } from '@tierkit/core/wire';
import { html, nothing } from 'lit';
import type { ConsoleLocale } from '../words.js';
import { formatInstant as bankTime } from '../time.js';
import { OVERRIDE_WORDS } from './overrides.words.js';
import { sayCheck, whyFailed } from '../why-failed.js';
import { refocus } from '../keep-focus.js';
import { type SchemeNames, schemeNames } from '../scheme-names.js';
import { personActor } from '../staff-name.js';

/** Every status an override list filters by, in the order the filter offers them. */
export const OVERRIDE_STATUSES: readonly OverrideStatus[] = ['pending', 'approved', 'expired', 'rejected', 'withdrawn', 'revoked'];

/*
 * One override as a row of a list, with what the signed-in person may do to it: withdraw it while
 * pending when the API says they may (its requester, or the RM a customer moved to); tenant-wide
 * approvers may revoke it while in force. The API decides anyway.
 */

/**
 * An override's status in words: one its customer's erasure ended reads so, not as revoked by someone
 * (no approver did, and the erasure left no note).
 */
export function statusWords(o: Override, locale: ConsoleLocale): string {
  const w = OVERRIDE_WORDS[locale];
  if (o.status === 'revoked' && o.revokedBy === ERASURE_ACTOR) return w.erasedEnded;
  return w.statuses[o.status] ?? o.status;
}

/** The kit's `mayWithdrawOverride`: the API's `mayWithdraw` for the signed-in person. */
export const mayWithdraw = (o: Override, s: Session) => mayWithdrawOverride(o, s);
export const mayRevoke = (o: Override, s: Session) => o.status === 'approved' && hasRole(s, 'approver') && !isBookScoped(s);

/** Scheme and level names in the reader's language where the scheme is known; the keys otherwise. */
export function namesOf(store: Overrides, locale: ConsoleLocale): SchemeNames {
  return schemeNames(store.state.schemes, locale);
}

/** The list's state as one live sentence; `count` adds how many are shown once it is ready. */
export function listStatus(store: Overrides, locale: ConsoleLocale, count: boolean): string {
  const w = OVERRIDE_WORDS[locale];
  const s = store.state;
  if (s.status === 'loading') return w.loading;
  if (s.status === 'error') return `${w.failed}: ${whyFailed(s.error, locale)}`;
  if (s.empty) return w.none;
  return s.status === 'ready' && count ? w.shown(s.items.length, s.nextCursor !== null) : '';
}

/** The fields the request form shows their errors beside. */
const FORM_FIELDS: ReadonlySet<string> = new Set(['scheme', 'level', 'mode', 'reason', 'expiresAt']);

/** The store's outcome as one live sentence: saving, refused (with why), or done. */
export function outcome(store: Overrides, locale: ConsoleLocale): string {
  const w = OVERRIDE_WORDS[locale];
  const s = store.state;
  if (s.saving) return w.saving;
  // One already pending: said in the console's words by the refusal's kind, with the one in the way
  // (the API's detail is English, and names it by id).
  const blocked = alreadyPending(s);
  if (blocked) {
    const p = blocked.pending;
    const about = p && {
      level: namesOf(store, locale).levelName(p.scheme, p.level),
      by: p.requestedBy,
      yours: p.requestedByYou === true,
    };
    return `${w.refused}: ${w.alreadyPending(about)}`;
  }
  // Decided, withdrawn or expired meanwhile: said with its status now, not the API's English. The list
  // is said to be read again only when that read succeeded.
  const changed = changedMeanwhile(s);
  if (changed) {
    const reread = s.status === 'ready';
    if (changed.retry) return `${w.refused}: ${w.changedRetry(reread)}`;
    const status = changed.override && (w.statuses[changed.override.status] ?? changed.override.status);
    return `${w.refused}: ${w.changedMeanwhile(status, reread)}`;
  }
  if (s.actionError) return `${w.refused}: ${whyFailed(s.actionError, locale)}`;
  if (Object.keys(s.fieldErrors).length) {
    // Fields the request form marks beside themselves; any other (the revoke note, "change something")
    // is said here, or the person would be told to correct a field that is not marked.
    const elsewhere = Object.entries(s.fieldErrors)
      .filter(([field]) => !FORM_FIELDS.has(field))
      .map(([, check]) => sayCheck(check, w.checks, locale));
    return elsewhere.length ? elsewhere.join(locale === 'en' ? '; ' : '；') : w.fix;
  }
  if (s.done) return { request: w.requested, edit: w.edited, withdraw: w.withdrawn, revoke: w.revoked }[s.done.action] ?? '';
  return '';
}

function revokeForm(store: Overrides, o: Override, locale: ConsoleLocale) {
  const w = OVERRIDE_WORDS[locale];
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const input = form.elements.namedItem('note') as HTMLInputElement;
    const page = form.ownerDocument;
    const ok = await store.revoke(o.id, input.value);
    // Revoked, the row's form is gone: focus goes to the outcome. Refused for the note, back to the
    // note; any other refusal is said in the outcome too.
    if (!ok && store.state.fieldErrors.note && input.isConnected) input.focus();
    else await refocus(null, () => page.querySelector('[data-testid="override-outcome"]'));
  };
  return html`<form class="overrides-revoke" @submit=${submit}>
    <label>${w.revokeNote} <input name="note" required maxlength="1000" autocomplete="off"></label>
    <button type="submit" data-action="revoke" ?disabled=${store.state.saving}>${w.revoke}</button>
  </form>`;
}

/** Withdraw; the button goes with the pending state, so focus goes on to the outcome. */
async function withdraw(store: Overrides, o: Override, e: Event): Promise<void> {
  const page = (e.target as HTMLElement).ownerDocument;
  await store.withdraw(o.id);
  await refocus(null, () => page.querySelector('[data-testid="override-outcome"]'));
}

/** The actions cell of one override. */
export function overrideActions(store: Overrides, o: Override, session: Session, locale: ConsoleLocale) {
  const w = OVERRIDE_WORDS[locale];
  return html`${
    mayWithdraw(o, session)
      ? html`<button type="button" data-action="withdraw" ?disabled=${store.state.saving} @click=${(e: Event) => withdraw(store, o, e)}>${w.withdraw}</button>`
      : nothing
  }${mayRevoke(o, session) ? revokeForm(store, o, locale) : nothing}`;
}

/** A table of overrides; `withSubject` adds the customer column (the tenant-wide list). */
export function overrideTable(
  store: Overrides,
  session: Session,
  locale: ConsoleLocale,
  options: { readonly withSubject: boolean; readonly follow?: (o: Override) => void },
) {
  const w = OVERRIDE_WORDS[locale];
  const items = store.state.items;
  if (!items.length) return nothing;
  const { schemeName, levelName } = namesOf(store, locale);
  // Narrower than its columns need (the customer detail's half of the page, a phone, 200% zoom), each
  // row stacks as label and value inside its card (console.css): the Withdraw button stays in view. The
  // roles keep it a table for screen readers, which drop a table's semantics once its display changes.
  return html`<table class="overrides-table" role="table">
    <thead role="rowgroup"><tr role="row">
      ${options.withSubject ? html`<th scope="col" role="columnheader">${w.subject}</th>` : nothing}
      <th scope="col" role="columnheader">${w.scheme}</th><th scope="col" role="columnheader">${w.level}</th>
      <th scope="col" role="columnheader">${w.mode}</th><th scope="col" role="columnheader">${w.status}</th>
      <th scope="col" role="columnheader">${w.reasonColumn}</th><th scope="col" role="columnheader">${w.requestedBy}</th>
      <th scope="col" role="columnheader">${w.expiresAt}</th><th scope="col" role="columnheader">${w.actions}</th>
    </tr></thead>
    <tbody role="rowgroup">
      ${items.map(
        (o) => html`<tr role="row" data-override=${o.id}>
          ${
            options.withSubject
              ? html`<td role="cell" data-label=${w.subject}>${o.subject}${o.subjectName ? html` <span class="subject-name">${o.subjectName}</span>` : nothing}</td>`
              : nothing
          }
          <td role="cell" data-label=${w.scheme}>${schemeName(o.scheme)}</td>
          <td role="cell" data-label=${w.level}>${levelName(o.scheme, o.level)}</td>
          <td role="cell" data-label=${w.mode}>${w.modes[o.mode] ?? o.mode}</td>
          <td role="cell" data-label=${w.status} data-testid="override-status">${statusWords(o, locale)}</td>
          <td role="cell" data-label=${w.reasonColumn}>${o.reason}</td>
          <td role="cell" data-label=${w.requestedBy} data-testid="override-requester"><admin-staff-name .actor=${personActor(o.requestedBy, o.requestedByStaff)}></admin-staff-name></td>
          <td role="cell" data-label=${w.expiresAt}>${o.expiresAt ? bankTime(o.expiresAt, locale) : w.untilRevoked}</td>
          <td role="cell" data-label=${w.actions}>
            ${
              options.follow
                ? html`<button type="button" data-action="follow" aria-label="${w.follow} ${o.id}" @click=${() => options.follow?.(o)}>${w.follow}</button>`
                : nothing
            }
            ${overrideActions(store, o, session, locale)}
          </td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}
