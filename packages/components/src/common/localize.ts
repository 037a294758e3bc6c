import { ContextEvent } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Locale } from '@tierkit/core';
import { anyProvider, configContext, type TierkitConfig } from './config.js';
import { resolveLocale, type Translations } from './locale.js';
import type { TermTables } from './term-overrides.js';

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
        if (r.target === document.documentElement) for (const h of hosts) h.requestUpdate();
        else (r.target as Host).requestUpdate();
      }
    });
    shared.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  }
  return shared;
}

/**
 * The tag a canonical tag (`resolveLocale`'s, so its case is fixed) equals without a script its region
 * writes anyway — Hant in Taiwan, Hong Kong and Macao, Hans elsewhere: `zh-Hant-HK` is `zh-HK`,
 * `zh-Hans-SG` is `zh-SG`, but `zh-Hans-HK` (Simplified in Hong Kong) stays itself, and so does any
 * other tag. By hand, not a locale library's likely subtags: the bundle has no bytes for one, and
 * Chinese is the only language whose script the widgets tell apart.
 */
const sameTag = (t: string) => t.replace(/^zh-Han(t-(?=(TW|HK|MO)$)|s-(?!(TW|HK|MO)$))/, 'zh-');

export interface LocalizeOptions {
  /**
   * True while the host can do without a provider (a controlled widget): then, if no provider is
   * connected anywhere, no context request is made at all; the controller asks again on a later
   * update once that stops being true.
   */
  readonly optional?: () => boolean;
  /**
   * True when the host re-renders on its own `lang` attribute itself (it lists `lang` in
   * `observedAttributes`), which spares registering every host with the shared MutationObserver.
   */
  readonly ownLang?: boolean;
}

/**
 * Gives an element its provider's configuration (`value`, the nearest provider's
 * {@link TierkitConfig} through one subscribed context request) and its effective locale — its own
 * `lang` attribute, else the provider's `locale`, else the document's `lang`, else English — and
 * re-renders the host when any of them changes. One controller (one class, too: every byte of it is
 * in the badge's bundle) for both, because a page may hold a thousand badges and each controller is
 * paid per instance.
 *
 * @example
 * ```ts
 * private readonly localize = new LocalizeController(this);
 * render() { const t = terms[this.localize.locale]; return html`${t.loading}`; }
 * ```
 */
export class LocalizeController implements ReactiveController {
  readonly #host: Host;
  readonly #optional: (() => boolean) | undefined;
  readonly #observeHost: boolean;
  #unsubscribe: (() => void) | undefined;
  // Undefined until asked: no initializer, which would be bytes of both bundles (at their budgets, README).
  #asked: boolean | undefined;
  // The `lang` this controller wrote on the host (hostUpdate); any other value is the app's own.
  #mine: string | undefined;
  /** The provider's configuration, or undefined with no provider. */
  value: TierkitConfig | undefined;

  constructor(host: Host, options: LocalizeOptions = {}) {
    this.#host = host;
    this.#optional = options.optional;
    this.#observeHost = !options.ownLang;
    host.addController(this);
  }

  hostConnected(): void {
    this.#asked = false;
    this.#ask();
    const o = observer();
    hosts.add(this.#host);
    if (this.#observeHost) o.observe(this.#host, { attributes: true, attributeFilter: ['lang'] });
  }

  hostUpdate(): void {
    // Not asked at connect (controlled, no provider anywhere): ask once a provider exists.
    if (!this.#asked && anyProvider()) this.#ask();
    // WCAG 3.1.2 (language of parts): the host carries the tag of the words it shows, and its shadow
    // content inherits it, so a screen reader on an `<html lang="en">` page reads a zh-CN provider's
    // widget with a Chinese voice. An app's own `lang` on the element is left alone.
    const own = this.#host.lang;
    const tag = this.lang;
    if ((!own || own === this.#mine) && own !== tag) this.#host.lang = this.#mine = tag;
  }

  hostDisconnected(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.value = undefined;
    this.#asked = false;
    // A MutationObserver cannot stop watching one target; a removed host's records are harmless
    // (requestUpdate on a disconnected element does nothing visible) and die with the element.
    hosts.delete(this.#host);
  }

  /** The locale whose words the host renders in now. */
  get locale(): Locale {
    return this.#resolved()[0];
  }

  /** The locale Intl formats the host's dates and numbers for: the full tag (`en-GB`, `zh-HK`). */
  get lang(): string {
    return this.#resolved()[1];
  }

  /**
   * `table`'s words in the host's locale, under the provider's `terms` for `part`: those of the
   * locale, then those of the tag the host's equals (`zh-HK` for `zh-Hant-HK`, see {@link sameTag}),
   * then those of the host's own tag (`zh-HK` over `zh-TW`).
   */
  terms<K extends keyof TermTables, T extends Partial<TermTables[K]>>(table: Translations<T>, part: K): T {
    const o = this.value?.terms;
    const [locale, lang] = this.#resolved();
    return { ...table[locale], ...o?.[locale]?.[part], ...o?.[sameTag(lang)]?.[part], ...o?.[lang]?.[part] };
  }

  // Its own `lang` (the app's, not the one hostUpdate wrote), else the provider's `locale`, else the
  // document's `lang` (resolved once per tag).
  #resolved() {
    const own = this.#host.lang;
    return resolveLocale((own !== this.#mine && own) || this.value?.locale || document.documentElement.lang);
  }

  /** The currency amounts default to when the data names none. */
  get currency(): string {
    return this.value?.currency ?? 'CNY';
  }

  #ask(): void {
    if (!anyProvider() && this.#optional?.()) return;
    this.#asked = true;
    this.#host.dispatchEvent(
      new ContextEvent(
        configContext,
        this.#host,
        (value, unsubscribe) => {
          if (unsubscribe !== this.#unsubscribe) this.#unsubscribe?.();
          this.#unsubscribe = unsubscribe;
          if (value === this.value) return;
          this.value = value;
          // Inside an update (asked from hostUpdate) this folds into the running update.
          this.#host.requestUpdate();
        },
        true,
      ),
    );
  }
}
