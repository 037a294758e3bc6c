// A bank portal's token renewal against the real server: the portal's page (tests/e2e/portal, an
// origin of its own) loads the widgets from the server's /widgets/tierkit.js, and its backend mints
// embed tokens with an embedder key through the real POST /v1/embed-tokens, as short-lived as the
// server allows. When a token expires the next reads are refused (401) by the server itself, and
// renewingFetch renews once for all four widgets and sends them again: the widgets go on showing,
// never an error in between. A renewal that fails shows the widgets' error in zh-CN, zh-TW and en; a
// renewal that hands the page another customer's token is refused by the page's client and shows that customer nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { ADMIN_KEY, startServer, tempDataDir, type RunningServer } from './support/server.js';
import { buildWidgets } from './support/builds.js';
import { apiOf, json } from './support/api.js';
import { startPortal, type Portal } from './portal/host.js';
import { buildReactPortal } from './portal/react-build.js';
import { installRecorder, lastExpiry, pageFlow, until, type Flow } from './portal/flow.js';

let server: RunningServer;
let browser: Browser;
let portal: Portal;

before(async () => {
  buildWidgets();
  server = await startServer({ DATABASE_URL: join(tempDataDir(), 'tierkit.db'), DEMO_CUSTOMERS: '50' });
  // The portal's backend holds an embedder key: it may mint embed tokens and nothing else.
  const made = await json<{ secret: string }>(
    await apiOf(() => server.url)(ADMIN_KEY, '/v1/keys', 'POST', { role: 'embedder', label: 'portal backend' }),
    201,
  );
  portal = await startPortal(server.url, made.secret, await buildReactPortal());
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await portal?.close();
  await server?.stop();
});

/**
 * The portal's page for its signed-in customer, every widget loaded, the first token's life `ttl`
 * seconds: the plain page, or (`react`) the React app's, opened on a PC whose clock runs 20 minutes
 * slow — where reuseToken's renewal 30 s before `expiresAt` comes too late and the API's 401 is the
 * first word of the expiry.
 */
async function openPortal(ttl: number, react?: 'react'): Promise<{ page: Page; flow: Flow }> {
  portal.ttlSeconds = ttl;
  // Each page has its own tokens: an earlier test's 15-minute one is no expiry to wait for.
  portal.minted.length = 0;
  const page = await browser.newPage();
  // Playwright's actions wait without end by default: a missing button would hang the file.
  page.setDefaultTimeout(30_000);
  await installRecorder(page);
  if (react) {
    await page.addInitScript(() => {
      const now = Date.now;
      Date.now = () => now() - 20 * 60_000;
    });
  }
  await page.goto(
    react ? `${portal.origin}/react/?${new URLSearchParams({ api: server.url, subject: portal.customer })}` : `${portal.origin}/`,
  );
  const flow = pageFlow(page, server.url);
  await flow.loaded();
  return { page, flow };
}

