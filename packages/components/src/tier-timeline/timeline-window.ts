import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { HistoryEvent } from '@tierkit/core';
import { buildRows, safeTimeZone, type TimelineRow } from './timeline-rows.js';
import { rowAt, rowOffsets, scrollToReveal, visibleRange, type RowHeights, type RowRange } from './virtual-window.js';
import { timelineKeyTarget } from './timeline-keys.js';

/** Pixels rendered beyond each edge of the viewport, so fast scrolling never shows a blank. */
const MIN_OVERSCAN = 320;

/** What the element renders for one update: every row, and which of them are in the window. */
export interface TimelineSlice {
  readonly rows: readonly TimelineRow[];
  /** Row indexes to render, in order: the window, preceded by its year's (sticky) header when that is above it. */
  readonly shown: readonly number[];
  /** The event index that holds the one tab stop (-1 when no event is in the window). */
  readonly tabStop: number;
  /** The time zone the rows were built in. */
  readonly tz: string;
}

/** The rows built for one list of events in one time zone (rebuilt only when either changes). */
interface TimelineView {
  readonly source: readonly HistoryEvent[];
  readonly tz: string;
  readonly rows: TimelineRow[];
  readonly eventRow: Int32Array;
}

/**
 * The timeline's windowing, apart from its rendering (the way @lit-labs/virtualizer separates the
 * layout from the element): builds the rows of the events, measures their heights, follows the
 * scrolling box and its size, picks the rows in view, keeps the one tab stop and moves it with the
 * keyboard. The element renders `slice()` into the list it marks with `part="scroller"` and
 * `part="list"`, and wires `onScroll`, `onKey` and `onFocusIn`; paging stays with the HistoryPager.
 */
export class TimelineWindow implements ReactiveController {
  readonly #host: ReactiveControllerHost & { readonly renderRoot: ParentNode };
  #view: TimelineView | undefined;
  #offsets: Float64Array = new Float64Array(1);
  /** The height a row not yet rendered is estimated at: the last measured of its kind. */
  #heights: { -readonly [K in keyof RowHeights]: number } = { year: 32, event: 88 };
  /** Each row's measured height (0: not rendered yet), so each row is as tall as its own text. */
  #sizes: Float64Array = new Float64Array(0);
  /** The rows the last slice rendered, in the order of the list's items. */
  #shown: readonly number[] = [];
  #scrollPos = 0;
  /** Set when #measure moved #scrollPos: the next update gives it to the scroller once its padding fits. */
  #anchored: boolean | undefined;
  #viewport = 0;
  #width = 0;
  #range: RowRange = { start: 0, end: 0 };
  #focusIndex = 0;
  #pendingFocus: number | undefined;
  #scroller: HTMLElement | undefined;
  // In the next frame, not in the callback: #onResize lets the rows take their natural heights and the
  // update it asks for sets them again, which resized the box the observer had just reported, inside
  // its own delivery — "ResizeObserver loop completed with undelivered notifications" on the page.
  readonly #resize = new ResizeObserver(() => requestAnimationFrame(() => this.#onResize()));

  constructor(host: ReactiveControllerHost & { readonly renderRoot: ParentNode }) {
    this.#host = host;
    host.addController(this);
  }

  /** A new history starts at its top, with the first change as the tab stop. */
  reset(): void {
    this.#scrollPos = 0;
    this.#focusIndex = 0;
    this.#view = undefined;
  }

  /**
   * Whether the window reaches the last row loaded (time to ask for the next page) in a box that
   * scrolls: a box as tall as its rows (a narrow card, `--tk-tier-timeline-height: none`) would reach
   * its end at every page and load the whole history; there, and under a first page that does not fill
   * its box, "load earlier changes" asks.
   */
  get atEnd(): boolean {
    const box = this.#scroller;
    return !!this.#view && this.#range.end >= this.#view.rows.length && !!box && box.scrollHeight > box.clientHeight;
  }

