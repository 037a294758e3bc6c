import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { TierEvent } from '@tierkit/core';
import type { TierkitClient } from '@tierkit/client';
import { LocalizeController } from '../shared/localize.js';
import { ResourceController } from '../shared/resource.js';
import { renderEmpty, renderLoading, renderResource } from '../shared/states.js';
import { stateTerms } from '../shared/terms.js';
import { formatCount } from '../shared/format.js';
import { maskPerson } from '@tierkit/core/mask';
import { schemesOfTiers, type SchemeMap } from '../shared/level-names.js';
import { timelineStyles } from './tier-timeline.styles.js';
import { timelineTerms, type TimelineTerms } from './tier-timeline.terms.js';
import { buildRows, cachedFormat, DEFAULT_TIME_ZONE, safeTimeZone, type TimelineRow } from './timeline-rows.js';
import { rowOffsets, scrollToReveal, visibleRange, type RowHeights } from './virtual-window.js';
import { timelineKeyTarget } from './timeline-keys.js';
import { renderEvent } from './timeline-item.js';
import { HistoryPager, type FirstPage } from './history-pager.js';

/** The rows built for one list of events in one time zone (rebuilt only when either changes). */
interface TimelineView {
  readonly source: readonly TierEvent[];
  readonly tz: string;
  readonly rows: TimelineRow[];
  readonly eventRow: Int32Array;
  readonly events: number;
}

/** Pixels rendered beyond each edge of the viewport, so fast scrolling never shows a blank. */
const MIN_OVERSCAN = 320;

