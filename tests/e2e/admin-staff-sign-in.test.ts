// A bank runs the server with DEMO_TOKENS=off and its own staff login in front (TIERKIT_CONSOLE_TOKEN_URL):
// the console offers that sign-in and no demo staff, says the real status when the login service
// refuses, and `/` is no demo page whose every panel fails. The real server, bundle and Chromium, behind a
// reverse proxy that routes the token path to the bank's login service, as docs/operations.md describes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect, type Db } from '@tierkit/db';
import type { Browser } from 'playwright-core';
import { bankLoginProxy } from './support/bank-login-proxy.js';
import { launchBrowser } from './support/browser.js';
import { buildConsole } from './support/builds.js';
import { type RunningServer, startServer, tempDataDir } from './support/server.js';

const TOKEN_PATH = '/sso/tierkit-token';
let server: RunningServer;
let browser: Browser;
let db: Db;
let proxy: Awaited<ReturnType<typeof bankLoginProxy>>;
let proxyUrl: string;
/** Who the bank's login says is signed in; undefined: nobody (the login service answers 401). */
let signedIn: string | undefined;

before(async () => {
  buildConsole();
  const databaseUrl = join(tempDataDir(), 'tierkit.db');
  server = await startServer({ DATABASE_URL: databaseUrl, DEMO_CUSTOMERS: '5', DEMO_TOKENS: 'off', TIERKIT_CONSOLE_TOKEN_URL: TOKEN_PATH });
  db = connect({ url: databaseUrl });
  const tenantId = 'demo';
  // The bank's reverse proxy: its login service answers the token path, tierkit everything else.
  proxy = await bankLoginProxy({ db, tenantId: tenantId, serverUrl: server.url, tokenPath: TOKEN_PATH, signedIn: () => signedIn });
  proxyUrl = proxy.url;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await db?.close();
  await server?.stop();
});

describe('the console on a server without demo tokens', () => {
  it('serves a plain page at / saying what is configured, not the demo online banking', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.match(body, /demo pages are off/);
    assert.match(body, /\/sso\/tierkit-token/);
    assert.doesNotMatch(body, /demo\.js/, 'no demo page script');
    assert.equal((await fetch(`${server.url}/demo.js`)).status, 404, 'nor the demo page’s files');
    // The start-up banner says the same: no demo page or demo customer, and how staff sign in.
    assert.doesNotMatch(server.output(), /demo page +http|C000003/);
    assert.match(server.output(), /admin console .*staff sign-in through \/sso\/tierkit-token/);
  });

  it('offers the bank’s staff sign-in, no demo staff, and says the login service’s status when it refuses', async () => {
    signedIn = undefined;
    const page = await browser.newPage({ locale: 'en' });
    await page.goto(`${proxyUrl}/admin/`);
    await page.waitForSelector('button[data-as="staff"]', { timeout: 30_000 });
    assert.equal(await page.locator('button[data-as="admin"]').count(), 0, 'no demo sign-in buttons');
    assert.doesNotMatch((await page.textContent('h2')) ?? '', /demo/i);
    await page.click('button[data-as="staff"]');
    await page.waitForFunction(() => /HTTP 401/.test(document.querySelector('[role="status"]')?.textContent ?? ''), null, {
      timeout: 30_000,
    });
    const said = (await page.textContent('[role="status"]')) ?? '';
    assert.match(said, /staff sign-in service \(\/sso\/tierkit-token\) answered HTTP 401/);
    assert.doesNotMatch(said, /network/i, 'not "cannot reach the server"');
    await page.close();
  });

  it('says a 404 from the token address in zh-CN, pointing at the setting', async () => {
    const page = await browser.newPage();
    // Straight to the server: nothing there answers the token path, as with a proxy not yet set up.
    await page.goto(`${server.url}/admin/`);
    await page.click('button[data-as="staff"]');
    await page.waitForFunction(() => /HTTP 404/.test(document.querySelector('[role="status"]')?.textContent ?? ''), null, {
      timeout: 30_000,
    });
    const said = (await page.textContent('[role="status"]')) ?? '';
    assert.match(said, /员工登录服务（\/sso\/tierkit-token）返回 HTTP 404.*TIERKIT_CONSOLE_TOKEN_URL/);
    assert.doesNotMatch(said, /网络/);
    await page.close();
  });

  it('signs a staff member in through the bank’s login service', async () => {
    signedIn = 'ADMIN01';
    const page = await browser.newPage({ locale: 'en' });
    await page.goto(`${proxyUrl}/admin/`);
    await page.click('button[data-as="staff"]');
    await page.waitForSelector('[data-testid="who"]', { timeout: 30_000 });
    assert.match((await page.textContent('[data-testid="who"]')) ?? '', /郑洁/);
    await page.close();
  });
});

describe('the console on a server with neither demo tokens nor a staff sign-in', () => {
  it('says what is missing instead of offering buttons that cannot work', async () => {
    const other = await startServer({ DATABASE_URL: join(tempDataDir(), 'tierkit.db'), DEMO_CUSTOMERS: '5', DEMO_TOKENS: 'off' });
    try {
      const page = await browser.newPage({ locale: 'zh-TW' });
      await page.goto(`${other.url}/admin/`);
      await page.waitForSelector('[data-testid="sign-in-not-configured"]', { timeout: 30_000 });
      assert.match((await page.textContent('[data-testid="sign-in-not-configured"]')) ?? '', /TIERKIT_CONSOLE_TOKEN_URL/);
      assert.equal(await page.locator('button[data-as]').count(), 0);
      await page.close();
    } finally {
      await other.stop();
    }
  });
});
