// The jobs page of a server that runs the monthly schedule says when the month will be queued and that
// months re-tier by themselves, and no "this server does not run it" line; a server that does not say
// (`running: null`, an embedder of createApp that left it out) gets neither an on nor an off line — the
// real server, the console's bundle, Chromium.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { fetchAsBank } from './support/server.js';

const t = consoleUnderTest(20, { TIERKIT_SCHEDULE: 'on' });

async function language(page: Page, locale: 'zh-CN' | 'zh-TW' | 'en'): Promise<void> {
  await page.selectOption('.bar .lang select', locale);
  await page.waitForFunction((l) => document.documentElement.lang === l, locale);
}

const text = async (page: Page, testId: string) => ((await page.locator(`[data-testid="${testId}"]`).textContent()) ?? '').trim();

async function jobsPage(page: Page): Promise<void> {
  await page.goto(`${t.server.url}/admin/`);
  await page.locator('button[data-as="maker"]').click();
  await page.locator('[data-testid="who"]').waitFor();
  await page.locator('a[data-page-link="jobs"]').click();
  // The seed has just written last month: settling.
  await page.locator('[data-testid="schedule-state"][data-state="settling"]').waitFor();
}

describe('admin console: the monthly schedule on, or not said', () => {
  it('a server that runs the schedule: when the month will be queued, the hint, no off line', async () => {
    const schedule = (await (await fetchAsBank(`${t.server.url}/v1/jobs/schedule`)).json()) as { running: boolean | null };
    assert.equal(schedule.running, true, 'the server passes TIERKIT_SCHEDULE=on to the API');
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await jobsPage(page);
    assert.match(
      await text(page, 'schedule-state'),
      /^\d{4}年\d{1,2}月数据已到，等待稳定：若无新数据，.+ 后排队重评（已等 \d+ 天，.+ 起算逾期）$/,
    );
    assert.equal(await text(page, 'schedule-off'), '');
    assert.match(
      (await page.locator('.jobs-schedule .hint').textContent()) ?? '',
      /^上月结束后，其数据到齐并稳定时，系统会自动排队重评（.+）；也可在下方手动启动。$/,
    );
    await language(page, 'zh-TW');
    assert.match(await text(page, 'schedule-state'), /^\d{4}年\d{1,2}月資料已到，等待穩定：若無新資料，.+ 後加入重評佇列（/);
    await language(page, 'en');
    assert.match(await text(page, 'schedule-state'), /’s data is in and settling: queued after .+ if nothing more arrives \(/);
    assert.match((await page.locator('.jobs-schedule .hint').textContent()) ?? '', /^Once last month has ended .* it is queued by itself/);
    assert.deepEqual(await axeViolations(page), [], 'jobs page, schedule on (en)');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('a server that does not say whether it runs the schedule (running null): neither on nor off is claimed', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // The demo server always says; an app embedded without schedule.running answers null.
    await page.route('**/v1/jobs/schedule', async (route) => {
      const res = await route.fetch();
      const body = (await res.json()) as Record<string, unknown>;
      await route.fulfill({ response: res, json: { ...body, running: null } });
    });
    await jobsPage(page);
    assert.match(await text(page, 'schedule-state'), /^\d{4}年\d{1,2}月数据已到（最后写入 .+）（已等 \d+ 天，/);
    assert.equal(await text(page, 'schedule-off'), '');
    assert.equal(await page.locator('.jobs-schedule .hint').count(), 0);
    await context.close();
  });
});
