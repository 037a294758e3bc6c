import {
  BookAssignment,
  BookMoves,
  bookChoices,
  choiceOf,
  managerOf,
  spansBooks,
  Overrides,
  CALL_LISTS,
  callListFilter,
  callListOf,
  callListRows,
  type CallList,
  bookMover,
  bookSpells,
  customerGrades,
  type GradeKeep,
  defaultSubjectFilter,
  hasRole,
  nameWithId,
  mainCustomerScheme,
  readSchemes,
  SubjectBrowser,
  SubjectDetail,
} from '@tierkit/admin';
import type { SchemeSummary } from '@tierkit/core';
import { formatPeriod } from '@tierkit/core/format';
import { fenToYuanText, yuanToFen } from '@tierkit/core/money';
import { StoreController } from '@tierkit/admin/lit';
import type { TkCellSelectEvent } from '@tierkit/components';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { client } from '../console-client.js';
import { actorWords } from '../actor-words.js';
import { whoDid } from '../who-did.js';
import { jobsPage } from './jobs-page.js';
import type { ConsolePage, PageContext } from '../page.js';
import { WORDS } from '../words.js';
import { CUSTOMER_WORDS } from './customer.words.js';
import './subject-overrides.js';
import './subject-closing.js';
import { whyFailed } from '../why-failed.js';
import { moreButton, refocus } from '../keep-focus.js';
import { csvText, downloadCsv } from '../csv.js';
import { bankTimeZone, bankToday, formatBankTime, formatInstant } from '../time.js';
import { consoleStaffNames } from '../staff-name.js';
import { callListFileName, callListPreamble } from './call-list-csv.js';
import { overrideTable } from './override-items.js';

/** How far ahead "expiring soon" looks: a month of the RM's calls, and a day. */
const EXPIRING_DAYS = 31;

/**
 * The book: matrix → cell → every customer in it (paged, with their level in the main customer
 * scheme) → the customer (badge, why they are at their level, every grade the API gives the reader,
 * entitlements, timeline, and for tenant-wide staff whose book they are in). A relationship manager
 * starts on their own book; `#/book/<id>` opens one customer, so a customer page can be linked. All
 * state is in the kit's stores; this element renders them and forwards what the user does.
 */
export class BookPage extends LitElement {
  static override properties = {
    ctx: { attribute: false },
    cellNames: { state: true },
    main: { state: true },
    fullName: { state: true },
    nearInvalid: { state: true },
    exportCut: { state: true },
  };

  declare ctx: PageContext | undefined;
  /**
   * The picked cell and its level's names in each language, as the matrix shows it ("高风险·低价值"):
   * the event and the list's filter carry only keys.
   */
  declare cellNames: { readonly row: string; readonly col: string; readonly name: Readonly<Record<string, string>> } | undefined;
  /** The tenant's main customer scheme: the list's level column and the badge's scheme. */
  declare main: SchemeSummary | undefined;
  /** The open customer's name in full, once an officer asked for it (an audited read): id and name. */
  declare fullName: { readonly id: string; readonly name: string } | undefined;
  /** 潜力客户 was asked for without an amount the field can read: said beside it, nothing listed. */
  declare nearInvalid: boolean;
  /** The last export stopped at the kit's bound with customers left out: how many it wrote (said beside the button). */
  declare exportCut: number | undefined;
  /** The customer the route named last (`#/book/<id>`), opened once per change of the route. */
  #routed: string | undefined;
  #schemes: AbortController | undefined;

