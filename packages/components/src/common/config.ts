import { ContextEvent, createContext } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Locale } from '@tierkit/core';
import type { TierkitClient } from '@tierkit/client';
import type { Theme } from './context.js';

type Host = ReactiveControllerHost & HTMLElement;

/**
 * Everything a provider hands down, in one value: a widget makes one context request for all of it
 * instead of one per field (a page of a thousand badges would otherwise dispatch five thousand
 * `context-request` events). The single-field contexts of context.ts stay for widgets that consume them.
 */
export interface TierkitConfig {
  readonly client: TierkitClient | undefined;
  readonly subject: string | undefined;
  readonly locale: Locale | undefined;
  readonly currency: string;
  readonly theme: Theme;
}
/** The provider's whole configuration (see {@link TierkitConfig}). */
export const configContext = createContext<TierkitConfig | undefined>(Symbol.for('tierkit.config'));

/*
 * How many providers are connected on the page, counted on a Symbol.for() key so that every copy of
 * the bundle on the page (two tag names, two versions) shares the count. Lets a controlled widget
 * skip its context request when no provider could answer it.
 */
const PROVIDERS = Symbol.for('tierkit.providers');
const registry = globalThis as unknown as Record<typeof PROVIDERS, number | undefined>;

/** Called by <tk-provider> on connect (+1) and disconnect (−1). */
export function countProvider(delta: 1 | -1): void {
  registry[PROVIDERS] = (registry[PROVIDERS] ?? 0) + delta;
}

function anyProvider(): boolean {
  return (registry[PROVIDERS] ?? 0) > 0;
}

/**
 * The nearest provider's {@link TierkitConfig}, through one subscribed context request, re-rendering
 * the host when the provider changes it. `optional` returns true while the host can do without a
 * provider (a controlled widget): then, if no provider is connected anywhere, no request is made at
 * all; the controller asks again on a later update once that stops being true.
 */
export class ConfigController implements ReactiveController {
  // Declared, not a class field: the constructor assigns it (a field would only repeat the name in the bundle).
  declare protected readonly host: Host;
  readonly #optional: (() => boolean) | undefined;
  #unsubscribe: (() => void) | undefined;
  #asked = false;
  /** The provider's configuration, or undefined with no provider. */
  value: TierkitConfig | undefined;

  /**
   * `register: false` is for a subclass, which registers once its own fields exist: Lit calls
   * `hostConnected` at once when a controller is added to a connected host.
   */
  constructor(host: Host, optional?: () => boolean, register = true) {
    this.host = host;
    this.#optional = optional;
    if (register) host.addController(this);
  }

  hostConnected(): void {
    this.#asked = false;
    this.#ask();
  }

  hostUpdate(): void {
    // Not asked at connect (controlled, no provider anywhere): ask once a provider exists.
    if (!this.#asked && anyProvider()) this.#ask();
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.value = undefined;
    this.#asked = false;
  }

  #ask(): void {
    if (!anyProvider() && this.#optional?.()) return;
    this.#asked = true;
    this.host.dispatchEvent(
      new ContextEvent(
        configContext,
        this.host,
        (value, unsubscribe) => {
          if (unsubscribe !== this.#unsubscribe) this.#unsubscribe?.();
          this.#unsubscribe = unsubscribe;
          if (value === this.value) return;
          this.value = value;
          // Inside an update (asked from hostUpdate) this folds into the running update.
          this.host.requestUpdate();
        },
        true,
      ),
    );
  }
}
