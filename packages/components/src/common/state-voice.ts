import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { setHostStates } from './host-state.js';
import { voice } from './voice.js';

type Host = ReactiveControllerHost & HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };

/**
 * A block widget's state on its host and in the page's one voice per message. After each update it
 * finds the state the widget shows (states.ts: `section > .state`, whose `part` is its kind), sets it
 * as the host's custom state (`:state(loading)`, `:state(empty)`, `:state(error)`; none with data, as
 * the badge does), and makes its words a polite live region (`role="status"`) only if no other widget
 * on the page says the same words already (voice.ts): a server that is down is one failure, said
 * once, not once per widget.
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
    const state = host.renderRoot.querySelector('section>.state');
    const kind = state?.getAttribute('part');
    setHostStates(host, this.#internals, kind ? [kind] : []);
    const said = state?.querySelector('.said');
    const role = voice(host, said?.textContent);
    if (role) said!.setAttribute('role', role);
    else said?.removeAttribute('role');
  }
}
