import { html, nothing, type TemplateResult } from 'lit';
import type { HistoryEvent, Locale } from '@tierkit/core';
import { formatPeriod } from '@tierkit/core/period';
import { levelName, schemeName, type SchemeMap } from '../common/level-names.js';
import type { TimelineTerms } from './tier-timeline.terms.js';

/** What every row of one render shares. */
export interface ItemContext {
  readonly schemes: SchemeMap;
  readonly loc: Locale;
  /** The tag Intl formats months for (`en-GB`; LocalizeController's `lang`). */
  readonly lang: string;
  readonly t: TimelineTerms;
  /** The date formatter of the locale and the bank's time zone (cached: building one is slow). */
  readonly date: Intl.DateTimeFormat;
  /** How a staff member is shown: masked unless the host may show them in full (docs/domain.md §8), or as the host names them. */
  readonly who: (person: string) => unknown;
}

/**
 * One change: date and scheme; from → to with the direction in words; reason, who did it, who
 * approved it (masked unless allowed), the month of data it describes, the policy version and the note.
 * Only what the event holds renders: a customer's history (an embed token) has no actor, approver, policy
 * version, note or reason but 首次评定 / 政策调整 (CustomerTierEvent), so its row reads the date, the move and the month, with
 * "please contact your branch" where a staff record decided, and on a level the rules lowered why in one line
 * (CustomerDrop.text, worded by the API so the bundle carries none of it). Everything from data renders as text.
 */
export function renderEvent(
  e: HistoryEvent,
  index: number,
  tabStop: boolean,
  setSize: number,
  { schemes, loc, lang, t, date, who }: ItemContext,
): TemplateResult {
  // A level a staff record decided carries the API's "please contact your branch" (notice), shown
  // instead of its reason, as /tiers shows it.
  const levels = schemes[e.scheme]?.levels;
  const from = e.from === null ? undefined : levels?.find((l) => l.key === e.from);
  const to = levels?.find((l) => l.key === e.to);
  const dir = from && to ? (to.rank > from.rank ? t.up : to.rank < from.rank ? t.down : '') : '';
  const ms = Date.parse(e.at);
  const reason = e.notice?.[loc] ?? (e.reason && (t.reason[e.reason] ?? e.reason));
  return html`<li part="event" class="event" data-index=${index} tabindex=${tabStop ? 0 : -1}
      aria-posinset=${index + 1} aria-setsize=${setSize}>
    <span class="line meta"><time datetime=${e.at}>${Number.isNaN(ms) ? e.at : date.format(ms)}</time><span>${schemeName(schemes, e.scheme, loc)}</span></span>
    <span class="line change">
      ${
        e.from !== null
          ? html`<span part="level" class="lvl" data-color=${from?.color ?? 'neutral'}>${levelName(schemes, e.scheme, e.from, loc)}</span>
        <span aria-hidden="true">→</span><span class="sr"> ${t.to} </span>`
          : nothing
      }
      <span part="level" class="lvl" data-color=${to?.color ?? 'neutral'}>${levelName(schemes, e.scheme, e.to, loc)}</span>
      ${dir ? html`<span class="dir">${dir}</span>` : nothing}
    </span>
    ${e.because ? html`<span part="why" class="meta">${e.because.text[loc]}</span>` : nothing}
    <span class="line meta">
      ${reason ? html`<span part="reason" class="reason">${reason}</span>` : nothing}
      ${e.actor === 'system' ? html`<span>${t.automatic}</span>` : e.actor ? html`<span>${t.by}${who(e.actor)}</span>` : nothing}
      ${e.approvedBy ? html`<span>${t.approvedBy}${who(e.approvedBy)}</span>` : nothing}
      ${e.period ? html`<span class="period">${t.period(formatPeriod(e.period, lang))}</span>` : nothing}
      ${e.policyVersion === undefined ? nothing : html`<span>${t.policy(e.policyVersion)}</span>`}
      ${e.note ? html`<span class="note">${e.note}</span>` : nothing}
    </span>
  </li>`;
}
