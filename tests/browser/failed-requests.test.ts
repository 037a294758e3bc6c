// What a screen-reader user meets on the customer's page when requests fail (found by last session's
// customer with an NVDA-like reading of the accessibility tree): level keys instead of names after one
// failed tiers read, the same failure announced once per widget by unnamed "retry" buttons, an unknown
// customer said three times. Through the widgets' real client (createReadClient) over a fetch that
// answers as the API does — or fails as a server that is down, slow or erring does.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { createReadClient } from '@tierkit/client';
import type { Locale } from '@tierkit/core';
import '../../packages/components/src/define.js';
import type { TkProvider } from '../../packages/components/src/index.js';
import { demoTiers } from '../../packages/components/src/common/fixtures/tiers.js';
import { entitlementsC3 } from '../../packages/components/src/common/fixtures/entitlements.js';
import { shortHistory } from '../../packages/components/src/common/fixtures/history.js';
import { portfolio } from '../../packages/components/src/common/fixtures/matrix.js';
import { sampleSchemes } from '../../packages/components/src/common/fixtures/schemes.js';
import { accessibleNode } from '../../packages/components/src/common/testing/accessible.js';

const PROBLEMS = 'https://tierkit.dev/problems/';
const json = (body: unknown, status = 200, type = 'application/json') =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
const problem = (status: number, type: string, title: string) =>
  json({ type: `${PROBLEMS}${type}`, title, status }, status, 'application/problem+json');

/** How a read goes wrong: a 500, no answer (the client's timeout), or no server at all. */
type Failure = '500' | 'timeout' | 'down';

/**
 * The API's answers for C000003 (any other subject is unknown: 404 subject-not-found), except that a
 * read whose path `fails(path, n)` says so (n: how many times that path was asked before) goes wrong.
 */
function api(fails: (path: string, n: number) => Failure | undefined) {
  const asked = new Map<string, number>();
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const path = new URL(String(input)).pathname;
    const n = asked.get(path) ?? 0;
    asked.set(path, n + 1);
    const failure = fails(path, n);
    if (failure === 'down') throw new TypeError('Failed to fetch');
    if (failure === '500') return problem(500, 'internal', 'Internal Server Error');
    if (failure === 'timeout')
      return new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason), { once: true }));
    const subject = /^\/v1\/subjects\/([^/]+)\/(\w+)$/.exec(path);
    if (subject?.[1] === 'C000003') {
      if (subject[2] === 'tiers') return json(demoTiers['C000003']);
      if (subject[2] === 'entitlements') return json(entitlementsC3);
      if (subject[2] === 'history') return json({ subject: entitlementsC3.subject, items: shortHistory, nextCursor: null });
    }
    if (path === '/v1/matrix/risk-value') return json(portfolio);
    const scheme = /^\/v1\/schemes\/(.+)$/.exec(path)?.[1];
    if (scheme && sampleSchemes[scheme]) return json(sampleSchemes[scheme]);
    return scheme ? problem(404, 'scheme-not-found', 'No such scheme') : problem(404, 'subject-not-found', 'No such subject');
  };
  return { asked, client: () => createReadClient({ baseUrl: 'https://tier.bank.example', fetch, timeout: 300 }) };
}

/** Every element under `root`, through open shadow roots. */
function deep(root: Element | ShadowRoot): Element[] {
  const out: Element[] = [];
  for (const el of root.querySelectorAll('*')) {
    out.push(el);
    if (el.shadowRoot) out.push(...deep(el.shadowRoot));
  }
  return out;
}

/** The text a widget shows: its shadow root's, and that of any shadow root inside it. */
const shown = (el: Element) => [el, ...deep(el.shadowRoot!)].map((e) => e.shadowRoot?.textContent ?? '').join(' ');

/**
 * The page's live regions that hold words, as assistive technology has them: an element's role or
 * aria-live, or a role given through ElementInternals (the badge's), which no attribute shows.
 */
async function liveRegions(page: Element): Promise<string[]> {
  const said: string[] = [];
  for (const el of deep(page)) {
    const role = el.getAttribute('role') ?? (await accessibleNode(el)).role;
    const live = ['alert', 'status', 'log'].includes(role) || (el.hasAttribute('aria-live') && el.getAttribute('aria-live') !== 'off');
    const text = ((el.shadowRoot ?? el).textContent ?? '').trim();
    if (live && text) said.push(`${role}: ${text}`);
  }
  return said;
}

