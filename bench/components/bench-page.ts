// Bundled into the benchmark page: the badge (registered), two minimal Lit elements, and a runner
// that renders N of one kind and reports how long until they are rendered, styled and laid out.
import { LitElement, css, html } from 'lit';
import '../../packages/components/src/tier-badge/tier-badge.js';
import type { TkTierBadge, TierBadgeData } from '../../packages/components/src/tier-badge/tier-badge.component.js';
import { tiersC3 } from '../../packages/components/src/common/fixtures/tiers.js';

/** The reference: the smallest Lit element that shows what a badge shows — one span with text. */
class MinimalElement extends LitElement {
  static override properties = { text: {} };
  declare text: string;
  protected override render() {
    return html`<span>${this.text}</span>`;
  }
}
customElements.define('min-el', MinimalElement);

/** Informational: the same with one static style rule, as nearly every real element has. */
class MinimalStyledElement extends MinimalElement {
  static override styles = css`:host { display: inline-block; } span { font-weight: 600; }`;
}
customElements.define('min-styled-el', MinimalStyledElement);

const badgeData: TierBadgeData = { assignment: tiersC3.assignments[0]!, metrics: tiersC3.metrics };
const KINDS = ['span', 'lit', 'lit-styled', 'badge', 'badge-progress'] as const;
type Kind = (typeof KINDS)[number];
void KINDS;

function create(kind: Kind): Element {
  switch (kind) {
    case 'span': {
      const s = document.createElement('span');
      s.textContent = '金卡';
      return s;
    }
    case 'lit':
    case 'lit-styled': {
      const m = document.createElement(kind === 'lit' ? 'min-el' : 'min-styled-el') as MinimalElement;
      m.text = '金卡';
      return m;
    }
    case 'badge':
    case 'badge-progress': {
      const b = document.createElement('tk-tier-badge') as TkTierBadge;
      b.data = badgeData;
      if (kind === 'badge-progress') b.showProgress = true;
      return b;
    }
  }
}

/** Creates, connects and renders `n` elements of `kind`, forces style + layout, returns the milliseconds. */
async function renderMany(kind: Kind, n: number): Promise<number> {
  const host = document.createElement('div');
  document.body.append(host);
  const start = performance.now();
  const els: Element[] = [];
  for (let i = 0; i < n; i++) els.push(create(kind));
  host.append(...els);
  if (kind !== 'span') await Promise.all(els.map((e) => (e as LitElement).updateComplete));
  void host.offsetHeight; // style and layout, so the cost of each shadow root's styles counts
  const ms = performance.now() - start;
  host.remove();
  return ms;
}

(window as unknown as { renderMany: typeof renderMany }).renderMany = renderMany;
