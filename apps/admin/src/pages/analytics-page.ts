import {
  type AnalyticsPart,
  Analytics,
  type AnalyticsRange,
  type AnalyticsState,
  type EffectQuery,
  hasRole,
  isBookScoped,
  isProvisional,
  provisionalMonths,
} from '@tierkit/admin';
import { query } from '@tierkit/client';
import { StoreController } from '@tierkit/admin/lit';
import { monthsBack } from '@tierkit/core/months';
import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { bankTimeZone, lastClosedMonth } from '../time.js';
import { client } from '../console-client.js';
import type { ConsolePage, PageContext } from '../page.js';
import type { ChartHandle, Labels } from './analytics-charts.js';
import { count, FEW_TO_COMPARE, meanText, tooFew } from './analytics-format.js';
import { ANALYTICS_WORDS } from './analytics.words.js';
import { whyFailed } from '../why-failed.js';
import { csvText, downloadCsv, type CsvCell } from '../csv.js';
import { askedEffect, bandLimits, comparedStrata, effectParams, sameEffect, uncomparedMovers } from './analytics-effect-view.js';
import { distributionRows, effectRows, migrationRows, ratesRows, strataRows, type CsvNames } from './analytics-csv.js';
import { schemeNames, standaloneName } from '../scheme-names.js';

type ChartsModule = typeof import('./analytics-charts.js');
type ChartKey = 'distribution' | 'migration' | 'rates' | 'effect';

const DEFAULT_SCHEME = 'retail-tier';

/**
 * Where an effect evaluation starts when nobody has asked yet: the month with the most policy upgrades that
 * still has a month after it in the range, followed up to six months (or to the range's end).
 */
function busiestMonth(periods: readonly string[], upgrades: readonly number[]): { period: string; months: number } | undefined {
  let best = -1;
  for (let i = 0; i < periods.length - 1; i++)
    if ((upgrades[i] ?? 0) > 0 && (best < 0 || (upgrades[i] ?? 0) > (upgrades[best] ?? 0))) best = i;
  const period = periods[best];
  return period === undefined ? undefined : { period, months: Math.min(6, periods.length - 1 - best) };
}

/**
 * Analytics of a scheme's tier history: levels per month, the migration between two months as a heat
 * map, up/down rates, and the effect evaluation of movers against comparable stayers. The charts'
 * library is loaded by `import()` when this page is first shown (its own chunk); until then, and if it
 * fails, the tables — which every chart has — carry all the figures.
 */
export class AnalyticsPage extends LitElement {
  static override properties = { ctx: { attribute: false }, charts: { state: true } };

  declare ctx: PageContext | undefined;
  declare charts: 'loading' | 'ready' | 'error';

  readonly #a = new StoreController(this, new Analytics(client));
  /** The range shown when the route names none: the default one of this session. */
  #firstRange: AnalyticsRange | undefined;
  #lib: ChartsModule | undefined;
  /** The chart on each canvas and the answer it shows: redrawn only when the answer changes. */
  readonly #drawn = new Map<ChartKey, { handle: ChartHandle; data: unknown; locale: string }>();

