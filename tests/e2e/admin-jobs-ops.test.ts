// The monthly re-tier as an operations team runs it in the admin console: a server whose schedule is
// off says so on the jobs page (this server will not queue the month), and a job started by hand for
// a month partly loaded says what the month lacks — the real server, the console's bundle, Chromium.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { axeViolations, SHOTS as shots } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY, fetchAsBank } from './support/server.js';

const t = consoleUnderTest(20, { TIERKIT_SCHEDULE: 'off' });

/** The by-month metrics the seed loads every month besides the balances: what a month with only balances lacks. */
const MISSING_METRICS = ['card_spend', 'loan_days_past_due', 'performance_score', 'transaction_count'];

/** This month in the bank's zone (Asia/Shanghai). */
function bankMonth(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date());
}

async function language(page: Page, locale: 'zh-CN' | 'zh-TW' | 'en'): Promise<void> {
  await page.selectOption('.bar .lang select', locale);
  await page.waitForFunction((l) => document.documentElement.lang === l, locale);
}

const text = async (page: Page, testId: string) => ((await page.locator(`[data-testid="${testId}"]`).textContent()) ?? '').trim();

describe('admin console: the monthly re-tier, run by hand', () => {
  it('says the schedule is off on this server, and after a start for a month partly loaded, what it lacks', async () => {
    const schedule = (await (await fetchAsBank(`${t.server.url}/v1/jobs/schedule`)).json()) as { running: boolean };
    assert.equal(schedule.running, false, 'the server passes TIERKIT_SCHEDULE=off to the API');
    // This month's balances have come for one customer; the feeds the bank loads every month have not.
    const thisMonth = bankMonth();
    const wrote = await fetch(`${t.server.url}/v1/subjects/C000001/metrics`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metrics: [{ metric: 'avg_daily_balance', period: thisMonth, value: 10_000_000 }] }),
    });
    assert.equal(wrote.status, 200, await wrote.clone().text());

    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="maker"]').click();
    await page.locator('[data-testid="who"]').waitFor();
    await page.locator('a[data-page-link="jobs"]').click();

    // The schedule is off: said first, in each language, and the hint that months re-tier themselves is gone.
    await page.waitForFunction(() => document.querySelector('[data-testid="schedule-off"]')?.textContent?.trim());
    assert.equal(
      await text(page, 'schedule-off'),
      '本服务器不运行月度重评排程。若其他服务器也不运行，请手动启动月度重评（下方“启动重评”，或 tierkit retier）。',
    );
    assert.equal(await page.locator('.jobs-schedule .hint').count(), 0);
    // Information, not an alarm: not in the overdue red.
    const colour = await page.locator('[data-testid="schedule-off"]').evaluate((el) => getComputedStyle(el).color);
    assert.notEqual(colour, 'rgb(164, 22, 26)');
    // The seed has just written last month: settling, but no "queued after …" where nothing will queue it.
    await page.locator('[data-testid="schedule-state"][data-state="settling"]').waitFor();
    assert.match(await text(page, 'schedule-state'), /^\d{4}年\d{1,2}月数据已到（最后写入 .+）（已等 \d+ 天，.+ 起算逾期）$/);
    await page.screenshot({ path: join(shots, 'admin-jobs-ops-1-schedule-off.png'), fullPage: true });
    assert.deepEqual(await axeViolations(page), [], 'jobs page, schedule off (zh-CN)');
    await language(page, 'zh-TW');
    assert.equal(
      await text(page, 'schedule-off'),
      '本伺服器不執行月度重評排程。若其他伺服器也不執行，請手動啟動月度重評（下方「啟動重評」，或 tierkit retier）。',
    );
    await language(page, 'en');
    assert.equal(
      await text(page, 'schedule-off'),
      'This server does not run the monthly schedule. If no other server runs it, start monthly jobs by hand (Start a re-tier, below) or with tierkit retier.',
    );
    assert.deepEqual(await axeViolations(page), [], 'jobs page, schedule off (en)');
    await language(page, 'zh-CN');

    // Started by hand for this month: queued, and the job's page says what the month lacks.
    await page.locator('form[data-testid="start-job"] input[name="period"]').fill(thisMonth);
    await page.locator('form[data-testid="start-job"] input[name="reason"]').fill('余额已到，其余数据补录前先重评');
    // This month has not ended: started only once the staff member confirms it.
    await page.locator('form[data-testid="start-job"] [data-testid="open-month"] input[type="checkbox"]').check();
    await page.locator('form[data-testid="start-job"] button[type="submit"]').click();
    await page.waitForFunction(() => /^#\/jobs\/job_/.test(location.hash));
    const id = decodeURIComponent((await page.evaluate(() => location.hash)).slice('#/jobs/'.length));
    await page.locator(`[data-job="${id}"]`).waitFor();
    const notice = await text(page, 'job-partly-loaded');
    const [y, m] = thisMonth.split('-').map(Number) as [number, number];
    const said = new RegExp(
      `^${y}年${m}月的数据尚未到齐：(.+) 未到（已到：avg_daily_balance）。任务已启动，客户按当月没有 \\1 评级；月度排程本会等这些数据到齐。$`,
    );
    const missing = notice.match(said)?.[1];
    assert.ok(missing, notice);
    // The seed's pack reads these by month besides the balances, and the month has none of them yet.
    assert.deepEqual(missing.split(', '), MISSING_METRICS);
    // Focus lands on the job's heading, which the notice describes: a screen reader hears it there too.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'job-h');
    assert.equal(await page.getAttribute('#job-h', 'aria-describedby'), 'job-partly-loaded');
    assert.equal(await page.getAttribute('[data-testid="job-partly-loaded"]', 'role'), 'status');
    await page.screenshot({ path: join(shots, 'admin-jobs-ops-2-partly-loaded.png'), fullPage: true });
    assert.deepEqual(await axeViolations(page), [], 'job page, partly loaded (zh-CN)');
    await language(page, 'en');
    assert.equal(
      await text(page, 'job-partly-loaded'),
      `${new Intl.DateTimeFormat('en', { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)))} ${y} is only partly loaded: no data yet for ${missing} (in: avg_daily_balance). The job was started; customers are evaluated as if they had no ${missing} that month. The monthly schedule would have waited for it.`,
    );
    assert.deepEqual(await axeViolations(page), [], 'job page, partly loaded (en)');

    assert.deepEqual(errors, []);
    await context.close();
  });

  it('a month re-tiered after a later one says it re-evaluated nobody, and why, not "no results yet"', async () => {
    // The seed's customers are judged at last month: a job for the month before leaves every one alone.
    const [y, m] = bankMonth().split('-').map(Number) as [number, number];
    const before = new Date(Date.UTC(y, m - 3, 1)).toISOString().slice(0, 7);
    const queued = await fetch(`${t.server.url}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'retier', period: before, reason: 'restatement' }),
    });
    assert.equal(queued.status, 201, await queued.clone().text());
    const { id } = (await queued.json()) as { id: string };

    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.server.url}/admin/#/jobs/${encodeURIComponent(id)}`);
    await page.locator('button[data-as="maker"]').click();
    await page.locator('[data-job] [data-testid="job-status"][data-status="completed"]').waitFor();
    assert.match(await text(page, 'job-outcome'), /^重新评估 0 位客户，未动 \d+ 位客户$|^重新评估 0 个对象，未动 \d+ 个对象$/);
    assert.match(await text(page, 'job-no-matrix'), /^本任务没有重新评估任何(客户|对象)：全部 \d+ (位客户|个对象)均未动，没有重评结果。$/);
    assert.match(await text(page, 'job-left-alone'), /^未动的原因为以下之一：已按更晚的月份评估过、已销户、既无等级也无数据（/);
    await language(page, 'en');
    assert.match(
      await text(page, 'job-no-matrix'),
      /^This job re-evaluated no (customer|subject): all \d+ were left alone, so it has no results\.$/,
    );
    // The list row says it too.
    await page.locator('a[data-page-link="jobs"]').click();
    await page.locator(`tr[data-job="${id}"] [data-testid="job-outcome"]`).waitFor();
    assert.match(
      (await page.locator(`tr[data-job="${id}"] [data-testid="job-outcome"]`).textContent()) ?? '',
      /^0 (customers|subjects) re-evaluated, \d+ left alone$/,
    );
    assert.deepEqual(await axeViolations(page), [], 'jobs list with a job that left everyone alone (en)');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
