// A relationship manager requests an override for a customer of their book on the customer detail;
// the maker finds it on the overrides page. Real server, the console's real bundle, real Chromium.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CUSTOMER_WORDS } from '../../apps/admin/src/pages/customer.words.js';
import { axeViolations, SHOTS as shots } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY, bankDayAhead, fetchAsBank } from './support/server.js';
import { putStaffApproved } from './support/staff.js';

const run = consoleUnderTest(40);

async function openFirstCustomer(page: Page, as: 'rm' | 'maker'): Promise<string> {
  await page.goto(`${run.server.url}/admin/`);
  await page.click(`button[data-as="${as}"]`);
  await page.locator('.subject-table button').first().waitFor({ timeout: 30_000 });
  await page.locator('.subject-table button').first().click();
  await page
    .locator('form[data-testid="override-request"] select[name="level"] option')
    .first()
    .waitFor({ state: 'attached', timeout: 30_000 });
  return ((await page.textContent('#detail-h .id')) ?? '').trim();
}

describe('admin console: overrides', () => {
  it('an RM requests an override on the customer detail (a missing reason refused first); the maker sees it pending; the checker revokes it once approved', async () => {
    const page = await run.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const id = await openFirstCustomer(page, 'rm');
    const form = page.locator('form[data-testid="override-request"]');

    // No reason: refused in the browser, nothing sent, the field marked and focused.
    await form.locator('button[type="submit"]').click();
    await page.locator('[data-testid="field-error"]').first().waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'reason');
    // Said in the console's language, and again after switching it.
    assert.equal((await page.locator('[data-testid="field-error"]').first().textContent())?.trim(), '请填写理由');
    await page.selectOption('.lang select', 'en');
    await page.waitForFunction(() => document.querySelector('[data-testid="field-error"]')?.textContent?.trim() === 'A reason is required');
    await page.selectOption('.lang select', 'zh-CN');
    // An expiry already past: the same, before anything is sent.
    await form.locator('textarea[name="reason"]').fill('x');
    await form.locator('input[name="expiresOn"]').evaluate((i: HTMLInputElement) => {
      i.min = '';
      i.value = '2020-01-01';
    });
    await form.locator('button[type="submit"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="field-error"]')?.textContent?.trim() === '到期日不能早于今天');
    await form.locator('input[name="expiresOn"]').fill('');
    await form.locator('textarea[name="reason"]').fill('');
    const none = (await (await fetchAsBank(`${run.server.url}/v1/subjects/${id}/overrides`)).json()) as { items: unknown[] };
    assert.equal(none.items.length, 0);

    await form.locator('select[name="scheme"]').selectOption('retail-tier');
    await form.locator('select[name="level"]').selectOption('gold');
    await form.locator('select[name="mode"]').selectOption('floor');
    await form.locator('textarea[name="reason"]').fill('长期合作客户，年终保级');
    // What it rests on and the document the checker can look up: kept for the checker, never the customer.
    await form.locator('select[name="reasonCategory"]').selectOption('retention');
    await form.locator('input[name="evidence"]').fill('  审批单 2026-0118  ');
    // The card tier's rule, said beside the expiry before anything is sent.
    assert.match((await page.textContent('[data-testid="override-rule-hint"]')) ?? '', /最长 366 天.*最多调整 1 级/);
    const expiry = bankDayAhead(180);
    await form.locator('input[name="expiresOn"]').fill(expiry.day);
    await form.locator('button[type="submit"]').click();
    await page.waitForFunction(() => /已提交/.test(document.querySelector('[data-testid="override-outcome"]')?.textContent ?? ''));
    await page.locator('.overrides-subject [data-testid="override-status"]').first().waitFor();
    assert.match((await page.textContent('.overrides-subject [data-testid="override-status"]')) ?? '', /待复核/);
    await page.screenshot({ path: join(shots, 'admin-overrides-1-requested.png'), fullPage: true });

    const listed = (await (await fetchAsBank(`${run.server.url}/v1/subjects/${id}/overrides`)).json()) as {
      items: {
        status: string;
        level: string;
        mode: string;
        reason: string;
        reasonCategory?: string;
        evidence?: string;
        expiresAt: string;
        requestedBy: string;
      }[];
    };
    assert.equal(listed.items.length, 1);
    const o = listed.items[0];
    assert.deepEqual([o?.status, o?.level, o?.mode, o?.reason], ['pending', 'gold', 'floor', '长期合作客户，年终保级']);
    assert.deepEqual([o?.reasonCategory, o?.evidence], ['retention', '审批单 2026-0118']);
    assert.equal(o?.expiresAt, expiry.lastSecond, 'the last second of the day in Shanghai');
    // The requester may take it back; the button is there.
    assert.equal(await page.locator('.overrides-subject button[data-action="withdraw"]').count(), 1);
    // A second request for the scheme while that one is pending is refused as a whole (409, no field
    // to mark): the outcome says so and has the focus, which the disabled button dropped. The one in the
    // way is the RM's own, so it says so and offers editing or withdrawing it.
    // The same request again (the form was cleared): within the scheme's rule, so only the pending one is in the way.
    await form.locator('select[name="level"]').selectOption('gold');
    await form.locator('select[name="mode"]').selectOption('floor');
    await form.locator('input[name="expiresOn"]').fill(expiry.day);
    await form.locator('textarea[name="reason"]').fill('再申请一次');
    await form.locator('button[type="submit"]').click();
    await page.waitForFunction(() => /未能完成/.test(document.querySelector('[data-testid="override-outcome"]')?.textContent ?? ''));
    assert.match(
      (await page.locator('[data-testid="override-outcome"]').textContent())?.trim() ?? '',
      /^未能完成: 该客户在此方案下已有一笔您本人提出、待复核的申请（[^）]+）：请修改或撤回那一笔，无需再提交。$/,
    );
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'override-outcome', null, { timeout: 5_000 });
    assert.deepEqual(errors, []);
    await page.close();

    // The maker, tenant-wide, finds it on the overrides page, filtered to pending.
    const maker = await run.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await maker.goto(`${run.server.url}/admin/`);
    await maker.click('button[data-as="maker"]');
    await maker.locator('a[data-page-link="overrides"]').click();
    await maker.locator('select[name="status"]').selectOption('pending');
    await maker.click('.overrides-list form.filters button[type="submit"]');
    await maker.locator('.overrides-table tbody tr').first().waitFor();
    assert.match((await maker.textContent('.overrides-table tbody tr')) ?? '', new RegExp(id));
    await maker.locator('button[data-action="follow"]').first().click();
    await maker.locator('[data-override-detail] .overrides-decisions li').first().waitFor();
    // Each step in the console's words, not the API's action keys.
    // Who did it by name with the id, never the raw actor (the name is read once the step is shown).
    await maker.waitForFunction(() =>
      (document.querySelector('[data-override-detail] .overrides-decisions li')?.textContent ?? '').includes('王芳 · RM001'),
    );
    assert.match((await maker.textContent('[data-override-detail] .overrides-decisions li')) ?? '', / · 申请 · 王芳 · RM001/);
    assert.doesNotMatch((await maker.textContent('.overrides-table tbody tr')) ?? '', /staff:RM001/);
    assert.equal(await maker.locator('button[data-action="revoke"]').count(), 0, 'an officer may not revoke');
    await maker.screenshot({ path: join(shots, 'admin-overrides-2-page.png'), fullPage: true });
    // Closing the detail takes focus back to the row it was opened from, not to the page's start.
    await maker.locator('[data-override-detail] button[data-action="close"]').click();
    await maker.waitForFunction(() => document.activeElement?.getAttribute('data-action') === 'follow');
    await maker.close();

    // Approved (the approvals page's business; here the bank's backend), then the checker revokes it.
    const full = (await (await fetchAsBank(`${run.server.url}/v1/subjects/${id}/overrides`)).json()) as {
      items: { id: string; contentHash: string }[];
    };
    const pending = full.items[0];
    const approved = await fetch(`${run.server.url}/v1/overrides/${pending?.id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contentHash: pending?.contentHash }),
    });
    assert.equal(approved.status, 200, await approved.clone().text());
    const checker = await run.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await checker.goto(`${run.server.url}/admin/`);
    await checker.click('button[data-as="checker"]');
    await checker.locator('a[data-page-link="overrides"]').click();
    await checker.locator('select[name="status"]').selectOption('approved');
    await checker.click('.overrides-list form.filters button[type="submit"]');
    const row = checker.locator(`tr[data-override="${pending?.id}"]`);
    // A blank note: said in the outcome (no field is marked that could say it), focus back on the note.
    await row.locator('input[name="note"]').fill('   ');
    await row.locator('button[data-action="revoke"]').click();
    await checker.waitForFunction(
      () => document.querySelector('[data-testid="override-outcome"]')?.textContent?.trim() === '请说明撤销原因',
    );
    await checker.waitForFunction(() => document.activeElement?.getAttribute('name') === 'note');
    await row.locator('input[name="note"]').fill('客户已降级，不再保级');
    await row.locator('button[data-action="revoke"]').click();
    await checker.waitForFunction(() => /已撤销/.test(document.querySelector('[data-testid="override-outcome"]')?.textContent ?? ''));
    // The row's form went with the state it revoked: focus is on what happened, not lost.
    await checker.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'override-outcome');
    const after = (await (await fetchAsBank(`${run.server.url}/v1/overrides/${pending?.id}`)).json()) as {
      status: string;
      revokeNote: string;
    };
    assert.deepEqual([after.status, after.revokeNote], ['revoked', '客户已降级，不再保级']);
    await checker.screenshot({ path: join(shots, 'admin-overrides-3-revoked.png'), fullPage: true });
    await checker.close();
  });

  it('the customer’s overrides stay inside their card, Withdraw in view, at 1366, 1280, 1024 and 390 px and at 200% zoom, in en and zh-TW', async () => {
    const context = await run.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await openFirstCustomer(page, 'rm');
    await page.selectOption('.lang select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en' && /Request an override/.test(document.body.textContent ?? ''));
    const withdraw = page.locator('.overrides-subject button[data-action="withdraw"]');
    if ((await withdraw.count()) === 0) {
      const form = page.locator('form[data-testid="override-request"]');
      await form.locator('textarea[name="reason"]').fill('Long-standing client; assets arrive next month, keep the tier meanwhile');
      // Within the card tier's rule: a floor one tier up at most, and an expiry within the year.
      await form.locator('select[name="scheme"]').selectOption('retail-tier');
      await form.locator('select[name="level"]').selectOption('gold');
      await form.locator('select[name="mode"]').selectOption('floor');
      await form.locator('input[name="expiresOn"]').fill(bankDayAhead(90).day);
      await form.locator('button[type="submit"]').click();
      await withdraw.first().waitFor();
    }
    // 200% zoom at 1280 px lays the page out as 640 CSS px.
    for (const lang of ['en', 'zh-TW'] as const) {
      await page.selectOption('.lang select', lang);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      for (const width of [1366, 1280, 1024, 390, 640]) {
        await page.setViewportSize({ width, height: 900 });
        const box = await page.evaluate(() => ({
          card: document.querySelector('.overrides-subject')?.closest('.card')?.getBoundingClientRect().right ?? 0,
          button: document.querySelector('.overrides-subject button[data-action="withdraw"]')?.getBoundingClientRect().right ?? Infinity,
          table: document.querySelector('.overrides-subject .overrides-table')?.getBoundingClientRect().right ?? Infinity,
          page: document.documentElement.scrollWidth,
        }));
        assert.ok(box.button <= box.card && box.table <= box.card, `${lang} at ${width} px: ${JSON.stringify(box)}`);
        assert.ok(box.page <= width, `${lang} at ${width} px: the page scrolls sideways (${box.page})`);
        await page.locator('.overrides-subject').screenshot({ path: join(shots, `admin-overrides-5-${lang}-${width}.png`) });
      }
    }
    assert.deepEqual(await axeViolations(page), [], 'stacked at 640 px, zh-TW');
    // Stacked on a phone, it is still a table to assistive technology: its column headers, and a cell
    // found by its name.
    await page.setViewportSize({ width: 390, height: 900 });
    const table = page.locator('.overrides-subject').getByRole('table');
    assert.equal(await table.count(), 1);
    assert.ok((await table.getByRole('columnheader').count()) >= 8);
    assert.equal(await table.getByRole('columnheader', { name: '狀態', exact: true }).count(), 1);
    assert.ok((await table.getByRole('cell', { name: '待複核', exact: true }).count()) >= 1);
    // Each stacked value shows its label, from a plain declaration too: browsers that drop `content`
    // with alt text (Safari 16.4-17.3, Firefox 110-127) keep that one.
    const labels = await page.evaluate(() => {
      // A loop, not a recursive helper: tsx would name a helper with a function the page does not have.
      const plain: string[] = [];
      const rules: CSSRule[] = Array.from(document.styleSheets).flatMap((sheet) => Array.from(sheet.cssRules));
      for (let r = rules.pop(); r !== undefined; r = rules.pop()) {
        if (r instanceof CSSStyleRule && r.selectorText === '.overrides-table td::before') plain.push(r.style.getPropertyValue('content'));
        if (r instanceof CSSGroupingRule) rules.push(...Array.from(r.cssRules));
      }
      const cell = document.querySelector('.overrides-subject td[data-testid="override-status"]');
      return { plain, shown: cell ? getComputedStyle(cell, '::before').content : '' };
    });
    assert.ok(labels.plain.includes('attr(data-label)'), JSON.stringify(labels));
    assert.match(labels.shown, /^attr\(data-label\)|狀態/, JSON.stringify(labels));
    await context.close();
  });

  it('a customer moved into the RM’s book with a request another RM left pending: the console offers the RM Withdraw, and it withdraws', async () => {
    const url = run.server.url;
    const send = (method: string, path: string, body: unknown, credential = ADMIN_KEY) =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // Another relationship manager files for a customer of their book: the demo maker, made book-scoped
    // for it (the demo signs in nobody else), then tenant-wide again — what it was when filing decides.
    const maker = (await (await fetchAsBank(`${url}/v1/staff/MAKER01`)).json()) as { name: string; role: string; scope: string };
    assert.equal((await send('PUT', '/v1/subjects/E2EMV1', { kind: 'customer', displayName: '赵敏' })).status, 201);
    assert.equal((await send('PUT', '/v1/staff/MAKER01', { name: maker.name, role: maker.role, scope: 'book' })).status, 200);
    let filed: { id: string };
    try {
      assert.equal((await send('PUT', '/v1/subjects/E2EMV1/manager', { manager: 'MAKER01' })).status, 200);
      const token = ((await (await fetch(`${url}/demo/staff-token?as=maker`)).json()) as { token: string }).token;
      const res = await send(
        'POST',
        '/v1/subjects/E2EMV1/overrides',
        { scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: '原客户经理申请', expiresAt: bankDayAhead(90).lastSecond },
        token,
      );
      assert.equal(res.status, 201, await res.clone().text());
      filed = (await res.json()) as { id: string };
    } finally {
      // Back to tenant-wide: a grant of power, approved by the demo's other admin.
      assert.equal(await putStaffApproved(url, 'MAKER01', { name: maker.name, role: maker.role, scope: maker.scope }), 202);
    }
    assert.equal((await send('PUT', '/v1/subjects/E2EMV1/manager', { manager: 'RM001' })).status, 200);

    const page = await run.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`${url}/admin/`);
    await page.click('button[data-as="rm"]');
    await page.locator('input[name="q"]').fill('E2EMV1');
    await page.locator('input[name="q"]').press('Enter');
    await page.locator('.subject-table button[aria-label$=" E2EMV1"]').click();
    const row = page.locator(`.overrides-subject tr[data-override="${filed.id}"]`);
    await row.locator('button[data-action="withdraw"]').click();
    await page.waitForFunction(() => /已撤回/.test(document.querySelector('[data-testid="override-outcome"]')?.textContent ?? ''));
    const after = (await (await fetchAsBank(`${url}/v1/overrides/${filed.id}`)).json()) as { status: string; decidedBy: string };
    assert.deepEqual([after.status, after.decidedBy], ['withdrawn', 'staff:RM001']);
    await page.close();
  });

  it('My requests lists the RM’s own requests; the box adds a colleague’s for their book, and the route keeps it over a reload', async () => {
    const url = run.server.url;
    const send = (method: string, path: string, body: unknown, credential = ADMIN_KEY) =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const tokenOf = async (as: 'rm' | 'maker') =>
      ((await (await fetch(`${url}/demo/staff-token?as=${as}`)).json()) as { token: string }).token;
    const file = async (subject: string, as: 'rm' | 'maker') => {
      assert.equal((await send('PUT', `/v1/subjects/${subject}`, { kind: 'customer', displayName: '钱进' })).status, 201);
      assert.equal((await send('PUT', `/v1/subjects/${subject}/manager`, { manager: 'RM001' })).status, 200);
      const res = await send(
        'POST',
        `/v1/subjects/${subject}/overrides`,
        { scheme: 'retail-tier', level: 'gold', mode: 'fixed', reason: '年终保级', expiresAt: bankDayAhead(90).lastSecond },
        await tokenOf(as),
      );
      assert.equal(res.status, 201, await res.clone().text());
      return ((await res.json()) as { id: string }).id;
    };
    // Both customers are in RM001's book: one request the RM's own, one a tenant-wide colleague's (the maker).
    const own = await file('E2EMR1', 'rm');
    const colleague = await file('E2EMR2', 'maker');
    const w = CUSTOMER_WORDS['zh-CN'];

    const page = await run.browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const signIn = async () => {
      await page.click('button[data-as="rm"]');
      await page.locator(`.my-requests tr[data-override="${own}"]`).waitFor({ timeout: 30_000 });
    };
    await page.goto(`${url}/admin/#/requests`);
    await signIn();
    // Their own only: the colleague's request for a customer of their book is not listed, every row is theirs.
    assert.equal(await page.locator(`.my-requests tr[data-override="${colleague}"]`).count(), 0);
    const filedBy = await page.$$eval(`.my-requests td[data-label="${w.requestedBy}"]`, (tds) => tds.map((td) => td.textContent?.trim()));
    assert.deepEqual([...new Set(filedBy)], [w.you]);
    assert.equal(await page.isChecked('[data-testid="my-requests-all"]'), false);
    // Whose, until when and why, without opening the customer: the id with the name masked, the expiry, the reason.
    const row = `.my-requests tr[data-override="${own}"]`;
    assert.equal((await page.textContent(`${row} [data-testid="request-customer"]`))?.trim(), 'E2EMR1 钱*');
    assert.equal(
      (await page.textContent(`${row} [data-testid="request-expires"]`))?.trim(),
      `${bankDayAhead(90).day} 23:59 (Asia/Shanghai)`,
    );
    assert.equal((await page.textContent(`${row} [data-testid="request-reason"]`))?.trim(), '年终保级');

    await page.check('[data-testid="my-requests-all"]');
    await page.click('.my-requests form.filters button[type="submit"]');
    await page.locator(`.my-requests tr[data-override="${colleague}"]`).waitFor();
    assert.equal(await page.locator(`.my-requests tr[data-override="${own}"]`).count(), 1);
    assert.equal(await page.evaluate(() => location.hash), '#/requests?all=1');

    // A reload signs the demo out; signed in again, the route still asks for the whole book.
    await page.reload();
    await signIn();
    await page.locator(`.my-requests tr[data-override="${colleague}"]`).waitFor();
    assert.equal(await page.isChecked('[data-testid="my-requests-all"]'), true);
    // Back to the route before the box: their own again.
    await page.goBack();
    await page.waitForFunction((id) => !document.querySelector(`.my-requests tr[data-override="${id}"]`), colleague);
    assert.equal(await page.locator(`.my-requests tr[data-override="${own}"]`).count(), 1);
    assert.equal(await page.isChecked('[data-testid="my-requests-all"]'), false);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('has no axe violations: the request form with an error shown, and the overrides page, in zh-CN and en', async () => {
    const context = await run.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await openFirstCustomer(page, 'maker');
    await page.locator('form[data-testid="override-request"] button[type="submit"]').click();
    await page.locator('[data-testid="field-error"]').first().waitFor();
    assert.deepEqual(await axeViolations(page), [], 'customer detail with the request form, zh-CN');
    await page.selectOption('.lang select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en' && /Request an override/.test(document.body.textContent ?? ''));
    assert.deepEqual(await axeViolations(page), [], 'en');
    await page.locator('a[data-page-link="overrides"]').click();
    await page.waitForFunction(() =>
      /in all|No overrides|more to load/.test(document.querySelector('[data-testid="overrides-status"]')?.textContent ?? ''),
    );
    assert.deepEqual(await axeViolations(page), [], 'overrides page, en');
    await page.screenshot({ path: join(shots, 'admin-overrides-4-en.png'), fullPage: true });
    await context.close();
  });
});
