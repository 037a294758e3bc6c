// A team lead's month in the console: RM001 leads a team holding RM002's book. On the customers page she
// picks an RM (全部 / 我的 / 李强) and the list is that book's; the books page counts each RM's customers per
// level, and a count opens the customers page cut to that book and level. Axe clean in three languages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY } from './support/server.js';

const t = consoleUnderTest(5);

const send = (credential: string, path: string, method = 'GET', body?: unknown) =>
  fetch(`${t.server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

describe('admin console: a team lead’s books', () => {
  it('the lead picks an RM for her lists and opens a count of the books page', async () => {
    // The operator's key names the team and its book; the demo admin (another person) approves each grant.
    const { token: admin } = (await (await fetch(`${t.server.url}/demo/staff-token?as=admin`)).json()) as { token: string };
    for (const [path, method, body] of [
      ['/v1/teams/LT1', 'PUT', { name: '浦东一组', lead: 'RM001' }],
      ['/v1/teams/LT1/books', 'POST', { add: ['RM002'] }],
    ] as const) {
      const filed = await send(ADMIN_KEY, path, method, body);
      assert.equal(filed.status, 202, await filed.clone().text());
      const g = (await filed.json()) as { id: string; contentHash: string };
      const approved = await send(admin, `/v1/staff-grants/${g.id}/approve`, 'POST', { contentHash: g.contentHash });
      assert.equal(approved.status, 200, await approved.text());
    }
    for (const [subject, manager] of [
      ['C000001', 'RM001'],
      ['C000002', 'RM002'],
    ])
      assert.equal((await send(ADMIN_KEY, `/v1/subjects/${subject}/manager`, 'PUT', { manager })).status, 200);

    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="rm"]').click();
    const picker = page.locator('[data-testid="book-picker"]');
    await picker.waitFor();
    assert.deepEqual(await picker.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), [
      'all',
      'mine',
      'book:RM002',
    ]);
    const ids = () => page.locator('.subject-table tbody tr td:first-child').allTextContents();
    await page.locator('.subject-table tbody tr').first().waitFor();
    assert.ok((await ids()).includes('C000001'), 'her own book first');
    assert.ok(!(await ids()).includes('C000002'));
    const answered = page.waitForResponse((r) => r.url().includes('/v1/subjects?') && r.url().includes('manager=RM002'));
    await picker.selectOption('book:RM002');
    await answered;
    await page.waitForFunction(() => !document.querySelector('.subject-table td')?.textContent?.includes('C000001'));
    assert.ok((await ids()).includes('C000002'), 'RM002’s book');
    assert.ok(!(await ids()).includes('C000001'));
    assert.deepEqual(await axeViolations(page), [], 'the customers page with the RM picker, zh-CN');

    await page.locator('a[data-page-link="books"]').click();
    const table = page.locator('[data-testid="books-table"]');
    await table.waitFor();
    assert.deepEqual(await table.locator('tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-book'))), ['RM001', 'RM002']);
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      await page.selectOption('.bar .lang select', locale);
      await page.waitForFunction((l) => document.documentElement.lang === l, locale);
      await table.waitFor();
      assert.deepEqual(await axeViolations(page), [], `the books page, ${locale}`);
    }
    // A count of RM002's opens her customers at that level: the list is as long as the count.
    const link = table.locator('tr[data-book="RM002"] a').first();
    const n = Number(await link.textContent());
    await link.click();
    await page.locator('.subject-table tbody tr').first().waitFor();
    assert.equal((await ids()).length, n);
    assert.equal(await picker.inputValue(), 'book:RM002');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
