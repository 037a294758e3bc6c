// An override in force for a customer whose personal data a retention run erased: the checker finds it
// on the overrides page as ended with the customer, in each of the console's languages, with nothing to
// do to it. Real server, the console's real bundle, real Chromium.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '@tierkit/api';
import { connect } from '@tierkit/db';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY, bankDayAhead, fetchAsBank } from './support/server.js';

const run = consoleUnderTest(40);

/** A tenant-wide officer's key: the maker, so that the admin's key may approve (four eyes). */
async function officerKey(): Promise<string> {
  const db = connect({ url: run.databaseUrl });
  try {
    return (await createApiKey(db.db, { tenantId: 'demo', role: 'officer', label: 'maker e2e' })).secret;
  } finally {
    await db.close();
  }
}

async function post(path: string, body: unknown, key = ADMIN_KEY): Promise<Response> {
  return fetch(`${run.server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('admin console: an erased customer’s override', () => {
  it('reads as ended with the customer’s data (zh-CN, zh-TW, en), with no revoke form', async () => {
    const list = (await (await fetchAsBank(`${run.server.url}/v1/subjects?limit=1`)).json()) as { items: { id: string }[] };
    const subject = list.items[0]?.id ?? '';
    assert.ok(subject);
    const filed = await post(
      `/v1/subjects/${encodeURIComponent(subject)}/overrides`,
      { scheme: 'retail-tier', level: 'gold', mode: 'floor', reason: '长期合作客户，年终保级', expiresAt: bankDayAhead(90).lastSecond },
      await officerKey(),
    );
    assert.equal(filed.status, 201, await filed.clone().text());
    const { id, contentHash } = (await filed.json()) as { id: string; contentHash: string };
    const approved = await post(`/v1/overrides/${id}/approve`, { contentHash });
    assert.equal(approved.status, 200, await approved.clone().text());
    const closed = await post(`/v1/subjects/${encodeURIComponent(subject)}/close`, {
      at: '2019-06-01T02:00:00Z',
      late: true,
      reason: '客户主动销户',
    });
    assert.equal(closed.status, 200, await closed.clone().text());
    const erased = await post('/v1/retention/run', {});
    assert.equal(erased.status, 200, await erased.clone().text());
    assert.ok(((await erased.json()) as { erased: number }).erased >= 1);

    const page = await run.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${run.server.url}/admin/`);
    await page.click('button[data-as="checker"]');
    await page.locator('a[data-page-link="overrides"]').click();
    await page.locator('select[name="status"]').selectOption('revoked');
    await page.click('.overrides-list form.filters button[type="submit"]');
    const row = page.locator(`tr[data-override="${id}"]`);
    await row.waitFor({ timeout: 30_000 });
    const status = row.locator('[data-testid="override-status"]');
    assert.equal((await status.textContent())?.trim(), '已终止（客户资料已删除）');
    assert.equal(await row.locator('button[data-action="revoke"], button[data-action="withdraw"]').count(), 0);
    for (const [lang, words] of [
      ['zh-TW', '已終止（客戶資料已刪除）'],
      ['en', 'Ended (customer’s data erased)'],
    ] as const) {
      await page.selectOption('.lang select', lang);
      await page.waitForFunction(([sel, w]) => document.querySelector(sel)?.textContent?.trim() === w, [
        `tr[data-override="${id}"] [data-testid="override-status"]`,
        words,
      ] as const);
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
});
