import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { nextEvent } from '../common/testing/next-event.js';
import { accessibleNode } from '../common/testing/accessible.js';
import { audienceView, defaultPolicyPack, type Assignment, type MetricDef, type ProgressPath, type SchemeSummary } from '@tierkit/core';
import '../provider/provider.js';
import './tier-badge.js';
import { TkTierBadge, type TierBadgeData } from './tier-badge.component.js';
import type { TkProvider } from '../provider/provider.component.js';
import { FixtureClient } from '../common/fixtures/fixture-client.js';
import { demoTiers, tiersC3, tiersNewCustomer, assignment } from '../common/fixtures/tiers.js';
import { retailTier, metrics } from '../common/fixtures/schemes.js';

const c3: TierBadgeData = { assignment: tiersC3.assignments[0]!, metrics: tiersC3.metrics };
const top: TierBadgeData = { assignment: demoTiers.C000001!.assignments[0]!, metrics };

const shadow = (el: Element) => el.shadowRoot!;
const text = (el: Element, part: string) => shadow(el).querySelector(`[part~="${part}"]`)?.textContent?.replace(/\s+/g, ' ').trim();
/** All the badge shows (its shadow root's text): for a pill, the level's name or the state's message. */
const shown = (el: Element) => shadow(el).textContent?.replace(/\s+/g, ' ').trim();
/** Whether the host is in custom state `s` (or, without custom states, carries it as an attribute). */
const is = (el: Element, s: string) => el.matches(`:is(:state(${s}),[data-tk-state~='${s}'])`);
const badgeIn = (root: Element) => root.querySelector('tk-tier-badge')!;
/** Waits until the badge shows a level: the pill itself, or with progress its `level` part. */
async function rendered(el: TkTierBadge, part = 'level') {
  const levelPill = () => is(el, 'pill') && !['loading', 'empty', 'error'].some((s) => is(el, s));
  await waitUntil(() => (part === 'level' && levelPill()) || shadow(el).querySelector(`[part~="${part}"]`), `no ${part} rendered`);
  await el.updateComplete;
}
/** The level's name: the pill's text, or with progress the `level` part's. */
const level = (el: Element): string | undefined => text(el, 'level') ?? (is(el, 'pill') ? shown(el) : undefined);

