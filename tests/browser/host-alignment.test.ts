// A portal team drops the widgets into a fresh Vite app, whose starter stylesheet centres its root
// (`#app { text-align: center }`): the widgets' headings, source lines and reasons must still start
// where their items do, at a phone's width and a desktop's, in every locale.
import { expect, fixture, fixtureCleanup, html, waitUntil } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import type { TemplateResult } from 'lit';
import '../../packages/components/src/define.js';
import type { TierBadgeData } from '../../packages/components/src/index.js';
import { tiersC3 } from '../../packages/components/src/common/fixtures/tiers.js';
import { entitlementsC3 } from '../../packages/components/src/common/fixtures/entitlements.js';
import { customerDropHistory } from '../../packages/components/src/common/fixtures/history.js';
import { portfolio } from '../../packages/components/src/common/fixtures/matrix.js';
import { sampleSchemes } from '../../packages/components/src/common/fixtures/schemes.js';

const LOCALES = ['zh-CN', 'zh-TW', 'en'] as const;
const WIDTHS = [320, 1280] as const;
const badgeData: TierBadgeData = { assignment: tiersC3.assignments[0]!, metrics: tiersC3.metrics };

/** Mounts `widget` inside a centred root like Vite's `#app`, and waits until `selector` is in its shadow root. */
async function centred(widget: TemplateResult, selector: string): Promise<HTMLElement[]> {
  fixtureCleanup();
  const app = await fixture<HTMLElement>(html`<div id="app" style="text-align: center">${widget}</div>`);
  const el = app.firstElementChild as HTMLElement;
  await waitUntil(() => el.shadowRoot?.querySelector(selector), `${el.localName} renders ${selector}`);
  // A timeline measures its rows a frame after rendering; let it settle before reading the layout.
  await new Promise((r) => setTimeout(r, 30));
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>(selector)];
}

/** How far the first line of `el`'s text starts from its content box's start edge, in px. */
function textIndent(el: HTMLElement): number {
  const range = document.createRange();
  range.selectNodeContents(el);
  const first = range.getClientRects()[0];
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return (first?.left ?? Number.NaN) - (box.left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth));
}

/** Each element aligned to the start, as its style says and where its text is drawn. */
function expectStart(elements: readonly HTMLElement[], what: string): void {
  expect(elements.length, `${what}: found`).to.be.greaterThan(0);
  for (const e of elements) {
    expect(getComputedStyle(e).textAlign, `${what}: ${e.textContent}`).to.equal('start');
    expect(textIndent(e), `${what}: ${e.textContent} starts at its box's start`).to.be.closeTo(0, 1);
  }
}

// One widget on the page at a time, and none left when the viewport changes: a timeline resized under
// a test's feet reports a ResizeObserver loop, a failure of no concern here.
describe('widgets inside a page that centres its text', () => {
  after(() => setViewport({ width: 800, height: 600 }));

  it("the entitlement panel's heading, group headings and 「来自客户等级」 lines start where its items do", async () => {
    for (const width of WIDTHS) {
      fixtureCleanup();
      await setViewport({ width, height: 800 });
      for (const locale of LOCALES) {
        const [panel] = await centred(
          html`<tk-entitlement-panel lang=${locale} .data=${entitlementsC3} .tiers=${tiersC3}></tk-entitlement-panel>`,
          '[part~="base"]',
        );
        const where = `${locale} at ${width} px`;
        expectStart([...panel!.querySelectorAll<HTMLElement>('h2, h3')], `${where}: headings`);
        expectStart([...panel!.querySelectorAll<HTMLElement>('.source')], `${where}: source lines`);
      }
    }
  });

  it("the timeline's heading and a customer's downgrade reason start at the row's start", async () => {
    for (const width of WIDTHS) {
      fixtureCleanup();
      await setViewport({ width, height: 800 });
      for (const locale of LOCALES) {
        const [why] = await centred(
          html`<tk-tier-timeline lang=${locale} .data=${customerDropHistory} .schemes=${sampleSchemes}></tk-tier-timeline>`,
          '[part~="why"]',
        );
        const where = `${locale} at ${width} px`;
        expectStart([why!], `${where}: reason`);
        expectStart([...(why!.getRootNode() as ShadowRoot).querySelectorAll<HTMLElement>('h2')], `${where}: heading`);
      }
    }
  });

  it("the matrix's cells and the badge's progress sentence do not take the page's centring", async () => {
    const cells = await centred(
      html`<tk-risk-value-matrix lang="en" .data=${portfolio} .schemes=${sampleSchemes}></tk-risk-value-matrix>`,
      '[role="gridcell"] .level',
    );
    expectStart(cells, 'matrix cell levels');
    for (const locale of LOCALES) {
      const gap = await centred(html`<tk-tier-badge lang=${locale} show-progress .data=${badgeData}></tk-tier-badge>`, '[part~="gap"]');
      expectStart(gap, `${locale}: badge progress sentence`);
    }
  });
});
