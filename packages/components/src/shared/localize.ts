import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Locale } from '@tierkit/core';
import { currencyContext, localeContext } from './context.js';
import { matchLocale, type Translations } from './locale.js';
import { formatBp, formatDate, formatMoney, formatMoneyCompact, formatPercentFromBp } from './format.js';

type Host = ReactiveControllerHost & HTMLElement;

/*
 * One MutationObserver for every localized element on the page, not one each: a page of a
 * thousand badges would otherwise pay a thousand observers on <html>.
 */
const hosts = new Set<Host>();
let shared: MutationObserver | undefined;
function watch(host: Host): void {
  if (!shared) {
    shared = new MutationObserver((records) => {
      for (const r of records) {
        if (r.target === document.documentElement) hosts.forEach((h) => h.requestUpdate());
        else (r.target as Host).requestUpdate();
      }
    });
    shared.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  }
  hosts.add(host);
  shared.observe(host, { attributes: true, attributeFilter: ['lang'] });
}
function unwatch(host: Host): void {
  hosts.delete(host);
  // MutationObserver cannot stop watching one target; a removed host's records are harmless
  // (requestUpdate on a disconnected element does nothing visible) and die with the element.
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
  private providerLocale: Locale | undefined;
  private providerCurrency: string | undefined;

  constructor(host: Host) {
    this.host = host;
    host.addController(this);
    new ContextConsumer(host, {
      context: localeContext,
      subscribe: true,
      callback: (value) => {
        this.providerLocale = value;
        host.requestUpdate();
      },
    });
    new ContextConsumer(host, {
      context: currencyContext,
      subscribe: true,
      callback: (value) => {
        this.providerCurrency = value;
        host.requestUpdate();
      },
    });
  }

  hostConnected(): void {
    watch(this.host);
  }

  hostDisconnected(): void {
    unwatch(this.host);
  }

  /** The locale the host renders in now. */
  get locale(): Locale {
    return (
      matchLocale(this.host.getAttribute('lang')) ??
      this.providerLocale ??
      matchLocale(document.documentElement.lang) ??
      'en'
    );
  }

  /** The currency amounts default to when the data names none. */
  get currency(): string {
    return this.providerCurrency ?? 'CNY';
  }

  /** The host's terms in the effective locale. */
  t<T>(translations: Translations<T>): T {
    return translations[this.locale];
  }

  /** `¥12,000` in every locale (fen in, symbol style out). */
  money(fen: number, currency: string = this.currency): string {
    return formatMoney(fen, currency, this.locale);
  }

  /** `5万元` in Chinese, `¥50K` in English. */
  moneyCompact(fen: number, currency: string = this.currency): string {
    return formatMoneyCompact(fen, currency, this.locale);
  }

  bp(bp: number): string {
    return formatBp(bp);
  }

  percent(bp: number): string {
    return formatPercentFromBp(bp, this.locale);
  }

  date(iso: string, timeZone?: string): string {
    return formatDate(iso, this.locale, timeZone);
  }
}
