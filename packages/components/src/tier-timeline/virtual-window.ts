import type { TimelineRow } from './timeline-rows.js';

/*
 * Windowing arithmetic for the timeline: where each row starts, and which rows a scroll position
 * shows. Each row is as tall as its own text; a row not yet rendered is estimated at the last
 * measured height of its kind (year header, event). TimelineWindow measures them from the DOM.
 */

export interface RowHeights {
  readonly year: number;
  readonly event: number;
}

/**
 * `offsets[i]` is where row i starts; `offsets[rows.length]` is the total height. `sizes[i]` is row i's
 * measured height, 0 while it has not been rendered.
 */
export function rowOffsets(rows: readonly TimelineRow[], h: RowHeights, sizes?: Float64Array): Float64Array {
  const out = new Float64Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++) {
    out[i + 1] = (out[i] as number) + (sizes?.[i] || ((rows[i] as TimelineRow).kind === 'year' ? h.year : h.event));
  }
  return out;
}

/** The index of the row that contains `y` (the last row whose start is ≤ y). */
export function rowAt(offsets: Float64Array, y: number): number {
  const n = offsets.length - 1;
  if (n <= 0) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((offsets[mid] as number) <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface RowRange {
  /** First rendered row (inclusive). */
  readonly start: number;
  /** Last rendered row (exclusive). */
  readonly end: number;
}

/**
 * The rows to render for a viewport at `scrollTop` of height `viewport`, plus `overscan` pixels on
 * both sides, snapped outward to multiples of `snap` rows so small scrolls do not re-render.
 */
export function visibleRange(offsets: Float64Array, scrollTop: number, viewport: number, overscan: number, snap = 8): RowRange {
  const n = offsets.length - 1;
  if (n <= 0) return { start: 0, end: 0 };
  const first = rowAt(offsets, Math.max(0, scrollTop - overscan));
  const last = rowAt(offsets, scrollTop + viewport + overscan);
  const start = Math.max(0, Math.floor(first / snap) * snap);
  const end = Math.min(n, Math.ceil((last + 1) / snap) * snap);
  return { start, end };
}

/**
 * The scrollTop that brings row `i` fully into view, or undefined when it already is. `topInset` is
 * the height a sticky header covers at the top.
 */
export function scrollToReveal(
  offsets: Float64Array,
  i: number,
  scrollTop: number,
  viewport: number,
  topInset: number,
): number | undefined {
  const top = offsets[i] ?? 0;
  const bottom = offsets[i + 1] ?? top;
  if (top - topInset < scrollTop) return Math.max(0, top - topInset);
  if (bottom > scrollTop + viewport) return bottom - viewport;
  return undefined;
}
