import { LitElement, html, type PropertyValues } from 'lit';
import { ContextProvider } from '@lit/context';
import { createReadClient, type TierkitClient } from '@tierkit/client';
import { clientContext, configContext, subjectContext, type Theme } from '../common/context.js';
import { countProvider } from '../common/config.js';
import type { LocaleTag } from '../common/locale.js';
import type { TermOverrides } from '../common/term-overrides.js';
import styles from './provider.styles.js';

/**
 * Widgets inside one provider share one client, so four widgets for one subject share requests
 * and the ETag cache. Pass `base-url` (+ `token`) to let the provider create the client, or set the
 * `client` property to any object implementing `TierkitClient` (for hosts that fetch through their
 * own backend, tests and stories). Changing any attribute re-provides it to every widget. Light is the
 * widgets' own defaults, so `--tk-*` set on any ancestor wins; `theme="dark"` declares the dark set
 * (give brand values for it on `tk-provider[theme=dark]`).
 *
 * @summary The context root of tierkit widgets: API, token, subject, locale, currency and theme for everything inside it.
 *
 * @slot - The widgets (and any other markup) that share this configuration.
 *
 * @cssproperty --tk-color-surface - Widget background (default #ffffff; dark #0d1117).
 * @cssproperty --tk-color-surface-raised - Raised areas: year headers, the next level's box, empty matrix cells (default #f6f8fa; dark #161b22).
 * @cssproperty --tk-color-text - Main text colour (default #1f2328; dark #e6edf3).
 * @cssproperty --tk-color-text-muted - Secondary text colour (default #59636e; dark #9198a1).
 * @cssproperty --tk-color-border - Borders and dividers (default #d1d9e0; dark #3d444d).
 * @cssproperty --tk-color-accent - Buttons, links, progress (default #0b5cad; dark #4493f8).
 * @cssproperty --tk-color-accent-text - Text on the accent colour (the retry button): keep it legible when you change the accent (default #ffffff; dark #0d1117).
 * @cssproperty --tk-color-danger - Error messages (default #b3261e; dark #ff7b72).
 * @cssproperty --tk-color-focus - Focus ring (default #0b5cad; dark #4493f8).
 * @cssproperty --tk-level-gold - Background of a level whose colour token is `gold` (likewise every level colour, plus `-text` for its text).
 * @cssproperty --tk-font-family - Font of every widget (default system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif).
 * @cssproperty --tk-radius - Corner radius of cards, cells and buttons (default 8px).
 * @cssproperty --tk-chip-radius - Corner radius of every chip: the timeline's level and reason, the matrix's signal, the panel's
 *   "paused" tag (default 999px, a pill).
 * @cssproperty --tk-space - The spacing unit of the block widgets (default 8px).
 */
export class TkProvider extends LitElement {
  static override styles = styles;
  static override properties = {
    baseUrl: { attribute: 'base-url', reflect: true },
    token: {},
    subject: { reflect: true },
    locale: { reflect: true },
    currency: { reflect: true },
    theme: { reflect: true },
    client: { attribute: false },
    terms: { attribute: false },
  };

  /** API base URL (`https://tier.bank.example`); ignored when `client` is set. */
  declare baseUrl: string;
  /** The embed token the bank's backend minted for the logged-in customer. Never an API key. */
  declare token: string;
  /** The subject (customer) id widgets show unless they name their own. */
  declare subject: string;
  /** `zh-CN`, `zh-TW` or `en` (or a regional tag of one, `zh-HK`: see LocaleTag); unset lets each widget follow the document's `lang`. */
  declare locale: LocaleTag | '';
  /** ISO 4217 code of amounts that name none. */
  declare currency: string;
  /** `light`, `dark`, or `auto` (follow the user's system preference). */
  declare theme: Theme;
  /**
   * The bank's own words over the widgets', by locale tag then widget (`{ 'zh-HK': { badge: { none: '…' } } }`,
   * README "Your own words"). Set a new object to change them.
   */
  declare terms: TermOverrides | undefined;
  /** A ready client object; wins over `base-url`. */
  declare client: TierkitClient | undefined;

  // Defaults here, not as class fields: a field would shadow Lit's accessor when compiled with
  // `useDefineForClassFields` (one style for every element, whatever the host's compiler does).
  constructor() {
    super();
    this.baseUrl = '';
    this.token = '';
    this.subject = '';
    this.locale = '';
    this.currency = 'CNY';
    this.theme = 'light';
  }

  readonly #clientProvider = new ContextProvider(this, { context: clientContext });
  readonly #subjectProvider = new ContextProvider(this, { context: subjectContext });
  readonly #configProvider = new ContextProvider(this, { context: configContext });
  // The options the client was made from, as one string (a token holds no line break), and the client.
  #made: [options: string, client: TierkitClient] | undefined;

  /**
   * The client widgets read through: the `client` property, else one made from `base-url` and `token`.
   * None from a `base-url` without a token: a page that fetches the token from its backend first would
   * otherwise send every widget's read without one and flash "signed out" before the token arrived;
   * the widgets show loading, fetching nothing, until the token (or a client) is set.
   */
  get effectiveClient(): TierkitClient | undefined {
    if (this.client) return this.client;
    if (!this.baseUrl || !this.token) return undefined;
    // One client per (base-url, token), kept across renders: a new one would throw the cache away.
    const { baseUrl, token } = this;
    const options = `${token}\n${baseUrl}`;
    if (this.#made?.[0] !== options) this.#made = [options, createReadClient({ baseUrl, token })];
    return this.#made[1];
  }

  /**
   * Reads everything again: forgets the client's cached answers (a client from `createClient`, which the provider makes too) and has
   * every widget inside fetch anew — the recovery from a refused token (401) whether the provider has
   * `base-url` and `token` or a `client` of its own, which a new `token` does not reach
   * (packages/components/README.md, "Events"). Forget the refused token first (set the new one, or
   * `invalidate()` a `reuseToken` function), or the reads are refused again.
   */
  reload(): void {
    const client = this.effectiveClient as (TierkitClient & { invalidate?(): void }) | undefined;
    client?.invalidate?.();
    // Widgets read again when their client changes identity, so they get the same client under a new
    // one; bound, so a client class with #private fields still works through it.
    this.#clientProvider.setValue(
      client &&
        (new Proxy(client as unknown as Record<PropertyKey, unknown>, {
          get: (target, key) => (typeof target[key] === 'function' ? (target[key] as () => unknown).bind(target) : target[key]),
        }) as unknown as TierkitClient),
    );
    this.requestUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('client') || changed.has('baseUrl') || changed.has('token')) this.#clientProvider.setValue(this.effectiveClient);
    if (changed.has('subject')) this.#subjectProvider.setValue(this.subject || undefined);
    // A new object whenever anything changed, so subscribers see a change by identity.
    this.#configProvider.setValue({
      client: this.#clientProvider.value,
      subject: this.#subjectProvider.value,
      locale: this.locale || undefined,
      currency: this.currency || 'CNY',
      theme: this.theme,
      terms: this.terms,
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    countProvider(1);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    countProvider(-1);
  }

  protected override render() {
    return html`<slot></slot>`;
  }
}
