import type { ReactiveElement } from 'lit';

/*
 * One voice per message on the page. When the server is down every widget fails at once, and an
 * unknown customer is unknown to each of them: a screen reader heard the same sentence once per widget
 * (seven times on the demo's customer page). The hosts that show a message are kept in the order they
 * began to show it; the first one still connected is the one whose words are a live region, the others
 * show the same words without one (packages/components/README.md, "Loading and errors").
 */
const saying = new Map<Element, string>();

/**
 * Records that `host` now shows `text` (nothing: it shows none of its states) and says whether it is
 * the page's voice for it. A host that changes its words goes to the back of the queue for the new
 * ones, so it never takes the voice from one that was saying them already.
 */
export function voice(host: Element, text?: string | null): boolean {
  const was = saying.get(host);
  if (was !== text) {
    saying.delete(host);
    if (text) saying.set(host, text);
    // It stops saying `was`: the next one saying it renders again, to take the voice.
    for (const [h, said] of saying)
      if (said === was) {
        (h as ReactiveElement).requestUpdate();
        break;
      }
  }
  for (const [h, said] of saying)
    if (!h.isConnected) saying.delete(h);
    else if (said === text) return h === host;
  return false;
}
