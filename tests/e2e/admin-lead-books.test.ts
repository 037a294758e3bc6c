// A team lead's month in the console: RM001 leads a team holding RM002's book. On the customers page she
// picks an RM (全部 / 我的 / 李强) and the list is that book's; the books page counts each RM's customers per
// level, and a count opens the customers page cut to that book and level. Axe clean in three languages.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { nameTeamApproved } from './support/staff.js';
import { ADMIN_KEY } from './support/server.js';
import type { Page } from 'playwright-core';

const t = consoleUnderTest(5);

const send = (credential: string, path: string, method = 'GET', body?: unknown) =>
  fetch(`${t.server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

describe('admin console: a team lead’s books', () => {
  before(async () => {
    // The operator's key names the team and its book; the demo admin (another person) approves each grant.
    await nameTeamApproved(t.server.url, { id: 'LT1', name: '浦东一组', lead: 'RM001', books: ['RM002'] });
    for (const [subject, manager] of [
      ['C000001', 'RM001'],
      ['C000002', 'RM002'],
    ])
      assert.equal((await send(ADMIN_KEY, `/v1/subjects/${subject}/manager`, 'PUT', { manager })).status, 200);
  });

  it('the lead picks an RM for her lists and opens a count of the books page', async () => {
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

/** The cells' counts as the matrix shows them, in grid order. */
const cellCounts = (page: Page) =>
  page
    .locator('tk-risk-value-matrix [role="gridcell"]')
    .evaluateAll((cs) => cs.map((c) => Number(/([\d,]+)/.exec(c.textContent ?? '')?.[1]?.replace(/,/g, '') ?? Number.NaN)));

describe('admin console: the lead’s matrix, RM column and call list follow the RM picker', () => {
  it('counts and lists agree for 我的 and 全部, rows name their RM, the CSV names the picked book', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const firstMatrix = page.waitForResponse((r) => r.url().includes('/v1/matrix/'));
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="rm"]').click();
    const picker = page.locator('[data-testid="book-picker"]');
    await picker.waitFor();
    await page.locator('.subject-table tbody tr').first().waitFor();
    // 我的: the matrix reads the lead's own book, as the list does.
    assert.match((await firstMatrix).url(), /manager=me/);
    assert.match((await page.locator('#book-h').textContent()) ?? '', /^我的客户 · /);
    assert.equal(await page.locator('[data-testid="subject-rm"]').count(), 0, 'one book: no RM column');

    // A cell's count is its list's length: the fullest cell of the shown matrix, clicked.
    const cellAgrees = async (which: string) => {
      await page.locator('tk-risk-value-matrix [role="gridcell"]').first().waitFor();
      const counts = await cellCounts(page);
      const fullest = counts.indexOf(Math.max(...counts));
      const n = counts[fullest] ?? 0;
      assert.ok(n > 0, `${which}: some cell has customers (${counts})`);
      const listed = page.waitForResponse((r) => r.url().includes('/v1/subjects?') && r.url().includes('row='));
      await page.locator('tk-risk-value-matrix [role="gridcell"]').nth(fullest).click();
      await listed;
      await page.waitForFunction(() => !/加载/.test(document.querySelector('[data-testid="list-status"]')?.textContent ?? '加载'));
      assert.equal(await page.locator('.subject-table tbody tr').count(), n, `${which}: the cell counts its list`);
      return n;
    };
    const mine = await cellAgrees('我的');

    // 全部: the team's counts (her book and 李强's), the heading says so, and each row its RM by name.
    const teamMatrix = page.waitForResponse((r) => r.url().includes('/v1/matrix/') && !r.url().includes('manager='));
    await picker.selectOption('all');
    await teamMatrix;
    assert.match((await page.locator('#book-h').textContent()) ?? '', /^我的团队 · /);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="subject-rm"]').length > 0);
    const total = (await cellCounts(page)).reduce((a, b) => a + b, 0);
    const team = await cellAgrees('全部');
    assert.ok(team >= mine);
    await page.locator('p.cell button').click();
    await page.waitForFunction((n) => document.querySelectorAll('.subject-table tbody tr').length === n, total);
    const rms = await page
      .locator('[data-testid="subject-rm"]')
      .evaluateAll((cs) => cs.map((c) => [c.getAttribute('data-rm'), c.textContent]));
    const rm002 = rms.find(([id]) => id === 'RM002');
    assert.ok(rm002, `李强's customer listed: ${JSON.stringify(rms)}`);
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="subject-rm"]')].some((c) => c.textContent?.includes('李强')),
    );
    assert.ok(rms.some(([id]) => id === 'RM001'));
    assert.deepEqual(await axeViolations(page), [], 'the team list with its RM column');

    // The call list's file names whose book it is: the team for 全部, 李强 for his.
    const exported = async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export-csv"]').click()]);
      const chunks: Buffer[] = [];
      for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    };
    const managerLine = (csv: string) => csv.split(/\r?\n/).find((l) => l.startsWith('"客户经理"')) ?? '';
    assert.match(managerLine(await exported()), /带领的团队/);
    const his = page.waitForResponse((r) => r.url().includes('/v1/subjects?') && r.url().includes('manager=RM002'));
    await picker.selectOption('book:RM002');
    await his;
    await page.waitForFunction(() => !document.querySelector('[data-testid="subject-rm"]'));
    const line = managerLine(await exported());
    assert.match(line, /RM002/);
    assert.doesNotMatch(line, /RM001/);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

