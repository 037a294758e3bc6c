import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type {
  CustomerAssignment,
  EntitlementDef,
  EntitlementsResponse,
  LevelRef,
  Locale,
  LocalizedText,
  ResolvedEntitlement,
  TiersResponse,
} from '@tierkit/core';
import type { TierkitClient } from '@tierkit/client';
import { LocalizeController } from '../common/localize.js';
import { DEFAULT_TIME_ZONE } from '../tier-timeline/timeline-rows.js';
import { ResourceController } from '../common/resource.js';
import { StateVoice } from '../common/state-voice.js';
import { renderEmpty, renderLoading, renderResource } from '../common/states.js';
import { blockStateTerms } from '../common/block-terms.js';
import { entitlementPanelTerms as terms, type EntitlementPanelTerms } from './entitlement-panel.terms.js';
import { entitlementValue, levelLabel } from './entitlement-text.js';
import { levelName, schemesOfTiers, type SchemeMap } from '../common/level-names.js';
import styles from './entitlement-panel.styles.js';

/**
 * The last day an override holds, in the bank's zone (timeline-rows.ts): an end at midnight is the day
 * before's last, so 「有效期至 2027年3月5日」 for an end at 2027-03-06 00:00 Beijing time.
 */
const lastDay = (end: string, lang: string) =>
  new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: DEFAULT_TIME_ZONE }).format(Date.parse(end) - 1);

const BENEFIT_KINDS = ['feature', 'quota', 'rate', 'limit'] as const;

/**
 * Connected, it reads `GET /v1/subjects/{id}/entitlements`, and the tiers response (shared with a
 * badge on the same page through the client cache) for level names. Controlled, set `data` and
 * optionally `tiers`; without tiers, levels are shown by key.
 *
 * @summary What a subject's levels give them: active benefits by kind, restrictions and why, blocked benefits, and what the next level unlocks.
 *
 * @csspart base - The panel.
 * @attr {string} heading - The panel's heading instead of its own ("我的权益" / "Your benefits", the customer's
 *   voice): a staff tool showing a customer's benefits names them as the customer's. Property `heading`.
 *
 * @csspart title - The panel heading.
 * @csspart group - One group of entitlements (services, quotas, rates, limits, restrictions, blocked).
 * @csspart item - One entitlement.
 * @csspart value - An entitlement's figure (`2 / 6 per year, to Nov 2025`, `+0.20%`, `1.5×`, `1.5倍`).
 * @csspart reason - Why a restriction applies or a benefit is blocked.
 * @csspart tag - The "paused" chip beside a blocked benefit; its corners follow `--tk-chip-radius`.
 * @csspart next - What the next level would add.
 * @csspart keep - A customer's level in its grace period: what keeps it (the API's `keep.text`), above the benefits.
 * @cssstate loading - A read runs and there is nothing to show yet (the frame is `aria-busy`).
 * @cssstate empty - Nothing to show, or no customer.
 * @cssstate error - The read failed (with a retry) or was refused (`data-reason`, no retry).
 * @csspart loading - The loading state.
 * @csspart empty - The empty state.
 * @csspart error - The error state.
 * @csspart retry - The error state's retry button.
 *
 * @cssproperty --tk-entitlement-panel-bg - Panel background (default `--tk-color-surface`).
 * @cssproperty --tk-entitlement-panel-border-color - Panel border (default `--tk-color-border`).
 * @cssproperty --tk-entitlement-panel-value-color - Colour of figures (default `--tk-color-accent`).
 *
 * @event tk-load - The connected panel received the subject's entitlements (`resource: 'entitlements'`) or tiers (`'tiers'`).
 * @event tk-error - Loading failed; the panel shows an error with a retry button for a network error or a 5xx, and
 *   none for a refusal (`[part~=error][data-reason]`: `signed-out` 401, `forbidden` 403, `not-found` an unknown
 *   customer, `unavailable` any other 404).
 */
