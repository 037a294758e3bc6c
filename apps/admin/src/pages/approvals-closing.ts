import type { ApprovalItem } from '@tierkit/admin';
import { html, nothing } from 'lit';
import { formatInstant } from '../time.js';
import type { ConsoleLocale } from '../words.js';
import { APPROVALS_WORDS } from './approvals.words.js';

/**
 * A closing request's facts on its approvals card (`kind: closing`): whose customer by number and masked
 * name, the date the closing would give and whether it was said to be learnt late. The reason and the
 * requester are the card's common facts. `link`: whether the reader may open the customer's page
 * (internal audit may not, and a link would only lead to a refusal).
 */
export function closingFacts(item: ApprovalItem, locale: ConsoleLocale, link: boolean) {
  const c = item.closing;
  if (item.kind !== 'closing' || !c) return nothing;
  const w = APPROVALS_WORDS[locale];
  const subject = item.subject ?? '';
  return html`<div><dt>${w.customer}</dt><dd data-testid="approval-customer">${
    link ? html`<a href="#/book/${encodeURIComponent(subject)}">${subject}</a>` : subject
  }${item.subjectName ? html` <span class="subject-name">${item.subjectName}</span>` : nothing}</dd></div>
    <div><dt>${w.closingAt}</dt><dd data-testid="approval-closing-at">${formatInstant(c.at, locale)}</dd></div>
    <div><dt>${w.closingLate}</dt><dd data-testid="approval-closing-late" data-late=${c.late ? 'true' : 'false'}>${
      c.late ? w.closingLateYes : w.closingLateNo
    }</dd></div>`;
}
