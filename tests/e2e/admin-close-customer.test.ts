// Closing a customer (销户) through the console, and taking it back: tenant-wide staff get the action on
// the customer's detail, a modal dialog (reason, optional time in the bank's zone) and a confirmation
// that says what closing does; the page then says 已销户 without a reload, and a reopening puts the
// customer back. A relationship manager has no such action, and is told why.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createApiKey, createApp } from '@tierkit/api';
import { connect } from '@tierkit/db';
import { axeViolations } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY, fetchAsBank } from './support/server.js';

const t = consoleUnderTest(20);

const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
const focused = (page: Page, selector: string) =>
  page.waitForFunction((s) => document.activeElement?.matches(s) === true, selector, { timeout: 10_000 });
const dialogOpen = (page: Page) => page.evaluate(() => document.querySelector<HTMLDialogElement>('[data-testid="closing-dialog"]')?.open);

/** The demo's customer who left long ago, their closing not yet recorded (packages/ops/src/seed/showcase.ts). */
const LATE = 'C099999';

const DAY = 86_400_000;
/** An instant as the console shows it: the bank's (Shanghai's) wall clock to the minute, the zone named. */
const shown = (at: string) => `${new Date(Date.parse(at) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')} (Asia/Shanghai)`;

async function openCustomer(page: Page, id: string): Promise<void> {
  await page.goto(`${t.server.url}/admin/#/book/${id}`);
  await page.locator('#detail-h .id', { hasText: id }).waitFor();
}

async function signIn(page: Page, as: 'maker' | 'rm' | 'checker'): Promise<void> {
  await page.goto(`${t.server.url}/admin/`);
  await page.locator(`button[data-as="${as}"]`).click();
  await page.locator('.subject-table button').first().waitFor();
}

