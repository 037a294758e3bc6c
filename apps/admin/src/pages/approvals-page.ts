import {
  type ApprovalFilter,
  type ApprovalItem,
  ApprovalsQueue,
  approvalKey,
  type Decided,
  defaultApprovalFilter,
  hasRole,
  isAuditor,
  isBookScoped,
  Jobs,
  mayApproveItem,
  PolicyImpact,
  readSchemes,
  REJECT_NOTE_REQUIRED,
  type KitError,
  kitError,
  whyNotApprovable,
  withdrawStaffGrant,
} from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import type { LevelWhy, SchemeSummary } from '@tierkit/core';
import { formatValue } from '@tierkit/core/format';
import { APPROVAL_KINDS, type ApprovalKind, levelSteps } from '@tierkit/core/wire';
import { query } from '@tierkit/client';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { client } from '../console-client.js';
import type { ConsolePage, PageContext } from '../page.js';
import { bankMonth, bankToday, formatDuration, formatInstant } from '../time.js';

/** A kind the queue knows, from the address bar or the filter (core's one list of kinds). */
const isApprovalKind = (k: string | null | undefined): k is ApprovalKind =>
  (APPROVAL_KINDS as readonly (string | null | undefined)[]).includes(k);
import { APPROVALS_WORDS } from './approvals.words.js';
import { OVERRIDE_WORDS } from './overrides.words.js';
import { JOBS_WORDS } from './jobs.words.js';
import { handOverStarted } from './started-job.js';
import { refocus } from '../keep-focus.js';
import { whyFailed } from '../why-failed.js';
import type { ConsoleLocale } from '../words.js';
import { moreButton } from '../keep-focus.js';
import { type SchemeNames, schemeNames } from '../scheme-names.js';
import { staffName, personActor } from '../staff-name.js';
import { powersText } from '../staff-powers.js';
import { decidedLine, requestLine } from './decision-text.js';
import './affected-download.js';
import { comparisonView } from './simulation-comparison-view.js';
import { closingFacts } from './approvals-closing.js';

type Words = (typeof APPROVALS_WORDS)['en'];

/**
 * A team grant's facts: which team, and the lead named (from → to) or the books it adds — the lead's
 * powers do not change, so the staff grant's "holds now / to be granted" would say nothing.
 */
function teamFacts(w: Words, item: ApprovalItem, team: NonNullable<ApprovalItem['team']>, locale: ConsoleLocale) {
  const lead = item.staff;
  const expiresAt = item.expiresAt;
  const named = lead ? `${lead.name} · ${lead.id}` : '';
  return html`<div><dt>${w.team}</dt><dd data-testid="approval-team">${'name' in team.to ? `${team.to.name} · ${team.id}` : team.id}${team.from === null ? w.teamNew : ''}</dd></div>
    ${
      'add' in team.to
        ? html`<div><dt>${w.teamLead}</dt><dd data-testid="approval-team-lead">${named}</dd></div>
          <div><dt>${w.teamAdds}</dt><dd data-testid="approval-team-books">${team.to.add.join(', ')}</dd></div>`
        : html`<div><dt>${w.teamLead}</dt><dd data-testid="approval-team-lead">${team.from?.lead ?? w.teamNoLead} → ${named}</dd></div>`
    }
    <div><dt>${w.grantLapses}</dt><dd data-testid="approval-expires">${expiresAt ? formatInstant(expiresAt, locale) : ''}</dd></div>`;
}

/** Why the customer has the level a sign-off asks to approve: the deciding rule and each figure beside the line it holds by. */
function levelWhyBlock(w: Words, why: LevelWhy | null, locale: ConsoleLocale) {
  if (why === null) return html`<p class="hint" data-testid="approval-why">${w.noWhy}</p>`;
  const value = (n: number, f: LevelWhy['figures'][number]) => formatValue(n, f.unit, f.currency, locale);
  return html`<dl class="approvals-facts" data-testid="approval-why">
    <div><dt>${w.rule}</dt><dd data-testid="approval-rule">${why.rule}</dd></div>
    <div><dt>${w.why}</dt><dd><ul>${why.figures.map(
      (f) =>
        html`<li data-metric=${f.metric}>${w.figure(f.label, value(f.value, f), f.threshold === null ? null : value(f.threshold, f))}</li>`,
    )}</ul></dd></div>
  </dl>`;
}

/** A refusal in plain words: the two a checker meets in practice get their own sentence. */
function refusalText(w: Words, e: KitError, locale: ConsoleLocale): string {
  if (e.type === REJECT_NOTE_REQUIRED) return w.noteRequired;
  if (e.status === 409 && e.type?.endsWith('/content-changed')) return w.contentChanged;
  if (e.status === 403) return `${w.forbidden}: ${whyFailed(e, locale)}`;
  return `${w.refused}: ${whyFailed(e, locale)}`;
}

function sameFilter(a: ApprovalFilter, b: ApprovalFilter): boolean {
  return a.kind === b.kind && a.scheme === b.scheme && a.subject === b.subject && a.minAgeSeconds === b.minAgeSeconds && a.mine === b.mine;
}

/**
 * How far an override would move its customer from the level they hold now, in levels of the scheme
 * (by rank): the figure a checker weighs a courtesy tier by. Undefined when it would not move them,
 * or a level is unknown.
 */
