// Lowering an AML 高 in the console (docs/domain.md §4, "Lowering a sign-off level"): the maker whose
// upload of lower figures opened the lowering request finds it on the approvals page as theirs to wait
// on, with no way to approve it; the checker (another person) approves it there, and only then does the
// customer's grade fall. Real server, real browser, axe clean.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createApiKey } from '@tierkit/api';
import { connect } from '@tierkit/db';
import { lastCompleteMonth } from '@tierkit/ops';
import { axeViolations } from './support/axe.js';
import { apiOf, json } from './support/api.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY } from './support/server.js';

const t = consoleUnderTest(5);
const CUSTOMER = 'E2EAML1';

const api = apiOf(() => t.server.url);

/** A key the demo staff member owns (`tierkit keys create --staff <id>`): four eyes counts it as them. */
async function keyOf(staffId: string, role: 'officer' | 'approver'): Promise<string> {
  const db = connect({ url: t.databaseUrl });
  try {
    return (await createApiKey(db.db, { tenantId: 'demo', role, label: `${staffId} e2e`, staffId })).secret;
  } finally {
    await db.close();
  }
}

/** Every AML factor of the month at `score` (0–100): 100 grades 高, 10 grades 低. */
const factors = (period: string, score: number) => ({
  metrics: ['aml_customer_risk', 'aml_geography_risk', 'aml_product_risk', 'aml_industry_risk'].map((metric) => ({
    metric,
    period,
    value: score,
  })),
});

const amlLevel = async () =>
  (
    await json<{ assignments: { level: string; approvalRequired: boolean }[] }>(
      await api(ADMIN_KEY, `/v1/subjects/${CUSTOMER}/tiers?scheme=aml-risk`),
    )
  ).assignments[0];

async function signedIn(as: 'maker' | 'checker'): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${t.server.url}/admin/`);
  await page.locator(`button[data-as="${as}"]`).click();
  await page.locator('[data-testid="who"]').waitFor();
  await page.locator('a[data-page-link="approvals"]').click();
  return { page, errors, close: () => context.close() };
}

describe('admin console: lowering an AML 高', () => {
  it('the maker of the lower figures may not approve the lowering; the checker approves it and the grade falls', async () => {
    const month = lastCompleteMonth();
    const checkerKey = await keyOf('CHECKER01', 'approver');
    const makerKey = await keyOf('MAKER01', 'officer');
    // A customer graded 高 by the operator's upload, signed off by the checker.
    await json(await api(ADMIN_KEY, `/v1/subjects/${CUSTOMER}`, 'PUT', { kind: 'customer', displayName: '孙丽' }), 201);
    await json(await api(ADMIN_KEY, `/v1/subjects/${CUSTOMER}/metrics`, 'PUT', factors(month, 100)));
    const graded = await amlLevel();
    assert.deepEqual([graded?.level, graded?.approvalRequired], ['high', true]);
    const high = await json<{ contentHash: string }>(await api(checkerKey, `/v1/subjects/${CUSTOMER}/levels/aml-risk/approval`));
    await json(await api(checkerKey, `/v1/subjects/${CUSTOMER}/levels/aml-risk/approve`, 'POST', { contentHash: high.contentHash }));
    // The maker uploads lower figures: 高 stays in force, a lowering request waits.
    await json(await api(makerKey, `/v1/subjects/${CUSTOMER}/metrics`, 'PUT', factors(month, 10)));
    assert.equal((await amlLevel())?.level, 'high');

    const maker = await signedIn('maker');
    const mine = maker.page.locator('li.approvals-item', { hasText: CUSTOMER });
    await mine.waitFor();
    assert.match((await mine.textContent()) ?? '', /降级审批/);
    assert.equal(await mine.locator('[data-testid="own-request"]').count(), 1, 'the maker is told it is theirs to wait on');
    assert.equal(await mine.locator('button[data-action="approve"]').count(), 0, 'and is offered no approval');
    assert.deepEqual(await axeViolations(maker.page), [], 'the maker’s approvals page, zh-CN');
    assert.deepEqual(maker.errors, []);
    await maker.close();
    // Nor does the API let them, whatever the page offers.
    const request = await json<{ contentHash: string }>(await api(makerKey, `/v1/subjects/${CUSTOMER}/levels/aml-risk/approval`));
    const refused = await api(makerKey, `/v1/subjects/${CUSTOMER}/levels/aml-risk/approve`, 'POST', { contentHash: request.contentHash });
    assert.equal(refused.status, 403, await refused.clone().text());

    const checker = await signedIn('checker');
    const item = checker.page.locator('li.approvals-item', { hasText: CUSTOMER });
    await item.waitFor();
    assert.equal(await item.locator('[data-testid="own-request"]').count(), 0);
    assert.match((await item.locator('[data-testid="approval-why"]').textContent()) ?? '', /\S/);
    assert.deepEqual(await axeViolations(checker.page), [], 'the checker’s approvals page with a lowering request, zh-CN');
    await item.locator('button[data-action="approve"]').click();
    await checker.page.waitForFunction(
      (id) => ![...document.querySelectorAll('li.approvals-item')].some((li) => li.textContent?.includes(id)),
      CUSTOMER,
    );
    const after = await amlLevel();
    assert.deepEqual([after?.level, after?.approvalRequired], ['low', false]);
    assert.deepEqual(checker.errors, []);
    await checker.close();
  });
});