  readonly #browser = new StoreController(this, new SubjectBrowser(client, { pageSize: 50 }));
  readonly #detail = new StoreController(this, new SubjectDetail(client, { historyPageSize: 20 }));
  readonly #assignment = new StoreController(this, new BookAssignment(client));
  readonly #moves = new StoreController(this, new BookMoves(client));
  /** The overrides in force in the reader's books that end within a month: an RM's month starts with them. */
  readonly #expiring = new StoreController(this, new Overrides(client, { pageSize: 20 }));
  /** The RMs the picker, the heading and the RM column name: by name once read, re-rendered when they are. */
  readonly #names = new StoreController(this, consoleStaffNames);
  /** The timeline's actors as the console names them (who-did.ts): staff by name, a job linked to its page. */
  readonly #timelineActor = (actor: string) => (this.ctx ? whoDid(actor, this.ctx.locale, jobsPage.visible(this.ctx.session)) : actor);

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('ctx') || !this.ctx) return;
    // A new person signed in (or the first render): their default book, not the previous person's list.
    if (changed.get('ctx')?.session.actor !== this.ctx.session.actor) {
      this.#detail.store.cancel();
      this.#assignment.store.cancel();
      this.#moves.store.cancel();
      void this.#start(this.ctx);
    }
    const routed = this.ctx.path[0];
    if (routed !== this.#routed) {
      this.#routed = routed;
      if (routed !== undefined && routed !== this.#detail.state.id) void this.#open(routed);
    }
  }

  protected override updated(): void {
    // Only the books shown now are asked about, each once (the store remembers what it asked).
    const session = this.ctx?.session;
    const picked = this.#browser.state.filter.manager;
    void this.#names.store.need(
      [
        ...bookChoices(session).flatMap((c) => (c.kind === 'book' ? [c.book] : [])),
        picked,
        ...this.#browser.state.items.map((s) => s.manager),
      ]
        .filter((id): id is string => typeof id === 'string' && id !== 'me')
        .map((id) => `staff:${id}`),
    );
  }

  /** The first list of a session: its default book, each customer with their level in the main scheme. */
  async #start(ctx: PageContext): Promise<void> {
    this.#schemes?.abort();
    const schemes = new AbortController();
    this.#schemes = schemes;
    // Without the schemes the list still lists, without the level column.
    const main = await readSchemes(client, schemes.signal).then(mainCustomerScheme, () => undefined);
    if (schemes.signal.aborted) return;
    this.main = main;
    this.#browser.store.showLevelsOf(main?.key);
    if (ctx.session.book != null) {
      // Soonest first: the top of the list is the next to lapse. The schemes name each one's scheme and level.
      void this.#expiring.store.open(undefined, { expiresBefore: bankToday(Date.now() + EXPIRING_DAYS * 86_400_000), sort: 'expiresAt' });
      void this.#expiring.store.loadSchemes();
    }
    // A count of the books page links here with its book and level: the list is that count's customers.
    const manager = ctx.params.get('manager') ?? undefined;
    const scheme = ctx.params.get('scheme') ?? undefined;
    const level = ctx.params.get('level') ?? undefined;
    await this.#browser.store.setFilter(
      manager !== undefined || level !== undefined
        ? { manager, ...(scheme !== undefined && level !== undefined ? { scheme, level } : {}) }
        : defaultSubjectFilter(ctx.session),
    );
  }

  /**
   * The one book the list is cut to (a staff id), or undefined when it spans the reader's books (a
   * lead's 全部, tenant-wide staff): `me` is the reader's own, and an RM with no team reads only theirs.
   */
  #shownBook(): string | undefined {
    const session = this.ctx?.session;
    const manager = this.#browser.state.filter.manager;
    if (manager === 'me') return session?.staff?.id ?? session?.book ?? undefined;
    if (manager !== undefined) return manager;
    return session?.book != null && !spansBooks(undefined, session) ? session.book : undefined;
  }

  /**
   * The matrix's filter for the picked book, the same object while the book stays: the widget reads its
   * counts again whenever the filter is another object, and this page renders on every keystroke.
   */
  #matrixFilter(manager: string | undefined): Readonly<Record<string, string>> | undefined {
    if (manager === undefined) return undefined;
    if (this.#matrixBook?.manager !== manager) this.#matrixBook = { manager };
    return this.#matrixBook;
  }
  #matrixBook: { readonly manager: string } | undefined;

  /** Whose counts the matrix shows, as the picker cut the list: the matrix and the list count the same customers. */
  #bookHeading(): string {
    const locale = this.ctx?.locale ?? 'zh-CN';
    const w = WORDS[locale];
    const session = this.ctx?.session;
    const book = this.#shownBook();
    if (session?.book == null) return book ? consoleStaffNames.label(`staff:${book}`) : w.allCustomers;
    if (book === undefined) return CUSTOMER_WORDS[locale].teamBook;
    return book === session.book || book === session.staff?.id ? w.myBook : consoleStaffNames.label(`staff:${book}`);
  }

  /** The lead's RM picker: 全部 / 我的 / each RM of their team; the rest of the filter stays. */
  #pickBook(e: Event): void {
    const value = (e.target as HTMLSelectElement).value;
    const choice = bookChoices(this.ctx?.session).find((c) => this.#choiceValue(c) === value);
    if (choice) void this.#browser.store.showBook(managerOf(choice));
  }

  #choiceValue(c: ReturnType<typeof bookChoices>[number]): string {
    return c.kind === 'book' ? `book:${c.book}` : c.kind;
  }

  #bookPicker() {
    const session = this.ctx?.session;
    const choices = bookChoices(session);
    if (!this.ctx || choices.length === 0) return nothing;
    const c = CUSTOMER_WORDS[this.ctx.locale];
    const current = this.#choiceValue(choiceOf(this.#browser.state.filter.manager, session));
    return html`<label>${c.bookPicker}
      <select data-testid="book-picker" .value=${current} @change=${this.#pickBook}>
        ${choices.map((choice) => {
          const value = this.#choiceValue(choice);
          const label =
            choice.kind === 'all' ? c.bookAll : choice.kind === 'mine' ? c.bookMine : consoleStaffNames.label(`staff:${choice.book}`);
          return html`<option value=${value} ?selected=${value === current}>${label}</option>`;
        })}
      </select>
    </label>`;
  }

  /** 即将到期的调整: the overrides in force in the reader's books that end within the month. */
  #expiringSection() {
    if (!this.ctx || this.ctx.session.book == null) return nothing;
    const locale = this.ctx.locale;
    const c = CUSTOMER_WORDS[locale];
    const w = WORDS[locale];
    const e = this.#expiring.state;
    const status =
      e.status === 'loading'
        ? w.loading
        : e.status === 'error'
          ? `${w.failed}: ${whyFailed(e.error, locale)}`
          : e.status === 'ready' && e.items.length === 0
            ? c.expiringEmpty
            : '';
    return html`<section class="card expiring" aria-labelledby="expiring-h" data-testid="expiring">
      <h2 id="expiring-h">${c.expiringTitle}</h2>
      <p class="hint">${c.expiringHint(bankToday(Date.now() + EXPIRING_DAYS * 86_400_000))}</p>
      <p role="status" class="hint" data-testid="expiring-status" tabindex="-1">${status}</p>
      ${overrideTable(this.#expiring.store, this.ctx.session, locale, { withSubject: true, follow: (o) => this.#pick(o.subject) })}
      ${
        e.nextCursor !== null && e.status === 'ready'
          ? moreButton({
              loading: e.loadingMore,
              label: w.loadMore,
              loadingLabel: w.loading,
              load: () => this.#expiring.store.loadMore(),
              status: () => this.querySelector('[data-testid="expiring-status"]'),
            })
          : nothing
      }
    </section>`;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#schemes?.abort();
    this.#browser.store.cancel();
    this.#detail.store.cancel();
    this.#assignment.store.cancel();
    this.#moves.store.cancel();
    this.#expiring.store.cancel();
  }

  /** Open a customer from the list: through the route, so the page can be linked and the back button returns. */
  #pick(id: string): void {
    if (this.ctx && this.ctx.path[0] !== id) this.ctx.navigate(`book/${encodeURIComponent(id)}`);
    else void this.#open(id);
  }

  /**
   * The open customer's name in full, for a reader who may unmask names (officer and up): the API's
   * `unmask=true` on the list read of that id alone, which the API audits as an unmasked read
   * (docs/permissions.md, `unmask-names`); a book-scoped reader reaches only her own customers.
   */
  async #showFullName(id: string): Promise<void> {
    const page = await client.listSubjects({ q: id, unmask: true }, { limit: 1 }).catch(() => undefined);
    const s = page?.items.find((i) => i.id === id);
    if (s && this.#detail.state.id === id) this.fullName = { id, name: s.displayName };
  }

  async #open(id: string): Promise<void> {
    // Only tenant-wide staff may move customers between books; the API would refuse anyone else.
    if (this.ctx?.session.can.assignManagers) void this.#assignment.store.open(id);
    void this.#moves.store.open(id);
    await this.#detail.store.open(id);
    await this.updateComplete;
    this.querySelector<HTMLElement>('#detail-h')?.focus();
  }

  #cell(e: TkCellSelectEvent): void {
    void this.#browser.store.showCell(e.scheme, e.row, e.col);
    this.cellNames = undefined;
    // The matrix has read this scheme already: the client answers from the same request.
    void client.getScheme(e.scheme).then(
      (scheme) => {
        const level = scheme.levels.find((l) => l.key === e.level);
        if (level && this.#browser.state.filter.row === e.row && this.#browser.state.filter.col === e.col)
          this.cellNames = { row: e.row, col: e.col, name: level.name };
      },
      () => undefined,
    );
  }

  /** The shown cell by the name the matrix gives it, or its keys while that name is not known. */
  #cellName(row: string, col: string): string {
    const known = this.cellNames?.row === row && this.cellNames.col === col ? this.cellNames.name : undefined;
    return known?.[this.ctx?.locale ?? 'zh-CN'] ?? `${row} × ${col}`;
  }

  #search(e: Event): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const q = (form.elements.namedItem('q') as HTMLInputElement).value.trim();
    const name = (form.elements.namedItem('name') as HTMLInputElement | null)?.value.trim();
    const order = (form.elements.namedItem('order') as HTMLSelectElement).value === 'desc' ? 'desc' : 'asc';
    const shown = (form.elements.namedItem('closed') as HTMLSelectElement).value;
    const closed = shown === 'include' || shown === 'only' ? shown : undefined;
    const picked = (form.elements.namedItem('list') as HTMLSelectElement | null)?.value;
    const list = CALL_LISTS.find((l) => l === picked);
    const level = (form.elements.namedItem('level') as HTMLSelectElement | null)?.value || undefined;
    // 潜力客户: the field is yuan as people type them, asked for in fen (the console's money is CNY, its ¥ field).
    const within = yuanToFen((form.elements.namedItem('near') as HTMLInputElement | null)?.value.trim() ?? '');
    this.nearInvalid = list === 'near' && within === undefined;
    if (this.nearInvalid) {
      void this.updateComplete.then(() => this.querySelector<HTMLInputElement>('input[name="near"]')?.focus());
      return;
    }
    const byMonthsLeft = (form.elements.namedItem('graceSort') as HTMLInputElement | null)?.checked ?? false;
    const main = this.main?.key;
    const f = this.#browser.state.filter;
    // A list or a level of the main scheme replaces a matrix cell; neither keeps the cell picked.
    const cell = f.row !== undefined && list === undefined && level === undefined;
    const lens =
      cell || main === undefined
        ? {}
        : {
            scheme: undefined,
            level: undefined,
            row: undefined,
            col: undefined,
            change: undefined,
            grace: undefined,
            nearNext: undefined,
            currency: undefined,
            sort: undefined,
            ...callListFilter(list, main, {
              ...(within !== undefined ? { near: { within, currency: 'CNY' } } : {}),
              byMonthsLeft,
            }),
            ...(level ? { scheme: main, level } : {}),
          };
    // In a book (thousands of ids) any part of an id is found; over the whole tenant, its start (an index).
    const byPart = this.ctx?.session.book != null;
    void this.#browser.store.updateFilter({
      q: !byPart && q ? q : undefined,
      idContains: byPart && q ? q : undefined,
      name: name || undefined,
      order,
      closed,
      ...lens,
    });
  }

  /** The whole list as it is filtered (up to the kit's 10,000), written by core's one CSV writer. */
  async #exportCsv(): Promise<void> {
    if (!this.ctx || !this.main) return;
    const locale = this.ctx.locale;
    const w = WORDS[locale];
    const c = CUSTOMER_WORDS[locale];
    await this.#browser.store.loadAll();
    const state = this.#browser.state;
    const rows = callListRows(state.items, this.main, locale);
    const list = callListOf(state.filter);
    // 潜力客户: the gap the list was within and sorted by, not the nearest way relative to its line.
    const near = list === 'near';
    // loadAll stops at its bound (10,000) with a cursor left: the file and the page say customers are missing.
    const truncated = state.nextCursor !== null;
    this.exportCut = truncated ? rows.length : undefined;
    const me = this.ctx.session.staff;
    const book = this.#shownBook();
    const meName = me ? `${me.name} · ${me.id}` : '';
    const title = {
      list: list === undefined ? c.callListAll : this.#listName(list),
      period: rows.find((r) => r.period !== null)?.period ?? null,
      // The book the list is cut to, or a lead's whole team: never the lead's own book for another RM's list.
      manager: book
        ? me && me.id === book
          ? meName
          : consoleStaffNames.label(`staff:${book}`)
        : spansBooks(state.filter.manager, this.ctx.session)
          ? c.csvTeam(meName || consoleStaffNames.label(this.ctx.session.actor))
          : null,
      generatedAt: formatInstant(new Date().toISOString(), locale),
      timeZone: bankTimeZone(),
      written: rows.length,
      truncated,
    };
    downloadCsv(
      callListFileName(title, bankToday()),
      csvText([
        ...callListPreamble(title, locale),
        [],
        [w.id, w.name, this.main.name[locale] ?? c.tier, c.change, c.decidedBy, c.grace, c.keepGap, c.nextGap],
        ...rows.map((r) => [
          r.id,
          r.name,
          r.levelName,
          r.fromName !== null && r.fromName !== r.levelName ? c.changeFromTo(r.fromName, r.levelName) : '',
          r.decidedBy,
          r.periodsBelow !== null && r.periodsAllowed !== null ? c.graceUsed(r.period, r.periodsBelow, r.periodsAllowed) : '',
          r.keepGap ?? '',
          (near ? r.moneyGap : r.nextGap) ?? '',
        ]),
        ...(truncated ? [[], [c.csvTruncated(rows.length)]] : []),
      ]),
    );
  }

  /** The names of the call lists, by list. */
  #listName(list: CallList): string {
    const c = CUSTOMER_WORDS[this.ctx?.locale ?? 'zh-CN'];
    return { down: c.callListDown, up: c.callListUp, any: c.callListAny, grace: c.callListGrace, near: c.callListNear }[list];
  }

  async #reassign(e: Event): Promise<void> {
    e.preventDefault();
    const value = ((e.target as HTMLFormElement).elements.namedItem('manager') as HTMLSelectElement).value;
    await this.#assignment.store.assign(value === '' ? null : value);
    // The list may be a book the customer just left.
    if (this.#assignment.state.saved !== undefined) {
      void this.#browser.store.load();
      void this.#moves.store.refresh();
    }
    await refocus((e as SubmitEvent).submitter, () => this.querySelector('[data-testid="reassign-status"]'));
  }

  #reassignForm() {
    const a = this.#assignment.state;
    if (!this.ctx?.session.can.assignManagers || a.subject !== this.#detail.state.id || a.status !== 'ready') return nothing;
    const w = WORDS[this.ctx.locale];
    return html`<form class="reassign" @submit=${this.#reassign}>
      <label>${w.manager}
        <select name="manager" .value=${a.manager ?? ''}>
          <option value="" ?selected=${a.manager === null}>${w.noManager}</option>
          ${a.candidates.map((s) => html`<option value=${s.id} ?selected=${s.id === a.manager}>${s.name} · ${s.id}</option>`)}
        </select>
      </label>
      <button type="submit" ?disabled=${a.saving}>${w.reassign}</button>
      <span role="status" class="hint" data-testid="reassign-status" tabindex="-1">${a.saving ? w.saving : a.error ? `${w.failed}: ${whyFailed(a.error, this.ctx.locale)}` : a.saved !== undefined ? w.saved : ''}</span>
    </form>`;
  }

  /** A staff member by name where the console knows it, with the id; else the id. */
  #staff(id: string): string {
    return nameWithId(id, this.#moves.state.names);
  }

  /** Who made a move: a staff member by name (the moves' own names), anything else in words. */
  #mover(actor: string): string {
    const mover = bookMover(actor);
    return mover.kind === 'staff' ? this.#staff(mover.id) : actorWords(mover, this.ctx?.locale ?? 'zh-CN');
  }

  #movesSection() {
    const m = this.#moves.state;
    if (!this.ctx || m.subject !== this.#detail.state.id) return nothing;
    const locale = this.ctx.locale;
    const w = WORDS[locale];
    const status =
      m.status === 'loading'
        ? w.loading
        : m.notFound
          ? w.notFound
          : m.status === 'error'
            ? `${w.failed}: ${whyFailed(m.error, locale)}`
            : m.empty
              ? w.movesEmpty
              : m.more
                ? w.movesMore(m.moves.length)
                : '';
    const time = (at: string) => formatBankTime(at, locale);
    // A refresh (after a reassignment) keeps the list and says nothing: the reassignment's own status speaks.
    return html`<section class="book-moves" aria-labelledby="moves-h" aria-describedby="moves-hint" aria-busy=${m.refreshing ? 'true' : 'false'}>
      <h3 id="moves-h">${w.moves}</h3>
      <p class="hint" id="moves-hint">${w.movesHint(bankTimeZone())}</p>
      <p role="status" class="hint" data-testid="moves-status">${status}</p>
      ${
        m.status === 'ready' && m.moves.length
          ? html`<ol class="moves" data-testid="book-moves">
              ${bookSpells(m.moves).map(
                (s, i, all) => html`${
                  s.gapAfter ? html`<li class="gap" data-gap="true"><strong>${w.movesGap}</strong></li>` : nothing
                }<li data-recorded=${String(s.move.recorded)}>
                  <strong>${s.manager === null ? w.inNoBook : this.#staff(s.manager)}</strong>
                  <span>${
                    s.since === null
                      ? w.unrecorded(time(s.move.at), this.#mover(s.move.actor), s.until === null ? null : time(s.until))
                      : s.gapAfter && s.until !== null
                        ? w.spanGap(time(s.since), time(s.until))
                        : w.span(time(s.since), s.until === null ? null : time(s.until))
                  }</span>
                  ${s.move.recorded ? html`<span class="hint">${w.movedBy(this.#mover(s.move.actor))}</span>` : nothing}
                  ${
                    // The oldest shown of a cut list: where it came from, since no older row says it.
                    m.more && i === all.length - 1 && s.move.recorded
                      ? html`<span class="hint" data-testid="moved-from">${w.movedFrom(s.move.from === null ? w.inNoBook : this.#staff(s.move.from))}</span>`
                      : nothing
                  }
                </li>`,
              )}
            </ol>`
          : nothing
      }
    </section>`;
  }

  /** A level's name in the main scheme, or its key while the scheme is not known. */
  #levelName(level: string | null | undefined): string {
    const c = CUSTOMER_WORDS[this.ctx?.locale ?? 'zh-CN'];
    if (level == null) return c.noLevel;
    return this.main?.levels.find((l) => l.key === level)?.name[this.ctx?.locale ?? 'zh-CN'] ?? level;
  }

  /**
   * The lines that keep a level, any one of which does: a line the customer meets is all there is to
   * say; below every one, each with how much more it needs.
   */
  #keepLines(keep: GradeKeep, levelName: string) {
    const c = CUSTOMER_WORDS[this.ctx?.locale ?? 'zh-CN'];
    const met = keep.lines.find((l) => !l.below);
    if (met) return html`<span data-metric=${met.metric}>${c.keepMet(met.label)}</span>`;
    return keep.lines.map(
      (l, n) =>
        html`${n ? c.or : ''}<span data-metric=${l.metric}>${l.flag ? c.keepFlag(l.label, l.gap, levelName) : c.keepLine(l.label, l.gap, levelName)}</span>`,
    );
  }

  /**
   * Why the customer is at their level in the main scheme (the deciding rule and its figures), and a
   * table of every grade the API sent this reader — whatever their role may see, never more.
   */
  #grades() {
    const tiers = this.#detail.state.tiers;
    if (!this.ctx || !tiers || tiers.subject.id !== this.#detail.state.id) return nothing;
    const locale = this.ctx.locale;
    const c = CUSTOMER_WORDS[locale];
    const grades = customerGrades(tiers, locale);
    // Only the main customer scheme says why: the first grade sent may be a staff-only one (AML), which
    // is no answer to "why is this customer at their level".
    const main = this.main ? grades.find((g) => g.scheme === this.main?.key) : undefined;
    const note = (g: (typeof grades)[number]) =>
      [
        g.decidedByKind === 'override' ? c.byOverride : '',
        // A lowering request is what waits, not the held level: say which grade approving lets in.
        g.loweringTo ? c.loweringPending(g.loweringTo.name) : g.approvalRequired ? c.awaitingSignOff : '',
      ]
        .filter(Boolean)
        .join(' · ');
    return html`${
      main
        ? html`<section class="why-level" aria-labelledby="why-h" data-testid="why-level">
            <h3 id="why-h">${c.whyOf(main.schemeName, main.levelName)}</h3>
            <dl>
              ${main.because ? html`<dt>${c.dropWhy}</dt><dd data-testid="drop-why">${main.because}</dd>` : nothing}
              <dt>${c.decidedBy}</dt><dd data-testid="decided-by">${main.decidedBy}${note(main) ? html`<span class="hint">${c.aside(note(main))}</span>` : nothing}</dd>
              ${main.inputs.map((i) => html`<dt>${i.label}</dt><dd data-metric=${i.metric}>${i.value}</dd>`)}
              ${
                // What keeps the level, beside why it is held: a customer in grace is called about this,
                // not about the next level the badge shows.
                main.keep
                  ? html`<dt>${c.keep}</dt><dd data-testid="keep-level">${this.#keepLines(main.keep, main.levelName)}${
                      main.keep.periodsBelow > 0
                        ? html`<span class="hint" data-testid="grace-left">${c.aside(c.graceLeft(main.keep.periodsAllowed - main.keep.periodsBelow, main.keep.toLevelName))}</span>`
                        : nothing
                    }</dd>`
                  : nothing
              }
            </dl>
            <p class="hint">${c.period(formatPeriod(main.period, locale))}</p>
          </section>`
        : nothing
    }
    ${
      grades.length
        ? html`<section class="grades" aria-labelledby="grades-h">
            <h3 id="grades-h">${c.grades}</h3>
            <table class="grades-table" data-testid="grades">
              <thead><tr><th scope="col">${c.scheme}</th><th scope="col">${c.level}</th><th scope="col">${c.decidedBy}</th><th scope="col">${c.inputs}</th></tr></thead>
              <tbody>
                ${grades.map(
                  (g) => html`<tr data-scheme=${g.scheme}>
                    <th scope="row">${g.schemeName}</th>
                    <td>${g.levelName}${note(g) ? html`<span class="hint">${c.aside(note(g))}</span>` : nothing}</td>
                    <td>${g.because ?? g.decidedBy}</td>
                    <td>${g.inputs.length ? g.inputs.map((i, n) => html`${n ? c.sep : ''}${i.label} ${i.value}`) : c.none}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </section>`
        : nothing
    }`;
  }

  /** A customer who left the bank, said first and plainly: the widgets below show the levels they left with. */
  #closedNote() {
    const subject = this.#detail.state.tiers?.subject;
    if (!this.ctx || !subject?.closedAt) return nothing;
    const w = WORDS[this.ctx.locale];
    return html`<div class="closed-note" data-testid="closed-note" role="note">
      <p><strong>${w.closed}</strong> · ${
        // Learnt late: when the customer really left comes first; the date the figures count from beside it.
        subject.leftAt
          ? w.leftLate(formatInstant(subject.leftAt, this.ctx.locale), formatInstant(subject.closedAt, this.ctx.locale))
          : w.closedOn(formatInstant(subject.closedAt, this.ctx.locale))
      }${subject.closedReason ? html` · ${w.closedReason(subject.closedReason)}` : nothing}</p>
      <p class="hint">${w.closedHint}</p>
    </div>`;
  }

  /** A closing or reopening recorded (or found made meanwhile): the customer and the list as they now are. */
  async #closingDone(): Promise<void> {
    const id = this.#detail.state.id;
    if (id === undefined) return;
    // The kit's store made the client forget its reads of the customer and the lists: no refresh past it.
    void this.#browser.store.load();
    await this.#detail.store.open(id);
  }

  #clearCell(): void {
    const { manager, q, idContains, name, order, closed } = this.#browser.state.filter;
    void this.#browser.store.setFilter({ manager, q, idContains, name, order, closed });
  }

  /**
   * The list: id, name, level in the main scheme; a list of who moved adds from → to and the rule that
   * decided, the grace list the periods used and how much more keeps the level.
   */
  #table() {
    if (!this.ctx) return nothing;
    const locale = this.ctx.locale;
    const w = WORDS[locale];
    const c = CUSTOMER_WORDS[locale];
    const b = this.#browser.state;
    const d = this.#detail.state;
    const list = callListOf(b.filter);
    const rows = this.main && b.levelOf !== undefined ? callListRows(b.items, this.main, locale) : undefined;
    const moved = list !== undefined && list !== 'grace' && list !== 'near' && rows !== undefined;
    const grace = list === 'grace' && rows !== undefined;
    const near = list === 'near' && rows !== undefined;
    // A lead's 全部 lists several RMs' customers: each row says whose, as the books page counts them.
    const whose = spansBooks(b.filter.manager, this.ctx.session);
    return html`<table class="subject-table">
      <thead><tr><th scope="col">${w.id}</th><th scope="col">${w.name}</th>${whose ? html`<th scope="col">${c.rmCol}</th>` : nothing}${
        b.levelOf !== undefined ? html`<th scope="col">${this.main?.name[locale] ?? c.tier}</th>` : nothing
      }${moved ? html`<th scope="col">${c.change}</th><th scope="col">${c.decidedBy}</th>` : nothing}${
        grace ? html`<th scope="col">${c.grace}</th><th scope="col">${c.graceLeftCol}</th><th scope="col">${c.keepGap}</th>` : nothing
      }${near ? html`<th scope="col">${c.nextGap}</th>` : nothing}<th scope="col"><span class="visually-hidden">${w.open}</span></th></tr></thead>
      <tbody>
        ${b.items.map((s, i) => {
          const r = rows?.[i];
          return html`<tr class=${s.id === d.id ? 'current' : ''}>
            <td>${s.id}</td><td>${s.displayName}${s.closedAt ? html` <span class="closed-tag">${w.closed}</span>` : nothing}</td>
            ${whose ? html`<td data-testid="subject-rm" data-rm=${s.manager ?? ''}>${s.manager ? consoleStaffNames.label(`staff:${s.manager}`) : c.none}</td>` : nothing}
            ${b.levelOf !== undefined ? html`<td data-testid="subject-level">${this.#levelName(s.level)}</td>` : nothing}
            ${moved ? html`<td data-testid="level-change">${r?.fromName ? c.changeFromTo(r.fromName, r.levelName) : c.none}</td><td>${r?.decidedBy ?? c.none}</td>` : nothing}
            ${
              grace
                ? html`<td data-testid="grace-used">${r?.periodsBelow != null && r.periodsAllowed != null ? c.graceUsed(r.period, r.periodsBelow, r.periodsAllowed) : c.none}</td><td data-testid="grace-left-count">${r?.periodsBelow != null && r.periodsAllowed != null ? String(r.periodsAllowed - r.periodsBelow) : c.none}</td><td data-testid="keep-gap">${r?.keepGap ?? c.none}</td>`
                : nothing
            }
            ${near ? html`<td data-testid="near-gap">${r?.moneyGap ?? c.none}</td>` : nothing}
            <td><button type="button" aria-label="${w.open} ${s.id}" @click=${() => this.#pick(s.id)}>${w.open}</button></td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }

  override render() {
    if (!this.ctx) return nothing;
    const w = WORDS[this.ctx.locale];
    const c = CUSTOMER_WORDS[this.ctx.locale];
    const session = this.ctx.session;
    const b = this.#browser.state;
    const d = this.#detail.state;
    const status =
      b.status === 'loading'
        ? w.loading
        : b.status === 'error'
          ? `${w.failed}: ${whyFailed(b.error, this.ctx.locale)}`
          : b.empty
            ? w.empty
            : b.status === 'ready'
              ? w.shown(b.items.length, b.nextCursor !== null)
              : '';
    return html`
      <section class="card book" aria-labelledby="book-h">
        <h2 id="book-h">${this.#bookHeading()} · ${w.matrix}</h2>
        ${
          // Not before the list has its first filter (a lead's 我的): the matrix would read the team's counts first.
          b.status === 'idle'
            ? nothing
            : html`<tk-provider .client=${client} locale=${this.ctx.locale} theme="light">
                <tk-risk-value-matrix mode="portfolio" .filter=${this.#matrixFilter(b.filter.manager)}
                  @tk-cell-select=${this.#cell}></tk-risk-value-matrix>
              </tk-provider>`
        }
      </section>
      <section class="card subjects" aria-labelledby="subjects-h">
        <h2 id="subjects-h">${w.subjects}</h2>
        <form class="filters" @submit=${this.#search}>
          ${this.#bookPicker()}
          <label>${session?.book != null ? c.searchIdPart : w.search} <input name="q" type="search" maxlength="64" .value=${b.filter.idContains ?? b.filter.q ?? ''} autocomplete="off"></label>
          ${
            // A search by name needs the unmask-names permission (officer and up): offered only to them.
            hasRole(session, 'officer')
              ? html`<label>${c.searchName} <input name="name" type="search" maxlength="64" .value=${b.filter.name ?? ''} autocomplete="off"></label>`
              : nothing
          }
          ${
            // The ready-made lists and the level filter are of the main customer scheme (its levels, its re-tier).
            this.main
              ? html`<label>${c.callList}
                  <select name="list" data-testid="call-list" .value=${callListOf(b.filter) ?? ''}>
                    <option value="">${c.callListAll}</option>
                    ${CALL_LISTS.map((l) => html`<option value=${l}>${this.#listName(l)}</option>`)}
                  </select>
                </label>
                <label>${c.nearWithin}
                  <input name="near" data-testid="near-amount" inputmode="decimal" maxlength="16" autocomplete="off"
                    aria-describedby="near-hint" aria-invalid=${this.nearInvalid ? 'true' : 'false'}
                    .value=${b.filter.nearNext !== undefined ? fenToYuanText(b.filter.nearNext) : ''}>
                </label>
                <span class="hint" id="near-hint" data-testid="near-hint">${this.nearInvalid ? c.nearNeedsAmount : c.nearHint}</span>
                <label><input type="checkbox" name="graceSort" data-testid="grace-sort" .checked=${b.filter.sort === 'monthsLeft'}> ${c.graceByMonthsLeft}</label>
                <label>${c.levelFilter}
                  <select name="level" data-testid="level-filter" .value=${b.filter.scheme === this.main.key ? (b.filter.level ?? '') : ''}>
                    <option value="">${c.anyLevel}</option>
                    ${this.main.levels.map((l) => html`<option value=${l.key}>${l.name[this.ctx?.locale ?? 'zh-CN'] ?? l.key}</option>`)}
                  </select>
                </label>`
              : nothing
          }
          <label>${w.order}
            <select name="order" .value=${b.filter.order ?? 'asc'}>
              <option value="asc">${w.asc}</option>
              <option value="desc">${w.desc}</option>
            </select>
          </label>
          <label>${w.closedFilter}
            <select name="closed" .value=${b.filter.closed ?? 'exclude'}>
              <option value="exclude">${w.closedExclude}</option>
              <option value="include">${w.closedInclude}</option>
              <option value="only">${w.closedOnly}</option>
            </select>
          </label>
          <button type="submit">${w.find}</button>
        </form>
        ${
          b.filter.row && b.filter.col
            ? html`<p class="cell">${w.cell(this.#cellName(b.filter.row, b.filter.col))}
                <button type="button" @click=${() => this.#clearCell()}>${w.clearCell}</button></p>`
            : nothing
        }
        <p role="status" class="hint" data-testid="list-status" tabindex="-1">${status}</p>
        ${
          b.items.length && this.main && b.status === 'ready'
            ? html`<p><button type="button" data-testid="export-csv" ?disabled=${b.loadingMore} @click=${() => this.#exportCsv()}>${c.csv}</button></p>
                <p role="status" class="hint" data-testid="export-cut">${this.exportCut === undefined ? '' : c.csvTruncated(this.exportCut)}</p>`
            : nothing
        }
        ${b.items.length ? this.#table() : nothing}
        ${
          b.nextCursor !== null && b.status === 'ready'
            ? moreButton({
                loading: b.loadingMore,
                label: w.loadMore,
                loadingLabel: w.loading,
                load: () => this.#browser.store.loadMore(),
                status: () => this.querySelector('[data-testid="list-status"]'),
              })
            : nothing
        }
      </section>
      ${this.#expiringSection()}
      <section class="card detail" aria-labelledby="detail-h">
        <h2 id="detail-h" tabindex="-1">${w.detail}${d.id ? html` <span class="id">${d.id}</span>` : nothing}${
          d.id && this.fullName?.id === d.id ? html` <span data-testid="full-name">${this.fullName.name}</span>` : nothing
        }</h2>
        ${
          d.id && hasRole(session, 'officer') && this.fullName?.id !== d.id && d.status === 'ready'
            ? html`<p class="hint"><button type="button" data-testid="show-name" @click=${() => this.#showFullName(d.id as string)}>${c.showName}</button> ${c.showNameHint}</p>`
            : nothing
        }
        ${d.id ? html`<p class="hint"><a href="#/book/${encodeURIComponent(d.id)}" data-testid="customer-link">${c.link}</a></p>` : nothing}
        ${
          d.id === undefined
            ? html`<p class="hint">${w.pick}</p>`
            : d.notFound
              ? html`<p class="hint" role="status">${w.notFound}</p>`
              : d.status === 'error'
                ? html`<p class="hint" role="status">${w.failed}: ${whyFailed(d.error, this.ctx.locale)}</p>`
                : html`${this.#closedNote()}<admin-subject-closing .ctx=${this.ctx} .subject=${d.tiers?.subject}
                    @closing-done=${this.#closingDone}></admin-subject-closing>${this.#reassignForm()}<tk-provider .client=${client} subject=${d.id} locale=${this.ctx.locale} theme="light">
                    <div class="customer-grid">
                      ${
                        // Without a main scheme, no badge: its own default is one tenant's scheme name.
                        this.main ? html`<tk-tier-badge show-progress scheme=${this.main.key}></tk-tier-badge>` : nothing
                      }
                      <tk-entitlement-panel heading=${c.entitlements}></tk-entitlement-panel>
                      <tk-tier-timeline .actors=${this.#timelineActor}></tk-tier-timeline>
                    </div>
                  </tk-provider>
                  ${this.#grades()}
                  ${this.#movesSection()}
                  ${
                    d.status === 'ready'
                      ? html`<admin-subject-overrides .ctx=${this.ctx} subject=${d.id} kind=${d.tiers?.subject.kind ?? 'customer'}></admin-subject-overrides>`
                      : nothing
                  }`
        }
      </section>
    `;
  }
}

if (!customElements.get('admin-book-page')) customElements.define('admin-book-page', BookPage);

export const bookPage: ConsolePage = {
  id: 'book',
  title: { 'zh-CN': '客户', 'zh-TW': '客戶', en: 'Customers' },
  visible: (session) => session.can.readSubjects,
  render: (ctx) => html`<admin-book-page data-page .ctx=${ctx}></admin-book-page>`,
};
