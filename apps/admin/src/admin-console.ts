import { BookAssignment, defaultSubjectFilter, SessionStore, SubjectBrowser, SubjectDetail } from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import { createClient } from '@tierkit/client';
import type { TkCellSelectEvent } from '@tierkit/components';
import { html, LitElement, nothing } from 'lit';
import { tokenSource } from './token-source.js';
import { type ConsoleLocale, LOCALES, WORDS } from './words.js';

type SignIn = 'maker' | 'checker' | 'rm';

/**
 * The reference console: demo sign-in, the book (matrix → cell → every customer in it, paged) and
 * the customer (badge, entitlements, timeline). All state is in the kit's stores; this element only
 * renders them and forwards what the user does. Light DOM, so the page's stylesheet (strict CSP, no
 * inline styles) styles it and the browser's own controls give keyboard operation.
 */
export class AdminConsole extends LitElement {
  static override properties = {
    locale: { state: true },
    signingIn: { state: true },
    signInFailed: { state: true },
  };

  declare locale: ConsoleLocale;
  declare signingIn: boolean;
  declare signInFailed: boolean;

  #token: (() => Promise<string>) | undefined;
  /** One client for the whole console: the stores and the widgets share its requests and cache. */
  readonly client = createClient({ baseUrl: '', token: () => (this.#token ? this.#token() : '') });
  readonly #session = new StoreController(this, new SessionStore(this.client));
  readonly #browser = new StoreController(this, new SubjectBrowser(this.client, { pageSize: 50 }));
  readonly #detail = new StoreController(this, new SubjectDetail(this.client, { historyPageSize: 20 }));
  readonly #assignment = new StoreController(this, new BookAssignment(this.client));

  constructor() {
    super();
    const asked = new URLSearchParams(location.search).get('lang');
    this.locale = asked === 'en' ? 'en' : 'zh-CN';
    this.signingIn = false;
    this.signInFailed = false;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.documentElement.lang = this.locale;
  }

  async signIn(as: SignIn): Promise<void> {
    this.signingIn = true;
    this.signInFailed = false;
    this.#token = tokenSource(`/demo/staff-token?as=${as}`);
    this.client.invalidate();
    const session = await this.#session.store.load();
    this.signingIn = false;
    if (!session) {
      this.signInFailed = true;
      this.#token = undefined;
      return;
    }
    await this.#browser.store.setFilter(defaultSubjectFilter(session));
  }

  signOut(): void {
    this.#token = undefined;
    this.client.invalidate();
    this.#session.store.clear();
    this.#browser.store.cancel();
    this.#detail.store.cancel();
    this.#assignment.store.cancel();
    void this.#browser.store.setFilter({}).catch(() => undefined);
  }

  #setLocale(e: Event): void {
    const value = (e.target as HTMLSelectElement).value;
    this.locale = (LOCALES as readonly string[]).includes(value) ? (value as ConsoleLocale) : 'zh-CN';
    document.documentElement.lang = this.locale;
  }

  async #open(id: string): Promise<void> {
    // Only tenant-wide staff may move customers between books; the API would refuse anyone else.
    if (this.#session.state.session?.can.assignManagers) void this.#assignment.store.open(id);
    await this.#detail.store.open(id);
    await this.updateComplete;
    this.querySelector<HTMLElement>('#detail-h')?.focus();
  }

  #cell(e: TkCellSelectEvent): void {
    void this.#browser.store.showCell(e.scheme, e.row, e.col);
  }

  #search(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const q = (form.elements.namedItem('q') as HTMLInputElement).value.trim();
    const order = (form.elements.namedItem('order') as HTMLSelectElement).value === 'desc' ? 'desc' : 'asc';
    void this.#browser.store.updateFilter({ q: q || undefined, order });
  }

  async #reassign(e: Event): Promise<void> {
    e.preventDefault();
    const value = ((e.target as HTMLFormElement).elements.namedItem('manager') as HTMLSelectElement).value;
    await this.#assignment.store.assign(value === '' ? null : value);
    // The list may be a book the customer just left.
    if (this.#assignment.state.saved !== undefined) void this.#browser.store.load();
  }

  #reassignForm() {
    const w = WORDS[this.locale];
    const a = this.#assignment.state;
    if (!this.#session.state.session?.can.assignManagers || a.subject !== this.#detail.state.id || a.status !== 'ready') return nothing;
    return html`<form class="reassign" @submit=${this.#reassign}>
      <label>${w.manager}
        <select name="manager" .value=${a.manager ?? ''}>
          <option value="" ?selected=${a.manager === null}>${w.noManager}</option>
          ${a.candidates.map((s) => html`<option value=${s.id} ?selected=${s.id === a.manager}>${s.name} · ${s.id}</option>`)}
        </select>
      </label>
      <button type="submit" ?disabled=${a.saving}>${w.reassign}</button>
      <span role="status" class="hint">${a.saving ? w.saving : a.error ? `${w.failed}: ${a.error.detail ?? a.error.title}` : a.saved !== undefined ? w.saved : ''}</span>
    </form>`;
  }

