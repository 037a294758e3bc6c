// Retiring a policy version takes two people (packages/api/README.md, "Retiring takes two people"): a
// bank going live found one approver alone could take a version out of force. The checker asks on the
// version's page with a reason and sees it waiting; an admin approves it on the approvals page; the
// version then reads retired. Real server, real browser, axe clean.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '@tierkit/api';
import { connect } from '@tierkit/db';
import { axeViolations } from './support/axe.js';
import { apiOf, json } from './support/api.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY } from './support/server.js';

const t = consoleUnderTest(5);
const SCHEME = 'retail-tier';

const api = apiOf(() => t.server.url);

/** A key the demo maker owns: four eyes counts it as them. */
async function makerKey(): Promise<string> {
  const db = connect({ url: t.databaseUrl });
  try {
    return (await createApiKey(db.db, { tenantId: 'demo', role: 'officer', label: 'MAKER01 e2e', staffId: 'MAKER01' })).secret;
  } finally {
    await db.close();
  }
}

describe('admin console: retiring a version takes two people', () => {
  it('the checker requests retirement with a reason, it waits; an admin approves it; the version reads retired', async () => {
    // A version scheduled from next month (its default date): retiring it changes nothing in force today.
    const maker = await makerKey();
    const draft = await json<{ version: number }>(await api(maker, `/v1/policies/${SCHEME}/drafts`, 'POST', {}), 201);
    const sub = await json<{ contentHash: string }>(
      await api(maker, `/v1/policies/${SCHEME}/versions/${draft.version}/submit`, 'POST', {}),
    );
    await json(await api(ADMIN_KEY, `/v1/policies/${SCHEME}/versions/${draft.version}/approve`, 'POST', { contentHash: sub.contentHash }));

    const errors: string[] = [];
    const signIn = async (as: string) => {
      const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${t.server.url}/admin/`);
      await page.locator(`button[data-as="${as}"]`).click();
      await page.locator('[data-testid="who"]').waitFor();
      return { context, page };
    };

    // The checker asks, on the version's page.
    const checker = await signIn('checker');
    await checker.page.goto(`${t.server.url}/admin/#/policies/${SCHEME}/${draft.version}`);
    const form = checker.page.locator('[data-testid="policy-retire"]');
    await form.waitFor({ timeout: 30_000 });
    await form.getByLabel('停用理由').fill('上线方案调整，暂缓');
    await form.getByRole('button', { name: '申请停用' }).click();
    const pending = checker.page.locator('[data-testid="policy-retirement-pending"]');
    await pending.waitFor({ timeout: 30_000 });
    // The asker's name is read after the line shows (one staff read, shared by every page).
    await checker.page.locator('[data-testid="policy-retirement-pending"]', { hasText: '钱进' }).waitFor({ timeout: 15_000 });
    assert.match((await pending.textContent()) ?? '', /停用申请待审批[\s\S]*钱进[\s\S]*上线方案调整，暂缓/);
    assert.match((await checker.page.locator('[data-testid="policy-status"]').textContent()) ?? '', /已申请停用/);
    assert.equal(
      await checker.page.evaluate(() => document.activeElement?.getAttribute('data-testid')),
      'policy-status',
      'focus goes to the line that says it waits',
    );
    assert.deepEqual(await axeViolations(checker.page), [], 'axe on the version waiting for its retirement');
    await checker.context.close();

    // An admin approves it in the queue.
    const admin = await signIn('admin');
    await admin.page.locator('a[data-page-link="approvals"]').click();
    const item = `[data-approval="retirement:${SCHEME}@${draft.version}"]`;
    await admin.page.locator(item).waitFor({ timeout: 30_000 });
    assert.match(
      (await admin.page.locator(`${item} [data-testid="approval-retiring"]`).textContent()) ?? '',
      new RegExp(`第 ${draft.version} 版 · 已排期`),
    );
    assert.match((await admin.page.locator(`${item} [data-testid="approval-instead"]`).textContent()) ?? '', /由第 \d+ 版决定/);
    assert.match((await admin.page.locator(`${item} [data-testid="approval-reason"]`).textContent()) ?? '', /上线方案调整，暂缓/);
    assert.deepEqual(await axeViolations(admin.page), [], 'axe on the retirement card');
    await admin.page.locator(`${item} button[data-action="approve"]`).click();
    await admin.page.locator(`[data-decided="retirement:${SCHEME}@${draft.version}"]`).waitFor({ timeout: 30_000 });

    // The version reads retired.
    await admin.page.goto(`${t.server.url}/admin/#/policies/${SCHEME}/${draft.version}`);
    await admin.page.waitForFunction(() => /已停用/.test(document.querySelector('#policies-v-h')?.textContent ?? ''), undefined, {
      timeout: 30_000,
    });
    const stored = await json<{ status: string; retiredBy: string; retireRequestedBy: string }>(
      await api(ADMIN_KEY, `/v1/policies/${SCHEME}/versions/${draft.version}`),
    );
    assert.equal(stored.status, 'retired');
    assert.deepEqual([stored.retireRequestedBy, stored.retiredBy], ['staff:CHECKER01', 'staff:ADMIN01'], 'two people');
    assert.deepEqual(errors, []);
    await admin.context.close();
  });
});
