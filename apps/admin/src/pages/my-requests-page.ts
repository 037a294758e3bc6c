import { isBookScoped, type OverrideFilter, Overrides } from '@tierkit/admin';
import { query } from '@tierkit/client';
import { StoreController } from '@tierkit/admin/lit';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { client } from '../console-client.js';
import { moreButton } from '../keep-focus.js';
import type { ConsolePage, PageContext } from '../page.js';
import { staffName, personActor } from '../staff-name.js';
import { formatInstant as bankTime } from '../time.js';
import { CUSTOMER_WORDS } from './customer.words.js';
import { listStatus, OVERRIDE_STATUSES, namesOf, outcome, overrideActions, statusWords } from './override-items.js';
import { OVERRIDE_WORDS } from './overrides.words.js';

/**
 * A relationship manager's requests: those they filed (`GET /v1/overrides?requestedBy=me`), or with
 * the box ticked every override request of the customers in their book (the API cuts the list to it
 * either way), newest first — each with its customer (a link to the customer's
 * page, and their name masked as the API sends it), the level, expiry and reason asked, status and the checker's note, so the RM follows what they asked for without opening every
 * customer. A customer moved out of the book takes their requests along. The filter lives in the route
 * (`#/requests?status=…&all=1`), so a reload, the back button or a link shows the same list.
 */
export class MyRequestsPage extends LitElement {
  static override properties = { ctx: { attribute: false } };

  declare ctx: PageContext | undefined;

