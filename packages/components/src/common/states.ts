import { html, nothing, type TemplateResult } from 'lit';
import type { BlockStateTerms } from './block-terms.js';
import type { StateTerms } from './terms.js';
import { blockRefusal, type ResourceController } from './resource.js';

/*
 * The three non-data states the block widgets draw the same way, so a host styles them once through
 * `::part(loading)`, `::part(empty)`, `::part(error)` and `::part(retry)` (or the host's
 * `:state(loading)` …, set by StateVoice). (The inline badge shows them as muted pills instead:
 * `tk-tier-badge:state(loading)` …, see tier-badge/pill-rules.ts.) One template for all three, so
 * loading turns into the error in the same element: its words change in place, where a live region
 * would be, and the box does not jump. Which of the page's widgets announces them is StateVoice's
 * (state-voice.ts): the words are in `.said`, the button outside it, so it is not read as part of them.
 * Line breaks fall inside tags, so the templates make no whitespace text nodes (the states are flex
 * boxes: gaps come from CSS).
 */
// With the data, the same template draws the state's box empty, without a `part` (state.styles.ts
// takes it out of the layout), and the view after it: its `.said` stays the live region it was while
// loading, so an error that replaces the data is said in a region the screen reader already knows
// (NVDA and JAWS miss a region made with its words), as loading's error is.
function renderState(
  kind: 'loading' | 'empty' | 'error' | undefined,
  text: string,
  extra: unknown = nothing,
  reason?: string,
  view: unknown = nothing,
): TemplateResult {
  return html`<div part=${kind ?? nothing} class="state state--${kind}" data-reason=${reason ?? nothing}
    >${kind === 'loading' ? html`<span class="spinner" aria-hidden="true"></span>` : nothing}<span class="said">${text}</span>${extra}</div>${view}`;
}

/** Says the widget is loading. */
export function renderLoading(t: StateTerms): TemplateResult {
  return renderState('loading', t.loading);
}

/** Nothing to show; `message` says why in the widget's own words. */
export function renderEmpty(message: string): TemplateResult {
  return renderState('empty', message);
}

/**
 * A read refused for good (`blockRefusal`), in the widget's words, with no button: it would get the
 * same answer. Also the timeline's refused later page, whose "load more" button goes with it (its
 * footer's own live region says it).
 */
export function renderRefusal(t: BlockStateTerms, reason: NonNullable<ReturnType<typeof blockRefusal>>): TemplateResult {
  return renderState('error', t[reason] ?? t.unavailable, nothing, reason);
}

/**
 * Loads again, and moves focus to the widget's heading (`id="title"`, `tabindex="-1"`), which stays in
 * every state: the button goes with the error, and focus would otherwise fall to the page's start.
 * Only when the button held focus: a click that focused nothing (iOS Safari, a host's `click()`)
 * leaves focus where it is, perhaps in a field elsewhere on the page.
 */
function retry(e: Event, failed: readonly ResourceController<unknown>[]): void {
  const button = e.currentTarget as Element;
  const root = button.getRootNode() as ShadowRoot;
  for (const r of failed) r.retry();
  if (root.activeElement === button) root.getElementById('title')?.focus();
}

/** What a block widget draws for a resource besides the shared states. */
export interface ResourceViews<T> {
  /** The loaded (or controlled) value. */
  readonly complete: (value: T) => TemplateResult;
  /** Nothing to load yet (no client or no subject); the loading view unless the widget says otherwise. */
  readonly initial?: () => TemplateResult;
  /** The widget's heading: the retry button is named for it (「重试加载我的权益」), one page may hold several. */
  readonly title: string;
  /**
   * Reads the view needs besides the resource — the tiers a panel or timeline names its levels from.
   * One that failed in a way a retry may mend (network, 5xx, timeout) is the widget's error too, and
   * its retry reads it again: otherwise the view showed level keys (`gold`) to a customer, and kept
   * them after a retry of the resource alone. One refused for good (403, 404) leaves the keys.
   */
  // biome-ignore lint/suspicious/noExplicitAny: reads of any value and inputs (a controller's inputs are invariant); only their status, error and retry are used.
  readonly needs?: readonly ResourceController<any, any>[];
}

/**
 * A resource's state as a block widget draws it, in one place (like @lit/task's `render`): the
 * error with its retry button — or, refused for good (resource.ts, `blockRefusal`), the words with no
 * button — the widget's view of the value, the loading view while a read runs, and `initial` before
 * there is anything to read. A failed read drops its value (resource.ts), so the error never sits over
 * stale data. The error's own text is never shown (it may leak internals). A free function rather than
 * a method of the controller, so the badge, which draws its states as pills, does not carry these templates.
 */
export function renderResource<T, A extends readonly unknown[]>(
  resource: ResourceController<T, A>,
  t: BlockStateTerms,
  views: ResourceViews<T>,
): TemplateResult {
  // A need refused for good (no tiers for this subject, a 404) leaves the view its keys: a retry would get the same answer.
  const failed = [resource, ...(views.needs ?? []).filter((r) => !blockRefusal(r.error))].filter(
    (r) => r.status === 'error',
  ) as ResourceController<unknown>[];
  if (failed[0]) {
    const reason = blockRefusal(failed[0].error);
    return reason
      ? renderRefusal(t, reason)
      : renderState(
          'error',
          t.error,
          html`<button part="retry" class="retry" type="button" aria-label=${t.retryWhat(views.title)} @click=${(e: Event) => retry(e, failed)}
      >${t.retry}</button>`,
        );
  }
  const value = resource.value;
  // A need still on its way (the tiers after the entitlements) is loading too: no keys meanwhile.
  if (value !== undefined && !views.needs?.some((r) => r.status === 'pending' && !r.value))
    return renderState(undefined, '', nothing, undefined, views.complete(value));
  if (value !== undefined || resource.status === 'pending' || !views.initial) return renderLoading(t);
  return views.initial();
}
