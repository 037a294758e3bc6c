import { isAuditor, SessionStore } from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import { html, LitElement, nothing } from 'lit';
import { client, useCredential } from './console-client.js';
import type { ConsolePage, PageContext } from './page.js';
import { PAGES } from './pages/index.js';
import { StaffTokenRefused, tokenSource } from './token-source.js';
import { type ConsoleLocale, LOCALES, roleWord, WORDS } from './words.js';
import { initialLocale, saveLocale, savedLocale } from './initial-locale.js';
import { FAILURE_WORDS, whyFailed } from './why-failed.js';
import { refocus } from './keep-focus.js';
import { useBankTimeZone } from './time.js';
// Also defines <admin-staff-name>, which every page names staff with.
import { consoleStaffNames } from './staff-name.js';

/**
 * The demo sign-ins (`/demo/staff-token?as=…`, apps/server), one for each role's console, and the
 * words of their buttons.
 */
const SIGN_INS = [
  ['maker', 'asMaker'],
  ['checker', 'asChecker'],
  ['rm', 'asRm'],
  ['analyst', 'asAnalyst'],
  ['viewer', 'asViewer'],
  ['admin', 'asAdmin'],
  ['auditor', 'asAuditor'],
  ['lead', 'asLead'],
] as const;
type SignIn = (typeof SIGN_INS)[number][0];

/**
 * How this server's staff sign in (`sign-in.json`, apps/server): the demo's staff, the bank's own
 * token endpoint (TIERKIT_CONSOLE_TOKEN_URL), or neither configured.
 */
type SignInConfig =
  | { readonly mode: 'loading' | 'none' | 'unknown' }
  | { readonly mode: 'demo' }
  | { readonly mode: 'staff'; readonly tokenUrl: string };

async function loadSignInConfig(): Promise<SignInConfig> {
  try {
    const res = await fetch('sign-in.json', { credentials: 'same-origin' });
    if (!res.ok) return { mode: 'unknown' };
    const body = (await res.json()) as { demo?: unknown; tokenUrl?: unknown };
    if (body.demo === true) return { mode: 'demo' };
    if (typeof body.tokenUrl === 'string') return { mode: 'staff', tokenUrl: body.tokenUrl };
    return { mode: 'none' };
  } catch {
    return { mode: 'unknown' };
  }
}

