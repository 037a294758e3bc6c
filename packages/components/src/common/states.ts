import { html, type nothing, type TemplateResult } from 'lit';
import type { BlockStateTerms } from './block-terms.js';
import type { StateTerms } from './terms.js';
import { blockRefusal, type ResourceController } from './resource.js';

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

/**
 * Loading failed; the button loads again — unless the read was refused for good (resource.ts,
 * `blockRefusal`), which the customer is told instead, with no button (it would get the same answer).
 * The error's own text
 * is never shown (it may leak internals).
 */
function renderError(t: BlockStateTerms, error: unknown, onRetry: () => void): TemplateResult {
  const reason = blockRefusal(error);
  if (reason) return renderRefusal(t, reason);
  return html`<div part="error" class="state state--error" role="alert"
    ><span>${t.error}</span><button part="retry" class="retry" type="button" @click=${(e: Event) => retry(e, onRetry)}
      >${t.retry}</button></div>`;
}

/**
 * A read refused for good (`blockRefusal`), in the widget's words, with no button: it would get the
 * same answer. Also the timeline's refused later page, whose "load more" button goes with it.
 */
export function renderRefusal(
  t: BlockStateTerms,
  reason: NonNullable<ReturnType<typeof blockRefusal>>,
  // A session that ended interrupts (it ends mid-page); a 403 or 404 is how this page is, known from
  // its first load, and four widgets saying so as alerts would interrupt the reader four times. The
  // timeline's footer passes `nothing`: its refusal goes into a live region that is always there.
  role: string | typeof nothing = reason === 'signed-out' ? 'alert' : 'status',
): TemplateResult {
  return html`<div part="error" class="state state--error" role=${role} data-reason=${reason}
      >${t[reason] ?? t.unavailable}</div>`;
}

/**
 * Loads again, and moves focus to the widget's heading (`id="title"`, `tabindex="-1"`), which stays in
 * every state: the button goes with the error, and focus would otherwise fall to the page's start.
 * Only when the button held focus: a click that focused nothing (iOS Safari, a host's `click()`)
 * leaves focus where it is, perhaps in a field elsewhere on the page.
 */
function retry(e: Event, onRetry: () => void): void {
  const button = e.currentTarget as Element;
  const root = button.getRootNode() as ShadowRoot;
  onRetry();
  if (root.activeElement === button) root.getElementById('title')?.focus();
}

/** What a block widget draws for a resource besides the shared states. */
export interface ResourceViews<T> {
  /** The loaded (or controlled) value. */
  readonly complete: (value: T) => TemplateResult;
  /** Nothing to load yet (no client or no subject); the loading view unless the widget says otherwise. */
  readonly initial?: () => TemplateResult;
}

/**
 * A resource's state as a block widget draws it, in one place (like @lit/task's `render`): the
 * error with its retry button, the widget's view of the value, the loading view while a read runs,
 * and `initial` before there is anything to read. A failed read drops its value (resource.ts), so the
 * error never sits over stale data. A free function rather than a method of the controller, so the
 * badge, which draws its states as pills, does not carry these templates.
 */
export function renderResource<T, A extends readonly unknown[]>(
  resource: ResourceController<T, A>,
  t: BlockStateTerms,
  views: ResourceViews<T>,
): TemplateResult {
  if (resource.status === 'error') return renderError(t, resource.error, () => resource.retry());
  const value = resource.value;
  if (value !== undefined) return views.complete(value);
  if (resource.status === 'pending' || !views.initial) return renderLoading(t);
  return views.initial();
}
