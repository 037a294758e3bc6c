/*
 * One voice per message on the page. When the server is down every widget fails at once, and an
 * unknown customer is unknown to each of them: a screen reader heard the same sentence once per widget
 * (seven times on the demo's customer page). The first widget to show a message is the one whose words
 * are a live region; the others show the same words without one. Once it shows other words (its retry
 * loads, or succeeds), the next widget to render those words takes their voice — so a retry that fails
 * again is said by the widget whose retry the reader pressed (packages/components/README.md,
 * "Loading and errors").
 */
/*
 * Kept on the page (`Symbol.for`), not in this module: two bundles on one page (tierkit.js and
 * tierkit-badge.js, or two versions) are two copies of this module, and each gave the page a voice of
 * its own — the same failure said twice. Every copy since shares these two maps; keep their shape.
 */
const [shows, voices] = ((globalThis as { [k: symbol]: unknown })[Symbol.for('tierkit.voice')] ??= [new WeakMap(), new Map()]) as [
  WeakMap<Element, string | null | undefined>,
  Map<string | null | undefined, Element>,
];

/**
 * Records that `host` now shows `text` (nothing: it shows none of its states) and gives the role of
 * its words: `status` if it is the page's voice for them, else none.
 */
export function voice(host: Element, text?: string | null): 'status' | null {
  shows.set(host, text);
  const had = voices.get(text);
  if (!had?.isConnected || shows.get(had) !== text) voices.set(text, host);
  return text && voices.get(text) === host ? 'status' : null;
}
