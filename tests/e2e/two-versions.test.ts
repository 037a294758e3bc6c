// Two portal teams on one page, each with its own copy of tierkit: team A under the default tk-* tags,
// team B registering its copy's classes as bank-*. Both render, under the strict CSP.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { startServer, tempDataDir, type RunningServer } from './support/server.js';
import { buildWidgets } from './support/builds.js';

let server: RunningServer;
let browser: Browser;

before(async () => {
  buildWidgets();
  server = await startServer({ DATABASE_URL: join(tempDataDir(), 'tierkit.db'), DEMO_CUSTOMERS: '100' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('two versions on one page', () => {
  it('renders both teams’ badges from two separate copies of the classes', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    await page.exposeFunction('__tkViolation', (v: string) => problems.push(`CSP ${v}`));
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { __tkViolation(v: string): void }).__tkViolation(e.violatedDirective),
      ),
    );
    await page.goto(server.url + '/two-versions.html');

    // A top level shows no progress, so the badge is the pill itself and its text is the level's name.
    const levelOf = (tag: string) =>
      page.waitForFunction(
        (t) => {
          const el = document.querySelector(t);
          const pill =
            el?.shadowRoot?.querySelector('[part~="level"]') ?? (el?.matches(':state(pill):not(:state(loading))') ? el.shadowRoot : null);
          return pill?.textContent?.trim() || false;
        },
        tag,
        { timeout: 30_000 },
      );
    assert.equal(await (await levelOf('tk-tier-badge')).jsonValue(), '钻石卡');
    assert.equal(await (await levelOf('bank-tier-badge')).jsonValue(), '白金卡');

    const copies = await page.evaluate(() => {
      const a = customElements.get('tk-tier-badge')!;
      const b = Object.getPrototypeOf(customElements.get('bank-tier-badge')!) as CustomElementConstructor;
      // Inline on purpose: a named helper here would carry the test transpiler's __name into the page.
      return { sameClass: a === b, sameLit: Object.getPrototypeOf(a) === Object.getPrototypeOf(b) };
    });
    assert.equal(copies.sameClass, false, 'team B registered its own copy of the class');
    assert.equal(copies.sameLit, false, 'each copy brings its own Lit');
    assert.deepEqual(problems, []);
    await page.close();
  });
});

describe('Trusted Types with two copies', () => {
  it('serves the two-copy page with allow-duplicates for lit-html, and every other page without it', async () => {
    const two = (await fetch(server.url + '/two-versions.html')).headers.get('content-security-policy') ?? '';
    assert.match(two, /trusted-types lit-html 'allow-duplicates'/);
    assert.match(two, /require-trusted-types-for 'script'/);
    const one = (await fetch(server.url + '/')).headers.get('content-security-policy') ?? '';
    assert.doesNotMatch(one, /allow-duplicates/);
  });
});