describe('admin console: closing and reopening a customer', () => {
  it('a tenant-wide officer closes a customer through the dialog, sees 已销户 at once, and reopens them', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, 'maker');
    await page.locator('button[aria-label="打开 C000003"]').click();
    await page.locator('#detail-h .id', { hasText: 'C000003' }).waitFor();
    const action = page.locator('[data-testid="closing-action"]');
    await action.waitFor();
    assert.equal(await action.getAttribute('data-action'), 'close');
    assert.equal(await action.textContent(), '办理销户');

    // The dialog: labelled, focus on its first field, the rest of the page inert.
    await action.click();
    await focused(page, 'dialog textarea[name="reason"]');
    assert.equal(await dialogOpen(page), true);
    const label = await page.evaluate(() => {
      const d = document.querySelector('[data-testid="closing-dialog"]');
      return document.getElementById(d?.getAttribute('aria-labelledby') ?? '')?.textContent;
    });
    assert.equal(label, '为客户 C000003 办理销户');
    assert.deepEqual(await axeViolations(page), [], 'the dialog, zh-CN');
    // Tab and Shift+Tab go round the dialog's own fields and buttons, never to the page behind it.
    // Enough presses to pass both ends (the date-time field alone has a stop per part).
    for (const key of [...Array(14).fill('Tab'), ...Array(14).fill('Shift+Tab')] as string[]) {
      await page.keyboard.press(key);
      assert.equal(await page.evaluate(() => document.activeElement?.closest('dialog') != null), true, `focus in the dialog after ${key}`);
    }

    // Escape closes it, nothing written, focus back on the action.
    await page.keyboard.press('Escape');
    await focused(page, '[data-testid="closing-action"]');
    assert.equal(await dialogOpen(page), false);

    // No reason: said at the field, announced, focus on it; nothing sent.
    await action.click();
    await focused(page, 'dialog textarea[name="reason"]');
    await page.locator('dialog button[type="submit"]').click();
    await focused(page, 'dialog textarea[aria-invalid="true"]');
    assert.equal(await text(page, 'dialog [data-testid="field-error"]'), '请填写销户原因');
    assert.equal(await text(page, 'dialog [role="alert"]'), '请更正标出的内容。');
    // A time ahead of now: the bank's tomorrow.
    const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    await page.fill('dialog textarea[name="reason"]', '  客户主动销户  ');
    await page.fill('dialog input[name="at"]', `${tomorrow}T10:00`);
    await page.locator('dialog button[type="submit"]').click();
    await focused(page, 'dialog input[aria-invalid="true"]');
    assert.equal(await text(page, 'dialog [data-testid="field-error"]'), '不能晚于现在');

    // Half a time typed (a date, no hour): the field reads as empty, yet it is not "now".
    await page.fill('dialog input[name="at"]', '');
    await page.locator('dialog input[name="at"]').click();
    await page.keyboard.type('10152025');
    assert.equal(await page.locator('dialog input[name="at"]').inputValue(), '', 'the browser gives no value for half a time');
    await page.locator('dialog button[type="submit"]').click();
    await focused(page, 'dialog input[aria-invalid="true"]');
    assert.equal(await text(page, 'dialog [data-testid="field-error"]'), '不是有效的日期和时间');
    assert.equal(await page.locator('[data-testid="closing-confirm"]').count(), 0, 'no confirmation of a closing "now"');

    // Without a time (now), the confirmation says what closing does.
    await page.fill('dialog input[name="at"]', '');
    await page.locator('dialog button[type="submit"]').click();
    await page.locator('[data-testid="closing-confirm"]').waitFor();
    await focused(page, '#closing-confirm-h');
    const confirm = await text(page, '[data-testid="closing-confirm"]');
    assert.match(confirm, /原因：客户主动销户/);
    assert.match(confirm, /不再参与分级/);
    assert.match(confirm, /统计报表/);
    assert.match(confirm, /客户端组件（网银页面等）不再显示/);
    assert.deepEqual(await axeViolations(page), [], 'the confirmation');
    // The button that closes the customer does not look like Back beside it.
    const look = (sel: string) => page.locator(sel).evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.notEqual(
      await look('[data-testid="closing-confirm-button"]'),
      await look('[data-testid="closing-confirm"] button:not(.danger)'),
    );
    const before = await fetchAsBank(`${t.server.url}/v1/subjects/C000003/tiers`);
    assert.equal(
      ((await before.json()) as { subject: { closedAt?: string } }).subject.closedAt,
      undefined,
      'nothing sent before confirming',
    );

    await page.locator('[data-testid="closing-confirm-button"]').click();
    await page.locator('[data-testid="closed-note"]').waitFor();
    assert.match(await text(page, '[data-testid="closed-note"]'), /^已销户 · 销户时间 .* \(Asia\/Shanghai\) · 原因：客户主动销户/);
    assert.equal(await text(page, '[data-testid="closing-outcome"]'), '已销户。');
    await focused(page, '[data-testid="closing-outcome"]');
    assert.equal(await dialogOpen(page), false);
    assert.equal(await action.getAttribute('data-action'), 'reopen');
    // The list of current customers leaves them out now; the API recorded it.
    await page.locator('button[aria-label="打开 C000003"]').waitFor({ state: 'detached' });
    const after = (await (await fetchAsBank(`${t.server.url}/v1/subjects/C000003/tiers`)).json()) as {
      subject: { closedAt?: string; closedReason?: string };
    };
    assert.equal(after.subject.closedReason, '客户主动销户', 'the reason trimmed');

    // Reopen, in English, with a note.
    await page.selectOption('.bar .lang select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal(await action.textContent(), 'Reopen customer');
    await action.click();
    await focused(page, 'dialog textarea[name="note"]');
    assert.equal(await text(page, '#closing-h'), 'Reopen customer C000003');
    assert.deepEqual(await axeViolations(page), [], 'the reopening dialog, en');
    await page.fill('dialog textarea[name="note"]', 'closed by mistake');
    await page.locator('[data-testid="closing-confirm-button"]').click();
    await page.locator('[data-testid="closed-note"]').waitFor({ state: 'detached' });
    assert.equal(await text(page, '[data-testid="closing-outcome"]'), 'Customer reopened.');
    assert.equal(await action.getAttribute('data-action'), 'close');
    await page.locator('button[aria-label="Open C000003"]').waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('a closing someone else recorded meanwhile is said in the dialog, and the page shows it', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await signIn(page, 'maker');
    await page.locator('button[aria-label="打开 C000005"]').click();
    await page.locator('[data-testid="closing-action"][data-action="close"]').click();
    await page.fill('dialog textarea[name="reason"]', '第二笔');
    await page.locator('dialog button[type="submit"]').click();
    await page.locator('[data-testid="closing-confirm"]').waitFor();
    const first = await fetch(`${t.server.url}/v1/subjects/C000005/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: '第一笔' }),
    });
    assert.equal(first.status, 200, await first.clone().text());
    await page.locator('[data-testid="closing-confirm-button"]').click();
    await focused(page, '[data-testid="closing-error"]');
    assert.equal(await text(page, '[data-testid="closing-error"]'), '该客户已由他人办理销户，页面已刷新。');
    // Behind the dialog the page already reads the customer as closed, with the first closing's reason.
    await page.locator('[data-testid="closed-note"]').waitFor({ state: 'attached' });
    assert.match(await text(page, '[data-testid="closed-note"]'), /原因：第一笔/);
    await page.keyboard.press('Escape');
    await focused(page, '[data-testid="closing-action"][data-action="reopen"]');
    await context.close();
  });

  // The demo's late leaver (packages/ops/src/seed/showcase.ts): figures stop ten months back, so a closing
  // learnt late may be dated inside a final month without contradicting their activity.
  it('a closing learnt late: refused as typed, recorded once said to be late, and the detail names the real date', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // Where the final months end, as the API says when a closing is dated before it.
    const probe = await fetch(`${t.server.url}/v1/subjects/${LATE}/close`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ at: '2000-01-02T00:00:00Z', reason: '探测' }),
    });
    assert.equal(probe.status, 400);
    const floor = String(
      ((await probe.json()) as { errors: { path: string; params?: { minimum?: string } }[] }).errors.find((e) => e.path === 'at')?.params
        ?.minimum,
    );
    assert.ok(floor > '2000-01-01T00:00:00.000Z', `the demo has a final month: ${floor}`);
    // Ten days before it, on the bank's (Shanghai's) wall clock: in a final month.
    const real = new Date(Date.parse(floor) - 10 * 86_400_000);
    const wall = new Date(real.getTime() + 8 * 3_600_000).toISOString().slice(0, 16);

    await signIn(page, 'maker');
    await openCustomer(page, LATE);
    await page.locator('[data-testid="closing-action"][data-action="close"]').click();
    await page.fill('dialog textarea[name="reason"]', '分行补报销户');
    await page.fill('dialog input[name="at"]', wall);
    await page.locator('dialog button[type="submit"]').click();
    await page.locator('[data-testid="closing-confirm"]').waitFor();
    assert.equal(await page.locator('[data-testid="closing-late-summary"]').count(), 0, 'not said to be late');
    // The API refuses a date in a final month not said to be late: back to the form, at the time.
    await page.locator('[data-testid="closing-confirm-button"]').click();
    await focused(page, 'dialog input[name="at"][aria-invalid="true"]');
    assert.match(await text(page, 'dialog [data-testid="field-error"]'), /请勾选“补录”。$/, 'the refusal says how to record it');

    await page.locator('dialog [data-testid="closing-late"]').check();
    await page.locator('dialog button[type="submit"]').click();
    await page.locator('[data-testid="closing-late-summary"]').waitFor();
    assert.match(await text(page, '[data-testid="closing-late-summary"]'), /^补录：如所填时间所在月份已定稿，统计从允许的最早时间起计/);
    await page.locator('[data-testid="closing-confirm-button"]').click();
    await page.locator('[data-testid="closed-note"]').waitFor();
    assert.match(
      await text(page, '[data-testid="closed-note"]'),
      new RegExp(`^已销户 · 实际销户时间 ${wall.replace('T', ' ')}.*（补录：该月已定稿，统计自 .* 起计） · 原因：分行补报销户`),
    );
    const subject = (
      (await (await fetchAsBank(`${t.server.url}/v1/subjects/${LATE}/tiers`)).json()) as {
        subject: { closedAt?: string; leftAt?: string };
      }
    ).subject;
    assert.deepEqual([subject.leftAt, subject.closedAt], [real.toISOString(), floor]);

    // In English too.
    await page.selectOption('.bar .lang select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.match(
      await text(page, '[data-testid="closed-note"]'),
      /^Closed · left on .* \(recorded late: that month was final, so figures count it from .*\)/,
    );
    assert.deepEqual(errors, []);
    await context.close();
  });

  // A closing dated more than three months back, for a customer the bank has known that long, waits for a
  // second person (docs/operations.md): the maker's page says so and the customer stays open; the maker
  // cannot approve their own; a checker rejects one with a note the maker then reads, and approves the next.
  it('a closing dated far back goes to a second person: rejected with a note the maker reads, then approved on the approvals page', async () => {
    // Open again after the case above closed them.
    const reopened = await fetch(`${t.server.url}/v1/subjects/${LATE}/reopen`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: '重新办理' }),
    });
    assert.ok([200, 409].includes(reopened.status), await reopened.clone().text());
    // The 15th of the month eight months back, 10:00 on the bank's (Shanghai's) clock: after their last
    // figures (ten months back), long before the three months a closing applies at once within.
    const shanghai = new Date(Date.now() + 8 * 3_600_000);
    const back = new Date(Date.UTC(shanghai.getUTCFullYear(), shanghai.getUTCMonth() - 8, 15, 10, 0));
    const wall = back.toISOString().slice(0, 16);
    const errors: string[] = [];

    const fileAsMaker = async (reason: string) => {
      const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(String(e)));
      await signIn(page, 'maker');
      await openCustomer(page, LATE);
      await page.locator('[data-testid="closing-action"][data-action="close"]').click();
      await page.fill('dialog textarea[name="reason"]', reason);
      await page.fill('dialog input[name="at"]', wall);
      await page.locator('dialog [data-testid="closing-late"]').check();
      await page.locator('dialog button[type="submit"]').click();
      await page.locator('[data-testid="closing-confirm-button"]').click();
      await page.locator('[data-testid="closing-waiting"]').waitFor();
      assert.equal(await text(page, '[data-testid="closing-outcome"]'), '销户日期早于三个月前：已提交第二人复核，批准前客户仍为在册客户。');
      assert.match(
        await text(page, '[data-testid="closing-waiting"]'),
        new RegExp(`^销户待复核： 销户时间 ${wall.replace('T', ' ')}.*（补录） · 申请人 您本人 · 原因：${reason}`),
      );
      assert.equal(await page.locator('[data-testid="closed-note"]').count(), 0, 'the customer stays open');
      // The maker's own request: on the approvals page without an approve button, and told why.
      await page.locator('a[data-page-link="approvals"]').click();
      const own = page.locator('[data-approval^="closing:"]');
      await own.waitFor({ timeout: 30_000 });
      assert.equal(await own.locator('button[data-action="approve"]').count(), 0, 'no approve button for its maker');
      await own.locator('[data-testid="own-request"]').waitFor();
      return { context, page, key: String(await own.getAttribute('data-approval')) };
    };
    const asChecker = async () => {
      const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${t.server.url}/admin/`);
      await page.locator('button[data-as="checker"]').click();
      await page.locator('a[data-page-link="approvals"]').click();
      return { context, page };
    };

    // First: rejected with a note.
    const first = await fileAsMaker('分行补报销户');
    const checker = await asChecker();
    const card = `[data-approval="${first.key}"]`;
    await checker.page.locator(card).waitFor({ timeout: 30_000 });
    assert.match(await text(checker.page, `${card} [data-testid="approval-customer"]`), new RegExp(`^${LATE}`));
    assert.equal(await checker.page.locator(`${card} [data-testid="approval-closing-late"]`).getAttribute('data-late'), 'true');
    await checker.page.fill(`${card} textarea[name="note"]`, '缺少销户凭证，请补交');
    await checker.page.locator(`${card} button[data-action="reject"]`).click();
    await checker.page.locator(`[data-decided="${first.key}"]`).waitFor({ timeout: 30_000 });
    // The maker opens the customer again: open, and what became of the request, with the note.
    await openCustomer(first.page, LATE);
    await first.page.locator('[data-testid="closing-unapproved"][data-status="rejected"]').waitFor();
    assert.equal(await text(first.page, '[data-testid="closing-unapproved-note"]'), '意见：缺少销户凭证，请补交');
    assert.equal(await first.page.locator('[data-testid="closing-action"][data-action="close"]').count(), 1, 'still open');
    await first.context.close();

    // Then filed again, and approved on the approvals page: the customer reads closed from that date.
    const second = await fileAsMaker('分行补报销户，凭证已补');
    await second.context.close();
    await checker.context.close();
    const approver = await asChecker();
    const card2 = `[data-approval="${second.key}"]`;
    await approver.page.locator(card2).waitFor({ timeout: 30_000 });
    await approver.page.locator(`${card2} button[data-action="approve"]`).click();
    await approver.page.locator(`[data-decided="${second.key}"]`).waitFor({ timeout: 30_000 });
    await openCustomer(approver.page, LATE);
    await approver.page.locator('[data-testid="closed-note"]').waitFor();
    assert.match(await text(approver.page, '[data-testid="closed-note"]'), new RegExp(`^已销户 · 实际销户时间 ${wall.replace('T', ' ')}`));
    const subject = (
      (await (await fetchAsBank(`${t.server.url}/v1/subjects/${LATE}/tiers`)).json()) as { subject: { leftAt?: string; closedAt?: string } }
    ).subject;
    assert.equal(subject.leftAt ?? subject.closedAt, new Date(Date.parse(`${wall}:00Z`) - 8 * 3_600_000).toISOString());
    assert.deepEqual(errors, []);
    await approver.context.close();
  });

  // A closing request nobody decides lapses 30 days after it was filed (packages/api/src/services/closing-lapse.ts).
  // The server's clock cannot be moved, so the request is filed through an app on the server's own database
  // whose clock stands 31 days back — the API's own path, its records in the trail included, so the chain
  // stays whole — with a key of the demo's maker: she reads her own requests. The customer was recorded
  // years ago and has no figures, so a closing dated eight months back waits for a second person.
  it('a closing request nobody decided in 30 days: the maker reads 已失效, the queue leaves it out, and she files again', async () => {
    const subject = 'C990050';
    const shanghai = new Date(Date.now() + 8 * 3_600_000);
    const wall = new Date(Date.UTC(shanghai.getUTCFullYear(), shanghai.getUTCMonth() - 8, 15, 10, 0)).toISOString().slice(0, 16);
    const asked = new Date(Date.parse(`${wall}:00Z`) - 8 * 3_600_000).toISOString();
    const db = connect({ url: t.databaseUrl });
    let old: { id: string; status: string; lapsesAt: string };
    try {
      const maker = (await createApiKey(db.db, { tenantId: 'demo', role: 'officer', label: 'maker e2e', staffId: 'MAKER01' })).secret;
      const at = (when: string, key: string) => (method: string, path: string, body: unknown) =>
        createApp({ db: db.db, now: () => new Date(when), logError: () => undefined }).request(path, {
          method,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const created = await at('2019-06-15T02:00:00Z', ADMIN_KEY)('PUT', `/v1/subjects/${subject}`, {
        kind: 'customer',
        displayName: '欧阳晓',
      });
      assert.equal(created.status, 201, await created.clone().text());
      const filed = await at(new Date(Date.now() - 31 * DAY).toISOString(), maker)('POST', `/v1/subjects/${subject}/close`, {
        reason: '分行补报销户',
        at: asked,
        late: true,
      });
      assert.equal(filed.status, 202, await filed.clone().text());
      old = (await filed.json()) as typeof old;
      assert.equal(old.status, 'pending');
    } finally {
      await db.close();
    }
    // The socket kept alive since the server's readiness poll may have been closed while the past was
    // written here: an idempotent read (retried once on a dropped socket) takes a fresh one.
    await fetch(`${t.server.url}/healthz`).catch(() => fetch(`${t.server.url}/healthz`));
    const errors: string[] = [];

    // The maker opens the customer: the request reads lapsed, and the close action is offered again.
    const makerContext = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await makerContext.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await signIn(page, 'maker');
    await openCustomer(page, subject);
    const line = '[data-testid="closing-unapproved"][data-status="lapsed"]';
    await page.locator(line).waitFor();
    assert.equal(
      await text(page, line),
      `上次销户申请已失效： 销户时间 ${shown(asked)} · 提交后 30 天内无人审批，已于 ${shown(old.lapsesAt)} 失效；如仍须销户，请重新办理`,
    );
    assert.equal(await page.locator('[data-testid="closing-waiting"]').count(), 0, 'nothing waits');
    assert.equal(await page.locator('[data-testid="closing-action"][data-action="close"]').count(), 1);
    assert.deepEqual(await axeViolations(page), [], 'the lapse line, zh-CN');
    for (const [lang, title] of [
      ['zh-TW', '上次銷戶申請已失效：'],
      ['en', 'Last closing request lapsed:'],
      ['zh-CN', '上次销户申请已失效：'],
    ] as const) {
      await page.selectOption('.bar .lang select', lang);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
      assert.ok((await text(page, line)).startsWith(title), `${lang}: ${await text(page, line)}`);
    }

    // The checker's queue, every request of the customer's asked for: it is no one's to decide.
    const checkerContext = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const checker = await checkerContext.newPage();
    checker.on('pageerror', (e) => errors.push(String(e)));
    await checker.goto(`${t.server.url}/admin/`);
    await checker.locator('button[data-as="checker"]').click();
    await checker.locator('a[data-page-link="approvals"]').waitFor();
    const queue = `${t.server.url}/admin/#/approvals?kind=closing&subject=${subject}&who=all`;
    await checker.goto(queue);
    await checker.waitForFunction(
      (s) =>
        location.hash.includes(s) && document.querySelector('[data-testid="approvals-status"]')?.textContent === '没有等待审批的申请。',
      subject,
    );
    assert.equal(await checker.locator(`[data-approval="closing:${old.id}"]`).count(), 0);

    // Filed again through the dialog: the new request waits in place of the lapse line.
    await page.locator('[data-testid="closing-action"][data-action="close"]').click();
    await page.fill('dialog textarea[name="reason"]', '分行补报销户，再次提交');
    await page.fill('dialog input[name="at"]', wall);
    await page.locator('dialog [data-testid="closing-late"]').check();
    await page.locator('dialog button[type="submit"]').click();
    await page.locator('[data-testid="closing-confirm-button"]').click();
    const waiting = page.locator('[data-testid="closing-waiting"]');
    await waiting.waitFor();
    const again = String(await waiting.getAttribute('data-request'));
    assert.notEqual(again, old.id);
    assert.equal(await page.locator('[data-testid="closing-unapproved"]').count(), 0, 'the lapse line gives way to what waits');
    // The checker's queue lists the new one, never the lapsed.
    await checker.locator('form.approvals-filters button[type="button"]').click();
    await checker.locator(`[data-approval="closing:${again}"]`).waitFor({ timeout: 30_000 });
    assert.equal(await checker.locator(`[data-approval="closing:${old.id}"]`).count(), 0);
    // The filing wrote the old one lapsed, by no one, as the API records a lapse.
    const listed = (await (await fetchAsBank(`${t.server.url}/v1/closing-requests?subject=${subject}`)).json()) as {
      items: { id: string; status: string; decidedBy: string | null }[];
    };
    assert.deepEqual(
      listed.items.map((r) => [r.id, r.status, r.decidedBy]),
      [
        [again, 'pending', null],
        [old.id, 'lapsed', 'system:lapse'],
      ],
    );
    assert.deepEqual(errors, []);
    await checkerContext.close();
    await makerContext.close();
  });

  it('a relationship manager has no close action on their own customer, and is told why', async () => {
    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    await signIn(page, 'rm');
    await page.locator('.subject-table button').first().click();
    await page.locator('tk-tier-badge').waitFor();
    await page.locator('[data-testid="closing-unavailable"]').waitFor();
    assert.equal(await page.locator('[data-testid="closing-action"]').count(), 0);
    assert.match(await text(page, '[data-testid="closing-unavailable"]'), /客户经理不能为本人名下客户办理销户/);
    await context.close();
  });
});