  /** The rows of `events` in `timeZone` and the part of them to render now. */
  slice(events: readonly HistoryEvent[], timeZone: string): TimelineSlice {
    const { rows, eventRow, tz } = this.#sync(events, timeZone);
    const range = (this.#range = this.#visible());
    const focusRow = eventRow[this.#focusIndex] ?? -1;
    const firstEvent = rows.slice(range.start, range.end).find((r) => r.kind === 'event');
    const tabStop =
      focusRow >= range.start && focusRow < range.end ? this.#focusIndex : firstEvent?.kind === 'event' ? firstEvent.index : -1;
    const shown: number[] = [];
    if (rows[range.start]?.kind === 'event') {
      for (let i = range.start - 1; i >= 0; i--)
        if (rows[i]?.kind === 'year') {
          shown.push(i);
          break;
        }
    }
    for (let i = range.start; i < range.end; i++) shown.push(i);
    this.#shown = shown;
    return { rows, shown, tabStop, tz };
  }

  /** The rows the scroll position shows, with a margin either side. */
  #visible(): RowRange {
    return visibleRange(this.#offsets, this.#scrollPos, this.#viewport || 600, Math.max(MIN_OVERSCAN, this.#viewport));
  }

  #sync(events: readonly HistoryEvent[], timeZone: string): TimelineView {
    const tz = safeTimeZone(timeZone);
    if (!this.#view || this.#view.source !== events || this.#view.tz !== tz) {
      const rows = buildRows(events, tz);
      const eventRow = new Int32Array(events.length);
      rows.forEach((r, i) => {
        if (r.kind === 'event') eventRow[r.index] = i;
      });
      this.#view = { source: events, tz, rows, eventRow };
      // Other events (another customer, new data, a page more): their rows are measured anew.
      this.#sizes = new Float64Array(rows.length);
      this.#offsets = rowOffsets(rows, this.#heights);
      if (this.#focusIndex >= events.length) this.#focusIndex = Math.max(0, events.length - 1);
    }
    return this.#view;
  }

  hostConnected(): void {
    this.#follow(this.#scrollerElement());
  }

  hostDisconnected(): void {
    this.#follow(undefined);
  }

  hostUpdated(): void {
    this.#follow(this.#scrollerElement());
    const list = this.#host.renderRoot.querySelector<HTMLElement>('[part="list"]');
    if (list && this.#view) {
      const total = this.#offsets[this.#offsets.length - 1] ?? 0;
      const pinnedHeader = list.firstElementChild?.classList.contains('year') && this.#view.rows[this.#range.start]?.kind === 'event';
      const top = (this.#offsets[this.#range.start] ?? 0) - (pinnedHeader ? this.#heights.year : 0);
      // CSSOM, not a style attribute: allowed under `style-src 'self'`.
      list.style.paddingBlockStart = `${Math.max(0, top)}px`;
      list.style.paddingBlockEnd = `${Math.max(0, total - (this.#offsets[this.#range.end] ?? total))}px`;
      if (this.#anchored && this.#scroller) this.#scroller.scrollTop = this.#scrollPos;
      this.#anchored = false;
      this.#measure(list);
    }
    if (this.#pendingFocus !== undefined) {
      const item = this.#host.renderRoot.querySelector<HTMLElement>(`li[data-index="${this.#pendingFocus}"]`);
      this.#pendingFocus = undefined;
      // onKey scrolled the box to the row, so focus scrolls no box; where the page scrolls instead (a phone's
      // box as tall as its rows), it brings the row on screen.
      item?.focus();
    }
  }

  /**
   * Reads the heights of the rows rendered (they follow rem, the `--tk-tier-timeline-*` knobs and how
   * each row's text wraps) after every update: each row keeps its own, and the rows not rendered are
   * estimated at the last measured of their kind. Stops once the rendered rows measure what they did.
   */
  #measure(list: HTMLElement): void {
    const view = this.#view;
    if (!view) return;
    let moved = false;
    [...list.children].forEach((li, k) => {
      const i = this.#shown[k] as number;
      const px = li.getBoundingClientRect().height;
      if (px && Math.abs(px - (this.#sizes[i] as number)) > 0.1) {
        this.#sizes[i] = px;
        this.#heights[(view.rows[i] as TimelineRow).kind] = px;
        moved = true;
      }
    });
    if (!moved) return;
    // The rows above the view may have changed height: at the same scrollTop, 5,000 rows down, the view
    // would land hundreds of rows away from what was being read (or the row a key just focused, whose
    // element would then show another change). Keep the row at the top of the view where it was.
    const top = rowAt(this.#offsets, this.#scrollPos);
    const into = this.#scrollPos - (this.#offsets[top] ?? 0);
    this.#offsets = rowOffsets(view.rows, this.#heights, this.#sizes);
    this.#scrollPos = (this.#offsets[top] ?? 0) + into;
    this.#anchored = true;
    this.#host.requestUpdate();
  }

  #scrollerElement(): HTMLElement | undefined {
    return this.#host.renderRoot.querySelector<HTMLElement>('[part="scroller"]') ?? undefined;
  }

  /** Follows the scrolling box as states come and go: observes its size, restores its position. */
  #follow(el: HTMLElement | undefined): void {
    if (el === this.#scroller) return;
    if (this.#scroller) this.#resize.unobserve(this.#scroller);
    this.#scroller = el;
    if (this.#scroller) {
      this.#resize.observe(this.#scroller);
      this.#scroller.scrollTop = this.#scrollPos;
    }
  }

  #onResize(): void {
    // Another width wraps the rows anew: measured again as they are rendered. Only another width: a box
    // as tall as its rows changes height with every row measured.
    const box = this.#scroller;
    if (box?.clientWidth !== this.#width) this.#sizes.fill(0);
    this.#width = box?.clientWidth ?? 0;
    this.#viewport = box?.clientHeight ?? 0;
    this.#host.requestUpdate();
  }

  readonly onScroll = (e: Event): void => {
    this.#scrollPos = (e.currentTarget as HTMLElement).scrollTop;
    const next = this.#visible();
    if (next.start !== this.#range.start || next.end !== this.#range.end) this.#host.requestUpdate();
  };

  readonly onFocusIn = (e: FocusEvent): void => {
    const index = (e.target as HTMLElement).closest<HTMLElement>('li[data-index]')?.dataset['index'];
    if (index !== undefined) this.#focusIndex = Number(index);
  };

  readonly onKey = (e: KeyboardEvent): void => {
    const view = this.#view;
    if (!view?.eventRow.length) return;
    const page = Math.max(1, Math.floor((this.#viewport || 600) / this.#heights.event) - 1);
    const target = timelineKeyTarget(e.key, this.#focusIndex, view.eventRow.length, page);
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
    this.#host.requestUpdate();
  };
}
