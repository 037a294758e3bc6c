import { unsafeCSS } from 'lit';
import { perLevelColor } from './level-palette.js';

/**
 * Level colours for any element carrying `data-color="<LevelColor>"`: sets `--_level-bg` and
 * `--_level-fg` from `--tk-level-<color>` / `--tk-level-<color>-text`. Colour is never the only
 * signal: every coloured element also shows the level's name. (unsafeCSS: the text is built from
 * our own palette constants, never from data.)
 */
export const levelColorStyles = unsafeCSS(
  `[data-color]{--_level-bg:var(--tk-level-neutral,#e6e8eb);--_level-fg:var(--tk-level-neutral-text,#2b2f36)}` +
    perLevelColor((c, bg, fg) => `[data-color='${c}']{--_level-bg:${bg};--_level-fg:${fg}}`),
);
