import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { HistoryEvent } from '@tierkit/core';
import type { TierkitClient } from '@tierkit/client';
import { LocalizeController } from '../common/localize.js';
import { ResourceController } from '../common/resource.js';
import { StateVoice } from '../common/state-voice.js';
import { renderEmpty, renderLoading, renderRefusal, renderResource } from '../common/states.js';
import { blockStateTerms, type BlockStateTerms } from '../common/block-terms.js';
import { formatCount } from '../common/format.js';
import { maskPerson } from '@tierkit/core/mask';
import { schemesOfTiers, type SchemeMap } from '../common/level-names.js';
import { timelineStyles } from './tier-timeline.styles.js';
import { timelineTerms, type TimelineTerms } from './tier-timeline.terms.js';
import { cachedFormat, DEFAULT_TIME_ZONE, type TimelineRow } from './timeline-rows.js';
import { renderEvent } from './timeline-item.js';
import { HistoryPager, type FirstPage, type PageRefusal } from './history-pager.js';
import { TimelineWindow } from './timeline-window.js';

/**
 * A subject's tier history, newest first, grouped by year under sticky headers: each change with
 * its levels, its reason (rule, override, policy change, expiry) and who approved it, dated in the
 * bank's time zone. Only the rows in view (plus a margin) are in the DOM, so 10,000 changes
 * scroll as smoothly as ten. Keyboard: one tab stop; arrows, Page Up/Down, Home/End move between
 * changes. Connected, it pages through `getHistory` as the user nears the end (or presses
 * "load earlier changes"); controlled, it shows `data`. Three parts, each on its own: the
 * HistoryPager pages, the TimelineWindow picks the rows in view, this element renders them.
 *
 * @summary A subject's tier history, newest first, grouped by year.
 *
 * @csspart base - The wrapper of the whole widget.
 * @csspart title - The heading.
 * @csspart scroller - The scrolling box.
 * @csspart list - The list of year headers and changes.
 * @csspart year - A year header.
 * @csspart event - One change.
 * @csspart level - A level chip in a change (its corners follow `--tk-chip-radius`).
 * @csspart reason - A change's reason chip (rule, override, policy change…).
 * @csspart why - In a customer's history, on a level the rules lowered: why, in one line (the API's `because.text`).
 * @csspart load-more - The button that loads earlier changes; after a later page failed with a network error or a
 *   5xx it is the retry, after a refusal (401, 403, 404) it goes.
 * @cssstate loading - A read runs and there is nothing to show yet (the frame is `aria-busy`).
 * @cssstate empty - Nothing to show, or no customer.
 * @cssstate error - The read failed (with a retry) or was refused (`data-reason`, no retry).
 * @csspart loading - The loading state.
 * @csspart empty - The empty state.
 * @csspart error - The error state; also, under the changes already shown, a later page's refusal.
 * @csspart retry - The error state's retry button.
 *
 * @cssproperty --tk-tier-timeline-height - Maximum height of the scrolling box (default 24rem; below 30rem of width, none:
 *   the page scrolls, for a history of up to 100 rows that came in one page). Set, it applies at every width.
 * @cssproperty --tk-tier-timeline-row-height - Least height of one change (default 5.5rem); each row grows to fit its own wrapped text.
 * @cssproperty --tk-tier-timeline-year-height - Height of a year header (default 2rem).
 * @cssproperty --tk-tier-timeline-line-color - The timeline rule and row dividers (default `--tk-color-border`).
 *
 * @event tk-load - Connected data arrived.
 * @event tk-error - Connected data (or a further page) failed to load. A network error or a 5xx shows an error with
 *   a retry button; a refusal shows none (`[part~=error][data-reason]`: `signed-out` 401, `forbidden` 403,
 *   `not-found` an unknown customer, `unavailable` any other 404).
 */
export class TkTierTimeline extends LitElement {
  static override styles = timelineStyles;

  // One style for every element: `static properties`, `declare`d fields, defaults in the constructor
  // (no decorators, no class fields over Lit's accessors), whatever the host's compiler settings.
  static override properties = {
    subject: { reflect: true },
    scheme: { reflect: true },
    timeZone: { attribute: 'time-zone', reflect: true },
    pageSize: { type: Number, attribute: 'page-size' },
    data: { attribute: false },
    schemes: { attribute: false },
    unmasked: { type: Boolean, reflect: true },
    actors: { attribute: false },
  };

