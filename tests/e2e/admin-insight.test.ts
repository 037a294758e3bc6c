// The console's analytics and audit pages in real Chromium against the real server, under the
// console's strict CSP: charts drawn (canvas with pixels) beside their tables, no CSP violation, the
// chart library loaded only on the analytics page; the audit trail lists what the test just did and
// verifies the chain, against the server's anchors too (a chain rewritten whole with its head fails);
// axe in zh-CN and en.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect } from '@tierkit/db';
import type { Page } from 'playwright-core';
import { rewriteConsistently } from '../support/audit-records.js';
import { axeViolations, SHOTS as shots } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { tempDataDir } from './support/server.js';

// The server anchors every chain's head at its start: what the verification is checked against.
const t = consoleUnderTest(200, { TIERKIT_AUDIT_ANCHOR_FILE: join(tempDataDir(), 'anchors.jsonl') });

const CHARTS = ['distribution', 'migration', 'rates'] as const;

/** Whether the canvas has any painted pixel: Chart.js drew on it. */
const painted = (page: Page, key: string) =>
  page.$eval(`canvas[data-chart="${key}"]`, (c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray();
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return canvas.width > 0;
    return false;
  });

async function signIn(page: Page, as: 'checker' | 'maker'): Promise<void> {
  await page.goto(`${t.server.url}/admin/`);
  await page.locator(`button[data-as="${as}"]`).click();
  await page.locator('[data-testid="who"]').waitFor();
}

async function analyticsShown(page: Page): Promise<void> {
  await page.locator('a[data-page-link="analytics"]').click();
  for (const key of CHARTS) await page.locator(`canvas[data-chart="${key}"]`).waitFor({ timeout: 30_000 });
  await page.locator('[data-testid="effect-cohorts"]').waitFor({ timeout: 30_000 });
}

const auditSettled = (page: Page) =>
  page.waitForFunction(() => {
    const s = document.querySelector('[data-testid="audit-status"]')?.textContent ?? '';
    return s !== '' && !/加载|Loading/.test(s);
  });