  #clearCell(): void {
    const { manager, q, order } = this.#browser.state.filter;
    void this.#browser.store.setFilter({ manager, q, order });
  }

  override render() {
    const w = WORDS[this.locale];
    const s = this.#session.state;
    return html`
      <header class="bar">
        <h1 class="brand">${w.title}</h1>
        <label class="lang">${w.language}
          <select @change=${this.#setLocale} .value=${this.locale}>
            <option value="zh-CN" ?selected=${this.locale === 'zh-CN'}>简体中文</option>
            <option value="en" ?selected=${this.locale === 'en'}>English</option>
          </select>
        </label>
        ${
          s.session
            ? html`<span class="who" data-testid="who">${s.session.staff?.name ?? s.session.actor} ·
                ${w.roles[s.session.role] ?? s.session.role}${s.session.book ? html` · ${w.bookScope}` : nothing}</span>
              <button type="button" @click=${() => this.signOut()}>${w.signOut}</button>`
            : nothing
        }
      </header>
      <main class="console">${s.session ? this.#workplace() : this.#signInCard()}</main>
    `;
  }

  #signInCard() {
    const w = WORDS[this.locale];
    return html`<section class="card sign-in" aria-labelledby="sign-in-h">
      <h2 id="sign-in-h">${w.signInTitle}</h2>
      <p class="hint">${w.signInHint}</p>
      <div class="actions">
        <button type="button" data-as="maker" ?disabled=${this.signingIn} @click=${() => this.signIn('maker')}>${w.asMaker}</button>
        <button type="button" data-as="checker" ?disabled=${this.signingIn} @click=${() => this.signIn('checker')}>${w.asChecker}</button>
        <button type="button" data-as="rm" ?disabled=${this.signingIn} @click=${() => this.signIn('rm')}>${w.asRm}</button>
      </div>
      <p role="status" class="hint">${this.signingIn ? w.signingIn : this.signInFailed ? `${w.signInFailed}: ${this.#session.state.error?.title ?? ''}` : ''}</p>
    </section>`;
  }

  #workplace() {
    const w = WORDS[this.locale];
    const session = this.#session.state.session;
    const b = this.#browser.state;
    const d = this.#detail.state;
    const status =
      b.status === 'loading'
        ? w.loading
        : b.status === 'error'
          ? `${w.failed}: ${b.error?.detail ?? b.error?.title ?? ''}`
          : b.empty
            ? w.empty
            : b.status === 'ready'
              ? w.shown(b.items.length, b.nextCursor !== null)
              : '';
    return html`
      <section class="card book" aria-labelledby="book-h">
        <h2 id="book-h">${session?.book ? w.myBook : w.allCustomers} · ${w.matrix}</h2>
        <tk-provider .client=${this.client} locale=${this.locale} theme="light">
          <tk-risk-value-matrix mode="portfolio" @tk-cell-select=${this.#cell}></tk-risk-value-matrix>
        </tk-provider>
      </section>
      <section class="card subjects" aria-labelledby="subjects-h">
        <h2 id="subjects-h">${w.subjects}</h2>
        <form class="filters" @submit=${this.#search}>
          <label>${w.search} <input name="q" type="search" maxlength="64" .value=${b.filter.q ?? ''} autocomplete="off"></label>
          <label>${w.order}
            <select name="order" .value=${b.filter.order ?? 'asc'}>
              <option value="asc">${w.asc}</option>
              <option value="desc">${w.desc}</option>
            </select>
          </label>
          <button type="submit">${w.find}</button>
        </form>
        ${
          b.filter.row && b.filter.col
            ? html`<p class="cell">${w.cell(b.filter.row, b.filter.col)}
                <button type="button" @click=${() => this.#clearCell()}>${w.clearCell}</button></p>`
            : nothing
        }
        <p role="status" class="hint" data-testid="list-status">${status}</p>
        ${
          b.items.length
            ? html`<table class="subject-table">
                <thead><tr><th scope="col">${w.id}</th><th scope="col">${w.name}</th><th scope="col"><span class="visually-hidden">${w.open}</span></th></tr></thead>
                <tbody>
                  ${b.items.map(
                    (s) => html`<tr class=${s.id === d.id ? 'current' : ''}>
                      <td>${s.id}</td><td>${s.displayName}</td>
                      <td><button type="button" aria-label="${w.open} ${s.id}" @click=${() => this.#open(s.id)}>${w.open}</button></td>
                    </tr>`,
                  )}
                </tbody>
              </table>`
            : nothing
        }
        ${
          b.nextCursor !== null && b.status === 'ready'
            ? html`<button type="button" class="more" ?disabled=${b.loadingMore} @click=${() => this.#browser.store.loadMore()}>
                ${b.loadingMore ? w.loading : w.loadMore}</button>`
            : nothing
        }
      </section>
      <section class="card detail" aria-labelledby="detail-h">
        <h2 id="detail-h" tabindex="-1">${w.detail}${d.id ? html` <span class="id">${d.id}</span>` : nothing}</h2>
        ${
          d.id === undefined
            ? html`<p class="hint">${w.pick}</p>`
            : d.notFound
              ? html`<p class="hint" role="status">${w.notFound}</p>`
              : d.status === 'error'
                ? html`<p class="hint" role="status">${w.failed}: ${d.error?.title ?? ''}</p>`
                : html`${this.#reassignForm()}<tk-provider .client=${this.client} subject=${d.id} locale=${this.locale} theme="light">
                    <div class="customer-grid">
                      <tk-tier-badge show-progress></tk-tier-badge>
                      <tk-entitlement-panel></tk-entitlement-panel>
                      <tk-tier-timeline></tk-tier-timeline>
                    </div>
                  </tk-provider>`
        }
      </section>
    `;
  }
}
