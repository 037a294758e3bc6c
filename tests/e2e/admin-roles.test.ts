// Each role's console from the demo sign-in (analyst, viewer, admin and internal audit beside the maker, checker and RM):
// its navigation offers only pages it may use — no page it opens meets a 403 — and its header says
// who is signed in in the reader's language. And a customer's tier history names a re-tier job as the
// job, linked to its page, never masked as if it were a person. The real server, bundle and Chromium.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { consoleUnderTest } from './support/console.js';
import { fetchAsBank } from './support/server.js';

const t = consoleUnderTest(40);

async function tokenOf(as: string): Promise<string> {
  const res = await fetch(`${t.server.url}/demo/staff-token?as=${as}`);
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { token: string }).token;
}

/** Signed in as `as`, with every refusal (401/403) of the API the console meets recorded. */
async function signedIn(as: string): Promise<{ page: Page; refused: string[]; errors: string[] }> {
  const page = await t.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const refused: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/v1/') && (r.status() === 403 || r.status() === 401))
      refused.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  await page.goto(`${t.server.url}/admin/`);
  await page.locator(`button[data-as="${as}"]`).click();
  await page.locator('[data-testid="who"]').waitFor();
  return { page, refused, errors };
}

const navOf = (page: Page) => page.$$eval('nav.pages a[data-page-link]', (as) => as.map((a) => a.getAttribute('data-page-link')));

describe('every role’s console from the demo sign-in', () => {
  for (const [as, name, nav, roleEn] of [
    ['viewer', '吴昊', ['book', 'books', 'overrides'], 'Viewer'],
    ['analyst', '周婷', ['book', 'books', 'metrics', 'overrides', 'analytics'], 'Analyst'],
    [
      'admin',
      '郑洁',
      ['book', 'books', 'approvals', 'policies', 'metrics', 'jobs', 'overrides', 'import', 'analytics', 'audit', 'keys', 'staff'],
      'Administrator',
    ],
    ['auditor', '冯岚', ['approvals', 'policies', 'jobs', 'overrides', 'import', 'audit', 'staff'], 'Internal auditor \\(read-only\\)'],
  ] as const) {
    it(`${as}: the navigation offers only what the role may use, and no page it opens is refused`, async () => {
      const { page, refused, errors } = await signedIn(as);
      assert.deepEqual(await navOf(page), nav);
      for (const id of nav) {
        await page.locator(`a[data-page-link="${id}"]`).click();
        await page.waitForFunction((p) => document.querySelector('a[aria-current="page"]')?.getAttribute('data-page-link') === p, id);
        await page.waitForLoadState('networkidle');
      }
      assert.deepEqual(refused, [], 'a page shown to this role asked for what it may not');
      // The header: the name, and the role in the reader's language — no Chinese role word in English.
      assert.match((await page.textContent('[data-testid="who"]')) ?? '', new RegExp(`^${name} ·\\s+(只读|分析|管理员|内部审计（只读）)$`));
      await page.selectOption('.bar .lang select', 'en');
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      assert.match((await page.textContent('[data-testid="who"]')) ?? '', new RegExp(`^${name} ·\\s+${roleEn}$`));
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  it('the maker’s header in English is the name and “Officer”, nothing Chinese but the name', async () => {
    const { page } = await signedIn('maker');
    await page.selectOption('.bar .lang select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.match((await page.textContent('[data-testid="who"]')) ?? '', /^赵敏 ·\s+Officer$/);
    await page.close();
  });
});

describe('the tier history names a re-tier job as the job', () => {
  it('a change a job made reads “重评任务 #<id>”, linked to the job, not a masked id', async () => {
    const maker = { authorization: `Bearer ${await tokenOf('maker')}` };
    // A customer's metrics imported (which stores them without re-evaluating), then a re-tier job over
    // that month: the job moves the customer, and its history names the job as who did it.
    const period = ((await (await fetchAsBank(`${t.server.url}/v1/jobs/schedule`)).json()) as { nextPeriod?: string }).nextPeriod;
    const month = period ?? lastClosedMonth();
    // Several customers made rich: those not at the top already are upgraded (C000001 is: diamond).
    const rich = ['C000002', 'C000003', 'C000004', 'C000005', 'C000006', 'C000007'];
    const csv = `subject,period,metric,value\n${rich.map((id) => `${id},${month},avg_daily_balance,900000000\n`).join('')}`;
    const imported = await fetch(`${t.server.url}/v1/imports?kind=metrics&amounts=yuan`, {
      method: 'POST',
      headers: { ...maker, 'content-type': 'text/csv' },
      body: csv,
    });
    assert.equal(imported.status, 201, await imported.clone().text());
    const started = await fetch(`${t.server.url}/v1/jobs`, {
      method: 'POST',
      headers: { ...maker, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'retier', schemes: ['retail-tier'], period: month, reason: 'e2e actors' }),
    });
    assert.equal(started.status, 201, await started.clone().text());
    const job = ((await started.json()) as { id: string }).id;
    for (let i = 0; i < 120; i++) {
      const s = ((await (await fetchAsBank(`${t.server.url}/v1/jobs/${job}`)).json()) as { status: string }).status;
      if (s === 'completed') break;
      assert.ok(!/failed|cancel/.test(s), s);
      await new Promise((r) => setTimeout(r, 500));
    }
    let moved: string | undefined;
    for (const id of rich) {
      const history = (await (await fetchAsBank(`${t.server.url}/v1/subjects/${id}/history?limit=1`)).json()) as {
        items: { actor: string }[];
      };
      if (history.items[0]?.actor === `job:${job}`) moved = id;
    }
    assert.ok(moved, 'the job moved a customer');

    const { page, errors } = await signedIn('maker');
    await page.goto(`${t.server.url}/admin/#/book/${moved}`);
    const link = page.locator('tk-tier-timeline a[data-job-link]').first();
    await link.waitFor({ timeout: 30_000 });
    assert.equal(await link.textContent(), `重评任务 #${job}`);
    assert.equal(await link.getAttribute('href'), `#/jobs/${encodeURIComponent(job)}`);
    const events = (await page.locator('tk-tier-timeline').evaluate((el) => el.shadowRoot?.textContent ?? '')) ?? '';
    assert.doesNotMatch(events, /操作人：jo\*+/, 'no job masked as a person');
    await page.close();

    // A viewer may not open the jobs page: the job is named, not linked to a page it cannot use.
    const viewer = await signedIn('viewer');
    await viewer.page.goto(`${t.server.url}/admin/#/book/${moved}`);
    await viewer.page.waitForFunction(
      (id) => (document.querySelector('tk-tier-timeline')?.shadowRoot?.textContent ?? '').includes(`重评任务 #${id}`),
      job,
      { timeout: 30_000 },
    );
    assert.equal(await viewer.page.locator('tk-tier-timeline a[data-job-link]').count(), 0);
    await viewer.page.close();
    assert.deepEqual(errors, []);
  });
});

/** The month before this one in the bank's zone (Asia/Shanghai): the last that has ended. */
function lastClosedMonth(): string {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .format(new Date())
    .split('-')
    .map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}
