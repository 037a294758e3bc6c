// The metric catalogue page: an admin had to curl /v1/metrics to add a bank's own metric. Here an admin
// adds one, changes its name, asks for its audience lowered (it waits for another admin, and its maker
// withdraws it), meets the API's refusals in words (a key already there, a metric a scheme in force
// reads), and removes it; an analyst reads the table with no buttons. Real server, real Chromium, axe clean.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { apiOf, json } from './support/api.js';
import { axeViolations, SHOTS } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY } from './support/server.js';

const t = consoleUnderTest(5);
const api = apiOf(() => t.server.url);
const KEY = 'e2e_gearing';

async function signIn(browser: Browser, as: string, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${t.server.url}/admin/`);
  await page.locator(`button[data-as="${as}"]`).click();
  await page.locator('[data-testid="who"]').waitFor();
  await page.locator('a[data-page-link="metrics"]').click();
  await page.locator('.metrics-table tbody tr').first().waitFor({ timeout: 30_000 });
  return page;
}

const text = async (page: Page, selector: string) => ((await page.locator(selector).textContent()) ?? '').replace(/\s+/g, ' ');
/** `selector`'s text comes to match `re` (the table is read again after the outcome is said). */
const waitText = (page: Page, selector: string, re: RegExp) =>
  page.waitForFunction(
    ([sel, src]) => new RegExp(src as string).test((document.querySelector(sel as string)?.textContent ?? '').replace(/\s+/g, ' ')),
    [selector, re.source],
    { timeout: 30_000 },
  );
const row = (key: string) => `.metrics-table tr[data-metric="${key}"]`;
/** Focus lands on `testid` (a frame or two after the text it says). */
const focusOn = (page: Page, testid: string) =>
  page.waitForFunction((id) => document.activeElement?.getAttribute('data-testid') === id, testid, { timeout: 5_000 });

describe('admin console: the metric catalogue', () => {
  it('an admin adds, changes, asks to lower and withdraws, is refused in words, and removes; an analyst only reads', async () => {
    const errors: string[] = [];
    const inForce = (
      await json<{ items: { key: string; usedBy: string[]; audience: string }[] }>(await api(ADMIN_KEY, '/v1/metrics'))
    ).items.find((m) => m.usedBy.includes('retail-tier') && m.audience === 'customer');
    assert.ok(inForce, 'the demo’s retail tier reads a customer-facing metric');
    const schemes = (await json<{ items: { key: string; name: Record<string, string> }[] }>(await api(ADMIN_KEY, '/v1/schemes'))).items;
    const nameOf = (key: string) => schemes.find((s) => s.key === key)?.name['zh-CN'] ?? key;
    // The AML grade's readers leave analysts out: the catalogue names it to an admin, never to an analyst.
    const aml = (await json<{ items: { key: string; usedBy: string[] }[] }>(await api(ADMIN_KEY, '/v1/metrics'))).items.find((m) =>
      m.usedBy.includes('aml-risk'),
    );
    assert.ok(aml, 'the demo’s AML grade reads a metric');

    const page = await signIn(t.browser, 'admin', errors);
    assert.match(await text(page, 'h2#metrics-h'), /指标目录/);
    assert.match(await text(page, row(inForce.key)), /零售|客户/, 'the schemes that read it, by name');
    assert.match(await text(page, row(aml.key)), new RegExp(nameOf('aml-risk')), 'an admin reads the AML grade’s name');
    assert.deepEqual(await axeViolations(page), [], 'axe on the catalogue');

    // Add one of the bank's own.
    await page.locator('button[data-action="add-metric"]').click();
    const dialog = page.locator('[data-testid="metrics-dialog"]');
    await dialog.getByLabel('代码').fill(KEY);
    await dialog.getByLabel('名称（简体中文）').fill('资产负债率');
    await dialog.getByLabel('名称（繁体中文）').fill('資產負債率');
    await dialog.getByLabel('名称（英文）').fill('debt to equity');
    await dialog.locator('select[name="unit"]').selectOption('bp');
    await dialog.getByLabel('企业客户').check();
    await dialog.locator('select[name="audience"]').selectOption('staff');
    assert.deepEqual(await axeViolations(page), [], 'axe on the add dialog');
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.waitForFunction(() =>
      /已添加指标 e2e_gearing/.test(document.querySelector('[data-testid="metrics-outcome"]')?.textContent ?? ''),
    );
    await focusOn(page, 'metrics-outcome');
    await waitText(page, row(KEY), /资产负债率.*企业客户.*基点.*仅限员工.*您可查看的方案均未使用/);

    // The same key again: the API's 409 in words, in the dialog, nothing added.
    await page.locator('button[data-action="add-metric"]').click();
    await dialog.getByLabel('代码').fill(KEY);
    await dialog.getByLabel('名称（简体中文）').fill('重复');
    await dialog.getByLabel('名称（繁体中文）').fill('重複');
    await dialog.getByLabel('名称（英文）').fill('again');
    await dialog.locator('select[name="unit"]').selectOption('count');
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.waitForFunction(() =>
      /目录中已有指标“e2e_gearing”/.test(document.querySelector('[data-testid="metric-dialog-error"]')?.textContent ?? ''),
    );
    await focusOn(page, 'metric-dialog-error');
    await dialog.getByRole('button', { name: '取消' }).click();

    // Change its name: done at once.
    await page.locator(`${row(KEY)} button[data-action="edit"]`).click();
    await dialog.getByLabel('名称（简体中文）').fill('资产负债率（自定义）');
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.waitForFunction(() =>
      /已修改指标 e2e_gearing/.test(document.querySelector('[data-testid="metrics-outcome"]')?.textContent ?? ''),
    );
    await waitText(page, row(KEY), /资产负债率（自定义）/);

    // Lower its audience: a request, asked with its reason, shown waiting; nothing changed yet.
    await page.locator(`${row(KEY)} button[data-action="edit"]`).click();
    assert.equal(await dialog.locator('textarea[name="reason"]').count(), 0, 'no reason asked for a change made at once');
    await dialog.locator('select[name="audience"]').selectOption('customer');
    await dialog.getByLabel('申请理由').fill('   ');
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.waitForFunction(() =>
      /请填写申请理由/.test(document.querySelector('[data-testid="metric-dialog-error"]')?.textContent ?? ''),
    );
    await focusOn(page, 'metric-dialog-error');
    assert.deepEqual(await axeViolations(page), [], 'axe on the lowering with its reason missing');
    await dialog.getByLabel('申请理由').fill('对公评级需要向客户说明该比率');
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.locator(`${row(KEY)} [data-testid="metric-pending"]`).waitFor({ timeout: 30_000 });
    assert.match(await text(page, '[data-testid="metrics-outcome"]'), /待另一位管理员审批/);
    assert.match(await text(page, `${row(KEY)} [data-testid="metric-audience"]`), /仅限员工.*申请改为“客户可见”.*郑洁/);
    assert.match(await text(page, `${row(KEY)} [data-testid="metric-pending-reason"]`), /理由：对公评级需要向客户说明该比率/);
    const filed = (
      await json<{ items: { metric: string; reason: string }[] }>(await api(ADMIN_KEY, '/v1/metric-audience-requests'))
    ).items.find((r) => r.metric === KEY);
    assert.equal(filed?.reason, '对公评级需要向客户说明该比率', 'the reason reached the API');
    assert.deepEqual(await axeViolations(page), [], 'axe with a request waiting');
    await page.screenshot({ path: join(SHOTS, 'admin-metrics-zh-CN.png'), fullPage: true });

    // Its maker withdraws it.
    await page.locator(`${row(KEY)} [data-testid="withdraw-audience"]`).click();
    await page.waitForFunction(() => /已撤回/.test(document.querySelector('[data-testid="metrics-outcome"]')?.textContent ?? ''));
    await page.locator(`${row(KEY)} [data-testid="metric-pending"]`).waitFor({ state: 'detached', timeout: 30_000 });

    // A metric the scheme in force reads cannot be kept from customers: said, with the scheme.
    await page.locator(`${row(inForce.key)} button[data-action="edit"]`).click();
    assert.ok(await dialog.locator('select[name="unit"]').isDisabled(), 'its unit and kinds are locked while a scheme reads it');
    await dialog.locator('select[name="audience"]').selectOption('staff');
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.locator('[data-testid="metric-dialog-error"]:not(:empty)').waitFor({ timeout: 30_000 });
    const inUse = await text(page, '[data-testid="metric-dialog-error"]');
    assert.ok(inUse.includes(`正被方案 ${nameOf('retail-tier')}`), `the scheme by its name: ${inUse}`);
    assert.doesNotMatch(inUse, /retail-tier/);
    await dialog.getByRole('button', { name: '取消' }).click();
    assert.match(await text(page, row(inForce.key)), /客户可见/, 'nothing changed');
    assert.equal(await page.locator(`${row(inForce.key)} button[data-action="remove"]`).count(), 0, 'no removal of a metric in use');

    // Remove ours, after a confirmation.
    await page.locator(`${row(KEY)} button[data-action="remove"]`).click();
    await dialog.getByRole('button', { name: '确认删除' }).click();
    await page.waitForFunction(() =>
      /已删除指标 e2e_gearing/.test(document.querySelector('[data-testid="metrics-outcome"]')?.textContent ?? ''),
    );
    await page.locator(row(KEY)).waitFor({ state: 'detached', timeout: 30_000 });

    // In English.
    await page.selectOption('.bar .lang select', 'en');
    await page.waitForFunction(() => /Metric catalogue/.test(document.querySelector('#metrics-h')?.textContent ?? ''));
    assert.match(await text(page, row(inForce.key)), /Customer-facing/);
    assert.deepEqual(await axeViolations(page), [], 'axe in English');
    await page.screenshot({ path: join(SHOTS, 'admin-metrics-en.png'), fullPage: true });

    const stored = (await json<{ items: { key: string }[] }>(await api(ADMIN_KEY, '/v1/metrics'))).items;
    assert.equal(stored.filter((m) => m.key === KEY).length, 0, 'removed in the catalogue');
    const waiting = (await json<{ items: unknown[] }>(await api(ADMIN_KEY, '/v1/metric-audience-requests'))).items;
    assert.deepEqual(waiting, [], 'the request was withdrawn');

    // An analyst reads the catalogue, with nothing to press.
    const analyst = await signIn(t.browser, 'analyst', errors);
    assert.match(await text(analyst, '[data-testid="metrics-read-only"]'), /只能查看/);
    assert.equal(
      await analyst.locator('button[data-action="add-metric"], button[data-action="edit"], button[data-action="remove"]').count(),
      0,
    );
    const amlRow = await text(analyst, row(aml.key));
    assert.doesNotMatch(amlRow, /aml-risk/);
    assert.ok(!amlRow.includes(nameOf('aml-risk')), `no AML grade name for an analyst: ${amlRow}`);
    // The API names no scheme the analyst may not read (GET /v1/metrics cuts `usedBy`), so the row claims
    // only what the analyst can check: none of the schemes they may read uses it.
    assert.match(amlRow, /您可查看的方案均未使用/);
    assert.deepEqual(await axeViolations(analyst), [], 'axe, read-only');
    assert.deepEqual(errors, []);
  });
});