/** The demo's customer page (apps/portal-demo/public/index.html): a customer's widgets, and four other customers' badges. */
function customerPage(client: () => unknown, subject = 'C000003', locale: Locale = 'zh-CN') {
  const others = ['C000001', 'C000002', 'C000004', 'C000005'];
  return fixture<HTMLElement>(html`<main>
    <tk-provider .client=${client()} subject=${subject} locale=${locale}>
      <tk-tier-badge size="l" show-progress></tk-tier-badge>
      <tk-entitlement-panel></tk-entitlement-panel>
      <tk-tier-timeline></tk-tier-timeline>
    </tk-provider>
    <ul>${others.map((id) => html`<li><tk-provider .client=${client()} subject=${id} locale=${locale}><tk-tier-badge size="s"></tk-tier-badge></tk-provider></li>`)}</ul>
  </main>`);
}

const widgets = (page: Element) =>
  [...page.querySelectorAll<HTMLElement & { updateComplete: Promise<unknown> }>('tk-provider > *')].filter((el) =>
    el.localName.startsWith('tk-'),
  );
const retryOf = (el: Element) => el.shadowRoot!.querySelector<HTMLButtonElement>('[part~="retry"]');
const settled = (page: Element) =>
  waitUntil(
    () => widgets(page).every((w) => !w.matches(':state(loading)') && !w.shadowRoot!.querySelector('[part~="loading"]')),
    'every widget settled',
    {
      timeout: 5000,
    },
  );

