import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import {
  STAFF_UNAVAILABLE_NOTICE,
  UNAVAILABLE_NOTICE,
  audienceView,
  defaultPolicyPack,
  type Assignment,
  type EntitlementsResponse,
} from '@tierkit/core';
import '../provider/provider.js';
import './entitlement-panel.js';
import type { TkEntitlementPanel } from './entitlement-panel.component.js';
import type { TkProvider } from '../provider/provider.component.js';
import { FixtureClient } from '../common/fixtures/fixture-client.js';
import { entitlementsC3, entitlementsC5, entitlementsEmpty } from '../common/fixtures/entitlements.js';
import { demoTiers, tiersC3, tiersC3InGrace, tiersC5 } from '../common/fixtures/tiers.js';
import { executeServerCommand } from '@web/test-runner-commands';
import { nextEvent } from '../common/testing/next-event.js';
import { accessibleNode } from '../common/testing/accessible.js';

const root = (el: Element) => el.shadowRoot!;
const squash = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
const item = (el: Element, key: string, kind?: string) =>
  squash(root(el).querySelector(`li[data-key="${key}"]${kind ? `[data-kind="${kind}"]` : ''}`)?.textContent);
const headings = (el: Element) => [...root(el).querySelectorAll('h2, h3')].map((h) => squash(h.textContent));

