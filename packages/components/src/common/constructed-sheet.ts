import { css, type CSSResultOrNative } from 'lit';

declare const fromConstants: unique symbol;

/**
 * Style text the widgets write from their own constants — the level palette, the tag name a page
 * registered a widget under — never from data, a property or anything else a page or the API supplies.
 * Lit's `css` tag takes no computed text except through its escape hatch for untrusted CSS, which the
 * widgets never use (strict CSP, packages/components/README.md); these sheets are how computed text gets
 * in, so only text marked `constantCss` may: a plain string does not type-check.
 */
export type ConstantCss = string & { readonly [fromConstants]: true };

/** Marks text written from the widgets' constants as such; pass nothing that came from outside. */
export const constantCss = (text: string): ConstantCss => text as ConstantCss;

const made = new WeakMap<Document, Map<string, CSSStyleSheet>>();

/**
 * The constructed sheet of `text()` for `doc`, made once per key and document (a sheet serves one
 * document only: an iframe gets its own); undefined where `doc` has none to construct.
 */
export function sheetOf(doc: Document, key: string, text: () => ConstantCss): CSSStyleSheet | undefined {
  let byKey = made.get(doc);
  if (!byKey) made.set(doc, (byKey = new Map()));
  let sheet = byKey.get(key);
  const Sheet = doc.defaultView?.CSSStyleSheet;
  if (!sheet && Sheet) {
    sheet = new Sheet();
    sheet.replaceSync(text());
    byKey.set(key, sheet);
  }
  return sheet;
}

/**
 * `text` as an entry of a component's `styles`: the page document's sheet, which Lit adopts like its own
 * (and writes into a `<style>` where a browser cannot adopt sheets). Constructed sheets need Safari 16.4 /
 * Firefox 101 / Chrome 99, the widgets' stated minimum (packages/components/README.md, "Browsers"); below it
 * the sheet is empty rather than the whole bundle failing to load. On a server there is no document: the
 * React wrappers render bare tags there, which the browser upgrades and styles; Lit's own server rendering
 * is not supported.
 */
export function componentSheet(key: string, text: ConstantCss): CSSResultOrNative {
  try {
    // On a server `document` is undefined and throws: the same empty sheet.
    return sheetOf(document, key, () => text) ?? css``;
  } catch {
    return css``;
  }
}
