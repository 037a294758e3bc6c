import {
  type AddedDependent,
  hasRole,
  isAuditor,
  isBookScoped,
  type Job,
  jobDone,
  jobOutcome,
  Jobs,
  type JobsState,
  type KitError,
  type MigrationCell,
  type ScheduleMonth,
} from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { client } from '../console-client.js';
import type { ConsolePage, PageContext } from '../page.js';
import type { ConsoleLocale } from '../words.js';
import { bankMonth, bankTimeZone, formatBankClock, formatDuration, formatInstant, lastClosedMonth } from '../time.js';
import { JOBS_WORDS } from './jobs.words.js';
import { startedElsewhere } from './started-job.js';
import { pagedListStatus, whyFailed } from '../why-failed.js';
import { moreButton, refocus } from '../keep-focus.js';
import { schemeNames } from '../scheme-names.js';
import { staffName, personActor } from '../staff-name.js';
import { count } from './analytics-format.js';

type Words = (typeof JOBS_WORDS)['en'];
type SchemeSummary = JobsState['schemes'][number];

function problemText(w: Words, e: KitError | undefined, locale: ConsoleLocale): string {
  if (!e) return '';
  // whyFailed says a month without data by its `no_data` code and month, in the staff's language.
  return `${w.refused}: ${whyFailed(e, locale)}`;
}

/**
 * The migration matrix of one scheme as levels before (rows) × after (columns), in the scheme's rank
 * order when its levels are known ("none" first), with each level's name in `locale`.
 */
function grid(cells: readonly MigrationCell[], scheme: SchemeSummary | undefined, locale: ConsoleLocale) {
  const rank = new Map(scheme?.levels.map((l) => [l.key, l.rank]) ?? []);
  const order = (a: string | null, b: string | null) =>
    a === null
      ? -1
      : b === null
        ? 1
        : (rank.get(a) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b) ?? Number.MAX_SAFE_INTEGER) || a.localeCompare(b);
  const rows = [...new Set(cells.map((c) => c.from))].sort(order);
  const cols = [...new Set(cells.map((c) => c.to))].sort(order);
  const at = new Map(cells.map((c) => [`${c.from ?? ''}\u0000${c.to}`, c.count]));
  const names = schemeNames(scheme ? [scheme] : [], locale);
  return {
    rows,
    cols,
    name: (key: string) => (scheme ? names.levelName(scheme.key, key) : key),
    count: (from: string | null, to: string) => at.get(`${from ?? ''}\u0000${to}`) ?? 0,
  };
}

/**
 * Re-tier jobs: `#/jobs` lists them and starts one; `#/jobs/<id>` follows one live — progress bar
 * with rate and ETA, cancel and resume, and the summary's migration matrix as tables.
 */
export class JobsPage extends LitElement {
  static override properties = { ctx: { attribute: false } };

  declare ctx: PageContext | undefined;

