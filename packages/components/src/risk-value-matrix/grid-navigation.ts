/*
 * The keyboard model of an ARIA data grid (WAI-ARIA APG "Data Grid"), kept free of the DOM so the
 * matrix only maps a key to a new position and moves focus there.
 */

/** A cell position, zero-based, data cells only (the axis headers are not focus stops). */
export interface GridPosition {
  readonly row: number;
  readonly col: number;
}

/** What a key does: move focus, select the focused cell, or nothing (let the browser have it). */
export type GridAction = { readonly kind: 'move'; readonly to: GridPosition } | { readonly kind: 'select' } | { readonly kind: 'none' };

/** The parts of a KeyboardEvent the model reads; a plain object in tests. */
export interface GridKey {
  readonly key: string;
  readonly ctrlKey?: boolean;
  readonly metaKey?: boolean;
}

const clamp = (n: number, max: number) => Math.min(Math.max(n, 0), max);

/**
 * Maps a key press at `at` in a `rows` × `cols` grid to an action. Arrows stop at the edges (no
 * wrapping: a screen-reader user hears the edge instead of silently landing on another row);
 * Home/End go to the row's ends, Ctrl+Home/End (⌘ on macOS) to the grid's corners; PageUp/PageDown
 * to the first/last row of the column; Enter and Space select.
 */
export function gridKeyAction(k: GridKey, at: GridPosition, rows: number, cols: number): GridAction {
  if (rows < 1 || cols < 1) return { kind: 'none' };
  const lastRow = rows - 1;
  const lastCol = cols - 1;
  const row = clamp(at.row, lastRow);
  const col = clamp(at.col, lastCol);
  const corner = Boolean(k.ctrlKey || k.metaKey);
  const move = (r: number, c: number): GridAction => ({ kind: 'move', to: { row: clamp(r, lastRow), col: clamp(c, lastCol) } });
  switch (k.key) {
    case 'ArrowUp':
      return move(row - 1, col);
    case 'ArrowDown':
      return move(row + 1, col);
    case 'ArrowLeft':
      return move(row, col - 1);
    case 'ArrowRight':
      return move(row, col + 1);
    case 'Home':
      return corner ? move(0, 0) : move(row, 0);
    case 'End':
      return corner ? move(lastRow, lastCol) : move(row, lastCol);
    case 'PageUp':
      return move(0, col);
    case 'PageDown':
      return move(lastRow, col);
    case 'Enter':
    case ' ':
    case 'Spacebar':
      return { kind: 'select' };
    default:
      return { kind: 'none' };
  }
}