describe('a portal renews its customer’s embed token against the real server', () => {
  it('expired: the next reads are refused, one renewal for four widgets, sent again, no error shown', async () => {
    const { page, flow } = await openPortal(3);
    // The first token lives 3 s (the renewed ones 900): wait until the server refuses it.
    await lastExpiry(portal);
    portal.ttlSeconds = 900;
    const mints = portal.minted.length;
    // The portal refreshes the widgets (the customer made a transfer): all four read with the expired token.
    await flow.setLocale('zh-TW');
    await flow.refresh();
    await until(() => portal.minted.length > mints, 'a renewal');
    await flow.loaded();
    assert.equal(portal.minted.length - mints, 1, 'one renewal for the four widgets’ refused reads');
    assert.ok(flow.refused().length >= 1, 'the server itself refused the expired token');
    assert.deepEqual(await flow.errors(), [], 'no widget showed an error, nor fired tk-error');
    assert.match(await flow.text('#tier'), /金卡/, 'the customer’s tier, in zh-TW');
    assert.equal(await page.evaluate(() => window.signedOut), 0);
    await page.close();
  });

  for (const [locale, words] of [
    ['en', 'This could not be loaded right now.'],
    ['zh-CN', '暂时无法加载，请稍后再试。'],
    ['zh-TW', '暫時無法載入，請稍後再試。'],
  ] as const) {
    it(`${locale}: the portal’s backend is down at renewal: the widgets’ error with a retry, which renews`, async () => {
      const { page, flow } = await openPortal(2);
      await lastExpiry(portal);
      portal.failing = 'down';
      portal.ttlSeconds = 900;
      const mints = portal.minted.length;
      const refusals = portal.refusals;
      try {
        await flow.setLocale(locale);
        await flow.refresh();
        await flow.failed('error', words);
        assert.equal(portal.minted.length, mints, 'nothing minted');
        assert.equal(portal.refusals - refusals, 1, 'the backend was asked once for the four widgets');
      } finally {
        // The backend is back: the panel's retry renews and loads.
        portal.failing = undefined;
      }
      await flow.retry('#panel');
      await flow.loadedOne('#panel');
      assert.equal(portal.minted.length - mints, 1);
      await page.close();
    });
  }

  for (const [locale, words] of [
    ['zh-CN', '登录已过期，请重新登录。'],
    ['zh-TW', '登入已逾時，請重新登入。'],
    ['en', 'Your session has ended. Please sign in again.'],
  ] as const) {
    it(`${locale}: the bank’s session ended: "signed out", no retry, the page’s sign-in, no renewal loop`, async () => {
      const { page, flow } = await openPortal(2);
      await lastExpiry(portal);
      portal.failing = 'ended';
      try {
        const refusals = portal.refusals;
        await flow.setLocale(locale);
        await flow.refresh();
        await flow.failed('signed-out', words);
        await page.waitForFunction(() => window.signedOut > 0);
        await page.waitForTimeout(1500); // past renewOn401's first back-off: a loop would have asked again
        assert.equal(portal.refusals - refusals, 1, 'the backend was asked once for the four widgets');
      } finally {
        portal.failing = undefined;
      }
      await page.close();
    });
  }

  it('a renewal that returns another customer’s token shows that customer nothing', async () => {
    const { page, flow } = await openPortal(2);
    const before = await flow.text('#tier');
    await lastExpiry(portal);
    portal.ttlSeconds = 900;
    // The portal's bug: its backend mints for another customer than the page shows.
    portal.mintFor = 'C000005';
    try {
      await flow.setLocale('en');
      await flow.refresh();
      await flow.failed('forbidden', "This can't be shown here.");
      assert.equal(portal.minted.at(-1)?.subject, 'C000005', 'the renewal did return C000005’s token');
      assert.deepEqual(flow.asked('C000005'), [], 'nothing of C000005 was asked for');
      // renewingFetch refused C000005's token itself (TokenHolderChangedError, a 403): no read was sent
      // with it, so the server had nothing to refuse; the widgets dropped what they showed.
      assert.deepEqual(flow.forbidden(), [], 'no read carried the other customer’s token');
      const shown = await flow.allText();
      assert.doesNotMatch(shown, /Gold|Platinum|Diamond|C000005/, `nobody's level is shown: ${shown}`);
      assert.notEqual(before, '');
    } finally {
      portal.mintFor = undefined;
    }
    await page.close();
  });
});

describe('the same portal in React (@tierkit/react, built with Vite)', () => {
  it('expired: one renewal for four widgets, sent again, no error shown', async () => {
    const { page, flow } = await openPortal(5, 'react');
    assert.equal(portal.minted.length, 1, 'reuseToken: the four widgets’ first reads share one mint');
    await lastExpiry(portal);
    portal.ttlSeconds = 900;
    // The customer presses the page's refresh: all four widgets read with the expired token.
    await page.locator('#refresh').click();
    await until(() => portal.minted.length > 1, 'a renewal');
    await flow.loaded();
    assert.equal(portal.minted.length, 2, 'one renewal for the four widgets’ refused reads');
    assert.ok(flow.refused().length >= 1, 'the server itself refused the expired token');
    assert.deepEqual(await flow.errors(), [], 'no widget showed an error, nor fired tk-error');
    assert.match(await flow.text('#tier'), /金卡/);
    await page.close();
  });

  it('zh-TW: the bank’s session ended at renewal: "signed out" in zh-TW, the app’s sign-in', async () => {
    const { page, flow } = await openPortal(2, 'react');
    await lastExpiry(portal);
    portal.failing = 'ended';
    try {
      await page.locator('#locale').selectOption('zh-TW');
      await page.locator('#refresh').click();
      await flow.failed('signed-out', '登入已逾時，請重新登入。');
      await page.locator('#signed-out').waitFor();
    } finally {
      portal.failing = undefined;
    }
    await page.close();
  });
});
