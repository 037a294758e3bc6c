import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import './risk-value-matrix.js';
import '../provider/provider.js';
import { TkRiskValueMatrix } from './risk-value-matrix.component.js';
import type { TkCellSelectEvent } from './cell-select-event.js';
import { emptyPortfolio, portfolio, twoByTwo } from '../common/fixtures/matrix.js';
import { hostileSchemes, sampleSchemes, XSS } from '../common/fixtures/schemes.js';
import { FixtureClient } from '../common/fixtures/fixture-client.js';
import { demoTiers, tiersWithoutMatrix } from '../common/fixtures/tiers.js';
import type { TkProvider } from '../provider/provider.component.js';

const shadow = (el: HTMLElement) => el.shadowRoot as ShadowRoot;
const cells = (el: HTMLElement) => [...shadow(el).querySelectorAll<HTMLElement>('[role="gridcell"]')];
const cellAt = (el: HTMLElement, r: number, c: number) =>
  shadow(el).querySelector<HTMLElement>(`td[data-row="${r}"][data-col="${c}"]`) as HTMLElement;
const press = (target: HTMLElement, key: string, init: KeyboardEventInit = {}) =>
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, ...init }));
const settle = async (el: TkRiskValueMatrix) => {
  await el.updateComplete;
  await new Promise((r) => setTimeout(r));
  await el.updateComplete;
};

