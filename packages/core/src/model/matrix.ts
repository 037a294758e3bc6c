import type { LocalizedText } from './locale.js';

export const CELL_TONES = ['good', 'neutral', 'caution', 'bad'] as const;
export type CellTone = (typeof CELL_TONES)[number];

/** One cell of a matrix scheme: its level key, the action the bank takes there, and a tone. */
export interface MatrixCell {
  readonly row: string;
  readonly col: string;
  readonly level: string;
  readonly action: LocalizedText;
  readonly tone: CellTone;
}

/**
 * A matrix scheme derived from two schemes (risk × value). `rows` and `cols` are level keys of
 * `rowScheme` and `colScheme`, in display order (first row shown at the top).
 */
export interface MatrixDef {
  readonly scheme: string;
  readonly rowScheme: string;
  readonly colScheme: string;
  readonly rows: readonly string[];
  readonly cols: readonly string[];
  readonly cells: readonly MatrixCell[];
}

/** Portfolio counts per cell. `filter` is what a host passes back to list the subjects of a cell. */
export interface MatrixAggregate {
  readonly def: MatrixDef;
  readonly counts: readonly { readonly row: string; readonly col: string; readonly count: number }[];
  readonly total: number;
}