describe('admin console: analytics and audit', () => {
  it('a checker sees the charts and their tables with no CSP violation, then finds their own write in the audit trail and verifies the chain', async () => {
    const page = await t.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${m.text()} ${m.location().url}`);
    });
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await signIn(page, 'checker');
    const chartChunkLoaded = () =>
      page.evaluate(() => performance.getEntriesByType('resource').some((r) => /analytics-charts/.test(r.name)));
    assert.equal(await chartChunkLoaded(), false, 'the first page does not load the chart library');

    await analyticsShown(page);
    assert.equal(await chartChunkLoaded(), true, 'the analytics page loads it');
    for (const key of CHARTS) {
      assert.equal(await painted(page, key), true, `${key} is drawn`);
      const rows = await page.locator(`[data-testid="analytics-${key}"] table tbody tr`).count();
      assert.ok(rows > 0, `${key} has its table`);
    }
    // The heat map's table is the API's matrix: its cells add up to those with a level in both months.
    const cells = await page.$$eval('.analytics-heat tbody tr:not(:last-child) td', (tds) => tds.map((td) => Number(td.textContent)));
    const both = cells.reduce((a, b) => a + b, 0);
    assert.ok(both > 0, 'the demo book has a level in both months');
    assert.match((await page.textContent('[data-testid="analytics-migration"]')) ?? '', new RegExp(`两月均有等级 ${both} 位`));
    // The moves by cause, policy's and overrides', add up to the totals' moves.
    const num = (x: string | undefined) => Number((x ?? '').replaceAll(',', ''));
    const totals = /升级 ([\d,]+)，降级 ([\d,]+)/.exec((await page.textContent('[data-testid="migration-totals"]')) ?? '');
    const byCause = /政策升级 ([\d,]+)、降级 ([\d,]+)；人工调整升级 ([\d,]+)、降级 ([\d,]+)/.exec(
      (await page.textContent('[data-testid="migration-by-cause"]')) ?? '',
    );
    assert.ok(totals && byCause, 'the migration says its moves, in all and by cause');
    assert.equal(num(byCause[1]) + num(byCause[3]), num(totals[1]), 'upgrades by cause add up');
    assert.equal(num(byCause[2]) + num(byCause[4]), num(totals[2]), 'downgrades by cause add up');
    // The totals line's parts (up, down, same, held by an override, not comparable) add up to both.
    const parts = /升级 ([\d,]+)，降级 ([\d,]+)，不变 ([\d,]+)，经人工调整保级 ([\d,]+)，无法比较 ([\d,]+)/.exec(
      (await page.textContent('[data-testid="migration-totals"]')) ?? '',
    );
    assert.ok(parts, 'the totals line says the customers held by an override');
    assert.equal(
      parts.slice(1).reduce((sum, x) => sum + num(x), 0),
      both,
      'the totals line adds up to those in both months',
    );
    // One month only, by the pickers: one row; the route names the range, and Back returns to the twelve months.
    const distRows = () => page.locator('[data-testid="analytics-distribution"] table tbody tr').count();
    const months = await distRows();
    assert.equal(months, 12);
    const to = await page.inputValue('input[name="to"]');
    // The last closed month is evaluated but not final (the month after it has not ended): marked in
    // words on its row, and the note says why its figures may still change; the months before are final.
    const distMonths = await page.$$eval('[data-testid="analytics-distribution"] table tbody th', (ths) =>
      ths.map((th) => th.textContent?.trim()),
    );
    assert.equal(distMonths.at(-1), `${to} (暂定)`);
    assert.ok(
      distMonths.slice(0, -1).every((m) => m && /^\d{4}-\d{2}$/.test(m)),
      distMonths.join(),
    );
    assert.match(
      (await page.textContent('[data-testid="analytics-distribution"] [data-testid="provisional"]')) ?? '',
      new RegExp(`^${to} 的数字为暂定：要到其下一个月结束才定案，在此之前批准的人工调整仍可能撤回该月的调级`),
    );
    assert.match(
      (await page.textContent('[data-testid="analytics-rates"] [data-testid="provisional"]')) ?? '',
      new RegExp(`^${to} 的数字为暂定`),
    );
    assert.match((await page.textContent('[data-testid="migration-provisional"]')) ?? '', new RegExp(`^${to} 的数字为暂定`));
    await page.fill('input[name="from"]', to);
    await page.locator('.analytics-pickers button[type="submit"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="analytics-distribution"] table tbody tr').length === 1);
    assert.match(await page.evaluate(() => location.hash), new RegExp(`from=${to}`));
    await page.goBack();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="analytics-distribution"] table tbody tr').length === 12);
    assert.equal(await painted(page, 'distribution'), true, 'redrawn');

    // The effect evaluation starts at the month with the most upgrades: movers are there, counted.
    assert.match((await page.textContent('[data-testid="effect-cohorts"]')) ?? '', /调级 [1-9]\d* 位/);
    if ((await page.locator('canvas[data-chart="effect"]').count()) > 0)
      assert.equal(await painted(page, 'effect'), true, 'effect is drawn');
    // Strata are bands of the metric evaluated (the API's), so the sentence names that metric.
    assert.match((await page.textContent('[data-testid="effect-cohorts"]')) ?? '', /“月日均资产”档位/);
    await page.selectOption('[data-testid="analytics-effect"] select[name="metric"]', 'card_spend');
    await page.locator('[data-testid="analytics-effect"] button[type="submit"]').click();
    await page.waitForFunction(() =>
      /“月信用卡消费”档位/.test(document.querySelector('[data-testid="effect-cohorts"]')?.textContent ?? ''),
    );
    assert.doesNotMatch((await page.textContent('[data-testid="analytics-effect"]')) ?? '', /余额档位/);
    // The evaluation asked for is in the route: the link reproduces it.
    const linked = new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1] ?? '');
    assert.equal(linked.get('metric'), 'card_spend');
    assert.match(linked.get('period') ?? '', /^\d{4}-\d{2}$/);
    // A holding followed by link: every mover has it (none is read as 否), the strata list its two bands.
    await page.evaluate(
      (h) => {
        location.hash = h;
      },
      `#/analytics?${new URLSearchParams({ ...Object.fromEntries(linked), direction: 'down', metric: 'premium_card' })}`,
    );
    await page.waitForFunction(() =>
      /持有指定高端信用卡/.test(document.querySelector('[data-testid="effect-cohorts"]')?.textContent ?? ''),
    );
    assert.equal(await page.inputValue('[data-testid="analytics-effect"] select[name="direction"]'), 'down');
    const strata = await page.$$eval('[data-testid="effect-strata"] tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent?.trim() ?? '')),
    );
    assert.ok(strata.length > 0, 'strata listed');
    assert.ok(
      strata.every((r) => r[1] === '否' || r[1] === '是'),
      JSON.stringify(strata),
    );
    // A print shows the strata, closed on screen; they close again after it.
    assert.equal(await page.$eval('[data-testid="effect-strata"]', (d) => (d as HTMLDetailsElement).open), false);
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    assert.equal(await page.$eval('[data-testid="effect-strata"]', (d) => (d as HTMLDetailsElement).open), true, 'opened for print');
    await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    assert.equal(await page.$eval('[data-testid="effect-strata"]', (d) => (d as HTMLDetailsElement).open), false);
    // Its CSV: what the page shows, for a deck.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid="analytics-effect"] > .analytics-export button').click(),
    ]);
    const csv = await new Promise<string>((resolve, reject) => {
      download.createReadStream().then((stream) => {
        const parts: Buffer[] = [];
        stream.on('data', (b: Buffer) => parts.push(b));
        stream.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
        stream.on('error', reject);
      }, reject);
    });
    assert.ok(csv.startsWith('\uFEFF"调级月份",'), csv.slice(0, 40));
    assert.match(csv, /\r\n"指标","持有指定高端信用卡"\r\n/);
    assert.match(download.suggestedFilename(), /^effect-retail-tier-\d{4}-\d{2}-down-premium_card\.csv$/);
    await page.screenshot({ path: join(shots, 'admin-analytics-1-zh.png'), fullPage: true });

    // The current month, asked for by its link, has not been re-tiered: said so in words, with no 0 %
    // for its policy rates, while the month before reads as evaluated.
    const [y, mo] = to.split('-').map(Number) as [number, number];
    const current = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
    await page.evaluate((h) => {
      location.hash = h;
    }, `#/analytics?scheme=retail-tier&from=${to}&to=${current}`);
    await page.locator('[data-testid="analytics-rates"] [data-testid="not-evaluated"]').waitFor({ timeout: 30_000 });
    assert.match(
      (await page.textContent('[data-testid="analytics-rates"] [data-testid="not-evaluated"]')) ?? '',
      new RegExp(`${current} 尚未完成月度重新分级`),
    );
    const rateRows = await page.$$eval('[data-testid="analytics-rates"] table tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent?.trim() ?? '')),
    );
    assert.equal(rateRows.length, 2);
    assert.equal(rateRows[0]?.[0], `${to} (暂定)`);
    assert.doesNotMatch(rateRows[0]?.join(' ') ?? '', /未评估/);
    // Not evaluated is said as such, not as provisional; the migration to it is not evaluated either.
    assert.equal(await page.locator('[data-testid="migration-provisional"]').count(), 0);
    assert.equal(rateRows[1]?.[0], `${current} (未评估)`);
    assert.deepEqual(
      rateRows[1]?.slice(2, 6),
      ['未评估', '未评估', '未评估', '未评估'],
      'no policy count nor rate for a month not re-tiered',
    );
    assert.match((await page.textContent('[data-testid="analytics-migration"]')) ?? '', new RegExp(`${current} 尚未完成月度重新分级`));
    await page.screenshot({ path: join(shots, 'admin-analytics-3-current-month.png'), fullPage: true });
    await page.goBack();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="analytics-distribution"] table tbody tr').length === 12);

    // A write of the checker's own session, as the console makes it: C000001 moves to RM002's book.
    const status = await page.evaluate(async () => {
      const { token } = (await (await fetch('/demo/staff-token?as=checker')).json()) as { token: string };
      const res = await fetch('/v1/subjects/C000001/manager', {
        method: 'PUT',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ manager: 'RM002' }),
      });
      return res.status;
    });
    assert.equal(status, 200);

    await page.locator('a[data-page-link="audit"]').click();
    await auditSettled(page);
    await page.fill('input[name="target"]', 'C000001');
    await page.fill('input[name="route"]', '/v1/subjects/{id}/manager');
    await page.locator('form.audit-filters button[type="submit"]').click();
    await page.waitForFunction(() => document.querySelectorAll('.audit-table tbody tr').length >= 3);
    await auditSettled(page);
    const rows = await page.$$eval('.audit-table tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
    );
    const [result, change, intent] = rows;
    // The move itself, between the intent and the result: in words, with the books by their staff's names.
    assert.match(change?.[4] ?? '', /^变更（客户改归其他客户经理）$/);
    assert.match(change?.[3] ?? '', /客户 C000001：(.+ · RM\d+|不属于任何客户经理) → [^·]+ · RM002$/);
    assert.equal(change?.[7], result?.[7], 'the change is of the same request');
    // The actor, then how they came in: a staff session.
    // By name with the id (read after the rows are shown), then how they came in.
    await page.waitForFunction(() => document.querySelector('.audit-table tbody tr td:nth-child(3)')?.textContent?.includes('钱进'));
    assert.equal(
      (await page.$$eval('.audit-table tbody tr', (trs) => trs.map((tr) => tr.querySelectorAll('td')[2]?.textContent?.trim())))[0],
      '钱进 · CHECKER01员工会话',
    );
    assert.match(result?.[3] ?? '', /PUT \/v1\/subjects\/\{id\}\/manager/);
    assert.match(result?.[5] ?? '', /^200/);
    assert.match(intent?.[4] ?? '', /意图/);
    assert.equal(intent?.[7], result?.[7], 'one request id for the intent and its result');

    await page.locator('button[data-action="verify"]').click();
    await page.waitForFunction(() => /完整|链已损坏/.test(document.querySelector('[data-testid="audit-verification"]')?.textContent ?? ''));
    // Disabled while it verified, the button has focus back.
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-action') === 'verify');
    assert.match((await page.textContent('[data-testid="audit-verification"]')) ?? '', /^完整：\d+ 条记录/);
    assert.match(
      (await page.textContent('[data-testid="audit-anchors"]')) ?? '',
      /^与锚点一致：已核对 1 个锚点，链经锚定至序号 \d+（锚定于 \d{4}-\d\d-\d\d \d\d:\d\d \(Asia\/Shanghai\)）/,
    );
    await page.screenshot({ path: join(shots, 'admin-audit-1-zh.png'), fullPage: true });

    // What the server's start-up did, found by its method and said in words: who, how, and each detail.
    await page.locator('button', { hasText: '清除筛选' }).click();
    await auditSettled(page);
    await page.selectOption('select[name="method"]', 'START');
    await page.locator('form.audit-filters button[type="submit"]').click();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.audit-table tbody tr td:nth-child(4)')].every((td) => td.textContent?.startsWith('服务器启动')),
    );
    await auditSettled(page);
    const started = await page.$$eval('.audit-table tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
    );
    // The route, then its target (`tenant=demo`, `key=key_…`).
    const seeded = started.find((r) => r[3]?.startsWith('服务器启动 DEMO_CUSTOMERS'));
    const adminKey = started.find((r) => r[3]?.startsWith('服务器启动 TIERKIT_ADMIN_KEY'));
    assert.ok(seeded && adminKey, JSON.stringify(started));
    assert.match(seeded[2] ?? '', /^server:\S+@\S+服务器启动配置$/);
    assert.match(seeded[6] ?? '', /客户数：\d+/);
    assert.match(seeded[6] ?? '', /员工：MAKER01、CHECKER01、RM001/);
    assert.match(adminKey[6] ?? '', /角色：admin.*持有人：无.*标签：TIERKIT_ADMIN_KEY/);
    assert.doesNotMatch(started.map((r) => r[6]).join(' '), /[{}"]/, 'words, not JSON');
    await page.screenshot({ path: join(shots, 'admin-audit-3-start-up.png'), fullPage: true });

    assert.deepEqual(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations), [], 'no CSP violation');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('has no axe violations on either page, in zh-CN and in English', async () => {
    // axe is injected as a script, which the page's own CSP rightly forbids: this context bypasses CSP.
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, 'checker');
    for (const lang of ['zh-CN', 'en'] as const) {
      // The language is switched at run time: the pages re-render their words, charts and tables.
      if (lang === 'en') {
        await page.selectOption('.lang select', 'en');
        await page.waitForFunction(() => document.documentElement.lang === 'en');
      }
      await analyticsShown(page);
      assert.equal(await page.textContent('#an-h'), lang === 'en' ? 'Tier analytics' : '分级分析');
      assert.deepEqual(await axeViolations(page), [], `analytics ${lang}`);
      if (lang === 'en') await page.screenshot({ path: join(shots, 'admin-analytics-2-en.png'), fullPage: true });
      await page.locator('a[data-page-link="audit"]').click();
      await auditSettled(page);
      await page.locator('button[data-action="verify"]').click();
      await page.waitForFunction(() => (document.querySelector('[data-testid="audit-verification"]')?.textContent ?? '').length > 12);
      assert.deepEqual(await axeViolations(page), [], `audit ${lang}`);
      if (lang === 'en') await page.screenshot({ path: join(shots, 'admin-audit-2-en.png'), fullPage: true });
    }
    await context.close();
  });

  it('a chain rewritten whole with its head reads intact alone but fails against the server’s anchors, said as a failure (axe)', async () => {
    const db = connect({ url: t.databaseUrl });
    try {
      const chains = await db.db.selectFrom('audit_heads').select('chain').where('chain', '!=', '*').execute();
      for (const { chain } of chains) await rewriteConsistently(db, chain, 2);
    } finally {
      await db.close();
    }
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, 'checker');
    await page.locator('a[data-page-link="audit"]').click();
    await auditSettled(page);
    await page.locator('button[data-action="verify"]').click();
    await page.locator('[data-testid="audit-anchors"]').waitFor();
    assert.match(
      (await page.textContent('[data-testid="audit-verification"]')) ?? '',
      /^链本身一致：\d+ 条记录/,
      'the chain alone is consistent',
    );
    assert.equal(await page.getAttribute('[data-testid="audit-anchors"]', 'data-anchors'), 'failed');
    assert.match((await page.textContent('[data-testid="audit-anchors"]')) ?? '', /^与锚点不符：序号 \d+ 的记录与其锚点不同/);
    assert.equal(await page.getAttribute('[data-testid="audit-verification"]', 'class'), 'audit-broken');
    assert.match((await page.textContent('.audit-problems')) ?? '', /与锚点不符/);
    assert.deepEqual(await axeViolations(page), [], 'audit, anchors failed');
    await page.screenshot({ path: join(shots, 'admin-audit-4-anchors-failed.png'), fullPage: true });
    await context.close();
  });
});