describe("<tk-risk-value-matrix> for a relationship manager's portfolio", () => {
  it('draws the 3 × 3 grid with counts, segment, action and signal in words', async () => {
    const el = await fixture<TkRiskValueMatrix>(
      html`<tk-risk-value-matrix lang="en" .data=${portfolio} .schemes=${sampleSchemes}></tk-risk-value-matrix>`,
    );
    expect(cells(el)).to.have.length(9);
    const top = cellAt(el, 0, 0).textContent?.replace(/\s+/g, ' ') ?? '';
    expect(top).to.contain('1,204 customers').and.contain('Develop').and.contain('Nurture potential').and.contain('Neutral');
    expect(shadow(el).querySelector('[part="total"]')?.textContent).to.contain('3,344 customers in total');
    const headers = [...shadow(el).querySelectorAll('th')].map((h) => h.textContent?.trim());
    expect(headers).to.include.members(['Low value', 'High value', 'Low risk', 'High risk']);
    await expect(el).to.be.accessible();
  });

  it('keeps every word inside its cell on a phone, in every locale', async () => {
    // A 375 px phone's card: nothing may spill into the next cell or off the screen.
    for (const lang of ['en', 'zh-CN', 'zh-TW']) {
      const box = await fixture<HTMLElement>(
        html`<div style="width: 311px"><tk-risk-value-matrix lang=${lang} .data=${portfolio} .schemes=${sampleSchemes}></tk-risk-value-matrix></div>`,
      );
      const el = box.firstElementChild as TkRiskValueMatrix;
      await settle(el);
      for (const cell of cells(el)) {
        const { left, right } = cell.getBoundingClientRect();
        for (const line of cell.querySelectorAll<HTMLElement>('*')) {
          const r = line.getBoundingClientRect();
          expect(r.left >= left - 0.5 && r.right <= right + 0.5, `${lang}: "${line.textContent}" inside its cell`).to.equal(true);
          expect(line.scrollWidth, `${lang}: "${line.textContent}" does not overflow`).to.be.at.most(line.clientWidth + 1);
        }
      }
      // What a narrow card cannot hold scrolls inside the widget, never off the page.
      expect(shadow(el).querySelector('[part="base"]')!.getBoundingClientRect().right).to.be.at.most(
        box.getBoundingClientRect().right + 0.5,
      );
    }
  });

  it('splits no number and no word at 320 and 360 px (a phone, or 400% zoom), in every locale', async () => {
    // Each word of a header or a cell, and each count, stays on one line: "1,20|4", "cust|ome|rs", "客|户" were.
    for (const width of [248, 328]) {
      for (const lang of ['en', 'zh-CN', 'zh-TW']) {
        const box = await fixture<HTMLElement>(
          html`<div style=${`width: ${width}px`}><tk-risk-value-matrix lang=${lang} .data=${portfolio} .schemes=${sampleSchemes}></tk-risk-value-matrix></div>`,
        );
        const el = box.firstElementChild as TkRiskValueMatrix;
        await settle(el);
        const walker = document.createTreeWalker(shadow(el).querySelector('[part="grid"] tbody')!, NodeFilter.SHOW_TEXT);
        const head = document.createTreeWalker(shadow(el).querySelector('[part="grid"] thead')!, NodeFilter.SHOW_TEXT);
        let checked = 0;
        for (const w of [walker, head]) {
          for (let node = w.nextNode(); node; node = w.nextNode()) {
            const words = node.textContent!.matchAll(/[^\s：:\\]+/g);
            for (const m of words) {
              const range = document.createRange();
              range.setStart(node, m.index!);
              range.setEnd(node, m.index! + m[0].length);
              const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
              expect(tops.size, `${width} px, ${lang}: "${m[0]}" on one line`).to.equal(1);
              checked++;
            }
          }
        }
        expect(checked).to.be.greaterThan(30);
        expect(shadow(el).querySelector('[part="base"]')!.getBoundingClientRect().right).to.be.at.most(
          box.getBoundingClientRect().right + 0.5,
        );
        await expect(el).to.be.accessible();
      }
    }
  });

  it("draws a cell of no customers muted, not in its signal's colour", async () => {
    const none = { ...portfolio, counts: portfolio.counts.filter((c) => !(c.row === 'high' && c.col === 'high')) };
    const el = await fixture<TkRiskValueMatrix>(
      html`<tk-risk-value-matrix lang="zh-CN" .data=${none} .schemes=${sampleSchemes}></tk-risk-value-matrix>`,
    );
    await settle(el);
    const empty = cellAt(el, 2, 2);
    const full = cellAt(el, 2, 1);
    expect(empty.textContent).to.contain('0 位客户');
    expect(empty.getAttribute('part')).to.contain('cell-empty');
    expect(full.getAttribute('part')).to.not.contain('cell-empty');
    const raised = getComputedStyle(shadow(el).querySelector('[part="base"]')!).getPropertyValue('--_surface-raised').trim();
    expect(raised).to.not.equal('');
    const probe = document.createElement('div');
    probe.style.background = raised;
    document.body.append(probe);
    const muted = getComputedStyle(probe).backgroundColor;
    probe.remove();
    expect(getComputedStyle(empty).backgroundColor).to.equal(muted);
    expect(getComputedStyle(full).backgroundColor).to.not.equal(muted);
    await expect(el).to.be.accessible();
  });

  it('formats counts and labels per locale and switches at run time', async () => {
    const el = await fixture<TkRiskValueMatrix>(
      html`<tk-risk-value-matrix lang="zh-CN" .data=${portfolio} .schemes=${sampleSchemes}></tk-risk-value-matrix>`,
    );
    expect(cellAt(el, 0, 0).textContent)
      .to.contain('1,204 位客户')
      .and.contain('培育潜力');
    el.setAttribute('lang', 'zh-TW');
    await settle(el);
    expect(cellAt(el, 0, 0).textContent)
      .to.contain('1,204 位客戶')
      .and.contain('培育潛力');
    expect(shadow(el).querySelector('h2')?.textContent).to.equal('風險—價值矩陣');
  });

  it('follows the definition: a 2 × 2 matrix draws four cells', async () => {
    const el = await fixture<TkRiskValueMatrix>(
      html`<tk-risk-value-matrix lang="en" .data=${twoByTwo} .schemes=${sampleSchemes}></tk-risk-value-matrix>`,
    );
    expect(cells(el)).to.have.length(4);
    expect(cellAt(el, 0, 0).textContent).to.contain('Focus');
  });

  it('moves focus like an ARIA grid: arrows, Home/End, Ctrl+Home/End, one tab stop', async () => {
    const el = await fixture<TkRiskValueMatrix>(html`<tk-risk-value-matrix lang="en" .data=${portfolio}></tk-risk-value-matrix>`);
    expect(cells(el).filter((c) => c.tabIndex === 0)).to.have.length(1);
    cellAt(el, 0, 0).focus();
    const active = () => shadow(el).activeElement as HTMLElement;
    const pos = () => `${active().dataset['row']},${active().dataset['col']}`;
    press(active(), 'ArrowRight');
    await settle(el);
    expect(pos()).to.equal('0,1');
    press(active(), 'ArrowDown');
    await settle(el);
    expect(pos()).to.equal('1,1');
    press(active(), 'End');
    await settle(el);
    expect(pos()).to.equal('1,2');
    press(active(), 'ArrowRight');
    await settle(el);
    expect(pos()).to.equal('1,2');
    press(active(), 'Home');
    await settle(el);
    expect(pos()).to.equal('1,0');
    press(active(), 'End', { ctrlKey: true });
    await settle(el);
    expect(pos()).to.equal('2,2');
    press(active(), 'Home', { ctrlKey: true });
    await settle(el);
    expect(pos()).to.equal('0,0');
    press(active(), 'ArrowUp');
    await settle(el);
    expect(pos()).to.equal('0,0');
    expect(cells(el).filter((c) => c.tabIndex === 0)).to.have.length(1);
  });

  it('selecting a cell with Enter tells the host which subjects to list', async () => {
    const el = await fixture<TkRiskValueMatrix>(html`<tk-risk-value-matrix .data=${portfolio}></tk-risk-value-matrix>`);
    const target = cellAt(el, 2, 0);
    target.focus();
    setTimeout(() => press(target, 'Enter'));
    const e = (await oneEvent(document, 'tk-cell-select')) as TkCellSelectEvent;
    expect(e.bubbles && e.composed).to.equal(true);
    expect({ scheme: e.scheme, row: e.row, col: e.col, level: e.level, count: e.count, filter: e.filter }).to.deep.equal({
      scheme: 'risk-value',
      row: 'high',
      col: 'low',
      level: 'exit',
      count: 61,
      filter: { scheme: 'risk-value', level: 'exit' },
    });
    await settle(el);
    expect(cellAt(el, 2, 0).getAttribute('aria-selected')).to.equal('true');
    expect(cellAt(el, 2, 0).part.contains('cell-selected')).to.equal(true);
  });

  it('a click selects too, and Space does', async () => {
    const el = await fixture<TkRiskValueMatrix>(html`<tk-risk-value-matrix .data=${portfolio}></tk-risk-value-matrix>`);
    const seen: string[] = [];
    el.addEventListener('tk-cell-select', (e) => seen.push(e.level));
    cellAt(el, 0, 2).click();
    await settle(el);
    press(cellAt(el, 1, 1), ' ');
    expect(seen).to.deep.equal(['core', 'standard']);
  });

  it('offers a table view with the same numbers', async () => {
    const el = await fixture<TkRiskValueMatrix>(
      html`<tk-risk-value-matrix lang="en" .data=${portfolio} .schemes=${sampleSchemes}></tk-risk-value-matrix>`,
    );
    shadow(el).querySelector<HTMLInputElement>('[part="view-toggle"]')?.click();
    await settle(el);
    expect(el.tableView).to.equal(true);
    expect(shadow(el).querySelector('[role="grid"]')).to.equal(null);
    const rows = [...shadow(el).querySelectorAll('[part="table"] tbody tr')].map((r) => r.textContent?.replace(/\s+/g, ' ').trim());
    expect(rows).to.have.length(9);
    expect(rows[0]).to.contain('Low risk').and.contain('Low value').and.contain('1,204');
    await expect(el).to.be.accessible();
  });

  it('shows the empty state for an empty definition and stays accessible', async () => {
    const el = await fixture<TkRiskValueMatrix>(
      html`<tk-risk-value-matrix lang="en" .data=${{ ...emptyPortfolio, def: { ...emptyPortfolio.def, rows: [], cols: [] } }}></tk-risk-value-matrix>`,
    );
    expect(shadow(el).querySelector('[part="empty"]')?.textContent).to.contain('No matrix data');
    await expect(el).to.be.accessible();
  });

  it('renders hostile level names as text', async () => {
    const el = await fixture<TkRiskValueMatrix>(
      html`<tk-risk-value-matrix .data=${portfolio} .schemes=${hostileSchemes()}></tk-risk-value-matrix>`,
    );
    expect(shadow(el).querySelector('img')).to.equal(null);
    expect(shadow(el).textContent).to.contain(XSS);
  });
});

