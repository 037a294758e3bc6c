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
    --_success: var(--tk-color-success, #1a7f37);
    --_font: var(--tk-font-family, system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif);
    --_radius: var(--tk-radius, 8px);
    --_space: var(--tk-space, 8px);
    box-sizing: border-box;
    font-family: var(--_font);
    color: var(--_text);
    /* Widgets paint their own surface so text keeps its contrast on a page of the other theme. */
    background: var(--_surface);
  }
  :host([hidden]) { display: none !important; }
  *, *::before, *::after { box-sizing: inherit; }
  :focus-visible { outline: 2px solid var(--_focus); outline-offset: 2px; }
`;

/**
 * Level colours for any element carrying `data-color="<LevelColor>"`: sets `--_level-bg` and
 * `--_level-fg` from `--tk-level-<color>` / `--tk-level-<color>-text`. Colour is never the only
 * signal: every coloured element also shows the level's name.
 */
export const levelColorStyles = css`
  [data-color] { --_level-bg: var(--tk-level-neutral, #e6e8eb); --_level-fg: var(--tk-level-neutral-text, #2b2f36); }
  [data-color='bronze'] { --_level-bg: var(--tk-level-bronze, #e8c3a0); --_level-fg: var(--tk-level-bronze-text, #4a2a0f); }
  [data-color='silver'] { --_level-bg: var(--tk-level-silver, #d9dde3); --_level-fg: var(--tk-level-silver-text, #2a3038); }
  [data-color='gold'] { --_level-bg: var(--tk-level-gold, #f3d36b); --_level-fg: var(--tk-level-gold-text, #3b2f00); }
  [data-color='platinum'] { --_level-bg: var(--tk-level-platinum, #c9d6e3); --_level-fg: var(--tk-level-platinum-text, #1d2b3a); }
  [data-color='diamond'] { --_level-bg: var(--tk-level-diamond, #cfe8f7); --_level-fg: var(--tk-level-diamond-text, #0b3550); }
  [data-color='success'] { --_level-bg: var(--tk-level-success, #cdebd6); --_level-fg: var(--tk-level-success-text, #0f4a24); }
  [data-color='info'] { --_level-bg: var(--tk-level-info, #d3e4fb); --_level-fg: var(--tk-level-info-text, #0d3b78); }
  [data-color='caution'] { --_level-bg: var(--tk-level-caution, #fbe6a6); --_level-fg: var(--tk-level-caution-text, #4d3800); }
  [data-color='warning'] { --_level-bg: var(--tk-level-warning, #fdd2b0); --_level-fg: var(--tk-level-warning-text, #5c2700); }
  [data-color='danger'] { --_level-bg: var(--tk-level-danger, #f8c9c9); --_level-fg: var(--tk-level-danger-text, #6b0f0f); }
`;

/** Loading / empty / error state layout shared by every widget (see states.ts). */
export const stateStyles = css`
  .state { display: flex; align-items: center; gap: var(--_space); padding: var(--_space); color: var(--_muted); font-size: 0.875em; }
  .state--error { color: var(--_danger); }
  .retry {
    font: inherit; color: var(--_accent-text); background: var(--_accent); border: 0;
    border-radius: calc(var(--_radius) / 2); padding: 2px 10px; cursor: pointer;
  }
  .spinner {
    width: 1em; height: 1em; border-radius: 50%;
    border: 2px solid var(--_border); border-top-color: var(--_accent);
    animation: tk-spin 0.8s linear infinite;
  }
  @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
  @keyframes tk-spin { to { transform: rotate(360deg); } }
`;
