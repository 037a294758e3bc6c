import { expect, fixture, html } from '@open-wc/testing';
import { Analytics } from '@tierkit/admin';
import { StoreController } from '@tierkit/admin/lit';
import type { HttpTierkitClient } from '@tierkit/client';
import { LitElement } from 'lit';

/*
 * What the analytics page relies on from its store through the Lit adapter: each chart's part renders
 * as soon as its own answer is in, one failing read leaves the others on screen, and an answer to a
 * range nobody looks at any more never replaces the current one. The transport is a stand-in whose
 * answers the test releases one by one.
 */

interface Pending {
  readonly path: string;
  resolve(body: unknown): void;
  reject(err: unknown): void;
}

function stubClient(): { client: Pick<HttpTierkitClient, 'http' | 'invalidate'>; pending: Pending[] } {
  const pending: Pending[] = [];
  const get = <T>(path: string, o?: { signal?: AbortSignal }) =>
    new Promise<T>((resolve, reject) => {
      o?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      pending.push({ path, resolve: resolve as (b: unknown) => void, reject });
    });
  const http = { get, send: () => Promise.reject(new Error('no writes')), fetch: () => Promise.reject(new Error('no fetch')) };
  return { client: { http: http as HttpTierkitClient['http'], invalidate: () => undefined }, pending };
}

const take = (pending: Pending[], part: string, from: string) => {
  const i = pending.findIndex((p) => p.path.includes(`/v1/analytics/${part}?`) && p.path.includes(`from=${from}`));
  if (i < 0) throw new Error(`no pending ${part} from ${from}: ${pending.map((p) => p.path).join(', ')}`);
  return pending.splice(i, 1)[0] as Pending;
};

const distribution = (from: string) => ({
  scheme: 'retail-tier',
  periods: [from],
  levels: ['gold'],
  series: [{ level: 'gold', counts: [4] }],
  totals: [4],
});
const rates = {
  scheme: 'retail-tier',
  periods: ['2025-10'],
  base: [4],
  upgrades: [1],
  downgrades: [0],
  unranked: [0],
  entered: [0],
  upgradeRate: [0.25],
  downgradeRate: [0],
};

let stub = stubClient();

class AnalyticsView extends LitElement {
  readonly analytics = new StoreController(this, new Analytics(stub.client));
  override render() {
    const s = this.analytics.state;
    return html`<output>${s.distribution.status}:${s.distribution.data?.periods[0] ?? '-'}|${s.migration.status}|${s.rates.status}:${s.rates.error?.status ?? '-'}</output>`;
  }
}
customElements.define('kit-analytics-view', AnalyticsView);

const text = (el: AnalyticsView) => el.shadowRoot?.querySelector('output')?.textContent;
const settle = async (el: AnalyticsView) => {
  await new Promise((r) => setTimeout(r, 0));
  await el.updateComplete;
};

describe('Analytics through StoreController', () => {
  beforeEach(() => {
    stub = stubClient();
  });

  it('each part shows as its answer arrives; a failing part leaves the others', async () => {
    const el = await fixture<AnalyticsView>(html`<kit-analytics-view></kit-analytics-view>`);
    const done = el.analytics.store.setRange({ scheme: 'retail-tier', from: '2025-08', to: '2025-10' });
    await settle(el);
    expect(text(el)).to.equal('loading:-|loading|loading:-');
    take(stub.pending, 'distribution', '2025-08').resolve(distribution('2025-08'));
    await settle(el);
    expect(text(el)).to.equal('ready:2025-08|loading|loading:-');
    take(stub.pending, 'rates', '2025-08').reject({
      problem: { status: 400, title: 'Invalid request', type: 'https://tierkit.dev/problems/validation' },
    });
    await settle(el);
    expect(text(el)).to.equal('ready:2025-08|loading|error:400');
    take(stub.pending, 'migration', '2025-08').reject({ problem: { status: 404, title: 'No scheme' } });
    await done;
    await settle(el);
    expect(text(el)).to.equal('ready:2025-08|error|error:400');
  });

  it('a newer range replaces the older: the older answers, however late, are not shown', async () => {
    const el = await fixture<AnalyticsView>(html`<kit-analytics-view></kit-analytics-view>`);
    const older = el.analytics.store.setRange({ scheme: 'retail-tier', from: '2025-01', to: '2025-10' });
    const newer = el.analytics.store.setRange({ scheme: 'retail-tier', from: '2025-08', to: '2025-10' });
    for (const part of ['distribution', 'migration', 'rates'])
      take(stub.pending, part, '2025-08').resolve(part === 'rates' ? rates : distribution('2025-08'));
    await newer;
    await older;
    await settle(el);
    expect(text(el)).to.equal('ready:2025-08|ready|ready:-');
    expect(stub.pending.filter((p) => p.path.includes('from=2025-01'))).to.have.length(3, 'asked, then cancelled');
    for (const p of stub.pending) p.resolve(distribution('2025-01'));
    await settle(el);
    expect(text(el)).to.equal('ready:2025-08|ready|ready:-');
  });
});
