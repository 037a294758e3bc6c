// A relationship manager's 潜力客户 list in the console (the book page): the customers of her book within
// an amount of the next level, nearest first — the same customers, in the same order, the API lists
// for her book — with the gap in money by core's formatter; the whole list as a CSV; the grace list by
// periods left; an amount the field cannot read said beside it; in three languages, axe-clean.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations } from './support/axe.js';
import { bookIds } from './support/book-ids.js';
import { consoleUnderTest } from './support/console.js';

// 1,200 demo customers: RM001's book of 300 (the demo's figures, seeded the same each run).
const t = consoleUnderTest(1200);

/** Submit the filters and read every page of the list, as the RM would with 加载更多. */
async function submitted(page: Page, expect: string): Promise<string[]> {
  const answered = page.waitForResponse((r) => r.url().includes('/v1/subjects?') && r.url().includes(expect));
  await page.locator('.filters button[type="submit"]').click();
  await answered;
  await page.waitForFunction(() => !document.querySelector('.subjects[aria-busy="true"]'));
  await page.waitForTimeout(100);
  while (await page.locator('button', { hasText: /加载更多|Load more|載入更多/ }).count()) {
    await page.locator('button', { hasText: /加载更多|Load more|載入更多/ }).click();
    await page.waitForTimeout(200);
  }
  return page.locator('.subject-table tbody tr td:first-child').allTextContents();
}

/** `¥12,345.67` as fen. */
const fen = (text: string) => {
  const m = /^¥([\d,]+)(?:\.(\d{2}))?$/.exec(text);
  assert.ok(m, text);
  return Number((m[1] ?? '').replaceAll(',', '')) * 100 + Number(m[2] ?? 0);
};

async function language(page: Page, locale: 'zh-CN' | 'zh-TW' | 'en'): Promise<void> {
  await page.selectOption('.bar .lang select', locale);
  await page.waitForFunction((l) => document.documentElement.lang === l, locale);
}

describe('admin console: an RM’s 潜力客户 list', () => {
  it('lists her customers within the amount of the next level, nearest first, as the API does', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="rm"]').click();
    await page.locator('.subject-table button').first().waitFor();

    // No amount: said beside the field, nothing asked of the API.
    await page.locator('[data-testid="call-list"]').selectOption('near');
    await page.locator('.filters button[type="submit"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="near-amount"]')?.getAttribute('aria-invalid') === 'true');
    assert.match((await page.textContent('[data-testid="near-hint"]')) ?? '', /请填写潜力客户的金额/);

    const want = await bookIds(t.server.url, 'nearNext=5000000&currency=CNY&sort=gap');
    assert.ok(want.length > 1, 'the demo book has customers within ¥50,000 of their next level');
    await page.locator('[data-testid="near-amount"]').fill('50000');
    assert.deepEqual(await submitted(page, 'nearNext=5000000'), want);
    const gaps = (await page.locator('[data-testid="near-gap"]').allTextContents()).map(fen);
    assert.equal(gaps.length, want.length);
    assert.ok(
      gaps.every((g, i) => g <= 5_000_000 && (i === 0 || (gaps[i - 1] as number) <= g)),
      `within ¥50,000, nearest first: ${gaps}`,
    );
    assert.deepEqual(await axeViolations(page), [], 'zh-CN');

    // The whole list as a CSV, by core's writer: a header and a row per customer, the gap last.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-csv"]').click()]);
    const csv = await new Promise<string>((resolve, reject) => {
      download.createReadStream().then((stream) => {
        const parts: Buffer[] = [];
        stream.on('data', (b: Buffer) => parts.push(b));
        stream.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
        stream.on('error', reject);
      }, reject);
    });
    // Past the title block (tests/e2e/admin-call-lists.test.ts): the header, then the rows.
    const lines = csv.trimEnd().split('\r\n').slice(7);
    assert.equal(lines.length, want.length + 1);
    assert.ok(lines[1]?.startsWith(`"${want[0]}",`), lines[1]);
    assert.ok(lines[1]?.endsWith(`"${(await page.locator('[data-testid="near-gap"]').first().textContent()) ?? ''}"`), lines[1]);

    // The grace list by periods left, fewest first.
    await page.locator('[data-testid="call-list"]').selectOption('grace');
    await page.locator('[data-testid="grace-sort"]').check();
    assert.deepEqual(await submitted(page, 'sort=monthsLeft'), await bookIds(t.server.url, 'grace=true&sort=monthsLeft'));
    // A customer whose level an override holds has no periods left (—) and comes last.
    const left = (await page.locator('[data-testid="grace-left-count"]').allTextContents()).map((t) =>
      t === '—' ? Number.POSITIVE_INFINITY : Number(t),
    );
    assert.ok(left.length > 0 && left.every((n, i) => i === 0 || (left[i - 1] as number) <= n), `fewest first: ${left}`);

    await language(page, 'zh-TW');
    assert.match((await page.textContent('[data-testid="call-list"]')) ?? '', /潛力客戶/);
    await language(page, 'en');
    assert.match((await page.textContent('[data-testid="call-list"]')) ?? '', /Close to the next level/);
    assert.deepEqual(await axeViolations(page), [], 'en');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
