// A portal team re-brands the widgets from its own stylesheet, outside the shadow roots: level colours
// through --tk-* custom properties, the badge's pill as the element itself, any named part through
// ::part(), and light/dark from the provider.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../packages/components/src/define.js';
import type { TkTierBadge, TierBadgeData } from '../../packages/components/src/index.js';
import { demoTiers, tiersC3 } from '../../packages/components/src/common/fixtures/tiers.js';
import { entitlementsC3 } from '../../packages/components/src/common/fixtures/entitlements.js';
import { makeHistory } from '../../packages/components/src/common/fixtures/history.js';
import { FixtureClient } from '../../packages/components/src/common/fixtures/fixture-client.js';

const data: TierBadgeData = { assignment: tiersC3.assignments[0]!, metrics: tiersC3.metrics };

/** A host stylesheet, as a portal's own CSS file would be: document-level, not inside any shadow root. */
function hostStyles(css: string): () => void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  return () => (document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== sheet));
}

/** The pill: the badge itself, or with progress its `level` part. */
async function pillOf(el: TkTierBadge): Promise<HTMLElement> {
  await el.updateComplete;
  await waitUntil(() => el.matches(':state(pill)') || el.shadowRoot?.querySelector('[part~="level"]'), 'the level pill renders');
  return el.shadowRoot!.querySelector<HTMLElement>('[part~="level"]') ?? el;
}