describe('tk-entitlement-panel, controlled', () => {
  it("says what keeps a customer's level in its grace period, above the benefits, in each locale", async () => {
    const tiers = tiersC3InGrace;
    for (const [lang, keep, first] of [
      ['zh-CN', '保级期：月日均资产（近3个月平均）需达到 ¥50,000，剩余 2 个月', '专属服务'],
      ['zh-TW', '保級期：月平均資產餘額（近3個月平均）需達到 CN¥50,000，剩餘 2 個月', '專屬服務'],
      [
        'en',
        'Grace period: keep monthly average daily balance (average of the last 3 months) at or above CN¥50,000, 2 months left',
        'Services',
      ],
    ] as const) {
      const el = await fixture<TkEntitlementPanel>(
        html`<tk-entitlement-panel lang=${lang} .data=${entitlementsC3} .tiers=${tiers}></tk-entitlement-panel>`,
      );
      const p = root(el).querySelector('[part~="keep"]');
      expect(squash(p?.textContent), lang).to.equal(keep);
      // Real text before the benefits it keeps, read in order; no staff word (no rule id) in it.
      expect(p?.nextElementSibling?.querySelector('h3')?.textContent, lang).to.equal(first);
      // axe once: three runs of it outlast mocha's 10 s on a busy machine, and the markup is the same in each.
      if (lang === 'zh-CN') await expect(el).to.be.accessible();
    }
    // Staff's tiers (no `keep`), or a customer out of grace: no line.
    const el = await fixture<TkEntitlementPanel>(
      html`<tk-entitlement-panel lang="en" .data=${entitlementsC3} .tiers=${tiersC3}></tk-entitlement-panel>`,
    );
    expect(root(el).querySelector('[part~="keep"]')?.outerHTML ?? null).to.equal(null);
  });

  it('says a courtesy level is one, and its last day, so it does not read as earned and lasting', async () => {
    // An approved floor override on the customer scheme, ending at 2027-03-06 00:00 Beijing time, as an embed token reads it.
    const gold = tiersC3.assignments[0] as Assignment;
    const override = {
      id: 'o1',
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'floor',
      reason: '客户经理备注',
      requestedBy: 'E1',
      approvedBy: 'E2',
    } as const;
    const view = audienceView(defaultPolicyPack, 'customer');
    const tiers = (expiresAt: string | null) => ({ ...tiersC3, ...view.assignments([{ ...gold, override: { ...override, expiresAt } }]) });
    for (const [lang, line] of [
      ['zh-CN', '优惠等级，有效期至 2027年3月5日'],
      ['zh-TW', '優惠等級，有效期至 2027年3月5日'],
      ['en', 'Courtesy level, valid until March 5, 2027'],
    ] as const) {
      const el = await fixture<TkEntitlementPanel>(
        html`<tk-entitlement-panel lang=${lang} .data=${entitlementsC3} .tiers=${tiers('2027-03-05T16:00:00Z')}></tk-entitlement-panel>`,
      );
      expect(squash(root(el).querySelector('[part~="keep"]')?.textContent), lang).to.equal(line);
      if (lang === 'zh-CN') await expect(el).to.be.accessible();
    }
    const open = await fixture<TkEntitlementPanel>(
      html`<tk-entitlement-panel lang="zh-CN" .data=${entitlementsC3} .tiers=${tiers(null)}></tk-entitlement-panel>`,
    );
    expect(squash(root(open).querySelector('[part~="keep"]')?.textContent)).to.equal('优惠等级');
    // Staff's tiers carry the override whole; their panel is no customer's and says nothing of it.
    const staff = await fixture<TkEntitlementPanel>(
      html`<tk-entitlement-panel lang="zh-CN" .data=${entitlementsC3} .tiers=${{ ...tiersC3, assignments: [{ ...gold, override: { ...override, expiresAt: null } }] }}></tk-entitlement-panel>`,
    );
    expect(root(staff).querySelector('[part~="keep"]')).to.equal(null);
  });

  it("groups a gold customer's benefits by kind, with quotas, rates and limits formatted", async () => {
    const el = await fixture<TkEntitlementPanel>(
      html`<tk-entitlement-panel lang="en" .data=${entitlementsC3} .tiers=${tiersC3}></tk-entitlement-panel>`,
    );
    expect(headings(el)).to.deep.equal(['Your benefits', 'Services', 'Quotas', 'Rates', 'Limits', 'Platinum would add']);
    expect(item(el, 'lounge', 'quota'))
      .to.contain('2 / 6 per year')
      .and.contain('From Customer tier: Gold');
    // Percent only, as a customer reads a rate: no basis points.
    expect(item(el, 'deposit-rate', 'rate'))
      .to.contain('+0.20%')
      .and.not.contain('bp');
    expect(item(el, 'loan-rate', 'rate'))
      .to.contain('\u22120.30%')
      .and.not.contain('bp');
    expect(item(el, 'card-limit', 'limit')).to.contain('1.5×');
    await expect(el).to.be.accessible();
  });

  it('writes a rate as 0.20% and a limit as 1.5倍 in Chinese, never bp or ×', async () => {
    for (const lang of ['zh-CN', 'zh-TW']) {
      const el = await fixture<TkEntitlementPanel>(
        html`<tk-entitlement-panel lang=${lang} .data=${entitlementsC3} .tiers=${tiersC3}></tk-entitlement-panel>`,
      );
      expect(item(el, 'deposit-rate', 'rate'), lang)
        .to.contain('+0.20%')
        .and.not.contain('bp')
        .and.not.contain(' %');
      expect(item(el, 'card-limit', 'limit'), lang)
        .to.contain('1.5倍')
        .and.not.contain('×');
    }
  });

  it('takes a heading of the host’s: a staff tool names the benefits as the customer’s', async () => {
    const el = await fixture<TkEntitlementPanel>(
      html`<tk-entitlement-panel lang="zh-CN" heading="客户权益" .data=${entitlementsC3} .tiers=${tiersC3}></tk-entitlement-panel>`,
    );
    expect(headings(el)[0]).to.equal('客户权益');
    expect(root(el).querySelector('section')?.getAttribute('aria-labelledby')).to.equal('title');
    el.heading = '';
    await el.updateComplete;
    expect(headings(el)[0]).to.equal('我的权益');
  });

  it('reads a customer’s list as the API sends it: an opted-in notice says "contact your branch", never the restriction', async () => {
    // The customer audience (customerBlocks: notice): no restrictions, and a blocked benefit without blockedBy.
    const customer: EntitlementsResponse = {
      ...entitlementsC5,
      entitlements: entitlementsC5.entitlements
        .filter((e) => e.def.kind !== 'restriction')
        .map(({ blockedBy, ...e }) => (blockedBy ? { ...e, notice: UNAVAILABLE_NOTICE } : e)),
    };
    expect(customer.entitlements.some((e) => e.notice)).to.equal(true, 'the fixture blocks something');
    const el = await fixture<TkEntitlementPanel>(
      html`<tk-entitlement-panel lang="zh-CN" .data=${customer} .tiers=${tiersC5}></tk-entitlement-panel>`,
    );
    const blocked = root(el).querySelector('li.blocked[data-key="transfer-limit"]')!;
    expect(squash(blocked.textContent)).to.contain('已暂停').and.contain('暂不可用，请联系您的开户网点');
    expect(squash(root(el).textContent)).not.to.contain('反洗钱');
    await expect(el).to.be.accessible();
    // The default (omit): the API leaves the benefit out, and the panel has no paused group to show.
    el.data = { ...customer, entitlements: customer.entitlements.filter((e) => !e.notice) };
    await el.updateComplete;
    expect(root(el).querySelector('li.blocked')).to.equal(null);
    expect(headings(el)).not.to.include('暂停的权益');
  });

  it('marks what an upgrade would add that a restriction held now would suspend, as each reader is told it', async () => {
    // C000005 under AML 高: diamond would raise the transfer limit the restriction keeps lowered.
    const raised = {
      kind: 'limit',
      key: 'transfer-limit',
      multiplierPermille: 3000,
      applies: 'non-counter-transfer',
      label: { 'zh-CN': '非柜面转账限额', 'zh-TW': '非櫃面轉賬限額', en: 'Online transfer limit' },
    } as const;
    const lounge = entitlementsC3.next[0]!.adds[1]!;
    const gain = { scheme: 'retail-tier', toLevel: 'diamond', adds: [raised, lounge] };
    const blockedBy = entitlementsC5.entitlements.find((e) => e.blockedBy)!.blockedBy!;
    for (const [who, next, words] of [
      // Staff who read the AML grade: the restriction and the level, as on the current benefit.
      ['staff', { ...gain, blockedBy: { 'transfer-limit': blockedBy } }, '因“非柜面转账限额下调”暂停（反洗钱风险等级：高）'],
      // An RM, who may not read it: refer to compliance, never tell the customer why.
      ['rm', { ...gain, notices: { 'transfer-limit': STAFF_UNAVAILABLE_NOTICE } }, STAFF_UNAVAILABLE_NOTICE['zh-CN']],
      // A customer (customerBlocks: notice): contact the branch, no grade named.
      ['customer', { ...gain, notices: { 'transfer-limit': UNAVAILABLE_NOTICE } }, UNAVAILABLE_NOTICE['zh-CN']],
    ] as const) {
      const el = await fixture<TkEntitlementPanel>(
        html`<tk-entitlement-panel lang="zh-CN" .data=${{ ...entitlementsC5, next: [next] }} .tiers=${tiersC5}></tk-entitlement-panel>`,
      );
      const upgrade = root(el).querySelector('[part~="next"]')!;
      const added = upgrade.querySelector('li[data-key="transfer-limit"]')!;
      expect(added.classList.contains('blocked'), who).to.equal(true);
      expect(squash(added.textContent), who).to.contain('已暂停').and.contain(words);
      // What the restriction leaves alone is still a plain promise.
      const free = upgrade.querySelector(`li[data-key="${lounge.key}"]`)!;
      expect(free.classList.contains('blocked'), who).to.equal(false);
      expect(free.querySelector('[part~="reason"]'), who).to.equal(null);
      if (who === 'customer') expect(squash(upgrade.textContent)).not.to.contain('反洗钱');
      if (who === 'rm') await expect(el).to.be.accessible();
    }
  });

  it('says why a restriction applies, which level imposed it, and what it blocks', async () => {
    const el = await fixture<TkEntitlementPanel>(
      html`<tk-entitlement-panel lang="zh-CN" .data=${entitlementsC5} .tiers=${tiersC5}></tk-entitlement-panel>`,
    );
    expect(item(el, 'transfer-limit-lowered', 'restriction'))
      .to.contain('反洗钱风险等级为高，需加强尽职调查')
      .and.contain('来自反洗钱风险等级：高');
    const blocked = root(el).querySelector('li.blocked[data-key="transfer-limit"]')!;
    expect(squash(blocked.textContent)).to.contain('已暂停').and.contain('因“非柜面转账限额下调”暂停（反洗钱风险等级：高）');
    // Muted, not struck through: a line through Chinese characters crosses them out of reading.
    const label = getComputedStyle(blocked.querySelector('.label')!);
    expect(label.textDecorationLine).to.equal('none');
    expect(label.color).to.equal(getComputedStyle(blocked.querySelector('.why')!).color);
    expect(headings(el)).to.include('暂停的权益');
    await expect(el).to.be.accessible();
  });

  it("names what the next level adds, in the reader's language", async () => {
    const el = await fixture<TkEntitlementPanel>(
      html`<tk-entitlement-panel lang="zh-CN" .data=${entitlementsC3} .tiers=${tiersC3}></tk-entitlement-panel>`,
    );
    expect(headings(el)).to.include('升级白金卡可获得');
    expect(item(el, 'wealth-products')).to.equal('专享理财产品');
  });

  it('shows levels by key when no tiers are given, and switches locale at run time', async () => {
    const el = await fixture<TkEntitlementPanel>(html`<tk-entitlement-panel lang="en" .data=${entitlementsC3}></tk-entitlement-panel>`);
    expect(headings(el)).to.include('platinum would add');
    el.tiers = tiersC3;
    el.lang = 'zh-TW';
    await waitUntil(() => headings(el)[0] === '我的權益');
    expect(headings(el)).to.include('升級白金卡可獲得');
    expect(item(el, 'lounge', 'quota')).to.contain('已用 2 / 6（每年）');
  });

  it('names the data month quota uses are counted to, never "this month" (usedThrough)', async () => {
    // On 6 December a monthly lounge quota counts November's visits: December has no data yet.
    const data = {
      ...entitlementsC3,
      entitlements: entitlementsC3.entitlements.map((e) => (e.def.key === 'lounge' ? { ...e, usedThrough: '2025-11' } : e)),
    };
    const el = await fixture<TkEntitlementPanel>(
      html`<tk-entitlement-panel lang="zh-CN" .data=${data} .tiers=${tiersC3}></tk-entitlement-panel>`,
    );
    expect(item(el, 'lounge', 'quota'))
      .to.contain('截至2025年11月已用 2 / 6（每年）')
      .and.not.contain('本年');
    el.lang = 'zh-TW';
    await waitUntil(() => headings(el)[0] === '我的權益');
    expect(item(el, 'lounge', 'quota')).to.contain('截至2025年11月已用 2 / 6（每年）');
    el.lang = 'en';
    await waitUntil(() => headings(el)[0] === 'Your benefits');
    expect(item(el, 'lounge', 'quota'))
      .to.contain('2 / 6 per year, to Nov 2025')
      .and.not.contain('this');
  });

  it('renders hostile labels and reasons as text', async () => {
    const evil = '<img src=x onerror="window.__tkPanelPwned=1">';
    const L = { 'zh-CN': evil, 'zh-TW': evil, en: evil };
    const data: EntitlementsResponse = {
      ...entitlementsC5,
      entitlements: [...entitlementsC3.entitlements, ...entitlementsC5.entitlements].map((e) =>
        e.def.kind === 'restriction' ? { ...e, def: { ...e.def, label: L, reason: L } } : { ...e, def: { ...e.def, label: L } },
      ),
    };
    const el = await fixture<TkEntitlementPanel>(html`<tk-entitlement-panel lang="en" .data=${data}></tk-entitlement-panel>`);
    expect(item(el, 'dedicated-rm')).to.contain(evil);
    expect(item(el, 'transfer-limit-lowered', 'restriction')).to.contain(evil);
    expect(root(el).querySelector('img')).to.equal(null);
    expect((window as { __tkPanelPwned?: number }).__tkPanelPwned).to.equal(undefined);
  });

  it('has an empty state for a customer with no benefits', async () => {
    const el = await fixture<TkEntitlementPanel>(html`<tk-entitlement-panel lang="en" .data=${entitlementsEmpty}></tk-entitlement-panel>`);
    expect(squash(root(el).querySelector('[part~="empty"]')?.textContent)).to.equal('No benefits yet.');
    await expect(el).to.be.accessible();
  });
});