function overrideGap(item: ApprovalItem, schemes: readonly SchemeSummary[]): { steps: number; up: boolean } | undefined {
  const levels = schemes.find((s) => s.key === item.scheme)?.levels;
  if (!levels || !item.level || !item.currentLevel || !item.fromLevel) return undefined;
  const steps = levelSteps(levels, item.currentLevel, item.level);
  const rank = (key: string) => levels.find((l) => l.key === key)?.rank ?? 0;
  return steps ? { steps, up: rank(item.level) > rank(item.currentLevel) } : undefined;
}

/**
 * The scheme's rule in force against an override (`ruleProblems`: filed before the rule, or before its
 * customer's level moved), as a warning above its facts: approving it would be refused; rejecting is not.
 */
function overrideWarning(item: ApprovalItem, names: SchemeNames, w: Words) {
  const problems = item.ruleProblems ?? [];
  if (!problems.length) return nothing;
  const says = problems.map((p) =>
    p.code === 'override_jump_too_far'
      ? w.ruleJump(p.params.steps, p.params.maxStep, names.levelName(item.scheme, p.params.from))
      : p.code === 'scheme_not_in_force'
        ? w.ruleSchemeRetired(names.schemeName(p.params.scheme))
        : p.code === 'expiry_required'
          ? w.ruleExpiryRequired(p.params.maxDays)
          : w.ruleExpiryTooLate(p.params.maxDays),
  );
  return html`<div class="approvals-warning" role="note" data-testid="approval-rule-warning">
    <strong>${w.ruleWarning}</strong>
    <ul>${says.map((x) => html`<li>${x}</li>`)}</ul>
  </div>`;
}

