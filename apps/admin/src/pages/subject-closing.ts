import { CLOSING_REASON_MAX, type ClosingAction, SubjectClosing, whyNoClosing } from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import type { SubjectRef } from '@tierkit/core';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { client } from '../console-client.js';
import { ModalDialog } from '../modal-dialog.js';
import type { PageContext } from '../page.js';
import { bankTimeZone, formatBankTime, formatInstant } from '../time.js';
import { refusedForFinalMonth, sayCheck, whyFailed } from '../why-failed.js';
import { CLOSING_WORDS } from './closing.words.js';
import { closingUnapprovedNote, closingWaitingNote } from './closing-waiting.js';

/** Fired (bubbling) after a closing or reopening the API recorded: the page reads the customer and its list again. */
export class ClosingDoneEvent extends Event {
  constructor(
    readonly action: ClosingAction,
    readonly subject: SubjectRef,
  ) {
    super('closing-done', { bubbles: true, composed: true });
  }
}

/**
 * Closing a customer who left the bank (销户), or taking the closing back, on the customer's detail:
 * the action for tenant-wide staff (officer and above; for others, why not), and a modal dialog — the
 * reason and an optional time in the bank's zone, then a confirmation saying what closing does. The
 * console's modal dialog (modal-dialog.ts): the rest of the page is inert while it is open (focus stays
 * in it), Escape closes it, and focus goes back to the button that opened it. All state is the kit's
 * SubjectClosing.
 */
export class SubjectClosingAction extends LitElement {
  static override properties = { ctx: { attribute: false }, subject: { attribute: false } };

  declare ctx: PageContext | undefined;
  /** The customer as the detail read it; undefined while it loads. */
  declare subject: SubjectRef | undefined;

