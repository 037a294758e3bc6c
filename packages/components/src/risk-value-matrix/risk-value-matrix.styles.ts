import { css } from 'lit';
import { hostStyles, levelColorStyles, stateStyles } from '../common/tokens.styles.js';

const own = css`
  :host {
    display: block;
    --_cell-min-height: var(--tk-risk-value-matrix-cell-min-height, 5.5rem);
    --_gap: var(--tk-risk-value-matrix-gap, 4px);
    --_selected: var(--tk-risk-value-matrix-selected-color, var(--_accent));
  }
  /*
   * The frame scrolls sideways when a narrow card cannot hold the grid without splitting a word or a
   * number: WCAG 1.4.10 lets a data table scroll in two dimensions; arrows scroll a focused cell into view.
   */
  [part='base'] { container-type: inline-size; overflow-x: auto; display: grid; gap: var(--_space); background: var(--_surface); color: var(--_text); }
  .head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: var(--_space); }
  .title { margin: 0; font-size: 1rem; font-weight: 600; }
  .toggle { display: inline-flex; align-items: center; gap: 6px; font-size: 0.875rem; color: var(--_muted); cursor: pointer; }
  .toggle input { margin: 0; accent-color: var(--_accent); }

  /* Chinese words keep together, as English ones (客户, not 客|户). */
  table { border-collapse: separate; border-spacing: var(--_gap); inline-size: 100%; table-layout: fixed; word-break: keep-all; }
  /*
   * A phone's card, or 400% zoom (WCAG 1.4.10): compact cells whose columns are as wide as their longest
   * word, so no word or number splits; what does not fit scrolls in the frame.
   */
  @container (max-width: 30rem) {
    table { table-layout: auto; }
    .count { font-size: 1rem; }
  }
  caption { text-align: start; color: var(--_muted); font-size: 0.8125rem; padding-block-end: 2px; }
  th { font-weight: 600; font-size: 0.8125rem; color: var(--_muted); text-align: center; padding: 4px; }
  th[scope='row'] { text-align: end; inline-size: min(6.5rem, 25%); }
  .corner { text-align: start; font-weight: 400; }

  [part~='cell'] {
    position: relative;
    min-block-size: var(--_cell-min-height);
    block-size: var(--_cell-min-height);
    padding: 6px 8px;
    vertical-align: top;
    border-radius: calc(var(--_radius) / 2);
    background: var(--_level-bg);
    color: var(--_level-fg);
    border: 2px solid transparent;
    cursor: pointer;
    font-size: 0.8125rem;
    line-height: 1.3;
  }
  /* A cell of no customers is no signal to act on: muted, as an undefined cell. */
  [aria-disabled='true'], [part~='cell-empty'] { cursor: default; background: var(--_surface-raised); color: var(--_muted); }
  [part~='cell']:hover:not([aria-disabled='true']) { border-color: var(--_border); }
  [part~='cell'][aria-selected='true'] { border-color: var(--_selected); box-shadow: inset 0 0 0 1px var(--_selected); }
  [part~='cell']:focus-visible { outline: 3px solid var(--_focus); outline-offset: 1px; }
  [part~='cell-current'] { border-color: var(--_text); border-style: dashed; }
  /* Forced colours draw every border in one colour and drop the shadow: the selection is thicker, in Highlight. */
  @media (forced-colors: active) { [part~='cell'][aria-selected='true'] { border: 4px solid Highlight; } }
  .count { display: block; font-size: 1.25rem; font-weight: 700; font-variant-numeric: tabular-nums; }
  .level { display: block; font-weight: 600; }
  .action { display: block; }
  .tone {
    display: inline-block; margin-block-start: 2px; padding: 0 6px; border-radius: var(--tk-chip-radius, 999px);
    font-size: 0.75rem; border: 1px solid currentColor; white-space: nowrap;
  }
  .marker { display: inline-block; margin-block-end: 2px; font-weight: 700; }
  .marker::before { content: '◆ '; }

  .list th, .list td { text-align: start; padding: 4px 6px; border-block-end: 1px solid var(--_border); font-size: 0.8125rem; }
  .list td.num { text-align: end; font-variant-numeric: tabular-nums; }
  .list { border-spacing: 0; }

  [part='total'] { margin: 0; color: var(--_muted); font-size: 0.8125rem; }
`;

export const matrixStyles = [hostStyles, levelColorStyles, stateStyles, own];