/** The first day of the month after the current one in the bank's zone: the approval's default date. */
function nextMonthStart(): string {
  const [y, m] = bankMonth().split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/**
 * The month approving from `day` decides from when that reaches a month under way or is a day already
 * past — which the API asks the approver to confirm (`confirmRetier`) — else undefined. A month the
 * scheme's levels already judge only the API knows: its refusal then brings the confirmation up too.
 */
function earlyMonth(day: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const [y, m] = day.split('-').map(Number) as [number, number];
  // The 1st decides from its own month, any other day from the next (the API's firstPeriodFrom).
  const from = day.endsWith('-01') ? day.slice(0, 7) : m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return from <= bankMonth() || day < bankToday() ? from : undefined;
}

/**
 * The approvals queue: everything waiting for a second person, oldest first with its age. Approvers
 * decide with a note (a policy version also with its effective date); their own requests say why
 * they cannot. Officers see their own requests, read-only. What a decision did stays on the page
 * (for a policy version: the book re-evaluated now, a re-tier job, or a job to start).
 */
export class ApprovalsPage extends LitElement {
  static override properties = { ctx: { attribute: false } };

  declare ctx: PageContext | undefined;

  readonly #queue = new StoreController(this, new ApprovalsQueue(client, { pageSize: 50 }));
  readonly #jobs = new StoreController(this, new Jobs(client));
  /** The tenant's schemes, to name levels; keys until they come. */
  #schemes: readonly SchemeSummary[] = [];
  #schemesRead: AbortController | undefined;
  /** Each policy version's diff and simulations, by approval key, read when its card first shows. */
  readonly #impacts = new Map<string, { store: PolicyImpact; stop: () => void }>();
  /** The effective date picked on each policy card, by approval key: its warning follows it. */
  readonly #dates = new Map<string, string>();
  /** Team grants being withdrawn (approval keys), and why a withdrawal was refused, by key. */
  readonly #withdrawing = new Set<string>();
  readonly #withdrawRefusals = new Map<string, KitError>();
  /** What the last withdrawal did, said where focus goes once its card is gone. */
  #withdrawnLine = '';

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('ctx') || !this.ctx) return;
    const before = changed.get('ctx');
    const asked = this.#routeFilter();
    // Summaries name levels in the console's language: the first page again when it changes.
    if (before?.session.actor !== this.ctx.session.actor || before.locale !== this.ctx.locale) {
      this.#queue.store.setLocale(this.ctx.locale);
      void this.#queue.store.setFilter(asked);
    } else if (!sameFilter(this.#queue.state.filter, asked)) {
      // The route changed under the page (the filter submitted, the back button): list what it names.
      void this.#queue.store.setFilter(asked);
    }
  }

  /**
   * The filter the route names (`#/approvals?kind=override&scheme=…&subject=…&minAge=…&who=…`), so a
   * reload, the back button or a link a colleague sends shows the same queue. `who` absent: the
   * person's default — what waits for them if they may decide, else their own requests (the only ones
   * a maker may see here: the API filters them, so they are on the first page).
   */
  #routeFilter(): ApprovalFilter {
    const p = this.ctx?.params;
    const kind = p?.get('kind');
    const minAge = Number(p?.get('minAge'));
    const who = p?.get('who');
    const fallback = defaultApprovalFilter(this.ctx?.session).mine;
    const decider = hasRole(this.ctx?.session, 'approver');
    // Internal audit reads the whole queue: it files nothing, so "my requests" would be empty.
    const mine = isAuditor(this.ctx?.session)
      ? undefined
      : !decider
        ? true
        : who === 'mine'
          ? true
          : who === 'all'
            ? undefined
            : who === 'others'
              ? false
              : fallback;
    return {
      ...(mine !== undefined ? { mine } : {}),
      ...(isApprovalKind(kind) ? { kind } : {}),
      ...(p?.get('scheme') ? { scheme: p.get('scheme') ?? '' } : {}),
      ...(p?.get('subject') ? { subject: p.get('subject') ?? '' } : {}),
      ...(Number.isInteger(minAge) && minAge > 0 ? { minAgeSeconds: minAge } : {}),
    };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const read = new AbortController();
    this.#schemesRead = read;
    readSchemes(client, read.signal).then(
      (schemes) => {
        this.#schemes = schemes;
        this.requestUpdate();
      },
      // Without them levels show as their keys: the queue still works.
      () => undefined,
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#schemesRead?.abort();
    for (const i of this.#impacts.values()) {
      i.stop();
      i.store.cancel();
    }
    this.#impacts.clear();
    this.#queue.store.cancel();
    this.#jobs.store.cancel();
  }

  #filter(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value.trim();
    const kind = value('kind');
    const minAge = Number(value('minAge'));
    // Only a decider has the field; below approver the queue is always one's own requests.
    const picked = (form.elements.namedItem('who') as HTMLSelectElement | null)?.value;
    const who = picked === 'mine' || picked === 'all' || picked === 'others' ? picked : undefined;
    const filter: ApprovalFilter = {
      ...(who === 'others' ? { mine: false } : who === 'all' ? {} : { mine: true }),
      ...(isApprovalKind(kind) ? { kind } : {}),
      ...(value('scheme') ? { scheme: value('scheme') } : {}),
      ...(value('subject') ? { subject: value('subject') } : {}),
      ...(minAge > 0 ? { minAgeSeconds: minAge } : {}),
    };
    // Into the route, which lists it (willUpdate); the same filter again is a refresh, which no route change would make.
    if (sameFilter(filter, this.#routeFilter())) void this.#queue.store.setFilter(filter);
    else
      this.ctx?.navigate(
        `approvals${query({ kind: filter.kind, scheme: filter.scheme, subject: filter.subject, minAge: filter.minAgeSeconds, who })}`,
      );
  }

  async #decide(e: Event, item: ApprovalItem, action: 'approve' | 'reject' | 'withdraw'): Promise<void> {
    const li = (e.target as HTMLElement).closest('[data-approval]');
    const note = li?.querySelector<HTMLTextAreaElement>('textarea[name="note"]')?.value ?? '';
    const effectiveFrom = li?.querySelector<HTMLInputElement>('input[name="effectiveFrom"]')?.value ?? '';
    const confirmRetier = li?.querySelector<HTMLInputElement>('input[name="confirmRetier"]')?.checked === true;
    // The simulation the card showed: the trail records it with the approval (what the checker saw).
    const shown = this.#impacts.get(approvalKey(item))?.store.shownSimulation;
    const next = li?.nextElementSibling?.getAttribute('data-approval');
    const decided =
      action === 'approve'
        ? await this.#queue.store.approve(item, {
            note,
            ...(effectiveFrom ? { effectiveFrom } : {}),
            ...(confirmRetier ? { confirmRetier } : {}),
            ...(shown ? { simulationJobId: shown } : {}),
          })
        : action === 'withdraw'
          ? await this.#queue.store.withdraw(item)
          : await this.#queue.store.reject(item, note);
    await this.updateComplete;
    // The pressed button was disabled while deciding (or its item is gone): focus would fall to the
    // page's start. A refusal keeps it on the item — on the note when the note is what is missing —
    // and a decision moves it on to the next item waiting, or the list's heading.
    const key = approvalKey(item);
    const at = (k: string | null | undefined) => (k ? this.querySelector<HTMLElement>(`[data-approval="${CSS.escape(k)}"]`) : null);
    const target = decided
      ? (at(next)?.querySelector<HTMLElement>('h3') ?? this.querySelector<HTMLElement>('#approvals-h'))
      : this.#queue.state.refusals[key]?.type === REJECT_NOTE_REQUIRED
        ? at(key)?.querySelector<HTMLElement>('textarea[name="note"]')
        : at(key)?.querySelector<HTMLElement>('h3');
    target?.focus();
  }

  /**
   * Withdraw a team grant its maker filed. The staff page lists grants of powers only (a team grant
   * leaves the lead's powers as they are), so this card is the one place the console shows it: its
   * maker takes it back here, as they would a grant of powers there.
   */
  async #withdraw(item: ApprovalItem): Promise<void> {
    const key = approvalKey(item);
    if (this.#withdrawing.has(key) || !this.ctx) return;
    const w = APPROVALS_WORDS[this.ctx.locale];
    this.#withdrawing.add(key);
    this.#withdrawRefusals.delete(key);
    this.requestUpdate();
    let done = false;
    try {
      await withdrawStaffGrant(client, item.id);
      done = true;
      this.#withdrawnLine = w.teamWithdrawn(item.team?.id ?? item.id);
    } catch (err) {
      this.#withdrawRefusals.set(key, kitError(err));
    } finally {
      this.#withdrawing.delete(key);
    }
    if (done) await this.#queue.store.refresh();
    this.requestUpdate();
    await this.updateComplete;
    // Gone: focus the line that says so; refused: back on the card, beside why.
    const at = this.querySelector<HTMLElement>(`[data-approval="${CSS.escape(key)}"] h3`);
    (done ? this.querySelector<HTMLElement>('[data-testid="approvals-withdrawn"]') : at)?.focus();
  }

  async #startRetier(e: SubmitEvent, d: Decided): Promise<void> {
    e.preventDefault();
    if (d.activation?.kind !== 'deferred') return;
    const pressed = e.submitter;
    const form = e.target as HTMLFormElement;
    // The month the version takes effect may still be open: the form then asks, as the jobs page does,
    // with a required checkbox, and what is sent is whether it was ticked (the API's month_open decides).
    const confirmed = (form.elements.namedItem('allowOpenMonth') as HTMLInputElement | null)?.checked === true;
    const job = await this.#jobs.store.start({
      schemes: [d.item.scheme],
      period: d.activation.fromPeriod,
      reason: `${d.item.id} approved`,
      ...(confirmed ? { allowOpenMonth: true } : {}),
    });
    // Refused (a month with no data, say): the button was disabled while it asked, and focus fell to the
    // page's start; back on it, beside the refusal.
    if (!job) {
      await refocus(pressed, () => this.querySelector(`[data-decided="${CSS.escape(d.key)}"] [data-testid="start-retier-status"]`));
      return;
    }
    // The job's page has its own Jobs store: what the month lacks goes with the job.
    handOverStarted(job);
    this.ctx?.navigate(`jobs/${encodeURIComponent(job.id)}`);
  }

  /** The policy version's store of diff and simulations, made and read the first time its card shows. */
  #impactOf(item: ApprovalItem): PolicyImpact | undefined {
    const at = item.id.lastIndexOf('@');
    const version = Number(item.id.slice(at + 1));
    if (at <= 0 || !Number.isInteger(version)) return undefined;
    const key = approvalKey(item);
    let entry = this.#impacts.get(key);
    if (!entry) {
      const store = new PolicyImpact(client, item.id.slice(0, at), version, { simulations: !isAuditor(this.ctx?.session) });
      entry = { store, stop: store.subscribe(() => this.requestUpdate()) };
      this.#impacts.set(key, entry);
      void store.load();
    }
    return entry.store;
  }

  /** What the version changes against the one in force, in the engine's words. */
  #changes(s: PolicyImpact['state'], domId: string, w: Words, locale: ConsoleLocale) {
    return html`<section class="approvals-impact" aria-labelledby="${domId}-ch" data-testid="policy-changes">
        <h4 id="${domId}-ch">${w.changesTitle}</h4>
        ${
          s.diff === null
            ? html`<p class="hint">${w.noneInForce}</p>`
            : s.diff === undefined
              ? nothing
              : s.diff.changes.length === 0
                ? html`<p class="hint">${w.noChanges}</p>`
                : html`${
                    s.diff.againstFrom && s.diff.inForce !== s.diff.against
                      ? html`<p class="approvals-warning" role="note" data-testid="diff-against-scheduled">${w.changesAgainstScheduled(s.diff.against, s.diff.againstFrom, s.diff.inForce ?? null)}</p>`
                      : html`<p class="hint">${w.changesAgainst(s.diff.against)}</p>`
                  }
                    <ul>${s.diff.changes.map((c) => html`<li data-change=${c.change} data-key=${c.key}>${c.text[locale]}</li>`)}</ul>`
        }
      </section>`;
  }

  /** What the version changes, in the engine's words, and what it would do to the book, as the checker reads them. */
  #impact(item: ApprovalItem, domId: string, w: Words) {
    const store = this.#impactOf(item);
    if (!store || !this.ctx) return nothing;
    const locale = this.ctx.locale;
    const s = store.state;
    if (s.status === 'loading' && s.simulations === undefined)
      return html`<p role="status" class="hint" data-testid="impact-status">${w.impactLoading}</p>`;
    if (s.status === 'error' && s.simulations === undefined)
      return html`<p role="status" class="approvals-refusal" data-testid="impact-status">${w.impactFailed}: ${whyFailed(s.error, locale)}</p>`;
    const names = schemeNames(this.#schemes, locale);
    const sims = s.simulations;
    const latest = sims?.latest ?? null;
    const sim = latest?.simulation?.result;
    const mayRun = hasRole(this.ctx.session, 'analyst');
    // Internal audit reads what changes, not a simulation's outcome (customers' levels): the API refuses it that.
    if (sims === null)
      return html`${this.#changes(s, domId, w, locale)}<section class="approvals-impact" aria-labelledby="${domId}-im" data-testid="policy-impact">
        <h4 id="${domId}-im">${w.impactTitle}</h4><p class="hint" data-testid="impact-not-read">${w.auditorNoSimulation}</p></section>`;
    const running = s.running?.status === 'running' ? s.running : undefined;
    const ended = s.running && s.running.status !== 'running' && s.running.status !== 'completed' ? s.running : undefined;
    const stale = sims?.changedSince
      ? Object.entries(sims.changedSince)
          .filter(([, changed]) => changed)
          .map(([why]) => why)
      : [];
    return html`${this.#changes(s, domId, w, locale)}
      <section class="approvals-impact" aria-labelledby="${domId}-im" data-testid="policy-impact">
        <h4 id="${domId}-im">${w.impactTitle}</h4>
        ${
          sim && latest
            ? html`<p data-testid="impact-ran">${w.simRan(formatInstant(latest.finishedAt, locale))} · ${w.simBy}${w.actors[latest.requestedBy] ?? staffName(latest.requestedBy)}</p>
                <p>${w.simFor(sim.period, sim.dataPeriod)} · ${w.simAgainst(sim.against)}</p>
                ${sims?.pinned.length ? html`<p class="hint" data-testid="impact-pinned">${w.simPinned(sims.pinned.map((p) => `${names.schemeName(p.scheme)} v${p.version}`).join('、'))}</p>` : nothing}
                <p data-testid="impact-counts">${w.simCounts(sim.upgraded, sim.downgraded, sim.unchanged, sim.assigned)}</p>
                <p data-testid="impact-signoffs">${w.simSignOffs(sims?.signOffs ?? 0)}</p>
                ${comparisonView(sim, (l) => names.levelName(item.scheme, l), locale, domId, 5)}
                <admin-affected-download .job=${latest.id} .locale=${locale}></admin-affected-download>
                ${
                  stale.length
                    ? html`<div class="approvals-warning" role="note" data-testid="impact-stale"><strong>${w.staleTitle}</strong>
                        <ul>${stale.map((why) => html`<li data-why=${why}>${w.staleReasons[why] ?? why}</li>`)}</ul></div>`
                    : html`<p class="hint" data-testid="impact-fresh">${w.fresh}</p>`
                }
                <div class="table-scroll" tabindex="0" role="region" aria-labelledby="${domId}-mx">
                  <table data-testid="impact-matrix">
                    <caption id="${domId}-mx">${w.simMatrix}</caption>
                    <thead><tr><th scope="col">${w.simFrom}</th><th scope="col">${w.simTo}</th><th scope="col">${w.simCount}</th></tr></thead>
                    <tbody>${sim.cells
                      .filter((c) => c.count > 0)
                      .map(
                        (c) =>
                          html`<tr data-from=${c.from} data-to=${c.to}><td>${names.levelName(item.scheme, c.from)}</td><td>${names.levelName(item.scheme, c.to)}</td><td>${c.count}</td></tr>`,
                      )}</tbody>
                  </table>
                </div>`
            : html`<p data-testid="impact-none">${w.noSimulation}</p>`
        }
        ${
          running
            ? html`<p role="status" data-testid="impact-running"><span id="${domId}-pl">${w.simRunning(running.progress.chunks.done, running.progress.chunks.total)}</span>
                <progress aria-labelledby="${domId}-pl" max=${Math.max(1, running.progress.chunks.total)} value=${running.progress.chunks.done}></progress></p>`
            : ended
              ? html`<p role="status" data-testid="impact-running">${w.simEnded(ended.status, ended.error ?? '')}</p>`
              : nothing
        }
        ${
          running
            ? nothing
            : mayRun
              ? html`<button type="button" data-action="simulate" ?disabled=${s.starting} @click=${() => store.simulate()}>${latest ? w.runAgain : w.runSimulation}</button>
                  <span role="status" data-testid="impact-start">${s.starting ? w.simStarting : s.startError ? `${w.refused}: ${whyFailed(s.startError, locale)}` : ''}</span>`
              : html`<p class="hint">${w.mayNotSimulate}</p>`
        }
      </section>`;
  }

  /** The effective date of a policy approval: next month's first day by default, with a warning and a confirmation when it reaches a month under way. */
  #dateField(item: ApprovalItem, domId: string, w: Words) {
    const key = approvalKey(item);
    // The API's default when a version is scheduled after next month: dated on or before it, the approval is refused.
    const day = this.#dates.get(key) ?? this.#impactOf(item)?.state.diff?.approveFrom ?? nextMonthStart();
    const asked = this.#queue.state.refusals[key]?.errors?.find((e) => e.code === 'effective_date_needs_confirmation')?.params?.period;
    const early = earlyMonth(day) ?? (typeof asked === 'string' ? asked : undefined);
    const jw = JOBS_WORDS[this.ctx?.locale ?? 'zh-CN'];
    return html`<label for="${domId}-from">${w.effectiveFrom}</label>
      <input id="${domId}-from" type="date" name="effectiveFrom" required min="${bankMonth()}-01" .value=${day}
        aria-describedby="${domId}-fh"
        @input=${(e: Event) => {
          this.#dates.set(key, (e.target as HTMLInputElement).value);
          this.requestUpdate();
        }}>
      ${
        early
          ? html`<div id="${domId}-fh" class="approvals-warning" role="note" data-testid="date-warning">${w.dateWarning(jw.month(early))}</div>
              <label class="jobs-confirm"><input type="checkbox" name="confirmRetier" data-testid="confirm-retier"> ${w.confirmRetier(jw.month(early))}</label>`
          : html`<span id="${domId}-fh" class="hint" data-testid="date-hint">${w.dateNextMonth}</span>`
      }`;
  }

  #item(item: ApprovalItem, canDecide: boolean) {
    if (!this.ctx) return nothing;
    const w = APPROVALS_WORDS[this.ctx.locale];
    const locale = this.ctx.locale;
    const key = approvalKey(item);
    const q = this.#queue.state;
    const why = whyNotApprovable(item, this.ctx.session);
    // Below the role the scheme's rule asks for (an admin), Reject stays: the API asks an approver for that.
    const mayApprove = mayApproveItem(item, this.ctx.session);
    const busy = q.deciding[key] === true;
    const refusal = q.refusals[key];
    const domId = `ap-${key.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
    const at = item.id.lastIndexOf('@');
    const names = schemeNames(this.#schemes, locale);
    const gap = overrideGap(item, this.#schemes);
    return html`<li class="approvals-item" data-approval=${key} aria-labelledby="${domId}-h">
      <h3 id="${domId}-h" tabindex="-1"><span class="approvals-kind">${item.team ? w.teamKind : (w.kinds[item.kind] ?? item.kind)}</span> ${item.team ? item.team.id : item.staff ? `${item.staff.name} · ${item.staff.id}` : (item.subject ?? item.scheme)}</h3>
      <p class="approvals-summary">${requestLine(item, names, locale)}</p>
      ${item.kind === 'override' ? overrideWarning(item, names, w) : nothing}
      <dl class="approvals-facts">
        ${
          item.kind === 'override' && item.subject
            ? html`<div><dt>${w.customer}</dt><dd data-testid="approval-customer">${
                // An auditor cannot open a customer's page: a link there would only lead to a refusal.
                isAuditor(this.ctx.session) ? item.subject : html`<a href="#/book/${encodeURIComponent(item.subject)}">${item.subject}</a>`
              }${item.subjectName ? html` <span class="subject-name">${item.subjectName}</span>` : nothing}</dd></div>`
            : nothing
        }
        ${closingFacts(item, locale, !isAuditor(this.ctx.session))}
        ${item.reason ? html`<div><dt>${w.reason}</dt><dd data-testid="approval-reason">${item.reason}</dd></div>` : nothing}
        ${
          item.reasonCategory
            ? html`<div><dt>${w.reasonCategory}</dt><dd data-testid="approval-category">${OVERRIDE_WORDS[locale].reasonCategories[item.reasonCategory] ?? item.reasonCategory}</dd></div>`
            : nothing
        }
        ${
          // As text, never a link: the filer typed it, and a checker opens it on purpose (a javascript: URL stays inert).
          item.evidence ? html`<div><dt>${w.evidence}</dt><dd data-testid="approval-evidence">${item.evidence}</dd></div>` : nothing
        }
        ${
          // A policy version's maker's words: the checker reads why with the diff, not only what changed.
          item.draftNote ? html`<div><dt>${w.draftNote}</dt><dd data-testid="approval-draft-note">${item.draftNote}</dd></div>` : nothing
        }
        ${item.submitNote ? html`<div><dt>${w.submitNote}</dt><dd data-testid="approval-submit-note">${item.submitNote}</dd></div>` : nothing}
        ${
          item.kind !== 'policy' &&
          item.kind !== 'staff' &&
          item.kind !== 'retirement' &&
          item.kind !== 'metric-audience' &&
          item.kind !== 'closing' &&
          item.currentLevel !== undefined
            ? html`<div><dt>${w.currentLevel}</dt><dd data-testid="approval-current">${item.currentLevel === null ? w.noLevel : names.levelName(item.scheme, item.currentLevel)}</dd></div>`
            : nothing
        }
        ${
          item.kind === 'override' && gap !== undefined
            ? html`<div><dt>${w.gap}</dt><dd data-testid="approval-gap">${w.gapText(gap.steps, gap.up)}</dd></div>`
            : nothing
        }
        ${item.team ? teamFacts(w, item, item.team, locale) : nothing}
        ${
          item.staff && !item.team
            ? html`<div><dt>${w.staffFrom}</dt><dd data-testid="approval-staff-from">${item.staff.from ? `${powersText(item.staff.from, locale)}${item.staff.from.disabled ? ` · ${w.staffDisabled}` : ''}` : w.staffNew}</dd></div>
              <div><dt>${w.staffTo}</dt><dd data-testid="approval-staff-to">${powersText(item.staff.to, locale)}</dd></div>
              <div><dt>${w.grantLapses}</dt><dd data-testid="approval-expires">${item.expiresAt ? formatInstant(item.expiresAt, locale) : ''}</dd></div>`
            : nothing
        }
        ${
          item.kind === 'override' && item.expiresAt !== undefined
            ? html`<div><dt>${w.expires}</dt><dd data-testid="approval-expires">${item.expiresAt ? formatInstant(item.expiresAt, locale) : w.untilRevoked}</dd></div>`
            : nothing
        }
        ${
          item.retirement
            ? html`<div><dt>${w.retiring}</dt><dd data-testid="approval-retiring">${w.retiringVersion(item.retirement.version, item.retirement.status, item.retirement.effectiveFrom)}</dd></div>
              <div><dt>${w.instead}</dt><dd data-testid="approval-instead">${w.insteadText(item.retirement.instead)}</dd></div>`
            : nothing
        }
        ${
          item.approvalNeeds === 'admin'
            ? html`<div><dt>${w.approvalBy}</dt><dd data-testid="approval-needs" data-needs="admin">${w.needsAdmin}</dd></div>`
            : nothing
        }
        <div><dt>${w.requestedBy}</dt><dd data-testid="approval-requester">${w.actors[item.requestedBy] ?? staffName(personActor(item.requestedBy, item.requestedByStaff))}</dd></div>
        ${item.kind === 'level' && item.period ? html`<div><dt>${w.judged}</dt><dd data-testid="approval-judged">${item.period}</dd></div>` : nothing}
        <div><dt>${w.requestedAt}</dt><dd>${formatInstant(item.requestedAt, locale)}</dd></div>
        <div><dt>${item.kind === 'level' ? w.waitingSince : w.waiting}</dt><dd>${formatDuration(item.ageSeconds, locale)}</dd></div>
      </dl>
      ${item.kind === 'level' && item.why !== undefined ? levelWhyBlock(w, item.why, locale) : nothing}
      ${item.kind === 'policy' ? this.#impact(item, domId, w) : nothing}
      ${
        (item.kind === 'policy' || item.kind === 'retirement') && at > 0
          ? html`<p><a href="#/policies/${encodeURIComponent(item.id.slice(0, at))}/${encodeURIComponent(item.id.slice(at + 1))}">${w.viewPolicy}</a></p>`
          : nothing
      }
      ${
        // Nobody on staff but its maker (or, for a lowering, those who put in its figures) could approve it:
        // say who must be promoted, not leave it waiting unexplained.
        item.approvalBlocked
          ? html`<p class="approvals-blocked" data-testid="approval-blocked" data-why=${item.approvalBlocked}>${
              item.approvalBlocked === 'no-other-admin'
                ? w.noOtherAdmin
                : item.approvalBlocked === 'approvers-wrote-figures'
                  ? w.figuresByApprovers
                  : w.noOtherApprover
            }</p>`
          : nothing
      }
      ${
        why === 'own-request' || why === 'own-job'
          ? html`<p class="approvals-own" data-testid="own-request" data-why=${why}>${why === 'own-job' ? w.ownJob : w.ownRequest}</p>${
              // Its asker may take a retirement or a closing request back; only another person decides it.
              (item.kind === 'retirement' || item.kind === 'closing') && why === 'own-request'
                ? html`<div class="actions"><button type="button" data-action="withdraw" ?disabled=${busy} @click=${(e: Event) => this.#decide(e, item, 'withdraw')}>${w.withdraw}</button></div>`
                : nothing
            }`
          : nothing
      }
      ${
        // A team grant's maker takes it back here (the API refuses anyone else: the lead, whose request it
        // also counts as, sees no approvals page for staff).
        item.team && why === 'own-request'
          ? html`<div class="actions"><button type="button" data-action="withdraw" aria-label=${w.teamWithdrawOf(item.team.id)}
              aria-disabled=${this.#withdrawing.has(key) ? 'true' : 'false'} @click=${() => this.#withdraw(item)}>${w.teamWithdraw}</button></div>
              <p role="status" class="approvals-refusal" data-testid="withdraw-refusal">${
                this.#withdrawRefusals.has(key) ? `${w.refused}: ${whyFailed(this.#withdrawRefusals.get(key) as KitError, locale)}` : ''
              }</p>`
          : nothing
      }
      ${
        canDecide && why === undefined
          ? html`<div class="approvals-decide">
              <label for="${domId}-note">${w.note}</label>
              <textarea id="${domId}-note" name="note" rows="2" maxlength="1000" aria-describedby="${domId}-nh"
                aria-invalid=${refusal?.type === REJECT_NOTE_REQUIRED ? 'true' : 'false'}></textarea>
              <span id="${domId}-nh" class="hint">${w.noteHint}</span>
              ${item.kind === 'policy' ? this.#dateField(item, domId, w) : nothing}
              ${mayApprove ? nothing : html`<p class="hint" data-testid="needs-admin-hint">${w.needsAdminHint}</p>`}
              <div class="actions">
                ${
                  mayApprove
                    ? html`<button type="button" data-action="approve" ?disabled=${busy} @click=${(e: Event) => this.#decide(e, item, 'approve')}>${w.approve}</button>`
                    : nothing
                }
                <button type="button" data-action="reject" ?disabled=${busy} @click=${(e: Event) => this.#decide(e, item, 'reject')}>${w.reject}</button>
              </div>
            </div>`
          : nothing
      }
      <p role="status" class="approvals-refusal">${busy ? w.deciding : refusal ? refusalText(w, refusal, locale) : ''}</p>
    </li>`;
  }

  #decided(d: Decided) {
    if (!this.ctx) return nothing;
    const w = APPROVALS_WORDS[this.ctx.locale];
    const jw = JOBS_WORDS[this.ctx.locale];
    const a = d.activation;
    const j = this.#jobs.state;
    return html`<li class="approvals-decided" data-decided=${d.key}>
      <strong>${d.action === 'approve' ? w.approved : d.action === 'withdraw' ? w.withdrawn : w.rejected}</strong> · ${w.kinds[d.item.kind] ?? d.item.kind} · ${
        d.item.kind !== 'policy' && d.item.subject
          ? html`<span data-testid="decided-customer"><a href="#/book/${encodeURIComponent(d.item.subject)}">${d.item.subject}</a>${
              d.item.subjectName ? html` <span class="subject-name">${d.item.subjectName}</span>` : nothing
            }</span> · `
          : nothing
      }<span data-testid="decided-line">${decidedLine(d, schemeNames(this.#schemes, this.ctx.locale), this.ctx.locale)}</span>
      ${
        a === undefined
          ? nothing
          : html`<div data-testid="activation">${
              a.kind === 'reevaluated'
                ? a.subjects === 0
                  ? w.reevaluatedNoData(a.fromPeriod)
                  : w.reevaluated(a.subjects, a.changes)
                : a.kind === 'job'
                  ? html`${w.jobQueued}<a data-job-link href="#/jobs/${encodeURIComponent(a.jobId)}">${a.jobId}</a>`
                  : a.kind === 'deferred'
                    ? html`${w.deferred(a.subjects)}
                        <form class="approvals-retier" @submit=${(e: SubmitEvent) => this.#startRetier(e, d)}>
                          ${
                            a.fromPeriod >= bankMonth()
                              ? html`<label class="jobs-confirm" data-testid="open-month"><input type="checkbox" name="allowOpenMonth" required>
                                  ${jw.confirmOpenMonth(jw.month(a.fromPeriod))}</label>`
                              : nothing
                          }
                          <button type="submit" data-action="start-retier" ?disabled=${j.starting}>${w.startRetier}</button>
                        </form>
                        <span role="status" data-testid="start-retier-status" tabindex="-1">${j.starting ? w.starting : j.startError ? refusalText(w, j.startError, this.ctx.locale) : ''}</span>`
                    : a.kind === 'awaiting-data'
                      ? w.awaitingData(jw.month(a.fromPeriod), a.missing.join(', '))
                      : w.scheduled(a.effectiveFrom ?? a.fromPeriod)
            }</div>`
      }
    </li>`;
  }

  override render() {
    if (!this.ctx) return nothing;
    const w = APPROVALS_WORDS[this.ctx.locale];
    const session = this.ctx.session;
    const canDecide = hasRole(session, 'approver');
    const auditor = isAuditor(session);
    // A team lead who is an approver (book-scoped): the API lists only override requests in their reach.
    const lead = isBookScoped(session);
    const q = this.#queue.state;
    // Below approver the queue is read-only and lists one's own requests: the API filters them (`mine`).
    const items = q.items;
    const status =
      q.status === 'loading'
        ? w.loading
        : q.status === 'error'
          ? `${w.failed}: ${whyFailed(q.error, this.ctx.locale)}`
          : q.status === 'ready' && items.length === 0 && q.nextCursor === null
            ? canDecide && q.filter.mine === false
              ? w.emptyOthers
              : w.empty
            : q.status === 'ready'
              ? w.shown(items.length, q.nextCursor !== null)
              : '';
    const f = q.filter;
    return html`
      <section class="card approvals" aria-labelledby="approvals-h">
        <h2 id="approvals-h" tabindex="-1">${canDecide || auditor ? w.title : w.mineTitle}</h2>
        ${canDecide || auditor ? nothing : html`<p class="hint">${w.mineHint}</p>`}
        <form class="filters approvals-filters" @submit=${this.#filter} aria-label=${w.filters}>
          <label>${w.kind}
            <select name="kind">
              <option value="" ?selected=${!f.kind}>${w.allKinds}</option>
              ${(lead ? (['override'] as const) : APPROVAL_KINDS).map((k) => html`<option value=${k} ?selected=${f.kind === k}>${w.kinds[k]}</option>`)}
            </select>
          </label>
          <label>${w.scheme} <input name="scheme" maxlength="64" autocomplete="off" .value=${f.scheme ?? ''}></label>
          <label>${w.subject} <input name="subject" maxlength="64" autocomplete="off" .value=${f.subject ?? ''}></label>
          <label>${w.minAge}
            <select name="minAge">
              <option value="" ?selected=${!f.minAgeSeconds}>${w.anyAge}</option>
              ${Object.entries(w.ages).map(([s, label]) => html`<option value=${s} ?selected=${f.minAgeSeconds === Number(s)}>${label}</option>`)}
            </select>
          </label>
          ${
            canDecide
              ? html`<label>${w.who}
                  <select name="who" data-testid="approvals-who">
                    ${(lead ? (['others', 'mine'] as const) : (['others', 'mine', 'all'] as const)).map(
                      (k) =>
                        html`<option value=${k} ?selected=${(k === 'others' && f.mine === false) || (k === 'mine' && f.mine === true) || (k === 'all' && f.mine === undefined)}>${w.whos[k]}</option>`,
                    )}
                  </select>
                </label>`
              : nothing
          }
          <button type="submit">${w.apply}</button>
          <button type="button" @click=${() => this.#queue.store.refresh()}>${w.refresh}</button>
        </form>
        ${
          // What waits for a decider is what their role may decide (the API's `mine=false`): say where the rest is.
          canDecide && f.mine === false
            ? html`<p class="hint" data-testid="approvals-scope">${lead ? w.leadScope : w.othersHint}</p>`
            : nothing
        }
        <p role="status" class="hint" data-testid="approvals-status" tabindex="-1">${status}</p>
        <p role="status" class="hint" data-testid="approvals-withdrawn" tabindex="-1">${this.#withdrawnLine}</p>
        ${items.length ? html`<ul class="approvals-list">${items.map((i) => this.#item(i, canDecide))}</ul>` : nothing}
        ${
          q.nextCursor !== null && q.status === 'ready'
            ? moreButton({
                loading: q.loadingMore,
                label: w.loadMore,
                loadingLabel: w.loading,
                load: () => this.#queue.store.loadMore(),
                status: () => this.querySelector('[data-testid="approvals-status"]'),
              })
            : nothing
        }
      </section>
      ${
        q.decided.length
          ? html`<section class="card approvals-done" aria-labelledby="approvals-done-h">
              <h2 id="approvals-done-h">${w.decidedTitle}</h2>
              <ul>${q.decided.map((d) => this.#decided(d))}</ul>
            </section>`
          : nothing
      }
    `;
  }
}

if (!customElements.get('admin-approvals-page')) customElements.define('admin-approvals-page', ApprovalsPage);

export const approvalsPage: ConsolePage = {
  id: 'approvals',
  title: { 'zh-CN': '待审批', 'zh-TW': '待審核', en: 'Approvals' },
  // The queue reaches across the tenant; officers see their own requests in it, approvers decide.
  // Internal audit reads the whole queue (decides nothing: no action is offered it).
  // A team lead who is an approver (book-scoped) decides their team's override requests here; an RM decides nothing.
  visible: (session) => (isBookScoped(session) ? hasRole(session, 'approver') : hasRole(session, 'officer') || isAuditor(session)),
  render: (ctx) => html`<admin-approvals-page data-page .ctx=${ctx}></admin-approvals-page>`,
};
