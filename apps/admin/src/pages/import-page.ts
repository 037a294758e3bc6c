import { hasRole, ImportStore, isAuditor, isBookScoped, type ImportEncoding, type ImportKind, type ImportMode } from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import { defaultMetrics } from '@tierkit/core/metrics';
import { html, LitElement, nothing } from 'lit';
import { client } from '../console-client.js';
import type { ConsolePage, PageContext } from '../page.js';
import { IMPORT_COLUMN_NAMES, IMPORT_WORDS } from './import.words.js';
import { fieldName, sayCheck, whyFailed } from '../why-failed.js';
import { importRowErrors } from './import-row-errors.js';
import type { ImportHistoryView } from './import-history.js';
import './import-history.js';

const ENCODINGS: readonly ImportEncoding[] = ['utf-8', 'gbk', 'gb18030', 'big5'];

/**
 * A CSV import: file, what it holds, encoding, column mapping (from the header read in the browser),
 * a dry-run preview listing each bad row (line, column, why), then the upload and its result.
 */
export class ImportPage extends LitElement {
  static override properties = { ctx: { attribute: false } };

  declare ctx: PageContext | undefined;

  // The demo bank's metrics: the wide file's metric columns offered for mapping; a header that is a
  // field's usual name or a metric's label in any locale is preselected.
  readonly #import = new StoreController(this, new ImportStore(client, { metrics: defaultMetrics, columnNames: IMPORT_COLUMN_NAMES }));

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#import.store.cancel();
  }

  #pick(e: Event): void {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void this.#import.store.pick(file, file.name);
  }

  #select<T extends string>(e: Event): T {
    return (e.target as HTMLSelectElement).value as T;
  }

  async #act(action: 'preview' | 'upload'): Promise<void> {
    await (action === 'preview' ? this.#import.store.preview() : this.#import.store.upload());
    // Whoever uploads reads the list too (GET /v1/imports is theirs): a compliance officer checks what an
    // integration key loaded last night beside what they load themselves, their own upload at its head.
    if (action === 'upload') void this.querySelector<ImportHistoryView>('admin-import-history')?.refresh();
    await this.updateComplete;
    this.querySelector<HTMLElement>('[data-testid="import-status"]')?.focus();
  }

  #status(): string {
    if (!this.ctx) return '';
    const w = IMPORT_WORDS[this.ctx.locale];
    const s = this.#import.state;
    if (s.busy === 'header') return w.reading;
    if (s.busy === 'preview') return w.checking;
    if (s.busy === 'upload') return w.uploading;
    if (s.problems.length)
      return `${w.fix} ${s.problems
        .map(
          (p) =>
            `${w.fields[p.path] ?? fieldName(p.path, this.ctx?.locale ?? 'zh-CN')}: ${sayCheck(p, w.checks, this.ctx?.locale ?? 'zh-CN')}`,
        )
        .join('; ')}`;
    if (s.result) {
      const r = s.result;
      return w.resultLine(w.statuses[r.status] ?? r.status, r.rows, r.written, r.unchanged, r.rejectedRows);
    }
    if (s.error) return `${w.failed}: ${whyFailed(s.error, this.ctx?.locale ?? 'zh-CN')}`;
    if (s.preview) {
      const p = s.preview;
      if (p.errorCount === 0) return w.previewOk(p.rows);
      const outcome = p.status === 'partial' ? w.wouldPartial : p.rejectedRows >= p.rows ? w.wouldNone : w.wouldFail;
      return `${w.previewBad(p.rejectedRows, p.rows, p.errorCount)} ${outcome}`;
    }
    return s.file ? '' : w.pickFile;
  }

  override render() {
    if (!this.ctx) return nothing;
    const locale = this.ctx.locale;
    const w = IMPORT_WORDS[locale];
    const s = this.#import.state;
    const store = this.#import.store;
    const settings = s.settings;
    const busy = s.busy !== undefined;
    const label = (field: string) => {
      const t = store.targets().find((x) => x.field === field);
      return t?.metric ? w.metricColumn(t.metric.label[locale] ?? t.metric.key) : (w.fields[field] ?? field);
    };
    return html`
      <section class="card import-form" aria-labelledby="import-h">
        <h2 id="import-h">${w.title}</h2>
        <p class="hint">${w.hint}</p>
        <div class="import-grid">
          <label>${w.file}
            <input type="file" name="file" accept=".csv,text/csv" @change=${this.#pick}>
          </label>
          <label>${w.kind}
            <select name="kind" @change=${(e: Event) => store.configure({ kind: this.#select<ImportKind>(e) })}>
              ${(['subjects', 'metrics', 'managers'] as const).map((k) => html`<option value=${k} ?selected=${settings.kind === k}>${w.kinds[k]}</option>`)}
            </select>
          </label>
          <label>${w.encoding}
            <select name="encoding" @change=${(e: Event) => store.configure({ encoding: this.#select<ImportEncoding>(e) })}>
              ${ENCODINGS.map((x) => html`<option value=${x} ?selected=${settings.encoding === x}>${x.toUpperCase()}</option>`)}
            </select>
          </label>
          ${
            settings.kind === 'metrics'
              ? html`<label>${w.amounts}
                  <select name="amounts" @change=${(e: Event) => {
                    const v = (e.target as HTMLSelectElement).value;
                    void store.configure({ amounts: v === 'yuan' || v === 'fen' ? v : undefined });
                  }}>
                    <option value="" ?selected=${!settings.amounts}>${w.amountsNone}</option>
                    ${(['yuan', 'fen'] as const).map((u) => html`<option value=${u} ?selected=${settings.amounts === u}>${w.amountUnits[u]}</option>`)}
                  </select>
                </label>`
              : settings.kind === 'subjects'
                ? html`<label class="import-check"><input type="checkbox" name="keepAttributes" .checked=${settings.keepAttributes}
                  @change=${(e: Event) => store.configure({ keepAttributes: (e.target as HTMLInputElement).checked })}> ${w.keepAttributes}</label>`
                : nothing
          }
          <label>${w.mode}
            <select name="mode" @change=${(e: Event) => store.configure({ mode: this.#select<ImportMode>(e) })}>
              ${(['all-or-nothing', 'valid-rows'] as const).map((m) => html`<option value=${m} ?selected=${settings.mode === m}>${w.modes[m]}</option>`)}
            </select>
          </label>
        </div>
        ${
          s.columns.length
            ? html`<fieldset class="import-mapping">
                <legend>${w.mapping}</legend>
                <p class="hint">${w.mappingHint}</p>
                ${store.targets().map(
                  (t) => html`<label>${label(t.field)}${t.required ? html` <span class="hint">(${w.required})</span>` : nothing}
                    <select data-column=${t.field} @change=${(e: Event) => store.map(t.field, (e.target as HTMLSelectElement).value || undefined)}>
                      <option value="" ?selected=${!s.mapping[t.field]}>${w.none}</option>
                      ${s.columns.map((c) => html`<option value=${c} ?selected=${s.mapping[t.field] === c}>${c}</option>`)}
                    </select>
                  </label>`,
                )}
              </fieldset>`
            : nothing
        }
        <div class="import-actions">
          <button type="button" data-action="preview" ?disabled=${busy || !s.file} @click=${() => this.#act('preview')}>${w.preview}</button>
          <button type="button" data-action="upload" ?disabled=${busy || !s.file} @click=${() => this.#act('upload')}>${w.upload}</button>
        </div>
        <p role="status" class="import-status" data-testid="import-status" tabindex="-1">${this.#status()}</p>
        ${s.result?.periods.length ? html`<p class="hint">${w.periods(s.result.periods.join(', '))}</p>` : nothing}
        ${importRowErrors(s.result ? s.result.errors.items : (s.preview?.errors ?? []), locale, 'import-errors-h')}
      </section>
      <admin-import-history .ctx=${this.ctx}></admin-import-history>
    `;
  }
}

if (!customElements.get('admin-import-page')) customElements.define('admin-import-page', ImportPage);

export const importPage: ConsolePage = {
  id: 'import',
  title: { 'zh-CN': '批量导入', 'zh-TW': '批次匯入', en: 'Import' },
  // Internal audit reads how each import went and uploads nothing: the list, not the upload form.
  visible: (session) => (hasRole(session, 'officer') || isAuditor(session)) && !isBookScoped(session),
  render: (ctx) =>
    isAuditor(ctx.session)
      ? html`<admin-import-history data-page .ctx=${ctx}></admin-import-history>`
      : html`<admin-import-page data-page .ctx=${ctx}></admin-import-page>`,
};
