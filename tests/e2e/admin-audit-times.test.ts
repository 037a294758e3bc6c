// The audit page's time range in real Chromium against a server whose bank keeps New York's clocks:
// a bound that falls in the spring-forward gap (2026-03-08 02:30 never happens there) is refused at
// its field, in each language, and nothing is searched with half a filter; a real time is searched
// as the UTC instant it is. axe passes with the refusal shown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { axeViolations } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';

const t = consoleUnderTest(20, { TIERKIT_TIME_ZONE: 'America/New_York' });

const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();

const auditSettled = (page: Page) =>
  page.waitForFunction(() => {
    const s = document.querySelector('[data-testid="audit-status"]')?.textContent ?? '';
    return s !== '' && !/加载|載入|Loading/.test(s);
  });

const SKIPPED = {
  'zh-CN': '该时间因夏令时调整而不存在（时钟跳过了这一段），请改填其他时间',
  'zh-TW': '該時間因夏令時調整而不存在（時鐘跳過了這一段），請改填其他時間',
  en: 'the clocks skip this time (daylight saving): it never happened — enter another',
} as const;

describe('admin console: the audit trail’s time range in a zone with summer time', () => {
  it('a gap time is refused at its field in zh-CN, zh-TW and en, nothing is searched, and axe passes; a real time is searched', async () => {
    // axe is injected as a script, which the page's own CSP rightly forbids: this context bypasses CSP.
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const searched: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/v1/audit') searched.push(new URL(r.url()).search);
    });
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="checker"]').click();
    await page.locator('[data-testid="who"]').waitFor();
    await page.locator('a[data-page-link="audit"]').click();
    await auditSettled(page);
    assert.match(await text(page, '#audit-zone-hint'), /America\/New_York/);

    const before = searched.length;
    await page.fill('input[name="target"]', 'C000001');
    await page.fill('input[name="from"]', '2026-03-08T02:30');
    await page.locator('form.audit-filters button[type="submit"]').click();
    // The field says what is wrong, is marked, described by it, and has focus; the summary is announced.
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'from');
    assert.equal(await page.getAttribute('input[name="from"]', 'aria-invalid'), 'true');
    assert.equal(await page.getAttribute('input[name="from"]', 'aria-describedby'), 'audit-zone-hint audit-from-error');
    assert.equal(await text(page, '#audit-from-error'), SKIPPED['zh-CN']);
    assert.equal(await page.getAttribute('[data-testid="audit-form-error"]', 'role'), 'alert');
    assert.equal(await text(page, '[data-testid="audit-form-error"]'), '请更正标出的内容，未按此条件查找。');
    assert.equal(await page.getAttribute('input[name="to"]', 'aria-invalid'), 'false');
    assert.equal(searched.length, before, 'nothing searched with half a filter');
    assert.deepEqual(await axeViolations(page), [], 'audit zh-CN, a bound refused');

    // The refusal follows the language the page is read in.
    for (const [lang, summary] of [
      ['zh-TW', '請更正標出的內容，未按此條件查詢。'],
      ['en', 'Please correct what is marked; nothing was searched.'],
    ] as const) {
      await page.selectOption('.lang select', lang);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      await page.waitForFunction((said) => document.querySelector('#audit-from-error')?.textContent?.trim() === said, SKIPPED[lang]);
      assert.equal(await text(page, '[data-testid="audit-form-error"]'), summary);
      assert.deepEqual(await axeViolations(page), [], `audit ${lang}, a bound refused`);
    }
    assert.equal(searched.length, before, 'still nothing searched');

    // An hour later is a real time: searched as the UTC instant it is (summer time: UTC−4), the error gone.
    await page.fill('input[name="from"]', '2026-03-08T03:30');
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/audit');
    await page.locator('form.audit-filters button[type="submit"]').click();
    await answered;
    await auditSettled(page);
    await page.waitForFunction(() => !document.querySelector('#audit-from-error'));
    assert.equal(await page.getAttribute('input[name="from"]', 'aria-invalid'), 'false');
    assert.equal(await text(page, '[data-testid="audit-form-error"]'), '');
    const asked = new URLSearchParams(searched.at(-1));
    assert.equal(searched.length, before + 1);
    assert.deepEqual([asked.get('target'), asked.get('from')], ['C000001', '2026-03-08T07:30:00.000Z']);
    await context.close();
  });

  it('a half-typed bound is refused, not searched as no bound; the same refusal twice is announced twice; a reversed range is refused at To', async () => {
    const context = await t.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const searched: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/v1/audit') searched.push(new URL(r.url()).search);
    });
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="checker"]').click();
    await page.locator('[data-testid="who"]').waitFor();
    await page.selectOption('.lang select', 'en');
    await page.locator('a[data-page-link="audit"]').click();
    await auditSettled(page);
    // Every text the summary's live region takes, in order: a refusal a screen reader hears is a change of it.
    await page.evaluate(() => {
      const said: string[] = [];
      (window as unknown as { said: string[] }).said = said;
      const region = document.querySelector('[data-testid="audit-form-error"]');
      if (region)
        new MutationObserver(() => said.push(region.textContent?.trim() ?? '')).observe(region, {
          childList: true,
          subtree: true,
          characterData: true,
        });
    });
    const said = () =>
      page.evaluate(() => (window as unknown as { said: string[] }).said.filter((x, i, all) => i === 0 || x !== all[i - 1]));
    const SUMMARY = 'Please correct what is marked; nothing was searched.';

    // Half a time typed (a date, no hour): the browser gives the field no value, yet it is not "no bound".
    const before = searched.length;
    await page.locator('input[name="from"]').click();
    await page.keyboard.type('10152025');
    assert.equal(await page.locator('input[name="from"]').inputValue(), '', 'the browser gives no value for half a time');
    await page.locator('form.audit-filters button[type="submit"]').click();
    await page.locator('input[name="from"][aria-invalid="true"]').waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'from');
    assert.equal(await text(page, '#audit-from-error'), 'not a date and time');
    await page.waitForFunction((s) => (window as unknown as { said: string[] }).said.includes(s), SUMMARY);
    assert.equal(searched.length, before, 'not searched unbounded');

    // The same refusal again: the summary is emptied, then said again, not left unchanged (and unheard).
    await page.evaluate(() => {
      (window as unknown as { said: string[] }).said.length = 0;
    });
    await page.locator('form.audit-filters button[type="submit"]').click();
    await page.waitForFunction((s) => (window as unknown as { said: string[] }).said.includes(s), SUMMARY);
    assert.deepEqual(await said(), ['', SUMMARY]);
    assert.equal(searched.length, before, 'still not searched');

    // A range that ends before it starts would read "no records": refused at To.
    await page.fill('input[name="from"]', '2026-06-02T00:00');
    await page.fill('input[name="to"]', '2026-06-01T00:00');
    await page.locator('form.audit-filters button[type="submit"]').click();
    await page.locator('input[name="to"][aria-invalid="true"]').waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'to');
    assert.equal(await page.getAttribute('input[name="from"]', 'aria-invalid'), 'false');
    assert.equal(await page.getAttribute('input[name="to"]', 'aria-describedby'), 'audit-zone-hint audit-to-error');
    assert.equal(await text(page, '#audit-to-error'), 'must be later than From');
    assert.equal(searched.length, before, 'nothing searched');
    await context.close();
  });

  it('a status that is none is refused at its field in the page’s words, the last refusal gone; Clear during the wait wins; a tab with no frames still searches', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const searched: URLSearchParams[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/v1/audit') searched.push(new URL(r.url()).searchParams);
    });
    const audit = (target: string | null) =>
      page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/audit' && new URL(r.url()).searchParams.get('target') === target);
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="checker"]').click();
    await page.locator('[data-testid="who"]').waitFor();
    await page.selectOption('.lang select', 'en');
    await page.locator('a[data-page-link="audit"]').click();
    await auditSettled(page);
    const submit = page.locator('form.audit-filters button[type="submit"]');

    // A bound refused first, so the status's refusal must also take that one away.
    const before = searched.length;
    await page.fill('input[name="from"]', '2026-03-08T02:30');
    await submit.click();
    await page.locator('input[name="from"][aria-invalid="true"]').waitFor();
    await page.fill('input[name="from"]', '');
    await page.fill('input[name="status"]', '600');
    await submit.click();
    await page.locator('input[name="status"][aria-invalid="true"]').waitFor();
    await page.waitForFunction(() => document.activeElement?.getAttribute('name') === 'status');
    assert.equal(await text(page, '#audit-status-error'), 'must be an HTTP status: a whole number from 100 to 599');
    assert.equal(await page.getAttribute('input[name="status"]', 'aria-describedby'), 'audit-status-error');
    assert.equal(await page.getAttribute('input[name="from"]', 'aria-invalid'), 'false', 'the last refusal is gone');
    assert.equal(await text(page, '[data-testid="audit-form-error"]'), 'Please correct what is marked; nothing was searched.');
    assert.equal(searched.length, before, 'nothing searched');
    assert.deepEqual(await axeViolations(page), [], 'audit en, a status refused');

    // Find, then Clear before the search's frame has come (both in one task): the cleared list is
    // what stays, with no refusal and no search of what was typed before Clear.
    await page.fill('input[name="status"]', '');
    await page.fill('input[name="target"]', 'C000001');
    const cleared = audit(null);
    await page.evaluate(() => {
      const form = document.querySelector<HTMLFormElement>('form.audit-filters');
      form?.requestSubmit();
      form?.querySelector<HTMLButtonElement>('button[type="button"]')?.click();
    });
    await cleared;
    await auditSettled(page);
    // A later search, to be sure the one Clear overtook never follows.
    await page.fill('input[name="target"]', 'C000002');
    const later = audit('C000002');
    await submit.click();
    await later;
    await auditSettled(page);
    assert.deepEqual(
      searched.slice(before).map((q) => q.get('target')),
      [null, 'C000002'],
      'Clear’s read, then the later search; never C000001',
    );
    assert.equal(await page.getAttribute('input[name="status"]', 'aria-invalid'), 'false');
    assert.equal(await text(page, '[data-testid="audit-form-error"]'), '');

    // A tab in the background paints no frames: a search there still goes out.
    await page.evaluate(() => {
      window.requestAnimationFrame = () => 0;
    });
    await page.fill('input[name="target"]', 'C000003');
    const unpainted = audit('C000003');
    await submit.click();
    await unpainted;
    await context.close();
  });
});
