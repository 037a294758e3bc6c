import { css } from 'lit';
import { hostStyles, stateStyles } from '../common/tokens.styles.js';

export default [
  hostStyles,
  stateStyles,
  css`
    :host { display: block; }
    .base {
      background: var(--tk-entitlement-panel-bg, var(--_surface));
      border: 1px solid var(--tk-entitlement-panel-border-color, var(--_border));
      border-radius: var(--_radius);
      padding: calc(var(--_space) * 2);
    }
    h2 { font-size: 1.125em; margin: 0 0 var(--_space); }
    h3 { font-size: 0.9375em; margin: calc(var(--_space) * 1.5) 0 calc(var(--_space) / 2); color: var(--_muted); }
    ul { list-style: none; margin: 0; padding: 0; }
    li {
      display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 var(--_space);
      padding: calc(var(--_space) / 2) 0; border-bottom: 1px solid var(--_border);
    }
    li:last-child { border-bottom: 0; }
    .label { font-weight: 500; }
    .value { font-variant-numeric: tabular-nums; color: var(--tk-entitlement-panel-value-color, var(--_accent)); font-weight: 600; }
    .source, .why { flex-basis: 100%; font-size: 0.8125em; color: var(--_muted); }
    /* Muted beside its "blocked" tag, not struck through: a line through CJK crosses the characters out of reading. */
    .blocked .label, .blocked .value { color: var(--_muted); }
    .tag {
      font-size: 0.75em; padding: 0 0.5em; border-radius: var(--tk-chip-radius, 999px); border: 1px solid transparent;
      color: var(--tk-level-danger-text, #6b0f0f); background: var(--tk-level-danger, #f8c9c9);
    }
    /* Forced colours drop the tag's background and draw its transparent border in a system colour: still a tag. */
    .next { margin-top: calc(var(--_space) * 2); padding: var(--_space); border-radius: var(--_radius); background: var(--_surface-raised); }
    .next h3 { margin-top: 0; color: var(--_text); }
  `,
];
