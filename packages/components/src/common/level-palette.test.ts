import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../define.js';
import type { TkTierTimeline } from '../index.js';
import { shortHistory } from './fixtures/history.js';
import { sampleSchemes } from './fixtures/schemes.js';
import { componentSheet, constantCss, sheetOf } from './constructed-sheet.js';
import { levelPalette } from './level-palette.js';
import { levelColorCss, levelColorStyles } from './level-colors.styles.js';
import { themeCss, themeStyles } from './theme.styles.js';

// The light level colours are written once (level-palette.ts): the badge's rules and the other widgets'
// fallbacks are written from it. The provider's light theme declares none, so an ancestor's win.
describe('level colours', () => {
  it("are the palette's in the widgets' fallbacks, and the provider's light theme declares no token", () => {
    const light = themeCss.split(':host([theme=dark])')[0]!;
    for (const [c, [bg, fg]] of Object.entries(levelPalette)) {
      expect(levelColorCss, c).to.contain(`var(--tk-level-${c},${bg})`).and.contain(`var(--tk-level-${c}-text,${fg})`);
    }
    expect(light).to.not.contain('--tk-');
  });

  it('are sheets the browser parsed whole: one rule per colour, the theme’s three blocks', () => {
    expect(levelColorStyles).to.be.instanceOf(CSSStyleSheet);
    expect(themeStyles).to.be.instanceOf(CSSStyleSheet);
    const rules = [...(levelColorStyles as CSSStyleSheet).cssRules] as CSSStyleRule[];
    expect(rules.map((r) => r.selectorText)).to.deep.equal(
      Object.keys(levelPalette).map((c) => (c === 'neutral' ? '[data-color]' : `[data-color="${c}"]`)),
    );
    expect(rules.map((r) => r.style.getPropertyValue('--_level-bg').trim())).to.deep.equal(
      Object.entries(levelPalette).map(([c, [bg]]) => `var(--tk-level-${c},${bg})`),
    );
    const theme = [...(themeStyles as CSSStyleSheet).cssRules];
    expect(theme.map((r) => r.constructor.name)).to.deep.equal(['CSSStyleRule', 'CSSStyleRule', 'CSSMediaRule']);
    const [light, dark] = theme as CSSStyleRule[];
    expect(light!.style.getPropertyValue('--tk-level-gold')).to.equal('');
    expect(light!.style.getPropertyValue('color-scheme')).to.equal('light');
    expect(dark!.style.getPropertyValue('--tk-level-gold').trim()).to.equal('#6b5300');
    expect(dark!.style.getPropertyValue('--tk-color-surface').trim()).to.equal('#0d1117');
  });
});

describe('constructed sheets', () => {
  it('take only text marked as written from the widgets’ constants, once per key and document', () => {
    // @ts-expect-error a plain string (a property's value, say) is not sheet text: `constantCss` marks it
    sheetOf(document, 'probe', () => 'x{}');
    const text = constantCss('[data-probe]{color:red}');
    const a = sheetOf(document, 'probe 2', () => text);
    expect(a).to.be.instanceOf(CSSStyleSheet);
    expect(sheetOf(document, 'probe 2', () => constantCss('y{}'))).to.equal(a, 'made once per key');
    expect(componentSheet('probe 2', text)).to.equal(a, 'a component’s sheet is the document’s');
  });
});

describe('level colours as the widgets draw them', () => {
  const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
  const chip = async (theme: string | undefined) => {
    const root = await fixture<HTMLElement>(
      theme
        ? html`<tk-provider theme=${theme}><tk-tier-timeline lang="en" .data=${shortHistory} .schemes=${sampleSchemes}></tk-tier-timeline></tk-provider>`
        : html`<div><tk-tier-timeline lang="en" .data=${shortHistory} .schemes=${sampleSchemes}></tk-tier-timeline></div>`,
    );
    const el = root.querySelector('tk-tier-timeline') as TkTierTimeline;
    await waitUntil(() => el.shadowRoot?.querySelector('.lvl[data-color="platinum"]'), 'a platinum chip');
    return getComputedStyle(el.shadowRoot!.querySelector('.lvl[data-color="platinum"]')!).backgroundColor;
  };

  it('a timeline without a provider draws the palette’s light colour; in a dark provider, the dark one', async () => {
    expect(await chip(undefined)).to.equal(rgb(levelPalette.platinum[0]));
    expect(await chip('light')).to.equal(rgb(levelPalette.platinum[0]));
    expect(await chip('dark')).to.equal(rgb('#3c4d60'));
  });
});
