// Bundled into the benchmark page: the badge (registered), a minimal Lit element, and a runner that
// renders N of each kind and reports how long until they are rendered and laid out.
import { LitElement, html } from 'lit';
import '../../packages/components/src/tier-badge/tier-badge.js';
import type { TkTierBadge } from '../../packages/components/src/tier-badge/tier-badge.component.js';
import { tiersC3 } from '../../packages/components/src/shared/fixtures/tiers.js';

class MinimalElement extends LitElement {
  static override properties = { text: {} };
  text = '';
  protected override render() {
    return html`<span>${this.text}</span>`;
  }
}
customElements.define('min-el', MinimalElement);

const badgeData = { assignment: tiersC3.assignments[0]!, metrics: tiersC3.metrics };
type Kind = 'span' | 'lit' | 'badge';

async function renderMany(kind: Kind, n: number): Promise<number> {
  const host = document.createElement('div');
  document.body.append(host);
  const start = performance.now();
  const els: Element[] = [];
  for (let i = 0; i < n; i++) {
    if (kind === 'span') {
      const s = document.createElement('span');
      s.textContent = '金卡';
      els.push(s);
    } else if (kind === 'lit') {
      const m = document.createElement('min-el') as MinimalElement;
      m.text = '金卡';
      els.push(m);
    } else {
      const b = document.createElement('tk-tier-badge') as TkTierBadge;
      b.lang = 'zh-CN';
      b.data = badgeData;
      els.push(b);
    }
  }
  host.append(...els);
  if (kind !== 'span') await Promise.all(els.map((e) => (e as LitElement).updateComplete));
  void host.offsetHeight; // force style and layout so the cost of the shadow DOM counts
  const ms = performance.now() - start;
  host.remove();
  return ms;
}

(window as unknown as { renderMany: typeof renderMany }).renderMany = renderMany;
