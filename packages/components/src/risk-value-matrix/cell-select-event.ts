/**
 * What a host passes back to its own list view to show the subjects of one cell: the matrix's own
 * `filter` (`{ rm: 'E1024' }`) plus the cell's scheme and level.
 */
export interface CellFilter {
  readonly scheme: string;
  readonly level: string;
  readonly [key: string]: string;
}

/** The cell a user picked in `<tk-risk-value-matrix>`. */
export interface CellSelectDetail {
  readonly scheme: string;
  /** Level key of the row scheme (risk), as in `MatrixDef.rows`. */
  readonly row: string;
  /** Level key of the column scheme (value), as in `MatrixDef.cols`. */
  readonly col: string;
  /** The matrix level of the cell (`MatrixCell.level`). */
  readonly level: string;
  /** Portfolio count of the cell; null in subject mode. */
  readonly count: number | null;
  readonly filter: CellFilter;
}

/**
 * Fired when a cell of the risk-value matrix is selected by click, Enter or Space. Bubbles and
 * crosses shadow roots, so an RM portal can listen on the document and open the cell's customer list.
 */
export class TkCellSelectEvent extends Event implements CellSelectDetail {
  static readonly eventName = 'tk-cell-select';
  readonly scheme: string;
  readonly row: string;
  readonly col: string;
  readonly level: string;
  readonly count: number | null;
  readonly filter: CellFilter;

  constructor(detail: CellSelectDetail) {
    super(TkCellSelectEvent.eventName, { bubbles: true, composed: true });
    this.scheme = detail.scheme;
    this.row = detail.row;
    this.col = detail.col;
    this.level = detail.level;
    this.count = detail.count;
    this.filter = detail.filter;
  }
}

declare global {
  interface HTMLElementEventMap {
    'tk-cell-select': TkCellSelectEvent;
  }
}
