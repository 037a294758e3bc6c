import { css, type CSSResultOrNative } from 'lit';

/**
 * Style text the widgets compute from their own constants (the level palette), as a sheet Lit takes in a
 * component's `styles`. Lit's `css` takes computed text only through `unsafeCSS`, which the widgets do not
 * use (strict CSP); a constructed sheet is what the badge's pills already are (pill-rules.ts). Lit adopts it
 * like its own sheets, and writes it into a `<style>` where a browser cannot adopt sheets. Where none can be
 * constructed (Node, for the React wrappers' server render; browsers older than the badge's minimum,
 * packages/components/README.md) it is empty.
 */
export function constructedSheet(text: string): CSSResultOrNative {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    return sheet;
  } catch {
    return css``;
  }
}
