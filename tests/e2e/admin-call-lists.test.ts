// A relationship manager's Monday call lists in the console (the book page): the customers of her book
// in grace and those who moved at the latest re-tier — the same customers the API lists for her book —,
// with the periods used and the gap that keeps the level, from → to and the rule that decided; the
// customer's 评定依据 saying what keeps the level; the whole list as a CSV; in three languages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { axeViolations } from './support/axe.js';
import { bookIds } from './support/book-ids.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY } from './support/server.js';

// 1,200 demo customers: RM001's book of 300 has a few in grace (the demo's figures, seeded the same each run).
const t = consoleUnderTest(1200);

async function showList(page: Page, list: string): Promise<string[]> {
  await page.locator('[data-testid="call-list"]').selectOption(list);
  const answered = page.waitForResponse(
    (r) => r.url().includes('/v1/subjects?') && r.url().includes(list === 'grace' ? 'grace=true' : `change=${list}`),
  );
  await page.locator('.filters button[type="submit"]').click();
  await answered;
  await page.waitForFunction(() => !document.querySelector('.subjects[aria-busy="true"]'));
  await page.waitForTimeout(100);
  // Every page, as the RM would with 加载更多.
  while (await page.locator('button', { hasText: /加载更多|Load more|載入更多/ }).count()) {
    await page.locator('button', { hasText: /加载更多|Load more|載入更多/ }).click();
    await page.waitForTimeout(200);
  }
  return page.locator('.subject-table tbody tr td:first-child').allTextContents();
}

async function language(page: Page, locale: 'zh-CN' | 'zh-TW' | 'en'): Promise<void> {
  await page.selectOption('.bar .lang select', locale);
  await page.waitForFunction((l) => document.documentElement.lang === l, locale);
}

describe('admin console: an RM’s call lists', () => {
  it('lists her customers in grace and those moved at the last re-tier, as the API does, with what keeps each level', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="rm"]').click();
    await page.locator('.subject-table button').first().waitFor();

    const grace = await bookIds(t.server.url, 'grace=true');
    assert.ok(grace.length > 0, 'the demo book has customers in grace');
    assert.deepEqual(await showList(page, 'grace'), grace);
    for (const cell of await page.locator('[data-testid="grace-used"]').allTextContents())
      assert.match(cell, /^低于标准 \d+ 个月，保留至 \d{4}年\d{1,2}月，(\d{4}年)?\d{1,2}月重评降级$/);
    for (const cell of await page.locator('[data-testid="keep-gap"]').allTextContents()) assert.match(cell, /^(¥[\d,.]+|是|否|[\d,.]+)$/);

    // The whole list as a CSV, by core's writer: a header and a row per customer.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-csv"]').click()]);
    const csv = await new Promise<string>((resolve, reject) => {
      download.createReadStream().then((stream) => {
        const parts: Buffer[] = [];
        stream.on('data', (b: Buffer) => parts.push(b));
        stream.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
        stream.on('error', reject);
      }, reject);
    });
    // A title block first (list, month, RM, when, zone), a blank line, then the header and the rows.
    assert.ok(csv.startsWith('\uFEFF"tierkit 客户名单导出"\r\n"名单","宽限期内（将降级）"'), csv.slice(0, 60));
    const lines = csv.trimEnd().split('\r\n');
    const header = lines.findIndex((l) => l.startsWith('"客户号","'));
    assert.equal(header, 7, csv.slice(0, 300));
    assert.equal(lines.length - header, grace.length + 1, 'every customer, and no word of a cut: the list is whole');
    assert.match(download.suggestedFilename(), /^宽限期内（将降级）-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}\.csv$/);

    // The first of them: 评定依据 says what keeps the level and how many periods are left.
    await page.locator(`button[aria-label="打开 ${grace[0]}"]`).click();
    await page.locator('[data-testid="keep-level"]').waitFor();
    const keep = (await page.textContent('[data-testid="keep-level"]')) ?? '';
    assert.match(keep, /再增加 ¥[\d,.]+ 可保住|已达保级标准|为“/);
    assert.match((await page.textContent('[data-testid="grace-left"]')) ?? '', /降至/);
    assert.deepEqual(await axeViolations(page), [], 'zh-CN');

    // Which 陶* is this: an officer on her own customer may show the full name, an audited read.
    await page.locator('[data-testid="show-name"]').click();
    await page.locator('[data-testid="full-name"]').waitFor();
    assert.doesNotMatch((await page.textContent('[data-testid="full-name"]')) ?? '*', /\*/);
    const audit = (await (
      await fetch(`${t.server.url}/v1/audit?limit=100`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })
    ).json()) as {
      items: { route: string; unmasked: boolean; status: number | null }[];
    };
    assert.ok(
      audit.items.some((r) => r.route === '/v1/subjects' && r.unmasked && r.status === 200),
      'recorded as an unmasked read',
    );

    // Who moved at the last re-tier, down or either way: the API's lists of her book, however many.
    assert.deepEqual(await showList(page, 'down'), await bookIds(t.server.url, 'change=down'));
    assert.deepEqual(await showList(page, 'any'), await bookIds(t.server.url, 'change=any'));
    for (const cell of await page.locator('[data-testid="level-change"]').allTextContents()) assert.match(cell, /^\S+ → \S+$/);

    // Any part of an id, in her book: the last four digits of one of hers, as the API finds them.
    const part = (grace[0] ?? '').slice(-4);
    await page.locator('[data-testid="call-list"]').selectOption('');
    await page.locator('.filters input[name="q"]').fill(part);
    const answered = page.waitForResponse((r) => r.url().includes(`idContains=${part}`));
    await page.locator('.filters button[type="submit"]').click();
    await answered;
    await page.waitForTimeout(100);
    const found = await page.locator('.subject-table tbody tr td:first-child').allTextContents();
    assert.ok(found.includes(grace[0] ?? ''), `${part} finds ${grace[0]}`);
    assert.ok(found.every((id) => id.includes(part)));

    await language(page, 'zh-TW');
    assert.match((await page.textContent('[data-testid="call-list"]')) ?? '', /寬限期內/);
    await language(page, 'en');
    assert.match((await page.textContent('[data-testid="call-list"]')) ?? '', /Downgraded at the last re-tier/);
    assert.deepEqual(await axeViolations(page), [], 'en');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
