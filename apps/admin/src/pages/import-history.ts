import { ImportHistory, isAuditor, type ImportRecord } from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import { html, LitElement, nothing } from 'lit';
import { client } from '../console-client.js';
import { moreButton } from '../keep-focus.js';
import type { PageContext } from '../page.js';
import type { ConsoleLocale } from '../words.js';
import { personActor, staffName } from '../staff-name.js';
import { AUDIT_WORDS } from './audit.words.js';
import { formatBankTime } from '../time.js';
import { pagedListStatus, whyFailed } from '../why-failed.js';
import { IMPORT_HISTORY_WORDS } from './import-history.words.js';
import { importRowErrors } from './import-row-errors.js';
import { IMPORT_WORDS } from './import.words.js';

/**
 * The tenant's imports as they went, newest first, and one opened with its refused rows (line,
 * column, why). Read-only: internal audit's view of imports (the import page's upload form is an
 * officer's, and a 403 to the auditor).
 */
export class ImportHistoryView extends LitElement {
  static override properties = { ctx: { attribute: false } };

  declare ctx: PageContext | undefined;

  readonly #history = new StoreController(this, new ImportHistory(client, { pageSize: 20, errorPageSize: 50 }));

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
  }

  /** Read the list again from its first page (an upload on the import page has just added one). */
  refresh(): Promise<void> {
    return this.#history.store.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#history.store.cancel();
  }

  async #open(r: ImportRecord): Promise<void> {
    await this.#history.store.open(r.id);
    await this.updateComplete;
    this.querySelector<HTMLElement>('#import-opened-h')?.focus();
  }

  /** Close the opened import; focus goes back to its row's button (the card, and its button, are gone). */
  async #close(id: string): Promise<void> {
    this.#history.store.close();
    await this.updateComplete;
    const row = this.querySelector<HTMLElement>(`tr[data-import="${CSS.escape(id)}"] button[data-action="open-import"]`);
    (row ?? this.querySelector<HTMLElement>('#import-history-h'))?.focus();
  }

  #row(r: ImportRecord) {
    const locale = this.ctx?.locale ?? 'zh-CN';
    const w = IMPORT_HISTORY_WORDS[locale];
    const iw = IMPORT_WORDS[locale];
    const file = r.fileName ?? w.noFile;
    return html`<tr data-import=${r.id}>
      <td>${file}<br><span class="hint id">${r.id}</span></td>
      <td>${iw.kinds[r.kind] ?? r.kind}</td>
      <td data-testid="import-outcome">${iw.statuses[r.status] ?? r.status}</td>
      <td>${w.countsLine(r.rows, r.written, r.unchanged, r.rejectedRows)}</td>
      <td>${r.errorCount}</td>
      <td data-testid="import-maker">${this.#maker(r, locale)}</td>
      <td><time datetime=${r.createdAt}>${formatBankTime(r.createdAt, locale)}</time></td>
      <td><button type="button" data-action="open-import" aria-label=${w.openOf(file)} @click=${() => this.#open(r)}>${w.open}</button></td>
    </tr>`;
  }

  /**
   * Who made an import, as the audit page names them: the person by name, and a key by its label
   * (`createdByKeyLabel`) — an integration key nobody owns read as `key:key_…` to anyone but the operator.
   */
  #maker(r: ImportRecord, locale: ConsoleLocale) {
    const staff = r.createdByStaff ?? null;
    const label = r.createdByKeyLabel ?? null;
    if (label === null) return staffName(personActor(r.createdBy, staff));
    const aw = AUDIT_WORDS[locale];
    return html`${staff === null ? aw.keyNoOwner : staffName(`staff:${staff}`)}<br><span class="hint" data-testid="import-maker-key">${aw.keyActor(label)}</span>`;
  }

  /**
   * The API's `detail` is English for operators: the details it writes are said in the console's words,
   * any other only in an English console (the status and counts above already say what happened).
   */
  #detail(detail: string | null, locale: ConsoleLocale) {
    if (!detail) return nothing;
    const w = IMPORT_HISTORY_WORDS[locale];
    const said = detail.startsWith('interrupted:')
      ? w.detailInterrupted
      : /rows have errors; nothing was imported/.test(detail)
        ? w.detailRejected
        : locale === 'en'
          ? detail
          : undefined;
    return said ? html`<p class="hint" data-testid="import-opened-detail">${said}</p>` : nothing;
  }

  #opened() {
    const s = this.#history.state;
    const o = s.opened;
    if (!this.ctx || (!o && s.openedStatus !== 'error')) return nothing;
    const locale = this.ctx.locale;
    const w = IMPORT_HISTORY_WORDS[locale];
    const iw = IMPORT_WORDS[locale];
    if (!o)
      return html`<section class="card import-opened" aria-labelledby="import-opened-h">
        <h2 id="import-opened-h" tabindex="-1">${w.failed}</h2>
        <p role="status" class="hint">${whyFailed(s.openedError, locale)}</p>
      </section>`;
    return html`<section class="card import-opened" aria-labelledby="import-opened-h" data-import-opened=${o.id}>
      <h2 id="import-opened-h" tabindex="-1">${w.detailTitle(o.fileName ?? w.noFile)} <span class="id">${o.id}</span></h2>
      <p data-testid="import-opened-result">${iw.resultLine(iw.statuses[o.status] ?? o.status, o.rows, o.written, o.unchanged, o.rejectedRows)}</p>
      ${o.periods.length ? html`<p class="hint">${iw.periods(o.periods.join(', '))}</p>` : nothing}
      ${this.#detail(o.detail, locale)}
      ${
        s.openedErrors.length
          ? html`${importRowErrors(s.openedErrors, locale, 'import-opened-errors-h')}
            <p role="status" class="hint" data-testid="import-opened-errors-status" tabindex="-1">${w.errorsShown(s.openedErrors.length, o.errorCount)}${
              s.openedError ? ` ${w.failed}: ${whyFailed(s.openedError, locale)}` : ''
            }</p>`
          : html`<p class="hint" data-testid="import-no-errors">${w.noErrors}</p>`
      }
      ${
        s.openedNextCursor !== null
          ? moreButton({
              loading: s.loadingMoreErrors,
              label: w.moreErrors,
              loadingLabel: w.loading,
              load: () => this.#history.store.loadMoreErrors(),
              status: () => this.querySelector('[data-testid="import-opened-errors-status"]'),
            })
          : nothing
      }
      <div class="actions"><button type="button" data-action="close-import" @click=${() => this.#close(o.id)}>${w.close}</button></div>
    </section>`;
  }

  override render() {
    if (!this.ctx) return nothing;
    const locale = this.ctx.locale;
    const w = IMPORT_HISTORY_WORDS[locale];
    const s = this.#history.state;
    const status = pagedListStatus(s, w, locale);
    return html`
      <section class="card import-history" aria-labelledby="import-history-h">
        <h2 id="import-history-h" tabindex="-1">${w.title}</h2>
        <p class="hint">${w.hint}${isAuditor(this.ctx.session) ? w.hintNoCells : ''}</p>
        <p role="status" class="hint" data-testid="import-history-status" tabindex="-1">${status}</p>
        ${
          s.items.length
            ? html`<div class="import-history-scroll" role="region" tabindex="0" aria-label=${w.table}>
                <table class="subject-table import-history-table">
                  <thead><tr>
                    <th scope="col">${w.file}</th><th scope="col">${w.kind}</th><th scope="col">${w.status}</th><th scope="col">${w.counts}</th>
                    <th scope="col">${w.errors}</th><th scope="col">${w.by}</th><th scope="col">${w.at}</th><th scope="col">${w.actions}</th>
                  </tr></thead>
                  <tbody>${s.items.map((r) => this.#row(r))}</tbody>
                </table>
              </div>`
            : nothing
        }
        ${
          s.nextCursor !== null && s.status === 'ready'
            ? moreButton({
                loading: s.loadingMore,
                label: w.loadMore,
                loadingLabel: w.loading,
                load: () => this.#history.store.loadMore(),
                status: () => this.querySelector('[data-testid="import-history-status"]'),
              })
            : nothing
        }
      </section>
      ${this.#opened()}
    `;
  }
}

if (!customElements.get('admin-import-history')) customElements.define('admin-import-history', ImportHistoryView);
