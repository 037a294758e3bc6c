// A keyboard user presses "retry" after a widget failed to load. The button goes with the error, and
// focus must not fall to the page's start (WCAG 2.4.3): it lands in the retried widget — the badge
// itself, a block widget's heading. And only then: retry clicked while focus was elsewhere (a host's
// click(), a tap that focuses nothing) leaves focus where it was.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { TemplateResult } from 'lit';
import '../../packages/components/src/define.js';
import type { TkProvider, TkTierBadge } from '../../packages/components/src/index.js';
import { FixtureClient } from '../../packages/components/src/common/fixtures/fixture-client.js';
import { demoTiers } from '../../packages/components/src/common/fixtures/tiers.js';
import { entitlementsC3 } from '../../packages/components/src/common/fixtures/entitlements.js';
import { portfolio } from '../../packages/components/src/common/fixtures/matrix.js';
import { shortHistory } from '../../packages/components/src/common/fixtures/history.js';

/** The element that has focus, looked for through every open shadow root on the way. */
function deepActive(): Element | null {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

const describeEl = (el: Element | null) =>
  el ? `<${el.localName}${el.id ? `#${el.id}` : ''}${el.getAttribute('part') ? ` part=${el.getAttribute('part')}` : ''}>` : 'nothing';

const retryOf = (el: Element) => el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="retry"]');

/** A failing client (503: worth retrying) and `widget` under a provider, after a field the user starts in. */
async function failed(widget: TemplateResult, client: FixtureClient) {
  client.fail = true;
  const page = await fixture<HTMLElement>(html`<div>
    <input aria-label="Search" />
    <tk-provider .client=${client} subject="C000003" locale="en">${widget}</tk-provider>
  </div>`);
  const provider = page.querySelector<TkProvider>('tk-provider')!;
  const el = provider.firstElementChild as HTMLElement;
  await waitUntil(() => retryOf(el), 'the error with its retry button');
  return { page, el, input: page.querySelector('input')! };
}

/** From the field before the widget, Tab until the retry button has focus, as a keyboard user gets there. */
async function tabToRetry(input: HTMLInputElement, el: Element) {
  input.focus();
  for (let i = 0; i < 5 && deepActive() !== retryOf(el); i++) await sendKeys({ press: 'Tab' });
  expect(describeEl(deepActive()), 'focus before pressing retry').to.equal(describeEl(retryOf(el)));
}