describe('tk-entitlement-panel, connected', () => {
  it('loads entitlements and takes level names from the tiers the badge also uses', async () => {
    const client = new FixtureClient({ tiers: demoTiers, entitlements: { C000003: entitlementsC3 } });
    client.hold();
    const provider = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" theme="dark" .client=${client}>
      <tk-entitlement-panel></tk-entitlement-panel></tk-provider>`);
    const el = provider.querySelector('tk-entitlement-panel')!;
    await el.updateComplete;
    expect(squash(root(el).querySelector('[part~="loading"]')?.textContent)).to.equal('Loading…');
    await expect(el).to.be.accessible();
    const loaded = nextEvent(el, 'tk-load');
    client.release();
    await loaded;
    await waitUntil(() => headings(el).includes('Platinum would add'));
    expect(client.calls.sort()).to.deep.equal(['entitlements:C000003', 'tiers:C000003']);
    await expect(el).to.be.accessible();
  });

  it('shows an error with retry, and still works when only the names fail', async () => {
    const client = new FixtureClient({ entitlements: { C000003: entitlementsC3 } });
    client.fail = true;
    client.hold();
    const provider = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" .client=${client}>
      <tk-entitlement-panel></tk-entitlement-panel></tk-provider>`);
    const el = provider.querySelector('tk-entitlement-panel')!;
    const failed = nextEvent(el, 'tk-error');
    client.release();
    await failed;
    await waitUntil(() => root(el).querySelector('[part~="retry"]'));
    await expect(el).to.be.accessible();
    client.fail = false;
    (root(el).querySelector('[part~="retry"]') as HTMLButtonElement).click();
    // Tiers are unknown to this client (404): the panel falls back to level keys.
    await waitUntil(() => headings(el).includes('platinum would add'));
    expect(item(el, 'lounge', 'quota')).to.contain('From retail-tier: gold');
  });
});

