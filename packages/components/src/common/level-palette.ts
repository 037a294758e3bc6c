import type { LevelColor } from '@tierkit/core';

/**
 * The light fallback of every level colour token, as [background, text]: what a widget draws when
 * neither <tk-provider> nor the host defines `--tk-level-<color>` / `--tk-level-<color>-text`.
 * Each pair keeps text contrast ≥ 4.5:1.
 */
export const levelPalette: Readonly<Record<LevelColor, readonly [bg: string, fg: string]>> = {
  neutral: ['#e6e8eb', '#2b2f36'],
  bronze: ['#e8c3a0', '#4a2a0f'],
  silver: ['#d9dde3', '#2a3038'],
  gold: ['#f3d36b', '#3b2f00'],
  platinum: ['#c9d6e3', '#1d2b3a'],
  diamond: ['#cfe8f7', '#0b3550'],
  success: ['#cdebd6', '#0f4a24'],
  info: ['#d3e4fb', '#0d3b78'],
  caution: ['#fbe6a6', '#4d3800'],
  warning: ['#fdd2b0', '#5c2700'],
  danger: ['#f8c9c9', '#6b0f0f'],
};

/** CSS rules, one per colour: `rule(color, bg, fg)` with `bg`/`fg` already the token with its fallback. */
export function perLevelColor(rule: (color: string, bg: string, fg: string) => string): string {
  let out = '';
  for (const [c, [bg, fg]] of Object.entries(levelPalette)) {
    out += rule(c, `var(--tk-level-${c},${bg})`, `var(--tk-level-${c}-text,${fg})`);
  }
  return out;
}
