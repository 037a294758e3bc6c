// Four eyes on staff powers in the console: a grant of power an admin asked for waits on the staff page,
// where its maker may withdraw it; another admin finds it on the approvals page and approves it, and
// only then does the member hold it. In zh-CN, zh-TW and en, axe clean.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '@tierkit/api';
import { connect } from '@tierkit/db';
import { axeViolations } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY } from './support/server.js';

const t = consoleUnderTest(5);

const api = (credential: string, path: string, method = 'GET', body?: unknown) =>
  fetch(`${t.server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

/** An admin key ADMIN01 owns (`tierkit keys create --staff ADMIN01`): four eyes counts it as ADMIN01, the console's demo admin. */
async function admin01Key(): Promise<string> {
  const db = connect({ url: t.databaseUrl });
  try {
    return (await createApiKey(db.db, { tenantId: 'demo', role: 'admin', label: 'ADMIN01 ops', staffId: 'ADMIN01' })).secret;
  } finally {
    await db.close();
  }
}

describe('admin console: grants of staff power', () => {
  it('the maker withdraws a grant on the staff page; another admin approves one on the approvals page; three languages, axe clean', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));

    // ADMIN01 (signed in below) asks to make the analyst an admin: a grant, nothing changed yet.
    const mine = await api(await admin01Key(), '/v1/staff/ANALYST01', 'PUT', { name: '周婷', role: 'admin', scope: 'tenant' });
    assert.equal(mine.status, 202, await mine.clone().text());
    // The operator's key asks to make the checker an admin: ADMIN01 is the other admin who decides it.
    const other = await api(ADMIN_KEY, '/v1/staff/CHECKER01', 'PUT', { name: '钱进', role: 'admin', scope: 'tenant' });
    assert.equal(other.status, 202, await other.clone().text());
    const role = async (id: string) => ((await (await api(ADMIN_KEY, `/v1/staff/${id}`)).json()) as { role: string }).role;
    assert.equal(await role('CHECKER01'), 'approver');

    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="admin"]').click();
    await page.locator('a[data-page-link="staff"]').click();
    await page.locator('[data-testid="staff-grants"]').waitFor();
    const mineRow = page.locator('li.staff-grant', { hasText: 'ANALYST01' });
    assert.match((await mineRow.textContent()) ?? '', /分析 · 全行[\s\S]*管理员 · 全行/);
    assert.equal(await mineRow.locator('[data-testid="grant-yours"]').count(), 1);
    // The operator's grant is not ADMIN01's to withdraw.
    assert.equal(await page.locator('li.staff-grant', { hasText: 'CHECKER01' }).locator('[data-testid="withdraw-grant"]').count(), 0);
    assert.deepEqual(await axeViolations(page), [], 'the staff page, zh-CN');

    await page.selectOption('.bar .lang select', 'zh-TW');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-TW');
    await page.locator('[data-testid="staff-grants"]').waitFor();
    assert.match((await page.textContent('admin-staff-page')) ?? '', /待核准的權限授予/);
    assert.deepEqual(await axeViolations(page), [], 'the staff page, zh-TW');

    await page.selectOption('.bar .lang select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.locator('[data-testid="staff-grants"]').waitFor();
    await page.locator('li.staff-grant', { hasText: 'ANALYST01' }).locator('[data-testid="withdraw-grant"]').click();
    await page.waitForFunction(() => /withdrawn/.test(document.querySelector('[data-testid="staff-outcome"]')?.textContent ?? ''));
    assert.equal(await page.locator('li.staff-grant', { hasText: 'ANALYST01' }).count(), 0);
    assert.deepEqual(await axeViolations(page), [], 'the staff page after a withdrawal, en');
    assert.equal(await role('ANALYST01'), 'analyst');

    // The approvals page lists the operator's grant for ADMIN01 to decide.
    await page.locator('a[data-page-link="approvals"]').click();
    const item = page.locator('li.approvals-item', { hasText: 'CHECKER01' });
    await item.waitFor();
    assert.match((await item.textContent()) ?? '', /Staff powers/);
    assert.match((await item.locator('[data-testid="approval-staff-to"]').textContent()) ?? '', /Administrator · whole bank/);
    assert.equal(await item.locator('[data-testid="approval-current"]').count(), 0, 'a grant is about no customer’s level');
    assert.deepEqual(await axeViolations(page), [], 'the approvals page with a staff grant, en');
    await item.locator('button[data-action="approve"]').click();
    await page.waitForFunction(() => !document.querySelector('li.approvals-item[data-approval^="staff:"]'));
    assert.equal(await role('CHECKER01'), 'admin');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
