// Four eyes between people in the console: an approver who filed a request with an API key of theirs
// (`tierkit keys create --staff CHECKER01`, the key a batch job of theirs uses) signs in to the console
// with their staff token — another credential, the same person. The approvals page offers them no
// Approve or Reject on it and says why, in each language; the API would refuse them (403 four-eyes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createApiKey } from '@tierkit/api';
import { connect } from '@tierkit/db';
import { axeViolations, SHOTS as shots } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { bankDayAhead, fetchAsBank } from './support/server.js';

const t = consoleUnderTest(20);

describe('admin console: a request filed with one’s own key', () => {
  it('is not offered to its filer to decide, with the reason in zh-CN, zh-TW and en; it is theirs to withdraw', async () => {
    const db = connect({ url: t.databaseUrl });
    let key: string;
    try {
      key = (await createApiKey(db.db, { tenantId: 'demo', role: 'officer', label: 'CHECKER01 batch', staffId: 'CHECKER01' })).secret;
    } finally {
      await db.close();
    }
    const subjects = (await (await fetchAsBank(`${t.server.url}/v1/subjects?limit=1`)).json()) as { items: { id: string }[] };
    const made = await fetch(`${t.server.url}/v1/subjects/${subjects.items[0]?.id}/overrides`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        scheme: 'retail-tier',
        // A floor: whatever the first customer holds, it moves them one tier at most (overrides.maxStep).
        level: 'gold',
        mode: 'floor',
        reason: '批量申请',
        expiresAt: bankDayAhead(90).lastSecond,
      }),
    });
    assert.equal(made.status, 201, await made.clone().text());
    const override = (await made.json()) as { id: string; requestedBy: string };
    assert.match(override.requestedBy, /^key:/, 'filed as the key, not as staff:CHECKER01');
    const item = `[data-approval="override:${override.id}"]`;

    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="checker"]').click();
    await page.locator('[data-testid="who"]').waitFor();
    await page.locator('a[data-page-link="approvals"]').click();
    // A decider's queue opens on what waits for them: their own requests are under 我提交的.
    await page.selectOption('.approvals-filters select[name="who"]', 'mine');
    await page.click('.approvals-filters button[type="submit"]');
    await page.waitForFunction(() => location.hash === '#/approvals?who=mine');
    await page.locator(`${item} [data-testid="own-request"]`).waitFor();
    assert.equal(await page.locator(`${item} button[data-action="approve"]`).count(), 0);
    assert.equal(await page.locator(`${item} button[data-action="reject"]`).count(), 0);
    assert.equal(await page.locator(`${item} textarea[name="note"]`).count(), 0);
    const said = async () => ((await page.textContent(`${item} [data-testid="own-request"]`)) ?? '').trim();
    assert.match(await said(), /您名下的 API 密钥/);
    assert.deepEqual(await axeViolations(page), [], 'zh-CN');
    await page.screenshot({ path: join(shots, 'admin-own-key-1.png'), fullPage: true });
    await page.selectOption('.bar .lang select', 'zh-TW');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-TW');
    assert.match(await said(), /您名下的 API 金鑰/);
    await page.selectOption('.bar .lang select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.match(await said(), /with an API key of yours/);
    assert.deepEqual(await axeViolations(page), [], 'en');

    // Theirs to take back, from the overrides page, though the console's token did not file it.
    await page.selectOption('.bar .lang select', 'zh-CN');
    await page.locator('a[data-page-link="overrides"]').click();
    await page.locator('select[name="status"]').selectOption('pending');
    await page.click('.overrides-list form.filters button[type="submit"]');
    const row = page.locator(`tr[data-override="${override.id}"]`);
    // Filed with the key, listed as the person who owns it (`requestedByStaff`), never as `key:key_…`.
    await page.waitForFunction(
      (sel) => / · CHECKER01$/.test(document.querySelector(`${sel} [data-testid="override-requester"]`)?.textContent?.trim() ?? ''),
      `tr[data-override="${override.id}"]`,
    );
    assert.doesNotMatch((await row.locator('[data-testid="override-requester"]').textContent()) ?? '', /key:/);
    await row.locator('button[data-action="withdraw"]').click();
    await page.waitForFunction(() => /撤回/.test(document.querySelector('[data-testid="override-outcome"]')?.textContent ?? ''));
    const after = (await (await fetchAsBank(`${t.server.url}/v1/overrides/${override.id}`)).json()) as { status: string };
    assert.equal(after.status, 'withdrawn');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