describe('theming from the host page', () => {
  it('a bank re-brands a level colour with a --tk-level-* custom property', async () => {
    const before = getComputedStyle(
      await pillOf(await fixture<TkTierBadge>(html`<tk-tier-badge lang="zh-CN" .data=${data}></tk-tier-badge>`)),
    ).backgroundColor;
    const undo = hostStyles('.brand { --tk-level-gold: rgb(1, 2, 3); --tk-level-gold-text: rgb(250, 250, 250); }');
    try {
      const el = await fixture<TkTierBadge>(html`<div class="brand"><tk-tier-badge lang="zh-CN" .data=${data}></tk-tier-badge></div>`);
      const pill = await pillOf(el.querySelector('tk-tier-badge')!);
      expect(getComputedStyle(pill).backgroundColor).to.equal('rgb(1, 2, 3)');
      expect(getComputedStyle(pill).color).to.equal('rgb(250, 250, 250)');
      expect(before).to.not.equal('rgb(1, 2, 3)');
    } finally {
      undo();
    }
  });

  it('a bank restyles the pill as the element itself, one colour by its state, and the progress pill with ::part()', async () => {
    const undo = hostStyles(`
      tk-tier-badge.square, tk-tier-badge.square::part(level) { border-radius: 0px; font-weight: 900; }
      tk-tier-badge:state(gold) { color: rgb(1, 1, 1); }`);
    try {
      const plain = await pillOf(
        await fixture<TkTierBadge>(html`<tk-tier-badge class="square" lang="zh-CN" .data=${data}></tk-tier-badge>`),
      );
      const withProgress = await pillOf(
        await fixture<TkTierBadge>(html`<tk-tier-badge class="square" show-progress lang="zh-CN" .data=${data}></tk-tier-badge>`),
      );
      expect(withProgress.localName).to.equal('span');
      for (const pill of [plain, withProgress]) {
        expect(getComputedStyle(pill).borderTopLeftRadius).to.equal('0px');
        expect(getComputedStyle(pill).fontWeight).to.equal('900');
      }
      // The page's unlayered rule wins over the built-in `@layer tierkit` colour.
      expect(getComputedStyle(plain).color).to.equal('rgb(1, 1, 1)');
    } finally {
      undo();
    }
  });

  it('a page that layers its own CSS keeps its layers on top by declaring tierkit first', async () => {
    // A page's own <style> comes before every adopted sheet, so its layers are declared first — and
    // the first-declared layer loses — unless it names tierkit before them.
    const radiusWith = async (css: string) => {
      const style = document.createElement('style');
      style.textContent = css;
      document.head.append(style);
      try {
        const pill = await pillOf(await fixture<TkTierBadge>(html`<tk-tier-badge lang="zh-CN" .data=${data}></tk-tier-badge>`));
        return getComputedStyle(pill).borderTopLeftRadius;
      } finally {
        style.remove();
      }
    };
    expect(await radiusWith('@layer portal { tk-tier-badge { border-radius: 3px; } }')).to.equal('999px');
    expect(await radiusWith('@layer tierkit, portal; @layer portal { tk-tier-badge { border-radius: 3px; } }')).to.equal('3px');
  });

  it('the provider’s dark theme reaches the widgets inside it, and the host can still override it', async () => {
    const surface = (root: Element) => getComputedStyle(root.querySelector('tk-entitlement-panel')!).backgroundColor;
    const light = await fixture(
      html`<div><tk-provider theme="light"><tk-entitlement-panel lang="zh-CN" .data=${entitlementsC3}></tk-entitlement-panel></tk-provider></div>`,
    );
    const dark = await fixture(
      html`<div><tk-provider theme="dark"><tk-entitlement-panel lang="zh-CN" .data=${entitlementsC3}></tk-entitlement-panel></tk-provider></div>`,
    );
    await (dark.querySelector('tk-provider') as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    expect(surface(light)).to.equal('rgb(255, 255, 255)');
    expect(surface(dark)).to.equal('rgb(13, 17, 23)');
    const undo = hostStyles('.night tk-provider { --tk-color-surface: rgb(9, 9, 9); }');
    try {
      dark.classList.add('night');
      expect(surface(dark)).to.equal('rgb(9, 9, 9)');
    } finally {
      undo();
    }
  });

  it('a --tk-* token on any ancestor (body) reaches the widgets inside a light provider', async () => {
    const undo = hostStyles(
      'body { --tk-color-accent: rgb(1, 2, 3); --tk-color-surface: rgb(250, 250, 240); --tk-level-gold: rgb(4, 5, 6); }',
    );
    try {
      for (const theme of ['light', 'auto']) {
        const root = await fixture(html`<div><tk-provider theme=${theme} locale="zh-CN">
          <tk-entitlement-panel .data=${entitlementsC3}></tk-entitlement-panel><tk-tier-badge .data=${data}></tk-tier-badge></tk-provider></div>`);
        const panel = root.querySelector('tk-entitlement-panel')!;
        await (panel as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
        expect(getComputedStyle(panel).getPropertyValue('--_accent').trim(), theme).to.equal('rgb(1, 2, 3)');
        expect(getComputedStyle(panel).backgroundColor, theme).to.equal('rgb(250, 250, 240)');
        expect(getComputedStyle(await pillOf(root.querySelector('tk-tier-badge')!)).backgroundColor, theme).to.equal('rgb(4, 5, 6)');
      }
    } finally {
      undo();
    }
  });

  describe('a brand colour in the dark theme (README, "Theming")', () => {
    // A timeline with a later page (its "load more" is accent text on the surface), and a panel whose
    // read failed (its retry button is accent-text on the accent).
    const page = async () => {
      const ok = new FixtureClient({ tiers: demoTiers, events: { C000003: makeHistory(120) } });
      const down = new FixtureClient({});
      down.fail = true;
      const root = await fixture(html`<main><h1>Tiers</h1>
        <tk-provider theme="dark" subject="C000003" locale="zh-CN" .client=${ok}><tk-tier-timeline page-size="20"></tk-tier-timeline></tk-provider>
        <tk-provider theme="dark" subject="C000003" locale="zh-CN" .client=${down}><tk-entitlement-panel></tk-entitlement-panel></tk-provider></main>`);
      const [timeline, panel] = [root.querySelector('tk-tier-timeline')!, root.querySelector('tk-entitlement-panel')!];
      await waitUntil(
        () => timeline.shadowRoot?.querySelector('[part~=load-more]') && panel.shadowRoot?.querySelector('[part~=retry]'),
        'the load-more and retry buttons',
      );
      return root;
    };
    const brand = 'body { --tk-color-accent: #a4161a; --tk-color-focus: #a4161a; }';

    it('passes axe with the dark values given on tk-provider[theme=dark]', async () => {
      const undo = hostStyles(
        `${brand} tk-provider[theme=dark] { --tk-color-accent: #ff8a80; --tk-color-focus: #ff8a80; --tk-color-accent-text: #0d1117; }`,
      );
      try {
        await expect(await page()).to.be.accessible();
      } finally {
        undo();
      }
    });

    it('a brand given only on tk-provider (the light value in dark) fails colour contrast: why the README gives the dark rule', async () => {
      const undo = hostStyles('tk-provider { --tk-color-accent: #a4161a; --tk-color-focus: #a4161a; }');
      try {
        await expect(await page()).not.to.be.accessible();
      } finally {
        undo();
      }
    });
  });
});