  readonly #closing = new StoreController(this, new SubjectClosing(client, { timeZone: bankTimeZone }));
  readonly #modal = new ModalDialog(this, {
    isOpen: () => this.#closing.state.action !== undefined,
    busy: () => this.#closing.state.phase === 'saving',
    close: () => this.#closing.store.dismiss(),
    fallback: () => this.querySelector('[data-testid="closing-action"]'),
    first: 'textarea',
  });

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#closing.store.cancel();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('subject') && this.subject) this.#closing.store.open(this.subject, this.ctx?.session);
  }

  #begin(action: ClosingAction, e: Event): void {
    this.#modal.opening(e);
    this.#closing.store.begin(action);
  }

  async #review(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement).value;
    // A half-typed time reads as '': only the browser's badInput tells it from an empty field (now).
    const atUnreadable = (form.elements.namedItem('at') as HTMLInputElement).validity.badInput;
    const late = (form.elements.namedItem('late') as HTMLInputElement).checked;
    this.#closing.store.review({ reason: value('reason'), at: value('at'), atUnreadable, late });
    await this.#modal.focus(this.#closing.state.phase === 'confirming' ? '#closing-confirm-h' : 'dialog [aria-invalid="true"]');
  }

  async #edit(): Promise<void> {
    this.#closing.store.edit();
    await this.#modal.focus('dialog textarea');
  }

  async #confirm(): Promise<void> {
    await this.#closing.store.confirm();
    await this.#after();
  }

  async #reopen(e: Event): Promise<void> {
    e.preventDefault();
    const note = ((e.target as HTMLFormElement).elements.namedItem('note') as HTMLTextAreaElement).value;
    await this.#closing.store.reopen(note);
    await this.#after();
  }

  /** After a write: on success the dialog closes and the outcome takes focus; otherwise what went wrong does. */
  async #after(): Promise<void> {
    const s = this.#closing.state;
    if (s.conflict && this.subject) this.dispatchEvent(new ClosingDoneEvent(s.conflict === 'closed' ? 'close' : 'reopen', this.subject));
    if (s.done) this.dispatchEvent(new ClosingDoneEvent(s.done.action, s.done.subject));
    await this.#modal.focus(
      s.done || s.filed
        ? '[data-testid="closing-outcome"]'
        : s.phase === 'editing'
          ? 'dialog [aria-invalid="true"]'
          : '[data-testid="closing-error"]',
    );
  }

  async #withdraw(): Promise<void> {
    const done = await this.#closing.store.withdrawWaiting();
    await this.updateComplete;
    this.querySelector<HTMLElement>(done ? '[data-testid="closing-action"]' : '[data-testid="closing-withdraw-error"]')?.focus();
  }

  #field(name: 'reason' | 'at' | 'note') {
    const check = this.#closing.state.fieldErrors[name];
    const locale = this.ctx?.locale ?? 'zh-CN';
    const said = check ? sayCheck(check, CLOSING_WORDS[locale].checks, locale) : undefined;
    // Refused for a final month and not said to be late: the person may have typed the real date of a
    // closing learnt late, so the way to record it is said where the refusal is.
    const suggestLate = name === 'at' && refusedForFinalMonth(check?.api) && !this.#closing.state.pending?.late;
    const error = said && suggestLate ? `${said} ${CLOSING_WORDS[locale].lateSuggest}` : said;
    return {
      invalid: error ? 'true' : 'false',
      error: error ? html`<span class="closing-error" id="closing-${name}-error" data-testid="field-error">${error}</span>` : nothing,
      describedBy: (hint: string) => (error ? `${hint} closing-${name}-error` : hint),
    };
  }

  #closeForm(id: string) {
    const w = CLOSING_WORDS[this.ctx?.locale ?? 'zh-CN'];
    const s = this.#closing.state;
    const reason = this.#field('reason');
    const at = this.#field('at');
    // The bank's now, to the minute: the latest a closing may be dated.
    const max = formatBankTime(new Date().toISOString()).replace(' ', 'T').slice(0, 16);
    const invalid = Object.keys(s.fieldErrors).length > 0;
    return html`<form method="dialog" @submit=${this.#review} novalidate ?hidden=${s.phase !== 'editing'}>
        <h2 id="closing-h">${w.closeTitle(id)}</h2>
        <p role="alert" class="closing-error" data-testid="closing-form-error">${invalid ? w.fixFields : ''}</p>
        <label>${w.reason}
          <textarea name="reason" rows="3" maxlength=${CLOSING_REASON_MAX} required aria-invalid=${reason.invalid}
            aria-describedby=${reason.describedBy('closing-reason-hint')}></textarea>
        </label>
        <span class="hint" id="closing-reason-hint">${w.reasonHint(CLOSING_REASON_MAX)}</span>${reason.error}
        <label>${w.at}
          <input name="at" type="datetime-local" max=${max} aria-invalid=${at.invalid} aria-describedby=${at.describedBy('closing-at-hint')}>
        </label>
        <span class="hint" id="closing-at-hint">${w.atHint(bankTimeZone())}</span>${at.error}
        <label class="closing-late"><input name="late" type="checkbox" data-testid="closing-late" aria-describedby="closing-late-hint">
          ${w.late}</label>
        <span class="hint" id="closing-late-hint">${w.lateHint}</span>
        <div class="closing-buttons">
          <button type="submit">${w.next}</button>
          <button type="button" @click=${() => this.#modal.dismiss()}>${w.cancel}</button>
        </div>
      </form>
      ${s.phase === 'confirming' || s.phase === 'saving' ? this.#confirmation() : s.phase === 'refused' ? this.#refusal() : nothing}`;
  }

  #confirmation() {
    const locale = this.ctx?.locale ?? 'zh-CN';
    const w = CLOSING_WORDS[locale];
    const s = this.#closing.state;
    const saving = s.phase === 'saving';
    return html`<div class="closing-confirm" data-testid="closing-confirm">
      <h2 id="closing-confirm-h" tabindex="-1">${w.confirmTitle}</h2>
      <p>${w.summary(s.pending?.at ? formatInstant(s.pending.at, locale) : w.now, s.pending?.reason ?? '')}</p>
      ${s.pending?.late ? html`<p data-testid="closing-late-summary">${w.lateSummary}</p>` : nothing}
      <ul>${w.effects.map((e) => html`<li>${e}</li>`)}</ul>
      <p class="hint">${w.keeps}</p>
      <p role="status" class="hint">${saving ? w.saving : ''}</p>
      <div class="closing-buttons">
        <button type="button" class="danger" data-testid="closing-confirm-button" aria-disabled=${saving ? 'true' : 'false'}
          @click=${() => (saving ? undefined : this.#confirm())}>${w.confirmClose}</button>
        <button type="button" ?disabled=${saving} @click=${() => this.#edit()}>${w.back}</button>
      </div>
    </div>`;
  }

  #reopenForm(id: string) {
    const w = CLOSING_WORDS[this.ctx?.locale ?? 'zh-CN'];
    const s = this.#closing.state;
    const note = this.#field('note');
    const saving = s.phase === 'saving';
    return html`<form method="dialog" @submit=${this.#reopen} novalidate>
      <h2 id="closing-h">${w.reopenTitle(id)}</h2>
      <p>${w.reopenHint}</p>
      <label>${w.note}
        <textarea name="note" rows="2" maxlength=${CLOSING_REASON_MAX} aria-invalid=${note.invalid}
          aria-describedby=${note.describedBy('closing-note-hint')}></textarea>
      </label>
      <span class="hint" id="closing-note-hint">${w.reasonHint(CLOSING_REASON_MAX)}</span>${note.error}
      <p role="status" class="hint">${saving ? w.saving : ''}</p>
      <div class="closing-buttons">
        <button type="submit" data-testid="closing-confirm-button" aria-disabled=${saving ? 'true' : 'false'}>${w.confirmReopen}</button>
        <button type="button" ?disabled=${saving} @click=${() => this.#modal.dismiss()}>${w.cancel}</button>
      </div>
    </form>`;
  }

  #refusal() {
    const locale = this.ctx?.locale ?? 'zh-CN';
    const w = CLOSING_WORDS[locale];
    const s = this.#closing.state;
    const says =
      s.conflict === 'closed'
        ? w.alreadyClosed
        : s.conflict === 'open'
          ? w.alreadyOpen
          : `${w.refused}: ${whyFailed(s.actionError, locale)}`;
    return html`<h2 id="closing-refused-h">${s.action === 'reopen' ? w.reopenTitle(s.subject ?? '') : w.closeTitle(s.subject ?? '')}</h2>
      ${this.#modal.refusal('closing-error', says, 'closing-error')}
      <div class="closing-buttons">
        ${s.action === 'close' && !s.conflict ? html`<button type="button" @click=${() => this.#edit()}>${w.back}</button>` : nothing}
        <button type="button" @click=${() => this.#modal.dismiss()}>${w.closeDialog}</button>
      </div>`;
  }

  override render() {
    if (!this.ctx) return nothing;
    const w = CLOSING_WORDS[this.ctx.locale];
    const s = this.#closing.state;
    const why = whyNoClosing(this.ctx.session);
    const current = this.subject !== undefined && this.subject.id === s.subject;
    const id = s.subject ?? '';
    const action: ClosingAction = s.closedAt === null ? 'close' : 'reopen';
    const outcome = s.filed ? w.filedDone : s.done ? (s.done.action === 'close' ? w.closedDone : w.reopenedDone) : '';
    return html`<div class="closing">
      ${
        why !== undefined
          ? html`<p class="hint" data-testid="closing-unavailable">${w.unavailable[why]}</p>`
          : s.waiting && s.closedAt === null
            ? // One waits already: a second would be refused (409); its maker may take it back.
              closingWaitingNote(s.waiting, this.ctx.locale, () => this.#withdraw(), s.withdrawError)
            : current
              ? html`<button type="button" data-testid="closing-action" data-action=${action} aria-haspopup="dialog"
                @click=${(e: Event) => this.#begin(action, e)}>${action === 'close' ? w.close : w.reopen}</button>`
              : nothing
      }
      ${s.unapproved && !s.waiting && s.closedAt === null && why === undefined ? closingUnapprovedNote(s.unapproved, this.ctx.locale) : nothing}
      <span role="status" class="hint" data-testid="closing-outcome" tabindex="-1">${outcome}</span>
      ${this.#modal.render(
        {
          className: 'closing-dialog',
          testid: 'closing-dialog',
          labelledBy:
            s.phase === 'confirming' || s.phase === 'saving'
              ? 'closing-confirm-h'
              : s.phase === 'refused'
                ? 'closing-refused-h'
                : 'closing-h',
        },
        s.action === undefined
          ? nothing
          : s.action === 'close'
            ? // The form stays (hidden) through confirming and a refusal: going back finds what was typed.
              this.#closeForm(id)
            : s.phase === 'refused'
              ? this.#refusal()
              : this.#reopenForm(id),
      )}
    </div>`;
  }
}

if (!customElements.get('admin-subject-closing')) customElements.define('admin-subject-closing', SubjectClosingAction);
