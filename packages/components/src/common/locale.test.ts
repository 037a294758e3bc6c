import { expect, fixture, html } from '@open-wc/testing';
import '../provider/provider.js';
import '../tier-timeline/tier-timeline.js';
import '../tier-badge/tier-badge.js';
import type { TkTierTimeline } from '../tier-timeline/tier-timeline.component.js';
import type { TkTierBadge } from '../tier-badge/tier-badge.component.js';
import { shortHistory } from './fixtures/history.js';
import { retailTier, sampleSchemes } from './fixtures/schemes.js';
import { assignment } from './fixtures/tiers.js';
import type { ProgressPath } from '@tierkit/core';
import { resolveLocale } from './locale.js';
import type { TermOverrides } from './term-overrides.js';

const shadow = (el: HTMLElement) => el.shadowRoot as ShadowRoot;
const firstDate = (el: HTMLElement) => shadow(el).querySelector('li.event time')?.textContent;
const title = (el: HTMLElement) => shadow(el).querySelector('h2')?.textContent;
// The first change of shortHistory (2025-03-31T16:30Z, 1 April in Shanghai) as Intl writes it for `tag`.
const asIntl = (tag: string) =>
  new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeZone: 'Asia/Shanghai' }).format(Date.parse('2025-03-31T16:30:00Z'));

async function timeline(lang: string) {
  const el = await fixture<TkTierTimeline>(
    html`<tk-tier-timeline lang=${lang} .data=${shortHistory} .schemes=${sampleSchemes}></tk-tier-timeline>`,
  );
  await el.updateComplete;
  return el;
}

describe('a regional tag: its language’s words, its own dates', () => {
  it('en-GB dates day first in English words; en stays US', async () => {
    const gb = await timeline('en-GB');
    expect(firstDate(gb)).to.equal('1 Apr 2025');
    expect(title(gb)).to.equal('Tier history');
    expect(firstDate(await timeline('en'))).to.equal('Apr 1, 2025');
  });

  it('zh-HK and zh-MO read Traditional words with their own formats, zh-SG Simplified', async () => {
    for (const tag of ['zh-HK', 'zh-MO']) {
      const el = await timeline(tag);
      expect(title(el), tag).to.equal('等級變動紀錄');
      expect(firstDate(el), tag).to.equal(asIntl(tag));
    }
    const sg = await timeline('zh-SG');
    expect(title(sg)).to.equal('等级变动记录');
    expect(firstDate(sg)).to.equal(asIntl('zh-SG'));
  });

  it('takes the provider’s regional locale when the widget has no lang of its own', async () => {
    const p = await fixture(
      html`<tk-provider locale="en-GB"><tk-tier-timeline .data=${shortHistory} .schemes=${sampleSchemes}></tk-tier-timeline></tk-provider>`,
    );
    const el = p.querySelector('tk-tier-timeline') as TkTierTimeline;
    await el.updateComplete;
    expect(firstDate(el)).to.equal('1 Apr 2025');
  });

  it('formats another language, or a malformed tag, in the words’ locale rather than throwing', () => {
    expect(resolveLocale('fr-FR')).to.deep.equal(['en', 'en']);
    expect(resolveLocale('en_GB')).to.deep.equal(['en', 'en']);
    expect(resolveLocale('zh-hk')).to.deep.equal(['zh-TW', 'zh-HK']);
    expect(resolveLocale('zh-Hans-SG')).to.deep.equal(['zh-CN', 'zh-Hans-SG']);
    expect(resolveLocale('')).to.deep.equal(['en', 'en']);
  });

  it('a hostile or huge tag renders English rather than throwing out of the render', async () => {
    // Names an object's own members: a tag like any other, not a lookup into a prototype.
    for (const tag of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(resolveLocale(tag), tag).to.deep.equal(['en', 'en']);
      expect(title(await timeline(tag)), tag).to.equal('Tier history');
    }
    // 10 KB: a subtag Intl refuses with a RangeError, and a well-formed private-use tail it accepts.
    const refused = `en-${'a'.repeat(10_000)}`;
    expect(resolveLocale(refused)).to.deep.equal(['en', 'en']);
    expect(firstDate(await timeline(refused))).to.equal('Apr 1, 2025');
    const long = `en-GB-x-${'abcdefgh-'.repeat(1_100)}z`;
    expect(resolveLocale(long)[0]).to.equal('en');
    expect(firstDate(await timeline(long))).to.equal('1 Apr 2025');
  });
});

