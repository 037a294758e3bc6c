import { supportsAdoptingStyleSheets } from 'lit';

/*
 * The root and sheet checked last in the current task. A page that connects a thousand badges at
 * once checks their root once instead of a thousand times (reading `adoptedStyleSheets` is not
 * cheap); the memo is dropped at the next microtask, so a later connect checks again.
 */
let last: readonly [Node, CSSStyleSheet] | undefined;

/**
 * Adopts `sheetFor(tag, document)` into the document or shadow root that holds `host`, unless it is
 * there already — for styles a widget applies from outside (rules on its host, `::part()`) rather
 * than from inside each of its shadow roots. A page that re-assigns a root's `adoptedStyleSheets`
 * should keep the sheets it found there; a widget connected again puts its sheet back. Needs
 * constructable stylesheets (Chrome 73, Firefox 101, Safari 16.4); without them it does nothing.
 */
export function adoptInHostRoot(host: Element, sheetFor: (tag: string, document: Document) => CSSStyleSheet | undefined): void {
  if (!supportsAdoptingStyleSheets) return;
  const root = host.getRootNode() as Node & DocumentOrShadowRoot;
  // A sheet can only be adopted in the document it was made for (an iframe has its own).
  const sheet = sheetFor(host.localName, host.ownerDocument);
  if (!sheet || (last && last[0] === root && last[1] === sheet)) return;
  if (!last) queueMicrotask(() => (last = undefined));
  last = [root, sheet];
  const sheets = root.adoptedStyleSheets;
  if (sheets && !sheets.includes(sheet)) root.adoptedStyleSheets = [...sheets, sheet];
}