describe('tk-entitlement-panel, when the session has ended', () => {
  it('says so in the locale, with no retry button that would be refused again', async () => {
    const client = new FixtureClient({ entitlements: { C000003: entitlementsC3 } });
    client.fail = true;
    client.failStatus = 401;
    const provider = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="zh-TW" .client=${client}>
      <tk-entitlement-panel></tk-entitlement-panel></tk-provider>`);
    const el = provider.querySelector('tk-entitlement-panel')!;
    await waitUntil(() => root(el).querySelector('[part~="error"]'));
    expect(squash(root(el).querySelector('[part~="error"]')?.textContent)).to.equal('登入已逾時，請重新登入。');
    expect(root(el).querySelector('[part~="retry"]')).to.equal(null);
    await expect(el).to.be.accessible();
  });
});

describe('tk-entitlement-panel, in forced colours (Windows high contrast)', () => {
  afterEach(() => executeServerCommand('forced-colors', 'none'));

  it('keeps a system-colour border round the "blocked" tag, which forced colours strip of its background', async () => {
    const el = await fixture<TkEntitlementPanel>(
      html`<tk-entitlement-panel lang="en" .data=${entitlementsC5} .tiers=${tiersC5}></tk-entitlement-panel>`,
    );
    await executeServerCommand('forced-colors', 'active');
    const tag = root(el).querySelector('.tag')!;
    expect(squash(tag.textContent)).to.equal('Blocked');
    expect(getComputedStyle(tag).borderTopStyle).to.equal('solid');
  });
});

describe('tk-entitlement-panel, in every state', () => {
  /** The panel's region as a screen reader meets it, and the state inside it. */
  async function region(el: TkEntitlementPanel, state: string) {
    await waitUntil(() => root(el).querySelector(`[part~="${state}"]`), `the ${state} state`);
    const base = root(el).querySelector('[part~="base"]');
    expect(base, `the ${state} state sits in the panel's frame`).to.not.equal(null);
    expect(base!.querySelector(`[part~="${state}"]`), `the ${state} state inside the frame`).to.not.equal(null);
    return accessibleNode(base!);
  }

  it('keeps its heading and named region while loading, failed, signed out, unknown or without a subject', async () => {
    const pending = FixtureClient.behaving({ entitlements: { C000003: entitlementsC3 } }, 'pending');
    const failing = FixtureClient.behaving({ entitlements: { C000003: entitlementsC3 } }, 'error');
    const refused = FixtureClient.behaving({ entitlements: { C000003: entitlementsC3 } }, 'signed-out');
    const cases = [
      [pending, 'C000003', 'loading'],
      [failing, 'C000003', 'error'],
      [refused, 'C000003', 'error'],
      [new FixtureClient({}), 'C404404', 'error'],
      [new FixtureClient({}), '', 'empty'],
    ] as const;
    for (const [client, subject, state] of cases) {
      const provider = await fixture<TkProvider>(html`<tk-provider subject=${subject} locale="zh-TW" .client=${client}>
        <tk-entitlement-panel></tk-entitlement-panel></tk-provider>`);
      const el = provider.querySelector('tk-entitlement-panel')!;
      expect(await region(el, state)).to.deep.equal({ role: 'region', name: '我的權益' });
      expect(headings(el)).to.deep.equal(['我的權益']);
      await expect(el).to.be.accessible();
    }
    pending.release();
  });

  it('marks its frame busy while it loads, and only then', async () => {
    const client = FixtureClient.behaving({ entitlements: { C000003: entitlementsC3 } }, 'pending');
    const provider = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" .client=${client}>
      <tk-entitlement-panel></tk-entitlement-panel></tk-provider>`);
    const el = provider.querySelector('tk-entitlement-panel')!;
    await waitUntil(() => root(el).querySelector('[part~="loading"]'), 'the loading state');
    expect(root(el).querySelector('[part~="base"]')?.getAttribute('aria-busy')).to.equal('true');
    client.release();
    await waitUntil(() => headings(el).includes('platinum would add'), 'the benefits');
    expect(root(el).querySelector('[part~="base"]')?.hasAttribute('aria-busy')).to.equal(false);
  });

  it('keeps the same heading when the benefits arrive, and for a customer with none', async () => {
    const el = await fixture<TkEntitlementPanel>(html`<tk-entitlement-panel lang="en" .data=${entitlementsEmpty}></tk-entitlement-panel>`);
    expect(await region(el, 'empty')).to.deep.equal({ role: 'region', name: 'Your benefits' });
    el.data = entitlementsC3;
    await el.updateComplete;
    expect(headings(el)[0]).to.equal('Your benefits');
    expect(root(el).querySelectorAll('h2')).to.have.length(1);
  });
});

describe('tk-entitlement-panel, retried from the keyboard', () => {
  it('keeps focus in the panel, on its heading, when the retry button goes with the error', async () => {
    const client = FixtureClient.behaving({ entitlements: { C000003: entitlementsC3 } }, 'error');
    const provider = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" .client=${client}>
      <tk-entitlement-panel></tk-entitlement-panel></tk-provider>`);
    const el = provider.querySelector('tk-entitlement-panel')!;
    await waitUntil(() => root(el).querySelector('[part~="retry"]'), 'a retry button');
    const button = root(el).querySelector<HTMLButtonElement>('[part~="retry"]')!;
    button.focus();
    client.fail = false;
    client.hold();
    button.click();
    await el.updateComplete;
    const loading = root(el).querySelector('[part~="loading"]');
    const focused = document.activeElement === el ? root(el).activeElement?.textContent : document.activeElement?.localName;
    // Released before asserting, so a failure never leaves the read hanging.
    client.release();
    expect(loading, 'the loading state replaced the error and its button').to.not.equal(null);
    expect(focused, 'where focus is').to.equal('Your benefits');
    await waitUntil(() => headings(el).includes('platinum would add'), 'the benefits');
    expect(root(el).activeElement?.textContent).to.equal('Your benefits');
  });
});