describe('tk-tier-badge, controlled by the host', () => {
  it('is itself the pill: the level name in the level colour, a group named for its scheme', async () => {
    const el = await fixture<TkTierBadge>(html`<tk-tier-badge lang="zh-CN" .data=${c3}></tk-tier-badge>`);
    expect(shown(el)).to.equal('金卡');
    expect(is(el, 'pill') && is(el, 'gold')).to.equal(true);
    expect(getComputedStyle(el).backgroundColor).to.equal('rgb(243, 211, 107)');
    expect(getComputedStyle(el).color).to.equal('rgb(59, 47, 0)');
    expect(el.shadowRoot!.adoptedStyleSheets).to.have.length(0);
    // The scheme names the group and the level is its text: a name with the level too read 「金卡」 twice.
    expect(await accessibleNode(el)).to.deep.equal({ role: 'group', name: '客户等级' });
    await expect(el).to.be.accessible();
  });

  it('keeps no state behind when the level changes', async () => {
    const el = await fixture<TkTierBadge>(html`<tk-tier-badge lang="en" .data=${c3}></tk-tier-badge>`);
    el.data = top;
    await el.updateComplete;
    expect(is(el, 'diamond') && !is(el, 'gold')).to.equal(true);
    expect(shown(el)).to.equal('Diamond');
    expect(await accessibleNode(el)).to.include({ role: 'group', name: 'Customer tier' });
    el.showProgress = true;
    el.data = c3;
    await el.updateComplete;
    expect(is(el, 'pill') || is(el, 'gold')).to.equal(false);
    expect(level(el)).to.equal('Gold');
    // The host is a plain box again: the group and its name moved to the progress view's wrapper.
    expect(await accessibleNode(el)).to.not.include({ role: 'group' });
    expect(getComputedStyle(el).backgroundColor).to.equal('rgba(0, 0, 0, 0)');
  });

  it('stays the size of its name in a grid or flex container, which would stretch a block', async () => {
    const box = await fixture<HTMLDivElement>(html`<div style="display:grid;grid-template-columns:400px;height:300px">
      <tk-tier-badge lang="en" .data=${c3}></tk-tier-badge></div>`);
    const el = box.querySelector('tk-tier-badge')!;
    await el.updateComplete;
    const { width, height } = el.getBoundingClientRect();
    expect(width).to.be.below(150);
    expect(height).to.be.below(60);
    box.style.display = 'flex';
    box.style.flexDirection = 'column';
    expect(el.getBoundingClientRect().width).to.be.below(150);
  });

  it('wraps a long level name between words rather than overflow a phone-wide card, and never splits a Chinese name in a table', async () => {
    const named = (name: Record<'zh-CN' | 'zh-TW' | 'en', string>): TierBadgeData => {
      const levels = retailTier.levels.map((l) => (l.key === 'gold' ? { ...l, name } : l));
      return { assignment: assignment({ ...retailTier, levels }, 'gold'), metrics };
    };
    const long = named({
      'zh-CN': '私人银行尊享钻石卡贵宾',
      'zh-TW': '私人銀行尊享鑽石卡貴賓',
      en: 'Private Banking Diamond Elite Member',
    });
    for (const progress of [false, true]) {
      const box = await fixture<HTMLElement>(
        html`<div style="width: 248px"><tk-tier-badge lang="en" size="l" ?show-progress=${progress} .data=${long}></tk-tier-badge></div>`,
      );
      const el = badgeIn(box) as TkTierBadge;
      await rendered(el);
      const pill = shadow(el).querySelector<HTMLElement>('[part~="level"]') ?? el;
      expect(pill.getBoundingClientRect().right, `progress: ${progress}`).to.be.at.most(box.getBoundingClientRect().right + 0.5);
    }
    // In a table squeezed narrow, a Chinese name stays one word on one line, as it always did.
    const table = await fixture<HTMLElement>(
      html`<table style="width: 10px"><tr><td><tk-tier-badge lang="zh-CN" .data=${long}></tk-tier-badge></td></tr></table>`,
    );
    const cjk = badgeIn(table) as TkTierBadge;
    await rendered(cjk);
    const lineHeight = Number.parseFloat(getComputedStyle(cjk).lineHeight);
    expect(cjk.getBoundingClientRect().height).to.be.below(lineHeight * 1.5 + 2 * Number.parseFloat(getComputedStyle(cjk).paddingTop) + 1);
  });

  it('draws a colour it does not know as neutral, and never turns it into a state', async () => {
    const odd = {
      ...c3.assignment,
      schemeInfo: {
        ...c3.assignment.schemeInfo,
        levels: c3.assignment.schemeInfo.levels.map((l) => ({ ...l, color: 'ultraviolet loading' as never })),
      },
    };
    const el = await fixture<TkTierBadge>(
      html`<tk-tier-badge lang="en" .data=${{ assignment: odd, metrics: c3.metrics }}></tk-tier-badge>`,
    );
    expect(is(el, 'neutral') && !is(el, 'loading')).to.equal(true);
    expect(getComputedStyle(el).backgroundColor).to.equal('rgb(230, 232, 235)');
  });

  it('falls back to the provider and the defaults when a framework sets its props to null or undefined', async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" .client=${client}>
      <tk-tier-badge subject="C000005" scheme="aml-risk" size="l"></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    el.subject = undefined;
    el.scheme = null;
    el.size = undefined;
    el.data = null;
    await rendered(el);
    expect(['subject', 'scheme', 'size'].filter((a) => el.hasAttribute(a))).to.deep.equal([]);
    expect([el.scheme, el.size, el.subject]).to.deep.equal(['retail-tier', 'm', '']);
    expect(level(el)).to.equal('Gold');
    expect(client.calls.every((c) => !c.includes('undefined'))).to.equal(true);
  });

  it('reads the document language of the moment it renders', async () => {
    const html0 = document.documentElement.lang;
    try {
      document.documentElement.lang = 'zh-CN';
      const el = await fixture<TkTierBadge>(html`<tk-tier-badge .data=${top}></tk-tier-badge>`);
      expect(shown(el)).to.equal('钻石卡');
      // An update already queued when the language changes renders in the new language.
      el.requestUpdate();
      document.documentElement.lang = 'zh-TW';
      await el.updateComplete;
      expect(shown(el)).to.equal('鑽石卡');
    } finally {
      document.documentElement.lang = html0;
    }
  });

  it('styles a thousand pills from one stylesheet in the root that holds them', async () => {
    const root = await fixture<HTMLDivElement>(html`<div></div>`);
    const shadowRoot = root.attachShadow({ mode: 'open' });
    for (let i = 0; i < 3; i++) {
      const b = document.createElement('tk-tier-badge');
      b.data = c3;
      shadowRoot.append(b);
    }
    await Promise.all([...shadowRoot.children].map((b) => (b as TkTierBadge).updateComplete));
    expect(shadowRoot.adoptedStyleSheets).to.have.length(1);
    expect(getComputedStyle(shadowRoot.firstElementChild!).backgroundColor).to.equal('rgb(243, 211, 107)');
    await fixture(html`<div><tk-tier-badge .data=${c3}></tk-tier-badge><tk-tier-badge .data=${top}></tk-tier-badge></div>`);
    const ours = document.adoptedStyleSheets.filter((s) => [...s.cssRules].some((r) => r.cssText.includes('tk-tier-badge:is(')));
    expect(ours).to.have.length(1);

    // A page that replaces its root's sheets gets ours back the next time a badge connects there.
    const moved = shadowRoot.firstElementChild!;
    shadowRoot.adoptedStyleSheets = [];
    moved.remove();
    await new Promise((r) => setTimeout(r));
    shadowRoot.append(moved);
    expect(getComputedStyle(moved).backgroundColor).to.equal('rgb(243, 211, 107)');
  });

  it('is styled in an iframe it is moved into, and under a tag name that needs escaping', async () => {
    const frame = await fixture<HTMLIFrameElement>(html`<iframe title="frame"></iframe>`);
    const badge = document.createElement('tk-tier-badge');
    badge.data = c3;
    frame.contentDocument!.body.append(badge);
    await badge.updateComplete;
    expect(frame.contentWindow!.getComputedStyle(badge).backgroundColor).to.equal('rgb(243, 211, 107)');

    if (!customElements.get('bank-badge.v2')) customElements.define('bank-badge.v2', class extends TkTierBadge {});
    const v2 = await fixture<TkTierBadge>(html`<div></div>`).then((d) => {
      const b = document.createElement('bank-badge.v2') as TkTierBadge;
      b.data = c3;
      d.append(b);
      return b;
    });
    await v2.updateComplete;
    expect(getComputedStyle(v2).backgroundColor).to.equal('rgb(243, 211, 107)');
  });

  it("names the measure a customer's gap is counted on, as the API words it for them, in each locale", async () => {
    // The assignment as an embed token reads it: core's audience view adds each path's measure (`name`).
    const cut = audienceView(defaultPolicyPack, 'customer').assignment(c3.assignment as Assignment);
    const el = await fixture<TkTierBadge>(
      html`<tk-tier-badge lang="zh-CN" show-progress .data=${{ ...c3, assignment: cut }}></tk-tier-badge>`,
    );
    expect(text(el, 'gap')).to.equal('再增加 ¥12,000 月日均资产（近3个月平均）即可升级白金卡');
    await expect(el).to.be.accessible();
    el.lang = 'zh-TW';
    await waitUntil(() => text(el, 'gap')?.includes('升級'));
    expect(text(el, 'gap')).to.equal('再增加 CN¥12,000 月平均資產餘額（近3個月平均）即可升級白金卡');
    el.lang = 'en';
    await waitUntil(() => text(el, 'gap')?.startsWith('CN¥12,000 more'));
    expect(text(el, 'gap')).to.equal('CN¥12,000 more monthly average daily balance (average of the last 3 months) to reach Platinum');
  });

  it("reads the progress once: the bar's value is the gap sentence, its visible copy is not read again", async () => {
    const el = await fixture<TkTierBadge>(html`<tk-tier-badge lang="zh-CN" show-progress .data=${c3}></tk-tier-badge>`);
    const bar = el.shadowRoot!.querySelector('progress')!;
    const sentence = '再增加 ¥12,000 月日均资产即可升级白金卡';
    // Without a value text the bar says "87%" of an amount; with a description it repeated the sentence.
    expect(bar.getAttribute('aria-valuetext')).to.equal(sentence);
    expect(bar.hasAttribute('aria-describedby')).to.equal(false);
    expect(await accessibleNode(bar)).to.deep.equal({ role: 'progressbar', name: '升级白金卡的进度' });
    const gap = el.shadowRoot!.querySelector('[part~="gap"]')!;
    expect(gap.textContent).to.equal(sentence);
    expect(gap.getAttribute('aria-hidden')).to.equal('true');
    // The wrapper group is named for the scheme; the level follows as its text.
    expect(await accessibleNode(el.shadowRoot!.querySelector('[part~="base"]')!)).to.deep.equal({ role: 'group', name: '客户等级' });
    await expect(el).to.be.accessible();
  });

  it('tells a customer in plain words how far the next level is, in each locale', async () => {
    const el = await fixture<TkTierBadge>(html`<tk-tier-badge lang="zh-CN" show-progress .data=${c3}></tk-tier-badge>`);
    expect(text(el, 'gap')).to.equal('再增加 ¥12,000 月日均资产即可升级白金卡');
    const bar = shadow(el).querySelector('progress')!;
    expect(bar.max).to.equal(30_000_000);
    expect(bar.value).to.equal(28_800_000);
    await expect(el).to.be.accessible();

    el.lang = 'en';
    await waitUntil(() => text(el, 'gap')?.startsWith('CN¥12,000 more'));
    expect(text(el, 'gap')).to.equal('CN¥12,000 more monthly average daily balance to reach Platinum');
    expect(level(el)).to.equal('Gold');

    el.lang = 'zh-TW';
    await waitUntil(() => text(el, 'gap')?.includes('升級'));
    expect(text(el, 'gap')).to.equal('再增加 CN¥12,000 月日均資產即可升級白金卡');
  });

  it('keeps its progress inside a phone-wide card at 200 % text, where a fixed bar width would overflow it', async () => {
    // A 248 px card (a 320 px page) with the text twice its size: no sideways scrolling (WCAG 1.4.10).
    const box = await fixture<HTMLElement>(
      html`<div style="width: 248px; font-size: 32px"><tk-tier-badge lang="en" size="l" show-progress .data=${c3}></tk-tier-badge></div>`,
    );
    const el = badgeIn(box) as TkTierBadge;
    await rendered(el, 'progress');
    const right = box.getBoundingClientRect().right;
    for (const part of ['base', 'progress', 'bar', 'gap'])
      expect(shadow(el).querySelector(`[part~="${part}"]`)!.getBoundingClientRect().right, part).to.be.at.most(right + 0.5);
  });

  it('shows no progress at the top level', async () => {
    const el = await fixture<TkTierBadge>(html`<tk-tier-badge lang="en" show-progress .data=${top}></tk-tier-badge>`);
    expect(level(el)).to.equal('Diamond');
    expect(shadow(el).querySelector('progress')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('renders every level of the scheme, in every size, accessibly', async () => {
    for (const level of retailTier.levels) {
      for (const size of ['s', 'm', 'l'] as const) {
        const data: TierBadgeData = { assignment: assignment(retailTier, level.key), metrics };
        const el = await fixture<TkTierBadge>(html`<tk-tier-badge lang="en" size=${size} .data=${data}></tk-tier-badge>`);
        expect(shown(el)).to.equal(level.name.en);
        expect(is(el, level.color)).to.equal(true);
        await expect(el).to.be.accessible();
      }
    }
  });

  it('renders a hostile level name as text, never as markup', async () => {
    const evil = '<img src=x onerror="window.__tkPwned=1">';
    const scheme: SchemeSummary = {
      ...retailTier,
      levels: retailTier.levels.map((l) => ({ ...l, name: { 'zh-CN': evil, 'zh-TW': evil, en: evil } })),
    };
    const el = await fixture<TkTierBadge>(
      html`<tk-tier-badge lang="en" show-progress .data=${{ assignment: { ...c3.assignment, schemeInfo: scheme }, metrics }}></tk-tier-badge>`,
    );
    expect(level(el)).to.equal(evil);
    expect(shadow(el).querySelector('img')).to.equal(null);
    el.showProgress = false;
    await el.updateComplete;
    expect(shown(el)).to.equal(evil);
    expect(shadow(el).querySelector('img')).to.equal(null);
    expect((window as { __tkPwned?: number }).__tkPwned).to.equal(undefined);
  });

  it('says a level is waiting for its sign-off, in each locale, until it has one', async () => {
    const pending: TierBadgeData = { ...c3, assignment: { ...c3.assignment, approvalRequired: true } };
    const el = await fixture<TkTierBadge>(html`<tk-tier-badge lang="zh-CN" .data=${pending}></tk-tier-badge>`);
    expect(shown(el)).to.equal('金卡（待审批）');
    expect(await accessibleNode(el)).to.include({ role: 'group', name: '客户等级' });
    el.lang = 'en';
    await el.updateComplete;
    expect(shown(el)).to.match(/ \(pending approval\)$/);
    el.data = c3;
    await el.updateComplete;
    expect(shown(el)).to.equal('Gold');
  });

  it('says so when the subject has no level in the scheme', async () => {
    const el = await fixture<TkTierBadge>(html`<tk-tier-badge lang="en" scheme="credit-rating" .data=${c3}></tk-tier-badge>`);
    expect(is(el, 'empty')).to.equal(true);
    expect(shown(el)).to.equal('Not yet rated');
    await expect(el).to.be.accessible();
  });
});

describe('tk-tier-badge, a customer with no level yet', () => {
  it('says 暂未评定等级 / 暫未評定等級 / Not yet rated, as a bank says it to a customer, accessible', async () => {
    const client = new FixtureClient({ tiers: { C000099: tiersNewCustomer } });
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000099" locale="zh-CN" .client=${client}>
      <tk-tier-badge></tk-tier-badge></tk-provider>`);
    const el = root.querySelector('tk-tier-badge') as TkTierBadge;
    await waitUntil(() => is(el, 'empty'), 'the badge settles on its empty state');
    const said: string[] = [];
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      root.locale = locale;
      await root.updateComplete;
      await el.updateComplete;
      said.push(shown(el));
      await expect(el).to.be.accessible();
    }
    expect(said).to.deep.equal(['暂未评定等级', '暫未評定等級', 'Not yet rated']);
  });
});

describe('tk-tier-badge, connected through tk-provider', () => {
  it("loads the provider subject's tier through the client, busy meanwhile, and tells the page", async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    client.hold();
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="zh-CN" .client=${client}>
      <tk-tier-badge show-progress></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    await el.updateComplete;
    expect(is(el, 'loading')).to.equal(true);
    expect(shown(el)).to.equal('正在加载…');
    expect(getComputedStyle(el).display).to.equal('inline');
    await expect(el).to.be.accessible();
    const loaded = nextEvent(el, 'tk-load');
    client.release();
    expect((await loaded).resource).to.equal('tiers');
    await rendered(el, 'gap');
    expect(text(el, 'gap')).to.equal('再增加 ¥12,000 月日均资产即可升级白金卡');
    expect(client.calls).to.deep.equal(['tiers:C000003']);
  });

  it('follows the provider when its subject, locale and theme change at run time', async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000004" locale="en" .client=${client}>
      <tk-tier-badge></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    await rendered(el);
    expect(level(el)).to.equal('Standard');
    const lightBg = getComputedStyle(el).backgroundColor;

    root.subject = 'C000002';
    await waitUntil(() => level(el) === 'Platinum');
    root.locale = 'zh-TW';
    await waitUntil(() => level(el) === '白金卡');
    root.subject = 'C000001';
    await waitUntil(() => level(el) === '鑽石卡');

    root.theme = 'dark';
    await root.updateComplete;
    const darkBg = getComputedStyle(el).backgroundColor;
    expect(darkBg).to.not.equal(lightBg);
    await expect(el).to.be.accessible();
  });

  it("prefers its own subject attribute and lang over the provider's", async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000001" locale="zh-CN" .client=${client}>
      <tk-tier-badge subject="C000002" lang="en"></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    await rendered(el);
    expect(level(el)).to.equal('Platinum');
  });

  it('shows an error with a retry button that loads again', async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    client.fail = true;
    client.hold();
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" .client=${client}>
      <tk-tier-badge></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    const failing = nextEvent(el, 'tk-error');
    client.release();
    const failed = await failing;
    expect(failed.resource).to.equal('tiers');
    await el.updateComplete;
    expect(is(el, 'error')).to.equal(true);
    expect(shown(el)).to.contain('could not be loaded');
    // Said politely: on a page of widgets a failure is one status, not an alert per widget (voice.ts).
    expect(await accessibleNode(el)).to.include({ role: 'status' });
    // Named for what it loads again, scheme and customer: a page may hold several failed badges. The
    // failed read carried no scheme name, so its key.
    expect((await accessibleNode(shadow(el).querySelector('[part~="retry"]')!)).name).to.equal('Try again: level (retail-tier, C000003)');
    await expect(el).to.be.accessible();
    client.fail = false;
    (shadow(el).querySelector('[part~="retry"]') as HTMLButtonElement).click();
    await rendered(el);
    expect(level(el)).to.equal('Gold');
    expect(client.calls).to.deep.equal(['tiers:C000003', 'tiers:C000003']);
    // Failing again after it has shown the level, it names the scheme as it showed it, in its language.
    client.fail = true;
    root.reload();
    await waitUntil(() => shadow(el).querySelector('[part~="retry"]'), 'failed again');
    expect((await accessibleNode(shadow(el).querySelector('[part~="retry"]')!)).name).to.equal('Try again: level (Customer tier, C000003)');
    el.lang = 'zh-TW';
    await el.updateComplete;
    expect((await accessibleNode(shadow(el).querySelector('[part~="retry"]')!)).name).to.equal('重試載入等級（客戶等級，C000003）');
  });

  it('names the scheme it loads now in its retry, not one it showed before the page changed its scheme', async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" .client=${client}>
      <tk-tier-badge></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    await rendered(el);
    expect(level(el)).to.equal('Gold');
    const retryName = async () => {
      client.fail = true;
      root.reload();
      await waitUntil(() => shadow(el).querySelector('[part~="retry"]'), 'the failed reload');
      client.fail = false;
      return (await accessibleNode(shadow(el).querySelector('[part~="retry"]')!)).name;
    };
    // Another scheme, which this customer has no level in: its retry is not "Customer tier"'s.
    el.scheme = 'potential';
    await el.updateComplete;
    expect(await retryName()).to.equal('Try again: level (potential, C000003)');
    // A scheme shown since: named as shown.
    el.scheme = 'value-band';
    (shadow(el).querySelector('[part~="retry"]') as HTMLButtonElement).click();
    await rendered(el);
    expect(await retryName()).to.equal('Try again: level (Value, C000003)');
  });

  it('loads again by itself when the host gives the provider a new client after a refused token', async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    client.fail = true;
    client.failStatus = 401;
    client.hold();
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="zh-CN" .client=${client}>
      <tk-tier-badge></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    const failing = nextEvent(el, 'tk-error');
    client.release();
    expect(((await failing).error as { status: number }).status).to.equal(401);
    await el.updateComplete;
    expect(is(el, 'error')).to.equal(true);
    // No retry: the same token would be refused again (the block widgets offer none either).
    expect(shadow(el).querySelector('[part~="retry"]') !== null, 'a retry button').to.equal(false);
    root.client = new FixtureClient({ tiers: demoTiers });
    await waitUntil(() => level(el) === '金卡');
  });

  it('says an unknown subject (404) is not found, in every locale, with no retry that could never succeed', async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const expected = { 'zh-CN': '未找到该客户。', 'zh-TW': '查無此客戶。', en: 'Customer not found.' } as const;
    for (const [locale, words] of Object.entries(expected)) {
      const root = await fixture<TkProvider>(html`<tk-provider subject="C404404" locale=${locale} .client=${client}>
        <tk-tier-badge></tk-tier-badge></tk-provider>`);
      const el = badgeIn(root);
      await waitUntil(() => is(el, 'error'), `${locale}: the error pill`);
      expect(shown(el)).to.equal(words);
      expect(shadow(el).querySelector('[part~="retry"]') !== null, 'a retry button').to.equal(false);
      // How the page is from its first load, as the block widgets say it: a status, not an alert.
      expect(await accessibleNode(el)).to.include({ role: 'status' });
    }
    await expect(badgeIn(document.querySelector('tk-provider')!)).to.be.accessible();
  });

  it('offers no retry for a subject its credential may not read (403: an embed token asked for another customer)', async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    client.fail = true;
    client.failStatus = 403;
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" .client=${client}>
      <tk-tier-badge subject="C000004"></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    await waitUntil(() => is(el, 'error'), 'the error pill');
    // Not "could not be loaded right now" (which asks to try later) with no button to try with.
    expect(shown(el)).to.equal('Unavailable');
    expect(shadow(el).querySelector('[part~="retry"]') !== null, 'a retry button').to.equal(false);
    expect(await accessibleNode(el)).to.include({ role: 'status' });
  });

  it('says a refused read is unavailable, in every locale, not "try again later" with nothing to try', async () => {
    const expected = { 'zh-CN': '无法加载', 'zh-TW': '無法載入', en: 'Unavailable' } as const;
    for (const status of [401, 403]) {
      for (const [locale, words] of Object.entries(expected)) {
        const client = new FixtureClient({ tiers: demoTiers });
        client.fail = true;
        client.failStatus = status;
        const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale=${locale} .client=${client}>
          <tk-tier-badge></tk-tier-badge></tk-provider>`);
        const el = badgeIn(root);
        await waitUntil(() => is(el, 'error'), `${status} ${locale}: the error pill`);
        expect(shown(el), `${status} ${locale}`).to.equal(words);
      }
    }
  });

  it('names no customer for a 404 that is not the API saying the subject is unknown (a wrong base URL)', async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    client.fail = true;
    client.failStatus = 404;
    client.failType = 'https://tierkit.dev/problems/not-found';
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" .client=${client}>
      <tk-tier-badge></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    await waitUntil(() => is(el, 'error'), 'the error pill');
    expect(shown(el)).to.equal('Unavailable');
    expect(shadow(el).querySelector('[part~="retry"]') !== null, 'a retry button').to.equal(false);
    expect(await accessibleNode(el)).to.include({ role: 'status' });
  });

  it('says every failure politely, a refusal and a session that ended too, and turns back into a named group', async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    client.fail = true;
    client.failStatus = 503;
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" .client=${client}>
      <tk-tier-badge></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    await waitUntil(() => is(el, 'error'), 'the error pill');
    expect(await accessibleNode(el)).to.include({ role: 'status' });
    // The retry meets a 403: same error pill, other words, still a status.
    client.failStatus = 403;
    (shadow(el).querySelector('[part~="retry"]') as HTMLButtonElement).click();
    await waitUntil(() => shown(el) === 'Unavailable', 'the refusal');
    expect(await accessibleNode(el)).to.include({ role: 'status' });
    // A new client whose token has expired: a status too (one per page, not an alert per badge).
    const expired = new FixtureClient({ tiers: demoTiers });
    expired.fail = true;
    expired.failStatus = 401;
    root.client = expired;
    await waitUntil(() => expired.calls.length > 0 && is(el, 'error'), 'the 401 pill');
    await el.updateComplete;
    expect(await accessibleNode(el)).to.include({ role: 'status' });
    // And a level again: a named group, no status left behind.
    root.client = new FixtureClient({ tiers: demoTiers });
    await waitUntil(() => level(el) === 'Gold');
    expect(await accessibleNode(el)).to.include({ role: 'group', name: 'Customer tier' });
  });

  it("speaks the provider's locale in controlled mode too, and follows it at run time", async () => {
    const root = await fixture<TkProvider>(html`<tk-provider locale="zh-CN"><tk-tier-badge .data=${top}></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    await waitUntil(() => level(el) === '钻石卡');
    root.locale = 'zh-TW';
    await waitUntil(() => level(el) === '鑽石卡');
    await expect(el).to.be.accessible();
  });

  it('shows an empty state when no subject is given', async () => {
    const el = await fixture<TkTierBadge>(html`<tk-tier-badge lang="en"></tk-tier-badge>`);
    expect(is(el, 'empty')).to.equal(true);
    expect(shown(el)).to.equal('No customer selected.');
    await expect(el).to.be.accessible();
  });

  it('works under another tag name beside the default one', async () => {
    if (!customElements.get('bank-badge')) customElements.define('bank-badge', class extends TkTierBadge {});
    const client = new FixtureClient({ tiers: demoTiers });
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" .client=${client}>
      <tk-tier-badge></tk-tier-badge><bank-badge subject="C000001"></bank-badge></tk-provider>`);
    const ours = badgeIn(root);
    const theirs = root.querySelector('bank-badge') as TkTierBadge;
    await rendered(ours);
    await rendered(theirs);
    expect(level(ours)).to.equal('Gold');
    expect(level(theirs)).to.equal('Diamond');
    expect(getComputedStyle(theirs).backgroundColor).to.equal('rgb(207, 232, 247)');
  });
});

