import { html, type TemplateResult } from 'lit';
import type { StateTerms } from './terms.js';

/*
 * The three non-data states the block widgets draw the same way, so a host styles them once through
 * `::part(loading)`, `::part(empty)`, `::part(error)` and `::part(retry)`. (The inline badge shows
 * them as muted pills instead: `tk-tier-badge:state(loading)` …, see tier-badge/pill-rules.ts.) Line breaks fall inside
 * tags, so the templates make no whitespace text nodes (the states are flex boxes: gaps come from CSS).
 */

/** A polite live region that says the widget is loading. */
export function renderLoading(t: StateTerms): TemplateResult {
  return html`<div part="loading" class="state state--loading" role="status" aria-live="polite"
    ><span class="spinner" aria-hidden="true"></span><span>${t.loading}</span></div>`;
}

/** Nothing to show; `message` says why in the widget's own words. */
export function renderEmpty(message: string): TemplateResult {
  return html`<div part="empty" class="state state--empty" role="status">${message}</div>`;
}

/** Loading failed; the button loads again. The error's own text is never shown (it may leak internals). */
export function renderError(t: StateTerms, onRetry: () => void): TemplateResult {
  return html`<div part="error" class="state state--error" role="alert"
    ><span>${t.error}</span><button part="retry" class="retry" type="button" @click=${onRetry}>${t.retry}</button></div>`;
}
