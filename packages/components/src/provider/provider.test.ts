import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../define.js';
import type { TkProvider } from './provider.component.js';
import type { TkErrorEvent } from '../common/events.js';
import { FixtureClient } from '../common/fixtures/fixture-client.js';
import { demoTiers, tiersC3 } from '../common/fixtures/tiers.js';
import { createClient, reuseToken } from '@tierkit/client';
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

/**
 * The API as the widgets meet it over HTTP, for a real `createClient`: a key rotation refuses every
 * token minted before it (401), a token minted after it reads C000003's tiers and benefits.
 */
function rotatedApi(refused: string, requests: string[]): typeof fetch {
  return async (input, init) => {
    const auth = new Headers(init?.headers).get('authorization') ?? '';
    const path = new URL(String(input)).pathname;
    requests.push(`${auth} ${path}`);
    const body = /\/tiers$/.test(path) ? tiersC3 : /\/entitlements$/.test(path) ? entitlementsC3 : undefined;
    if (!auth || auth === `Bearer ${refused}`)
      return Response.json({ type: 'https://tierkit.dev/problems/unauthorized', title: 'Unauthorized', status: 401 }, { status: 401 });
    return body ? Response.json(body) : new Response(null, { status: 404 });
  };
}
/** How many requests the page has sent to `base` since this call (resource timing: the browser's own count). */
function requestsTo(base: string): () => number {
  // The buffer fills (250 entries) with the test's own modules, after which nothing more is recorded.
  performance.clearResourceTimings();
  return () => performance.getEntriesByType('resource').filter((e) => e.name.startsWith(base)).length;
}
const signedOut = (el: Element) =>
  el.matches(":is(:state(error),[data-tk-state~='error'])") || !!el.shadowRoot?.querySelector('[data-reason=signed-out]');

describe('<tk-provider> reload() after a refused token', () => {
  it('with a client of its own (a reuseToken function): reload() after invalidate() reads again with a new token', async () => {
    const requests: string[] = [];
    let minted = 0;
    const embedToken = reuseToken(() => ({ token: `k${++minted}`, expiresAt: Date.now() + 15 * 60_000 }));
    const client = createClient({ baseUrl: 'https://tier.bank.example', token: () => embedToken(), fetch: rotatedApi('k1', requests) });
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" .client=${client}>
      <tk-tier-badge></tk-tier-badge><tk-entitlement-panel></tk-entitlement-panel></tk-provider>`);
    const widgets = [...root.children];
    await waitUntil(() => widgets.every(signedOut), 'both widgets say the session ended');
    expect(requests.every((r) => r.startsWith('Bearer k1 '))).to.equal(true);
    const refusedReads = requests.length;

    // What the 401 used to be answered with: a token on the provider, which its client never reads.
    root.token = 'k2';
    await root.updateComplete;
    await settled(widgets);
    expect(requests.length, 'a token on a provider with a client reads nothing').to.equal(refusedReads);

    embedToken.invalidate();
    root.reload();
    await waitUntil(() => !widgets.some(failed), 'every widget reads again and loads');
    expect(
      requests.slice(refusedReads).every((r) => r.startsWith('Bearer k2 ')),
      requests.join('\n'),
    ).to.equal(true);
    expect(minted).to.equal(2);
    expect(widgets[1]!.shadowRoot!.querySelector('[part~=item]')).to.not.equal(null);
  });

  it('with base-url and token: reload() reads every widget again', async () => {
    const base = `${location.origin}/tk-reload-${Math.random().toString(36).slice(2)}`;
    const sent = requestsTo(base);
    const root = await fixture<TkProvider>(html`<tk-provider base-url=${base} token="t1" subject="C000003" locale="en">
      <tk-tier-badge></tk-tier-badge><tk-entitlement-panel></tk-entitlement-panel></tk-provider>`);
    const widgets = [...root.children];
    // The test server answers 404 to these paths: the widgets settle on "unavailable".
    await waitUntil(() => widgets.every(failed) && sent() === 2, 'both reads answered');
    root.reload();
    await waitUntil(() => sent() === 4, 'both widgets read again');
  });
});

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
