// The online-banking demo page's own chrome, which banks copy: recovering from a refused credential
// (the components README's 401 recipe), the display settings in the reader's language, the system's
// dark mode by default, and a header that fits a 320 px phone with WCAG 1.4.12 text spacing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { startServer, tempDataDir, type RunningServer } from './support/server.js';
import { buildWidgets } from './support/builds.js';

let server: RunningServer;
let browser: Browser;

before(async () => {
  buildWidgets();
  server = await startServer({ DATABASE_URL: join(tempDataDir(), 'tierkit.db'), DEMO_CUSTOMERS: '50' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const badgeText = (page: Page) => page.evaluate(() => document.querySelector('section.hero tk-tier-badge')?.shadowRoot?.textContent ?? '');
const expired = JSON.stringify({ type: 'https://tierkit.dev/problems/unauthorized', title: 'Unauthorized', status: 401 });

describe('online-banking demo page: session and chrome', () => {
  it('recovers from a 401 on its own: renews the token once and reads the widgets again', async () => {
    const page = await browser.newPage();
    const mints: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/demo/embed-token') mints.push(new URL(r.url()).search);
    });
    // The first tiers read is refused, as an expired or revoked token is; every later one goes through.
    let refused = 0;
    await page.route('**/v1/subjects/C000003/tiers*', (route) => {
      if (refused++ === 0) return route.fulfill({ status: 401, contentType: 'application/problem+json', body: expired });
      return route.continue();
    });
    await page.goto(server.url + '/');
    await page.waitForFunction(
      () => /金卡/.test(document.querySelector('section.hero tk-tier-badge')?.shadowRoot?.textContent ?? ''),
      null,
      {
        timeout: 30_000,
      },
    );
    assert.ok(refused >= 2, 'the badge read again after the refusal');
    assert.equal(mints.filter((q) => q === '?subject=C000003').length, 2, 'one renewal: the first token, then one new one');
    assert.doesNotMatch(await badgeText(page), /登录已过期/);
    assert.equal(await page.locator('#session-ended').isHidden(), true, 'no sign-in offered for a renewal that worked');
    await page.close();
  });

  it('offers the sign-in, in the reader’s language, when the renewed credential is refused too, and recovers after it', async () => {
    const page = await browser.newPage();
    // The bank's own session ended: its token endpoint refuses until the customer signs in again.
    let signedIn = false;
    await page.route('**/demo/embed-token*', (route) =>
      signedIn ? route.continue() : route.fulfill({ status: 401, contentType: 'application/problem+json', body: expired }),
    );
    await page.goto(server.url + '/');
    await page.locator('#locale-switch').selectOption('zh-TW');
    const bar = page.locator('#session-ended');
    await bar.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await bar.textContent()) ?? '', /登入已逾時，請重新登入。/);
    const signIn = page.getByRole('button', { name: '重新登入' });
    assert.equal(await signIn.evaluate((b) => b === document.activeElement), true, 'focus moves to the sign-in');
    signedIn = true;
    await signIn.click();
    await page.waitForFunction(
      () => /金卡/.test(document.querySelector('section.hero tk-tier-badge')?.shadowRoot?.textContent ?? ''),
      null,
      {
        timeout: 30_000,
      },
    );
    assert.equal(await bar.isHidden(), true);
    await page.close();
  });

  it('names its display settings and theme choices in zh-CN, zh-TW and en', async () => {
    const page = await browser.newPage();
    await page.goto(server.url + '/');
    const read = () =>
      page.evaluate(() => ({
        form: document.querySelector('form.switchers')?.getAttribute('aria-label'),
        options: [...document.querySelectorAll('#theme-switch option')].map((o) => o.textContent?.trim()),
      }));
    assert.deepEqual(await read(), { form: '显示设置', options: ['跟随系统', '浅色', '深色'] });
    await page.locator('#locale-switch').selectOption('zh-TW');
    assert.deepEqual(await read(), { form: '顯示設定', options: ['跟隨系統', '淺色', '深色'] });
    await page.locator('#locale-switch').selectOption('en');
    assert.deepEqual(await read(), { form: 'Display settings', options: ['Auto (system)', 'Light', 'Dark'] });
    await page.close();
  });

  it('follows a phone in dark mode by default', async () => {
    const page = await browser.newPage({ colorScheme: 'dark' });
    await page.goto(server.url + '/');
    assert.equal(await page.locator('#theme-switch').inputValue(), 'auto');
    assert.equal(await page.locator('#tk').getAttribute('theme'), 'auto');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(1, 4, 9)', 'the dark page background, not white');
    await page.close();
  });

  it('keeps the header within a 320 px screen with WCAG 1.4.12 text spacing, the theme select whole', async () => {
    const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
    await page.goto(server.url + '/');
    // A constructed sheet, as a reader's text-spacing bookmarklet adds one: the page's CSP refuses a <style>.
    await page.evaluate(() => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync('*{line-height:1.5!important;letter-spacing:.12em!important;word-spacing:.16em!important}');
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    });
    const m = await page.evaluate(() => {
      const bar = document.querySelector('header.bank-bar') as HTMLElement;
      const theme = document.getElementById('theme-switch') as HTMLElement;
      return { bar: bar.scrollWidth, page: document.documentElement.scrollWidth, themeRight: theme.getBoundingClientRect().right };
    });
    assert.ok(m.bar <= 320, `the header is ${m.bar} px wide`);
    assert.ok(m.page <= 320, `the page is ${m.page} px wide`);
    assert.ok(m.themeRight <= 320, `the theme select ends at ${m.themeRight} px`);
    await page.close();
  });
});
