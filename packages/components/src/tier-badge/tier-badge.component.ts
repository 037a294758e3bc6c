import { LitElement, adoptStyles, html, nothing } from 'lit';
import type { Assignment, CustomerAssignment, Locale, MetricDef, SchemeSummary } from '@tierkit/core';
import type { TierkitClient } from '@tierkit/client';
import { LocalizeController } from '../common/localize.js';
import { ResourceController, refusal } from '../common/resource.js';
import { stateTerms } from '../common/terms.js';
import { adoptInHostRoot } from '../common/outer-styles.js';
import { setHostAria, setHostStates } from '../common/host-state.js';
import { voice } from '../common/voice.js';
import { progressView } from './progress-text.js';
import { progressWords } from '@tierkit/core/progress';
import { tierBadgeTerms } from './tier-badge.terms.js';
import { innerSheet, pillSheet, type PillState } from './pill-rules.js';
import { levelPalette } from '../common/level-palette.js';

/** What a controlled badge needs: the assignment, and the metric definitions its progress mentions. */
export interface TierBadgeData {
  readonly assignment: Assignment | CustomerAssignment;
  readonly metrics: readonly MetricDef[];
}

/** The badge's source when connected: the subject's tiers. */
interface BadgeSource {
  readonly assignments: readonly (Assignment | CustomerAssignment)[];
  readonly metrics: readonly MetricDef[];
}

export const BADGE_SIZES = ['s', 'm', 'l'] as const;
export type BadgeSize = (typeof BADGE_SIZES)[number];

/**
 * The pill — the level's name on its colour — is the host element itself, so it sits in a line of
 * text or a table cell like a word: style it as `tk-tier-badge`, one colour as
 * `tk-tier-badge:state(gold)`. Loading, empty and error are pills too, muted. With `show-progress`
 * the pill is the `level` part inside. The `--tk-tier-badge-*` properties restyle it either way. The
 * built-in rules sit in `@layer tierkit`, adopted once into the document or shadow root that holds
 * the badge, so any unlayered rule of the page wins over them.
 *
 * Connected: inside a `<tk-provider>` it reads the subject's tiers through the provider's client.
 * Controlled: set `data` (a `TierBadgeData`) and nothing is fetched.
 *
 * @summary A subject's level in one scheme — name and colour — with optional progress to the next level.
 *
 * @attr {string} scheme - The scheme whose level to show (default `retail-tier`). Property `scheme`.
 * @attr {string} subject - The subject id; when absent, the provider's subject. Property `subject`.
 * @attr {'s' | 'm' | 'l'} size - `s`, `m` (default: the surrounding text's size) or `l`. Property `size`.
 * @attr {boolean} show-progress - Show progress to the next level under the pill. Property `showProgress`.
 * @attr {string} lang - This badge's language (`zh-CN`, `zh-TW`, `en`); else the provider's, else the page's.
 *
 * @cssstate pill - The host is a pill: a level (without progress), or loading / empty / error.
 * @cssstate neutral - The level's colour is `neutral` (a pill of a level; the host is then named for scheme and level).
 * @cssstate bronze - The level's colour is `bronze` (a pill of a level; the host is then named for scheme and level).
 * @cssstate silver - The level's colour is `silver` (a pill of a level; the host is then named for scheme and level).
 * @cssstate gold - The level's colour is `gold` (a pill of a level; the host is then named for scheme and level).
 * @cssstate platinum - The level's colour is `platinum` (a pill of a level; the host is then named for scheme and level).
 * @cssstate diamond - The level's colour is `diamond` (a pill of a level; the host is then named for scheme and level).
 * @cssstate success - The level's colour is `success` (a pill of a level; the host is then named for scheme and level).
 * @cssstate info - The level's colour is `info` (a pill of a level; the host is then named for scheme and level).
 * @cssstate caution - The level's colour is `caution` (a pill of a level; the host is then named for scheme and level).
 * @cssstate warning - The level's colour is `warning` (a pill of a level; the host is then named for scheme and level).
 * @cssstate danger - The level's colour is `danger` (a pill of a level; the host is then named for scheme and level).
 * @cssstate loading - Waiting for the subject's tiers (the host is busy).
 * @cssstate empty - No subject, or no level in this scheme; the host says which.
 * @cssstate error - The tiers could not be loaded; a retry button follows the message for a network error or a 5xx.
 *   A refusal has none: a 404 whose problem is `…/subject-not-found` says "not found"; a 401, a 403 or any other 404
 *   says "unavailable".
 *
 * @csspart retry - The error's retry button. Pressed while it has focus, it hands focus to the badge itself
 *   (`tabindex="-1"` from then on), since it goes with the error.
 * @csspart base - With `show-progress`: the wrapper of pill and progress, named for scheme and level.
 * @csspart level - With `show-progress`: the pill.
 * @csspart progress - With `show-progress`: the bar and the gap sentence.
 * @csspart bar - The `<progress>` element.
 * @csspart gap - The sentence saying what is missing for the next level.
 *
 * @cssproperty --tk-tier-badge-bg - Pill background (default: the level's `--tk-level-<color>`).
 * @cssproperty --tk-tier-badge-color - Pill text colour (default: `--tk-level-<color>-text`).
 * @cssproperty --tk-tier-badge-radius - Pill corner radius (default 999px).
 * @cssproperty --tk-tier-badge-progress-color - Progress bar colour (default `--tk-color-accent`).
 *
 * @event tk-load - The connected badge received the subject's tiers.
 * @event tk-error - Loading failed; the badge shows an error with a retry button for a network error or a 5xx, and
 *   none for a 401, a 403 or a 404 (`error.status`), which would get the same answer.
 *
 * @example
 * ```html
 * <tk-provider base-url="https://tier.bank.example" token="…" subject="C000003" locale="zh-CN">
 *   <tk-tier-badge show-progress></tk-tier-badge>
 * </tk-provider>
 * ```
 */
