import type { ReactiveControllerHost } from 'lit';
import type { Locale } from '@tierkit/core';
import { ConfigController } from './config.js';
import { matchLocale } from './locale.js';

type Host = ReactiveControllerHost & HTMLElement;

/*
 * One MutationObserver for every localized element on the page, not one each: a page of a
 * thousand badges would otherwise pay a thousand observers on <html>.
 */
const hosts = new Set<Host>();
let shared: MutationObserver | undefined;
// The document's locale, matched once per value of <html lang> (matching is the costly part).
let documentLang: string | undefined;
let documentLocale: Locale | undefined;
function observer(): MutationObserver {
  if (!shared) {
    shared = new MutationObserver((records) => {
      for (const r of records) {
        if (r.target === document.documentElement) for (const h of hosts) h.requestUpdate();
        else (r.target as Host).requestUpdate();
      }
    });
    shared.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  }
  return shared;
}

export interface LocalizeOptions {
  /** As for {@link ConfigController}: true while the host can do without a provider (controlled). */
  readonly optional?: () => boolean;
  /**
   * True when the host re-renders on its own `lang` attribute itself (it lists `lang` in
   * `observedAttributes`), which spares registering every host with the shared MutationObserver.
   */
  readonly ownLang?: boolean;
}

/**
 * Gives an element its provider's configuration (it is a {@link ConfigController}: `value`) and its
 * effective locale — its own `lang` attribute, else the provider's `locale`, else the document's
 * `lang`, else English — and re-renders the host when any of them changes. One controller for both,
 * because a page may hold a thousand badges and each controller is paid per instance.
 *
 * @example
 * ```ts
 * private readonly localize = new LocalizeController(this);
 * render() { const t = terms[this.localize.locale]; return html`${t.loading}`; }
 * ```
 */
export class LocalizeController extends ConfigController {
  readonly #observeHost: boolean;

  constructor(host: Host, options: LocalizeOptions = {}) {
    super(host, options.optional, false);
    this.#observeHost = !options.ownLang;
    host.addController(this);
  }

  override hostConnected(): void {
    super.hostConnected();
    const o = observer();
    hosts.add(this.host);
    if (this.#observeHost) o.observe(this.host, { attributes: true, attributeFilter: ['lang'] });
  }

  override hostDisconnected(): void {
    super.hostDisconnected();
    // A MutationObserver cannot stop watching one target; a removed host's records are harmless
    // (requestUpdate on a disconnected element does nothing visible) and die with the element.
    hosts.delete(this.host);
  }

  /** The locale the host renders in now. */
  get locale(): Locale {
    return matchLocale(this.host.getAttribute('lang')) ?? this.value?.locale ?? this.#documentLocale() ?? 'en';
  }

  /** The currency amounts default to when the data names none. */
  get currency(): string {
    return this.value?.currency ?? 'CNY';
  }

  #documentLocale(): Locale | undefined {
    const lang = document.documentElement.lang;
    if (lang !== documentLang) {
      documentLang = lang;
      documentLocale = matchLocale(lang);
    }
    return documentLocale;
  }
}
