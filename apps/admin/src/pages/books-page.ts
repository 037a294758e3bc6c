import { BookLevels, countAt, countFilter, mainCustomerScheme, readSchemes } from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import type { SchemeSummary } from '@tierkit/core';
import { formatPeriod } from '@tierkit/core/format';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { client } from '../console-client.js';
import type { ConsolePage, PageContext } from '../page.js';
import { whyFailed } from '../why-failed.js';
import { count } from './analytics-format.js';
import { BOOKS_WORDS } from './books.words.js';

/**
 * Counts per book: each RM the reader reads (a lead: their own book and their team's), their customers at
 * each level of a chosen scheme now, and the month's moves. Each count links to the customers page cut
 * to that book and level, so a count and its list are the same customers.
 */
export class BooksPage extends LitElement {
  static override properties = {
    ctx: { attribute: false },
    schemes: { state: true },
  };

  declare ctx: PageContext | undefined;
  /** The customer schemes offered (the tenant's, customer kind), the main one first. */
  declare schemes: readonly SchemeSummary[];
  #read: AbortController | undefined;
  readonly #levels = new StoreController(this, new BookLevels(client));

  constructor() {
    super();
    this.schemes = [];
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('ctx') && this.ctx && changed.get('ctx')?.session.actor !== this.ctx.session.actor) void this.#start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#read?.abort();
    this.#levels.store.cancel();
  }

  async #start(): Promise<void> {
    this.#read?.abort();
    const read = new AbortController();
    this.#read = read;
    const all = await readSchemes(client, read.signal).catch(() => [] as readonly SchemeSummary[]);
    if (read.signal.aborted) return;
    const main = mainCustomerScheme(all);
    this.schemes = [...(main ? [main] : []), ...all.filter((s) => s.subjectKind === 'customer' && s !== main && s.levels.length > 0)];
    const asked = this.ctx?.params.get('scheme');
    const scheme = this.schemes.find((s) => s.key === asked) ?? this.schemes[0];
    // Without schemes nothing can be counted: the list's own error says why the counts did not come.
    await this.#levels.store.load(scheme?.key ?? main?.key ?? '');
  }

  #pickScheme(e: Event): void {
    const key = (e.target as HTMLSelectElement).value;
    void this.#levels.store.load(key);
  }

  #levelName(scheme: SchemeSummary | undefined, key: string): string {
    const locale = this.ctx?.locale ?? 'zh-CN';
    return scheme?.levels.find((l) => l.key === key)?.name[locale] ?? key;
  }

  override render() {
    if (!this.ctx) return nothing;
    const locale = this.ctx.locale;
    const w = BOOKS_WORDS[locale];
    const s = this.#levels.state;
    const scheme = this.schemes.find((x) => x.key === s.scheme);
    const data = s.status === 'ready' ? s.levels : undefined;
    const status =
      s.status === 'loading' ? w.loading : s.status === 'error' ? `${w.failed}: ${whyFailed(s.error, locale)}` : s.empty ? w.empty : '';
    return html`<section class="card books" aria-labelledby="books-h">
      <h2 id="books-h">${w.heading}</h2>
      <label>${w.scheme}
        <select data-testid="books-scheme" .value=${s.scheme ?? ''} @change=${this.#pickScheme}>
          ${this.schemes.map((x) => html`<option value=${x.key} ?selected=${x.key === s.scheme}>${x.name[locale] ?? x.key}</option>`)}
        </select>
      </label>
      <p role="status" class="hint" data-testid="books-status">${status}</p>
      ${
        data && data.books.length > 0
          ? html`<table class="books-table" data-testid="books-table">
              <caption>${w.caption(scheme?.name[locale] ?? data.scheme, formatPeriod(data.period, locale))}</caption>
              <thead><tr>
                <th scope="col">${w.rm}</th>
                ${data.levels.map((l) => html`<th scope="col">${this.#levelName(scheme, l.key)}</th>`)}
                <th scope="col">${w.total}</th><th scope="col">${w.up}</th><th scope="col">${w.down}</th><th scope="col">${w.entered}</th>
              </tr></thead>
              <tbody>
                ${data.books.map((row) => {
                  const rm = row.manager === null ? w.noBook : row.name ? `${row.name} · ${row.manager}` : row.manager;
                  return html`<tr data-book=${row.manager ?? ''}>
                    <th scope="row">${rm}</th>
                    ${data.levels.map((l) => {
                      const n = countAt(row, l.key);
                      const filter = countFilter(row, data.scheme, l.key);
                      const level = this.#levelName(scheme, l.key);
                      return html`<td data-level=${l.key}>${
                        filter && n > 0
                          ? html`<a href=${`#/book?${new URLSearchParams({ manager: filter.manager ?? '', scheme: data.scheme, level: l.key })}`}
                              aria-label=${w.countLink(count(n), rm, level)}>${count(n)}</a>`
                          : count(n)
                      }</td>`;
                    })}
                    <td>${count(row.total)}</td><td>${count(row.up)}</td><td>${count(row.down)}</td><td>${count(row.entered)}</td>
                  </tr>`;
                })}
              </tbody>
            </table>`
          : nothing
      }
    </section>`;
  }
}

if (!customElements.get('admin-books-page')) customElements.define('admin-books-page', BooksPage);

/** Offered to whoever may read customer lists: `GET /v1/books/levels` answers each its reach. */
export const booksPage: ConsolePage = {
  id: 'books',
  title: { 'zh-CN': BOOKS_WORDS['zh-CN'].title, 'zh-TW': BOOKS_WORDS['zh-TW'].title, en: BOOKS_WORDS.en.title },
  visible: (session) => session.can.readSubjects,
  render: (ctx) => html`<admin-books-page data-page .ctx=${ctx}></admin-books-page>`,
};
