import { componentSheet, constantCss } from './constructed-sheet.js';
import { levelPalette } from './level-palette.js';

/*
 * The `--tk-*` token values for light and dark, applied by <tk-provider> (and only by it, so a
 * widget bundled alone does not carry them: widgets fall back to the light values built into
 * tokens.styles.ts). A host may set any of these on any ancestor to re-brand.
 */

/** The colour tokens (`--tk-color-<name>`), as [light, dark]. */
const colors: Readonly<Record<string, readonly [light: string, dark: string]>> = {
  surface: ['#fff', '#0d1117'],
  'surface-raised': ['#f6f8fa', '#161b22'],
  text: ['#1f2328', '#e6edf3'],
  'text-muted': ['#59636e', '#9198a1'],
  border: ['#d1d9e0', '#3d444d'],
  accent: ['#0b5cad', '#4493f8'],
  'accent-text': ['#fff', '#0d1117'],
  focus: ['#0b5cad', '#4493f8'],
  danger: ['#b3261e', '#ff7b72'],
};

/** The dark level colours, as [background, text] like the light palette's (level-palette.ts). */
const darkPalette: typeof levelPalette = {
  neutral: ['#3a3f47', '#eef0f3'],
  bronze: ['#6b4424', '#fbe7d6'],
  silver: ['#4a525c', '#f1f3f6'],
  gold: ['#6b5300', '#fff3c4'],
  platinum: ['#3c4d60', '#e6eef7'],
  diamond: ['#1d4f6e', '#e0f3ff'],
  success: ['#1e5a33', '#dcf5e4'],
  info: ['#1f4a86', '#e1ecfd'],
  caution: ['#6a5200', '#fff1c2'],
  warning: ['#7a3a08', '#ffe4cf'],
  danger: ['#7d1f1f', '#ffe0e0'],
};

/**
 * The light level tokens: the palette the widgets fall back to (level-palette.ts), so the two cannot
 * drift apart, and not written out a second time (141 B gzip of tierkit.js, BENCHMARKS.md).
 */
const levelTokens = (palette: typeof levelPalette) =>
  Object.entries(palette)
    .map(([c, [bg, fg]]) => `--tk-level-${c}:${bg};--tk-level-${c}-text:${fg};`)
    .join('');
const colorTokens = (i: 0 | 1) =>
  Object.entries(colors)
    .map(([name, values]) => `--tk-color-${name}:${values[i]};`)
    .join('');
const darkTokens = `${colorTokens(1)}${levelTokens(darkPalette)}color-scheme:dark`;

/**
 * The provider's theme: light by default, dark on `theme="dark"`, the user's preference on `theme="auto"`.
 * A constructed sheet, for the computed light levels (constructed-sheet.ts).
 */
export const themeCss = constantCss(
  `:host{${colorTokens(0)}${levelTokens(levelPalette)}color-scheme:light}:host([theme=dark]){${darkTokens}}@media(prefers-color-scheme:dark){:host([theme=auto]){${darkTokens}}}`,
);
export const themeStyles = componentSheet('theme', themeCss);
