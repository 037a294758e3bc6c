import type { KitError, UnapprovedClosing, WaitingClosing } from '@tierkit/admin';
import { html, nothing } from 'lit';
import { staffName, personActor } from '../staff-name.js';
import { formatInstant } from '../time.js';
import { whyFailed } from '../why-failed.js';
import type { ConsoleLocale } from '../words.js';
import { CLOSING_WORDS } from './closing.words.js';

/**
 * The customer's page while a closing dated far back waits for a second person: the date asked, who
 * asked, and for its maker a way to take it back. In place of the close action, which the API would
 * refuse (409 `closing_request_pending`) while it waits.
 */
export function closingWaitingNote(waiting: WaitingClosing, locale: ConsoleLocale, withdraw: () => void, refused: KitError | undefined) {
  const w = CLOSING_WORDS[locale];
  return html`<div class="closing-waiting" data-testid="closing-waiting" data-request=${waiting.id}>
    <p><strong>${w.waitingTitle}</strong> ${w.waitingAt(formatInstant(waiting.at, locale), waiting.late)} · ${w.waitingBy}${
      waiting.requestedByYou ? w.you : staffName(personActor(waiting.requestedBy, waiting.requestedByStaff))
    } · ${w.waitingReason(waiting.reason)}</p>
    <p class="hint">${w.waitingHint}</p>
    ${
      waiting.requestedByYou
        ? html`<button type="button" data-testid="closing-withdraw" @click=${withdraw}>${w.withdraw}</button>
          <span role="status" class="closing-error" data-testid="closing-withdraw-error" tabindex="-1">${
            refused ? `${w.refused}: ${whyFailed(refused, locale)}` : ''
          }</span>`
        : nothing
    }
  </div>`;
}

/**
 * What became of the customer's last closing request when it did not close them: rejected, with the
 * checker's note, or lapsed (已失效), undecided for 30 days. Shown beside the close action, so its maker
 * reads why before filing again.
 */
export function closingUnapprovedNote(u: UnapprovedClosing, locale: ConsoleLocale) {
  const w = CLOSING_WORDS[locale];
  const when = u.decidedAt ? formatInstant(u.decidedAt, locale) : '';
  return html`<p class="hint closing-unapproved" data-testid="closing-unapproved" data-status=${u.status}>
    <strong>${u.status === 'lapsed' ? w.lapsedTitle : w.rejectedTitle}</strong> ${w.waitingAt(formatInstant(u.at, locale), false)} · ${
      u.status === 'lapsed' ? w.lapsedWhy(when) : html`${w.rejectedBy}${staffName(personActor(u.decidedBy ?? '', null))} · ${when}`
    }${u.status === 'rejected' && u.decisionNote ? html` · <span data-testid="closing-unapproved-note">${w.rejectedNote(u.decisionNote)}</span>` : nothing}
  </p>`;
}