  readonly #jobs = new StoreController(this, new Jobs(client));
  /** The month last asked for: a refusal names it. */
  #startedPeriod = '';

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('ctx') || !this.ctx) return;
    const before = changed.get('ctx');
    const id = this.ctx.path[0];
    const s = this.#jobs.state;
    if (before?.session.actor !== this.ctx.session.actor) void this.#jobs.store.loadSchemes();
    if (id !== undefined) {
      this.#jobs.store.stopWatching();
      // Internal audit reads a job, not its event stream (the API's route table): polled instead.
      if (id !== s.jobId || before?.session.actor !== this.ctx.session.actor)
        void this.#jobs.store.follow(id, { stream: !isAuditor(this.ctx.session) });
    } else if (before === undefined || before.path[0] !== undefined || before.session.actor !== this.ctx.session.actor) {
      this.#jobs.store.stopFollowing();
      void this.#refresh();
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Going to a job moves focus to its heading, as a page change would.
    if (changed.has('ctx') && this.ctx?.path[0] !== undefined && changed.get('ctx')?.path[0] !== this.ctx.path[0])
      this.querySelector<HTMLElement>('#job-h')?.focus();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Stops following the job's event stream and watching the list too.
    this.#jobs.store.cancel();
  }

  /** The list again, then kept current while a job in it runs. */
  async #refresh(): Promise<void> {
    void this.#jobs.store.loadSchedule();
    await this.#jobs.store.refresh();
    if (this.ctx?.path[0] === undefined) void this.#jobs.store.watchList();
  }

  async #start(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value.trim();
    const scheme = value('scheme');
    const reason = value('reason');
    this.#startedPeriod = value('period');
    // The form shows the confirmation (a required checkbox) only while the month chosen is open; what is
    // sent is whether it was ticked, so the API's month_open, not the form's idea of "open", has the last word.
    const confirmed = (form.elements.namedItem('allowOpenMonth') as HTMLInputElement | null)?.checked === true;
    const job = await this.#jobs.store.start({
      period: this.#startedPeriod,
      ...(scheme ? { schemes: [scheme] } : {}),
      ...(reason ? { reason } : {}),
      ...(confirmed ? { allowOpenMonth: true } : {}),
    });
    if (job) this.ctx?.navigate(`jobs/${encodeURIComponent(job.id)}`);
    // Refused (a month with no data, say): the button was disabled while it asked, and focus fell to the page's start.
    else await refocus((e as SubmitEvent).submitter, () => this.querySelector('[data-testid="start-status"]'));
  }

  /**
   * Cancel or resume: the pressed button is disabled while the API answers, then replaced (Cancel by
   * Resume, Resume by Cancel once running, or by none while queued), and focus would fall to the page's
   * start. It goes to the button that took its place, else to the job's status, which says the outcome;
   * a refusal leaves the pressed button there, enabled, beside the problem.
   */
  async #act(e: Event, action: () => Promise<unknown>): Promise<void> {
    const pressed = e.currentTarget;
    await action();
    await refocus(
      pressed,
      () =>
        this.querySelector('[data-job] .actions button:not([disabled])') ??
        this.querySelector(this.#jobs.state.actionError ? '[data-testid="job-action-status"]' : '[data-testid="job-status"]'),
    );
  }

  #progress(job: Job, w: Words, labelId: string) {
    const done = jobDone(job);
    const total = job.progress.subjects.total;
    return html`<progress aria-labelledby=${labelId} max=${Math.max(total, 1)} .value=${total ? done : job.status === 'completed' ? 1 : 0}></progress>
      <span class="jobs-count">${w.progressText(done, total, job.params.filter.kind === 'customer')}</span>${this.#outcome(job, w)}`;
  }

  /** Re-evaluated and left alone said apart: "10,460 / 10,460 done" alone read as all of them re-evaluated. */
  #outcome(job: Job, w: Words) {
    const o = jobOutcome(job);
    if (!o.leftAlone) return nothing;
    return html` <span class="jobs-count" data-testid="job-outcome">${w.outcome(o.evaluated, o.leftAlone, job.params.filter.kind === 'customer')}</span>`;
  }

  /** What the monthly schedule waits for, in a sentence: "2026年11月待数据：aum 未到（已等 9 天）". */
  #scheduleText(m: ScheduleMonth, w: Words, locale: ConsoleLocale, running: boolean): string {
    const month = w.month(m.period);
    if (m.state === 'queued') return w.queued(month);
    if (m.state === 'done') return w.done(month);
    // An earlier month corrected after a later one's re-tier: nothing queues it; what an operator can run.
    if (m.state === 'needs-decision' && m.later)
      return (m.later.readsCorrections ? w.decision : w.decisionOutside)(month, w.month(m.later.period), m.command ?? '');
    // Corrections after the month's job: its levels are out of date until it is re-tiered again.
    if (m.state === 'stale')
      return m.waitingFor === 'import'
        ? w.staleImporting(month, m.importId ?? '')
        : running
          ? w.stale(month, formatInstant(m.quietAt, locale))
          : w.staleByHand(month);
    const why =
      // A monthly job cancelled or failed waits for someone to resume it: the job's status in the words the list uses.
      m.waitingFor === 'job'
        ? w.monthJob(month, w.statuses[m.job?.status ?? ''] ?? m.job?.status ?? '')
        : m.waitingFor === 'data'
          ? w.waitingData(month, m.metrics?.missing.join(', ') ?? '', m.metrics?.loaded.join(', ') ?? '')
          : m.waitingFor === 'import'
            ? w.importing(month, m.importId ?? '')
            : // Unless this server runs the schedule, nothing here queues it once quiet: say only that the data has come.
              running
              ? w.settling(month, formatInstant(m.quietAt, locale))
              : w.arrived(month, formatInstant(m.lastWrittenAt, locale));
    const days = Math.max(0, Math.floor((Date.now() - Date.parse(m.endedAt)) / 86_400_000));
    const en = locale === 'en';
    const when =
      m.state === 'overdue' ? w.waited(days) : `${w.waited(days)}${en ? ', ' : '，'}${w.overdueAt(formatInstant(m.overdueAt, locale))}`;
    const overdue = m.state === 'overdue' ? `${w.overdue}${en ? ': ' : '：'}` : '';
    return `${overdue}${why}${en ? ` (${when})` : `（${when}）`}`;
  }

  #schedule(w: Words) {
    const s = this.#jobs.state;
    const locale = this.ctx?.locale ?? 'zh-CN';
    const month = s.schedule?.months[0];
    // Earlier months of the look-back with corrections after their re-tier (stale or needs-decision).
    const earlier = s.schedule?.months.slice(1) ?? [];
    const status =
      s.scheduleStatus === 'error'
        ? `${w.failed}: ${whyFailed(s.scheduleError, locale)}`
        : month
          ? this.#scheduleText(month, w, locale, s.schedule?.running === true)
          : s.scheduleStatus === 'loading'
            ? w.loading
            : '';
    // Off on this server, what the month waits for is still said, but first that this server will not
    // queue it — unless the month has its job already (started by hand): then there is nothing to start.
    // Not known (`running` null, an embedder that did not say): neither on nor off is claimed.
    const off = s.schedule?.running === false && !month?.job;
    const runsHere = s.schedule?.running === true;
    return html`<section class="card jobs-schedule" aria-labelledby="jobs-schedule-h">
      <h2 id="jobs-schedule-h">${w.scheduleTitle}</h2>
      <p role="status" data-testid="schedule-off" class="jobs-info">${off ? (isAuditor(this.ctx?.session) ? w.scheduleOffReader : w.scheduleOff) : ''}</p>
      <p role="status" data-testid="schedule-state" data-state=${month?.state ?? ''} class=${month?.state === 'overdue' ? 'jobs-overdue' : ''}>${status}</p>
      ${month?.job ? html`<p><a href="#/jobs/${encodeURIComponent(month.job.id)}">${w.openJob} ${month.job.id}</a></p>` : nothing}
      ${
        earlier.length
          ? html`<h3 id="jobs-earlier-h">${w.earlierTitle}</h3>
            <ul aria-labelledby="jobs-earlier-h" data-testid="schedule-earlier">
              ${earlier.map(
                (m) => html`<li data-period=${m.period} data-state=${m.state}>${this.#scheduleText(m, w, locale, runsHere)}</li>`,
              )}
            </ul>`
          : nothing
      }
      ${runsHere ? html`<p class="hint">${w.scheduleHint(bankTimeZone())}</p>` : nothing}
    </section>`;
  }

  /** The month chosen on the start form: the open month asks for a confirmation before it starts. */
  #period = lastClosedMonth();

  #startForm(w: Words) {
    const s = this.#jobs.state;
    const locale = this.ctx?.locale ?? 'zh-CN';
    const names = schemeNames(s.schemes, locale);
    const added = s.dependents?.dependents ?? [];
    const open = this.#period >= bankMonth();
    return html`<section class="card jobs-start" aria-labelledby="jobs-start-h">
      <h2 id="jobs-start-h">${w.startTitle}</h2>
      <form class="filters" data-testid="start-job" @submit=${this.#start}>
        <label>${w.scheme}
          <select name="scheme" aria-describedby="jobs-dependents"
            @change=${(e: Event) => {
              const key = (e.target as HTMLSelectElement).value;
              void this.#jobs.store.loadDependents(key ? [key] : [], this.#period || undefined);
            }}>
            <option value="">${w.allSchemes}</option>
            ${s.schemes.map((sc) => html`<option value=${sc.key}>${sc.name[locale] ?? sc.key} · ${sc.key}</option>`)}
          </select>
        </label>
        <label>${w.period} <input name="period" type="month" required max=${bankMonth()} .value=${this.#period}
          aria-describedby="jobs-period-hint"
          @input=${(e: Event) => {
            this.#period = (e.target as HTMLInputElement).value;
            // The month's pack decides what a job adds: ask again for the scheme chosen.
            const key = (e.target as HTMLInputElement).form?.querySelector<HTMLSelectElement>('select[name="scheme"]')?.value;
            if (key) void this.#jobs.store.loadDependents([key], this.#period || undefined);
            this.requestUpdate();
          }}></label>
        <label>${w.reason} <input name="reason" maxlength="500" autocomplete="off"></label>
        ${
          open
            ? html`<label class="jobs-confirm" data-testid="open-month"><input type="checkbox" name="allowOpenMonth" required
                aria-describedby="jobs-period-hint"> ${w.confirmOpenMonth(w.month(this.#period))}</label>`
            : nothing
        }
        <button type="submit" ?disabled=${s.starting}>${s.starting ? w.starting : w.start}</button>
      </form>
      <p class="hint" id="jobs-period-hint">${open ? w.openMonthHint(w.month(this.#period)) : w.periodHint(bankTimeZone())}</p>
      <p role="status" class="hint" id="jobs-dependents" data-testid="job-dependents">${
        added.length ? w.alsoRetiers(added.map((d) => addedText(w, names.schemeName, d))) : ''
      }</p>
      <p role="status" class="hint" data-testid="start-status" tabindex="-1">${s.starting ? w.starting : problemText(w, s.startError, locale)}</p>
    </section>`;
  }

  #list(w: Words) {
    const s = this.#jobs.state;
    // "Updated hh:mm:ss" is plain text, not a live region: read out every two seconds it would drown the page.
    const locale = this.ctx?.locale ?? 'zh-CN';
    const status = pagedListStatus(s, w, locale);
    return html`<section class="card jobs" aria-labelledby="jobs-h">
      <h2 id="jobs-h">${w.title}</h2>
      <p class="jobs-status-line">
        <span role="status" class="hint" data-testid="jobs-status" tabindex="-1">${status}</span>
        <button type="button" @click=${() => this.#refresh()}>${w.refresh}</button>
        ${s.listUpdatedAt ? html`<span class="hint" data-testid="jobs-updated">${w.updated(formatBankClock(s.listUpdatedAt), s.watching)}</span>` : nothing}
      </p>
      ${
        s.items.length
          ? html`<table class="jobs-table">
              <thead><tr>
                <th scope="col">${w.id}</th><th scope="col">${w.status}</th><th scope="col">${w.period}</th>
                <th scope="col">${w.schemes}</th><th scope="col">${w.progress}</th><th scope="col">${w.created}</th>
              </tr></thead>
              <tbody>
                ${s.items.map(
                  (j) => html`<tr data-job=${j.id}>
                    <td><a href="#/jobs/${encodeURIComponent(j.id)}" id="jl-${j.id}">${j.id}</a></td>
                    <td data-testid="job-status" data-status=${j.status}>${w.statuses[j.status] ?? j.status}</td>
                    <td>${j.params.period}</td>
                    <td>${this.#schemes(j, w)}</td>
                    <td>${this.#progress(j, w, `jl-${j.id}`)}</td>
                    <td>${formatInstant(j.createdAt, locale)}</td>
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
              load: () => this.#jobs.store.loadMore(),
              status: () => this.querySelector('[data-testid="jobs-status"]'),
            })
          : nothing
      }
    </section>`;
  }

  /** The schemes a job writes by name, those it added for reading another's level said as such. */
  #schemes(job: Job, w: Words) {
    if (job.params.schemes === null) return w.allSchemes;
    const names = schemeNames(this.#jobs.state.schemes, this.ctx?.locale ?? 'zh-CN');
    // A simulation keeps a re-tier's params: named as one, it would read as that month's re-tier.
    if (job.kind === 'simulate' && job.simulation) return w.simulationOf(names.schemeName(job.simulation.scheme), job.simulation.version);
    const added = new Map(job.params.dependents.map((d) => [d.scheme, d]));
    return job.params.schemes
      .map((k) => {
        const d = added.get(k);
        return d ? addedText(w, names.schemeName, d) : names.schemeName(k);
      })
      .join(w.separator);
  }

  /**
   * Level changes per scheme, the scheme asked for first: a job over the card tier also re-tiers the
   * nine-box that reads it, and one total of both read as the card tier's. The total comes last, and
   * only when the job wrote more than one scheme.
   */
  #changes(job: Job, w: Words) {
    const locale = this.ctx?.locale ?? 'zh-CN';
    // A job read before per-scheme counts existed (an older server) has none: the total alone.
    const per = job.summary.schemes ?? [];
    if (!per.length) return html`<div><dt>${w.changes}</dt><dd data-testid="job-changes">${count(job.summary.changes)}</dd></div>`;
    const name = (k: string) => this.#jobs.state.schemes.find((sc) => sc.key === k)?.name[locale] ?? k;
    return html`${per.map(
      (p) =>
        html`<div data-scheme=${p.scheme}><dt>${w.changesIn(name(p.scheme))}</dt><dd data-testid="job-scheme-changes">${count(p.changes)}</dd></div>`,
    )}
      ${per.length > 1 ? html`<div><dt>${w.changesAll(per.length)}</dt><dd data-testid="job-changes">${count(job.summary.changes)}</dd></div>` : nothing}`;
  }

  #matrix(job: Job, w: Words) {
    // In the order the job writes them (asked for, then each added after what it reads), not by key.
    const order = job.params.schemes ?? [];
    const at = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
    const schemes = [...new Set(job.summary.matrix.map((c) => c.scheme))].sort((a, b) => at(a) - at(b) || a.localeCompare(b));
    if (!schemes.length) {
      const o = jobOutcome(job);
      // Completed with nobody re-evaluated: no result is coming, and the page says so rather than "yet".
      return html`<p class="hint" data-testid="job-no-matrix">${
        o.nothingEvaluated ? w.nothingEvaluated(o.leftAlone, job.params.filter.kind === 'customer') : w.noMatrix
      }</p>`;
    }
    return html`<div data-testid="job-matrix">
      ${schemes.map((scheme) => {
        const summary = this.#jobs.state.schemes.find((sc) => sc.key === scheme);
        const locale = this.ctx?.locale ?? 'zh-CN';
        const g = grid(
          job.summary.matrix.filter((c) => c.scheme === scheme),
          summary,
          locale,
        );
        return html`<table class="jobs-matrix" data-scheme=${scheme}>
          <caption>${w.matrix(summary?.name[locale] ?? scheme)}</caption>
          <thead><tr><th scope="col">${w.from} \\ ${w.to}</th>${g.cols.map((c) => html`<th scope="col">${g.name(c)}</th>`)}</tr></thead>
          <tbody>
            ${g.rows.map(
              (r) =>
                html`<tr><th scope="row">${r === null ? w.none : g.name(r)}</th>${g.cols.map((c) => html`<td class=${r === c ? 'jobs-same' : ''}>${count(g.count(r, c))}</td>`)}</tr>`,
            )}
          </tbody>
        </table>`;
      })}
    </div>`;
  }

  #detail(w: Words) {
    const s = this.#jobs.state;
    const locale = this.ctx?.locale ?? 'zh-CN';
    const job = s.job;
    const live = [
      s.rate !== undefined ? w.rate(s.rate) : '',
      s.etaSeconds !== undefined ? w.eta(formatDuration(s.etaSeconds, locale)) : '',
      w.live[s.following] ?? '',
    ]
      .filter(Boolean)
      .join(' · ');
    // Started here (or on another page, handed over) for a month the schedule would still wait for: what
    // it lacks, read with the heading focus lands on.
    const started = s.started?.id === s.jobId ? s.started : startedElsewhere(s.jobId);
    const lacks = started?.partlyLoaded;
    return html`<section class="card jobs-detail" aria-labelledby="job-h">
      <p><a href="#/jobs">${w.back}</a></p>
      <h2 id="job-h" tabindex="-1" aria-describedby=${lacks ? 'job-partly-loaded' : nothing}>${w.jobTitle(s.jobId ?? '')}</h2>
      <p role="status" id="job-partly-loaded" data-testid="job-partly-loaded" class="jobs-notice">${
        lacks && started ? w.partlyLoaded(w.month(started.params.period), lacks.missing.join(', '), lacks.loaded.join(', ')) : ''
      }</p>
      ${
        s.jobStatus === 'error'
          ? html`<p role="status" class="hint">${w.failed}: ${whyFailed(s.jobError, locale)}</p>`
          : !job
            ? html`<p role="status" class="hint">${w.loading}</p>`
            : html`<div data-job=${job.id}>
                <p><span id="job-progress-l">${w.progressLabel}</span> ${this.#progress(job, w, 'job-progress-l')}</p>
                <p role="status" class="jobs-live">
                  <span data-testid="job-status" data-status=${job.status} tabindex="-1">${w.statuses[job.status] ?? job.status}</span>${live ? ` · ${live}` : ''}
                </p>
                <dl class="jobs-facts">
                  <div><dt>${w.period}</dt><dd>${job.params.period}</dd></div>
                  <div><dt>${w.schemes}</dt><dd data-testid="job-schemes">${this.#schemes(job, w)}</dd></div>
                  <div><dt>${w.requestedBy}</dt><dd data-testid="job-requested-by">${staffName(personActor(job.requestedBy, job.requestedByStaff))}</dd></div>
                  <div><dt>${w.created}</dt><dd>${formatInstant(job.createdAt, locale)}</dd></div>
                  <div><dt>${w.finished}</dt><dd>${formatInstant(job.finishedAt, locale)}</dd></div>
                  ${job.error ? html`<div><dt>${w.error}</dt><dd>${job.error}</dd></div>` : nothing}
                </dl>
                <div class="actions">
                  ${
                    isAuditor(this.ctx?.session)
                      ? nothing
                      : job.status === 'running'
                        ? html`<button type="button" data-action="cancel" ?disabled=${s.acting !== undefined} @click=${(e: Event) => this.#act(e, () => this.#jobs.store.cancelJob())}>${w.cancel}</button>`
                        : job.status === 'cancelled' || job.status === 'failed'
                          ? html`<button type="button" data-action="resume" ?disabled=${s.acting !== undefined} @click=${(e: Event) => this.#act(e, () => this.#jobs.store.resumeJob())}>${w.resume}</button>`
                          : nothing
                  }
                  <span role="status" class="hint" data-testid="job-action-status" tabindex="-1">${problemText(w, s.actionError, locale)}</span>
                </div>
                <h3>${w.summary}</h3>
                <dl class="jobs-facts">
                  ${this.#changes(job, w)}
                  <div><dt>${w.approvalRequired}</dt><dd data-testid="job-approval-required">${count(job.summary.approvalRequired)}</dd></div>
                </dl>
                ${
                  jobOutcome(job).leftAlone
                    ? html`<p class="hint" data-testid="job-left-alone">${w.leftAloneWhy(jobOutcome(job).filtered)}</p>`
                    : nothing
                }
                ${this.#matrix(job, w)}
              </div>`
      }
    </section>`;
  }

  override render() {
    if (!this.ctx) return nothing;
    const w = JOBS_WORDS[this.ctx.locale];
    const start = isAuditor(this.ctx.session) ? nothing : this.#startForm(w);
    return this.ctx.path[0] !== undefined ? this.#detail(w) : html`${this.#schedule(w)}${start}${this.#list(w)}`;
  }
}

if (!customElements.get('admin-jobs-page')) customElements.define('admin-jobs-page', JobsPage);

export const jobsPage: ConsolePage = {
  id: 'jobs',
  title: { 'zh-CN': '重评任务', 'zh-TW': '重評任務', en: 'Re-tier jobs' },
  // Jobs reach across the tenant: officers and above, never a relationship manager's book-scoped credential.
  // Internal audit reads jobs and the schedule; it starts, cancels and resumes none.
  visible: (session) => (hasRole(session, 'officer') || isAuditor(session)) && !isBookScoped(session),
  render: (ctx) => html`<admin-jobs-page data-page .ctx=${ctx}></admin-jobs-page>`,
};

/** A scheme a job added, named with why: it reads a level the job writes, or one the job writes reads it. */
function addedText(w: Words, name: (key: string) => string, d: AddedDependent): string {
  return 'reads' in d ? w.dependsOn(name(d.scheme), d.reads.map(name)) : w.readBy(name(d.scheme), d.readBy.map(name));
}