  constructor() {
    super();
    this.charts = 'loading';
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  /** The strata tables a print opened, closed again after it. */
  #openedForPrint: HTMLDetailsElement[] = [];
  // A closed <details> prints its summary alone: the strata a printed evaluation rests on would be lost.
  readonly #beforePrint = (): void => {
    this.#openedForPrint = [...this.querySelectorAll<HTMLDetailsElement>('details.analytics-strata:not([open])')];
    for (const d of this.#openedForPrint) d.open = true;
  };
  readonly #afterPrint = (): void => {
    for (const d of this.#openedForPrint) d.open = false;
    this.#openedForPrint = [];
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('beforeprint', this.#beforePrint);
    window.addEventListener('afterprint', this.#afterPrint);
    if (this.#lib) return;
    import('./analytics-charts.js').then(
      (lib) => {
        this.#lib = lib;
        this.charts = 'ready';
      },
      () => {
        this.charts = 'error';
      },
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('beforeprint', this.#beforePrint);
    window.removeEventListener('afterprint', this.#afterPrint);
    this.#a.store.cancel();
    for (const d of this.#drawn.values()) d.handle.destroy();
    this.#drawn.clear();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('ctx') || !this.ctx) return;
    if (changed.get('ctx')?.session.actor !== this.ctx.session.actor) {
      void this.#start();
      return;
    }
    // Back and forward through ranges looked at (`#/analytics?scheme=…&from=…&to=…`).
    // A route without a range is the first one shown.
    const asked = this.#askedRange() ?? this.#firstRange;
    const range = this.#a.state.range;
    if (asked && asked.scheme !== range?.scheme) void this.#loadMetrics(asked.scheme);
    if (asked && (asked.scheme !== range?.scheme || asked.from !== range.from || asked.to !== range.to)) void this.#a.store.setRange(asked);
    // And the effect evaluation the route names (its month, direction, months, metric): a linked view.
    const scheme = asked?.scheme ?? range?.scheme;
    const effect = scheme === undefined ? undefined : askedEffect(this.ctx.params, scheme);
    if (effect && !this.#book && !sameEffect(effect, this.#a.state.effectQuery)) void this.#a.store.evaluate(effect);
  }

  /** The route of what is shown: the range, and the effect evaluation asked for, so a view can be linked. */
  #route(range: AnalyticsRange, effect: EffectQuery | undefined): string {
    return `analytics${query({ ...range, ...(effect && effect.scheme === range.scheme ? effectParams(effect) : {}) })}`;
  }

  /** The range the route names, when it names a whole one. */
  #askedRange(): AnalyticsRange | undefined {
    const p = this.ctx?.params;
    const scheme = p?.get('scheme');
    const from = p?.get('from');
    const to = p?.get('to');
    return scheme && from && to ? { scheme, from, to } : undefined;
  }

  /**
   * A book-scoped session (an RM, a team lead): the API counts only the customers in its reach, and
   * refuses the effect evaluation and its metric catalogue (they compare cohorts of the whole bank).
   */
  get #book(): boolean {
    return isBookScoped(this.ctx?.session);
  }

  /** The scheme whose metrics were last asked for, and that read. */
  #metricsAsked: { scheme: string; read: Promise<void> } | undefined;

  /**
   * The metrics of `scheme`, read once: at start-up the route's first update arrives while the range is
   * still loading, and would ask a second time for what #start already asks.
   */
  #loadMetrics(scheme: string): Promise<void> {
    if (this.#book) return Promise.resolve();
    if (this.#metricsAsked?.scheme !== scheme) this.#metricsAsked = { scheme, read: this.#a.store.loadMetrics(scheme) };
    return this.#metricsAsked.read;
  }

  async #start(): Promise<void> {
    this.#metricsAsked = undefined;
    const to = lastClosedMonth();
    const from = monthsBack(to, 12)[11] as string;
    const store = this.#a.store;
    await store.loadSchemes();
    const schemes = store.state.schemes.data ?? [];
    const asked = this.ctx?.params.get('scheme');
    const scheme = schemes.find((s) => s.key === asked)?.key ?? schemes.find((s) => s.key === DEFAULT_SCHEME)?.key ?? schemes[0]?.key;
    if (!scheme) return;
    this.#firstRange = { scheme, from, to };
    const linked = this.#askedRange();
    await Promise.all([store.setRange(linked?.scheme === scheme ? linked : this.#firstRange), this.#loadMetrics(scheme)]);
    if (this.#book) return;
    const { period, months } = busiestMonth(store.state.rates.data?.periods ?? [], store.state.rates.data?.policy.upgrades ?? []) ?? {
      period: monthsBack(to, 7)[6] as string,
      months: 6,
    };
    // A linked evaluation as the route names it; else the tenant's default metric (its balances), or —
    // the catalogue unread — the API's own choice of it.
    const linkedEffect = askedEffect(this.ctx?.params, scheme);
    const metric = store.state.metrics.data?.default ?? undefined;
    await store.evaluate(linkedEffect ?? { scheme, period, direction: 'up', months, ...(metric ? { metric } : {}) });
  }

  #field(form: HTMLFormElement, name: string): string {
    return (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null)?.value.trim() ?? '';
  }

  #showRange(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const scheme = this.#field(form, 'scheme');
    const range = { scheme, from: this.#field(form, 'from'), to: this.#field(form, 'to') };
    if (scheme !== this.#a.state.range?.scheme) void this.#loadMetrics(scheme);
    void this.#a.store.setRange(range);
    const q = this.#a.state.effectQuery;
    // The effect follows the scheme picked; its months are its own form's.
    const effect = q && q.scheme !== scheme ? { ...q, scheme } : q;
    if (effect && effect !== q && !this.#book) void this.#a.store.evaluate(effect);
    this.ctx?.navigate(this.#route(range, effect));
  }

  #evaluate(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const range = this.#a.state.range;
    if (!range) return;
    const metric = this.#field(form, 'metric');
    const query: EffectQuery = {
      scheme: range.scheme,
      period: this.#field(form, 'period'),
      direction: this.#field(form, 'direction') === 'down' ? 'down' : 'up',
      months: Number(this.#field(form, 'months')) || 6,
      ...(metric ? { metric } : {}),
      ...(this.#field(form, 'overrides') === 'include' ? { overrides: 'include' as const } : {}),
    };
    void this.#a.store.evaluate(query);
    this.ctx?.navigate(this.#route(range, query));
  }

  /**
   * A metric in the catalogue's own label, the one source of metric names (the picker, the notes, the
   * strata and the CSV say it alike); its key until the catalogue is read.
   */
  #metricLabel(key: string): string {
    const locale = this.ctx?.locale ?? 'zh-CN';
    return this.#a.state.metrics.data?.items.find((m) => m.key === key)?.label[locale] ?? key;
  }

  /**
   * The metrics an evaluation may follow: the tenant's catalogue. Until the catalogue is read (or if it
   * cannot be), the one being shown, so the form still says what it evaluates.
   */
  #effectMetrics(): { key: string; label: string }[] {
    const locale = this.ctx?.locale ?? 'zh-CN';
    const items = this.#a.state.metrics.data?.items;
    if (items) return items.map((m) => ({ key: m.key, label: standaloneName(m.label[locale] ?? m.key, locale) }));
    const shown = this.#a.state.effect.data?.metric.key ?? this.#a.state.effectQuery?.metric;
    return shown ? [{ key: shown, label: shown }] : [];
  }

  #csvNames(): CsvNames {
    const l = this.#labels();
    return { locale: l.locale, level: l.level, metric: (key) => this.#metricLabel(key) };
  }

  /** A button that offers a table's figures as CSV, named for the table it exports. */
  #csvButton(what: string, file: string, rows: () => CsvCell[][]): TemplateResult {
    const w = ANALYTICS_WORDS[this.ctx?.locale ?? 'zh-CN'];
    return html`<p class="analytics-export"><button type="button" data-csv=${file} aria-label=${w.csvOf(what)}
      @click=${() => downloadCsv(`${file}.csv`, csvText(rows()))}>${w.csv}</button></p>`;
  }

  #labels(): Labels {
    const locale = this.ctx?.locale ?? 'zh-CN';
    const names = schemeNames(this.#a.state.schemes.data ?? [], locale);
    const scheme = this.#a.state.range?.scheme;
    return { locale, level: (key) => (scheme === undefined ? key : names.levelName(scheme, key)) };
  }

  protected override updated(): void {
    const lib = this.#lib;
    const s = this.#a.state;
    if (!lib || !this.ctx) return;
    const w = ANALYTICS_WORDS[this.ctx.locale];
    const l = this.#labels();
    const draw = (key: ChartKey, data: unknown, make: (canvas: HTMLCanvasElement) => ChartHandle) => {
      const canvas = this.querySelector<HTMLCanvasElement>(`canvas[data-chart="${key}"]`);
      const prev = this.#drawn.get(key);
      if (prev && prev.data === data && prev.locale === l.locale && prev.handle.canvas === canvas) return;
      prev?.handle.destroy();
      this.#drawn.delete(key);
      if (canvas && data) this.#drawn.set(key, { handle: make(canvas), data, locale: l.locale });
    };
    const d = s.distribution.data;
    draw('distribution', d, (c) => lib.distributionChart(c, d!, l));
    const m = s.migration.data;
    draw('migration', m, (c) => lib.migrationChart(c, m!, l, { x: w.toLevel(m!.to), y: w.fromLevel(m!.from) }));
    const r = s.rates.data;
    draw('rates', r, (c) => lib.ratesChart(c, r!, l, { up: w.policyUpgradeRate, down: w.policyDowngradeRate }));
    const e = s.effect.data;
    draw('effect', e, (c) => lib.effectChart(c, e!, l, { moved: w.movedLegend, stayed: w.stayedLegend, monthsAfter: w.monthsAfter }));
  }

  /** The status line of one part: loading, its problem, or nothing to show. */
  #status(part: AnalyticsPart<unknown>, empty: boolean, emptyText?: string): string {
    const w = ANALYTICS_WORDS[this.ctx?.locale ?? 'zh-CN'];
    if (part.status === 'loading') return w.loading;
    if (part.status === 'error') return `${w.failed}: ${whyFailed(part.error, this.ctx?.locale ?? 'zh-CN')}`;
    if (part.status === 'ready' && empty) return emptyText ?? w.noData;
    return '';
  }

  /** A chart's canvas (its short description as its name) over the table that holds its figures. */
  #figure(key: ChartKey, summary: string, table: TemplateResult): TemplateResult {
    const w = ANALYTICS_WORDS[this.ctx?.locale ?? 'zh-CN'];
    return html`
      ${this.charts === 'ready' ? html`<div class="analytics-chart analytics-chart-${key}"><canvas data-chart=${key} role="img" aria-label=${summary}></canvas></div>` : nothing}
      ${this.charts === 'error' ? html`<p class="hint">${w.chartFailed}</p>` : this.charts === 'loading' ? html`<p class="hint">${w.chartLoading}</p>` : nothing}
      <div class="analytics-table" role="region" tabindex="0" aria-label=${summary}>${table}</div>
    `;
  }

  #distribution(): TemplateResult {
    const w = ANALYTICS_WORDS[this.ctx?.locale ?? 'zh-CN'];
    const p = this.#a.state.distribution;
    const d = p.data;
    const empty = !d || d.totals.every((n) => n === 0);
    const l = this.#labels();
    return html`<section class="card analytics-part" aria-labelledby="an-dist-h" data-testid="analytics-distribution">
      <h2 id="an-dist-h">${w.distribution}</h2>
      <p role="status" class="hint">${this.#status(p, empty)}</p>
      ${d && !empty ? this.#notEvaluated(d.periods, d.evaluated, d.evaluatedThrough) : nothing}
      ${d && !empty ? this.#provisional(provisionalMonths(d), d.finalThrough) : nothing}
      ${
        d && !empty
          ? this.#figure(
              'distribution',
              w.distributionSummary(d.totals.at(-1) ?? 0, d.periods.length),
              html`<table class="analytics-grid">
                <thead><tr><th scope="col">${w.month}</th>${d.levels.map((k) => html`<th scope="col">${l.level(k)}</th>`)}<th scope="col">${w.total}</th></tr></thead>
                <tbody>${d.periods.map(
                  (period, i) =>
                    html`<tr><th scope="row">${this.#month(period, d.evaluated[i], d.final[i])}</th>${d.series.map((s) => html`<td>${count(s.counts[i])}</td>`)}<td>${count(d.totals[i])}</td></tr>`,
                )}</tbody>
              </table>`,
            )
          : nothing
      }
      ${d && !empty ? this.#csvButton(w.distribution, `distribution-${d.scheme}-${d.periods[0]}-${d.periods.at(-1)}`, () => distributionRows(d, this.#csvNames())) : nothing}
    </section>`;
  }

  #migration(): TemplateResult {
    const w = ANALYTICS_WORDS[this.ctx?.locale ?? 'zh-CN'];
    const p = this.#a.state.migration;
    const m = p.data;
    const range = this.#a.state.range;
    const empty = !m || m.totals.both + m.totals.entered === 0;
    const l = this.#labels();
    return html`<section class="card analytics-part" aria-labelledby="an-mig-h" data-testid="analytics-migration">
      <h2 id="an-mig-h">${w.migration(m?.from ?? range?.from ?? '', m?.to ?? range?.to ?? '')}</h2>
      <p role="status" class="hint">${this.#status(p, empty)}</p>
      ${
        m && !empty
          ? html`${m.evaluated === false ? html`<p class="not-evaluated" data-testid="migration-not-evaluated">${w.migrationNotEvaluated(m.to, m.evaluatedThrough)}</p>` : nothing}
            ${isProvisional(m) ? html`<p class="provisional" data-testid="migration-provisional">${w.migrationProvisional(m.to)}</p>` : nothing}
            <p data-testid="migration-totals">${w.migrationTotals(m.totals)}</p>
            <p data-testid="migration-by-cause">${w.migrationByCause(m.policy.totals, m.override.totals, m.totals.heldByOverride, m.from)}</p>
            ${this.#figure(
              'migration',
              w.migrationSummary(m.totals.up, m.totals.down, m.totals.same, m.totals.heldByOverride),
              html`<table class="analytics-grid analytics-heat">
                <thead><tr><th scope="col">${w.fromLevel(m.from)} \\ ${w.toLevel(m.to)}</th>${m.levels.map((k) => html`<th scope="col">${l.level(k)}</th>`)}</tr></thead>
                <tbody>
                  ${m.levels.map(
                    (from, i) =>
                      html`<tr><th scope="row">${l.level(from)}</th>${m.levels.map(
                        (_, j) => html`<td class=${i === j ? 'same' : i < j ? 'up' : 'down'}>${count(m.matrix[i]?.[j])}</td>`,
                      )}</tr>`,
                  )}
                  <tr><th scope="row">${w.entered}</th>${m.entered.map((n) => html`<td>${count(n)}</td>`)}</tr>
                </tbody>
              </table>`,
            )}
            <ul class="analytics-legend" aria-label=${w.legend} data-testid="migration-legend">
              <li class="up">${w.legendUp}</li><li class="down">${w.legendDown}</li><li class="same">${w.legendSame}</li>
            </ul>
            ${this.#csvButton(w.migration(m.from, m.to), `migration-${m.scheme}-${m.from}-${m.to}`, () => migrationRows(m, this.#csvNames()))}`
          : nothing
      }
    </section>`;
  }

  #rates(): TemplateResult {
    const w = ANALYTICS_WORDS[this.ctx?.locale ?? 'zh-CN'];
    const p = this.#a.state.rates;
    const r = p.data;
    const empty = !r || r.base.every((n) => n === 0);
    const pct = (v: number | null) => (v === null ? w.none : `${(Math.round(v * 10_000) / 100).toFixed(2)}%`);
    // A month not re-tiered yet has no policy figures: said so in their cells, never 0 or 0 %.
    const policy = (i: number, text: string) =>
      r?.evaluated[i] === false ? html`<td class="not-evaluated">${w.notEvaluated}</td>` : html`<td>${text}</td>`;
    return html`<section class="card analytics-part" aria-labelledby="an-rates-h" data-testid="analytics-rates">
      <h2 id="an-rates-h">${w.rates}</h2>
      <p role="status" class="hint">${this.#status(p, empty)}</p>
      ${r && !empty ? this.#notEvaluated(r.periods, r.evaluated, r.evaluatedThrough) : nothing}
      ${r && !empty ? this.#provisional(provisionalMonths(r), r.finalThrough) : nothing}
      ${
        r && !empty
          ? html`${this.#figure(
              'rates',
              w.ratesSummary,
              html`<table class="analytics-grid">
                <thead><tr>
                  <th scope="col">${w.month}</th><th scope="col">${w.base}</th><th scope="col">${w.policyUpgrades}</th>
                  <th scope="col">${w.policyUpgradeRate}</th><th scope="col">${w.policyDowngrades}</th><th scope="col">${w.policyDowngradeRate}</th>
                  <th scope="col">${w.overrideUpgrades}</th><th scope="col">${w.overrideDowngrades}</th>
                </tr></thead>
                <tbody>${r.periods.map(
                  (
                    period,
                    i,
                  ) => html`<tr><th scope="row">${this.#month(period, r.evaluated[i], r.final[i])}</th><td>${count(r.base[i])}</td>
                    ${policy(i, count(r.policy.upgrades[i]))}${policy(i, pct(r.policy.upgradeRate[i] ?? null))}
                    ${policy(i, count(r.policy.downgrades[i]))}${policy(i, pct(r.policy.downgradeRate[i] ?? null))}
                    <td>${count(r.override.upgrades[i])}</td><td>${count(r.override.downgrades[i])}</td></tr>`,
                )}</tbody>
              </table>`,
            )}
            <p class="hint">${w.ratesNote}</p>
            ${this.#csvButton(w.rates, `rates-${r.scheme}-${r.periods[0]}-${r.periods.at(-1)}`, () => ratesRows(r, this.#csvNames()))}`
          : nothing
      }
    </section>`;
  }

  /**
   * A month's row header: the month, and when the rules have not evaluated it yet, or its figures are
   * not final yet (provisional), said so in words beside it.
   */
  #month(period: string, evaluated: boolean | undefined, final: boolean | undefined): TemplateResult {
    const w = ANALYTICS_WORDS[this.ctx?.locale ?? 'zh-CN'];
    if (evaluated === false) return html`${period} <span class="not-evaluated">(${w.notEvaluated})</span>`;
    return final === false ? html`${period} <span class="provisional">(${w.provisional})</span>` : html`${period}`;
  }

  /** The note over a table whose range reaches months whose figures may still change, and why. */
  #provisional(months: readonly string[], through: string | null): TemplateResult | typeof nothing {
    const w = ANALYTICS_WORDS[this.ctx?.locale ?? 'zh-CN'];
    return months.length === 0 ? nothing : html`<p class="provisional" data-testid="provisional">${w.provisionalNote(months, through)}</p>`;
  }

  /** The note over a table whose range reaches months the rules have not evaluated yet. */
  #notEvaluated(periods: readonly string[], evaluated: readonly boolean[], through: string | null): TemplateResult | typeof nothing {
    const w = ANALYTICS_WORDS[this.ctx?.locale ?? 'zh-CN'];
    const months = periods.filter((_, i) => evaluated[i] === false);
    return months.length === 0
      ? nothing
      : html`<p class="not-evaluated" data-testid="not-evaluated">${w.notEvaluatedNote(months, through)}</p>`;
  }

  #effect(): TemplateResult {
    const locale = this.ctx?.locale ?? 'zh-CN';
    const w = ANALYTICS_WORDS[locale];
    const p = this.#a.state.effect;
    const e = p.data;
    const q = this.#a.state.effectQuery;
    // Nothing to draw unless some mover was matched with stayers in some month.
    const empty = !e || e.matched.moved.counts.every((n) => n === 0);
    const value = (v: number | null | undefined) => (v === null || v === undefined || !e ? w.none : meanText(v, e.metric, locale));
    // Months whose comparison rests on a handful of customers: their effect is marked, and said so.
    const few = e ? e.monthsAfter.filter((_, i) => e.matched.moved.counts[i] && tooFew(e, i)).length : 0;
    const metricLabel = e ? this.#metricLabel(e.metric.key) : '';
    // Movers but no stratum with stayers: said so, never "no data".
    const noComparable = e && empty && e.cohorts.moved > 0 ? w.noComparable(e.cohorts.moved) : undefined;
    const left = e && !empty ? uncomparedMovers(e) : 0;
    return html`<section class="card analytics-part" aria-labelledby="an-eff-h" data-testid="analytics-effect">
      <h2 id="an-eff-h">${w.effect}</h2>
      <form class="filters" aria-label=${w.effectForm} @submit=${this.#evaluate}>
        <label>${w.period} <input name="period" type="month" required .value=${q?.period ?? ''} max=${lastClosedMonth()}></label>
        <label>${w.direction}
          <select name="direction">
            <option value="up" ?selected=${q?.direction !== 'down'}>${w.up}</option>
            <option value="down" ?selected=${q?.direction === 'down'}>${w.down}</option>
          </select>
        </label>
        <label>${w.months} <input name="months" type="number" min="1" max="24" required .value=${String(q?.months ?? 6)}></label>
        <label>${w.metric}
          <select name="metric">
            ${this.#effectMetrics().map(
              ({ key, label }) =>
                html`<option value=${key} ?selected=${(q?.metric ?? e?.metric.key ?? this.#a.state.metrics.data?.default) === key}>${label}</option>`,
            )}
          </select>
        </label>
        <label>${w.overrides}
          <select name="overrides">
            <option value="exclude" ?selected=${q?.overrides !== 'include'}>${w.overridesExclude}</option>
            <option value="include" ?selected=${q?.overrides === 'include'}>${w.overridesInclude}</option>
          </select>
        </label>
        <button type="submit" ?disabled=${!this.#a.state.range}>${w.evaluate}</button>
      </form>
      <p role="status" class="hint" data-testid="effect-status">${this.#status(p, empty, noComparable)}</p>
      ${
        e
          ? html`${e.evaluated === false ? html`<p class="not-evaluated" data-testid="effect-not-evaluated">${w.effectNotEvaluated(e.period)}</p>` : nothing}
            ${isProvisional(e) ? html`<p class="provisional" data-testid="effect-provisional">${w.effectProvisional(e.period)}</p>` : nothing}
            ${
              e.monthsAvailable < e.monthsAsked
                ? html`<p class="hint" data-testid="effect-months-available">${w.effectMonthsAvailable(e.monthsAvailable, e.monthsAsked)}</p>`
                : nothing
            }
            <p data-testid="effect-cohorts">${w.cohorts(e.cohorts.moved, e.cohorts.stayed)}
              ${e.overrides === 'include' || e.cohorts.overrideMoved > 0 ? w.overrideMoved(e.cohorts.overrideMoved, e.overrides === 'include') : nothing}
              ${e.cohorts.heldByOverride > 0 ? w.heldByOverride(e.cohorts.heldByOverride) : nothing}
              ${w.strata(e.strata.length, comparedStrata(e), metricLabel)}</p>
            ${left > 0 ? html`<p class="hint" data-testid="effect-uncompared">${w.uncompared(left, e.cohorts.moved, e.matched.moved.counts[0] ?? 0)}</p>` : nothing}
            ${
              empty
                ? nothing
                : this.#figure(
                    'effect',
                    w.effectSummary(e.cohorts.moved, e.cohorts.stayed),
                    html`<table class="analytics-grid">
                      <thead><tr>
                        <th scope="col">${w.monthsAfter}</th><th scope="col">${w.movedN}</th><th scope="col">${w.movedChange}</th>
                        <th scope="col">${w.stayedN}</th><th scope="col">${w.stayedChange}</th><th scope="col">${w.effectCol}</th>
                      </tr></thead>
                      <tbody>${e.monthsAfter.map(
                        (k, i) => html`<tr><th scope="row">+${k} · ${e.periods[i]}</th>
                          <td>${count(e.matched.moved.counts[i])}</td><td>${value(e.matched.moved.meanChange[i])}</td>
                          <td>${count(e.matched.stayed.counts[i])}</td><td>${value(e.matched.stayed.meanChange[i])}</td>
                          <td>${value(e.matched.effect[i])}${
                            e.matched.moved.counts[i] && tooFew(e, i) ? html` <span class="few">${w.fewMark}</span>` : nothing
                          }</td></tr>`,
                      )}</tbody>
                    </table>`,
                  )
            }
            ${few > 0 ? html`<p class="hint" data-testid="effect-few">${w.fewNote(FEW_TO_COMPARE)}</p>` : nothing}
            <p class="hint">${w.effectNote(metricLabel)}</p>
            ${this.#strata(e, metricLabel)}
            ${this.#csvButton(w.effect, `effect-${e.scheme}-${e.period}-${e.direction}-${e.metric.key}`, () => effectRows(e, this.#csvNames()))}`
          : nothing
      }
    </section>`;
  }

  /** The strata of an evaluation: level before the move × band of the metric, with the band's limits. */
  #strata(e: NonNullable<AnalyticsState['effect']['data']>, metricLabel: string): TemplateResult | typeof nothing {
    if (e.strata.length === 0) return nothing;
    const locale = this.ctx?.locale ?? 'zh-CN';
    const w = ANALYTICS_WORDS[locale];
    const l = this.#labels();
    return html`<details class="analytics-strata" data-testid="effect-strata">
      <summary>${w.strataTitle} (${count(e.strata.length)})</summary>
      <div class="analytics-table" role="region" tabindex="0" aria-label=${w.strataCaption(metricLabel)}>
        <table class="analytics-grid">
          <caption>${w.strataCaption(metricLabel)}</caption>
          <thead><tr>
            <th scope="col">${w.startLevel}</th><th scope="col">${w.bandFrom}</th><th scope="col">${w.bandTo}</th>
            <th scope="col">${w.movedN}</th><th scope="col">${w.stayedN}</th><th scope="col">${w.compared}</th>
          </tr></thead>
          <tbody>${e.strata.map((st) => {
            const b = bandLimits(st.bandMin, st.bandMax, e.metric, locale);
            const compared = st.moved > 0 && st.stayed > 0;
            return html`<tr class=${compared ? 'compared' : 'not-compared'}><th scope="row">${l.level(st.startLevel)}</th>
              <td>${b.min ?? w.none}</td><td>${b.max ?? w.none}</td><td>${count(st.moved)}</td><td>${count(st.stayed)}</td>
              <td>${compared ? w.yes : w.no}</td></tr>`;
          })}</tbody>
        </table>
      </div>
      ${this.#csvButton(w.strataTitle, `strata-${e.scheme}-${e.period}-${e.direction}-${e.metric.key}`, () => strataRows(e, this.#csvNames()))}
    </details>`;
  }

  override render() {
    if (!this.ctx) return nothing;
    const w = ANALYTICS_WORDS[this.ctx.locale];
    const s = this.#a.state;
    const range = s.range;
    const schemes = s.schemes.data ?? [];
    return html`
      <section class="card analytics-pickers" aria-labelledby="an-h">
        <h2 id="an-h">${w.title}</h2>
        <form class="filters" aria-label=${w.pickers} @submit=${this.#showRange}>
          <label>${w.scheme}
            <select name="scheme">
              ${schemes.map((sc) => html`<option value=${sc.key} ?selected=${sc.key === range?.scheme}>${standaloneName(sc.name[this.ctx!.locale], this.ctx!.locale)}</option>`)}
            </select>
          </label>
          <label>${w.from} <input name="from" type="month" required .value=${range?.from ?? ''}></label>
          <label>${w.to} <input name="to" type="month" required .value=${range?.to ?? ''} max=${lastClosedMonth()}></label>
          <button type="submit" ?disabled=${schemes.length === 0}>${w.show}</button>
        </form>
        <p class="hint">${w.zone(bankTimeZone())}</p>
        ${
          this.#book
            ? html`<p class="analytics-reach" data-testid="analytics-reach">${(this.ctx.session.books?.length ?? 1) > 1 ? w.teamReach : w.bookReach}</p>`
            : nothing
        }
        <p role="status" class="hint">${this.#status(s.schemes, s.schemes.status === 'ready' && schemes.length === 0)}</p>
      </section>
      ${this.#distribution()} ${this.#migration()} ${this.#rates()} ${this.#book ? nothing : this.#effect()}
    `;
  }
}

if (!customElements.get('admin-analytics-page')) customElements.define('admin-analytics-page', AnalyticsPage);

export const analyticsPage: ConsolePage = {
  id: 'analytics',
  title: { 'zh-CN': '分析', 'zh-TW': '分析', en: 'Analytics' },
  // Aggregates over the whole bank: analysts and above; a book-scoped session (an RM, a team lead) reads
  // its own reach's (the API cuts the counts to booksRead), without the effect evaluation.
  visible: (session) => isBookScoped(session) || hasRole(session, 'analyst'),
  render: (ctx) => html`<admin-analytics-page data-page .ctx=${ctx}></admin-analytics-page>`,
};
