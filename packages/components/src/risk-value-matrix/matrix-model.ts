import type { MatrixAggregate, MatrixCell, MatrixDef, TiersResponse } from '@tierkit/core';

/*
 * Turns the wire shapes into the grid the matrix draws: rows × cols in display order, each cell with
 * its definition and (portfolio) count, plus axis labels in the current locale. Pure, so the same
 * numbers feed the grid and the table view.
 */

/** One drawn cell. `def` is undefined when the scheme leaves a row × col pair out of `cells`. */
export interface GridCell {
  readonly row: string;
  readonly col: string;
  readonly rowIndex: number;
  readonly colIndex: number;
  readonly def: MatrixCell | undefined;
  /** Portfolio count; null in subject mode. */
  readonly count: number | null;
}

export interface GridModel {
  readonly def: MatrixDef;
  readonly cells: readonly (readonly GridCell[])[];
  /** Portfolio total; null in subject mode. */
  readonly total: number | null;
  /** The subject's cell in subject mode. */
  readonly current: { readonly row: number; readonly col: number } | null;
}

/** Builds the grid of a portfolio aggregate: counts per cell (0 where the API sent none). */
export function portfolioGrid(agg: MatrixAggregate): GridModel {
  const counts = new Map(agg.counts.map((c) => [`${c.row}\u0000${c.col}`, c.count]));
  return {
    def: agg.def,
    cells: build(agg.def, (row, col) => counts.get(`${row}\u0000${col}`) ?? 0),
    total: agg.total,
    current: null,
  };
}

/** Builds the grid of one subject: no counts, the cell of `level` highlighted. */
export function subjectGrid(def: MatrixDef, level: string | null): GridModel {
  const cells = build(def, () => null);
  let current: GridModel['current'] = null;
  for (const row of cells) {
    for (const c of row) if (c.def?.level === level) current = { row: c.rowIndex, col: c.colIndex };
  }
  return { def, cells, total: null, current };
}

function build(def: MatrixDef, count: (row: string, col: string) => number | null): GridCell[][] {
  const byPair = new Map(def.cells.map((c) => [`${c.row}\u0000${c.col}`, c]));
  return def.rows.map((row, rowIndex) =>
    def.cols.map((col, colIndex) => ({
      row,
      col,
      rowIndex,
      colIndex,
      def: byPair.get(`${row}\u0000${col}`),
      count: count(row, col),
    })),
  );
}

/** The matrix assignment of a tiers response (the one carrying `matrix`), preferring `scheme`. */
export function matrixAssignment(tiers: TiersResponse, scheme: string) {
  return tiers.assignments.find((a) => a.scheme === scheme && a.matrix) ?? tiers.assignments.find((a) => a.matrix);
}