describe('tk-tier-badge, in forced colours (Windows high contrast)', () => {
  afterEach(() => executeServerCommand('forced-colors', 'none'));

  it('keeps a system-colour border round the pill, which forced colours strip of its background', async () => {
    const el = await fixture<TkTierBadge>(html`<tk-tier-badge lang="en" .data=${c3}></tk-tier-badge>`);
    const progress = await fixture<TkTierBadge>(html`<tk-tier-badge lang="en" show-progress .data=${c3}></tk-tier-badge>`);
    await rendered(progress);
    await executeServerCommand('forced-colors', 'active');
    expect(matchMedia('(forced-colors: active)').matches, 'forced colours emulated').to.equal(true);
    const pill = shadow(progress).querySelector('[part~="level"]')!;
    for (const box of [el, pill]) {
      const style = getComputedStyle(box);
      expect(style.borderTopStyle, `${box.localName}'s border`).to.equal('solid');
      expect(parseFloat(style.borderTopWidth)).to.be.greaterThan(0);
      expect(style.borderTopColor, `${box.localName}'s border colour`).to.not.equal(style.backgroundColor);
    }
  });
});

describe('tk-tier-badge, wording of the gap', () => {
  const path = (metric: string, unit: ProgressPath['unit'], gap: number): ProgressPath => ({
    metric,
    window: null,
    unit,
    current: 0,
    required: gap,
    gap,
  });
  const withPath = (p: ProgressPath, extra: readonly MetricDef[] = []): TierBadgeData => ({
    assignment: assignment(retailTier, 'standard', [p]),
    metrics: [...metrics, ...extra],
  });
  // Labels as the real pack words them (core's pack/metrics.ts).
  const packMetrics: readonly MetricDef[] = [
    { key: 'credit_score', unit: 'score', label: { 'zh-CN': '信用评分', 'zh-TW': '信用評分', en: 'credit score' } },
    { key: 'loan_days_past_due', unit: 'days', label: { 'zh-CN': '贷款逾期天数', 'zh-TW': '貸款逾期天數', en: 'loan days past due' } },
    { key: 'deposit_bonus', unit: 'bp', label: { 'zh-CN': '存款利率加点', 'zh-TW': '存款利率加點', en: 'deposit rate bonus' } },
  ];
  const gapOf = async (data: TierBadgeData, lang: string) => {
    const el = await fixture<TkTierBadge>(html`<tk-tier-badge lang=${lang} show-progress .data=${data}></tk-tier-badge>`);
    return text(el, 'gap');
  };

  it('quotes a yes/no condition as the pack labels it, without adding a verb of its own', async () => {
    const card = withPath(path('premium_card', 'boolean', 1));
    expect(await gapOf(card, 'zh-CN')).to.equal('满足“持有指定高端信用卡”即可升级金卡');
    expect(await gapOf(card, 'zh-TW')).to.equal('滿足「持有指定高端信用卡」即可升級金卡');
    expect(await gapOf(card, 'en')).to.equal('Meet “holds a designated premium credit card” to reach Gold');
  });

  it('says "1 day" and "1 point" in English, and plurals otherwise', async () => {
    expect(await gapOf(withPath(path('loan_days_past_due', 'days', 1), packMetrics), 'en')).to.equal(
      '1 day more loan days past due to reach Gold',
    );
    expect(await gapOf(withPath(path('loan_days_past_due', 'days', 3), packMetrics), 'en')).to.equal(
      '3 days more loan days past due to reach Gold',
    );
    expect(await gapOf(withPath(path('credit_score', 'score', 1), packMetrics), 'en')).to.equal('1 point more credit score to reach Gold');
    expect(await gapOf(withPath(path('credit_score', 'score', 12), packMetrics), 'en')).to.equal(
      '12 points more credit score to reach Gold',
    );
    expect(await gapOf(withPath(path('credit_score', 'score', 1), packMetrics), 'zh-CN')).to.equal('再增加 1 分 信用评分即可升级金卡');
  });

  it('tells a money gap in whole yuan, rounded up, never the fen it is counted in', async () => {
    // ¥46,631.31 still missing: the customer is told ¥46,632, never less than they need.
    const fen = withPath({ ...path('avg_daily_balance', 'money', 4_663_131), currency: 'CNY' });
    expect(await gapOf(fen, 'zh-CN')).to.equal('再增加 ¥46,632 月日均资产即可升级金卡');
    expect(await gapOf(fen, 'zh-TW')).to.equal('再增加 CN¥46,632 月日均資產即可升級金卡');
    expect(await gapOf(fen, 'en')).to.equal('CN¥46,632 more monthly average daily balance to reach Gold');
    // One fen over a whole yuan is a yuan more; a whole sum stays as it is.
    expect(await gapOf(withPath({ ...path('avg_daily_balance', 'money', 1_200_001), currency: 'CNY' }), 'zh-CN')).to.contain('¥12,001 ');
    expect(await gapOf(withPath({ ...path('avg_daily_balance', 'money', 1_200_000), currency: 'CNY' }), 'zh-CN')).to.contain('¥12,000 ');
    // The bar keeps the exact figures: it shows how far along, not a sum.
    const el = await fixture<TkTierBadge>(html`<tk-tier-badge lang="zh-CN" show-progress .data=${fen}></tk-tier-badge>`);
    expect((shadow(el).querySelector('progress') as HTMLProgressElement).max).to.equal(4_663_131);
  });

  it('states a basis-point gap as a percent a customer reads, without a sign', async () => {
    const bp = withPath(path('deposit_bonus', 'bp', 20), packMetrics);
    expect(await gapOf(bp, 'zh-CN')).to.equal('再增加 0.20% 存款利率加点即可升级金卡');
    expect(await gapOf(bp, 'zh-TW')).to.equal('再增加 0.20% 存款利率加點即可升級金卡');
    expect(await gapOf(bp, 'en')).to.equal('0.20% more deposit rate bonus to reach Gold');
    expect(await gapOf(withPath(path('deposit_bonus', 'bp', 125), packMetrics), 'en')).to.equal(
      '1.25% more deposit rate bonus to reach Gold',
    );
  });
});

