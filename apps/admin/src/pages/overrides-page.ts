import { isAuditor, isBookScoped, Overrides, type Override } from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { client } from '../console-client.js';
import type { ConsolePage, PageContext } from '../page.js';
import { formatInstant as bankTime } from '../time.js';
import { listStatus, OVERRIDE_STATUSES, namesOf, outcome, overrideActions, statusWords, overrideTable } from './override-items.js';
import { OVERRIDE_WORDS } from './overrides.words.js';
import { moreButton } from '../keep-focus.js';
import { personActor } from '../staff-name.js';

/**
 * The tenant's override requests, newest first, filtered by status and scheme and paged with the
 * API's cursors; one followed with every decision on it; revoke for approvers, withdraw for requesters.
 * Approving belongs to the approvals page.
 */
export class OverridesPage extends LitElement {
  static override properties = { ctx: { attribute: false } };

  declare ctx: PageContext | undefined;

  readonly #overrides = new StoreController(this, new Overrides(client, { pageSize: 20 }));

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('ctx') || !this.ctx) return;
    if (changed.get('ctx')?.session.actor !== this.ctx.session.actor) {
      const p = this.ctx.params;
      const status = OVERRIDE_STATUSES.find((s) => s === p.get('status'));
      void this.#overrides.store.open(undefined, {
        ...(status ? { status } : {}),
        ...(p.get('scheme') ? { scheme: p.get('scheme') ?? '' } : {}),
      });
      void this.#overrides.store.loadSchemes();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#overrides.store.cancel();
  }

  #filter(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const status = OVERRIDE_STATUSES.find((s) => s === (form.elements.namedItem('status') as HTMLSelectElement).value);
    const scheme = (form.elements.namedItem('scheme') as HTMLSelectElement).value;
    void this.#overrides.store.setFilter({ ...(status ? { status } : {}), ...(scheme ? { scheme } : {}) });
  }

  async #follow(o: Override): Promise<void> {
    await this.#overrides.store.follow(o.id);
    await this.updateComplete;
    this.querySelector<HTMLElement>('#ovr-detail-h')?.focus();
  }

  /** Close the followed override; focus goes back to its row's button (the detail, and its button, are gone). */
  async #close(id: string): Promise<void> {
    this.#overrides.store.unfollow();
    await this.updateComplete;
    const row = this.querySelector<HTMLElement>(`tr[data-override="${CSS.escape(id)}"] button[data-action="follow"]`);
    (row ?? this.querySelector<HTMLElement>('#ovr-list-h'))?.focus();
  }

  #detail() {
    const o = this.#overrides.state.current;
    if (!o || !this.ctx) return nothing;
    const w = OVERRIDE_WORDS[this.ctx.locale];
    const locale = this.ctx.locale;
    const names = namesOf(this.#overrides.store, locale);
    return html`<section class="card overrides-detail" aria-labelledby="ovr-detail-h" data-override-detail=${o.id}>
      <h2 id="ovr-detail-h" tabindex="-1">${o.subject} · ${names.schemeName(o.scheme)} → ${names.levelName(o.scheme, o.level)} <span class="id">${o.id}</span></h2>
      <dl class="overrides-facts">
        <dt>${w.status}</dt><dd>${statusWords(o, locale)}</dd>
        <dt>${w.mode}</dt><dd>${w.modes[o.mode] ?? o.mode}</dd>
        <dt>${w.reasonColumn}</dt><dd>${o.reason}</dd>
        <dt>${w.requestedBy}</dt><dd><admin-staff-name .actor=${personActor(o.requestedBy, o.requestedByStaff)}></admin-staff-name> · ${bankTime(o.requestedAt, locale)}</dd>
        <dt>${w.expiresAt}</dt><dd>${o.expiresAt ? bankTime(o.expiresAt, locale) : w.untilRevoked}</dd>
      </dl>
      <h3>${w.decisions}</h3>
      <ol class="overrides-decisions">
        ${o.decisions.map((d) => html`<li>${bankTime(d.at, locale)} · <span data-decision=${d.action}>${w.steps[d.action] ?? d.action}</span> · <admin-staff-name .actor=${d.actor}></admin-staff-name>${d.note ? html` — ${d.note}` : nothing}</li>`)}
      </ol>
      ${overrideActions(this.#overrides.store, o, this.ctx.session, locale)}
      <button type="button" data-action="close" @click=${() => this.#close(o.id)}>${w.close}</button>
    </section>`;
  }

  override render() {
    if (!this.ctx) return nothing;
    const w = OVERRIDE_WORDS[this.ctx.locale];
    const s = this.#overrides.state;
    const status = listStatus(this.#overrides.store, this.ctx.locale, true);
    return html`
      <section class="card overrides-list" aria-labelledby="ovr-list-h">
        <h2 id="ovr-list-h" tabindex="-1">${w.overrides}</h2>
        <form class="filters" @submit=${this.#filter}>
          <label>${w.status}
            <select name="status">
              <option value="" ?selected=${!s.filter.status}>${w.allStatuses}</option>
              ${OVERRIDE_STATUSES.map((x) => html`<option value=${x} ?selected=${s.filter.status === x}>${w.statuses[x]}</option>`)}
            </select>
          </label>
          <label>${w.scheme}
            <select name="scheme">
              <option value="" ?selected=${!s.filter.scheme}>${w.allSchemes}</option>
              ${s.schemes.map((x) => html`<option value=${x.key} ?selected=${s.filter.scheme === x.key}>${x.name[this.ctx?.locale ?? 'en'] ?? x.key}</option>`)}
            </select>
          </label>
          <button type="submit">${w.filter}</button>
        </form>
        <p role="status" class="hint" data-testid="overrides-status" tabindex="-1">${status}</p>
        ${overrideTable(this.#overrides.store, this.ctx.session, this.ctx.locale, { withSubject: true, follow: (o) => void this.#follow(o) })}
        ${
          s.nextCursor !== null && s.status === 'ready'
            ? moreButton({
                loading: s.loadingMore,
                label: w.loadMore,
                loadingLabel: w.loading,
                load: () => this.#overrides.store.loadMore(),
                status: () => this.querySelector('[data-testid="overrides-status"]'),
              })
            : nothing
        }
        <p role="status" class="hint" data-testid="override-outcome" tabindex="-1">${outcome(this.#overrides.store, this.ctx.locale)}</p>
      </section>
      ${this.#detail()}
    `;
  }
}

if (!customElements.get('admin-overrides-page')) customElements.define('admin-overrides-page', OverridesPage);

export const overridesPage: ConsolePage = {
  id: 'overrides',
  title: { 'zh-CN': '人工调级', 'zh-TW': '人工調級', en: 'Overrides' },
  // Internal audit reads every request and its decisions (the customer by number and masked name),
  // though no customer's standing: the page offers it no action, as the API's `mayWithdraw` says.
  visible: (session) => (session.can.readSubjects || isAuditor(session)) && !isBookScoped(session),
  render: (ctx) => html`<admin-overrides-page data-page .ctx=${ctx}></admin-overrides-page>`,
};