export class TkEntitlementPanel extends LitElement {
  static override styles = styles;
  static override properties = {
    subject: { reflect: true, useDefault: true },
    heading: {},
    data: { attribute: false },
    tiers: { attribute: false },
  };

  /** The subject id; when empty, the provider's subject. */
  declare subject: string;
  /** The heading; when unset or empty, the panel's own in the page's language. */
  declare heading: string | undefined;
  /** Controlled mode: the entitlements to show. Setting it stops fetching. */
  declare data: EntitlementsResponse | undefined;
  /** Controlled mode: the subject's tiers, for level and scheme names. */
  declare tiers: TiersResponse | undefined;

  // A default in the constructor, not a class field, which would shadow Lit's accessor under
  // `useDefineForClassFields` (one style for every element, whatever the host's compiler does).
  constructor() {
    super();
    this.subject = '';
  }

  // One context request for client, subject, locale and currency; none for a controlled panel on a
  // page without a provider.
  readonly #provider = new LocalizeController(this, { optional: () => this.data !== undefined });

  #args(): readonly [TierkitClient, string] | undefined {
    const client = this.#provider.value?.client;
    const id = this.subject || this.#provider.value?.subject;
    return client && id ? [client, id] : undefined;
  }

  readonly #entitlements = new ResourceController<EntitlementsResponse, readonly [TierkitClient, string]>(this, {
    name: 'entitlements',
    args: () => this.#args(),
    load: ([client, id], signal) => client.getEntitlements(id, { signal }),
    data: () => this.data,
  });

  // Level names: the panel's view needs them (renderResource's `needs`), or a customer reads `gold`.
  readonly #names = new ResourceController<TiersResponse, readonly [TierkitClient, string]>(this, {
    name: 'tiers',
    args: () => (this.data ? undefined : this.#args()),
    load: ([client, id], signal) => client.getTiers(id, { signal }),
    data: () => this.tiers,
  });

  // This render's words (the bank's own over the panel's), for its items.
  #t: EntitlementPanelTerms | undefined;

  // Never read: the controller does its work in the host's update cycle, which it joined when made.
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: held so the controller is made with the host
  readonly #state = new StateVoice(this);

  // The frame and heading stay in every state: a screen reader lands on a named region whether it is
  // loading, failed or empty, and the page does not jump when the benefits arrive.
  protected override render() {
    const states = this.#provider.terms(blockStateTerms, 'states');
    const title = this.heading || this.#provider.terms(terms, 'panel').title;
    return html`<section part="base" class="base" aria-labelledby="title" aria-busy=${this.#entitlements.status === 'pending' || this.#names.status === 'pending' ? 'true' : nothing}>
      <h2 part="title" id="title" tabindex="-1">${title}</h2>
      ${renderResource(this.#entitlements, states, {
        title,
        needs: [this.#names],
        complete: (value) => this.#renderPanel(value),
        // "No customer" only when the subject is what is missing; a subject waiting for its client is loading.
        initial: () => (this.subject || this.#provider.value?.subject ? renderLoading(states) : renderEmpty(states.noSubject)),
      })}
    </section>`;
  }

  #renderPanel(value: EntitlementsResponse): TemplateResult {
    const locale = this.#provider.locale;
    const t = (this.#t = this.#provider.terms(terms, 'panel'));
    if (!value.entitlements.length && !value.next.length) return renderEmpty(t.empty);
    const names = this.#names.value;
    const tiers = names ? schemesOfTiers(names) : undefined;
    const active = value.entitlements.filter((e) => e.status === 'active');
    const restrictionLabel = (key: string) =>
      value.entitlements.find((e) => e.def.kind === 'restriction' && e.def.key === key)?.def.label[locale] ?? key;
    // Why a benefit is or would be suspended, as the API worded it for this reader: the restriction and
    // level when they may read it, else its notice (a customer's "contact your branch", an RM's "refer to
    // compliance"). One wording for what is blocked now and what an upgrade would add blocked.
    const why = (by: (LevelRef & { restriction: string }) | undefined, notice: LocalizedText | undefined) =>
      by || notice
        ? html`<span part="reason" class="why">${by ? t.blockedBy(restrictionLabel(by.restriction), levelLabel(by, tiers, locale)) : notice?.[locale]}</span>`
        : nothing;

    const groups = BENEFIT_KINDS.map((kind) =>
      this.#group(
        t.kinds[kind],
        active
          .filter((e) => e.def.kind === kind)
          .map((e) =>
            this.#item(
              e.def,
              locale,
              e.used,
              html`<span class="source">${t.grantedBy(levelLabel(e.grantedBy, tiers, locale))}</span>`,
              false,
              e.usedThrough,
            ),
          ),
      ),
    );
    const restrictions = active.filter((e) => e.def.kind === 'restriction');
    const blocked = value.entitlements.filter((e) => e.status === 'blocked');

    // First, what these benefits hang on: a customer's level in its grace period (what keeps it, as the API
    // words it, CustomerKeep.text), or held as a courtesy (an override) and until when — otherwise it reads
    // as earned and lasting. Here rather than in the badge, whose bundle is at its budget (README, "Attributes").
    const status = (a: CustomerAssignment) =>
      a.keep
        ? a.keep.text[locale]
        : a.override && t.courtesy(a.override.expiresAt ? lastDay(a.override.expiresAt, this.#provider.lang) : undefined);
    return html`${names?.audience === 'customer' ? names.assignments.map((a) => (status(a) ? html`<p part="keep" class="next">${status(a)}</p>` : nothing)) : nothing}${groups}
      ${this.#group(
        t.restrictions,
        restrictions.map((e) => this.#restriction(e, locale, tiers)),
      )}
      ${this.#group(
        t.blocked,
        blocked.map((e) => this.#item(e.def, locale, e.used, why(e.blockedBy, e.notice), true, e.usedThrough)),
      )}
      ${value.next.map(
        (n) => html`<div part="next" class="next">
        ${this.#group(
          t.next(levelName(tiers, n.scheme, n.toLevel, locale)),
          // An add the subject's restriction would block is listed as blocked, never as a promise.
          n.adds.map((d) => {
            const w = why(n.blockedBy?.[d.key], n.notices?.[d.key]);
            return this.#item(d, locale, undefined, w, w !== nothing);
          }),
        )}
      </div>`,
      )}`;
  }

  /** A heading and its list; nothing when the list is empty (the API sends no `next` without adds). */
  #group(heading: string, items: readonly TemplateResult[]) {
    return items.length ? html`<div part="group" class="group"><h3>${heading}</h3><ul>${items}</ul></div>` : nothing;
  }

  #item(def: EntitlementDef, locale: Locale, used: number | undefined, extra: unknown, blocked = false, through?: string) {
    const t = this.#t!;
    const value = entitlementValue(def, t, this.#provider.lang, used, through);
    return html`<li part="item" class=${blocked ? 'blocked' : ''} data-kind=${def.kind} data-key=${def.key}>
      <span class="label">${def.label[locale]}</span>
      ${value ? html`<span part="value" class="value">${value}</span>` : nothing}
      ${blocked ? html`<span part="tag" class="tag">${t.blockedTag}</span>` : nothing}
      ${extra}
    </li>`;
  }

  #restriction(e: ResolvedEntitlement, locale: Locale, tiers: SchemeMap | undefined) {
    const reason = e.def.kind === 'restriction' ? e.def.reason[locale] : '';
    return html`<li part="item" data-kind="restriction" data-key=${e.def.key}>
      <span class="label">${e.def.label[locale]}</span>
      <span part="reason" class="why">${reason}</span>
      <span class="source">${this.#t!.imposedBy(levelLabel(e.grantedBy, tiers, locale))}</span>
    </li>`;
  }
}
