import { expect, fixture, html } from '@open-wc/testing';
import '../define.js';
import type { TkProvider } from '../provider/provider.component.js';
import { shortHistory } from './fixtures/history.js';
import { entitlementsC3 } from './fixtures/entitlements.js';
import { portfolio } from './fixtures/matrix.js';
import { sampleSchemes } from './fixtures/schemes.js';
import { tiersC3 } from './fixtures/tiers.js';

/*
 * WCAG 3.1.2, language of parts: a bank's English page (`<html lang="en">`) holding widgets whose
 * provider speaks Chinese. Axe cannot see it (each widget is in *a* language), a screen reader can:
 * without `lang` on the widget it reads 暂未评定等级 with an English voice.
 */
const TAGS = ['tk-tier-badge', 'tk-entitlement-panel', 'tk-risk-value-matrix', 'tk-tier-timeline'] as const;

async function page(locale: string, ownLang?: string) {
  const p = await fixture<TkProvider>(html`<tk-provider locale=${locale}>
    <tk-tier-badge lang=${ownLang ?? ''} .data=${{ assignment: tiersC3.assignments[0]!, metrics: tiersC3.metrics }}></tk-tier-badge>
    <tk-entitlement-panel lang=${ownLang ?? ''} .data=${entitlementsC3}></tk-entitlement-panel>
    <tk-risk-value-matrix lang=${ownLang ?? ''} .data=${portfolio}></tk-risk-value-matrix>
    <tk-tier-timeline lang=${ownLang ?? ''} .data=${shortHistory} .schemes=${sampleSchemes}></tk-tier-timeline>
  </tk-provider>`);
  const els = TAGS.map((t) => p.querySelector(t) as HTMLElement & { updateComplete: Promise<boolean> });
  await Promise.all(els.map((el) => el.updateComplete));
  return { p, els };
}
const langs = (els: readonly HTMLElement[]) => els.map((el) => [el.localName, el.getAttribute('lang')]);
const each = (tag: string) => TAGS.map((t) => [t, tag]);

describe('every widget says the language of its words (WCAG 3.1.2) on an English page', () => {
  const before = document.documentElement.lang;
  after(() => {
    document.documentElement.lang = before;
  });
  beforeEach(() => {
    document.documentElement.lang = 'en';
  });

  for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
    it(`a ${locale} provider's widgets carry lang="${locale}", shadow content included`, async () => {
      const { els } = await page(locale);
      expect(langs(els)).to.deep.equal(each(locale));
      for (const el of els) {
        // The shadow content's language is its host's: nothing inside says otherwise.
        expect(el.shadowRoot?.querySelector('[lang]'), el.localName).to.equal(null);
        await expect(el).to.be.accessible();
      }
    });
  }

  it('follows the provider when its locale changes, and the page when there is none', async () => {
    const { p, els } = await page('zh-CN');
    p.locale = 'zh-TW';
    await p.updateComplete;
    await Promise.all(els.map((el) => el.updateComplete));
    expect(langs(els)).to.deep.equal(each('zh-TW'));
    const bare = await fixture(html`<tk-tier-timeline .data=${shortHistory} .schemes=${sampleSchemes}></tk-tier-timeline>`);
    expect(bare.getAttribute('lang')).to.equal('en');
    document.documentElement.lang = 'zh-Hant-HK';
    await new Promise((r) => setTimeout(r));
    await (bare as HTMLElement & { updateComplete: Promise<boolean> }).updateComplete;
    expect(bare.getAttribute('lang')).to.equal('zh-Hant-HK');
  });

  it('leaves a lang the app set on the element itself, and reads its words', async () => {
    const { p, els } = await page('zh-CN', 'zh-HK');
    expect(langs(els)).to.deep.equal(each('zh-HK'));
    p.locale = 'en';
    await p.updateComplete;
    await Promise.all(els.map((el) => el.updateComplete));
    expect(langs(els)).to.deep.equal(each('zh-HK'));
    // A well-formed tag the app wrote in its own case stays as written.
    const own = await fixture(html`<tk-tier-timeline lang="zh-hk" .data=${shortHistory}></tk-tier-timeline>`);
    expect(own.getAttribute('lang')).to.equal('zh-hk');
  });

  it('says the words’ language, not the page’s, for a language the kit has no words in', async () => {
    document.documentElement.lang = 'fr';
    const el = await fixture(html`<tk-tier-timeline .data=${shortHistory}></tk-tier-timeline>`);
    expect(el.getAttribute('lang')).to.equal('en');
  });
});