  /** The subject whose history to show; when unset or empty, the provider's subject. */
  declare subject: string | undefined;
  /** Only this scheme's changes (all schemes when unset). */
  declare scheme: string | undefined;
  /** IANA time zone the dates and years are shown in: the bank's, not the browser's. */
  declare timeZone: string;
  /** Changes per `getHistory` page. */
  declare pageSize: number;
  /** Controlled history (any order; shown newest first). */
  declare data: readonly HistoryEvent[] | undefined;
  /** Level names by scheme key; connected, the subject's tiers response supplies them. */
  declare schemes: SchemeMap | undefined;
  /**
   * Show who made and who approved each change in full. Off by default: staff names and ids are
   * personal data, shown masked (`E1024` → `****4`, `王经理` → `王*理`) unless the host page knows
   * its viewer may see them — and records that it showed them.
   */
  declare unmasked: boolean;
  /**
   * How the host names who made and who approved each change, for a host that knows who they are: a
   * staff console names staff by name and a re-tier job (`job:<id>`) as the job, which is no person
   * and so nothing to mask. Text or a Lit template; unset, `unmasked` decides.
   */
  declare actors: ((actor: string) => unknown) | undefined;

  constructor() {
    super();
    this.timeZone = DEFAULT_TIME_ZONE;
    this.pageSize = 50;
    this.unmasked = false;
  }

  // One context request for the provider's client, subject and locale.
  readonly #localize = new LocalizeController(this);