export class TkTierBadge extends LitElement {
  // `static properties` rather than decorators: lit/decorators would add ~0.5 KB gzip to the badge alone.
  static override properties = { data: { attribute: false } };

  /*
   * scheme, subject, size and show-progress live in their attributes, as a native element's do: the
   * property reads and writes the attribute. A default then costs nothing per instance, where a Lit
   * property with a default costs a set, a change record and a default-value map for each of a
   * thousand badges — and `size` must be an attribute anyway, since the pill's rules select on it.
   */
  static override get observedAttributes(): string[] {
    // Not `size`: only the pill's rules read it, so a change needs no render.
    return [...super.observedAttributes, 'scheme', 'subject', 'show-progress', 'lang'];
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (old !== value) this.requestUpdate();
  }

  /** The scheme whose level to show. Attribute `scheme`; default `retail-tier`. */
  get scheme(): string {
    return this.getAttribute('scheme') || 'retail-tier';
  }
  set scheme(value: string | null | undefined) {
    this.#attr('scheme', value);
  }
  /** The subject id; when empty, the provider's subject. Attribute `subject`. */
  get subject(): string {
    return this.getAttribute('subject') ?? '';
  }
  set subject(value: string | null | undefined) {
    this.#attr('subject', value);
  }
  /** `s`, `m` or `l`. Attribute `size`; default `m`. */
  get size(): BadgeSize {
    return (this.getAttribute('size') as BadgeSize | null) ?? 'm';
  }
  set size(value: BadgeSize | null | undefined) {
    this.#attr('size', value);
  }
  /** Show progress to the next level (nothing is shown at the top level). Attribute `show-progress`. */
  get showProgress(): boolean {
    return this.hasAttribute('show-progress');
  }
  set showProgress(value: boolean) {
    this.toggleAttribute('show-progress', !!value);
  }
  /** Controlled mode: the assignment to show. Setting it stops fetching; null or undefined fetches again. */
  declare data: TierBadgeData | null | undefined;

