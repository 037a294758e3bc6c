// An override in force for a customer whose personal data a retention run erased: the checker finds it
// on the overrides page as ended with the customer, in each of the console's languages, with nothing to
// do to it. Real server, the console's real bundle, real Chromium.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey, createApp } from '@tierkit/api';
import { connect } from '@tierkit/db';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY } from './support/server.js';

const run = consoleUnderTest(40);

/** When the customer was active (their override's request and approval), and when they left. */
const ACTIVE = '2019-06-15T02:00:00Z';
const LEFT = '2019-07-01T02:00:00Z';

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
    // The customer's past happens when it did, through an app on the server's own database whose clock
    // stands then: a closing is refused more than the retention period back or before the last activity,
    // and retention counts from the later of the two, so only a customer active and gone years ago is
    // past retention now. Their override is requested and approved while active, then they leave.
    const subject = 'C990040';
    const maker = await officerKey();
    const db = connect({ url: run.databaseUrl });
    let id = '';
    try {
      const at = (when: string, key: string) => {
        const app = createApp({ db: db.db, now: () => new Date(when), logError: () => undefined });
        return (method: string, path: string, body: unknown) =>
          app.request(path, {
            method,
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
      };
      const created = await at(ACTIVE, ADMIN_KEY)('PUT', `/v1/subjects/${subject}`, { kind: 'customer', displayName: '司马懿然' });
      assert.ok(created.status === 201 || created.status === 200, await created.clone().text());
      const filed = await at(ACTIVE, maker)('POST', `/v1/subjects/${subject}/overrides`, {
        scheme: 'retail-tier',
        level: 'gold',
        mode: 'floor',
        reason: '长期合作客户，年终保级',
        expiresAt: '2019-12-31T15:59:59Z',
      });
      assert.equal(filed.status, 201, await filed.clone().text());
      const pending = (await filed.json()) as { id: string; contentHash: string };
      id = pending.id;
      const approved = await at(ACTIVE, ADMIN_KEY)('POST', `/v1/overrides/${id}/approve`, { contentHash: pending.contentHash });
      assert.equal(approved.status, 200, await approved.clone().text());
      const closed = await at(LEFT, ADMIN_KEY)('POST', `/v1/subjects/${subject}/close`, { reason: '客户主动销户' });
      assert.equal(closed.status, 200, await closed.clone().text());
    } finally {
      await db.close();
    }
    // The socket kept alive since the server's readiness poll may have been closed by the server while the
    // past was written here; an idempotent read (retried once on a dropped socket) takes a fresh one before the run.
    await fetch(`${run.server.url}/healthz`).catch(() => fetch(`${run.server.url}/healthz`));
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