describe('retry from the keyboard: tk-tier-badge', () => {
  it("keeps a visible focus ring round the retry button (the browser's own: the badge bundle has no bytes for a themed one)", async () => {
    const { el, input } = await failed(html`<tk-tier-badge></tk-tier-badge>`, new FixtureClient({ tiers: demoTiers }));
    await tabToRetry(input, el);
    const ring = getComputedStyle(retryOf(el)!);
    expect(ring.outlineStyle).to.not.equal('none');
    expect(Number.parseFloat(ring.outlineWidth)).to.be.greaterThan(0);
  });

  for (const [key, progress] of [
    ['Enter', false],
    ['Space', true],
  ] as const) {
    it(`keeps focus on the badge ${progress ? 'with progress ' : ''}when ${key} on retry takes the button away`, async () => {
      const client = new FixtureClient({ tiers: demoTiers });
      const { el, input } = await failed(html`<tk-tier-badge ?show-progress=${progress}></tk-tier-badge>`, client);
      const badge = el as TkTierBadge;
      // Focusable only once a retry gave it focus: a page of badges has no extra tab stops.
      expect(badge.hasAttribute('tabindex'), 'tabindex before any retry').to.equal(false);
      await tabToRetry(input, badge);
      client.fail = false;
      client.hold();
      await sendKeys({ press: key });
      await badge.updateComplete;
      const whileLoading = describeEl(deepActive());
      const loading = badge.matches(':state(loading)');
      // Released before asserting, so a failure never leaves the read hanging.
      client.release();
      expect(loading, 'the loading pill replaced the error and its button').to.equal(true);
      expect(whileLoading, 'focus while it loads again').to.equal('<tk-tier-badge>');
      await waitUntil(() => (progress ? badge.shadowRoot!.querySelector('[part~="level"]') : badge.matches(':state(gold)')), 'the level');
      expect(describeEl(deepActive()), 'focus once the level shows').to.equal('<tk-tier-badge>');
      // Out of the tab order still: Tab from the field goes past it.
      expect(badge.tabIndex).to.equal(-1);
      await expect(badge).to.be.accessible();
    });
  }

  it('keeps focus on the badge when the retry fails again, and Tab reaches the new retry button', async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const { el, input } = await failed(html`<tk-tier-badge></tk-tier-badge>`, client);
    await tabToRetry(input, el);
    const failedAgain = client.calls.length + 1;
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => client.calls.length === failedAgain && retryOf(el), 'the error again, with a new button');
    expect(describeEl(deepActive())).to.equal('<tk-tier-badge>');
    await sendKeys({ press: 'Tab' });
    expect(describeEl(deepActive())).to.equal(describeEl(retryOf(el)));
    await expect(el).to.be.accessible();
  });

  it('keeps a tab stop the page gave the badge when a retry takes focus', async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const { el, input } = await failed(html`<tk-tier-badge tabindex="0"></tk-tier-badge>`, client);
    // Tab lands on the badge itself first (the page made it a stop), then on its retry button.
    await tabToRetry(input, el);
    client.fail = false;
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.matches(':state(gold)'), 'the level');
    expect(describeEl(deepActive())).to.equal('<tk-tier-badge>');
    expect(el.getAttribute('tabindex'), "the page's tabindex").to.equal('0');
  });

  it('leaves focus where it is when retry is clicked without having focus', async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const { el, input } = await failed(html`<tk-tier-badge></tk-tier-badge>`, client);
    input.focus();
    client.fail = false;
    // A host's click(), or a tap that focuses nothing (iOS Safari).
    retryOf(el)!.click();
    await waitUntil(() => el.matches(':state(gold)'), 'the level');
    expect(describeEl(deepActive())).to.equal('<input>');
    expect(el.hasAttribute('tabindex'), 'tabindex').to.equal(false);
  });
});

const blocks: readonly [string, () => TemplateResult, () => FixtureClient, string][] = [
  [
    'tk-entitlement-panel',
    () => html`<tk-entitlement-panel></tk-entitlement-panel>`,
    () => new FixtureClient({ entitlements: { C000003: entitlementsC3 } }),
    '[part~="item"]',
  ],
  [
    'tk-risk-value-matrix',
    () => html`<tk-risk-value-matrix mode="portfolio"></tk-risk-value-matrix>`,
    () => new FixtureClient({ matrix: { 'risk-value': portfolio } }),
    '[part~="grid"]',
  ],
  [
    'tk-tier-timeline',
    () => html`<tk-tier-timeline></tk-tier-timeline>`,
    () => new FixtureClient({ tiers: demoTiers, events: { C000003: shortHistory } }),
    '[part~="event"]',
  ],
];

for (const [tag, widget, makeClient, loaded] of blocks) {
  describe(`retry from the keyboard: ${tag}`, () => {
    it('moves focus to the heading when Enter on retry takes the button away, and keeps it there', async () => {
      const client = makeClient();
      const { el, input } = await failed(widget(), client);
      await tabToRetry(input, el);
      client.fail = false;
      client.hold();
      await sendKeys({ press: 'Enter' });
      await (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
      const whileLoading = describeEl(deepActive());
      client.release();
      // Every block widget's heading is an h2, so a page's outline reads the same whichever it embeds.
      expect(whileLoading, 'focus while it loads again').to.equal('<h2#title part=title>');
      await waitUntil(() => el.shadowRoot!.querySelector(loaded), 'the loaded view');
      expect(describeEl(deepActive()), 'focus once loaded').to.equal(whileLoading);
      await expect(el).to.be.accessible();
    });

    it('leaves focus where it is when retry is clicked without having focus', async () => {
      const client = makeClient();
      const { el, input } = await failed(widget(), client);
      input.focus();
      client.fail = false;
      retryOf(el)!.click();
      await waitUntil(() => el.shadowRoot!.querySelector(loaded), 'the loaded view');
      expect(describeEl(deepActive())).to.equal('<input>');
    });
  });
}