describe('tk-entitlement-panel, for a subject the API does not know (404)', () => {
  it('says the customer was not found, in the locale, with no retry that could never succeed', async () => {
    const expected = { 'zh-CN': '未找到该客户。', 'zh-TW': '查無此客戶。', en: 'Customer not found.' } as const;
    for (const [locale, words] of Object.entries(expected)) {
      const client = new FixtureClient({ tiers: demoTiers });
      client.hold();
      const provider = await fixture<TkProvider>(html`<tk-provider subject="C404404" locale=${locale} .client=${client}>
        <tk-entitlement-panel></tk-entitlement-panel></tk-provider>`);
      const el = provider.querySelector('tk-entitlement-panel')!;
      const failed = nextEvent(el, 'tk-error');
      client.release();
      await waitUntil(() => root(el).querySelector('[part~="error"]'), `${locale}: the error state`);
      expect(((await failed).error as { status: number }).status).to.equal(404);
      const error = root(el).querySelector('[part~="error"]')!;
      expect(squash(error.textContent)).to.equal(words);
      expect(error.getAttribute('data-reason')).to.equal('not-found');
      // How the page is from its first load: said politely, not one of several alerts on a page of widgets.
      // The words are the live region (the state's `.said`), the page's one for them (voice.ts).
      expect(error.querySelector('.said')?.getAttribute('role')).to.equal('status');
      expect(root(el).querySelector('[part~="retry"]')).to.equal(null);
    }
  });

  it('names no customer for a 404 that is not an unknown subject (a wrong base URL answers plain not-found)', async () => {
    const expected = { 'zh-CN': '无法加载', 'zh-TW': '無法載入', en: 'Unavailable' } as const;
    for (const [locale, words] of Object.entries(expected)) {
      const client = new FixtureClient({ entitlements: { C000003: entitlementsC3 } });
      client.fail = true;
      client.failStatus = 404;
      client.failType = 'https://tierkit.dev/problems/not-found';
      const provider = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale=${locale} .client=${client}>
        <tk-entitlement-panel></tk-entitlement-panel></tk-provider>`);
      const el = provider.querySelector('tk-entitlement-panel')!;
      await waitUntil(() => root(el).querySelector('[part~="error"]'), `${locale}: the error state`);
      const error = root(el).querySelector('[part~="error"]')!;
      expect(squash(error.textContent)).to.equal(words);
      expect(error.getAttribute('data-reason')).to.equal('unavailable');
      // The words are the live region (the state's `.said`), the page's one for them (voice.ts).
      expect(error.querySelector('.said')?.getAttribute('role')).to.equal('status');
      expect(root(el).querySelector('[part~="retry"]')).to.equal(null);
    }
  });

  it('keeps its retry for a server that failed (5xx)', async () => {
    const client = FixtureClient.behaving({ entitlements: { C000003: entitlementsC3 } }, 'error');
    const provider = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" .client=${client}>
      <tk-entitlement-panel></tk-entitlement-panel></tk-provider>`);
    const el = provider.querySelector('tk-entitlement-panel')!;
    await waitUntil(() => root(el).querySelector('[part~="retry"]'), 'a retry button');
    expect(root(el).querySelector('[part~="error"]')?.hasAttribute('data-reason')).to.equal(false);
  });
});

