// A customer who left the bank, in the console: not in the list of current customers, found with
// "including closed", marked in the list, and their page says plainly that they were closed, when (in
// the bank's zone) and why — in three languages, with the levels they left with still shown below.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY } from './support/server.js';

const t = consoleUnderTest(5);

async function language(page: Page, locale: 'zh-CN' | 'zh-TW' | 'en'): Promise<void> {
  await page.selectOption('.bar .lang select', locale);
  await page.waitForFunction((l) => document.documentElement.lang === l, locale);
}

const note = async (page: Page) => (await page.textContent('[data-testid="closed-note"]'))?.replace(/\s+/g, ' ').trim();

describe('admin console: a closed customer', () => {
  it('is left out of the list by default, found with closed customers included, and marked closed with date and reason', async () => {
    // Half past midnight in Shanghai, two days ago: the bank's date, a day after UTC's. Recent, as the
    // API takes no closing dated into a month whose figures are final.
    const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
    const at = `${day}T16:30:00Z`;
    const bankDay = new Date(Date.parse(at) + 8 * 3_600_000).toISOString().slice(0, 10);
    const closed = await fetch(`${t.server.url}/v1/subjects/C000002/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ at, reason: '客户主动销户' }),
    });
    assert.equal(closed.status, 200, await closed.clone().text());

    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="maker"]').click();
    await page.locator('.subject-table button').first().waitFor();
    assert.equal(await page.locator('button[aria-label="打开 C000002"]').count(), 0, 'not among the current customers');

    await page.locator('.filters select[name="closed"]').selectOption('include');
    await page.locator('.filters button[type="submit"]').click();
    await page.locator('button[aria-label="打开 C000002"]').waitFor();
    const row = await page.locator('tr', { has: page.locator('button[aria-label="打开 C000002"]') }).textContent();
    assert.match(row ?? '', /已销户/);
    await page.locator('button[aria-label="打开 C000002"]').click();
    await page.locator('[data-testid="closed-note"]').waitFor();
    assert.equal(
      await note(page),
      `已销户 · 销户时间 ${bankDay} 00:30 (Asia/Shanghai) · 原因：客户主动销户 不再参与分级、矩阵和统计；下方等级为销户时的等级。`,
    );
    // The levels they left with are still shown, as history.
    await page.locator('tk-tier-badge').waitFor();
    assert.deepEqual(await axeViolations(page), [], 'zh-CN');

    await language(page, 'zh-TW');
    assert.ok(((await note(page)) ?? '').startsWith(`已銷戶 · 銷戶時間 ${bankDay} 00:30 (Asia/Shanghai) · 原因：客户主动销户`));
    await language(page, 'en');
    assert.ok(((await note(page)) ?? '').startsWith(`Closed · on ${bankDay} 00:30 (Asia/Shanghai) · Reason: 客户主动销户`));
    assert.deepEqual(await axeViolations(page), [], 'en');

    // Another customer, still a customer, says nothing of it.
    await page.locator('button[aria-label="Open C000001"]').click();
    await page.locator('#detail-h .id', { hasText: 'C000001' }).waitFor();
    await page.locator('tk-tier-badge').waitFor();
    assert.equal(await page.locator('[data-testid="closed-note"]').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
