import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import type { Assignment, MetricDef } from '@tierkit/core';
import type { TierkitClient } from '@tierkit/client';
import { clientContext, subjectContext } from '../shared/context.js';
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

  /** The scheme whose level to show. */
  @property({ reflect: true }) scheme = 'retail-tier';
  /** The subject id; when empty, the provider's subject. */
  @property({ reflect: true }) subject = '';
  /** `s`, `m` or `l`. */
  @property({ reflect: true }) size: BadgeSize = 'm';
  /** Show progress to the next level (nothing is shown at the top level). */
  @property({ type: Boolean, reflect: true, attribute: 'show-progress' }) showProgress = false;
  /** Controlled mode: the assignment to show. Setting it stops fetching. */
  @property({ attribute: false }) data: TierBadgeData | undefined;

  @consume({ context: clientContext, subscribe: true })
  @state()
  protected client: TierkitClient | undefined;

  @consume({ context: subjectContext, subscribe: true })
  @state()
  protected providerSubject: string | undefined;

  private readonly localize = new LocalizeController(this);

  private readonly source = new ResourceController<BadgeSource, readonly [TierkitClient, string]>(this, {
    name: 'tiers',
    args: () => {
      const id = this.subject || this.providerSubject;
      return this.client && id ? [this.client, id] : undefined;
    },
    load: ([client, id], signal) => client.getTiers(id, { signal }),
    data: () => (this.data ? { assignments: [this.data.assignment], metrics: this.data.metrics } : undefined),
  });

  protected override render() {
    const states = this.localize.t(stateTerms);
    const { status, value } = this.source;
    if (status === ResourceStatus.error) return renderError(states, () => this.source.retry());
    if (status === ResourceStatus.initial) return renderEmpty(states.noSubject);
    if (!value) return renderLoading(states);
    const assignment = value.assignments.find((a) => a.scheme === this.scheme);
    if (!assignment) return renderEmpty(this.localize.t(tierBadgeTerms).notInScheme);
    return this.renderBadge(assignment, value.metrics);
  }

  private renderBadge(a: Assignment, metrics: readonly MetricDef[]) {
    const locale = this.localize.locale;
    const t = tierBadgeTerms[locale];
    const level = a.schemeInfo.levels.find((l) => l.key === a.level);
    const levelName = level?.name[locale] ?? a.level;
    const progress = this.showProgress ? progressView(a, metrics, locale, this.localize.currency) : null;
    return html`<div part="base" class="base" role="group" aria-label=${t.label(a.schemeInfo.name[locale], levelName)}
      aria-busy=${this.source.status === ResourceStatus.pending ? 'true' : 'false'}>
      <span part="level" class="level" data-color=${level?.color ?? 'neutral'} data-level=${a.level}>
        <span class="mark" aria-hidden="true"></span>${levelName}
      </span>
      ${progress
        ? html`<div part="progress" class="progress">
            <progress part="bar" max=${progress.path.required} .value=${Math.min(progress.path.current, progress.path.required)}
              aria-label=${t.progressTo(progress.toLevelName)} aria-describedby="gap"></progress>
            <p part="gap" id="gap" class="gap">${progress.text}</p>
          </div>`
        : nothing}
    </div>`;
  }
}