/** `#/jobs/J1?x=1` → the route's segments and query. */
function parseHash(hash: string): { segments: string[]; params: URLSearchParams } {
  const [path = '', q = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  return { segments: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(q) };
}

/**
 * The reference console's shell: demo sign-in, the navigation between the pages of `pages/index.ts`
 * that the signed-in staff member may use, and the page the location's hash names. Each page renders
 * the kit's stores. Light DOM, so the page's stylesheet (strict CSP, no inline styles) styles it and
 * the browser's own controls give keyboard operation.
 */
export class AdminConsole extends LitElement {
  static override properties = {
    locale: { state: true },
    signingIn: { state: true },
    signInFailed: { state: true },
    signInConfig: { state: true },
    hash: { state: true },
  };

  declare locale: ConsoleLocale;
  declare signingIn: boolean;
  declare signInFailed: boolean;
  declare signInConfig: SignInConfig;
  /** The token endpoint's refusal behind the last failed sign-in, if that is what failed. */
  #refused: StaffTokenRefused | undefined;
  declare hash: string;

  readonly #session = new StoreController(this, new SessionStore(client));
  readonly #onHash = () => {
    this.hash = location.hash;
  };

  constructor() {
    super();
    this.locale = initialLocale(
      new URLSearchParams(location.search).get('lang'),
      savedLocale(globalThis.localStorage),
      navigator.languages ?? [],
    );
    this.signingIn = false;
    this.signInFailed = false;
    this.signInConfig = { mode: 'loading' };
    this.hash = location.hash;
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.documentElement.lang = this.locale;
    addEventListener('hashchange', this.#onHash);
    void loadSignInConfig().then((config) => {
      this.signInConfig = config;
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.#onHash);
  }

  async signIn(as: SignIn | 'staff'): Promise<void> {
    const url =
      as === 'staff' ? (this.signInConfig.mode === 'staff' ? this.signInConfig.tokenUrl : undefined) : `/demo/staff-token?as=${as}`;
    if (url === undefined) return;
    this.signingIn = true;
    this.signInFailed = false;
    this.#refused = undefined;
    const source = tokenSource(url);
    useCredential(() =>
      source().catch((e: unknown) => {
        if (e instanceof StaffTokenRefused) this.#refused = e;
        throw e;
      }),
    );
    const session = await this.#session.store.load();
    this.signingIn = false;
    if (!session) {
      this.signInFailed = true;
      useCredential(undefined);
    }
    // The sign-in buttons were disabled meanwhile, and are gone once signed in: focus goes to the page
    // now shown (its link in the navigation), or back to the button after a refusal.
    await this.updateComplete;
    await refocus(this.querySelector(`button[data-as="${as}"]`), () => this.querySelector('a[aria-current="page"]'));
  }

  signOut(): void {
    useCredential(undefined);
    this.#session.store.clear();
    consoleStaffNames.clear();
  }

  navigate(route: string): void {
    location.hash = `#/${route.replace(/^#?\/?/, '')}`;
  }

  /** The page the hash names if this session may use it, else the first one it may. */
  #current(pages: readonly ConsolePage[]): { page: ConsolePage | undefined; ctx: Omit<PageContext, 'session'> } {
    const { segments, params } = parseHash(this.hash);
    const [id, ...path] = segments;
    const named = pages.find((p) => p.id === id);
    const page = named ?? pages[0];
    return {
      page,
      ctx: {
        client,
        locale: this.locale,
        path: named ? path : [],
        params: named ? params : new URLSearchParams(),
        navigate: (r) => this.navigate(r),
      },
    };
  }

  #setLocale(e: Event): void {
    const value = (e.target as HTMLSelectElement).value;
    this.locale = (LOCALES as readonly string[]).includes(value) ? (value as ConsoleLocale) : 'zh-CN';
    saveLocale(globalThis.localStorage, this.locale);
    document.documentElement.lang = this.locale;
  }

  protected override willUpdate(): void {
    // Times are counted and shown in the bank's zone, which the API names with the session.
    useBankTimeZone(this.#session.state.session?.timeZone);
  }

  override render() {
    const w = WORDS[this.locale];
    const s = this.#session.state;
    return html`
      <header class="bar">
        <h1 class="brand">${w.title}</h1>
        <label class="lang">${w.language}
          <select @change=${this.#setLocale} .value=${this.locale}>
            <option value="zh-CN" ?selected=${this.locale === 'zh-CN'}>简体中文</option>
            <option value="zh-TW" ?selected=${this.locale === 'zh-TW'}>繁體中文</option>
            <option value="en" ?selected=${this.locale === 'en'}>English</option>
          </select>
        </label>
        ${
          s.session
            ? html`<span class="who" data-testid="who">${s.session.staff?.name ?? s.session.actor} ·
                ${roleWord(w, s.session)}${s.session.book && s.session.role !== 'officer' ? html` · ${w.bookScope}` : nothing}</span>
              <button type="button" @click=${() => this.signOut()}>${w.signOut}</button>`
            : nothing
        }
      </header>
      ${s.session ? this.#workplace(s.session) : html`<main class="console">${this.#signInCard()}</main>`}
    `;
  }

  protected override updated(): void {
    // Each page of this one document is a page to the reader (WCAG 2.4.2): the window's title and the
    // history's entries name it, in the console's language.
    const w = WORDS[this.locale];
    const session = this.#session.state.session;
    const page = session ? this.#current(PAGES.filter((p) => p.visible(session))).page : undefined;
    const title = `${page ? page.title[this.locale] : w.signInTitle} · ${w.title}`;
    if (document.title !== title) document.title = title;
  }

  #workplace(session: PageContext['session']) {
    const w = WORDS[this.locale];
    const pages = PAGES.filter((p) => p.visible(session));
    const { page, ctx } = this.#current(pages);
    return html`
      <nav class="pages" aria-label=${w.pages}>
        <ul>
          ${pages.map(
            (p) =>
              html`<li><a href="#/${p.id}" data-page-link=${p.id} aria-current=${p === page ? 'page' : 'false'}>${p.title[this.locale]}</a></li>`,
          )}
        </ul>
      </nav>
      <main class="console">${
        // Said once, above every page, rather than a disabled button that the API would refuse.
        isAuditor(session) ? html`<p class="hint reads-only" data-testid="reads-only">${w.readsOnly}</p>` : nothing
      }${page ? page.render({ ...ctx, session }) : html`<p class="hint">${w.noPages}</p>`}</main>
    `;
  }

  #signInCard() {
    const w = WORDS[this.locale];
    const config = this.signInConfig;
    const demo = config.mode === 'demo';
    const why = this.#refused ? w.tokenRefused(this.#refused.status, this.#refused.url) : whyFailed(this.#session.state.error, this.locale);
    return html`<section class="card sign-in" aria-labelledby="sign-in-h">
      <h2 id="sign-in-h">${demo ? w.signInTitle : w.staffSignInTitle}</h2>
      ${
        demo
          ? html`<p class="hint">${w.signInHint}</p>
            <div class="actions">
              ${SIGN_INS.map(
                ([as, words]) =>
                  html`<button type="button" data-as=${as} ?disabled=${this.signingIn} @click=${() => this.signIn(as)}>${w[words]}</button>`,
              )}
            </div>`
          : config.mode === 'staff'
            ? html`<p class="hint">${w.staffSignInHint}</p>
              <div class="actions">
                <button type="button" data-as="staff" ?disabled=${this.signingIn} @click=${() => this.signIn('staff')}>${w.staffSignIn}</button>
              </div>`
            : config.mode === 'none'
              ? html`<p class="hint" data-testid="sign-in-not-configured">${w.signInNotConfigured}</p>`
              : config.mode === 'unknown'
                ? html`<p class="hint">${w.signInConfigUnknown}: ${FAILURE_WORDS[this.locale].unreachable}</p>`
                : nothing
      }
      <p role="status" class="hint">${this.signingIn ? w.signingIn : this.signInFailed ? `${w.signInFailed}: ${why}` : ''}</p>
    </section>`;
  }
}
