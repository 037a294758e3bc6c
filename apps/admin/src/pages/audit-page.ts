import {
  AUDIT_EXPORT_MEMORY_LIMIT,
  auditVerifyArgs,
  type AuditFilter,
  type AuditFilterField,
  type AuditFilterInput,
  type AuditRecord,
  AuditTrail,
  anchorVerdict,
  auditDetailOf,
  bookMovesOf,
  firstBreak,
  hasRole,
  isAuditor,
  isBookScoped,
  nameWithId,
  readSchemes,
} from '@tierkit/admin';
import type { SchemeSummary } from '@tierkit/core';
import { StoreController } from '@tierkit/admin/lit';
import { AUDIT_METHODS, AUDIT_PHASES, HTTP_METHODS, OPERATOR_METHODS } from '@tierkit/core/wire';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { bankTimeZone, formatBankTime, formatInstant } from '../time.js';
import { schemeNames } from '../scheme-names.js';
import { consoleStaffNames } from '../staff-name.js';
import { client } from '../console-client.js';
import { downloadBlob } from '../csv.js';
import type { ConsolePage, PageContext } from '../page.js';
import { AUDIT_WORDS } from './audit.words.js';
import {
  auditDetailTexts,
  credentialText,
  listedErasedText,
  listedSubjectText,
  operatorMethodText,
  phaseText,
} from './audit-detail-text.js';
import { sayCheck, whyFailed } from '../why-failed.js';
import { moreButton, refocus } from '../keep-focus.js';

/** The File System Access API's save dialog, where a browser has it (Chromium): not yet in TypeScript's DOM types. */
type SaveFilePicker = (options: {
  suggestedName: string;
  types: { description: string; accept: Readonly<Record<string, readonly string[]>> }[];
}) => Promise<{ readonly name: string; createWritable(): Promise<WritableStream<Uint8Array>> }>;

const EXPORT_TYPES = {
  csv: { accept: { 'text/csv': ['.csv'] } },
  jsonl: { accept: { 'application/jsonl': ['.jsonl'] } },
} as const;

/** Of a `change` record's moves (up to 1,000), the ones a row names; each customer's page lists all of theirs. */
const SHOWN_MOVES = 5;

/**
 * Once a frame is painted, or a short while, whichever comes first: a tab in the background paints
 * no frames, and a search started there must not wait until someone looks at it.
 */
const painted = () =>
  new Promise<void>((r) => {
    requestAnimationFrame(() => setTimeout(r));
    setTimeout(r, 100);
  });

/**
 * The audit trail: the tenant's records newest first, filtered as the API allows, paged by its
 * cursors; each record's phase (intent before a write, its result), outcome and request id; and the
 * chain verified end to end on demand. For checkers (approvers), whom the API lets read it.
 */
export class AuditPage extends LitElement {
  static override properties = {
    ctx: { attribute: false },
    schemes: { state: true },
    refused: { state: true },
    format: { state: true },
  };

  declare ctx: PageContext | undefined;
  /** Staff names, the console's one store: the books a move between books names (ids alone until read, or if unreadable). */
  readonly #names = new StoreController(this, consoleStaffNames);
  /** The tenant's schemes, to name the schemes and levels a record's detail holds by key (keys alone until read, or if unreadable). */
  declare schemes: readonly SchemeSummary[];
  /** Whether the announced summary says the last search was refused (see `#find`: emptied before each search). */
  declare refused: boolean;
  /** The export's format: CSV for Excel, JSON lines to verify offline (`tierkit audit verify --file`). */
  declare format: 'csv' | 'jsonl';
  #schemesRead: AbortController | undefined;
  /** The name of the file the last streamed export was written to (the picker's), which its check names. */
  #savedAs: string | undefined;
  /**
   * Bumped by each search, Clear, a new session and leaving the page: a search that waited for a
   * frame goes on only if nothing came after it, so it never undoes a Clear, nor reads for a page
   * that is gone.
   */
  #searches = 0;
  /** The route's filter (`target`, `person`) the trail was last searched with, to tell a new one. */
  #route: string | undefined;

  constructor() {
    super();
    this.schemes = [];
    this.refused = false;
    this.format = 'csv';
  }

