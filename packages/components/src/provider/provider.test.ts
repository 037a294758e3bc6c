import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../define.js';
import type { TkProvider } from './provider.component.js';
import type { TkErrorEvent } from '../common/events.js';
import { FixtureClient } from '../common/fixtures/fixture-client.js';
import { demoTiers } from '../common/fixtures/tiers.js';
import { entitlementsC3 } from '../common/fixtures/entitlements.js';
import { shortHistory } from '../common/fixtures/history.js';

const data = { tiers: demoTiers, entitlements: { C000003: entitlementsC3 }, events: { C000003: shortHistory } };
/** A client whose every read is refused as an expired token's. */
function expired(): FixtureClient {
  const client = new FixtureClient(data);
  client.fail = true;
  client.failStatus = 401;
  return client;
}
const failed = (el: Element) =>
  el.matches(":is(:state(error),[data-tk-state~='error'])") || !!el.shadowRoot?.querySelector('[part~="error"]');
const settled = (els: Element[]) => Promise.all(els.map((el) => (el as Element & { updateComplete: Promise<unknown> }).updateComplete));

describe('<tk-provider> when its token expires', () => {
  it('every widget’s 401 reaches the host, and the README’s recovery mints one token for them all', async () => {
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en">
      <tk-tier-badge scheme="retail-tier"></tk-tier-badge><tk-tier-badge scheme="star-rating"></tk-tier-badge>
      <tk-entitlement-panel></tk-entitlement-panel><tk-tier-timeline></tk-tier-timeline></tk-provider>`);
    const widgets = [...root.children];
    const heard: TkErrorEvent[] = [];
    let mints = 0;
    let release: () => void = () => undefined;
    // The README's host-side recovery: one mint at a time, whichever widget's 401 comes first.
    let minting: Promise<void> | undefined;
    root.addEventListener('tk-error', (e) => {
      heard.push(e);
      if ((e.error as { status?: number } | null)?.status !== 401 || minting) return;
      mints++;
      minting = new Promise<void>((r) => {
        release = r;
      })
        .then(() => {
          root.client = new FixtureClient(data);
        })
        .finally(() => {
          minting = undefined;
        });
    });
    const refused = expired();
    root.client = refused;
    await waitUntil(() => widgets.every(failed), 'every widget shows its error');
    await settled(widgets);
    expect(new Set(heard.map((e) => e.target)).size, 'every widget told the host').to.equal(widgets.length);
    for (const el of widgets.slice(2)) expect(el.shadowRoot!.querySelector('[data-reason=signed-out]'), el.localName).to.not.equal(null);
    release();
    await waitUntil(() => !widgets.some(failed), 'every widget reloads with the new token');
    expect(mints).to.equal(1);
  });

  it('every widget still reports a failure worth a retry (503) itself', async () => {
    const client = new FixtureClient(data);
    client.fail = true;
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en">
      <tk-tier-badge scheme="retail-tier"></tk-tier-badge><tk-entitlement-panel></tk-entitlement-panel></tk-provider>`);
    const heard: TkErrorEvent[] = [];
    root.addEventListener('tk-error', (e) => heard.push(e));
    root.client = client;
    await waitUntil(() => new Set(heard.map((e) => e.target)).size === 2, 'both widgets’ errors');
  });
});

/** How many requests the page has sent to `base` since this call (resource timing: the browser's own count). */
function requestsTo(base: string): () => number {
  // The buffer fills (250 entries) with the test's own modules, after which nothing more is recorded.
  performance.clearResourceTimings();
  return () => performance.getEntriesByType('resource').filter((e) => e.name.startsWith(base)).length;
}

describe('<tk-provider> with base-url but no token yet', () => {
  it('sends nothing and shows loading, without an alert, until the token is set', async () => {
    const base = `${location.origin}/tk-wait-${Math.random().toString(36).slice(2)}`;
    const sent = requestsTo(base);
    const heard: TkErrorEvent[] = [];
    const root =
      await fixture<TkProvider>(html`<tk-provider base-url=${base} subject="C000003" locale="en" @tk-error=${(e: TkErrorEvent) => heard.push(e)}>
      <tk-tier-badge></tk-tier-badge><tk-entitlement-panel></tk-entitlement-panel><tk-tier-timeline></tk-tier-timeline></tk-provider>`);
    const widgets = [...root.children];
    await settled(widgets);
    await new Promise((r) => setTimeout(r, 300));
    expect(sent(), 'requests without a credential').to.equal(0);
    expect(heard).to.have.length(0);
    expect(widgets.some(failed)).to.equal(false);
    for (const el of widgets) expect(el.shadowRoot!.querySelector('[role=alert]'), el.localName).to.equal(null);
    for (const el of widgets.slice(1)) expect(el.shadowRoot!.querySelector('[part~=loading]'), el.localName).to.not.equal(null);
    expect(widgets[0]!.matches(":is(:state(loading),[data-tk-state~='loading'])")).to.equal(true);

    root.token = 'minted-by-the-backend';
    // The test server answers 404 to these paths: what matters is that the reads now go out.
    await waitUntil(() => sent() === 3 && widgets.every(failed), 'every widget reads once the token is set');
  });
});
