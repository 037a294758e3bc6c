import { componentSheet, constantCss } from './constructed-sheet.js';
import type { levelPalette } from './level-palette.js';

/*
 * The dark `--tk-*` token values, applied by <tk-provider> (and only by it, so a widget bundled alone
 * does not carry them). Light needs no declaration: every widget falls back to the light values built
 * into tokens.styles.ts and level-palette.ts, so a `--tk-*` a host sets on any ancestor reaches the
 * widgets — a provider declaring the light set would shadow it. Dark has to declare, and so shadows an
 * ancestor's light brand values (which would fail contrast on a dark surface): the host gives its dark
 * ones on `tk-provider[theme=dark]` (README, "Theming").
 */

/** The dark colour tokens (`--tk-color-<name>`); the light ones are the widgets' fallbacks (tokens.styles.ts). */
const colors: Readonly<Record<string, string>> = {
  surface: '#0d1117',
  'surface-raised': '#161b22',
  text: '#e6edf3',
  'text-muted': '#9198a1',
  border: '#3d444d',
  accent: '#4493f8',
  'accent-text': '#0d1117',
  focus: '#4493f8',
  danger: '#ff7b72',
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

/** The dark level tokens, `--tk-level-<color>` and `--tk-level-<color>-text`. */
const levelTokens = (palette: typeof levelPalette) =>
  Object.entries(palette)
    .map(([c, [bg, fg]]) => `--tk-level-${c}:${bg};--tk-level-${c}-text:${fg};`)
    .join('');
const darkTokens = `${Object.entries(colors)
  .map(([name, value]) => `--tk-color-${name}:${value};`)
  .join('')}${levelTokens(darkPalette)}color-scheme:dark`;

/**
 * The provider's theme: light by default (the widgets' own fallbacks), dark on `theme="dark"`, the
 * user's preference on `theme="auto"`. A constructed sheet, for the computed dark levels (constructed-sheet.ts).
 */
export const themeCss = constantCss(
  `:host{color-scheme:light}:host([theme=dark]){${darkTokens}}@media(prefers-color-scheme:dark){:host([theme=auto]){${darkTokens}}}`,
);
export const themeStyles = componentSheet('theme', themeCss);