  readonly #history = new ResourceController(this, {
    name: 'history',
    args: () => {
      const id = this.#subjectId;
      const client = this.#client;
      return !this.data && client && id ? ([client, id, this.scheme, this.pageSize] as const) : undefined;
    },
    // The first page keeps the inputs it was read with: later pages must continue that subject's
    // history with its cursor, whatever the attributes say by then.
    load: async ([client, id, scheme, limit], signal): Promise<FirstPage> => ({
      page: await client.getHistory(id, scheme ? { scheme, limit, signal } : { limit, signal }),
      client,
      subject: id,
      scheme,
      limit,
    }),
  });

  /**
   * Level names come with the tiers the badge reads anyway (one shared request). The list needs them
   * (renderResource's `needs`): a failed read is the timeline's error, whose retry reads it again.
   */
  readonly #tiers = new ResourceController(this, {
    name: 'tiers',
    args: () => {
      const client = this.#client;
      const id = this.#subjectId;
      return client && id && !this.schemes ? ([client, id] as const) : undefined;
    },
    load: ([client, id], signal) => client.getTiers(id, { signal }),
  });

  // Never read: the controller does its work in the host's update cycle, which it joined when made.
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: held so the controller is made with the host
  readonly #state = new StateVoice(this);

  // Which rows are in view, measured and scrolled apart from the rendering.
  readonly #window = new TimelineWindow(this);

  // Paging beyond the first page, started over whenever the first page changes (the resource drops
  // it as soon as the subject, scheme or page size changes): a new history starts at its top.
  readonly #pager = new HistoryPager(this, { onReset: () => this.#window.reset() });

  get #subjectId(): string | undefined {
    // `||`, like the badge: an empty `subject=""` attribute means the provider's subject.
    return this.subject || this.#localize.value?.subject;
  }

  get #client(): TierkitClient | undefined {
    return this.#localize.value?.client;
  }

  /** The events shown: controlled data, or every page loaded so far. */
  #events(): readonly HistoryEvent[] | undefined {
    return this.data ?? this.#pager.events(this.#history.value);
  }

  protected override render(): TemplateResult {
    const t = this.#localize.terms(timelineTerms, 'timeline');
    const st = this.#localize.terms(blockStateTerms, 'states');
    const events = this.#events();
    const list = (shown: readonly HistoryEvent[]) => (shown.length ? this.#renderList(shown, t, st) : renderEmpty(t.empty));
    const body = this.data
      ? list(this.data)
      : renderResource(this.#history, st, {
          title: t.title,
          needs: [this.#tiers],
          complete: () => list(events ?? []),
          // A known subject waiting for the provider's client is loading, not "no customer selected".
          initial: () => (this.#subjectId ? renderLoading(st) : renderEmpty(st.noSubject)),
        });
    return html`<section part="base" aria-labelledby="title" aria-busy=${this.#history.status === 'pending' || this.#tiers.status === 'pending' ? 'true' : nothing}>
      <h2 part="title" class="title" id="title" tabindex="-1">${t.title}</h2>
      ${body}
    </section>`;
  }

  #renderList(events: readonly HistoryEvent[], t: TimelineTerms, st: BlockStateTerms): TemplateResult {
    const { rows, shown, tabStop, tz } = this.#window.slice(events, this.timeZone);
    const loc = this.#localize.locale;
    const schemes = { ...(this.#tiers.value ? schemesOfTiers(this.#tiers.value) : {}), ...this.schemes };
    const more = !this.data && this.#pager.hasMore;
    const status = this.#pager.status;
    // "Load more" stays while a page loads and after a failure it retries: without it, a status other
    // than idle is a refusal, which stopped paging.
    const refused = more || status === 'idle' ? undefined : (status as PageRefusal);
    // -1 (unknown) while there may be more, and after a refusal: the list is not known to be complete.
    const setSize = more || refused ? -1 : events.length;
    const lang = this.#localize.lang;
    // `medium`, as the locale writes a date: Dec 5, 2026 / 5 Dec 2026 (en-GB) / 2026年12月5日.
    const date = cachedFormat(lang, tz, { dateStyle: 'medium' });
    const who = this.actors ?? (this.unmasked ? (person: string) => person : maskPerson);
    const w = this.#window;
    // More than 100 rows (changes and year headers) keep the box on a phone (tier-timeline.styles.ts): the
    // windowing needs a box that scrolls to render only the rows in view. A history with a page more has it
    // from its first page: turned on when a page more passed 100 rows, the box shrank the page the reader was
    // scrolling and showed its top, the change they were reading gone. The first page decides it once.
    return html`<div part="scroller" ?data-long=${rows.length > 100 || (!this.data && this.#history.value?.page.nextCursor)} @scroll=${w.onScroll}>
        <ol part="list" role="list" aria-labelledby="title" @keydown=${w.onKey} @focusin=${w.onFocusIn}>
          ${shown.map((i) => {
            const row = rows[i] as TimelineRow;
            return row.kind === 'year'
              ? // Hidden from assistive tech: as list items the headers made "8 items" of a list whose
                // changes say "of 6", and each change's date already names its year.
                html`<li part="year" class="year" aria-hidden="true"><h3>${t.year(row.year)}</h3></li>`
              : renderEvent(row.event, row.index, row.index === tabStop, setSize, { schemes, loc, lang, t, date, who });
          })}
        </ol>
      </div>
      <div class="foot">
        <span role="status">${t.loaded(formatCount(events.length, lang), events.length)}</span><span role="status">${
          // Always present, so a refusal (which stops paging) is announced when its words arrive; the
          // refusal itself is no second live region.
          refused ? renderRefusal(st, refused) : nothing
        }</span>
        ${
          more
            ? html`<button part="load-more" type="button" ?disabled=${status === 'pending'}
          @click=${() => this.#pager.retry()}>${status === 'pending' ? t.loadingMore : t.loadMore}</button>`
            : nothing
        }
        ${status === 'error' ? html`<span role="alert">${t.moreFailed}</span>` : nothing}
      </div>`;
  }

  protected override update(changed: PropertyValues): void {
    // "Load more" goes with the last page or a refusal, which would drop a keyboard user's focus to the
    // page's start: if a button of ours held focus right before the update that took it, focus moves to
    // the heading (tabindex="-1" for this). Only then: a tap that focused nothing (iOS Safari) or focus
    // elsewhere on the page stays where it is. (The heading rather than the first new row: the rows are
    // windowed, and tierkit.js has no bytes left for it.)
    const root = this.renderRoot as ShadowRoot;
    const held = root.activeElement?.localName === 'button';
    super.update(changed);
    if (held && !root.activeElement) root.getElementById('title')?.focus();
  }

  protected override updated(): void {
    // Infinite history: nearing the last loaded row asks for the next page (after this update settles).
    if (!this.data && this.#pager.hasMore && this.#pager.status === 'idle' && this.#window.atEnd) {
      void Promise.resolve().then(() => {
        if (!this.data) void this.#pager.loadMore();
      });
    }
  }
}
