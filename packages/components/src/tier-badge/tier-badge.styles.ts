import { css } from 'lit';
import { levelColorStyles } from '../shared/level-colors.styles.js';
import { stateStyles } from '../shared/state.styles.js';

/*
 * Lean on purpose: a page may show a thousand badges. No `--_*` alias block on :host (each alias is
 * a custom property every host computes), and no atomic inline boxes — neither the host nor the
 * pill is inline-block or flex unless progress is shown — so a strip of badges lays out as plain
 * text runs. Values read the `--tk-*` tokens directly with the light values as fallbacks.
 */
export default [
  levelColorStyles,
  stateStyles,
  css`
    :host {
      font-size: 1rem; line-height: 1.75; vertical-align: middle;
      font-family: var(--tk-font-family, system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif);
      color: var(--tk-color-text, #1f2328);
    }
    /* Boxes with muted text paint the surface, which keeps its contrast on a page of the other theme. */
    .base--progress, .state { background: var(--tk-color-surface, #ffffff); }
    :host([hidden]) { display: none !important; }
    :host([size='s']) { font-size: 0.8125rem; }
    :host([size='l']) { font-size: 1.25rem; }
    .level {
      padding: 0.2em 0.75em; font-weight: 600; line-height: 1.4; white-space: nowrap;
      color: var(--tk-tier-badge-color, var(--_level-fg));
      background: var(--tk-tier-badge-bg, var(--_level-bg));
      border-radius: var(--tk-tier-badge-radius, 999px);
    }
    .base--progress { display: inline-flex; flex-direction: column; gap: 4px; max-width: 100%; }
    .base--progress .level { align-self: flex-start; }
    .progress { display: flex; flex-direction: column; gap: 2px; min-width: 12em; }
    progress {
      width: 100%; height: 0.5em;
      accent-color: var(--tk-tier-badge-progress-color, var(--tk-color-accent, #0b5cad));
    }
    .gap { font-size: 0.8125em; line-height: 1.4; color: var(--tk-color-text-muted, #59636e); }
  `,
];
