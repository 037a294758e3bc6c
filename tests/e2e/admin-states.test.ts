// The admin console where staff meet it at its edges, in real Chromium against the real server: on a
// phone-wide screen (WCAG 1.4.10 reflow: no page scrolls sideways; a wide table scrolls in its card),
// and with the server gone (every page says so in the console's language, not the browser's English).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { axeViolations, SHOTS as shots } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';

const t = consoleUnderTest(60);

async function signIn(page: Page, as: 'maker' | 'checker', lang = 'zh-CN'): Promise<void> {
  await page.goto(`${t.server.url}/admin/?lang=${lang}`);
  await page.locator(`button[data-as="${as}"]`).click();
  await page.locator('[data-testid="who"]').waitFor();
}

/** The navigation's pages for this session, by id. */
const pageIds = (page: Page) => page.$$eval('a[data-page-link]', (as) => as.map((a) => a.getAttribute('data-page-link') ?? ''));

/** Goes to a page and waits until none of its status lines says it is loading. */
async function show(page: Page, id: string): Promise<void> {
  await page.locator(`a[data-page-link="${id}"]`).click();
  await page.locator('main [data-page]').first().waitFor();
  await page.waitForFunction(
    () =>
      document.querySelector('main [data-page]') !== null &&
      ![...document.querySelectorAll('main [role="status"]')].some((s) => /正在|…/.test(s.textContent ?? '')),
    null,
    { timeout: 30_000 },
  );
}

describe('admin console: narrow screens and a server gone', () => {
  for (const as of ['maker', 'checker'] as const) {
    it(`no page scrolls sideways at 375 px wide (${as})`, async () => {
      const context = await t.browser.newContext({ viewport: { width: 375, height: 800 } });
      const page = await context.newPage();
      await signIn(page, as, 'en');
      const ids = await pageIds(page);
      assert.ok(ids.length >= 5, `the ${as} has the console's pages (${ids.join(', ')})`);
      for (const id of ids) {
        await show(page, id);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        await page.screenshot({ path: join(shots, `admin-narrow-${as}-${id}.png`) });
        assert.ok(width <= 375, `${id}: the page is ${width} px wide on a 375 px screen`);
      }
      await context.close();
    });
  }

  it('the window’s title names the page shown, in the console’s language', async () => {
    const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${t.server.url}/admin/`);
    await page.waitForFunction(() => document.title === '登录（演示） · tierkit 管理台');
    await page.locator('button[data-as="checker"]').click();
    await page.locator('[data-testid="who"]').waitFor();
    for (const id of await pageIds(page)) {
      const name = ((await page.textContent(`a[data-page-link="${id}"]`)) ?? '').trim();
      await page.locator(`a[data-page-link="${id}"]`).click();
      await page.waitForFunction((want) => document.title === want, `${name} · tierkit 管理台`);
    }
    await page.selectOption('.bar .lang select', 'en');
    await page.waitForFunction(() => / · tierkit console$/.test(document.title));
    assert.equal(await page.title(), `${((await page.textContent('a[aria-current="page"]')) ?? '').trim()} · tierkit console`);
    await context.close();
  });

  it('in zh-TW every page is in Traditional characters, titled so, with no axe violation', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, 'checker', 'zh-TW');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-TW');
    assert.equal(await page.inputValue('.bar .lang select'), 'zh-TW');
    // Characters that exist only in Simplified script; the console's own words must not use them.
    const simplified = /[户级载审询选时页务导评这个为关权类经览]/;
    for (const id of await pageIds(page)) {
      await show(page, id);
      const words = await page.$$eval(
        'nav a, main h2, main h3, main label, main button, main legend, main th, main [role="status"]',
        (els) => els.map((e) => e.textContent?.replace(/\s+/g, ' ').trim() ?? ''),
      );
      const off = words.filter((w) => simplified.test(w));
      assert.deepEqual(off, [], `${id}: Simplified characters`);
      assert.match(await page.title(), / · tierkit 管理臺$/);
      assert.deepEqual(await axeViolations(page), [], `${id} (zh-TW)`);
    }
    await page.screenshot({ path: join(shots, 'admin-zh-TW.png'), fullPage: true });
    await context.close();
  });

  it('with the server unreachable every page says so in the console’s language', async () => {
    const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, 'checker');
    const ids = (await pageIds(page)).filter((id) => id !== 'book' && id !== 'import');
    // The console's own files stay reachable; every API request fails as with the server stopped.
    await context.route('**/v1/**', (r) => r.abort('connectionrefused'));
    for (const id of ids) {
      await show(page, id);
      const said = (await page.$$eval('main [role="status"]', (ss) => ss.map((s) => s.textContent ?? ''))).join(' | ');
      assert.doesNotMatch(said, /Failed to fetch/, `${id}: ${said}`);
      assert.match(said, /无法连接服务器/, `${id}: ${said}`);
    }
    await page.screenshot({ path: join(shots, 'admin-unreachable.png'), fullPage: true });
    await context.close();
  });
});