/**
 * A subject's tier history, newest first, grouped by year under sticky headers: each change with
 * its levels, its reason (rule, override, policy change, expiry) and who approved it, dated in the
 * bank's time zone. Only the rows in view (plus a margin) are in the DOM, so 10,000 changes
 * scroll as smoothly as ten. Keyboard: one tab stop; arrows, Page Up/Down, Home/End move between
 * changes. Connected, it pages through `getHistory` as the user nears the end (or presses
 * "load earlier changes"); controlled, it shows `data`.
 *
 * @summary A subject's tier history, newest first, grouped by year.
 *
 * @csspart base - The wrapper of the whole widget.
 * @csspart title - The heading.
 * @csspart scroller - The scrolling box.
 * @csspart list - The list of year headers and changes.
 * @csspart year - A year header.
 * @csspart event - One change.
 * @csspart load-more - The button that loads earlier changes.
 * @csspart loading - The loading state.
 * @csspart empty - The empty state.
 * @csspart error - The error state.
 * @csspart retry - The error state's retry button.
 *
 * @cssproperty --tk-tier-timeline-height - Maximum height of the scrolling box (default 24rem).
 * @cssproperty --tk-tier-timeline-row-height - Height of one change (default 5.5rem).
 * @cssproperty --tk-tier-timeline-year-height - Height of a year header (default 2rem).
 * @cssproperty --tk-tier-timeline-line-color - The timeline rule and row dividers (default `--tk-color-border`).
 *
 * @event tk-load - Connected data arrived.
 * @event tk-error - Connected data (or a further page) failed to load.
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
  declare data: readonly TierEvent[] | undefined;
  /** Level names by scheme key; connected, the subject's tiers response supplies them. */
  declare schemes: SchemeMap | undefined;
  /**
   * Show who made and who approved each change in full. Off by default: staff names and ids are
   * personal data, shown masked (`E1024` → `****4`, `王经理` → `*经理`) unless the host page knows
   * its viewer may see them — and records that it showed them.
   */
  declare unmasked: boolean;

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

  /** Level names come with the tiers the badge reads anyway (one shared request). */
  readonly #tiers = new ResourceController(this, {
    name: 'tiers',
    args: () => {
      const client = this.#client;
      const id = this.#subjectId;
      return client && id && !this.schemes ? ([client, id] as const) : undefined;
    },
    load: ([client, id], signal) => client.getTiers(id, { signal }),
  });

  // Paging beyond the first page, started over whenever the first page changes (the resource drops
  // it as soon as the subject, scheme or page size changes): a new history starts at its top.
  readonly #pager = new HistoryPager(this, {
    onReset: () => {
      this.#scrollPos = 0;
      this.#focusIndex = 0;
      this.#view = undefined;
    },
  });

  // The windowing state: derived rows, their offsets, the scroll position and the measured heights.
  #view: TimelineView | undefined;
  #offsets: Float64Array = new Float64Array(1);
  #heights: RowHeights = { year: 32, event: 88 };
  #measured = false;
  #scrollPos = 0;
  #viewport = 0;
  #range = { start: 0, end: 0 };
  #focusIndex = 0;
  #pendingFocus: number | undefined;
  #scroller: HTMLElement | undefined;
  readonly #resize = new ResizeObserver(() => this.#onResize());

  get #subjectId(): string | undefined {
    // `||`, like the badge: an empty `subject=""` attribute means the provider's subject.
    return this.subject || this.#localize.value?.subject;
  }

  get #client(): TierkitClient | undefined {
    return this.#localize.value?.client;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.#onScroller(this.#scrollerElement());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#onScroller(undefined);
  }

  /** The events shown: controlled data, or every page loaded so far. */
  #events(): readonly TierEvent[] | undefined {
    return this.data ?? this.#pager.events(this.#history.value);
  }

  #sync(events: readonly TierEvent[]): TimelineView {
    const tz = safeTimeZone(this.timeZone);
    const count = events.length;
    if (!this.#view || this.#view.source !== events || this.#view.tz !== tz) {
      const rows = buildRows(events, tz);
      const eventRow = new Int32Array(count);
      rows.forEach((r, i) => {
        if (r.kind === 'event') eventRow[r.index] = i;
      });
      this.#view = { source: events, tz, rows, eventRow, events: count };
      this.#offsets = rowOffsets(rows, this.#heights);
      if (this.#focusIndex >= count) this.#focusIndex = Math.max(0, count - 1);
    }
    return this.#view;
  }

  protected override render(): TemplateResult {
    const locale = this.#localize.locale;
    const t = timelineTerms[locale];
    const st = stateTerms[locale];
    const events = this.#events();
    const list = (shown: readonly TierEvent[]) => (shown.length ? this.#renderList(shown, t) : renderEmpty(t.empty));
    const body = this.data
      ? list(this.data)
      : renderResource(this.#history, st, {
          complete: () => list(events ?? []),
          // A known subject waiting for the provider's client is loading, not "no customer selected".
          initial: () => (this.#subjectId ? renderLoading(st) : renderEmpty(st.noSubject)),
        });
    return html`<section part="base" aria-labelledby="title">
      <h3 part="title" class="title" id="title">${t.title}</h3>
      ${body}
    </section>`;
  }

  #renderList(events: readonly TierEvent[], t: TimelineTerms): TemplateResult {
    const { rows, eventRow } = this.#sync(events);
    const loc = this.#localize.locale;
    const schemes = { ...(this.#tiers.value ? schemesOfTiers(this.#tiers.value) : {}), ...this.schemes };
    const overscan = Math.max(MIN_OVERSCAN, this.#viewport);
    const range = visibleRange(this.#offsets, this.#scrollPos, this.#viewport || 600, overscan);
    this.#range = range;
    const focusRow = eventRow[this.#focusIndex] ?? -1;
    const firstEvent = rows.slice(range.start, range.end).find((r) => r.kind === 'event');
    const tabStop =
      focusRow >= range.start && focusRow < range.end ? this.#focusIndex : firstEvent?.kind === 'event' ? firstEvent.index : -1;
    // The header of the year the window starts in stays rendered (sticky) even when its row is above.
    const slice: number[] = [];
    const head = rows[range.start];
    let pinned = -1;
    if (head?.kind === 'event') {
      for (let i = range.start - 1; i >= 0; i--)
        if (rows[i]?.kind === 'year') {
          pinned = i;
          break;
        }
    }
    if (pinned >= 0) slice.push(pinned);
    for (let i = range.start; i < range.end; i++) slice.push(i);
    const more = !this.data && this.#pager.hasMore;
    const status = this.#pager.status;
    const setSize = more ? -1 : events.length;
    const date = cachedFormat(loc === 'en' ? 'en-US' : loc, this.#view?.tz ?? DEFAULT_TIME_ZONE, {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
    });
    const who = this.unmasked ? (person: string) => person : maskPerson;
    return html`<div part="scroller" class="scroller" @scroll=${this.#onScroll}>
        <ol part="list" role="list" aria-labelledby="title" @keydown=${this.#onKey} @focusin=${this.#onFocusIn}>
          ${slice.map((i) => {
            const row = rows[i] as TimelineRow;
            return row.kind === 'year'
              ? html`<li part="year" class="year"><h4>${t.year(row.year)}</h4></li>`
              : renderEvent(row.event, row.index, row.index === tabStop, setSize, { schemes, loc, t, date, who });
          })}
        </ol>
      </div>
      <div class="foot">
        <span role="status">${t.loaded(formatCount(events.length, loc), events.length)}</span>
        ${
          more
            ? html`<button part="load-more" type="button" ?disabled=${status === 'pending'}
          @click=${() => void this.#pager.retry()}>${status === 'pending' ? t.loadingMore : t.loadMore}</button>`
            : nothing
        }
        ${status === 'error' ? html`<span role="alert">${t.moreFailed}</span>` : nothing}
      </div>`;
  }

  protected override updated(): void {
    this.#onScroller(this.#scrollerElement());
    const list = this.renderRoot.querySelector<HTMLElement>('[part="list"]');
    if (list && this.#view) {
      const total = this.#offsets[this.#offsets.length - 1] ?? 0;
      const pinnedHeader = list.firstElementChild?.classList.contains('year') && this.#view.rows[this.#range.start]?.kind === 'event';
      const top = (this.#offsets[this.#range.start] ?? 0) - (pinnedHeader ? this.#heights.year : 0);
      // CSSOM, not a style attribute: allowed under `style-src 'self'`.
      list.style.paddingBlockStart = `${Math.max(0, top)}px`;
      list.style.paddingBlockEnd = `${Math.max(0, total - (this.#offsets[this.#range.end] ?? total))}px`;
      if (!this.#measured) this.#measure(list);
    }
    if (this.#pendingFocus !== undefined) {
      const item = this.renderRoot.querySelector<HTMLElement>(`li[data-index="${this.#pendingFocus}"]`);
      this.#pendingFocus = undefined;
      item?.focus({ preventScroll: true });
    }
    // Infinite history: nearing the last loaded row asks for the next page (after this update settles).
    if (!this.data && this.#view && this.#pager.hasMore && this.#pager.status === 'idle' && this.#range.end >= this.#view.rows.length) {
      void Promise.resolve().then(() => {
        if (!this.data) void this.#pager.loadMore();
      });
    }
  }

  /** Reads the real row heights once (they follow rem and the `--tk-tier-timeline-*` knobs). */
  #measure(list: HTMLElement): void {
    const year = list.querySelector('.year')?.getBoundingClientRect().height;
    const event = list.querySelector('.event')?.getBoundingClientRect().height;
    if (!year || !event) return;
    this.#measured = true;
    if (Math.abs(year - this.#heights.year) > 0.1 || Math.abs(event - this.#heights.event) > 0.1) {
      this.#heights = { year, event };
      if (this.#view) this.#offsets = rowOffsets(this.#view.rows, this.#heights);
      this.requestUpdate();
    }
  }

  #scrollerElement(): HTMLElement | undefined {
    return this.renderRoot.querySelector<HTMLElement>('[part="scroller"]') ?? undefined;
  }

  /** Follows the scrolling box as states come and go: observes its size, restores its position. */
  #onScroller(el: HTMLElement | undefined): void {
    if (el === this.#scroller) return;
    if (this.#scroller) this.#resize.unobserve(this.#scroller);
    this.#scroller = el;
    if (this.#scroller) {
      this.#resize.observe(this.#scroller);
      this.#scroller.scrollTop = this.#scrollPos;
    }
  }

  #onResize(): void {
    const h = this.#scroller?.clientHeight ?? 0;
    this.#measured = false;
    if (h !== this.#viewport) this.#viewport = h;
    this.requestUpdate();
  }

  readonly #onScroll = (e: Event): void => {
    this.#scrollPos = (e.currentTarget as HTMLElement).scrollTop;
    const next = visibleRange(this.#offsets, this.#scrollPos, this.#viewport || 600, Math.max(MIN_OVERSCAN, this.#viewport));
    if (next.start !== this.#range.start || next.end !== this.#range.end) this.requestUpdate();
  };

  readonly #onFocusIn = (e: FocusEvent): void => {
    const index = (e.target as HTMLElement).closest<HTMLElement>('li[data-index]')?.dataset['index'];
    if (index !== undefined) this.#focusIndex = Number(index);
  };

  readonly #onKey = (e: KeyboardEvent): void => {
    const view = this.#view;
    if (!view?.events) return;
    const page = Math.max(1, Math.floor((this.#viewport || 600) / this.#heights.event) - 1);
    const target = timelineKeyTarget(e.key, this.#focusIndex, view.events, page);
    if (target === undefined) return;
    e.preventDefault();
    this.#focusIndex = target;
    const row = view.eventRow[target] ?? 0;
    const top = scrollToReveal(this.#offsets, row, this.#scrollPos, this.#viewport || 600, this.#heights.year);
    if (top !== undefined && this.#scroller) {
      this.#scroller.scrollTop = top;
      this.#scrollPos = this.#scroller.scrollTop;
    }
    this.#pendingFocus = target;
    this.requestUpdate();
  };
}
