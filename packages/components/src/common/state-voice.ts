import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { setHostStates } from './host-state.js';
import { voice } from './voice.js';

type Host = ReactiveControllerHost & HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };

/**
 * A block widget's state on its host and in the page's one voice per message. After each update it
 * finds the state the widget shows (states.ts: `section > .state`, whose `part` is its kind), sets it
 * as the host's custom state (`:state(loading)`, `:state(empty)`, `:state(error)`; none with data, as
 * the badge does), and makes its words a polite live region (`role="status"`) while loading, and
 * after only if no other widget on the page says the same words already (voice.ts): a server that is
 * down is one failure, said once, not once per widget.
 */
export class StateVoice implements ReactiveController {
  readonly #host: Host;
  readonly #internals: ElementInternals;

  constructor(host: Host) {
    this.#host = host;
    this.#internals = host.attachInternals();
    host.addController(this);
  }

  hostUpdated(): void {
    const host = this.#host;
    const root = host.renderRoot;
    // The state shown: the first box with a part (the one states.ts keeps before the data has none;
    // a view may draw its own "empty" after it).
    const state = root.querySelector('section>.state[part]');
    const kind = state?.getAttribute('part');
    setHostStates(host, this.#internals, kind ? [kind] : []);
    const said = state?.querySelector('.said');
    const voiced = voice(host, said?.textContent);
    // Every widget's loading words are a status, and so is the kept box's region while empty (with
    // the data), so the region is there before an error's words replace them in the same element
    // (states.ts): NVDA and JAWS do not announce a region that appears with its words. Made with the
    // loading words, or none, it says nothing; then only the page's voice for the error keeps it.
    for (const s of root.querySelectorAll('section>.state>.said'))
      if (s === said ? voiced || kind === 'loading' : !s.textContent) s.setAttribute('role', 'status');
      else s.removeAttribute('role');
  }
}
