import { css } from 'lit';

/*
 * The `--tk-*` token values for light and dark, applied by <tk-provider> (and only by it, so a
 * widget bundled alone does not carry them: widgets fall back to the light values built into
 * tokens.styles.ts). A host may set any of these on any ancestor to re-brand.
 */

const light = css`
  --tk-color-surface: #ffffff;
  --tk-color-surface-raised: #f6f8fa;
  --tk-color-text: #1f2328;
  --tk-color-text-muted: #59636e;
  --tk-color-border: #d1d9e0;
  --tk-color-accent: #0b5cad;
  --tk-color-accent-text: #ffffff;
  --tk-color-focus: #0b5cad;
  --tk-color-danger: #b3261e;
  --tk-level-neutral: #e6e8eb; --tk-level-neutral-text: #2b2f36;
  --tk-level-bronze: #e8c3a0; --tk-level-bronze-text: #4a2a0f;
  --tk-level-silver: #d9dde3; --tk-level-silver-text: #2a3038;
  --tk-level-gold: #f3d36b; --tk-level-gold-text: #3b2f00;
  --tk-level-platinum: #c9d6e3; --tk-level-platinum-text: #1d2b3a;
  --tk-level-diamond: #cfe8f7; --tk-level-diamond-text: #0b3550;
  --tk-level-success: #cdebd6; --tk-level-success-text: #0f4a24;
  --tk-level-info: #d3e4fb; --tk-level-info-text: #0d3b78;
  --tk-level-caution: #fbe6a6; --tk-level-caution-text: #4d3800;
  --tk-level-warning: #fdd2b0; --tk-level-warning-text: #5c2700;
  --tk-level-danger: #f8c9c9; --tk-level-danger-text: #6b0f0f;
  color-scheme: light;
`;

const dark = css`
  --tk-color-surface: #0d1117;
  --tk-color-surface-raised: #161b22;
  --tk-color-text: #e6edf3;
  --tk-color-text-muted: #9198a1;
  --tk-color-border: #3d444d;
  --tk-color-accent: #4493f8;
  --tk-color-accent-text: #0d1117;
  --tk-color-focus: #4493f8;
  --tk-color-danger: #ff7b72;
  --tk-level-neutral: #3a3f47; --tk-level-neutral-text: #eef0f3;
  --tk-level-bronze: #6b4424; --tk-level-bronze-text: #fbe7d6;
  --tk-level-silver: #4a525c; --tk-level-silver-text: #f1f3f6;
  --tk-level-gold: #6b5300; --tk-level-gold-text: #fff3c4;
  --tk-level-platinum: #3c4d60; --tk-level-platinum-text: #e6eef7;
  --tk-level-diamond: #1d4f6e; --tk-level-diamond-text: #e0f3ff;
  --tk-level-success: #1e5a33; --tk-level-success-text: #dcf5e4;
  --tk-level-info: #1f4a86; --tk-level-info-text: #e1ecfd;
  --tk-level-caution: #6a5200; --tk-level-caution-text: #fff1c2;
  --tk-level-warning: #7a3a08; --tk-level-warning-text: #ffe4cf;
  --tk-level-danger: #7d1f1f; --tk-level-danger-text: #ffe0e0;
  color-scheme: dark;
`;

/** The provider's theme: light by default, dark on `theme="dark"`, the user's preference on `theme="auto"`. */
export const themeStyles = css`
  :host { ${light} }
  :host([theme='dark']) { ${dark} }
  @media (prefers-color-scheme: dark) {
    :host([theme='auto']) { ${dark} }
  }
`;
