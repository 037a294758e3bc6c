import { css } from 'lit';

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
