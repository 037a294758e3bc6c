// Debian's Chromium driven by playwright-core; no browser download ever happens here.
import { chromium, type Browser, type Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import { CHROME_ARGS, CHROME_PATH } from '../../support/chromium.mjs';

export { CHROME_PATH };

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROME_PATH)) {
    throw new Error(`Chromium not found at ${CHROME_PATH}. Install it (Debian: apt-get install -y chromium) or set CHROME_PATH.`);
  }
  const browser = await chromium.launch({
    executablePath: CHROME_PATH,
    args: [...CHROME_ARGS, '--no-first-run'],
  });
  // The console opens in the browser's language (apps/admin/src/initial-locale.ts): the pages here are a
  // mainland bank's staff's, so a browser prefers zh-CN unless a test asks for another `locale`.
  const newContext = browser.newContext.bind(browser);
  const newPage = browser.newPage.bind(browser);
  browser.newContext = (options = {}) => newContext({ locale: 'zh-CN', ...options });
  browser.newPage = (options = {}) => newPage({ locale: 'zh-CN', ...options });
  return browser;
}

/** Waits until the page's tier timeline shows at least one event (its rows, not its loading state). */
export async function timelineEvents(page: Page): Promise<void> {
  await page.waitForFunction(
    () => (document.querySelector('tk-tier-timeline')?.shadowRoot?.querySelectorAll('[part~="event"]').length ?? 0) > 0,
    null,
    { timeout: 30_000 },
  );
}
