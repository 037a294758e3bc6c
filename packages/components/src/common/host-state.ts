/*
 * Exposes what a widget shows on its host element without sprouting attributes where the browser
 * can help: custom states (`:state(x)`) and ARIA through ElementInternals. Browsers without custom
 * states (before Chrome 125 — many a bank's desktop browser — Safari 17.4, Firefox 126) get them as
 * a `data-tk-state="x y"` attribute, which is why selectors read `:is(:state(x),[data-tk-state~='x'])`
 * (`:is()` drops the half a browser cannot parse).
 */

let customStates: boolean | undefined;

/** Sets the host's states to exactly `states`. */
export function setHostStates(host: HTMLElement, internals: ElementInternals, states: readonly string[]): void {
  customStates ??= typeof CSS !== 'undefined' && CSS.supports('selector(:state(x))');
  if (customStates) {
    internals.states.clear();
    for (const s of states) internals.states.add(s);
  } else if (states.length) host.setAttribute('data-tk-state', states.join(' '));
  else host.removeAttribute('data-tk-state');
}

/**
 * The host's own role and accessible name (and busy flag), or none — through ElementInternals
 * (Chrome 90, Firefox 119, Safari 16.4). Where it is missing the host goes unnamed and its visible
 * text (the level's name) is what assistive technology reads.
 */
export function setHostAria(internals: ElementInternals, role: string | null, label: string | null, busy: boolean): void {
  if (!('role' in internals)) return;
  internals.role = role;
  internals.ariaLabel = label;
  internals.ariaBusy = busy ? 'true' : null;
}