describe('<tk-risk-value-matrix> connected through <tk-provider>', () => {
  it('loads the portfolio and the axis names, with a loading state first', async () => {
    const client = new FixtureClient({ matrix: { 'risk-value': portfolio }, schemes: sampleSchemes });
    client.hold();
    const provider = await fixture(
      html`<tk-provider .client=${client} locale="en"><tk-risk-value-matrix></tk-risk-value-matrix></tk-provider>`,
    );
    const el = provider.querySelector('tk-risk-value-matrix') as TkRiskValueMatrix;
    await el.updateComplete;
    expect(shadow(el).querySelector('[part="loading"]')).to.not.equal(null);
    await expect(el).to.be.accessible();
    client.release();
    await waitUntil(() => cells(el).length === 9 && shadow(el).textContent?.includes('High value'), 'matrix and names load');
    expect(client.calls).to.have.members(['matrix:risk-value', 'scheme:risk-band', 'scheme:value-band', 'scheme:risk-value']);
    await expect(el).to.be.accessible();
  });

  it("highlights one customer's cell, in words, from the tiers response", async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const provider = await fixture(
      html`<tk-provider .client=${client} subject="C000003" locale="zh-CN"><tk-risk-value-matrix></tk-risk-value-matrix></tk-provider>`,
    );
    const el = provider.querySelector('tk-risk-value-matrix') as TkRiskValueMatrix;
    await waitUntil(() => cells(el).length === 9, 'subject grid');
    const current = shadow(el).querySelector<HTMLElement>('[aria-current="true"]');
    expect(current?.textContent).to.contain('当前位置').and.contain('交叉销售');
    // The axes are named in the reader's language from the tiers response, never shown as level keys.
    const heads = [...shadow(el).querySelectorAll('th')].map((th) => th.textContent?.trim());
    expect(heads).to.include.members(['低风险', '高风险', '低价值', '高价值']).and.not.include('low');
    expect(current?.tabIndex).to.equal(0);
    expect(shadow(el).querySelector('.count')).to.equal(null);
    expect(client.calls).to.deep.equal(['tiers:C000003']);
    await expect(el).to.be.accessible();
  });

  it('says so when the customer has no matrix segment', async () => {
    const client = new FixtureClient({ tiers: { C1: tiersWithoutMatrix } });
    const provider = await fixture(
      html`<tk-provider .client=${client} subject="C1" locale="en"><tk-risk-value-matrix></tk-risk-value-matrix></tk-provider>`,
    );
    const el = provider.querySelector('tk-risk-value-matrix') as TkRiskValueMatrix;
    await waitUntil(() => shadow(el).querySelector('[part="empty"]'), 'empty state');
    expect(shadow(el).querySelector('[part="empty"]')?.textContent).to.contain('no risk-value segment');
  });

  it('shows an error with a retry that loads again', async () => {
    const client = FixtureClient.behaving({}, 'error');
    const provider = await fixture(
      html`<tk-provider .client=${client} locale="en"><tk-risk-value-matrix mode="portfolio"></tk-risk-value-matrix></tk-provider>`,
    );
    const el = provider.querySelector('tk-risk-value-matrix') as TkRiskValueMatrix;
    await waitUntil(() => shadow(el).querySelector('[part="error"]'), 'error state');
    await expect(el).to.be.accessible();
    shadow(el).querySelector<HTMLButtonElement>('[part="retry"]')?.click();
    await waitUntil(() => client.calls.filter((c) => c.startsWith('matrix:')).length === 2, 'retried');
  });

  it("says a customer the API does not know (404) was not found, with no retry; a portfolio's unknown scheme is an error", async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const provider = await fixture(
      html`<tk-provider .client=${client} subject="C404404" locale="zh-TW"><tk-risk-value-matrix></tk-risk-value-matrix></tk-provider>`,
    );
    const el = provider.querySelector('tk-risk-value-matrix') as TkRiskValueMatrix;
    await waitUntil(() => shadow(el).querySelector('[part="error"]'), 'error state');
    expect(shadow(el).querySelector('[part="error"]')?.textContent?.trim()).to.equal('查無此客戶。');
    expect(shadow(el).querySelector('[part="retry"]')).to.equal(null);
    await expect(el).to.be.accessible();

    const portfolioClient = new FixtureClient({});
    const wrap = await fixture(
      html`<tk-provider .client=${portfolioClient} locale="en"><tk-risk-value-matrix scheme="gone"></tk-risk-value-matrix></tk-provider>`,
    );
    const pm = wrap.querySelector('tk-risk-value-matrix') as TkRiskValueMatrix;
    await waitUntil(() => shadow(pm).querySelector('[part="error"]'), 'error state');
    // A scheme the tenant does not have (404 scheme-not-found) is a wrong attribute, not a matrix without data.
    const error = shadow(pm).querySelector('[part="error"]');
    expect(error?.textContent?.trim()).to.equal('Unknown matrix scheme.');
    expect(error?.getAttribute('data-reason')).to.equal('scheme-not-found');
    expect(error?.querySelector('.said')?.getAttribute('role')).to.equal('status');
    expect(shadow(pm).querySelector('[part="empty"]')).to.equal(null);
    expect(shadow(pm).querySelector('[part="retry"]')).to.equal(null);
  });

  it("says an unknown matrix scheme in each language, and a portfolio it may not show in its own words, not a customer's", async () => {
    const words = {
      'zh-CN': ['未知矩阵方案。', '此矩阵无法在此显示。'],
      'zh-TW': ['未知矩陣方案。', '此矩陣無法在此顯示。'],
      en: ['Unknown matrix scheme.', "This matrix can't be shown here."],
    } as const;
    for (const [locale, [unknown, forbidden]] of Object.entries(words)) {
      const gone = await fixture(
        html`<tk-provider .client=${new FixtureClient({})} locale=${locale}><tk-risk-value-matrix scheme="gone"></tk-risk-value-matrix></tk-provider>`,
      );
      const a = gone.querySelector('tk-risk-value-matrix') as TkRiskValueMatrix;
      await waitUntil(() => shadow(a).querySelector('[part="error"]'), `${locale}: unknown scheme`);
      expect(shadow(a).querySelector('[part="error"]')?.textContent?.trim()).to.equal(unknown);

      const client = new FixtureClient({ matrix: { 'risk-value': portfolio } });
      client.fail = true;
      client.failStatus = 403;
      const book = await fixture(
        html`<tk-provider .client=${client} locale=${locale}><tk-risk-value-matrix mode="portfolio"></tk-risk-value-matrix></tk-provider>`,
      );
      const b = book.querySelector('tk-risk-value-matrix') as TkRiskValueMatrix;
      await waitUntil(() => shadow(b).querySelector('[part="error"]'), `${locale}: forbidden`);
      const error = shadow(b).querySelector('[part="error"]');
      expect(error?.textContent?.trim()).to.equal(forbidden);
      expect(error?.getAttribute('data-reason')).to.equal('forbidden');
      expect(shadow(b).querySelector('[part="retry"]')).to.equal(null);
    }
  });

  it('keeps focus in the matrix, on its heading, when a retry takes the button away; its frame is busy meanwhile', async () => {
    const client = FixtureClient.behaving({ matrix: { 'risk-value': portfolio } }, 'error');
    const provider = await fixture(
      html`<tk-provider .client=${client} locale="en"><tk-risk-value-matrix mode="portfolio"></tk-risk-value-matrix></tk-provider>`,
    );
    const el = provider.querySelector('tk-risk-value-matrix') as TkRiskValueMatrix;
    await waitUntil(() => shadow(el).querySelector('[part="retry"]'), 'a retry button');
    const button = shadow(el).querySelector<HTMLButtonElement>('[part="retry"]')!;
    button.focus();
    client.fail = false;
    client.hold();
    button.click();
    await el.updateComplete;
    const busy = shadow(el).querySelector('[part="base"]')?.getAttribute('aria-busy');
    const focused = document.activeElement === el ? shadow(el).activeElement?.id : document.activeElement?.localName;
    client.release();
    expect(busy, 'the frame while it loads again').to.equal('true');
    expect(focused, 'where focus is').to.equal('title');
    await waitUntil(() => shadow(el).querySelector('[part~="grid"]'), 'the grid');
    expect(shadow(el).activeElement?.id).to.equal('title');
    expect(shadow(el).querySelector('[part="base"]')?.hasAttribute('aria-busy')).to.equal(false);
  });

  it('works registered under another tag name beside the default one', async () => {
    if (!customElements.get('bank-matrix')) customElements.define('bank-matrix', class extends TkRiskValueMatrix {});
    const wrap = await fixture(
      html`<div><bank-matrix .data=${portfolio}></bank-matrix><tk-risk-value-matrix .data=${twoByTwo}></tk-risk-value-matrix></div>`,
    );
    const [a, b] = [...wrap.children] as TkRiskValueMatrix[];
    await a?.updateComplete;
    await b?.updateComplete;
    expect(cells(a as HTMLElement)).to.have.length(9);
    expect(cells(b as HTMLElement)).to.have.length(4);
  });
});

