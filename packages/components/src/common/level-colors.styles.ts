import { componentSheet, constantCss } from './constructed-sheet.js';
import { perLevelColor } from './level-palette.js';

/**
 * Level colours for any element carrying `data-color="<LevelColor>"`: sets `--_level-bg` and
 * `--_level-fg` from `--tk-level-<color>` / `--tk-level-<color>-text` (any other value: neutral). Colour is
 * never the only signal: every coloured element also shows the level's name.
 */
export const levelColorCss = constantCss(
  perLevelColor(
    // The neutral rule comes first and matches any `data-color`: the named colours after it win.
    (c, bg, fg) => `[data-color${c === 'neutral' ? '' : `=${c}`}]{--_level-bg:${bg};--_level-fg:${fg}}`,
  ),
);

/**
 * Written from the palette the badge's pills are written from, not spelt out a second time by hand
 * (264 B gzip of tierkit.js, BENCHMARKS.md).
 */
export const levelColorStyles = componentSheet('level colours', levelColorCss);
