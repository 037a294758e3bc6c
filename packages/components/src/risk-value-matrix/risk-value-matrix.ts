import { TkRiskValueMatrix } from './risk-value-matrix.component.js';

export { TkRiskValueMatrix };
export { TkCellSelectEvent } from './cell-select-event.js';

// Guarded so that importing this entry twice (two bundles, a hot reload) never throws.
if (!customElements.get('tk-risk-value-matrix')) customElements.define('tk-risk-value-matrix', TkRiskValueMatrix);

declare global {
  interface HTMLElementTagNameMap {
    'tk-risk-value-matrix': TkRiskValueMatrix;
  }
}
