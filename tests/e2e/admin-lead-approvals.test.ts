// A team lead approving in the console: the demo's lead 何静 (LEAD01, approver, scope book) leads a team
// holding 王芳's book (RM001). 王芳 files an override request on her customer's page; 何静 finds it on her
// approvals page and approves it; 王芳's customer then shows the override in force. A request on the AML
// grade for the same customer (a control function's, filed by tenant-wide staff) is never in the lead's
// queue: the bank's checkers decide it. Real server, the console's bundle, real Chromium; axe clean.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { axeViolations } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { nameTeamApproved } from './support/staff.js';
import { bankDayAhead, fetchAsBank } from './support/server.js';

const t = consoleUnderTest(5);
const CUSTOMER = 'C000001';
const LEVELS = ['standard', 'gold', 'platinum', 'diamond'];

const send = (credential: string, path: string, method = 'GET', body?: unknown) =>
  fetch(`${t.server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

async function tokenOf(as: string): Promise<string> {
  const res = await fetch(`${t.server.url}/demo/staff-token?as=${as}`);
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { token: string }).token;
}

/** Signed in from the demo sign-in as `as`, every 403 the console meets and every page error recorded. */
async function signedIn(
  browser: Browser,
  as: string,
): Promise<{ page: Page; refused: string[]; errors: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const refused: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/v1/') && r.status() === 403)
      refused.push(`${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  await page.goto(`${t.server.url}/admin/`);
  await page.locator(`button[data-as="${as}"]`).click();
  await page.locator('[data-testid="who"]').waitFor();
  return { page, refused, errors, close: () => context.close() };
}

describe('admin console: a team lead approves her team’s override request', () => {
  before(async () => {
    // The operator's key names the team and its book; the demo admin (another person) approves each grant.
    await nameTeamApproved(t.server.url, { id: 'LA1', name: '浦东三组', lead: 'LEAD01', books: ['RM001'] });
  });

  it('the RM files, the lead approves on her approvals page, the customer shows it; an AML request is not hers', async () => {
    // One step from the customer's card tier now (the default pack's rule moves it one level at a time).
    const tiers = (await (await fetchAsBank(`${t.server.url}/v1/subjects/${CUSTOMER}/tiers?scheme=retail-tier`)).json()) as {
      assignments: { level: string }[];
    };
    const now = LEVELS.indexOf(tiers.assignments[0]?.level ?? '');
    assert.ok(now >= 0, JSON.stringify(tiers));
    const asked = LEVELS[now === LEVELS.length - 1 ? now - 1 : now + 1] ?? '';

    // 王芳 files it on her customer's page.
    const rm = await signedIn(t.browser, 'rm');
    await rm.page.goto(`${t.server.url}/admin/#/book/${CUSTOMER}`);
    const form = rm.page.locator('form[data-testid="override-request"]');
    await form.locator('select[name="level"] option').first().waitFor({ state: 'attached', timeout: 30_000 });
    await form.locator('select[name="scheme"]').selectOption('retail-tier');
    await form.locator('select[name="level"]').selectOption(asked);
    await form.locator('select[name="mode"]').selectOption('fixed');
    await form.locator('textarea[name="reason"]').fill('年度重点客户，团队复核');
    await form.locator('input[name="expiresOn"]').fill(bankDayAhead(90).day);
    await form.locator('button[type="submit"]').click();
    await rm.page.waitForFunction(() => /已提交/.test(document.querySelector('[data-testid="override-outcome"]')?.textContent ?? ''));
    const filed = (await (await fetchAsBank(`${t.server.url}/v1/subjects/${CUSTOMER}/overrides`)).json()) as {
      items: { id: string; scheme: string; status: string; requestedBy: string }[];
    };
    const mine = filed.items.find((o) => o.scheme === 'retail-tier' && o.status === 'pending');
    assert.equal(mine?.requestedBy, 'staff:RM001', JSON.stringify(filed.items));
    const item = `[data-approval="override:${mine?.id}"]`;

    // The same customer's AML grade, asked by the bank's maker (tenant-wide): a control function's exception.
    const aml = await send(await tokenOf('maker'), `/v1/subjects/${CUSTOMER}/overrides`, 'POST', {
      scheme: 'aml-risk',
      level: 'high',
      mode: 'floor',
      reason: '可疑交易监测，暂列高风险',
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
    assert.equal(aml.status, 201, await aml.clone().text());
    const amlId = ((await aml.json()) as { id: string }).id;
    const banks = (await (await send(await tokenOf('checker'), '/v1/approvals?limit=100')).json()) as { items: { id: string }[] };
    assert.ok(
      banks.items.some((i) => i.id === amlId),
      'the bank’s checker has it',
    );

    // 何静 signs in: her navigation offers the approvals page, which lists 王芳's request and not the AML one.
    const lead = await signedIn(t.browser, 'lead');
    const nav = await lead.page.$$eval('nav.pages a[data-page-link]', (as) => as.map((a) => a.getAttribute('data-page-link')));
    assert.ok(nav.includes('approvals'), JSON.stringify(nav));
    await lead.page.locator('a[data-page-link="approvals"]').click();
    await lead.page.locator(`${item} button[data-action="approve"]`).waitFor({ timeout: 30_000 });
    await lead.page.waitForFunction(
      (sel) => document.querySelector(`${sel} [data-testid="approval-requester"]`)?.textContent?.trim() === '王芳 · RM001',
      item,
    );
    assert.equal(await lead.page.locator(`[data-approval="override:${amlId}"]`).count(), 0, 'the AML request is not the lead’s');
    assert.deepEqual(
      await lead.page.locator('[data-approval]').evaluateAll((els) => els.map((e) => e.getAttribute('data-approval'))),
      [`override:${mine?.id}`],
      'her queue is exactly what she may decide',
    );
    assert.deepEqual(await axeViolations(lead.page), [], 'the lead’s approvals page, zh-CN');
    await lead.page.locator(`${item} textarea[name="note"]`).fill('团队复核同意');
    await lead.page.locator(`${item} button[data-action="approve"]`).click();
    await lead.page.locator(`[data-decided="override:${mine?.id}"]`).waitFor();
    assert.equal(await lead.page.locator(item).count(), 0, 'the decided request leaves her queue');
    const stored = (await (await fetchAsBank(`${t.server.url}/v1/overrides/${mine?.id}`)).json()) as { status: string; decidedBy: string };
    assert.deepEqual([stored.status, stored.decidedBy], ['approved', 'staff:LEAD01']);
    const amlStill = (await (await fetchAsBank(`${t.server.url}/v1/overrides/${amlId}`)).json()) as { status: string };
    assert.equal(amlStill.status, 'pending', 'nothing decided on the AML grade');
    assert.deepEqual(lead.refused, [], 'no page the lead opened was refused');
    assert.deepEqual(lead.errors, []);
    await lead.close();

    assert.deepEqual(rm.errors, []);
    await rm.close();

    // 王芳, signed in again, finds her customer with the override in force, and the level asked.
    const again = await signedIn(t.browser, 'rm');
    await again.page.goto(`${t.server.url}/admin/#/book/${CUSTOMER}`);
    await again.page.locator('.overrides-subject [data-testid="override-status"]').first().waitFor({ timeout: 30_000 });
    await again.page.waitForFunction(() =>
      [...document.querySelectorAll('.overrides-subject [data-testid="override-status"]')].some((c) => /生效中/.test(c.textContent ?? '')),
    );
    const after = (await (await fetchAsBank(`${t.server.url}/v1/subjects/${CUSTOMER}/tiers?scheme=retail-tier`)).json()) as {
      assignments: { level: string }[];
    };
    assert.equal(after.assignments[0]?.level, asked);
    assert.deepEqual(again.errors, []);
    await again.close();
  });
});