  readonly #overrides = new StoreController(this, new Overrides(client, { pageSize: 20 }));

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('ctx') || !this.ctx) return;
    const asked = this.#routeFilter();
    if (changed.get('ctx')?.session.actor !== this.ctx.session.actor) {
      void this.#overrides.store.open(undefined, asked);
      void this.#overrides.store.loadSchemes();
    } else if (!sameFilter(this.#overrides.state.filter, asked)) {
      // The route changed under the page (the filter submitted, the back button): list what it names.
      void this.#overrides.store.setFilter(asked);
    }
  }

  /** The filter the route names: their own requests unless it asks for the whole book (`?all=1`). */
  #routeFilter(): OverrideFilter {
    const status = OVERRIDE_STATUSES.find((s) => s === this.ctx?.params.get('status'));
    return { ...(status ? { status } : {}), mine: this.ctx?.params.get('all') !== '1' };
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#overrides.store.cancel();
  }

  #filter(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const status = OVERRIDE_STATUSES.find((s) => s === (form.elements.namedItem('status') as HTMLSelectElement).value);
    const all = (form.elements.namedItem('all') as HTMLInputElement).checked;
    const filter: OverrideFilter = { ...(status ? { status } : {}), mine: !all };
    // Into the route, which lists it (willUpdate); the same filter again is a refresh, which no route change would make.
    if (sameFilter(filter, this.#routeFilter())) void this.#overrides.store.setFilter(filter);
    else this.ctx?.navigate(`requests${query({ status, all: all ? 1 : undefined })}`);
  }

  override render() {
    if (!this.ctx) return nothing;
    const locale = this.ctx.locale;
    const w = OVERRIDE_WORDS[locale];
    const c = CUSTOMER_WORDS[locale];
    const session = this.ctx.session;
    const s = this.#overrides.state;
    const { schemeName, levelName } = namesOf(this.#overrides.store, locale);
    return html`<section class="card my-requests" aria-labelledby="my-requests-h">
      <h2 id="my-requests-h" tabindex="-1">${c.myRequests}</h2>
      <p class="hint">${c.myRequestsHint}</p>
      <form class="filters" @submit=${this.#filter}>
        <label>${w.status}
          <select name="status">
            <option value="" ?selected=${!s.filter.status}>${w.allStatuses}</option>
            ${OVERRIDE_STATUSES.map((x) => html`<option value=${x} ?selected=${s.filter.status === x}>${w.statuses[x]}</option>`)}
          </select>
        </label>
        <label><input type="checkbox" name="all" data-testid="my-requests-all" .checked=${s.filter.mine === false}> ${c.myRequestsAll}</label>
        <button type="submit">${w.filter}</button>
      </form>
      <p role="status" class="hint" data-testid="my-requests-status" tabindex="-1">${listStatus(this.#overrides.store, locale, true)}</p>
      ${
        s.items.length
          ? html`<table class="overrides-table my-requests-table" data-testid="my-requests">
              <thead><tr>
                <th scope="col">${c.customer}</th><th scope="col">${c.scheme}</th><th scope="col">${c.level}</th><th scope="col">${w.mode}</th>
                <th scope="col">${w.expiresAt}</th><th scope="col">${w.reasonColumn}</th>
                <th scope="col">${c.status}</th><th scope="col">${c.decisionNote}</th><th scope="col">${c.requestedBy}</th>
                <th scope="col">${c.requestedAt}</th><th scope="col">${c.reviewedBy}</th><th scope="col">${c.reviewedAt}</th><th scope="col">${w.actions}</th>
              </tr></thead>
              <tbody>
                ${s.items.map(
                  (o) => html`<tr data-override=${o.id}>
                    <td data-label=${c.customer} data-testid="request-customer"><a href="#/book/${encodeURIComponent(o.subject)}">${o.subject}</a>${
                      o.subjectName ? html` <span class="subject-name">${o.subjectName}</span>` : nothing
                    }</td>
                    <td data-label=${c.scheme}>${schemeName(o.scheme)}</td>
                    <td data-label=${c.level}>${levelName(o.scheme, o.level)}</td>
                    <td data-label=${w.mode}>${w.modes[o.mode] ?? o.mode}</td>
                    <td data-label=${w.expiresAt} data-testid="request-expires">${o.expiresAt ? bankTime(o.expiresAt, locale) : w.untilRevoked}</td>
                    <td data-label=${w.reasonColumn} data-testid="request-reason">${o.reason}</td>
                    <td data-label=${c.status} data-testid="override-status">${statusWords(o, locale)}</td>
                    <td data-label=${c.decisionNote} data-testid="decision-note">${o.decisionNote ?? o.revokeNote ?? c.none}</td>
                    <td data-label=${c.requestedBy}>${o.requestedByYou ? c.you : staffName(personActor(o.requestedBy, o.requestedByStaff))}</td>
                    <td data-label=${c.requestedAt}>${bankTime(o.requestedAt, locale)}</td>
                    <td data-label=${c.reviewedBy} data-testid="request-reviewer">${o.decidedBy ? staffName(personActor(o.decidedBy, o.decidedByStaff)) : c.none}</td>
                    <td data-label=${c.reviewedAt} data-testid="request-reviewed-at">${o.decidedAt ? bankTime(o.decidedAt, locale) : c.none}</td>
                    <td data-label=${w.actions}>${overrideActions(this.#overrides.store, o, session, locale)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`
          : nothing
      }
      ${
        s.nextCursor !== null && s.status === 'ready'
          ? moreButton({
              loading: s.loadingMore,
              label: w.loadMore,
              loadingLabel: w.loading,
              load: () => this.#overrides.store.loadMore(),
              status: () => this.querySelector('[data-testid="my-requests-status"]'),
            })
          : nothing
      }
      <p role="status" class="hint" data-testid="override-outcome" tabindex="-1">${outcome(this.#overrides.store, locale)}</p>
    </section>`;
  }
}

function sameFilter(a: OverrideFilter, b: OverrideFilter): boolean {
  return a.status === b.status && (a.mine ?? false) === (b.mine ?? false);
}

if (!customElements.get('admin-my-requests-page')) customElements.define('admin-my-requests-page', MyRequestsPage);

export const myRequestsPage: ConsolePage = {
  id: 'requests',
  title: { 'zh-CN': '我的申请', 'zh-TW': '我的申請', en: 'My requests' },
  // Tenant-wide staff have the overrides page, over every book.
  visible: (session) => session.can.readSubjects && isBookScoped(session),
  render: (ctx) => html`<admin-my-requests-page data-page .ctx=${ctx}></admin-my-requests-page>`,
};
