import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { KitStore } from '../core/kit-store.js';

/**
 * The Lit adapter of any kit store: the host re-renders after every change of the store's state,
 * from when it is connected until it is disconnected. Actions are the store's own
 * (`controller.store.loadMore()`); the adapter adds nothing else, so a React or Vue adapter is the
 * same dozen lines.
 */
export class StoreController<S extends object, T extends KitStore<S> = KitStore<S>> implements ReactiveController {
  readonly store: T;
  readonly #host: ReactiveControllerHost;
  #stop: (() => void) | undefined;

  constructor(host: ReactiveControllerHost, store: T & KitStore<S>) {
    this.#host = host;
    this.store = store;
    host.addController(this);
  }

  /** The store's current state. */
  get state(): S {
    return this.store.state;
  }

  hostConnected(): void {
    this.#stop ??= this.store.subscribe(() => this.#host.requestUpdate());
    // A change while disconnected is shown now.
    this.#host.requestUpdate();
  }

  hostDisconnected(): void {
    this.#stop?.();
    this.#stop = undefined;
  }
}