  readonly #trail = new StoreController(this, new AuditTrail(client, { pageSize: 50 }));

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('ctx') || !this.ctx) return;
    // `#/audit?target=C000003` opens the trail of one subject (or request); `?person=MAKER01`, one person's.
    // The shell hands a new context on every render (a language switched too): the trail is searched
    // again only for a new session or when the route's own filter changed (`?person=A` → `?person=B`
    // in one session, a link followed or the back button), never over a search typed since.
    const target = this.ctx.params.get('target') ?? undefined;
    const person = this.ctx.params.get('person') ?? undefined;
    const route = JSON.stringify([target ?? null, person ?? null]);
    const newSession = changed.get('ctx')?.session.actor !== this.ctx.session.actor;
    if (!newSession && route === this.#route) return;
    this.#route = route;
    this.#searches++;
    this.refused = false;
    void this.#trail.store.setFilter({ ...(target ? { target } : {}), ...(person ? { person } : {}) });
    if (newSession) void this.#readSchemes();
  }

  /**
   * Who made a record, as the API names them on each record (`actorStaff`, `actorStaffName`,
   * `actorKeyLabel`, read once for the page by the server, whoever reads it): the person by name, and
   * a key by its label, or else the kind of credential. A record the API names no one for (the CLI, the system, a job, or an API from
   * before those fields) is worded as the console words any actor.
   */
  #actor(r: AuditRecord, locale: PageContext['locale']) {
    const w = AUDIT_WORDS[locale];
    const label = r.actorKeyLabel ?? null;
    const staff = r.actorStaff ?? null;
    if (label === null && staff === null)
      return html`<admin-staff-name .actor=${r.actor}></admin-staff-name><br><span class="hint">${credentialText(r.credential, locale)}</span>`;
    const person = staff === null ? w.keyNoOwner : r.actorStaffName ? `${r.actorStaffName} · ${staff}` : staff;
    // A key named by its label already says it is an API key: the credential's word would say it twice.
    return html`<span data-testid="actor-person">${person}</span>${
      label === null
        ? html`<br><span class="hint">${credentialText(r.credential, locale)}</span>`
        : html`<br><span class="hint" data-testid="actor-key">${w.keyActor(label)}</span>`
    }`;
  }

  /**
   * Read the schemes' names once per session; what this reader may not read (or a
   * failure) leaves the ids and keys, never the trail unread.
   */
  async #readSchemes(): Promise<void> {
    this.#schemesRead?.abort();
    const read = new AbortController();
    this.#schemesRead = read;
    const schemes = await readSchemes(client, read.signal).catch(() => []);
    if (read.signal.aborted) return;
    this.schemes = schemes;
  }

  /** A book of a move: its staff member by name where known, with the id; else the id; "no book" for none. */
  #book(id: string | null): string {
    const w = AUDIT_WORDS[this.ctx?.locale ?? 'zh-CN'];
    if (id === null) return w.noBook;
    return nameWithId(id, this.#names.store.state.names);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#searches++;
    this.#trail.store.cancel();
    this.#schemesRead?.abort();
  }

  async #find(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const field = (name: string) => (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value.trim();
    // A half-typed time (or `1e` as a status) reads as '': only the browser's badInput tells it from
    // an empty field, which is no bound.
    const unreadable = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).validity.badInput;
    const method = field('method');
    const phase = field('phase');
    // The form is `novalidate`: the browser's own checks would stop a search in the browser's language,
    // unannounced, with the last refusal still shown. Every field is the kit's to check, and a field
    // that is no value is refused, never dropped: a bound dropped would read the trail unbounded on
    // that side while the person believes it bounded. Read as submitted, before the wait below.
    const input: AuditFilterInput = {
      actor: field('actor') || undefined,
      person: field('person') || undefined,
      method: (AUDIT_METHODS as readonly string[]).includes(method) ? (method as AuditFilter['method']) : undefined,
      route: field('route') || undefined,
      target: field('target') || undefined,
      phase: (AUDIT_PHASES as readonly string[]).includes(phase) ? (phase as AuditFilter['phase']) : undefined,
      status: field('status'),
      from: field('from'),
      to: field('to'),
      statusUnreadable: unreadable('status'),
      fromUnreadable: unreadable('from'),
      toUnreadable: unreadable('to'),
    };
    const mine = ++this.#searches;
    // A live region speaks only when its text changes: emptied, and a frame painted so, before each
    // search, the same refusal twice in a row is said twice, not met with silence.
    this.refused = false;
    await this.updateComplete;
    await painted();
    if (mine !== this.#searches || !this.isConnected) return;
    // The range is read in the bank's zone, the session's.
    const found = await this.#trail.store.find(input, bankTimeZone());
    if (found || mine !== this.#searches || !this.isConnected) return;
    this.refused = true;
    await this.updateComplete;
    this.querySelector<HTMLElement>('form.audit-filters [aria-invalid="true"]')?.focus();
  }

  /**
   * A field the kit checks (a bound of the range, the status): its control, and what is wrong with it
   * beside it (described by, announced with the summary). `hint`: what else describes it.
   */
  #checked(
    name: AuditFilterField,
    label: string,
    hint: string | undefined,
    control: (invalid: 'true' | 'false', describedBy: string | typeof nothing) => unknown,
  ) {
    const locale = this.ctx?.locale ?? 'zh-CN';
    const check = this.#trail.state.fieldErrors[name];
    const error = check ? sayCheck(check, AUDIT_WORDS[locale].checks, locale) : undefined;
    const describedBy = [hint, error ? `audit-${name}-error` : undefined].filter(Boolean).join(' ');
    return html`<label>${label} ${control(error ? 'true' : 'false', describedBy || nothing)}</label>${
      error ? html`<span class="audit-field-error" id="audit-${name}-error" data-testid="field-error">${error}</span>` : nothing
    }`;
  }

  /** A bound of the range, typed as the bank's wall clock (the zone's hint describes it). */
  #bound(name: 'from' | 'to', label: string) {
    return this.#checked(
      name,
      label,
      'audit-zone-hint',
      (invalid, describedBy) => html`<input name=${name} type="datetime-local" aria-invalid=${invalid} aria-describedby=${describedBy}>`,
    );
  }

  /**
   * Save the export of the filter the list shows (every record it finds, not only the pages loaded),
   * read with the session's credential. Where the browser has a save dialog that writes as the file
   * arrives (`showSaveFilePicker`), the whole export goes to disk and never sits in the tab
   * (`AuditTrail.exportTo`); elsewhere it is held in memory and capped (`AuditTrail.exportFile`,
   * `AUDIT_EXPORT_MEMORY_LIMIT`): the API sends a whole, verifiable start of it, and the status says
   * plainly where the file stops and that `tierkit audit export` writes it all.
   */
  async #export(e: Event): Promise<void> {
    const pressed = e.currentTarget;
    const format = this.format;
    const picker = (window as { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker;
    if (picker) {
      let sink: WritableStream<Uint8Array> | undefined;
      try {
        // Asked first, while the click still counts as the person's: the server's name is not known yet.
        const handle = await picker({
          suggestedName: `audit-${new Date().toISOString().slice(0, 10)}.${format}`,
          types: [{ description: AUDIT_WORDS[this.ctx?.locale ?? 'zh-CN'].exportFormats[format], ...EXPORT_TYPES[format] }],
        });
        sink = await handle.createWritable();
        this.#savedAs = handle.name;
      } catch (err) {
        // Dismissed: nothing to save. Refused by the browser (a sandboxed frame): saved from memory, capped.
        if ((err as { name?: string }).name === 'AbortError') return;
      }
      if (sink) {
        await this.#trail.store.exportTo(sink, format);
        await refocus(pressed, () => this.querySelector('[data-testid="audit-export"]'));
        return;
      }
    }
    this.#savedAs = undefined;
    const file = await this.#trail.store.exportFile(format);
    if (file && this.isConnected) downloadBlob(file.fileName, file.blob);
    await refocus(pressed, () => this.querySelector('[data-testid="audit-export"]'));
  }

  #exportStatus(): string {
    const locale = this.ctx?.locale ?? 'zh-CN';
    const w = AUDIT_WORDS[locale];
    const x = this.#trail.state.exported;
    if (x.status === 'loading') return w.exporting;
    if (x.status === 'error') return `${w.exportFailed}: ${whyFailed(x.error, locale)}`;
    if (x.status !== 'ready' || !x.fileName) return '';
    const end = x.lastSeq !== undefined && x.lastHash !== undefined ? `; ${w.exportedEnd(x.lastSeq, x.lastHash)}` : '';
    // The command as it must be typed: with the tenant and, for a filtered file, --filtered (else a sound file fails).
    const args =
      x.format !== undefined && x.filtered !== undefined && this.ctx
        ? auditVerifyArgs(
            {
              fileName: x.fileName,
              lastSeq: x.lastSeq,
              lastHash: x.lastHash,
              limited: x.limited ?? false,
              format: x.format,
              filtered: x.filtered,
            },
            this.ctx.session.tenantId,
            this.#savedAs ?? x.fileName,
          )
        : undefined;
    return `${w.exported(x.fileName)}${end}${args ? `; ${w.exportedCheck(`tierkit ${args.join(' ')}`)}` : ''}`;
  }

  /** A file the in-memory cap cut short, said on its own line: where it stops, and what exports it all. */
  #exportLimited() {
    const x = this.#trail.state.exported;
    if (x.status !== 'ready' || !x.limited || x.lastSeq === undefined) return nothing;
    const w = AUDIT_WORDS[this.ctx?.locale ?? 'zh-CN'];
    return html`<br><strong data-testid="audit-export-limited">${w.exportedLimited(x.lastSeq, AUDIT_EXPORT_MEMORY_LIMIT)}</strong>`;
  }

  #clear(): void {
    this.#searches++;
    this.refused = false;
    this.querySelector<HTMLFormElement>('form.audit-filters')?.reset();
    void this.#trail.store.setFilter({});
  }

  #row(r: AuditRecord) {
    const locale = this.ctx?.locale ?? 'zh-CN';
    const w = AUDIT_WORDS[locale];
    const detail = auditDetailOf(r);
    const names = schemeNames(this.schemes, locale);
    const operator = operatorMethodText(r.method, locale);
    const moves = bookMovesOf(r);
    const listedErased = listedErasedText(r, locale);
    // Only the staff of the moves shown are asked about, each once a session (the store remembers).
    if (moves) void this.#names.store.need(moves.slice(0, SHOWN_MOVES).flatMap((m) => [m.from, m.to].map((id) => id && `staff:${id}`)));
    const target = moves
      ? [
          ...moves.slice(0, SHOWN_MOVES).map((m) => w.bookMove(listedSubjectText(m.subject, locale), this.#book(m.from), this.#book(m.to))),
          ...(moves.length > SHOWN_MOVES ? [w.moreMoves(moves.length - SHOWN_MOVES)] : []),
        ].join('; ')
      : Object.entries(r.target)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
    return html`<tr data-seq=${r.seq}>
      <td>${r.seq}</td>
      <td><time datetime=${r.at}>${formatBankTime(r.at, locale)}</time></td>
      <td>${this.#actor(r, locale)}</td>
      <td>${operator ? html`${operator} <code>${r.route}</code>` : html`<code>${r.method} ${r.route}</code>`}${target ? html`<br><span class="hint">${target}</span>` : nothing}${
        // Erased with the customer: say so, rather than leave a blank a reader takes for a record naming nobody.
        r.personal && r.personal.salt === undefined ? html`<br><span class="hint audit-erased">${w.personalErased}</span>` : nothing
      }${listedErased ? html`<br><span class="hint audit-erased">${listedErased}</span>` : nothing}</td>
      <td>${phaseText(r, locale)}</td>
      <td>${r.status ?? w.pending}${r.problem ? html` · ${r.problem}` : nothing}${r.unmasked ? html`<br><span class="audit-flag">${w.unmasked}</span>` : nothing}</td>
      <td>${detail.length ? html`<ul class="audit-detail">${auditDetailTexts(detail, locale, names).map((t) => html`<li>${t}</li>`)}</ul>` : nothing}</td>
      <td><code class="audit-id">${r.requestId}</code></td>
    </tr>`;
  }

  #verification() {
    const w = AUDIT_WORDS[this.ctx?.locale ?? 'zh-CN'];
    const v = this.#trail.state.verification;
    if (v.status === 'loading') return w.verifying;
    if (v.status === 'error') return `${w.failed}: ${whyFailed(v.error, this.ctx?.locale ?? 'zh-CN')}`;
    if (v.status !== 'ready' || !v.result) return '';
    const at = firstBreak(v.result);
    if (at !== undefined) return w.broken(at);
    // Not "intact" when the anchors say otherwise: only that the chain agrees with itself.
    return v.result.ok ? w.intact(v.result.records, v.result.head?.seq) : w.intactAlone(v.result.records, v.result.head?.seq);
  }

  /** What the server's anchors say of the chain: the strong check, or plainly that it was not made. */
  #anchors() {
    const w = AUDIT_WORDS[this.ctx?.locale ?? 'zh-CN'];
    const v = this.#trail.state.verification;
    const a = v.status === 'ready' ? anchorVerdict(v.result) : undefined;
    if (!a) return nothing;
    const text =
      a.kind === 'anchored'
        ? w.anchored(a.seq, formatInstant(a.at), a.anchors)
        : a.kind === 'no-anchor-yet'
          ? w.noAnchorYet
          : a.kind === 'not-configured'
            ? w.notConfigured
            : a.kind === 'unreadable'
              ? w.unreadable
              : a.problem === 'malformed'
                ? w.anchorMalformed(a.lines)
                : a.problem === 'anchor-mismatch'
                  ? w.anchorMismatch(a.seq)
                  : w.anchorTruncated(a.seq);
    // Unchecked is not broken, but not "ok" either: said plainly, in the hint's colour.
    const tone = a.kind === 'anchored' ? 'audit-ok' : a.kind === 'failed' || a.kind === 'unreadable' ? 'audit-broken' : 'audit-unchecked';
    return html`<br><span data-testid="audit-anchors" data-anchors=${a.kind} class=${tone}>${text}</span>`;
  }

  override render() {
    if (!this.ctx) return nothing;
    const locale = this.ctx.locale;
    const w = AUDIT_WORDS[locale];
    const t = this.#trail.state;
    const f = t.filter;
    const status =
      t.status === 'loading'
        ? w.loading
        : t.status === 'error'
          ? `${w.failed}: ${whyFailed(t.error, this.ctx.locale)}`
          : t.empty
            ? w.empty
            : t.status === 'ready'
              ? w.shown(t.items.length, t.nextCursor !== null)
              : '';
    const v = t.verification;
    return html`
      <section class="card audit-verify" aria-labelledby="audit-verify-h">
        <h2 id="audit-verify-h">${w.verifyTitle}</h2>
        <p class="hint">${w.verifyHint}</p>
        <button type="button" data-action="verify" ?disabled=${v.status === 'loading'} @click=${async (e: Event) => {
          const pressed = e.currentTarget;
          await this.#trail.store.verify();
          await refocus(pressed, () => this.querySelector('[data-testid="audit-verification"]'));
        }}>${w.verify}</button>
        <p role="status" data-testid="audit-verification" class=${v.result ? (v.result.ok ? 'audit-ok' : 'audit-broken') : 'hint'}>${this.#verification()}${this.#anchors()}</p>
        ${
          v.result && (v.result.problems.length || v.result.anchors.problems.length)
            ? html`<ul class="audit-problems">${[...v.result.problems, ...v.result.anchors.problems].map((p) => html`<li>#${p.seq} · ${w.problems[p.kind] ?? p.kind} · ${p.message}</li>`)}</ul>`
            : nothing
        }
      </section>
      <section class="card audit-records" aria-labelledby="audit-h">
        <h2 id="audit-h">${w.title}</h2>
        <form class="filters audit-filters" aria-label=${w.filters} @submit=${this.#find} novalidate>
          <label>${w.actor} <input name="actor" maxlength="256" autocomplete="off" .value=${f.actor ?? ''}></label>
          <label>${w.person} <input name="person" maxlength="64" autocomplete="off" .value=${f.person ?? ''}></label>
          <label>${w.method}
            <select name="method">
              <option value="" ?selected=${!f.method}>${w.anyMethod}</option>
              ${HTTP_METHODS.map((m) => html`<option value=${m} ?selected=${f.method === m}>${m}</option>`)}
              ${OPERATOR_METHODS.map((m) => html`<option value=${m} ?selected=${f.method === m}>${operatorMethodText(m, locale) ?? m} (${m})</option>`)}
            </select>
          </label>
          <label>${w.phase}
            <select name="phase">
              <option value="" ?selected=${!f.phase}>${w.anyPhase}</option>
              ${AUDIT_PHASES.map((p) => html`<option value=${p} ?selected=${f.phase === p}>${w.phases[p] ?? p}</option>`)}
            </select>
          </label>
          <label>${w.route} <input name="route" maxlength="256" autocomplete="off" .value=${f.route ?? ''}></label>
          <label>${w.target} <input name="target" maxlength="256" autocomplete="off" .value=${f.target ?? ''}></label>
          ${this.#checked(
            'status',
            w.status,
            undefined,
            (invalid, describedBy) =>
              html`<input name="status" type="number" min="100" max="599" aria-invalid=${invalid} aria-describedby=${describedBy}
                .value=${f.status === undefined ? '' : String(f.status)}>`,
          )}
          ${this.#bound('from', w.from)}
          ${this.#bound('to', w.to)}
          <button type="submit">${w.find}</button>
          <button type="button" @click=${() => this.#clear()}>${w.clear}</button>
        </form>
        <p class="hint" id="audit-zone-hint">${w.zone(bankTimeZone())}</p>
        <p class="audit-export">
          <label>${w.exportFormat}
            <select name="export-format" @change=${(e: Event) => {
              this.format = (e.target as HTMLSelectElement).value === 'jsonl' ? 'jsonl' : 'csv';
            }}>
              ${(['csv', 'jsonl'] as const).map((x) => html`<option value=${x} ?selected=${this.format === x}>${w.exportFormats[x]}</option>`)}
            </select>
          </label>
          <button type="button" data-action="export" aria-describedby="audit-export-hint" ?disabled=${t.exported.status === 'loading'}
            @click=${(e: Event) => this.#export(e)}>${w.export}</button>
          <span class="hint" id="audit-export-hint">${w.exportHint(AUDIT_EXPORT_MEMORY_LIMIT)}</span>
        </p>
        <p role="status" class=${t.exported.status === 'error' ? 'audit-field-error' : 'hint'} data-testid="audit-export">${this.#exportStatus()}${this.#exportLimited()}</p>
        <p role="alert" class="audit-field-error" data-testid="audit-form-error">${this.refused && Object.keys(t.fieldErrors).length ? w.fixFields : ''}</p>
        <p role="status" class="hint" data-testid="audit-status" tabindex="-1">${status}</p>
        ${
          t.items.length
            ? html`<div class="audit-scroll" role="region" tabindex="0" aria-label=${w.table}>
                <table class="subject-table audit-table">
                  <thead><tr>
                    <th scope="col">${w.seq}</th><th scope="col">${w.at(bankTimeZone())}</th><th scope="col">${w.who}</th><th scope="col">${w.what}</th>
                    <th scope="col">${w.phase}</th><th scope="col">${w.outcome}</th><th scope="col">${w.detail}</th><th scope="col">${w.requestId}</th>
                  </tr></thead>
                  <tbody>${t.items.map((r) => this.#row(r))}</tbody>
                </table>
              </div>`
            : nothing
        }
        ${
          t.nextCursor !== null && t.status === 'ready'
            ? moreButton({
                loading: t.loadingMore,
                label: w.loadMore,
                loadingLabel: w.loading,
                load: () => this.#trail.store.loadMore(),
                status: () => this.querySelector('[data-testid="audit-status"]'),
              })
            : nothing
        }
      </section>
    `;
  }
}

if (!customElements.get('admin-audit-page')) customElements.define('admin-audit-page', AuditPage);

export const auditPage: ConsolePage = {
  id: 'audit',
  title: { 'zh-CN': '审计', 'zh-TW': '稽核', en: 'Audit' },
  // The API lets approvers' staff sessions (and admin keys) read the trail; a book session never.
  // Internal audit reads the trail without the approver's power to decide (roles.ts in the API, `AUDITOR`).
  visible: (session) => (hasRole(session, 'approver') || isAuditor(session)) && !isBookScoped(session),
  render: (ctx) => html`<admin-audit-page data-page .ctx=${ctx}></admin-audit-page>`,
};