describe('a bank’s own words (tk-provider `terms`)', () => {
  const terms: TermOverrides = {
    'zh-TW': { timeline: { title: '等級異動' }, badge: { none: '尚無等級。' } },
    'zh-HK': { timeline: { title: '等級紀錄（香港）' } },
  };

  it('puts a locale’s words over the kit’s, and a regional tag’s over its locale’s', async () => {
    const p = await fixture(html`<tk-provider .terms=${terms}>
      <tk-tier-timeline lang="zh-TW" .data=${shortHistory}></tk-tier-timeline>
      <tk-tier-timeline lang="zh-HK" .data=${shortHistory}></tk-tier-timeline>
      <tk-tier-timeline lang="zh-CN" .data=${shortHistory}></tk-tier-timeline>
      <tk-tier-badge lang="zh-HK" scheme="none-such" .data=${{ assignment: { scheme: 'retail-tier' }, metrics: [] }}></tk-tier-badge>
    </tk-provider>`);
    const [tw, hk, cn] = [...p.querySelectorAll<TkTierTimeline>('tk-tier-timeline')];
    const badge = p.querySelector('tk-tier-badge') as TkTierBadge;
    await Promise.all([tw!.updateComplete, hk!.updateComplete, cn!.updateComplete, badge.updateComplete]);
    expect(title(tw!)).to.equal('等級異動');
    expect(title(hk!)).to.equal('等級紀錄（香港）');
    // Words nobody overrode stay the kit's, and a locale nobody overrode is untouched.
    expect(shadow(hk!).textContent).to.contain('已載入 6 筆紀錄');
    expect(title(cn!)).to.equal('等级变动记录');
    // zh-HK has no badge words of its own: zh-TW's apply to it.
    expect(shadow(badge).textContent).to.equal('尚無等級。');
  });

  it('reaches a page tagged with its region’s usual script: zh-Hant-HK reads zh-HK’s words, zh-Hans-SG zh-SG’s', async () => {
    const regional: TermOverrides = {
      'zh-TW': { timeline: { title: '等級異動' } },
      'zh-HK': { timeline: { title: '等級紀錄（香港）' } },
      'zh-SG': { timeline: { title: '等级记录（新加坡）' } },
      'zh-Hant-MO': { timeline: { title: '等級紀錄（澳門）' } },
    };
    const cases: readonly (readonly [tag: string, title: string])[] = [
      ['zh-Hant-HK', '等級紀錄（香港）'],
      ['ZH-hant-hk', '等級紀錄（香港）'],
      ['zh-HK', '等級紀錄（香港）'],
      ['zh-Hans-SG', '等级记录（新加坡）'],
      ['zh-sg', '等级记录（新加坡）'],
      // The tag's own key wins over the one it equals; Macao keyed with its script still reaches it.
      ['zh-Hant-MO', '等級紀錄（澳門）'],
      // Simplified in Hong Kong is not Hong Kong's Traditional words: the Simplified kit's.
      ['zh-Hans-HK', '等级变动记录'],
      // Traditional in Singapore: Taiwan's words, not Singapore's Simplified ones.
      ['zh-Hant-SG', '等級異動'],
      ['zh-Hant', '等級異動'],
      // Odd and hostile tags reach nobody's regional words, and never throw.
      ['zh-Hant-HK-u-nu-hanidec', '等級異動'],
      ['zh-Hant-', '等級異動'],
      ['zh-Hant-HK-Hant-HK', '等級異動'],
      ['zh-__proto__', '等级变动记录'],
      ['zh-Hans-constructor', '等级变动记录'],
      [`zh-Hant-${'HK-'.repeat(2_000)}HK`, '等級異動'],
    ];
    const p = await fixture(html`<tk-provider .terms=${regional}>
      ${cases.map(([tag]) => html`<tk-tier-timeline lang=${tag} .data=${shortHistory}></tk-tier-timeline>`)}
    </tk-provider>`);
    const els = [...p.querySelectorAll<TkTierTimeline>('tk-tier-timeline')];
    await Promise.all(els.map((el) => el.updateComplete));
    expect(els.map((el) => [el.lang, title(el)])).to.deep.equal(cases.map(([tag, t]) => [tag, t]));
  });

  it('overrides core’s progress words too: 积分 for 分, in a locale or a region', async () => {
    const score: ProgressPath = { metric: '@score', window: null, unit: 'score', current: 60, required: 75, gap: 15 };
    const data = { assignment: assignment(retailTier, 'gold', [score]), metrics: [] };
    const own: TermOverrides = {
      'zh-CN': { progress: { points: (n) => `${n} 积分` } },
      'zh-HK': { progress: { points: (n) => `${n} 積分`, gap: (a, _m, l) => `尚欠 ${a} 即可升級${l}` } },
    };
    const p = await fixture(html`<tk-provider .terms=${own}>
      <tk-tier-badge lang="zh-CN" show-progress .data=${data}></tk-tier-badge>
      <tk-tier-badge lang="zh-Hant-HK" show-progress .data=${data}></tk-tier-badge>
      <tk-tier-badge lang="zh-TW" show-progress .data=${data}></tk-tier-badge>
    </tk-provider>`);
    const [cn, hk, tw] = [...p.querySelectorAll<TkTierBadge>('tk-tier-badge')];
    await Promise.all([cn!.updateComplete, hk!.updateComplete, tw!.updateComplete]);
    const gap = (el: TkTierBadge) => shadow(el).querySelector('[part=gap]')?.textContent;
    expect(gap(cn!)).to.equal('再增加 15 积分 即可升级白金卡');
    expect(gap(hk!)).to.equal('尚欠 15 積分 即可升級白金卡');
    // Nobody overrode zh-TW's: core's own.
    expect(gap(tw!)).to.equal('再增加 15 分 即可升級白金卡');
    expect(shadow(cn!).querySelector('progress')?.getAttribute('aria-valuetext')).to.equal('再增加 15 积分 即可升级白金卡');
    await expect(cn!).to.be.accessible();
  });

  it('renders a bank’s words as text, never as markup', async () => {
    const XSS = '<img src=x onerror="window.__tkTermsXss=1">';
    const hostile: TermOverrides = {
      en: { timeline: { title: XSS, loaded: (n) => `${XSS}${n}` } },
    };
    const p = await fixture(html`<tk-provider .terms=${hostile}>
      <tk-tier-timeline lang="en" .data=${shortHistory}></tk-tier-timeline>
    </tk-provider>`);
    const el = p.querySelector('tk-tier-timeline') as TkTierTimeline;
    await el.updateComplete;
    expect(title(el)).to.equal(XSS);
    expect(shadow(el).textContent).to.contain(`${XSS}6`);
    expect(shadow(el).querySelector('img')).to.equal(null);
    expect((window as { __tkTermsXss?: number }).__tkTermsXss).to.equal(undefined);
  });
});
