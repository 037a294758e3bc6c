// A keyboard user who cancels or resumes a job keeps their place: the pressed button is disabled while
// the API answers and then replaced (Cancel by Resume, Resume by Cancel), and focus goes to the button
// that took its place instead of falling to the page's start. The server runs no job chunks
// (TIERKIT_WORKER=off), so a job stays running until it is cancelled, as a long one would. Axe-clean.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY } from './support/server.js';

const t = consoleUnderTest(20, { TIERKIT_SCHEDULE: 'off', TIERKIT_WORKER: 'off' });

/** The month before last in the bank's zone: closed, and the demo seed has its data. */
function closedMonth(): string {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .format(new Date())
    .split('-')
    .map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 3, 1)).toISOString().slice(0, 7);
}

/** What has focus: its data-action, else its data-testid, else its tag. */
const focused = (page: import('playwright-core').Page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    return a?.getAttribute('data-action') ?? a?.getAttribute('data-testid') ?? a?.tagName ?? '';
  });

describe('admin console: focus after cancelling and resuming a job', () => {
  it('Cancel hands focus to Resume, and Resume back to Cancel', async () => {
    const res = await fetch(`${t.server.url}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'retier', period: closedMonth(), schemes: ['retail-tier'] }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const { id } = (await res.json()) as { id: string };
    // axe is injected as a script, which the page's own CSP rightly forbids: this context bypasses CSP.
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${t.server.url}/admin/?lang=zh-TW`);
    await page.locator('button[data-as="maker"]').click();
    await page.locator('[data-testid="who"]').waitFor();
    await page.evaluate(
      (h) => {
        location.hash = h;
      },
      `#/jobs/${encodeURIComponent(id)}`,
    );
    const cancel = page.locator(`[data-job="${id}"] button[data-action="cancel"]`);
    await cancel.waitFor({ timeout: 30_000 });

    await cancel.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      /cancelled/.test(document.querySelector('[data-testid="job-status"]')?.getAttribute('data-status') ?? ''),
    );
    await page
      .waitForFunction(() => document.activeElement?.getAttribute('data-action') === 'resume', null, { timeout: 5_000 })
      .catch(() => {});
    assert.equal(await focused(page), 'resume', 'focus on Resume, which took Cancel’s place');
    assert.deepEqual(await axeViolations(page), [], 'job page, cancelled, zh-TW');

    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      /running/.test(document.querySelector('[data-testid="job-status"]')?.getAttribute('data-status') ?? ''),
    );
    await page
      .waitForFunction(() => document.activeElement?.getAttribute('data-action') === 'cancel', null, { timeout: 5_000 })
      .catch(() => {});
    assert.equal(await focused(page), 'cancel', 'focus on Cancel, which took Resume’s place');
    assert.deepEqual(await axeViolations(page), [], 'job page, running again, zh-TW');
    await context.close();
  });
});
