/*
 * The shadow root's styles, adopted only once a badge shows progress; every other view is the host
 * itself, styled from outside. pill-rules.ts puts them after the inner pill's rules in one sheet per
 * document. Values read the `--tk-*` tokens directly with the light values as fallbacks.
 *
 * Plain text rather than a CSSResult of Lit's css tag: the badge bundle then leaves out that tag
 * function and its error messages (~0.15 KB gzip). The tag here is String.raw, named css so that the
 * build still minifies the text (scripts/build.mjs); the text has no holes.
 */
const css = String.raw;

export const progressCss = css`
    /*
     * Like the pill, the badge keeps the page's font unless --tk-font-family names one. The box with
     * muted text paints the surface, which keeps its contrast on a page of the other theme. It does not
     * take the page's alignment, though: in a page that centres its text (Vite's starter) the gap
     * sentence would sit centred under a pill at the start.
     */
    /* The bar is at least 12em long, but never wider than the box it is in (a phone at 200 % text). */
    .base {
      display: inline-flex; flex-direction: column; gap: 4px; min-width: min(12em, 100%); max-width: 100%; line-height: 1.75;
      font-family: var(--tk-font-family); background: var(--tk-color-surface, #fff); text-align: start;
    }
    .level { align-self: flex-start; }
    .progress { display: flex; flex-direction: column; gap: 2px; }
    progress {
      width: 100%; height: .5em;
      accent-color: var(--tk-tier-badge-progress-color, var(--tk-color-accent, #0b5cad));
    }
    .gap { font-size: .8125em; line-height: 1.4; color: var(--tk-color-text-muted, #59636e); }
  `;
