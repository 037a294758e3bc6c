import { hasRole, isAuditor, isBookScoped } from '@tierkit/admin';
import { html, nothing } from 'lit';
import { until } from 'lit/directives/until.js';
import type { ConsolePage, PageContext } from '../page.js';
import { POLICY_WORDS } from './policies.words.js';

/*
 * The policies page is loaded as a chunk of its own when first shown: its editor validates drafts with
 * the engine's own validator, written in zod (about 100 KB gzip), which no other page needs. The
 * element (`policies-element.ts`) upgrades in place when its chunk defines it; Lit keeps the `.ctx`
 * set before that. Until then a status line says it is loading, or that it failed.
 */

let loaded = false;
let loading: Promise<void> | undefined;

function loadElement(): Promise<void> {
  loading ??= import('./policies-element.js').then(
    () => {
      loaded = true;
    },
    (err: unknown) => {
      // A later visit tries again (a dropped connection, a deploy that replaced the chunk).
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

function loadingState(ctx: PageContext) {
  const w = POLICY_WORDS[ctx.locale];
  return until(
    loadElement().then(
      () => nothing,
      () => html`<p role="status" class="error">${w.pageFailed}</p>`,
    ),
    html`<p role="status" class="hint">${w.loading}</p>`,
  );
}

export const policiesPage: ConsolePage = {
  id: 'policies',
  title: { 'zh-CN': '策略', 'zh-TW': '策略', en: 'Policies' },
  // Officers draft, approvers review; both tenant-wide: an RM's credential reads only their book.
  // Internal audit reads every scheme's versions and diffs, read-only.
  visible: (session) => (hasRole(session, 'officer') || isAuditor(session)) && !isBookScoped(session),
  // One template whether loaded or not, so the element is never replaced once it has its state.
  render: (ctx) => html`<admin-policies-page data-page .ctx=${ctx}></admin-policies-page>${loaded ? nothing : loadingState(ctx)}`,
};
