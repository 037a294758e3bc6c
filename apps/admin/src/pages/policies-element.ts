import { hasRole, isAuditor } from '@tierkit/admin';
import { movedCount, type PolicySimulation, PolicyEditor } from '@tierkit/admin/policy-editor';
import { StoreController } from '@tierkit/admin/lit';
import type { Condition, MetricDef, PolicyWindow, ProblemFieldError } from '@tierkit/core';
import { formatPeriod, metricWithWindow, windowText } from '@tierkit/core/format';
import { fenToYuanText, yuanToFen } from '@tierkit/core/money';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { bankMonth, formatInstant } from '../time.js';
import { client } from '../console-client.js';
import type { PageContext } from '../page.js';
import { POLICY_WORDS } from './policies.words.js';
import { fieldSays, whyFailed } from '../why-failed.js';
import { refocus } from '../keep-focus.js';
import { staffName, personActor } from '../staff-name.js';
import { count } from './analytics-format.js';
import { effectiveDay } from './decision-text.js';
import './affected-download.js';
import { comparisonView } from './simulation-comparison-view.js';

type Words = (typeof POLICY_WORDS)['en'];

interface LevelDef {
  readonly key: string;
  readonly name?: Readonly<Record<string, string>>;
}
interface RuleDoc {
  readonly levels?: readonly LevelDef[];
  readonly policy?: {
    readonly kind?: string;
    readonly levels?: readonly { readonly level: string; readonly when: Condition }[];
    readonly hysteresis?: { readonly downgradeAfterPeriods?: unknown };
  };
}

/** `document.policy.levels[0].when.of[1].value` as an element id (ids may not hold brackets nicely for CSS). */
const fieldId = (path: string) => `pf-${path.replace(/[^a-z0-9]+/gi, '-')}`;

/** Windows a new condition may pick besides those its scheme already reads (missing months count as zero). */
const WINDOW_PRESETS: readonly PolicyWindow[] = [
  { fn: 'avg', months: 3, missing: 'zero' },
  { fn: 'avg', months: 6, missing: 'zero' },
  { fn: 'avg', months: 12, missing: 'zero' },
  { fn: 'last', months: 12, missing: 'zero' },
  { fn: 'sum', months: 12, missing: 'zero' },
];

/** A window as an option's value (`avg:3:zero`; empty for the latest value) and back. */
const windowValue = (w: PolicyWindow | null): string => (w ? `${w.fn}:${w.months}:${w.missing}` : '');
function windowOf(value: string): PolicyWindow | null {
  const [fn, months, missing] = value.split(':');
  if (!fn || !months || !missing) return null;
  return { fn, months: Number(months), missing } as PolicyWindow;
}

/**
 * Policies: pick a scheme, see its versions, start a draft, edit its level conditions (money in yuan,
 * stored in fen as the engine keeps it), see the engine's own errors beside each field as you type,
 * compare with the version in force, simulate on the whole book and submit. `#/policies/<scheme>/<version>`
 * opens one version, read-only unless it is a draft: the checker's review from the approvals page.
 */
export class PoliciesPage extends LitElement {
  static override properties = { ctx: { attribute: false } };

  declare ctx: PageContext | undefined;

