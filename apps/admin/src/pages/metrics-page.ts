import {
  addMetric,
  amendMetric,
  hasRole,
  isBookScoped,
  type KitError,
  kitError,
  lowersAudience,
  METRIC_AUDIENCES,
  type MetricAudience,
  type MetricAudienceRequest,
  type MetricEntry,
  type MetricInput,
  readMetricCatalogue,
  readPendingAudienceRequests,
  REASON_MAX,
  readSchemes,
  removeMetric,
  withdrawAudienceRequest,
} from '@tierkit/admin';
import type { MetricUnit, SchemeSummary, SubjectKind } from '@tierkit/core';
import { METRIC_UNITS, SUBJECT_KINDS } from '@tierkit/core/wire';
import { html, LitElement, nothing } from 'lit';
import { client } from '../console-client.js';
import { ModalDialog } from '../modal-dialog.js';
import type { ConsolePage, PageContext } from '../page.js';
import { type SchemeNames, schemeNames, standaloneName } from '../scheme-names.js';
import { staffName } from '../staff-name.js';
import { formatInstant } from '../time.js';
import { FAILURE_WORDS, whyFailed } from '../why-failed.js';
import type { ConsoleLocale } from '../words.js';
import { METRICS_WORDS } from './metrics.words.js';

/**
 * The schemes reading a metric, by name in the reader's language. `GET /v1/metrics` names every scheme
 * reading it, including one whose `readers` leave the reader out (the AML grade for an analyst), which
 * `GET /v1/schemes` leaves out: such a scheme is counted, never named, so the page shows no more of a
 * staff-only scheme than the reader's own reads do.
 */
function readersText(usedBy: readonly string[], names: SchemeNames, locale: ConsoleLocale): string {
  const shown = usedBy.filter((s) => names.known(s)).map((s) => names.schemeName(s));
  const hidden = usedBy.length - shown.length;
  return [...shown, ...(hidden ? [METRICS_WORDS[locale].unreadable(hidden)] : [])].join(locale === 'en' ? ', ' : '、');
}

/** A refusal with its schemes named as the table names them (the API's params carry their keys). */
function namedRefusal(e: KitError, names: SchemeNames, locale: ConsoleLocale): KitError {
  const name = (s: unknown) => (names.known(String(s)) ? names.schemeName(String(s)) : METRICS_WORDS[locale].unreadableScheme);
  if (!e.errors) return e;
  return {
    ...e,
    errors: e.errors.map((f) => {
      const p = f.params;
      if (!p || (p.schemes === undefined && p.scheme === undefined)) return f;
      return {
        ...f,
        params: {
          ...p,
          ...(Array.isArray(p.schemes) ? { schemes: [...new Set(p.schemes.map(name))] } : {}),
          ...(p.scheme !== undefined && p.scheme !== null ? { scheme: name(p.scheme) } : {}),
        },
      };
    }),
  };
}

type Dialog =
  | { readonly kind: 'add' }
  | { readonly kind: 'edit'; readonly entry: MetricEntry }
  | { readonly kind: 'remove'; readonly entry: MetricEntry };

/** Officers and above, tenant-wide, change the catalogue (docs/permissions.md); analysts read it. */
const mayChange = (ctx: PageContext) => hasRole(ctx.session, 'officer') && !isBookScoped(ctx.session);
/** Requests to lower an audience are filed, read and withdrawn by tenant-wide admins only. */
const isAdmin = (ctx: PageContext) => hasRole(ctx.session, 'admin') && !isBookScoped(ctx.session);

/**
 * The tenant's metric catalogue (packages/api/README.md, docs/policy-format.md "The metric catalogue"):
 * the table, and for those who may change it a dialog to add or change a metric and one to remove a
 * metric no version reads. Lowering who may see a metric is a request another admin decides on the
 * approvals page; it shows here as waiting, and its maker may withdraw it.
 */
export class MetricsPage extends LitElement {
  static override properties = {
    ctx: { attribute: false },
    metrics: { state: true },
    requests: { state: true },
    schemes: { state: true },
    loading: { state: true },
    loadError: { state: true },
    busy: { state: true },
    error: { state: true },
    check: { state: true },
    outcome: { state: true },
    dialog: { state: true },
    unit: { state: true },
    audience: { state: true },
  };

