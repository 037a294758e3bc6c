// The audit page's Export button in real Chromium against the real server: the checker's session (a
// staff token in a header, no key in the URL) downloads the CSV of the filter the list shows, under the
// server's file name, with the BOM Excel needs; the button is worded in each language; axe passes.
// Where the browser has no save dialog that writes as the file arrives (Firefox, Safari: the test takes
// Chromium's away), the file is held in memory under a cap; where it has one, the export goes to the
// file picked, whole (the dialog answered with a file of the origin's own file system, which the test
// reads back).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';

const t = consoleUnderTest(5);

const auditSettled = (page: Page) =>
  page.waitForFunction(() => {
    const s = document.querySelector('[data-testid="audit-status"]')?.textContent ?? '';
    return s !== '' && !/加载|載入|Loading/.test(s);
  });

describe('admin console: exporting the audit trail', () => {
  it('downloads the shown filter’s CSV through the session, named by the server, in each language', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    // A browser without the File System Access API's save dialog, as Firefox and Safari are.
    await context.addInitScript(() => {
      delete (window as { showSaveFilePicker?: unknown }).showSaveFilePicker;
    });
    const page = await context.newPage();
    const exports: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/v1/audit/export') exports.push(`${url.search} ${r.headers().authorization ? 'with' : 'without'} credential`);
    });
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="checker"]').click();
    await page.locator('[data-testid="who"]').waitFor();
    await page.locator('a[data-page-link="audit"]').click();
    await auditSettled(page);
    assert.equal((await page.locator('button[data-action="export"]').textContent())?.trim(), '导出');

    await page.selectOption('select[name="method"]', 'START');
    await page.locator('form.audit-filters button[type="submit"]').click();
    await auditSettled(page);
    const shown = await page.locator('.audit-table tbody tr').count();
    assert.ok(shown > 0, 'the server’s start-up wrote records');

    const download = page.waitForEvent('download');
    await page.locator('button[data-action="export"]').click();
    const file = await download;
    assert.match(file.suggestedFilename(), /^audit-demo-start-\d{8}T\d{6}\+0800-Asia_Shanghai\.csv$/);
    const bytes = readFileSync((await file.path()) ?? '');
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with a BOM');
    const text = bytes.toString('utf8');
    // The tenant, zone and bounds first, an empty line, then the header and the records.
    const lines = text
      .slice(text.indexOf('\r\n\r\n') + 4)
      .split('\r\n')
      .filter(Boolean);
    assert.equal(lines[0]?.split(',')[0], '"序号"');
    assert.equal(lines.length - 1, shown, 'the records the list shows');
    assert.deepEqual(exports, ['?format=csv&limit=20000&method=START with credential'], 'held in memory: capped');
    await page.waitForFunction(() => /已导出 audit-demo-/.test(document.querySelector('[data-testid="audit-export"]')?.textContent ?? ''));
    assert.deepEqual(await axeViolations(page), [], 'audit page with an export done');

    for (const [lang, label] of [
      ['zh-TW', '匯出'],
      ['en', 'Export'],
    ] as const) {
      await page.selectOption('.lang select', lang);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      assert.equal((await page.locator('button[data-action="export"]').textContent())?.trim(), label);
    }
    await context.close();
  });

  it('writes the whole JSON lines export to the file picked where the browser can, and says where it ends', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    // The save dialog answered with a file of the origin's private file system: a real writable file stream.
    await context.addInitScript(() => {
      (window as { showSaveFilePicker?: unknown }).showSaveFilePicker = async () =>
        (await navigator.storage.getDirectory()).getFileHandle('picked.jsonl', { create: true });
    });
    const page = await context.newPage();
    const exports: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/v1/audit/export') exports.push(url.search);
    });
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="checker"]').click();
    await page.locator('[data-testid="who"]').waitFor();
    await page.locator('a[data-page-link="audit"]').click();
    await auditSettled(page);
    await page.selectOption('select[name="export-format"]', 'jsonl');
    await page.locator('button[data-action="export"]').click();
    await page.waitForFunction(() => /已导出 audit-demo-/.test(document.querySelector('[data-testid="audit-export"]')?.textContent ?? ''));
    assert.deepEqual(exports, ['?format=jsonl'], 'no cap: the file is on disk, not in the tab');
    const text = await page.evaluate(async () => {
      const handle = await (await navigator.storage.getDirectory()).getFileHandle('picked.jsonl');
      return (await handle.getFile()).text();
    });
    const records = text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { seq: number; hash: string });
    assert.equal(records[0]?.seq, 1, 'from the chain’s start');
    const last = records[records.length - 1];
    const status = (await page.locator('[data-testid="audit-export"]').textContent()) ?? '';
    assert.ok(last && status.includes(`--through ${last.seq} --head ${last.hash}`), status);
    assert.equal(await page.locator('[data-testid="audit-export-limited"]').count(), 0, 'not said to be cut');
    await context.close();
  });
});
