import { css } from 'lit';

/*
 * Design tokens. Public knobs are `--tk-*` custom properties; <tk-provider> defines them for light
 * and dark, and every widget reads them through private `--_*` aliases whose fallbacks are the light
 * values, so a widget without a provider still draws. A host re-brands by setting `--tk-*` on any
 * ancestor (or `--tk-<component>-<prop>` on one widget); custom properties pierce shadow roots.
 */

/** What every widget puts first in its `static styles`: private aliases, box model, focus ring. */
export const hostStyles = css`
  :host {
    --_surface: var(--tk-color-surface, #ffffff);
    --_surface-raised: var(--tk-color-surface-raised, #f6f8fa);
    --_text: var(--tk-color-text, #1f2328);
    --_muted: var(--tk-color-text-muted, #59636e);
    --_border: var(--tk-color-border, #d1d9e0);
    --_accent: var(--tk-color-accent, #0b5cad);
    --_accent-text: var(--tk-color-accent-text, #ffffff);
    --_focus: var(--tk-color-focus, #0b5cad);
    --_danger: var(--tk-color-danger, #b3261e);
    --_font: var(--tk-font-family, system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif);
    --_radius: var(--tk-radius, 8px);
    --_space: var(--tk-space, 8px);
    box-sizing: border-box;
    font-family: var(--_font);
    color: var(--_text);
    /* Widgets paint their own surface so text keeps its contrast on a page of the other theme. */
    background: var(--_surface);
    /*
     * Nor do they take the page's alignment: Vite's starter centres #app, and a panel's headings or a
     * timeline's wrapped reason then sat centred beside left-aligned items. A page rule on the tag still wins.
     */
    text-align: start;
  }
  :host([hidden]) { display: none !important; }
  *, *::before, *::after { box-sizing: inherit; }
  :focus-visible { outline: 2px solid var(--_focus); outline-offset: 2px; }
`;

// Kept in their own modules, since css`` calls are not tree-shaken: a bundle that needs one of these
// need not carry the rest. Re-exported here for every widget that wants them all.
export { levelColorStyles } from './level-colors.styles.js';
export { stateStyles } from './state.styles.js';