  declare ctx: PageContext | undefined;
  declare metrics: readonly MetricEntry[];
  declare requests: readonly MetricAudienceRequest[];
  declare schemes: readonly SchemeSummary[];
  declare loading: boolean;
  declare loadError: KitError | undefined;
  declare busy: boolean;
  /** A refusal of what the dialog sent, said inside it. */
  declare error: KitError | undefined;
  /** The page's own check of the dialog's fields, before anything is sent. */
  declare check: string;
  /** What the last action did, said in whichever language the console is in when it is shown. */
  declare outcome: ((locale: ConsoleLocale) => string) | undefined;
  declare dialog: Dialog | undefined;
  /** The unit picked in the dialog: a currency is asked only for money. */
  declare unit: MetricUnit;
  /** The audience picked in the dialog: a lowered one is a request, asked with its reason. */
  declare audience: MetricAudience;

  readonly #abort = new AbortController();
  readonly #modal = new ModalDialog(this, {
    isOpen: () => this.dialog !== undefined,
    busy: () => this.busy,
    close: () => {
      this.dialog = undefined;
      this.error = undefined;
      this.check = '';
    },
    fallback: () => this.querySelector('[data-testid="metrics-outcome"]'),
  });

  constructor() {
    super();
    this.metrics = [];
    this.requests = [];
    this.schemes = [];
    this.loading = true;
    this.loadError = undefined;
    this.busy = false;
    this.error = undefined;
    this.check = '';
    this.outcome = undefined;
    this.dialog = undefined;
    this.unit = 'money';
    this.audience = 'staff';
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  // The first render has the shell's context: whether to read the requests depends on who is signed in.
  protected override firstUpdated(): void {
    void this.#load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#abort.abort();
  }

  async #load(): Promise<void> {
    if (!this.ctx) return;
    this.loading = true;
    const signal = this.#abort.signal;
    try {
      const [metrics, requests, schemes] = await Promise.all([
        readMetricCatalogue(client, signal),
        isAdmin(this.ctx) ? readPendingAudienceRequests(client, signal) : Promise.resolve([]),
        // Only to name the schemes that read a metric: without them the keys say it.
        readSchemes(client, signal).catch(() => []),
      ]);
      this.metrics = metrics;
      this.requests = requests;
      this.schemes = schemes;
      this.loadError = undefined;
    } catch (err) {
      if (!signal.aborted) this.loadError = kitError(err);
    } finally {
      this.loading = false;
    }
  }

  #open(d: Dialog, e: Event): void {
    this.#modal.opening(e);
    this.error = undefined;
    this.check = '';
    this.unit = d.kind === 'edit' ? d.entry.unit : 'money';
    this.audience = d.kind === 'edit' ? d.entry.audience : 'staff';
    this.dialog = d;
  }

  /** After a change: the dialog closed, the table read again, and the outcome said where focus lands. */
  async #done(outcome: (locale: ConsoleLocale) => string): Promise<void> {
    this.dialog = undefined;
    this.outcome = outcome;
    // Closing the dialog hands focus back to its opener: the outcome takes it after, before the table is read again.
    await this.#modal.focus('[data-testid="metrics-outcome"]');
    await this.#load();
  }

  /** A refusal inside the dialog: said there, and focus on it so a screen reader hears it. */
  async #refused(err: unknown): Promise<void> {
    this.error = kitError(err);
    await this.#modal.focus('[data-testid="metric-dialog-error"]');
  }

  #inputOf(form: HTMLFormElement, d: Dialog & { kind: 'add' | 'edit' }): MetricInput | string {
    const w = METRICS_WORDS[this.ctx?.locale ?? 'zh-CN'];
    const value = (name: string) => ((form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null)?.value ?? '').trim();
    const key = d.kind === 'edit' ? d.entry.key : value('key');
    if (!key) return w.needKey;
    const label = { 'zh-CN': value('label-zh-CN'), 'zh-TW': value('label-zh-TW'), en: value('label-en') };
    if (!label['zh-CN'] || !label['zh-TW'] || !label.en) return w.needLabel;
    const unit = value('unit') as MetricUnit;
    const currency = value('currency').toUpperCase();
    if (unit === 'money' && !currency) return w.needCurrency;
    const kinds = [...form.querySelectorAll<HTMLInputElement>('input[name="kind"]:checked')].map((i) => i.value as SubjectKind);
    const actionable = (form.elements.namedItem('actionable') as HTMLInputElement).checked;
    return {
      key,
      unit,
      ...(unit === 'money' ? { currency } : {}),
      label,
      ...(kinds.length ? { subjectKinds: kinds } : {}),
      actionable,
      audience: value('audience') as MetricAudience,
    };
  }

  async #save(e: Event): Promise<void> {
    e.preventDefault();
    const d = this.dialog;
    if (this.busy || !this.ctx || !d || d.kind === 'remove') return;
    const form = e.target as HTMLFormElement;
    const input = this.#inputOf(form, d);
    const reason = (form.elements.namedItem('reason') as HTMLTextAreaElement | null)?.value.trim();
    this.error = undefined;
    if (typeof input === 'string' || reason === '') {
      this.check = typeof input === 'string' ? input : METRICS_WORDS[this.ctx.locale].needReason;
      await this.#modal.focus('[data-testid="metric-dialog-error"]');
      return;
    }
    this.check = '';
    this.busy = true;
    try {
      if (d.kind === 'add') {
        await addMetric(client, input);
        this.busy = false;
        await this.#done((l) => METRICS_WORDS[l].added(input.key));
      } else {
        const done = await amendMetric(client, input, reason);
        this.busy = false;
        await this.#done((l) => ('requested' in done ? METRICS_WORDS[l].requested(input.key) : METRICS_WORDS[l].changed(input.key)));
      }
    } catch (err) {
      this.busy = false;
      await this.#refused(err);
    }
  }

  async #remove(entry: MetricEntry): Promise<void> {
    if (this.busy || !this.ctx) return;
    this.busy = true;
    this.error = undefined;
    try {
      await removeMetric(client, entry.key);
      this.busy = false;
      await this.#done((l) => METRICS_WORDS[l].removed(entry.key));
    } catch (err) {
      this.busy = false;
      await this.#refused(err);
    }
  }

  async #withdraw(r: MetricAudienceRequest): Promise<void> {
    if (this.busy || !this.ctx) return;
    this.busy = true;
    this.loadError = undefined;
    try {
      await withdrawAudienceRequest(client, r.id);
      this.busy = false;
      await this.#done((l) => METRICS_WORDS[l].withdrawn(r.metric));
    } catch (err) {
      this.busy = false;
      const refused = kitError(err);
      this.outcome = (l) => `${METRICS_WORDS[l].failed}: ${whyFailed(refused, l)}`;
      await this.updateComplete;
      this.querySelector<HTMLElement>('[data-testid="metrics-outcome"]')?.focus();
    }
  }

  #unitText(m: Pick<MetricEntry, 'unit' | 'currency'>, locale: ConsoleLocale): string {
    const w = METRICS_WORDS[locale];
    return m.unit === 'money' && m.currency ? w.moneyIn(m.currency) : (w.units[m.unit] ?? m.unit);
  }

  #kindsText(m: MetricEntry, locale: ConsoleLocale): string {
    const kinds = FAILURE_WORDS[locale].says.subjectKinds;
    if (!m.subjectKinds?.length) return METRICS_WORDS[locale].anyKind;
    return m.subjectKinds.map((k) => kinds[k] ?? k).join(locale === 'en' ? ', ' : '、');
  }

  #row(m: MetricEntry, ctx: PageContext, names: ReturnType<typeof schemeNames>) {
    const locale = ctx.locale;
    const w = METRICS_WORDS[locale];
    const pending = this.requests.find((r) => r.metric === m.key && r.status === 'pending');
    const busy = this.busy ? 'true' : 'false';
    return html`<tr data-metric=${m.key}>
      <th scope="row"><code>${m.key}</code>${m.builtIn ? html` <span class="hint">${w.builtIn}</span>` : nothing}</th>
      <td>${standaloneName(m.label[locale], locale)}</td>
      <td>${this.#kindsText(m, locale)}</td>
      <td>${this.#unitText(m, locale)}</td>
      <td data-testid="metric-audience">
        ${w.audiences[m.audience] ?? m.audience}
        ${
          pending
            ? html`<p class="metric-pending" data-testid="metric-pending">${w.pending(w.audiences[pending.to] ?? pending.to)}
                <br /><span class="hint">${w.requestedBy} ${staffName(pending.requestedBy)} · ${w.lapses(formatInstant(pending.expiresAt, locale))}</span>
                ${pending.reason ? html`<br /><span class="hint" data-testid="metric-pending-reason">${w.reasonOf}${locale === 'en' ? ': ' : '：'}${pending.reason}</span>` : nothing}
                ${
                  pending.mayWithdraw
                    ? html`<br /><button type="button" data-testid="withdraw-audience" aria-label=${w.withdrawOf(m.key)} aria-disabled=${busy}
                        @click=${() => this.#withdraw(pending)}>${w.withdraw}</button>`
                    : nothing
                }</p>`
            : nothing
        }
      </td>
      <td>${m.usedBy.length ? readersText(m.usedBy, names, locale) : html`<span class="hint">${w.notUsed}</span>`}</td>
      ${
        mayChange(ctx)
          ? html`<td class="actions">
              <button type="button" data-action="edit" aria-label=${w.editOf(m.key)} @click=${(e: Event) => this.#open({ kind: 'edit', entry: m }, e)}>${w.edit}</button>
              ${
                m.usedBy.length === 0
                  ? html`<button type="button" data-action="remove" aria-label=${w.removeOf(m.key)} @click=${(e: Event) => this.#open({ kind: 'remove', entry: m }, e)}>${w.remove}</button>`
                  : nothing
              }
            </td>`
          : nothing
      }
    </tr>`;
  }

  #problem() {
    if (!this.ctx) return nothing;
    const locale = this.ctx.locale;
    const refused = this.error && namedRefusal(this.error, schemeNames(this.schemes, locale), locale);
    const text = this.check || (refused ? `${METRICS_WORDS[locale].failed}: ${whyFailed(refused, locale)}` : '');
    return this.#modal.refusal('metric-dialog-error', text);
  }

  #form(ctx: PageContext, d: Dialog & { kind: 'add' | 'edit' }) {
    const locale = ctx.locale;
    const w = METRICS_WORDS[locale];
    const e = d.kind === 'edit' ? d.entry : undefined;
    const locked = (e?.usedBy.length ?? 0) > 0;
    const names = schemeNames(this.schemes, locale);
    const kinds = FAILURE_WORDS[locale].says.subjectKinds;
    const admin = isAdmin(ctx);
    // Below admin, a lowered audience is refused (governance): offered only what the role may set.
    const audiences = METRIC_AUDIENCES.filter((a) => admin || !e || !lowersAudience(e.audience, a));
    return html`<form data-testid="metric-form" @submit=${this.#save}>
      <h3 id="metrics-dialog-h">${e ? w.editTitle(e.key) : w.addTitle}</h3>
      ${
        e
          ? nothing
          : html`<label>${w.key}<input name="key" required maxlength="64" pattern="[A-Za-z0-9_.\\-]+" autocomplete="off" aria-describedby="metric-key-hint" /></label>
            <span class="hint" id="metric-key-hint">${w.keyHint}</span>`
      }
      ${(['zh-CN', 'zh-TW', 'en'] as const).map(
        (l) => html`<label>${w.labelIn[l]}<input name="label-${l}" required maxlength="200" .value=${e?.label[l] ?? ''} /></label>`,
      )}
      <fieldset ?disabled=${locked} aria-describedby=${locked ? 'metric-locked' : nothing}>
        <legend>${w.unit} · ${w.kinds}</legend>
        ${locked ? html`<p class="hint" id="metric-locked">${w.kindsLocked(readersText(e?.usedBy ?? [], names, locale))}</p>` : nothing}
        <label>${w.unit}<select name="unit" @change=${(ev: Event) => {
          this.unit = (ev.target as HTMLSelectElement).value as MetricUnit;
        }}>${METRIC_UNITS.map((u) => html`<option value=${u} ?selected=${u === this.unit}>${w.units[u]}</option>`)}</select></label>
        ${this.unit === 'money' ? html`<label>${w.currency}<input name="currency" maxlength="3" autocomplete="off" .value=${e?.currency ?? 'CNY'} /></label>` : nothing}
        <div role="group" aria-labelledby="metric-kinds-h" aria-describedby="metric-kinds-hint">
          <span id="metric-kinds-h">${w.kinds}</span>
          ${SUBJECT_KINDS.map(
            (k) =>
              html`<label class="check"><input type="checkbox" name="kind" value=${k} ?checked=${e?.subjectKinds?.includes(k) ?? false} />${kinds[k] ?? k}</label>`,
          )}
          <span class="hint" id="metric-kinds-hint">${w.kindsHint}</span>
        </div>
      </fieldset>
      <label>${w.audience}<select name="audience" aria-describedby="metric-audience-hint" @change=${(ev: Event) => {
        this.audience = (ev.target as HTMLSelectElement).value as MetricAudience;
      }}>${audiences.map((a) => html`<option value=${a} ?selected=${a === (e?.audience ?? 'staff')}>${w.audiences[a]}</option>`)}</select></label>
      <span class="hint" id="metric-audience-hint">${admin ? w.lowerHint : w.lowerAdminOnly}</span>
      ${
        // A lowering is a request another admin decides on the maker's word: asked here, with it.
        e && lowersAudience(e.audience, this.audience)
          ? html`<label>${w.reason}<textarea name="reason" rows="3" required maxlength=${REASON_MAX} aria-describedby="metric-reason-hint"></textarea></label>
            <span class="hint" id="metric-reason-hint">${w.reasonHint(REASON_MAX)}</span>`
          : nothing
      }
      <label class="check"><input type="checkbox" name="actionable" ?checked=${e?.actionable ?? true} />${w.actionable}</label>
      ${this.#problem()}
      <div class="actions">
        <button type="submit" aria-disabled=${this.busy ? 'true' : 'false'}>${this.busy ? w.saving : w.save}</button>
        <button type="button" @click=${() => this.#modal.dismiss()}>${w.cancel}</button>
      </div>
    </form>`;
  }

  #dialogBody() {
    const ctx = this.ctx;
    const d = this.dialog;
    if (!ctx || !d) return nothing;
    if (d.kind !== 'remove') return this.#form(ctx, d);
    const w = METRICS_WORDS[ctx.locale];
    return html`<h3 id="metrics-dialog-h">${w.removeOf(d.entry.key)}</h3>
      <p>${w.confirmRemove(d.entry.key)}</p>
      ${this.#problem()}
      <div class="actions">
        <button type="button" class="danger" data-action="confirm-remove" aria-disabled=${this.busy ? 'true' : 'false'} @click=${() => this.#remove(d.entry)}>${w.confirm}</button>
        <button type="button" autofocus @click=${() => this.#modal.dismiss()}>${w.cancel}</button>
      </div>`;
  }

  override render() {
    const ctx = this.ctx;
    if (!ctx) return nothing;
    const locale = ctx.locale;
    const w = METRICS_WORDS[locale];
    const names = schemeNames(this.schemes, locale);
    const status = this.loading
      ? w.loading
      : this.loadError
        ? `${w.loadFailed}: ${whyFailed(this.loadError, locale)}`
        : this.metrics.length
          ? w.count(this.metrics.length)
          : w.empty;
    return html`
      <section class="card metrics" aria-labelledby="metrics-h">
        <h2 id="metrics-h">${w.title}</h2>
        <p class="hint">${w.hint}</p>
        ${mayChange(ctx) ? nothing : html`<p class="hint" data-testid="metrics-read-only">${w.readOnly}</p>`}
        <p role="status" class="hint" data-testid="metrics-status">${status}</p>
        ${this.loadError && !this.loading ? html`<button type="button" data-action="retry" @click=${() => this.#load()}>${w.retry}</button>` : nothing}
        <p role="status" class="hint" data-testid="metrics-outcome" tabindex="-1">${this.outcome?.(locale) ?? ''}</p>
        ${
          mayChange(ctx) && !this.loadError
            ? html`<div class="actions"><button type="button" data-action="add-metric" @click=${(e: Event) => this.#open({ kind: 'add' }, e)}>${w.add}</button></div>`
            : nothing
        }
        ${
          this.metrics.length
            ? html`<table class="metrics-table" aria-labelledby="metrics-h" aria-busy=${this.loading ? 'true' : 'false'}>
              <thead><tr>
                <th scope="col">${w.key}</th><th scope="col">${w.label}</th><th scope="col">${w.kinds}</th>
                <th scope="col">${w.unit}</th><th scope="col">${w.audience}</th><th scope="col">${w.usedBy}</th>
                ${mayChange(ctx) ? html`<th scope="col">${w.actions}</th>` : nothing}
              </tr></thead>
              <tbody>${this.metrics.map((m) => this.#row(m, ctx, names))}</tbody>
            </table>`
            : nothing
        }
      </section>
      ${this.#modal.render(
        { className: 'keys-dialog metrics-dialog', testid: 'metrics-dialog', labelledBy: 'metrics-dialog-h' },
        this.#dialogBody(),
      )}
    `;
  }
}

if (!customElements.get('admin-metrics-page')) customElements.define('admin-metrics-page', MetricsPage);

/** Tenant-wide analysts and above read the catalogue (the API's rule); officers and above change it. */
export const metricsPage: ConsolePage = {
  id: 'metrics',
  title: { 'zh-CN': '指标目录', 'zh-TW': '指標目錄', en: 'Metrics' },
  visible: (session) => hasRole(session, 'analyst') && !isBookScoped(session),
  render: (ctx) => html`<admin-metrics-page data-page .ctx=${ctx}></admin-metrics-page>`,
};