  // Setting a property to null, undefined or '' removes its attribute, as a framework does when a
  // prop goes away: the default (or the provider's subject) applies again.
  #attr(name: string, value: string | null | undefined): void {
    if (value) this.setAttribute(name, value);
    else this.removeAttribute(name);
  }

  readonly #internals = this.attachInternals();
  // Set the first time the progress view's sheet is adopted.
  #richStyles: true | undefined;
  // What the host shows now, so its states and name are touched only when they change. Undefined: not
  // written yet — a copied badge may carry a copied `data-tk-state` that the first view must clear.
  // Kept as one string ("gold,客户等级,false"): one comparison, where three fields cost bytes (README).
  // No initializer, like #richStyles: `= null` would be bytes for what undefined already says.
  #shown: string | undefined;
  // The scheme as last shown (its key and names), for the retry's name: a failed read carries none. Its
  // key is compared with the scheme asked for now, since a page may change the badge's scheme.
  #info: SchemeSummary | undefined;

  // The provider's client, subject, locale and currency through one context request — none at all
  // for a controlled badge on a page without a provider — and the badge's effective locale.
  readonly #provider = new LocalizeController(this, { optional: () => this.data != null, ownLang: true });

  // Made on the first update without `data`: a controlled badge never fetches, so never pays for it.
  #source: ResourceController<BadgeSource, readonly [TierkitClient, string]> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    adoptInHostRoot(this, pillSheet);
  }

  protected override willUpdate(): void {
    this.#source ??= this.data == null ? this.#connectedSource() : undefined;
  }

  #connectedSource() {
    return new ResourceController<BadgeSource, readonly [TierkitClient, string]>(this, {
      name: 'tiers',
      args: () => {
        const client = this.#provider.value?.client;
        const id = this.subject || this.#provider.value?.subject;
        return client && id ? [client, id] : undefined;
      },
      load: ([client, id], signal) => client.getTiers(id, { signal }),
      // A host that sets `data` later takes over: the source drops its read.
      data: () => (this.data ? { assignments: [], metrics: [] } : undefined),
    });
  }

  protected override render() {
    const locale = this.#provider.locale;
    const data = this.data;
    if (data) return this.#renderAssignment(data.assignment.scheme === this.scheme ? data.assignment : undefined, data.metrics, locale);
    const source = this.#source!;
    const { status, value } = source;
    const t = this.#provider.terms(stateTerms, 'states');
    if (status === 'error') {
      this.#host('error');
      // No retry where the answer would be the same: a refused token (401; the host mints a new one),
      // a 404 (an unknown subject said as such) or a read the credential may not make (403).
      const reason = refusal(source.error);
      // Refused for good: "not found" for an unknown customer, else one neutral word, not "try again later".
      const said = reason ? t[reason === 'not-found' ? reason : 'unavailable'] : t.error;
      // A polite status, and only if no other widget on the page says the same words already (voice.ts):
      // a server that is down, or an unknown customer, is one failure for the whole page. Set on every
      // render of the error, after #host (which leaves the error pill's role to this).
      this.#internals.role = voice(this, said);
      // Retry: the button goes with the error, and a keyboard user's focus would fall to the page's start
      // (WCAG 2.4.3). If it held focus (the only focusable thing in here), the host takes it, and keeps it
      // through loading to the level or the error again; a click that focused nothing (iOS Safari, a
      // host's click()) leaves focus where it is. `tabIndex |= 0` writes the tabindex the badge already
      // has: -1 (out of the tab order) unless the page gave it one, which it keeps. It stays: dropping it
      // on blur would be bytes the badge does not have (README). The button is named for what it
      // loads again — scheme and subject — since a page of failed badges holds several.
      return reason
        ? said
        : html`${said}<button part="retry" type="button" aria-label=${this.#provider.terms(tierBadgeTerms, 'badge').retry((this.#info?.key === this.scheme && this.#info.name[locale]) || this.scheme, this.subject || this.#provider.value!.subject!)} @click=${() => {
            source.retry();
            if ((this.renderRoot as ShadowRoot).activeElement) {
              this.tabIndex |= 0;
              this.focus();
            }
          }}>${t.retry}</button>`;
    }
    // Nothing to load yet: say "no customer" only when it is the subject that is missing; a known
    // subject waiting for its client (a host may set `provider.client` a moment later) is loading.
    if (status === 'initial' && !(this.subject || this.#provider.value?.subject)) return this.#host('empty', t.noSubject);
    if (!value) return this.#host('loading', t.loading);
    return this.#renderAssignment(
      value.assignments.find((a) => a.scheme === this.scheme),
      value.metrics,
      locale,
    );
  }

  #renderAssignment(a: Assignment | CustomerAssignment | undefined, metrics: readonly MetricDef[], locale: Locale) {
    const t = this.#provider.terms(tierBadgeTerms, 'badge');
    if (!a) return this.#host('empty', t.none);
    const level = a.schemeInfo.levels.find((l) => l.key === a.level);
    const name = level?.name[locale] ?? a.level;
    // A level that needs a second person's sign-off (AML 高) says so until it has one.
    const levelName = a.approvalRequired ? t.pending(name) : name;
    // The group is named by the scheme alone: the level is its text, so a name with it read the level twice.
    const label = (this.#info = a.schemeInfo).name[locale];
    const busy = this.#source?.status === 'pending';
    // A colour this version does not know (a newer server's) draws as neutral, and never becomes a state.
    const color = level && Object.hasOwn(levelPalette, level.color) ? level.color : 'neutral';
    const progress = this.showProgress
      ? progressView(a, metrics, locale, this.#provider.currency, this.#provider.terms(progressWords, 'progress'))
      : null;
    // The host is the pill; its shadow root holds the bare name (Lit renders a string as text).
    if (!progress) return this.#host(color, levelName, label, busy);

    this.#host(undefined);
    if (!this.#richStyles) {
      // The shadow root's only stylesheet, the first time it shows more than a pill (see pill-rules.ts).
      this.#richStyles = true;
      const sheet = innerSheet(this.ownerDocument);
      if (sheet) adoptStyles(this.renderRoot as ShadowRoot, [sheet]);
    }
    // Spans only: a block <div> inside the inline host would make the browser wrap anonymous boxes around it.
    const { required, current } = progress.path;
    // The bar's value is the gap sentence (a percentage of an amount says nothing); the visible copy is
    // hidden from assistive tech so it is read once. base > (level, progress > (bar, gap)), on one line: the line breaks and indents that laid it out
    // inside the tags were ~14 bytes gzip of the badge bundle, which is at its budget (README).
    return html`<span part="base" class="base" role="group" aria-label=${label} aria-busy=${busy ? 'true' : nothing}><span part="level" class="level" data-color=${color}>${levelName}</span><span part="progress" class="progress"><progress part="bar" max=${required} .value=${Math.min(current, required)} aria-label=${t.progressTo(progress.next)} aria-valuetext=${progress.text}></progress><span part="gap" class="gap" aria-hidden="true">${progress.text}</span></span></span>`;
  }

  /**
   * Makes the host the pill `shown` (a level colour, or loading / empty / error) — or, with
   * undefined, a plain box — and returns `text`. A level's pill is a group named `label` (scheme and
   * level); the error pill's role is render's (status or none); loading is a busy status; empty has no role, its text is read.
   */
  #host<T>(shown: PillState | undefined, text?: T, label: string | null = null, busy = shown === 'loading'): T | undefined {
    const now = [shown, label, busy] + '';
    if (now !== this.#shown) {
      this.#shown = now;
      // Says no error now (render's error path says which): another widget may be the page's voice for it.
      voice(this);
      setHostStates(this, this.#internals, shown ? ['pill', shown] : []);
      // Loading, the pill is a status, busy: a region a screen reader knows before its error's words
      // arrive (NVDA and JAWS miss a region made with its words), quiet while busy and, made with
      // its loading words, not announced. The error keeps it only for the page's voice (render).
      setHostAria(this.#internals, label ? 'group' : busy ? 'status' : null, label, busy);
    }
    return text;
  }
}