describe('tk-tier-badge, while the provider is still being set up or the subject changes', () => {
  it("never shows the previous customer's level while the next customer's loads", async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000004" locale="en" .client=${client}>
      <tk-tier-badge></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    await rendered(el);
    expect(level(el)).to.equal('Standard');

    client.hold();
    root.subject = 'C000001';
    await root.updateComplete;
    await el.updateComplete;
    expect(is(el, 'loading') && !is(el, 'neutral')).to.equal(true);
    expect(shown(el)).to.equal('Loading…');
    expect((await accessibleNode(el))?.name ?? '').to.not.contain('Standard');

    client.release();
    await waitUntil(() => level(el) === 'Diamond' && !is(el, 'loading'), "the new customer's level");
    expect(await accessibleNode(el)).to.include({ role: 'group', name: 'Customer tier' });
    expect(client.calls).to.deep.equal(['tiers:C000004', 'tiers:C000001']);
  });

  it('waits (loading) for a client the host sets a moment later, then loads', async () => {
    const root = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en">
      <tk-tier-badge></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    await el.updateComplete;
    expect(is(el, 'loading') && !is(el, 'empty')).to.equal(true);
    expect(shown(el)).to.equal('Loading…');
    await expect(el).to.be.accessible();
    root.client = new FixtureClient({ tiers: demoTiers });
    await rendered(el);
    expect(level(el)).to.equal('Gold');
  });

  it('says no customer is selected when there is a client but no subject', async () => {
    const root = await fixture<TkProvider>(html`<tk-provider locale="en" .client=${new FixtureClient({ tiers: demoTiers })}>
      <tk-tier-badge></tk-tier-badge></tk-provider>`);
    const el = badgeIn(root);
    await el.updateComplete;
    expect(is(el, 'empty')).to.equal(true);
    expect(shown(el)).to.equal('No customer selected.');
  });
});
