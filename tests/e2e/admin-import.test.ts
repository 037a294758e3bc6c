// A maker imports customers from a CSV file in the admin console (#/import): the real server, the
// console's real bundle, real Chromium. A file with one broken row shows that row's error (line,
// column, why) and imports nothing; the corrected file imports.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import type { Page } from 'playwright-core';
import { axeViolations, SHOTS as shots } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { fetchAsBank } from './support/server.js';

const run = consoleUnderTest(20);

// A core banking export: GBK, Chinese headers. Line 3 has no customer id.
const BROKEN = iconv.encode('客户号,姓名,分行\nE2E01,张晓明,上海分行\n,李四,北京分行\nE2E03,王五,\n', 'gbk');
const FIXED = iconv.encode('客户号,姓名,分行\nE2E01,张晓明,上海分行\nE2E02,李四,北京分行\nE2E03,王五,\n', 'gbk');

async function importedIds(): Promise<string[]> {
  const res = await fetchAsBank(`${run.server.url}/v1/subjects?q=E2E&limit=100`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { items: { id: string }[] }).items.map((s) => s.id);
}

const statusText = (page: Page) => page.textContent('[data-testid="import-status"]').then((t) => t ?? '');
/** Wait until the status says `expected` and nothing is in flight (the previous step's words may linger a frame). */
const settled = (page: Page, expected: RegExp) =>
  page.waitForFunction(
    (source) => {
      const t = document.querySelector('[data-testid="import-status"]')?.textContent ?? '';
      return new RegExp(source).test(t) && !document.querySelector('button[data-action="preview"][disabled]');
    },
    expected.source,
    { timeout: 30_000 },
  );

async function openImport(page: Page): Promise<void> {
  await page.goto(`${run.server.url}/admin/`);
  await page.click('button[data-as="maker"]');
  await page.locator('a[data-page-link="import"]').click();
  await page.locator('input[type="file"][name="file"]').waitFor();
}

async function pickBroken(page: Page): Promise<void> {
  await page.selectOption('select[name="encoding"]', 'gbk');
  await page.setInputFiles('input[type="file"][name="file"]', { name: 'customers.csv', mimeType: 'text/csv', buffer: BROKEN });
  await page.locator('select[data-column="id"]').waitFor();
  await page.selectOption('select[data-column="id"]', '客户号');
  await page.selectOption('select[data-column="name"]', '姓名');
}

describe('admin console: import', () => {
  it('a broken row is shown with its line, column and why, and nothing is imported; the corrected file imports', async () => {
    const page = await run.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(`${m.text()} ${m.location().url}`);
    });
    await openImport(page);
    await page.screenshot({ path: join(shots, 'admin-import-1-empty.png'), fullPage: true });
    await pickBroken(page);
    // The headers were read in the browser, in GBK.
    const offered = await page.$$eval('select[data-column="id"] option', (os) => os.map((o) => o.textContent?.trim()));
    assert.ok(offered.includes('客户号') && offered.includes('分行'), offered.join(','));

    await page.click('button[data-action="preview"]');
    await settled(page, /预检发现/);
    const rows = await page.$$eval('[data-testid="row-errors"] li', (lis) =>
      lis.map((li) => li.textContent?.replace(/\s+/g, ' ').trim() ?? ''),
    );
    assert.equal(rows.length, 1, rows.join(' | '));
    assert.match(rows[0] ?? '', /第 3 行/);
    assert.match(rows[0] ?? '', /客户号/);
    // Why, in the console's words by the error's code (`required`; the API's English says "is empty"), after the reader's own colon.
    assert.match(rows[0] ?? '', /：必填$/, 'and why');
    assert.deepEqual(await importedIds(), [], 'a preview imports nothing');
    await page.screenshot({ path: join(shots, 'admin-import-2-preview-errors.png'), fullPage: true });

    // Uploading anyway (all-or-nothing) is refused and still imports nothing.
    await page.click('button[data-action="upload"]');
    await settled(page, /未导入/);
    assert.match(await statusText(page), /未导入/);
    assert.equal(await page.locator('[data-testid="row-errors"] li').count(), 1);
    assert.deepEqual(await importedIds(), [], 'the API has none of the file’s customers');

    // The corrected file: the mapping stays, the preview passes, the import writes three customers.
    await page.setInputFiles('input[type="file"][name="file"]', { name: 'customers.csv', mimeType: 'text/csv', buffer: FIXED });
    await page.waitForFunction(() => (document.querySelector<HTMLSelectElement>('select[data-column="id"]')?.value ?? '') === '客户号');
    await page.click('button[data-action="preview"]');
    await settled(page, /预检通过/);
    assert.match(await statusText(page), /预检通过/);
    assert.equal(await page.locator('[data-testid="row-errors"] li').count(), 0);
    await page.click('button[data-action="upload"]');
    await settled(page, /导入成功/);
    assert.match(await statusText(page), /导入成功/);
    assert.deepEqual(await importedIds(), ['E2E01', 'E2E02', 'E2E03']);
    await page.screenshot({ path: join(shots, 'admin-import-3-imported.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('a metrics file without its money unit is stopped before sending, in the console’s language', async () => {
    const page = await run.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await openImport(page);
    await page.selectOption('select[name="kind"]', 'metrics');
    const csv = 'subject,period,metric,value\nE2E01,2026-01,avg_daily_balance,100\n';
    await page.setInputFiles('input[type="file"][name="file"]', { name: 'metrics.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.locator('select[data-column="subject"]').waitFor();
    await page.click('button[data-action="preview"]');
    await settled(page, /请先更正/);
    assert.equal((await statusText(page)).trim(), '请先更正： 金额单位: 请选择金额以元还是以分填写');
    await page.selectOption('.lang select', 'en');
    await settled(page, /Correct first/);
    assert.equal((await statusText(page)).trim(), 'Correct first: Money written in: Say whether money is in yuan or fen');
    await page.close();
  });

  it('has no axe violations in zh-CN and en, with row errors shown', async () => {
    const context = await run.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await openImport(page);
    await pickBroken(page);
    await page.click('button[data-action="preview"]');
    await settled(page, /预检发现/);
    await page.locator('[data-testid="row-errors"] li').first().waitFor();
    assert.deepEqual(await axeViolations(page), [], 'zh-CN');
    await page.selectOption('.lang select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en' && /Column mapping/.test(document.body.textContent ?? ''));
    assert.deepEqual(await axeViolations(page), [], 'en');
    await page.screenshot({ path: join(shots, 'admin-import-4-en.png'), fullPage: true });
    await context.close();
  });
});