  readonly #ed = new StoreController(this, new PolicyEditor(client));
  /** Per level's add form (its `when` path): the metric picked, whose windows the window control offers. */
  #picked = new Map<string, string>();

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('ctx') || !this.ctx) return;
    const before = changed.get('ctx');
    const [scheme, version] = this.ctx.path;
    const route = `${scheme ?? ''}/${version ?? ''}`;
    const was = before ? `${before.path[0] ?? ''}/${before.path[1] ?? ''}` : undefined;
    // Internal audit reads every version, drafts too, and changes none: no field opens for editing.
    this.#ed.store.readOnly(isAuditor(this.ctx.session));
    if (before?.session.actor !== this.ctx.session.actor) void this.#start(scheme, version);
    else if (route !== was && scheme) void this.#pick(scheme, version);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#ed.store.cancel();
  }

  async #start(scheme: string | undefined, version: string | undefined): Promise<void> {
    await this.#ed.store.load();
    const first = scheme ?? this.#ed.state.schemes[0]?.scheme;
    if (first) await this.#pick(first, version);
  }

  async #pick(scheme: string, version: string | undefined): Promise<void> {
    const n = version === undefined ? undefined : Number(version);
    const s = this.#ed.state;
    if (s.scheme === scheme && n !== undefined && s.version?.version === n) return;
    if (s.scheme === scheme && n !== undefined) await this.#ed.store.open(n);
    else await this.#ed.store.selectScheme(scheme, Number.isInteger(n) ? n : undefined);
  }

  #go(scheme: string, version?: number): void {
    this.ctx?.navigate(`policies/${encodeURIComponent(scheme)}${version === undefined ? '' : `/${version}`}`);
  }

  async #newDraft(): Promise<void> {
    const note = this.querySelector<HTMLInputElement>('[name="draft-note"]')?.value;
    await this.#ed.store.createDraft(undefined, note);
    const v = this.#ed.state.version;
    if (v?.status !== 'draft') return;
    this.#go(v.scheme, v.version);
    // The button just pressed is disabled now that a draft exists, and focus would fall to the page's
    // start: take it to the draft, where the work goes on.
    await this.updateComplete;
    this.querySelector<HTMLElement>('#policies-v-h')?.focus();
  }

  /** Run a version's action; its button is disabled meanwhile (and gone once submitted): focus comes back. */
  async #act(e: Event, action: () => Promise<unknown>): Promise<void> {
    const pressed = e.currentTarget;
    await action();
    await refocus(pressed, () => this.querySelector<HTMLElement>('[data-testid="policy-status"]'));
  }

  #metric(key: string): MetricDef | undefined {
    return this.#ed.state.metrics.find((m) => m.key === key);
  }

  /** What the user typed into a threshold, as the document stores it: money yuan → fen, else an integer; anything else as typed, for the engine to name. */
  #typed(path: string, metric: MetricDef | undefined, text: string): void {
    const t = text.trim().replace(/,/g, '');
    const value = metric?.unit === 'money' ? yuanToFen(t) : /^-?\d{1,15}$/.test(t) ? Number(t) : undefined;
    this.#ed.store.setValue(path, value ?? text);
  }

  #shown(value: unknown, metric: MetricDef | undefined): string {
    if (typeof value !== 'number') return value === undefined ? '' : String(value);
    return metric?.unit === 'money' ? fenToYuanText(value) : String(value);
  }

  /**
   * What is wrong at `path`, for people. A number field whose text the console could not read keeps
   * that text in the document (so the engine refuses it and nothing unreadable is saved), but the
   * engine's word for it is zod's "expected number, received string": say what to type instead.
   */
  #message(e: ProblemFieldError): string {
    if (typeof this.#ed.store.valueAt(e.path) !== 'string') return fieldSays(this.#byName(e), this.ctx?.locale ?? 'zh-CN');
    const w = POLICY_WORDS[this.ctx?.locale ?? 'zh-CN'];
    const condition = e.path.endsWith('.value') ? this.#ed.store.valueAt(e.path.slice(0, -'.value'.length)) : undefined;
    const metricKey = (condition as { metric?: unknown } | undefined)?.metric;
    const money = typeof metricKey === 'string' && this.#metric(metricKey)?.unit === 'money';
    return money ? w.notYuan : w.notWhole;
  }

  /** Thresholds out of order name their levels by key (`platinum`): here they are named as the form names them. */
  #byName(e: ProblemFieldError): ProblemFieldError {
    const p = e.params;
    if (e.code !== 'out_of_order' || p?.of !== 'threshold' || typeof p.level !== 'string' || typeof p.otherLevel !== 'string') return e;
    return { ...e, params: { ...p, level: this.#levelName(p.level), otherLevel: this.#levelName(p.otherLevel) } };
  }

  /**
   * Where an error is, as staff name it: the level (by its name), its condition by number, the field
   * (`等级：金卡 · 条件 1 · 数值`), rather than the engine's path, which stays on the item as `data-path`.
   * A path this page does not show as a field keeps the engine's words.
   */
  #where(path: string, w: Words): string {
    if (path === 'document') return w.wholeDocument;
    if (path === 'document.policy.hysteresis.downgradeAfterPeriods') return w.grace;
    const m = path.match(/^document\.policy\.levels\[(\d+)\]\.when((?:\.of\[\d+\])*)(?:\.(value|metric|of))?$/);
    if (!m) return path;
    const doc = this.#ed.state.document as RuleDoc | undefined;
    const rule = doc?.policy?.levels?.[Number(m[1])];
    const parts = [w.levelOf(rule ? this.#levelName(rule.level) : String(Number(m[1]) + 1))];
    for (const n of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) parts.push(w.conditionN(Number(n[1]) + 1));
    if (m[3] === 'value') parts.push(w.value);
    if (m[3] === 'metric') parts.push(w.metric);
    return parts.join(' · ');
  }

  #fieldErrors(path: string, exact = true) {
    const errs = exact ? this.#ed.state.errors.filter((e) => e.path === path) : this.#ed.store.errorsAt(path);
    return errs.length
      ? html`<span class="policies-field-error" id="${fieldId(path)}-err">${[...new Set(errs.map((e) => this.#message(e)))].join('; ')}</span>`
      : nothing;
  }

  #condition(c: Condition, path: string, w: Words, removable: boolean): unknown {
    const editable = this.#ed.state.editable;
    const locale = this.ctx?.locale ?? 'zh-CN';
    const remove =
      removable && editable
        ? html`<button type="button" class="policies-remove" data-action="remove-condition" data-path=${path}
          aria-label="${w.remove} ${path}" @click=${() => this.#ed.store.removeCondition(path)}>${w.remove}</button>`
        : nothing;
    if (c.kind !== 'threshold') {
      return html`<li class="policies-group">
        <span>${c.kind === 'all' ? w.allOf : w.anyOf}</span> ${remove}
        ${this.#fieldErrors(`${path}.of`)}
        <ul>${c.of.map((child, i) => this.#condition(child, `${path}.of[${i}]`, w, true))}</ul>
      </li>`;
    }
    const metric = this.#metric(c.metric);
    const valuePath = `${path}.value`;
    const invalid = this.#ed.state.errors.some((e) => e.path === valuePath);
    // The one wording of a metric and its window (core's, as the customer and grade pages say it).
    const label = `${metricWithWindow(metric?.label[locale] ?? c.metric, c.window, locale)} ${w.ops[c.op] ?? c.op}`;
    return html`<li class="policies-threshold">
      <label for=${fieldId(valuePath)}>${label}</label>
      <input id=${fieldId(valuePath)} data-field=${valuePath} inputmode="decimal" autocomplete="off"
        .value=${this.#shown(c.value, metric)} ?readonly=${!editable} aria-invalid=${invalid ? 'true' : 'false'}
        aria-describedby=${invalid ? `${fieldId(valuePath)}-err` : nothing}
        @input=${(e: Event) => this.#typed(valuePath, metric, (e.target as HTMLInputElement).value)}>
      ${metric?.unit === 'money' ? html`<span>${w.yuan}</span>` : nothing}
      ${remove}
      ${this.#fieldErrors(valuePath)}
      ${this.#fieldErrors(`${path}.metric`)}
    </li>`;
  }

  #addCondition(e: Event, whenPath: string): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const get = (n: string) => (form.elements.namedItem(n) as HTMLInputElement | HTMLSelectElement).value;
    const metric = this.#metric(get('metric'));
    if (!metric) return;
    const text = get('value').trim().replace(/,/g, '');
    const value = metric.unit === 'money' ? yuanToFen(text) : /^-?\d{1,15}$/.test(text) ? Number(text) : undefined;
    this.#ed.store.addCondition(whenPath, {
      kind: 'threshold',
      metric: metric.key,
      window: windowOf(get('window')),
      op: get('op') as 'gte',
      // Not a number: stored as typed, so the engine's error names the new condition's field.
      value: (value ?? text) as number,
    });
    form.reset();
    this.#picked.delete(whenPath);
    this.requestUpdate();
  }

  /** The add form's window control: the latest value, the windows this scheme reads, and the usual ones. */
  #windowSelect(metric: MetricDef | undefined, w: Words) {
    const locale = this.ctx?.locale ?? 'zh-CN';
    const chosen = metric ? this.#ed.store.defaultWindow(metric.key) : null;
    const options = new Map<string, PolicyWindow | null>([[windowValue(null), null]]);
    if (chosen) options.set(windowValue(chosen), chosen);
    for (const preset of WINDOW_PRESETS) options.set(windowValue(preset), preset);
    return html`<label>${w.windowLabel}
      <select name="window" data-testid="condition-window" .value=${windowValue(chosen)}>
        ${[...options].map(
          ([value, win]) =>
            html`<option value=${value} ?selected=${value === windowValue(chosen)}>${win ? windowText(win, locale) : w.latest}</option>`,
        )}
      </select>
    </label>`;
  }

  /**
   * Which re-tier drops a level with the grace as typed, for a customer first below this month: the
   * same words as the simulation's and the call list's (core's graceDrop), so none counts differently.
   */
  #graceHelp(doc: RuleDoc, w: Words) {
    const n = doc.policy?.hysteresis?.downgradeAfterPeriods;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return nothing;
    // This month in the bank's zone, as the jobs page names the month to re-tier.
    const first = bankMonth();
    return html`<span class="hint" id=${`${fieldId('document.policy.hysteresis.downgradeAfterPeriods')}-help`} data-testid="grace-help">${w.graceHelp(first, n)}</span>`;
  }

  #levels(doc: RuleDoc, w: Words) {
    const locale = this.ctx?.locale ?? 'zh-CN';
    const rules = doc.policy?.levels ?? [];
    const editable = this.#ed.state.editable;
    const grace = 'document.policy.hysteresis.downgradeAfterPeriods';
    const graceInvalid = this.#ed.state.errors.some((e) => e.path === grace);
    return html`<section class="card policies-levels" aria-labelledby="policies-levels-h">
      <h3 id="policies-levels-h">${w.levels}</h3>
      <p class="policies-threshold">
        <label for=${fieldId(grace)}>${w.grace}</label>
        <input id=${fieldId(grace)} data-field=${grace} inputmode="numeric" autocomplete="off"
          .value=${this.#shown(doc.policy?.hysteresis?.downgradeAfterPeriods, undefined)} ?readonly=${!editable}
          aria-invalid=${graceInvalid ? 'true' : 'false'}
          aria-describedby=${graceInvalid ? `${fieldId(grace)}-err ${fieldId(grace)}-help` : `${fieldId(grace)}-help`}
          @input=${(e: Event) => this.#typed(grace, undefined, (e.target as HTMLInputElement).value)}>
        ${this.#fieldErrors(grace)}
        ${this.#graceHelp(doc, w)}
      </p>
      ${rules.map((r, i) => {
        const name = doc.levels?.find((l) => l.key === r.level)?.name?.[locale] ?? r.level;
        const whenPath = `document.policy.levels[${i}].when`;
        const offered = this.#ed.store.metricsForScheme();
        const pickedKey = offered.find((m) => m.key === this.#picked.get(whenPath))?.key ?? offered[0]?.key ?? '';
        return html`<fieldset class="policies-level" data-level=${r.level}>
          <legend>${w.levelOf(name)}</legend>
          <ul>${this.#condition(r.when, whenPath, w, false)}</ul>
          ${
            editable
              ? html`<form class="policies-add" @submit=${(e: Event) => this.#addCondition(e, whenPath)}>
                  <label>${w.metric}
                    <select name="metric" data-testid="condition-metric" .value=${pickedKey}
                      @change=${(e: Event) => {
                        this.#picked.set(whenPath, (e.target as HTMLSelectElement).value);
                        this.requestUpdate();
                      }}>${offered.map((m) => html`<option value=${m.key} ?selected=${m.key === pickedKey}>${m.label[locale]}</option>`)}</select>
                  </label>
                  ${this.#windowSelect(
                    offered.find((m) => m.key === pickedKey),
                    w,
                  )}
                  <label>${w.op}
                    <select name="op">${Object.entries(w.ops).map(([k, v]) => html`<option value=${k}>${v}</option>`)}</select>
                  </label>
                  <label>${w.value} <input name="value" inputmode="decimal" autocomplete="off" required></label>
                  <button type="submit">${w.addCondition}</button>
                </form>`
              : nothing
          }
        </fieldset>`;
      })}
    </section>`;
  }

  /** The simulation job while it runs (progress as the jobs page shows it, and cancel), or how it ended short of a result. */
  #simulationJob(w: Words) {
    const job = this.#ed.state.simulationJob;
    if (!job || job.status === 'completed') return nothing;
    const total = job.progress.subjects.total;
    const done = job.progress.subjects.processed + job.progress.subjects.skipped;
    const ended =
      job.status === 'cancelled' ? w.simulationCancelled : job.status === 'failed' ? w.simulationFailed(job.error ?? '') : undefined;
    return html`<section class="card policies-sim-job" aria-label=${w.simulationProgress} data-testid="simulation-job">
      ${
        ended
          ? html`<p role="status" data-testid="simulation-job-status">${ended}</p>`
          : html`<p role="status" data-testid="simulation-job-status">
                <span id="policies-sim-progress-l">${w.simulationRunning(done, total)}</span>
                <progress aria-labelledby="policies-sim-progress-l" max=${Math.max(total, 1)} .value=${done}></progress>
              </p>
              <button type="button" data-action="cancel-simulation" ?disabled=${this.#ed.state.actions.cancelSimulation.status === 'loading'}
                @click=${(e: Event) => this.#act(e, () => this.#ed.store.cancelSimulation())}>${w.cancelSimulation}</button>`
      }
    </section>`;
  }

  #simulation(sim: PolicySimulation, w: Words) {
    const rows = ['none', ...sim.levels].filter((l) => sim.cells.some((c) => c.from === l));
    const cell = (from: string, to: string) => sim.cells.find((c) => c.from === from && c.to === to);
    const name = (l: string) => (l === 'none' ? w.none : this.#levelName(l));
    const locale = this.ctx?.locale ?? 'zh-CN';
    const month = (p: string) => formatPeriod(p, locale);
    // Samples are customers to look at on their page (the book); other kinds have no page to link to.
    const kind = (this.#ed.state.document as { subjectKind?: string } | undefined)?.subjectKind ?? 'customer';
    const samples = (ids: readonly string[]) =>
      kind === 'customer'
        ? ids.map((id, i) => html`${i ? ', ' : ''}<a href="#/book/${encodeURIComponent(id)}" data-testid="sample-link">${id}</a>`)
        : ids.join(', ');
    return html`<div data-testid="simulation" class="policies-simulation">
      <p class="policies-judged" data-testid="simulation-month">${w.judged(month(sim.period))}
        ${w.dataFrom(sim.dataPeriod === null ? null : month(sim.dataPeriod), month(sim.period))}</p>
      ${comparisonView(sim, name, locale, 'policies-sim')}
      ${this.#ed.state.simulationJob?.status === 'completed' ? html`<admin-affected-download .job=${this.#ed.state.simulationJob.id} .locale=${locale}></admin-affected-download>` : nothing}
      <p class="policies-moved"><strong data-testid="moved-count">${count(movedCount(sim))}</strong> ${w.moved(sim.total)}</p>
      ${sim.assigned > 0 ? html`<p class="policies-assigned" data-testid="assigned-count">${w.assigned(sim.assigned)}</p>` : nothing}
      ${sim.kept > 0 ? html`<p class="policies-kept" data-testid="kept-count">${w.kept(sim.kept)}</p>` : nothing}
      ${
        sim.held.total > 0
          ? html`<div class="policies-held" data-testid="held">
              <p data-testid="held-count">${w.held(sim.held.total)}</p>
              <ul>
                ${sim.held.cells.map(
                  (h) =>
                    html`<li>${w.heldCell(name(h.level), name(h.to), h.count, sim.period, h.monthsLeft)}${
                      h.samples.length ? html` <span class="policies-samples">${w.samples}: ${samples(h.samples)}</span>` : nothing
                    }</li>`,
                )}
              </ul>
            </div>`
          : nothing
      }
      <table class="policies-matrix">
        <caption>${w.simulation}</caption>
        <thead><tr><th scope="col">${w.fromTo}</th>${sim.levels.map((l) => html`<th scope="col">${name(l)}</th>`)}</tr></thead>
        <tbody>
          ${rows.map(
            (from) => html`<tr>
              <th scope="row">${name(from)}</th>
              ${sim.levels.map((to) => {
                const c = cell(from, to);
                return html`<td class=${from === to ? 'policies-same' : c?.count ? 'policies-moves' : ''}>
                  ${count(c?.count)}${c?.samples.length ? html`<span class="policies-samples">${w.samples}: ${samples(c.samples)}</span>` : nothing}
                </td>`;
              })}
            </tr>`,
          )}
        </tbody>
      </table>
      <table class="policies-distribution">
        <caption>${w.distribution}</caption>
        <thead><tr><th scope="col">${w.level}</th><th scope="col">${w.before}</th><th scope="col">${w.after}</th></tr></thead>
        <tbody>
          ${sim.levels.map(
            (l) => html`<tr><th scope="row">${name(l)}</th>
              <td>${count(sim.before.find((b) => b.level === l)?.count)}</td><td>${count(sim.after.find((a) => a.level === l)?.count)}</td></tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  #levelName(key: string): string {
    const doc = this.#ed.state.document as RuleDoc | undefined;
    return doc?.levels?.find((l) => l.key === key)?.name?.[this.ctx?.locale ?? 'zh-CN'] ?? key;
  }

  #statusLine(w: Words): string {
    const a = this.#ed.state.actions;
    const v = this.#ed.state.version;
    for (const name of ['retire', 'submit', 'save', 'simulate', 'diff', 'create', 'open'] as const) {
      const s = a[name];
      if (s.status === 'loading') return w.working;
      if (s.status === 'error') return `${w.failed}: ${whyFailed(s.error, this.ctx?.locale ?? 'zh-CN')}`;
    }
    if (!v) return '';
    const status = w.statuses[v.status] ?? v.status;
    if (a.submit.status === 'ready' && v.status === 'submitted') return `${w.versionTitle(v.version, status)} — ${w.submitted}`;
    if (a.retire.status === 'ready' && v.retireRequestHash) return `${w.versionTitle(v.version, status)} — ${w.retirementRequested}`;
    if (this.#ed.state.dirty) return `${w.versionTitle(v.version, status)} — ${w.unsaved}`;
    return w.versionTitle(v.version, status);
  }

  override render() {
    if (!this.ctx) return nothing;
    const w = POLICY_WORDS[this.ctx.locale];
    const s = this.#ed.state;
    const locale = this.ctx.locale;
    const maker = hasRole(this.ctx.session, 'officer');
    const list = s.actions.list;
    const listStatus =
      list.status === 'loading' || list.status === 'idle'
        ? w.loading
        : list.status === 'error'
          ? `${w.failed}: ${whyFailed(list.error, locale)}`
          : s.schemes.length === 0
            ? w.noSchemes
            : '';
    return html`
      <section class="card policies-schemes" aria-labelledby="policies-h">
        <h2 id="policies-h">${w.title}</h2>
        <p role="status" class="hint">${listStatus}</p>
        ${
          s.schemes.length
            ? html`<label>${w.scheme}
                <select name="scheme" .value=${s.scheme ?? ''} @change=${(e: Event) => this.#go((e.target as HTMLSelectElement).value)}>
                  ${s.schemes.map((x) => html`<option value=${x.scheme} ?selected=${x.scheme === s.scheme}>${x.name?.[locale] ?? x.scheme} · ${x.scheme}</option>`)}
                </select>
              </label>
              ${
                maker && s.scheme
                  ? html`<label>${w.draftNoteLabel}
                      <input name="draft-note" maxlength="1000" autocomplete="off" aria-describedby="policies-note-hint"></label>
                    <button type="button" data-action="new-draft" ?disabled=${s.actions.create.status === 'loading'} @click=${() => this.#newDraft()}>${w.newDraft}</button>
                    <span class="hint" id="policies-note-hint">${w.noteHint}</span>`
                  : nothing
              }`
            : nothing
        }
        ${
          s.versions.length
            ? html`<table class="policies-versions">
                <caption>${w.versions}</caption>
                <thead><tr><th scope="col">${w.version}</th><th scope="col">${w.status}</th><th scope="col">${w.effectiveFrom}</th>
                  <th scope="col">${w.authors}</th><th scope="col">${w.created}</th><th scope="col"><span class="visually-hidden">${w.open}</span></th></tr></thead>
                <tbody>
                  ${s.versions.map(
                    (v) => html`<tr class=${v.version === s.version?.version ? 'current' : ''} data-version=${v.version}>
                      <td>${v.version}</td><td>${w.statuses[v.status] ?? v.status}</td><td data-testid="version-effective">${effectiveDay(v, w)}</td>
                      <td>${v.authors.map((a, i) => html`${i ? ', ' : ''}${staffName(personActor(a, v.authorsStaff?.[i]))}`)}</td><td>${formatInstant(v.createdAt, locale)}</td>
                      <td><button type="button" aria-label="${w.open} ${w.version} ${v.version}" @click=${() => this.#go(v.scheme, v.version)}>${w.open}</button></td>
                    </tr>`,
                  )}
                </tbody>
              </table>`
            : nothing
        }
      </section>
      ${this.#versionCard(w)}
    `;
  }

  /**
   * An approved version's retirement: the request waiting (who asked, when, why), or for an approver the
   * form that asks — a second person decides it in the approvals queue.
   */
  #retirement(w: Words) {
    const v = this.#ed.state.version;
    if (!v || !this.ctx) return nothing;
    const locale = this.ctx.locale;
    if (v.retireRequestHash) {
      return html`<p class="hint" data-testid="policy-retirement-pending"><strong>${w.retirementPending}</strong> · ${w.retirementAskedBy}: ${staffName(
        personActor(v.retireRequestedBy ?? '', v.retireRequestedByStaff),
      )}${v.retireRequestedAt ? ` · ${formatInstant(v.retireRequestedAt, locale)}` : ''}<br>${w.retireReason}: <span>${v.retireRequestNote}</span></p>`;
    }
    if (!['active', 'approved', 'superseded'].includes(v.status) || !hasRole(this.ctx.session, 'approver')) return nothing;
    const busy = this.#ed.state.actions.retire.status === 'loading';
    return html`<form class="policies-retire" data-testid="policy-retire" @submit=${(e: SubmitEvent) => this.#requestRetirement(e)}>
      <label>${w.retireReason} <input name="note" required maxlength="1000" autocomplete="off"></label>
      <button type="submit" data-action="request-retirement" ?disabled=${busy}>${w.requestRetirement}</button>
    </form>`;
  }

  async #requestRetirement(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const note = String(new FormData(form).get('note') ?? '').trim();
    if (!note) return;
    const pressed = form.querySelector('button');
    await this.#ed.store.requestRetirement(note);
    // The form is gone once the request waits: focus goes to the status line that says so.
    await refocus(pressed, () => this.querySelector<HTMLElement>('[data-testid="policy-status"]'));
  }

  #versionCard(w: Words) {
    const s = this.#ed.state;
    const v = s.version;
    if (!v) {
      return html`<section class="card policies-version" aria-labelledby="policies-v-h">
        <h2 id="policies-v-h">${w.version}</h2>
        <p role="status" class="hint" data-testid="policy-status">${s.actions.open.status === 'loading' ? w.loading : this.#statusLine(w) || w.noVersion}</p>
      </section>`;
    }
    const doc = s.document as RuleDoc;
    const busy = (['save', 'simulate', 'diff', 'submit', 'retire'] as const).some((a) => s.actions[a].status === 'loading');
    return html`<section class="card policies-version" aria-labelledby="policies-v-h">
      <h2 id="policies-v-h" tabindex="-1">${v.scheme} · ${w.versionTitle(v.version, w.statuses[v.status] ?? v.status)}</h2>
      <p role="status" class="hint" data-testid="policy-status" tabindex="-1">${this.#statusLine(w)}</p>
      ${v.submittedBy ? html`<p class="hint">${w.submittedBy}: ${staffName(personActor(v.submittedBy, v.submittedByStaff))}${v.submittedAt ? ` · ${formatInstant(v.submittedAt, this.ctx?.locale ?? 'zh-CN')}` : ''}</p>` : nothing}
      ${
        v.decidedBy
          ? html`<p class="hint" data-testid="policy-decided">${w.decidedBy}: ${staffName(personActor(v.decidedBy, v.decidedByStaff))}${v.decidedAt ? ` · ${formatInstant(v.decidedAt, this.ctx?.locale ?? 'zh-CN')}` : ''}${
              v.note ? html`<br>${w.decisionNote}: <span data-testid="policy-decision-note">${v.note}</span>` : nothing
            }</p>`
          : nothing
      }
      ${
        // The maker's word on the version, as the checker reads it on the approval card.
        v.draftNote || v.submitNote
          ? html`<dl class="policies-notes">${v.draftNote ? html`<div><dt>${w.draftNote}</dt><dd data-testid="policy-draft-note">${v.draftNote}</dd></div>` : nothing}${
              v.submitNote ? html`<div><dt>${w.submitNote}</dt><dd data-testid="policy-submit-note">${v.submitNote}</dd></div>` : nothing
            }</dl>`
          : nothing
      }
      ${this.#retirement(w)}
      ${s.editable ? nothing : html`<p class="hint">${w.readOnly}</p>`}
      <div data-testid="policy-errors" class="policies-errors" role="status">
        ${
          s.errors.length
            ? html`<p>${w.errorCount(s.errors.length)}</p><ul>${s.errors.map((e) => html`<li data-path=${e.path}>${this.#where(e.path, w)}: ${this.#message(e)}</li>`)}</ul>`
            : html`<p class="hint">${w.noErrors}</p>`
        }
      </div>
      <div class="policies-actions">
        ${s.editable ? html`<button type="button" data-action="save" ?disabled=${busy || !s.dirty} @click=${(e: Event) => this.#act(e, () => this.#ed.store.save())}>${w.save}</button>` : nothing}
        <button type="button" data-action="diff" ?disabled=${busy} @click=${(e: Event) => this.#act(e, () => this.#ed.store.loadDiff())}>${w.diff}</button>
        ${
          // A simulation's outcome is customers' levels: analysts and up run one; internal audit may not.
          hasRole(this.ctx?.session, 'analyst')
            ? html`<button type="button" data-action="simulate" ?disabled=${busy || s.errors.length > 0} @click=${(e: Event) => this.#act(e, () => this.#ed.store.simulate())}>${w.simulate}</button>`
            : nothing
        }
        ${
          s.editable
            ? html`<label class="policies-submit-note">${w.submitNoteLabel}
                <textarea name="submit-note" rows="2" maxlength="1000" aria-describedby="policies-submit-note-hint"></textarea></label>
              <span class="hint" id="policies-submit-note-hint">${w.noteHint}</span>
              <button type="button" data-action="submit" ?disabled=${busy || s.errors.length > 0} @click=${(e: Event) =>
                this.#act(e, () =>
                  this.#ed.store.submit(this.querySelector<HTMLTextAreaElement>('[name="submit-note"]')?.value),
                )}>${w.submit}</button>`
            : nothing
        }
      </div>
    </section>
    ${doc?.policy?.kind === 'rules' ? this.#levels(doc, w) : html`<section class="card policies-levels"><p class="hint">${w.notRules}</p></section>`}
    ${
      s.diff
        ? html`<section class="card policies-diff" aria-labelledby="policies-diff-h" data-testid="policy-diff">
            <h3 id="policies-diff-h">${w.diffTitle}</h3>
            ${s.diff.changes.length ? html`<ul>${s.diff.changes.map((c) => html`<li data-change=${c.change}>${c.text[this.ctx?.locale ?? 'zh-CN']}</li>`)}</ul>` : html`<p class="hint">${w.noChanges}</p>`}
          </section>`
        : nothing
    }
    ${this.#simulationJob(w)}
    ${
      s.simulation
        ? html`<section class="card policies-sim" aria-label=${w.simulation}>
            ${s.simulationJob?.simulation && !s.simulationJob.simulation.current ? html`<p class="hint" data-testid="simulation-stale">${w.staleRevision}</p>` : nothing}
            ${this.#simulation(s.simulation, w)}
          </section>`
        : nothing
    }`;
  }
}

if (!customElements.get('admin-policies-page')) customElements.define('admin-policies-page', PoliciesPage);
