import type { ImportRowError } from '@tierkit/admin';
import { html, nothing } from 'lit';
import { fieldSays, refusedForFinalMonth } from '../why-failed.js';
import type { ConsoleLocale } from '../words.js';
import { IMPORT_WORDS } from './import.words.js';

/**
 * An import's refused rows, each by line, column and why: the preview and result of an upload, and
 * an import read back from the list. What a row says is what the API sent (for internal audit, with
 * the refused cell's text already cut out by the API).
 */
export function importRowErrors(errors: readonly ImportRowError[], locale: ConsoleLocale, headingId: string) {
  if (!errors.length) return nothing;
  const w = IMPORT_WORDS[locale];
  return html`<h3 id=${headingId}>${w.rowErrors}</h3>
    <ol class="import-errors" data-testid="row-errors" aria-labelledby=${headingId}>
      ${errors.map(
        (e) => html`<li data-line=${e.line}>
          <strong>${w.line(e.line)}</strong>${e.column !== null ? html`${w.comma}<span data-field="column">${w.column(e.column)}</span>` : nothing}${w.colon}<span data-field="message">${fieldSays({ path: '', ...e }, locale)}${refusedForFinalMonth(e) ? ` ${w.closedLateHint}` : ''}</span>
        </li>`,
      )}
    </ol>`;
}
