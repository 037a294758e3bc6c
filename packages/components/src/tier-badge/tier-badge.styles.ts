import { css } from 'lit';
import { hostStyles, levelColorStyles, stateStyles } from '../shared/tokens.styles.js';

export default [
  hostStyles,
  levelColorStyles,
  stateStyles,
  css`
    :host { display: inline-block; font-size: 1rem; vertical-align: middle; }
    :host([size='s']) { font-size: 0.8125rem; }
    :host([size='l']) { font-size: 1.25rem; }
    .base { display: inline-flex; flex-direction: column; gap: calc(var(--_space) / 2); max-width: 100%; }
    .level {
      display: inline-flex; align-items: center; gap: 0.4em; align-self: flex-start;
      padding: 0.2em 0.75em; font-weight: 600; line-height: 1.4;
      color: var(--tk-tier-badge-color, var(--_level-fg));
      background: var(--tk-tier-badge-bg, var(--_level-bg));
      border-radius: var(--tk-tier-badge-radius, 999px);
    }
    .mark { width: 0.55em; height: 0.55em; border-radius: 50%; background: currentColor; opacity: 0.7; }
    .progress { display: flex; flex-direction: column; gap: 2px; min-width: 12em; }
    progress {
      width: 100%; height: 0.5em; accent-color: var(--tk-tier-badge-progress-color, var(--_accent));
    }
    .gap { margin: 0; font-size: 0.8125em; color: var(--_muted); }
  `,
];
