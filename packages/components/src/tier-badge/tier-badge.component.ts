import { LitElement, html, nothing } from 'lit';
import type { Assignment, Locale, MetricDef } from '@tierkit/core';
import type { TierkitClient } from '@tierkit/client';
import { ConfigController } from '../shared/config.js';
import { LocalizeController } from '../shared/localize.js';
import { ResourceController, ResourceStatus } from '../shared/resource.js';
import { renderEmpty, renderError, renderLoading } from '../shared/states.js';
import { stateTerms } from '../shared/terms.js';
import { progressView } from './progress-text.js';
import { tierBadgeTerms } from './tier-badge.terms.js';
import styles from './tier-badge.styles.js';

/** What a controlled badge needs: the assignment, and the metric definitions its progress mentions. */
export interface TierBadgeData {
  readonly assignment: Assignment;
  readonly metrics: readonly MetricDef[];
}

/** The badge's source either way: a tiers response (connected) or one assignment (controlled). */
interface BadgeSource {
  readonly assignments: readonly Assignment[];
  readonly metrics: readonly MetricDef[];
}

export const BADGE_SIZES = ['s', 'm', 'l'] as const;
export type BadgeSize = (typeof BADGE_SIZES)[number];

/**
 * @summary A subject's level in one scheme — name and colour — with optional progress to the next level.
 *
 * @csspart base - The wrapper of level and progress.
 * @csspart level - The coloured pill with the level's name.
 * @csspart progress - The progress block (bar and gap sentence).
 * @csspart bar - The `<progress>` element.
 * @csspart gap - The sentence saying what is missing for the next level.
 * @csspart loading - The loading state.
 * @csspart empty - The empty state.
 * @csspart error - The error state.
 * @csspart retry - The error state's retry button.
 *
 * @cssproperty --tk-tier-badge-bg - Pill background (default: the level's `--tk-level-<color>`).
 * @cssproperty --tk-tier-badge-color - Pill text colour (default: `--tk-level-<color>-text`).
 * @cssproperty --tk-tier-badge-radius - Pill corner radius.
 * @cssproperty --tk-tier-badge-progress-color - Progress bar colour (default `--tk-color-accent`).
 *
 * @event tk-load - The connected badge received the subject's tiers.
 * @event tk-error - Loading failed; the badge shows an error with a retry button.
 *
 * Connected: inside a `<tk-provider>` it reads the subject's tiers through the provider's client.
 * Controlled: set `data` ({@link TierBadgeData}) and nothing is fetched.
 *
 * @example
 * ```html
 * <tk-provider base-url="https://tier.bank.example" token="…" subject="C000003" locale="zh-CN">
 *   <tk-tier-badge show-progress></tk-tier-badge>
 * </tk-provider>
 * ```
 */
export class TkTierBadge extends LitElement {
  static override styles = styles;
  // `static properties` rather than decorators: lit/decorators would add ~0.5 KB gzip to the badge alone.
  // `useDefault`: the defaults are not reflected, so a thousand badges do not write a thousand attributes.
  static override properties = {
    scheme: { reflect: true, useDefault: true },
    subject: { reflect: true, useDefault: true },
    size: { reflect: true, useDefault: true },
    showProgress: { type: Boolean, reflect: true, attribute: 'show-progress' },
    data: { attribute: false },
  };

  /** The scheme whose level to show. */
  scheme = 'retail-tier';
  /** The subject id; when empty, the provider's subject. */
  subject = '';
  /** `s`, `m` or `l`. */
  size: BadgeSize = 'm';
  /** Show progress to the next level (nothing is shown at the top level). */
  showProgress = false;
  /** Controlled mode: the assignment to show. Setting it stops fetching. */
  declare data: TierBadgeData | undefined;

  // One context request for client, subject, locale and currency — none at all for a controlled
  // badge on a page without a provider.
  private readonly config = new ConfigController(this, () => this.data !== undefined);
  private readonly localize = new LocalizeController(this, { config: this.config, hostObservesLang: true });

  // The badge follows its own `lang` through attributeChangedCallback: cheaper for a thousand badges
  // than registering each with a MutationObserver.
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'lang'];
  }

  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    super.attributeChangedCallback(name, old, value);
    if (name === 'lang' && old !== value) this.requestUpdate();
  }

  private readonly source = new ResourceController<BadgeSource, readonly [TierkitClient, string]>(this, {
    name: 'tiers',
    args: () => {
      const client = this.config.value?.client;
      const id = this.subject || this.config.value?.subject;
      return client && id ? [client, id] : undefined;
    },
    load: ([client, id], signal) => client.getTiers(id, { signal }),
    data: () => (this.data ? { assignments: [this.data.assignment], metrics: this.data.metrics } : undefined),
  });

  protected override render() {
    const { status, value } = this.source;
    const locale = this.localize.locale;
    if (status === ResourceStatus.error) return renderError(stateTerms[locale], () => this.source.retry());
    // Nothing to load yet: say "no customer" only when it is the subject that is missing; a known
    // subject waiting for its client (a host may set `provider.client` a moment later) is loading.
    if (status === ResourceStatus.initial && !(this.subject || this.config.value?.subject)) return renderEmpty(stateTerms[locale].noSubject);
    if (!value) return renderLoading(stateTerms[locale]);
    const assignment = value.assignments.find((a) => a.scheme === this.scheme);
    if (!assignment) return renderEmpty(tierBadgeTerms[locale].notInScheme);
    return this.renderBadge(assignment, value.metrics, locale);
  }

  // Spans only: a block <div> inside the inline host would make the browser wrap anonymous blocks
  // around it, the costliest part of laying out a thousand badges. Every bound attribute is a
  // setAttribute per badge, so only what varies is bound (aria-busy only while a refresh runs).
  private renderBadge(a: Assignment, metrics: readonly MetricDef[], locale: Locale) {
    const t = tierBadgeTerms[locale];
    const level = a.schemeInfo.levels.find((l) => l.key === a.level);
    const levelName = level?.name[locale] ?? a.level;
    const label = t.label(a.schemeInfo.name[locale], levelName);
    const busy = this.source.status === ResourceStatus.pending ? 'true' : nothing;
    const color = level?.color ?? 'neutral';
    const progress = this.showProgress ? progressView(a, metrics, locale, this.localize.currency) : null;
    // One flat template per shape: a nested pill template would cost a second template instance per badge.
    if (!progress) {
      return html`<span part="base" class="base" role="group" aria-label=${label} aria-busy=${busy}
        ><span part="level" class="level" data-color=${color}>${levelName}</span></span>`;
    }
    return html`<span part="base" class="base base--progress" role="group" aria-label=${label} aria-busy=${busy}
      ><span part="level" class="level" data-color=${color}>${levelName}</span
      ><span part="progress" class="progress">
        <progress part="bar" max=${progress.path.required} .value=${Math.min(progress.path.current, progress.path.required)}
          aria-label=${t.progressTo(progress.toLevelName)} aria-describedby="gap"></progress>
        <span part="gap" id="gap" class="gap">${progress.text}</span>
      </span></span>`;
  }
}
