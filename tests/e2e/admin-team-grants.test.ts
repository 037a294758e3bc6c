// Four eyes on teams in the console: a lead named by one admin waits on the approvals page, where the
// card names the team, the lead it would have and the books it would add — not the lead's powers,
// which do not change — and another admin approves it. In zh-CN, zh-TW and en, axe clean.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY } from './support/server.js';

const t = consoleUnderTest(5);

const api = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${t.server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

describe('admin console: team grants', () => {
  it('another admin reads a team grant’s card in three languages and approves it; the team then has its lead', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));

    // The operator's key names RM001 the lead of a new team: a grant, no team yet.
    const filed = await api('/v1/teams/PD1', 'PUT', { name: '浦东一组', lead: 'RM001' });
    assert.equal(filed.status, 202, await filed.clone().text());
    assert.equal((await api('/v1/teams/PD1')).status, 404);

    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="admin"]').click();
    await page.locator('a[data-page-link="approvals"]').click();
    const item = page.locator('li.approvals-item', { hasText: 'PD1' });
    await item.waitFor();
    assert.match((await item.locator('h3').textContent()) ?? '', /团队\s*PD1/);
    assert.match((await item.locator('[data-testid="approval-team"]').textContent()) ?? '', /浦东一组 · PD1（新建）/);
    assert.match((await item.locator('[data-testid="approval-team-lead"]').textContent()) ?? '', /无 → 王芳 · RM001/);
    assert.equal(await item.locator('[data-testid="approval-staff-to"]').count(), 0, 'the lead’s powers do not change');
    assert.match(
      (await item.locator('[data-testid="approval-expires"]').textContent()) ?? '',
      /\d/,
      'when it lapses, as a grant of powers says',
    );
    assert.equal(await item.locator('button[data-action="withdraw"]').count(), 0, 'another admin’s grant: no withdraw');
    assert.deepEqual(await axeViolations(page), [], 'the approvals page with a team grant, zh-CN');

    await page.selectOption('.bar .lang select', 'zh-TW');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-TW');
    await item.waitFor();
    assert.match((await item.locator('[data-testid="approval-team-lead"]').textContent()) ?? '', /無 → 王芳 · RM001/);
    assert.deepEqual(await axeViolations(page), [], 'the approvals page with a team grant, zh-TW');

    await page.selectOption('.bar .lang select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await item.waitFor();
    assert.match((await item.locator('h3').textContent()) ?? '', /Team\s*PD1/);
    assert.match((await item.locator('[data-testid="approval-team-lead"]').textContent()) ?? '', /none → 王芳 · RM001/);
    assert.deepEqual(await axeViolations(page), [], 'the approvals page with a team grant, en');
    await item.locator('button[data-action="approve"]').click();
    await page.waitForFunction(() => !document.querySelector('li.approvals-item[data-approval^="staff:"]'));
    const team = (await (await api('/v1/teams/PD1')).json()) as { lead: string | null };
    assert.equal(team.lead, 'RM001');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('its maker withdraws a team grant from its card (the staff page lists grants of powers only)', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // Filed by the console's admin (the demo sign-in's staff member), so the card is theirs.
    const { token } = (await (await fetch(`${t.server.url}/demo/staff-token?as=admin`)).json()) as { token: string };
    const filed = await fetch(`${t.server.url}/v1/teams/PD2`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '浦东二组', lead: 'RM001' }),
    });
    assert.equal(filed.status, 202, await filed.clone().text());
    const grant = (await filed.json()) as { id: string };

    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="admin"]').click();
    await page.locator('a[data-page-link="approvals"]').waitFor();
    await page.goto(`${t.server.url}/admin/#/approvals?who=mine&kind=staff`);
    const item = page.locator('li.approvals-item', { hasText: 'PD2' });
    await item.waitFor();
    assert.equal(await item.locator('[data-testid="own-request"]').count(), 1);
    assert.match((await item.locator('[data-testid="approval-expires"]').textContent()) ?? '', /\d/);
    assert.deepEqual(await axeViolations(page), [], 'a team grant of one’s own, zh-CN');
    await item.locator('button[data-action="withdraw"]').click();
    await item.waitFor({ state: 'detached' });
    assert.match((await page.locator('[data-testid="approvals-withdrawn"]').textContent()) ?? '', /已撤回团队 PD2/);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'approvals-withdrawn');
    const after = (await (await api(`/v1/staff-grants/${grant.id}`)).json()) as { status: string };
    assert.equal(after.status, 'withdrawn');
    assert.equal((await api('/v1/teams/PD2')).status, 404);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
