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

describe('<tk-provider> when its token expires', () => {
  it('the host hears one 401 per token, on the provider and the document alike, and every widget still shows its own state', async () => {
    const onDocument: TkErrorEvent[] = [];
    const listen = (e: Event) => onDocument.push(e as TkErrorEvent);
    document.addEventListener('tk-error', listen);
    try {
      const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en">
        <tk-tier-badge scheme="retail-tier"></tk-tier-badge><tk-tier-badge scheme="star-rating"></tk-tier-badge>
        <tk-entitlement-panel></tk-entitlement-panel><tk-tier-timeline></tk-tier-timeline></tk-provider>`);
      const onProvider: TkErrorEvent[] = [];
      root.addEventListener('tk-error', (e) => onProvider.push(e));
      const widgets = [...root.children];
      /** Sets a client whose token is refused and waits until every widget has been refused by it. */
      const refuse = async () => {
        const client = expired();
        root.client = client;
        // Both badges read the tiers, the panel the entitlements and tiers, the timeline its history.
        await waitUntil(() => client.calls.length >= 5 && widgets.every(failed), 'every widget shows its error');
        await new Promise((r) => setTimeout(r, 20));
      };
      await refuse();
      expect(onProvider.length).to.equal(1);
      expect((onProvider[0]!.error as { status: number }).status).to.equal(401);
      for (const el of widgets.slice(2)) expect(el.shadowRoot!.querySelector('[data-reason=signed-out]'), el.localName).to.not.equal(null);
      // The host's recovery gives a new token (a new client); refused too, it is heard once more.
      await refuse();
      expect(onProvider.length).to.equal(2);
      expect(onDocument.length).to.equal(2);
    } finally {
      document.removeEventListener('tk-error', listen);
    }
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
