import { hasRole, Overrides, requestableSchemes } from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import type { OverrideMode, OverrideReasonCategory, SubjectKind } from '@tierkit/core';
import { overrideRuleOf } from '@tierkit/core/wire';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { client } from '../console-client.js';
import type { PageContext } from '../page.js';
import { bankTimeZone, bankToday, endOfBankDay } from '../time.js';
import { listStatus, outcome, overrideTable } from './override-items.js';
import { OVERRIDE_WORDS } from './overrides.words.js';
import { sayCheck } from '../why-failed.js';
import { moreButton, refocus } from '../keep-focus.js';

/**
 * A customer's overrides on the book page's detail: the list with each one's status, and for officers
 * and above (a relationship manager, for their own book) the request form
 * `form[data-testid="override-request"]`. Withdraw and revoke where the person may.
 */
export class SubjectOverrides extends LitElement {
  static override properties = {
    ctx: { attribute: false },
    subject: {},
    kind: {},
    scheme: { state: true },
  };

  declare ctx: PageContext | undefined;
  declare subject: string | undefined;
  declare kind: SubjectKind | undefined;
  /** The scheme picked in the form: its levels are offered. */
  declare scheme: string;

  readonly #overrides = new StoreController(this, new Overrides(client, { pageSize: 20 }));

  constructor() {
    super();
    this.scheme = '';
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.#overrides.state.schemes.length) void this.#overrides.store.loadSchemes();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#overrides.store.cancel();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('subject') && this.subject) void this.#overrides.store.open(this.subject);
    const schemes = this.#schemes();
    if (!schemes.some((s) => s.key === this.scheme)) this.scheme = schemes[0]?.key ?? '';
  }

