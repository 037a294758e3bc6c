// A relationship manager works their book on the RM demo page with the keyboard only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { axeViolations } from './support/axe.js';
import { fetchAsBank, startServer, tempDataDir, type RunningServer } from './support/server.js';
import { buildWidgets } from './support/builds.js';

const CUSTOMERS = 300;
let server: RunningServer;
let browser: Browser;

before(async () => {
  buildWidgets();
  server = await startServer({ DATABASE_URL: join(tempDataDir(), 'tierkit.db'), DEMO_CUSTOMERS: String(CUSTOMERS) });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('relationship-manager page', () => {
  it('shows the RM’s own book in the matrix and lists a cell chosen with the keyboard', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url + '/rm.html');
    const matrix = page.locator('tk-risk-value-matrix');
    // The nine-box plus the row of customers not yet assessed for AML, shown apart: 4 × 3 cells.
    await page.waitForFunction(
      () => (document.querySelector('tk-risk-value-matrix')?.shadowRoot?.querySelectorAll('[role="gridcell"]').length ?? 0) === 12,
      null,
      { timeout: 30_000 },
    );

    // The portfolio is the demo RM's book (RM001's quarter of the customers), never the whole tenant:
    // the cells the page shows add up to the book's count, and every customer sits in exactly one cell.
    const tenant = (await (await fetchAsBank(server.url + '/v1/matrix/risk-value')).json()) as { total: number };
    const book = (await (await fetchAsBank(server.url + '/v1/matrix/risk-value?manager=RM001')).json()) as {
      total: number;
      counts: { count: number }[];
    };
    assert.equal(
      book.counts.reduce((s, c) => s + c.count, 0),
      book.total,
    );
    assert.ok(tenant.total >= CUSTOMERS && book.total === Math.ceil(CUSTOMERS / 4), `book ${book.total} of ${tenant.total}`);
    const shown = await matrix.evaluate((el) =>
      [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role="gridcell"] .count')].reduce(
        (sum, c) => sum + Number(/([\d,]+)/.exec(c.textContent ?? '')?.[1]?.replace(/,/g, '') ?? NaN),
        0,
      ),
    );
    assert.equal(shown, book.total, 'the page counts the RM’s book');

    // Find the fullest cell, then reach it by keyboard alone from the first cell.
    const cells = await matrix.evaluate((el) =>
      [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role="gridcell"]')].map((c) => c.textContent ?? ''),
    );
    assert.equal(cells.length, 12);
    // Tab from the top of the page: past the locale and theme selects and the table-view toggle, the
    // grid is one tab stop (roving tabindex). A handful of presses must reach it.
    let focused: string | null = null;
    for (let presses = 0; presses < 6 && focused !== 'gridcell'; presses++) {
      await page.keyboard.press('Tab');
      focused = await matrix.evaluate((el) => el.shadowRoot?.activeElement?.getAttribute('role') ?? null);
    }
    assert.equal(focused, 'gridcell', 'Tab reaches the grid');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const moved = await matrix.evaluate((el) => el.shadowRoot?.activeElement?.textContent ?? '');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !/加载/.test(document.getElementById('cell-status')?.textContent ?? '加载'), null, {
      timeout: 15_000,
    });
    // The list is that cell's customers: as many as the cell counts (or the first page of them),
    // and the status line gives the cell's full count, not just the page.
    const cellCount = Number(/([\d,]+)/.exec(moved)?.[1]?.replace(/,/g, '') ?? NaN);
    assert.ok(Number.isInteger(cellCount), `the cell shows its count: ${moved}`);
    const status = (await page.textContent('#cell-status')) ?? '';
    const listed = await page.locator('#cell-subjects li').count();
    if (cellCount === 0) {
      assert.equal(listed, 0);
    } else {
      assert.ok(listed > 0 && listed <= cellCount, `listed ${listed} of ${cellCount}`);
      assert.ok(status.includes(cellCount.toLocaleString('zh-CN')), `status "${status}" gives the cell's count ${cellCount}`);
    }
    // Switching language re-words the page around the widgets, the status line included.
    await page.selectOption('#locale-switch', 'en');
    assert.equal(await page.textContent('#book-h'), 'My customers: risk–value matrix');
    const english = (await page.textContent('#cell-status')) ?? '';
    if (cellCount === 0) assert.equal(english, 'No customers in this cell.');
    else assert.match(english, cellCount === 1 ? /^1 customer$/ : /customers$/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('titles the customer’s benefits as the customer’s, not in their own voice (「我的权益」), in each language', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/rm.html');
    const title = () =>
      page.waitForFunction(() => document.querySelector('tk-entitlement-panel')?.shadowRoot?.querySelector('[part~="title"]')?.textContent);
    assert.equal(await (await title()).jsonValue(), '客户权益');
    for (const [locale, words] of [
      ['zh-TW', '客戶權益'],
      ['en', 'Customer benefits'],
    ] as const) {
      await page.selectOption('#locale-switch', locale);
      await page.waitForFunction(
        (w) => document.querySelector('tk-entitlement-panel')?.shadowRoot?.querySelector('[part~="title"]')?.textContent === w,
        words,
      );
    }
    await page.close();
  });

  it('has no axe violations, its headings in order from the page’s h1 to the widgets’ own', async () => {
    // axe is injected as a script, which the page's own CSP rightly forbids: this context bypasses CSP.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(server.url + '/rm.html');
    await page.waitForFunction(
      () => (document.querySelector('tk-risk-value-matrix')?.shadowRoot?.querySelectorAll('[role="gridcell"]').length ?? 0) === 12,
      null,
      { timeout: 30_000 },
    );
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  });

  it('keeps the selected cell visible in forced colours (Windows high contrast) once focus has moved on', async () => {
    const context = await browser.newContext({ forcedColors: 'active' });
    const page = await context.newPage();
    await page.goto(server.url + '/rm.html');
    const matrix = page.locator('tk-risk-value-matrix');
    await page.waitForFunction(
      () => (document.querySelector('tk-risk-value-matrix')?.shadowRoot?.querySelectorAll('[role="gridcell"]').length ?? 0) === 12,
      null,
      { timeout: 30_000 },
    );
    await matrix.locator('[role="gridcell"]').nth(4).click();
    // The RM reads the list beside the matrix: the grid no longer has focus, its selection must still show.
    await page.locator('#cell-status').click();
    const looks = await matrix.evaluate((el) =>
      [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role="gridcell"]')].map((c) => {
        const s = getComputedStyle(c);
        return `${c.getAttribute('aria-selected')} ${s.borderTopColor} ${s.borderTopStyle} ${s.borderTopWidth} ${s.outlineStyle}`;
      }),
    );
    const selected = looks.filter((l) => l.startsWith('true'));
    assert.equal(selected.length, 1, looks.join('\n'));
    const others = looks.filter((l) => !l.startsWith('true')).map((l) => l.replace(/^\S+ /, ''));
    assert.ok(!others.includes(selected[0]!.replace(/^\S+ /, '')), `the selected cell looks like another: ${looks.join('\n')}`);
    await context.close();
  });
});
