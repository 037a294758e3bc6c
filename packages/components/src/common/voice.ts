import type { ReactiveElement } from 'lit';

/*
 * One voice per message on the page. When the server is down every widget fails at once, and an
 * unknown customer is unknown to each of them: a screen reader heard the same sentence once per widget
 * (seven times on the demo's customer page). The hosts that show a message are kept in the order they
 * began to show it; the last one still connected is the one whose words are a live region, the others
 * show the same words without one (packages/components/README.md, "Loading and errors"). The last, so
 * that a retry that fails again is said by the widget whose retry the reader pressed.
 */
const saying = new Map<Element, string>();

/** The host whose words are live for `text`: the last connected one that began showing it. */
function last(text: string | null | undefined): ReactiveElement | undefined {
  let found: Element | undefined;
  for (const [h, said] of saying)
    if (!h.isConnected) saying.delete(h);
    else if (said === text) found = h;
  return found as ReactiveElement | undefined;
}

/**
 * Records that `host` now shows `text` (nothing: it shows none of its states) and says whether it is
 * the page's voice for it. When a host begins showing words it takes their voice, and the host that
 * had it renders again, without; when it stops, the host that is now last for its old words renders
 * again, with.
 */
export function voice(host: Element, text?: string | null): boolean {
  const was = saying.get(host);
  if (was !== text) {
    const before = text && last(text);
    saying.delete(host);
    if (text) saying.set(host, text);
    before?.requestUpdate();
    last(was)?.requestUpdate();
  }
  return !!text && last(text) === host;
}