  #schemes() {
    const ofKind = this.#overrides.state.schemes.filter((s) => this.kind === undefined || s.subjectKind === this.kind);
    return requestableSchemes(ofKind, this.ctx?.session);
  }

  async #request(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement).value;
    const day = value('expiresOn');
    const ok = await this.#overrides.store.request({
      scheme: value('scheme'),
      level: value('level'),
      mode: value('mode') as OverrideMode,
      reason: value('reason'),
      // Optional: what the request rests on and a document the checker can look up (docs/domain.md §4).
      ...(value('reasonCategory') ? { reasonCategory: value('reasonCategory') as OverrideReasonCategory } : {}),
      ...(value('evidence').trim() ? { evidence: value('evidence').trim() } : {}),
      expiresAt: day ? (endOfBankDay(day) ?? day) : null,
    });
    if (ok) form.reset();
    await this.updateComplete;
    // After a refusal for a field, that field; otherwise (success, or a refusal of the whole request: a
    // request already pending, a 403, the server down) the outcome, which says which. The button was
    // disabled while sending, which drops focus to the page's start.
    const marked = ok ? null : this.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (marked) marked.focus();
    else await refocus(null, () => this.querySelector('[data-testid="override-outcome"]'));
  }

  #field(name: string) {
    const check = this.#overrides.state.fieldErrors[name === 'expiresOn' ? 'expiresAt' : name];
    const error = check && this.ctx ? sayCheck(check, OVERRIDE_WORDS[this.ctx.locale].checks, this.ctx.locale) : undefined;
    return {
      invalid: error ? 'true' : 'false',
      error: error ? html`<span class="overrides-error" id="ovr-${name}-error" data-testid="field-error">${error}</span>` : nothing,
      describedBy: error ? `ovr-${name}-error` : undefined,
    };
  }

  #form() {
    if (!this.ctx) return nothing;
    const w = OVERRIDE_WORDS[this.ctx.locale];
    const schemes = this.#schemes();
    const chosen = schemes.find((s) => s.key === this.scheme);
    const levels = chosen?.levels ?? [];
    // What the scheme's rule asks (an expiry within maxDays, at most maxStep levels), before the API says it.
    const rule = chosen ? overrideRuleOf(chosen) : undefined;
    const ruleHint = rule && (rule.maxDays !== null || rule.maxStep !== undefined) ? w.ruleHint(rule.maxDays, rule.maxStep) : '';
    const nameOf = (n: Readonly<Record<string, string>>) => n[this.ctx?.locale ?? 'zh-CN'] ?? n.en ?? '';
    const f = {
      scheme: this.#field('scheme'),
      level: this.#field('level'),
      mode: this.#field('mode'),
      reason: this.#field('reason'),
      reasonCategory: this.#field('reasonCategory'),
      evidence: this.#field('evidence'),
      expiresOn: this.#field('expiresOn'),
    };
    return html`<form class="overrides-request" data-testid="override-request" @submit=${this.#request} novalidate>
      <h4>${w.requestTitle}</h4>
      <p class="hint">${w.requestHint}</p>
      <label>${w.scheme}
        <select name="scheme" .value=${this.scheme} aria-invalid=${f.scheme.invalid} aria-describedby=${ifDefined(f.scheme.describedBy)}
          @change=${(e: Event) => {
            this.scheme = (e.target as HTMLSelectElement).value;
          }}>
          ${schemes.map((s) => html`<option value=${s.key} ?selected=${s.key === this.scheme}>${nameOf(s.name)}</option>`)}
        </select>
      </label>${f.scheme.error}
      <label>${w.level}
        <select name="level" aria-invalid=${f.level.invalid} aria-describedby=${ifDefined(f.level.describedBy)}>
          ${levels.map((l) => html`<option value=${l.key}>${nameOf(l.name)}</option>`)}
        </select>
      </label>${f.level.error}
      <label>${w.mode}
        <select name="mode" aria-invalid=${f.mode.invalid}>
          <option value="fixed">${w.modes.fixed}</option>
          <option value="floor">${w.modes.floor}</option>
        </select>
      </label>${f.mode.error}
      <label>${w.reason}
        <textarea name="reason" rows="2" maxlength="1000" required aria-invalid=${f.reason.invalid} aria-describedby=${ifDefined(f.reason.describedBy)}></textarea>
      </label>${f.reason.error}
      <label>${w.reasonCategory}
        <select name="reasonCategory" aria-invalid=${f.reasonCategory.invalid} aria-describedby=${ifDefined(f.reasonCategory.describedBy)}>
          <option value="">${w.noCategory}</option>
          ${Object.entries(w.reasonCategories).map(([c, name]) => html`<option value=${c}>${name}</option>`)}
        </select>
      </label>${f.reasonCategory.error}
      <label>${w.evidence}
        <input name="evidence" maxlength="500" autocomplete="off" aria-invalid=${f.evidence.invalid} aria-describedby=${ifDefined(f.evidence.describedBy)}>
      </label>${f.evidence.error}
      <label>${rule && rule.maxDays !== null ? w.expiresRequired : w.expires}
        <input name="expiresOn" type="date" min=${bankToday()} aria-invalid=${f.expiresOn.invalid}
          aria-describedby=${`ovr-expires-hint${f.expiresOn.describedBy ? ` ${f.expiresOn.describedBy}` : ''}`}>
      </label>
      <span class="hint" id="ovr-expires-hint">${w.expiresHint(bankTimeZone())}${
        ruleHint ? html` <span data-testid="override-rule-hint">${ruleHint}</span>` : nothing
      }</span>${f.expiresOn.error}
      <button type="submit" ?disabled=${this.#overrides.state.saving}>${w.submit}</button>
    </form>`;
  }

  override render() {
    if (!this.ctx || !this.subject) return nothing;
    const w = OVERRIDE_WORDS[this.ctx.locale];
    const s = this.#overrides.state;
    const list = listStatus(this.#overrides.store, this.ctx.locale, false);
    return html`<section class="overrides-subject" aria-labelledby="ovr-h">
      <h3 id="ovr-h">${w.overrides}</h3>
      <p role="status" class="hint" data-testid="override-list-status" tabindex="-1">${list}</p>
      ${overrideTable(this.#overrides.store, this.ctx.session, this.ctx.locale, { withSubject: false })}
      ${
        s.nextCursor !== null
          ? moreButton({
              loading: s.loadingMore,
              label: w.loadMore,
              loadingLabel: w.loading,
              load: () => this.#overrides.store.loadMore(),
              status: () => this.querySelector('[data-testid="override-list-status"]'),
            })
          : nothing
      }
      ${hasRole(this.ctx.session, 'officer') && this.#schemes().length ? this.#form() : nothing}
      <p role="status" class="hint" data-testid="override-outcome" tabindex="-1">${outcome(this.#overrides.store, this.ctx.locale)}</p>
    </section>`;
  }
}

if (!customElements.get('admin-subject-overrides')) customElements.define('admin-subject-overrides', SubjectOverrides);