describe('widgets when requests fail', () => {
  for (const failure of ['500', 'timeout'] as const) {
    it(`names levels, not keys, after one tiers read failed (${failure}) and retry succeeded`, async () => {
      const { client } = api((path, n) => (path.endsWith('/tiers') && n === 0 ? failure : undefined));
      const shared = client();
      const page = await fixture<HTMLElement>(html`<tk-provider .client=${shared} subject="C000003" locale="zh-CN">
        <tk-entitlement-panel></tk-entitlement-panel>
        <tk-tier-timeline></tk-tier-timeline>
      </tk-provider>`);
      const [panel, timeline] = widgets(page.parentElement!) as HTMLElement[] as [HTMLElement, HTMLElement];
      await waitUntil(() => retryOf(panel) && retryOf(timeline), 'the failed names are the widgets’ error, with a retry', {
        timeout: 5000,
      });
      for (const el of [panel, timeline]) {
        expect(el.matches(':state(error)'), el.localName).to.equal(true);
        // Never a level key to the customer, before or after the retry.
        expect(shown(el), el.localName).not.to.match(/\bgold\b|retail-tier/);
        retryOf(el)!.click();
      }
      await waitUntil(
        () => panel.shadowRoot!.querySelector('[part~="item"]') && timeline.shadowRoot!.querySelector('[part~="event"]'),
        'loaded',
        {
          timeout: 5000,
        },
      );
      expect(shown(panel)).to.contain('来自客户等级：金卡');
      // Not the `false` of a staff response's missing courtesy lines.
      expect(shown(panel)).not.to.contain('false');
      expect(shown(timeline)).to.contain('客户等级');
      expect(shown(timeline)).to.contain('白金卡');
      for (const el of [panel, timeline]) {
        expect(shown(el), el.localName).not.to.match(/\bgold\b|\bplatinum\b|retail-tier/);
        expect(el.matches(':state(error)'), el.localName).to.equal(false);
      }
    });
  }

  it('names the matrix axes, not keys, after one scheme read failed and retry succeeded', async () => {
    const { client } = api((path, n) => (path.startsWith('/v1/schemes/') && n === 0 ? '500' : undefined));
    const page = await fixture<HTMLElement>(html`<tk-provider .client=${client()} locale="en">
      <tk-risk-value-matrix mode="portfolio"></tk-risk-value-matrix>
    </tk-provider>`);
    const matrix = page.querySelector('tk-risk-value-matrix')!;
    await waitUntil(() => retryOf(matrix), 'the failed axis names are the matrix’s error', { timeout: 5000 });
    expect(matrix.shadowRoot!.querySelector('[part~="grid"]'), 'no grid of keys meanwhile').to.equal(null);
    expect((await accessibleNode(retryOf(matrix)!)).name).to.equal('Try again: Risk-value matrix');
    retryOf(matrix)!.click();
    await waitUntil(() => matrix.shadowRoot!.querySelector('[part~="grid"]'), 'the grid', { timeout: 5000 });
    const heads = [...matrix.shadowRoot!.querySelectorAll('th')].map((th) => th.textContent?.trim());
    expect(heads.join(' | ')).not.to.match(/\b(low|high|medium)\b/);
  });

  it('says a server that is down once for the whole page, with every retry button named for what it retries', async () => {
    const { client } = api(() => 'down');
    const page = await customerPage(client);
    await waitUntil(() => widgets(page).every((w) => retryOf(w)), 'every widget failed, with a retry', { timeout: 5000 });
    // One polite status for the seven widgets (the badge's holds its button, which reads its name).
    const said = await liveRegions(page);
    expect(said).to.have.length(1);
    expect(said[0]).to.match(/^status: 暂时无法加载，请稍后再试。/);
    const buttons = deep(page).filter((e) => e.localName === 'button');
    expect(buttons.length).to.equal(7);
    const names = await Promise.all(buttons.map(async (b) => (await accessibleNode(b)).name));
    expect(names.slice(0, 3)).to.deep.equal(['重试加载等级（retail-tier，C000003）', '重试加载我的权益', '重试加载等级变动记录']);
    // Five badges, five names: each says which customer's level it loads again (no read named the scheme yet: its key).
    expect(names.slice(3)).to.deep.equal(['C000001', 'C000002', 'C000004', 'C000005'].map((id) => `重试加载等级（retail-tier，${id}）`));
    expect(new Set(names).size).to.equal(names.length);
    for (const w of widgets(page)) expect(w.matches(':state(error)'), w.localName).to.equal(true);
  });

  it('says a failure in a live region that was one before its words arrived', async () => {
    // NVDA and JAWS announce a change inside a live region they already know, not a region that
    // appears (or gets its role) with its words: the region that says the failure must be a status
    // while the page loads, and the same element when the words arrive.
    const { client } = api(() => 'timeout');
    const page = await customerPage(client);
    await waitUntil(() => widgets(page).every((w) => w.matches(':state(loading)')), 'every widget loading');
    const before = new Set<Element>();
    for (const el of deep(page)) if ((el.getAttribute('role') ?? (await accessibleNode(el)).role) === 'status') before.add(el);
    await waitUntil(() => widgets(page).every((w) => retryOf(w)), 'every widget timed out', { timeout: 5000 });
    const saying = [];
    for (const el of deep(page)) {
      const role = el.getAttribute('role') ?? (await accessibleNode(el)).role;
      if (role === 'status' && ((el.shadowRoot ?? el).textContent ?? '').includes('暂时无法加载')) saying.push(el);
    }
    expect(saying).to.have.length(1);
    expect(before.has(saying[0]!), `${saying[0]!.localName}.${saying[0]!.className} was no status before`).to.equal(true);
  });

  for (const tag of ['tk-entitlement-panel', 'tk-tier-timeline', 'tk-risk-value-matrix'] as const) {
    it(`${tag}: says a failure after its data in the live region it held while it showed the data`, async () => {
      // Data, then a reload that fails: the error's words must arrive in a region that existed before,
      // not in a new element made with them (which NVDA and JAWS do not announce).
      let down = false;
      const { client } = api(() => (down ? 'down' : undefined));
      const provider = await fixture<TkProvider>(
        html`<tk-provider .client=${client()} subject="C000003" locale="zh-CN">${
          tag === 'tk-entitlement-panel'
            ? html`<tk-entitlement-panel></tk-entitlement-panel>`
            : tag === 'tk-tier-timeline'
              ? html`<tk-tier-timeline></tk-tier-timeline>`
              : html`<tk-risk-value-matrix mode="subject"></tk-risk-value-matrix>`
        }</tk-provider>`,
      );
      const widget = provider.firstElementChild!;
      await waitUntil(
        () =>
          !/loading|error|empty/.test(widget.shadowRoot!.querySelector('section>.state[part]')?.getAttribute('part') ?? '') &&
          !widget.matches(':state(loading)'),
        'the data',
        { timeout: 5000 },
      );
      expect(widget.matches(':state(error)')).to.equal(false);
      const before = new Set<Element>();
      for (const el of deep(widget.shadowRoot!))
        if ((el.getAttribute('role') ?? (await accessibleNode(el)).role) === 'status') before.add(el);
      down = true;
      provider.reload();
      await waitUntil(() => retryOf(widget), 'the reload failed', { timeout: 5000 });
      const saying = deep(widget.shadowRoot!).filter(
        (el) => el.getAttribute('role') === 'status' && (el.textContent ?? '').includes('暂时无法加载'),
      );
      expect(saying).to.have.length(1);
      expect(before.has(saying[0]!), `${saying[0]!.className} was no status while the data showed`).to.equal(true);
      await expect(widget).to.be.accessible();
    });
  }

  it('has the widget whose retry failed again say it, once the one that said it first recovered', async () => {
    let down = true;
    const { client } = api(() => (down ? 'down' : undefined));
    const page = await customerPage(client);
    await waitUntil(() => widgets(page).every((w) => retryOf(w)), 'every widget failed', { timeout: 5000 });
    const [badge, panel] = widgets(page) as HTMLElement[] as [HTMLElement, HTMLElement];
    down = false;
    retryOf(badge)!.click();
    await waitUntil(() => badge.matches(':state(gold)') || badge.shadowRoot!.querySelector('[part~="level"]'), 'the badge recovered', {
      timeout: 5000,
    });
    down = true;
    // The badge said it; the others show it still, said already, and none says it twice.
    expect((await liveRegions(page)).filter((s) => s.includes('暂时无法加载'))).to.have.length.at.most(1);
    // The panel fails again (its retry asks a server that is down again): said once, by the panel,
    // whose retry the reader pressed — the widget that said it before falls silent.
    const first = retryOf(panel)!;
    first.click();
    // A new button: the old one went with the error while the panel loaded again.
    await waitUntil(() => retryOf(panel) && retryOf(panel) !== first, 'the panel failed again', { timeout: 5000 });
    expect(await liveRegions(page)).to.deep.equal(['status: 暂时无法加载，请稍后再试。']);
    expect(panel.shadowRoot!.querySelector('[part~="error"] [role="status"]'), 'the panel’s words').not.to.equal(null);
  });

  it('says an unknown customer once, though every widget of theirs shows it', async () => {
    const { client } = api(() => undefined);
    const page = await customerPage(client, 'C999999');
    await settled(page);
    const mine = widgets(page).slice(0, 3);
    for (const w of mine) expect(shown(w), w.localName).to.contain('未找到该客户。');
    expect((await liveRegions(page)).filter((s) => s.includes('未找到该客户。'))).to.have.length(1);
  });

  for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
    it(`is accessible when the server is down, in ${locale}`, async () => {
      const { client } = api(() => 'down');
      const page = await customerPage(client, 'C000003', locale);
      await waitUntil(() => widgets(page).every((w) => retryOf(w)), 'every widget failed', { timeout: 5000 });
      const names = await Promise.all(widgets(page).map(async (w) => (await accessibleNode(retryOf(w)!)).name));
      const word = { 'zh-CN': '重试', 'zh-TW': '重試', en: 'Try again' }[locale];
      // Named for what each retries, starting with the word the button shows (WCAG 2.5.3).
      for (const name of names) expect(name.startsWith(word) && name.length > word.length, name).to.equal(true);
      await expect(page).to.be.accessible();
    });
  }

  it('keeps the same box from loading to the error, busy while loading, in each block widget and the matrix', async () => {
    let hold = true;
    const waiting: (() => void)[] = [];
    const { client } = api(() => 'down');
    const held = client();
    const slow = new Proxy(held, {
      get: (target, key) => {
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function'
          ? async (...args: unknown[]) => {
              if (hold) await new Promise<void>((r) => waiting.push(r));
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            }
          : value;
      },
    });
    const page = await fixture<HTMLElement>(html`<tk-provider .client=${slow} subject="C000003" locale="zh-CN">
      <tk-entitlement-panel></tk-entitlement-panel>
      <tk-tier-timeline></tk-tier-timeline>
      <tk-risk-value-matrix mode="portfolio"></tk-risk-value-matrix>
    </tk-provider>`);
    const blocks = widgets(page.parentElement!);
    await waitUntil(() => blocks.every((w) => w.matches(':state(loading)')), 'loading');
    const box = (w: Element) => w.shadowRoot!.querySelector('section > .state')!;
    const loading = blocks.map((w) => [box(w), box(w).getBoundingClientRect().height] as const);
    for (const w of blocks) expect(w.shadowRoot!.querySelector('section')!.getAttribute('aria-busy'), w.localName).to.equal('true');
    hold = false;
    for (const go of waiting.splice(0)) go();
    await waitUntil(() => blocks.every((w) => w.matches(':state(error)')), 'failed');
    blocks.forEach((w, i) => {
      const [el, height] = loading[i]!;
      expect(box(w), `${w.localName}: the same element`).to.equal(el);
      expect(box(w).getBoundingClientRect().height, `${w.localName}: the same height`).to.equal(height);
      expect(w.shadowRoot!.querySelector('section')!.hasAttribute('aria-busy'), w.localName).to.equal(false);
    });
  });
});

// Kept for the type of the provider's element in this file's fixtures.
export type { TkProvider };