describe('tk-entitlement-panel, for a subject its credential may not read (403)', () => {
  it("says it can't be shown here, blaming no one, with no retry: the widget cannot tell why it was refused", async () => {
    // An embed token asked for another customer, a page at another origin, a role too low: one neutral sentence.
    const expected = {
      'zh-CN': '此内容无法在此显示。',
      'zh-TW': '此內容無法在此顯示。',
      en: "This can't be shown here.",
    } as const;
    for (const [locale, words] of Object.entries(expected)) {
      const client = new FixtureClient({ entitlements: { C000004: entitlementsC3 } });
      client.fail = true;
      client.failStatus = 403;
      const provider = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale=${locale} .client=${client}>
        <tk-entitlement-panel subject="C000004"></tk-entitlement-panel></tk-provider>`);
      const el = provider.querySelector('tk-entitlement-panel')!;
      await waitUntil(() => root(el).querySelector('[part~="error"]'), `${locale}: the error state`);
      const error = root(el).querySelector('[part~="error"]')!;
      expect(squash(error.textContent)).to.equal(words);
      expect(error.getAttribute('data-reason')).to.equal('forbidden');
      // The words are the live region (the state's `.said`), the page's one for them (voice.ts).
      expect(error.querySelector('.said')?.getAttribute('role')).to.equal('status');
      expect(root(el).querySelector('[part~="retry"]')).to.equal(null);
      await expect(el).to.be.accessible();
    }
  });
});

describe('tk-entitlement-panel, while the provider is still being set up or the subject changes', () => {
  it("never shows the previous customer's benefits while the next customer's load", async () => {
    const client = new FixtureClient({ tiers: demoTiers, entitlements: { C000003: entitlementsC3, C000009: entitlementsEmpty } });
    const provider = await fixture<TkProvider>(html`<tk-provider subject="C000003" locale="en" .client=${client}>
      <tk-entitlement-panel></tk-entitlement-panel></tk-provider>`);
    const el = provider.querySelector('tk-entitlement-panel')!;
    await waitUntil(() => headings(el).includes('Platinum would add'), "C000003's benefits");
    client.hold();
    provider.subject = 'C000009';
    await provider.updateComplete;
    await el.updateComplete;
    expect(root(el).querySelector('li[part~="item"]')?.outerHTML ?? null).to.equal(null);
    expect(squash(root(el).querySelector('[part~="loading"]')?.textContent)).to.equal('Loading…');
    client.release();
    await waitUntil(() => root(el).querySelector('[part~="empty"]'), "C000009's (empty) benefits");
    expect(squash(root(el).querySelector('[part~="empty"]')?.textContent)).to.equal('No benefits yet.');
  });

  it('waits (loading) for a client the host sets a moment later; "no customer" only without a subject', async () => {
    const provider = await fixture<TkProvider>(
      html`<tk-provider subject="C000003" locale="en"><tk-entitlement-panel></tk-entitlement-panel></tk-provider>`,
    );
    const el = provider.querySelector('tk-entitlement-panel')!;
    await el.updateComplete;
    expect(squash(root(el).querySelector('[part~="loading"]')?.textContent)).to.equal('Loading…');
    expect(root(el).querySelector('[part~="empty"]')?.outerHTML ?? null).to.equal(null);
    provider.client = new FixtureClient({ tiers: demoTiers, entitlements: { C000003: entitlementsC3 } });
    await waitUntil(() => headings(el).includes('Platinum would add'), 'loads once the client arrives');

    provider.subject = '';
    await waitUntil(() => root(el).querySelector('[part~="empty"]'), 'no subject');
    expect(squash(root(el).querySelector('[part~="empty"]')?.textContent)).to.equal('No customer selected.');
  });
});
