// A keyboard user on the jobs page keeps their place: "load more" keeps focus while it loads and hands
// it to the list's status line once the last page has come; a start the API refuses gives focus back
// to the Start button, beside the refusal, instead of dropping it to the page's start.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY } from './support/server.js';

const t = consoleUnderTest(20, { TIERKIT_SCHEDULE: 'off' });

/** The month before last in the bank's zone: closed, and the demo seed has its data. */
function closedMonth(): string {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .format(new Date())
    .split('-')
    .map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 3, 1));
  return d.toISOString().slice(0, 7);
}

describe('admin console: focus on the jobs page', () => {
  it('load more keeps focus, then the list’s status has it; a refused start gives it back to Start', async () => {
    // 21 jobs: one more than the list's first page.
    for (let i = 0; i < 21; i++) {
      const res = await fetch(`${t.server.url}/v1/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'retier', period: closedMonth(), schemes: ['retail-tier'] }),
      });
      assert.equal(res.status, 201, await res.clone().text());
    }
    const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${t.server.url}/admin/?lang=en`);
    await page.locator('button[data-as="maker"]').click();
    await page.locator('a[data-page-link="jobs"]').click();
    await page.waitForFunction(() => /20 .*more/.test(document.querySelector('[data-testid="jobs-status"]')?.textContent ?? ''), null, {
      timeout: 30_000,
    });

    await page.locator('button.more').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-job]').length === 21);
    await page.waitForFunction(() => document.activeElement?.matches('[data-testid="jobs-status"]') === true);
    assert.equal(await page.locator('button.more').count(), 0);

    // A month with no data at all: the API refuses it (422), nothing starts.
    await page.locator('input[name="period"]').fill('2001-01');
    await page.locator('form[data-testid="start-job"] button[type="submit"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (document.querySelector('[data-testid="start-status"]')?.textContent ?? '').trim().length > 0);
    await page.waitForFunction(() => !/Starting/.test(document.querySelector('[data-testid="start-status"]')?.textContent ?? ''));
    // The console gives focus back a frame after it renders the refusal: wait for it, then say where it is.
    await page
      .waitForFunction(() => document.activeElement?.matches('form[data-testid="start-job"] button[type="submit"]') === true, null, {
        timeout: 5_000,
      })
      .catch(() => undefined);
    const focused = await page.evaluate(() => {
      const a = document.activeElement;
      return a ? `${a.tagName} ${a.getAttribute('type') ?? ''} ${a.textContent?.trim() ?? ''}` : '';
    });
    assert.match(focused, /^BUTTON submit /, `focus on ${focused}`);
    assert.match((await page.textContent('[data-testid="start-status"]')) ?? '', /2001/);
    await context.close();
  });
});
