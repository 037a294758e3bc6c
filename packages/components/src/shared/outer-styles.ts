import { supportsAdoptingStyleSheets } from 'lit';

// Roots known to hold a sheet. Reading `adoptedStyleSheets` on every connect is not cheap, and a page
// may connect a thousand badges at once.
const holders = new WeakMap<CSSStyleSheet, WeakSet<Node>>();

/**
 * Adopts `sheetFor(host.localName)` into the document or shadow root that holds `host`, once — for
 * styles a widget applies from outside (rules on its host, `::part()`) rather than from inside each
 * of its shadow roots. A host page that later re-assigns that root's `adoptedStyleSheets` must keep
 * the sheets it found there, as every library sharing a root expects. Needs constructable
 * stylesheets (Chrome 73, Firefox 101, Safari 16.4); without them it does nothing.
 */
export function adoptInHostRoot(host: Element, sheetFor: (tag: string) => CSSStyleSheet): void {
  if (!supportsAdoptingStyleSheets) return;
  const root = host.getRootNode() as Node & DocumentOrShadowRoot;
  const sheet = sheetFor(host.localName);
  let roots = holders.get(sheet);
  if (!roots) holders.set(sheet, (roots = new WeakSet()));
  if (roots.has(root)) return;
  roots.add(root);
  if (root.adoptedStyleSheets && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
