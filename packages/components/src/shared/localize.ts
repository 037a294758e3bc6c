import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Locale } from '@tierkit/core';
import { ConfigController } from './config.js';
import { matchLocale, type Translations } from './locale.js';

type Host = ReactiveControllerHost & HTMLElement;

/*
 * One MutationObserver for every localized element on the page, not one each: a page of a
 * thousand badges would otherwise pay a thousand observers on <html>.
 */
const hosts = new Set<Host>();
let shared: MutationObserver | undefined;
function observer(): MutationObserver {
  if (!shared) {
    shared = new MutationObserver((records) => {
      for (const r of records) {
        if (r.target === document.documentElement) hosts.forEach((h) => h.requestUpdate());
        else (r.target as Host).requestUpdate();
      }
    });
    shared.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  }
  return shared;
}

export interface LocalizeOptions {
  /**
   * The host's own {@link ConfigController}, when it has one, so the host makes one context request
   * for everything; without it the controller makes that request itself.
   */
  readonly config?: ConfigController;
  /**
   * True when the host re-renders on its own `lang` attribute itself (it lists `lang` in
   * `observedAttributes`), which spares registering every host with the shared MutationObserver.
   */
  readonly hostObservesLang?: boolean;
}

/**
 * Gives an element its effective locale — its own `lang` attribute, else the provider's `locale`,
 * else the document's `lang`, else English — and re-renders the host when any of them changes.
 *
 * @example
 * ```ts
 * private readonly localize = new LocalizeController(this);
 * render() { const t = this.localize.t(terms); return html`${t.loading}`; }
 * ```
 */
export class LocalizeController implements ReactiveController {
  private readonly host: Host;
  private readonly config: ConfigController;
  private readonly observeHost: boolean;

  constructor(host: Host, options: LocalizeOptions = {}) {
    this.host = host;
    this.config = options.config ?? new ConfigController(host);
    this.observeHost = !options.hostObservesLang;
    host.addController(this);
  }

  hostConnected(): void {
    const o = observer();
    hosts.add(this.host);
    if (this.observeHost) o.observe(this.host, { attributes: true, attributeFilter: ['lang'] });
  }

  hostDisconnected(): void {
    // A MutationObserver cannot stop watching one target; a removed host's records are harmless
    // (requestUpdate on a disconnected element does nothing visible) and die with the element.
    hosts.delete(this.host);
  }

  /** The locale the host renders in now. */
  get locale(): Locale {
    return (
      matchLocale(this.host.getAttribute('lang')) ??
      this.config.value?.locale ??
      matchLocale(document.documentElement.lang) ??
      'en'
    );
  }

  /** The currency amounts default to when the data names none. */
  get currency(): string {
    return this.config.value?.currency ?? 'CNY';
  }

  /** The host's terms in the effective locale. */
  t<T>(translations: Translations<T>): T {
    return translations[this.locale];
  }
}
