// The API keys page: a tenant-wide admin lists the tenant's keys, creates one in a dialog that shows
// its secret once (with a copy button and a warning), and revokes one after a confirmation; the key
// works until then and is refused after. The tenant's last admin key is not revoked: the dialog says why.
// Officers and approvers are not offered the page.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { axeViolations, SHOTS as shots } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY } from './support/server.js';
import { putStaffApproved } from './support/staff.js';

const t = consoleUnderTest(5);

const asBank = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${t.server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

describe('admin console: API keys', () => {
  it('an admin creates a key, sees its secret once, and revokes it; in zh-CN, zh-TW and en; not offered below admin', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));

    // An approver is not offered the page.
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="checker"]').click();
    await page.locator('[data-testid="who"]').waitFor();
    assert.equal(await page.locator('a[data-page-link="keys"]').count(), 0);

    // The same person made an admin by the bank: the page is theirs.
    // Grants of power, each approved by the demo's other admin (four eyes on staff powers).
    assert.equal(await putStaffApproved(t.server.url, 'CHECKER01', { name: '钱进', role: 'admin', scope: 'tenant' }), 202);
    assert.equal(await putStaffApproved(t.server.url, 'KEYVIEW1', { name: '孙只读', role: 'viewer', scope: 'tenant' }), 202);
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="checker"]').click();
    await page.locator('a[data-page-link="keys"]').click();
    await page.waitForFunction(() => /个密钥/.test(document.querySelector('[data-testid="keys-status"]')?.textContent ?? ''));
    assert.equal(await page.title(), 'API 密钥 · ' + (await page.textContent('.brand'))?.trim());
    assert.deepEqual(await axeViolations(page), [], 'the list, zh-CN');

    // Create: the dialog, then the secret once.
    await page.locator('[data-testid="create-key"]').click();
    await page.waitForFunction(() => document.activeElement?.matches('dialog input[name="label"]') === true);
    assert.deepEqual(await axeViolations(page), [], 'the create dialog, zh-CN');
    // A key that files or decides is the signed-in admin's own: the holder is locked to them, and the dialog says why.
    await page.selectOption('dialog select[name="role"]', 'admin');
    assert.equal(await page.locator('[data-testid="key-owner-locked"]').inputValue(), 'CHECKER01');
    assert.equal(await page.locator('[data-testid="key-owner-locked"]').isDisabled(), true);
    assert.match((await page.textContent('[data-testid="keys-role-hint"]')) ?? '', /只能发给您本人/);
    // Below that line anyone may hold it, within their own role: an analyst key for a viewer the API refuses, in the console's words.
    await page.fill('dialog input[name="label"]', '只读员工的分析密钥');
    await page.selectOption('dialog select[name="role"]', 'analyst');
    await page.selectOption('dialog select[name="staff"]', 'KEYVIEW1');
    await page.locator('dialog button[type="submit"]').click();
    await page.waitForFunction(() => /角色/.test(document.querySelector('[data-testid="keys-dialog-error"]')?.textContent ?? ''));
    assert.deepEqual(await axeViolations(page), [], 'a refusal in the create dialog, zh-CN');
    await page.fill('dialog input[name="label"]', '核心系统夜间同步');
    await page.selectOption('dialog select[name="role"]', 'officer');
    await page.locator('dialog button[type="submit"]').click();
    const secretField = page.locator('[data-testid="key-secret"]');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    assert.match(secret, /^tk_/);
    assert.match((await page.textContent('[data-testid="keys-dialog"]')) ?? '', /无法再次查看/);
    assert.deepEqual(await axeViolations(page), [], 'the secret, zh-CN');
    await page.screenshot({ path: join(shots, 'admin-keys-secret.png'), fullPage: true });
    const works = await fetch(`${t.server.url}/v1/schemes`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(works.status, 200);
    // Escape does not lose the secret before the admin says they kept it.
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.querySelector<HTMLDialogElement>('[data-testid="keys-dialog"]')?.open), true);
    // page.content() is markup: an input's value is not in it. Look in the text (hidden text too) and in every field's value.
    const shows = (s: string) =>
      page.evaluate(
        (s) =>
          (document.body.textContent ?? '').includes(s) ||
          [...document.querySelectorAll('input, textarea')].some((i) => (i as HTMLInputElement).value.includes(s)),
        s,
      );
    assert.equal(await shows(secret), true, 'the check finds the secret while its dialog shows it');
    await page.locator('[data-testid="secret-done"]').click();
    await page.waitForFunction(() => document.querySelector<HTMLDialogElement>('[data-testid="keys-dialog"]')?.open === false);
    assert.equal(await shows(secret), false, 'the secret is gone from the page');

    const listed = (await (await asBank('/v1/keys?limit=100')).json()) as { items: { id: string; label: string; staff: string | null }[] };
    const made = listed.items.find((k) => k.label === '核心系统夜间同步');
    const id = made?.id;
    assert.ok(id);
    assert.equal(made?.staff, 'CHECKER01', 'an officer key is the signed-in admin’s own');
    const row = page.locator(`tr[data-key="${id}"]`);
    assert.equal(await row.getAttribute('data-state'), 'active');

    // Revoke: confirmation first, starting on Cancel.
    await page.selectOption('.bar .lang select', 'zh-TW');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-TW');
    await row.locator('[data-testid="revoke-key"]').click();
    await page.waitForFunction(() => document.activeElement?.matches('[data-testid="cancel-revoke"]') === true);
    assert.match((await page.textContent('#keys-dialog-h')) ?? '', /撤銷金鑰「核心系统夜间同步」/);
    assert.deepEqual(await axeViolations(page), [], 'the revocation, zh-TW');
    await page.locator('[data-testid="confirm-revoke"]').click();
    await page.waitForFunction((k) => document.querySelector(`tr[data-key="${k}"]`)?.getAttribute('data-state') === 'revoked', id);
    const refused = await fetch(`${t.server.url}/v1/schemes`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(refused.status, 401);

    await page.selectOption('.bar .lang select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal((await page.textContent('#keys-h'))?.trim(), 'API keys');
    assert.match((await page.textContent(`tr[data-key="${id}"]`)) ?? '', /revoked/);
    assert.deepEqual(await axeViolations(page), [], 'the list, en');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('the tenant’s last admin key is not revoked: the dialog says why and what to do instead, and the key still works', async () => {
    // Already an admin from an earlier test (200), or a grant approved by the demo's other admin (202).
    assert.ok([200, 202].includes(await putStaffApproved(t.server.url, 'CHECKER01', { name: '钱进', role: 'admin', scope: 'tenant' })));
    const listed = (await (await asBank('/v1/keys?limit=100')).json()) as { items: { id: string; role: string; state: string }[] };
    const admins = listed.items.filter((k) => k.role === 'admin' && k.state === 'active');
    assert.equal(admins.length, 1, 'the bootstrap key (TIERKIT_ADMIN_KEY) is the tenant’s only admin key');
    const id = admins[0]?.id ?? '';
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="checker"]').click();
    await page.locator('a[data-page-link="keys"]').click();
    const row = page.locator(`tr[data-key="${id}"]`);
    await row.locator('[data-testid="revoke-key"]').click();
    await page.waitForFunction(() => document.activeElement?.matches('[data-testid="cancel-revoke"]') === true);
    await page.locator('[data-testid="confirm-revoke"]').click();
    // Focus goes to the refusal, which names the ways that remain; no second try is offered.
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-refused') === 'last-admin-key');
    const said = (await page.textContent('[data-testid="keys-dialog-error"]')) ?? '';
    assert.match(said, /未吊销/);
    assert.match(said, /最后一把管理员/);
    assert.match(said, /tierkit keys revoke/);
    assert.equal(await page.locator('[data-testid="confirm-revoke"]').count(), 0);
    assert.deepEqual(await axeViolations(page), [], 'the refused revocation, zh-CN');
    await page.selectOption('.bar .lang select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.match((await page.textContent('[data-testid="keys-dialog-error"]')) ?? '', /Not revoked: .* last admin API key/);
    await page.locator('[data-testid="cancel-revoke"]').click();
    await page.waitForFunction(() => document.querySelector<HTMLDialogElement>('[data-testid="keys-dialog"]')?.open === false);
    assert.equal(await row.getAttribute('data-state'), 'active');
    assert.equal((await asBank('/v1/keys?limit=1')).status, 200, 'the key still administers the tenant');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('a key created while more pages remain shows once, when "Load more" reaches it', async () => {
    // Already an admin from an earlier test (200), or a grant approved by the demo's other admin (202).
    assert.ok([200, 202].includes(await putStaffApproved(t.server.url, 'CHECKER01', { name: '钱进', role: 'admin', scope: 'tenant' })));
    // More than the page's 100, so the list opens with a next page.
    for (let i = 0; i < 101; i++) {
      const res = await asBank('/v1/keys', 'POST', { role: 'viewer', label: `报表 ${i}` });
      assert.equal(res.status, 201);
    }
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="checker"]').click();
    await page.locator('a[data-page-link="keys"]').click();
    await page.locator('.keys button.more').waitFor();

    await page.locator('[data-testid="create-key"]').click();
    await page.fill('dialog input[name="label"]', '翻页时创建的密钥');
    await page.locator('dialog button[type="submit"]').click();
    await page.locator('[data-testid="key-secret"]').waitFor();
    await page.locator('[data-testid="secret-done"]').click();
    await page.waitForFunction(() => document.querySelector<HTMLDialogElement>('[data-testid="keys-dialog"]')?.open === false);

    while ((await page.locator('.keys button.more').count()) > 0) {
      const rows = await page.locator('tr[data-key]').count();
      await page.locator('.keys button.more').click();
      await page.waitForFunction((n) => document.querySelectorAll('tr[data-key]').length > n, rows);
    }
    const ids = await page.locator('tr[data-key]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key')));
    assert.equal(new Set(ids).size, ids.length, 'no key shown twice');
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const listed = (await (await asBank(`/v1/keys?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
        items: { id: string; label: string }[];
        nextCursor: string | null;
      };
      all.push(...listed.items.map((k) => k.id));
      cursor = listed.nextCursor;
    } while (cursor);
    assert.deepEqual(ids, all, 'every key once, in the API’s order');
    await context.close();
  });
});