describe('<tk-risk-value-matrix> when its subject or filter changes', () => {
  const current = (el: HTMLElement) => shadow(el).querySelector<HTMLElement>('[aria-current="true"]');
  const at = (cell: HTMLElement | null) => cell && `${cell.dataset['row']},${cell.dataset['col']}`;
  const inProvider = async (
    client: FixtureClient | undefined,
    subject: string,
    matrix = html`<tk-risk-value-matrix></tk-risk-value-matrix>`,
  ) => {
    const provider = await fixture<TkProvider>(html`<tk-provider .client=${client} subject=${subject} locale="en">${matrix}</tk-provider>`);
    return { provider, el: provider.querySelector('tk-risk-value-matrix') as TkRiskValueMatrix };
  };

  it("never shows the previous customer's cell while the next customer's loads", async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const { provider, el } = await inProvider(client, 'C000001');
    await waitUntil(() => current(el), 'C000001 placed');
    expect(at(current(el))).to.equal('0,2');
    client.hold();
    provider.subject = 'C000003';
    await provider.updateComplete;
    await el.updateComplete;
    expect(current(el)?.outerHTML ?? null).to.equal(null);
    expect(cells(el)).to.have.length(0);
    expect(shadow(el).querySelector('[part="loading"]')?.outerHTML ?? null).to.not.equal(null);
    client.release();
    await waitUntil(() => current(el), 'C000003 placed');
    expect(at(current(el))).to.equal('0,1');
  });

  it("shows the error, not the previous customer's cell, when the next customer's read fails", async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const { provider, el } = await inProvider(client, 'C000001');
    await waitUntil(() => current(el), 'C000001 placed');
    provider.subject = 'C404';
    await waitUntil(() => shadow(el).querySelector('[part="error"]'), 'error state');
    expect(current(el)?.outerHTML ?? null).to.equal(null);
    expect(cells(el)).to.have.length(0);
  });

  it('shows the error, not the old counts, when a filtered portfolio fails to load', async () => {
    const client = new FixtureClient({ matrix: { 'risk-value': portfolio } });
    const { el } = await inProvider(
      client,
      '',
      html`<tk-risk-value-matrix mode="portfolio" .filter=${{ rm: 'E1024' }}></tk-risk-value-matrix>`,
    );
    await waitUntil(() => cells(el).length === 9, 'portfolio');
    expect(shadow(el).querySelector('.count')?.outerHTML ?? null).to.not.equal(null);
    client.fail = true;
    el.filter = { rm: 'E2048' };
    await waitUntil(() => shadow(el).querySelector('[part="error"]'), 'error state');
    expect(shadow(el).querySelector('.count')?.outerHTML ?? null).to.equal(null);
    expect(shadow(el).querySelector('[part="total"]')?.outerHTML ?? null).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it("keeps its own filter in the selected cell's filter, so the host lists within the same book", async () => {
    const el = await fixture<TkRiskValueMatrix>(
      html`<tk-risk-value-matrix .data=${portfolio} .filter=${{ rm: 'E1024', branch: 'SH01' }}></tk-risk-value-matrix>`,
    );
    const seen: TkCellSelectEvent[] = [];
    el.addEventListener('tk-cell-select', (e) => seen.push(e));
    cellAt(el, 2, 0).click();
    expect(seen[0]?.filter).to.deep.equal({ rm: 'E1024', branch: 'SH01', scheme: 'risk-value', level: 'exit' });
  });

  it('treats an empty subject attribute as "the provider\'s subject", like the badge', async () => {
    const client = new FixtureClient({ tiers: demoTiers });
    const { el } = await inProvider(client, 'C000003', html`<tk-risk-value-matrix subject=""></tk-risk-value-matrix>`);
    await waitUntil(() => current(el), 'C000003 placed');
    expect(at(current(el))).to.equal('0,1');
    expect(client.calls).to.deep.equal(['tiers:C000003']);
  });

  it('is loading, not "no customer selected", while the provider has a subject but no client yet', async () => {
    const { provider, el } = await inProvider(undefined, 'C000003');
    await el.updateComplete;
    expect(shadow(el).querySelector('[part="loading"]')?.outerHTML ?? null).to.not.equal(null);
    expect(shadow(el).querySelector('[part="empty"]')?.outerHTML ?? null).to.equal(null);
    provider.client = new FixtureClient({ tiers: demoTiers });
    await waitUntil(() => current(el), 'placed once the client arrives');
  });
});
