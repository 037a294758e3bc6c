import { supportsAdoptingStyleSheets } from 'lit';

/*
 * Roots already checked in the current task, per sheet. A page that connects a thousand badges at
 * once checks its root once instead of a thousand times (reading `adoptedStyleSheets` is not
 * cheap); the memo is dropped at the next microtask, so a later connect checks again.
 */
let checked: Map<CSSStyleSheet, Set<Node>> | undefined;

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
  if (!sheet || !root.adoptedStyleSheets) return;
  if (!checked) {
    checked = new Map();
    queueMicrotask(() => (checked = undefined));
  }
  let roots = checked.get(sheet);
  if (!roots) checked.set(sheet, (roots = new Set()));
  if (roots.has(root)) return;
  roots.add(root);
  if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