describe('admin console: the lead’s 即将到期的调整, soonest first, a page at a time', () => {
  it('names each scheme and level, lists the soonest expiry first and loads the rest with 加载更多', async () => {
    // 22 overrides in force in the lead's book, ending in 3 to 13 days (pairs share an instant): more than
    // the list's page of 20. Filed by the operator's key, approved by the demo checker, another person.
    const { token: checker } = (await (await fetch(`${t.server.url}/demo/staff-token?as=checker`)).json()) as { token: string };
    const day = 86_400_000;
    const base = Math.floor(Date.now() / 60_000) * 60_000;
    const expiries: string[] = [];
    for (let i = 0; i < 22; i++) {
      const id = `EXP${String(i).padStart(2, '0')}`;
      assert.equal((await send(ADMIN_KEY, `/v1/subjects/${id}`, 'PUT', { kind: 'customer', displayName: '陶怡' })).status, 201);
      assert.equal((await send(ADMIN_KEY, `/v1/subjects/${id}/manager`, 'PUT', { manager: 'RM001' })).status, 200);
      // Filed in the reverse of their expiry: newest first would show the latest expiry on top.
      const expiresAt = new Date(base + (13 - Math.floor(i / 2)) * day).toISOString();
      expiries.push(expiresAt);
      const filed = await send(ADMIN_KEY, `/v1/subjects/${id}/overrides`, 'POST', {
        scheme: 'retail-tier',
        level: 'standard',
        mode: 'floor',
        reason: '续约前保留',
        expiresAt,
      });
      assert.equal(filed.status, 201, await filed.clone().text());
      const o = (await filed.json()) as { id: string; contentHash: string };
      const approved = await send(checker, `/v1/overrides/${o.id}/approve`, 'POST', { contentHash: o.contentHash });
      assert.equal(approved.status, 200, await approved.text());
    }
    const schemes = (await (await send(ADMIN_KEY, '/v1/schemes')).json()) as {
      items: { key: string; name: Record<string, string>; levels: { key: string; name: Record<string, string> }[] }[];
    };
    const retail = schemes.items.find((s) => s.key === 'retail-tier');
    const standard = retail?.levels.find((l) => l.key === 'standard');
    assert.ok(retail && standard);

    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const firstPage = page.waitForResponse((r) => r.url().includes('/v1/overrides?') && r.url().includes('expiresBefore='));
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="rm"]').click();
    assert.match((await firstPage).url(), /sort=expiresAt/);
    const rows = page.locator('[data-testid="expiring"] tbody tr');
    await rows.first().waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="expiring"] tbody td:nth-child(2)')?.textContent !== 'retail-tier',
    );
    const cells = (n: number) => page.locator(`[data-testid="expiring"] tbody tr td:nth-child(${n})`).allTextContents();
    const ours = async () => (await cells(1)).map((c) => c.split(' ')[0] ?? '').filter((id) => id.startsWith('EXP'));
    // Soonest first: the last filed (EXP20, EXP21) end first, a tie in the order of their ids' requests.
    const shown = await ours();
    assert.deepEqual(shown.slice(0, 2).sort(), ['EXP20', 'EXP21']);
    const ending = (
      await page.locator('[data-testid="expiring"] tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-override')))
    ).length;
    assert.equal(ending, 20, 'one page of 20');
    assert.ok((await cells(2)).includes(retail.name['zh-CN'] ?? ''), 'the scheme by name');
    assert.ok((await cells(3)).includes(standard.name['zh-CN'] ?? ''), 'the level by name');
    assert.ok(!(await cells(3)).includes('standard'), 'no level key');
    const more = page.locator('[data-testid="expiring"] button', { hasText: '加载更多' });
    await more.click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="expiring"] tbody tr').length > 20);
    const all = await ours();
    assert.equal(all.length, 22, 'the rest, once each');
    assert.deepEqual(all.slice(-2).sort(), ['EXP00', 'EXP01'], 'the latest expiry last');
    for (const locale of ['zh-CN', 'zh-TW', 'en'] as const) {
      await page.selectOption('.bar .lang select', locale);
      await page.waitForFunction((l) => document.documentElement.lang === l, locale);
      assert.ok((await cells(3)).includes(standard.name[locale] ?? ''), `the level by name, ${locale}`);
      assert.deepEqual(await axeViolations(page), [], `the expiring list, ${locale}`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
});
