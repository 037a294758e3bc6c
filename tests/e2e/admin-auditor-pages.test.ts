// Internal audit in the console, as a bank runs it: staff sign in through the bank's own login (a
// reverse proxy routes the token path to it, as admin-staff-sign-in does), and an `auditor` reads the
// approvals queue, policies, jobs, overrides, imports, staff and teams, and the audit trail — every
// page said read-only once, no action the API would refuse offered, no 403 met, axe clean, in zh-CN
// and en; an import's refused rows without the refused cells' text. A maker's notes on a policy
// version reach the checker; a record made with an API key names the key's label and the person who
// owns it, once; the Person filter follows the address from one person to another. The real server,
// bundle and Chromium.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createApiKey } from '@tierkit/api';
import { connect, type Db } from '@tierkit/db';
import { DEMO_SIGN_INS, DEMO_STAFF } from '@tierkit/ops';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations } from './support/axe.js';
import { bankLoginProxy } from './support/bank-login-proxy.js';
import { launchBrowser } from './support/browser.js';
import { buildConsole } from './support/builds.js';
import { type RunningServer, startServer, tempDataDir } from './support/server.js';

const TOKEN_PATH = '/sso/tierkit-token';
const TENANT = 'demo';
const SCHEME = 'retail-tier';
/** The demo's internal auditor (the demo seed's, which every start makes): one fixture home. */
const AUDITOR = DEMO_STAFF.find((s) => s.id === DEMO_SIGN_INS.auditor) ?? DEMO_STAFF[0];
/** Where the auditor's pages are photographed, to be looked at (not compared). */
const SHOTS = process.env.TIERKIT_E2E_SHOTS ?? '/tmp/s38-console';
/** Every page internal audit reads, in the console's order. */
const AUDITOR_PAGES = ['approvals', 'policies', 'jobs', 'overrides', 'import', 'audit', 'staff'] as const;
/** Actions no page may offer internal audit: each writes, and the API refuses it the auditor. */
const WRITES = [
  'approve',
  'reject',
  'cancel',
  'resume',
  'start-retier',
  'new-draft',
  'save',
  'submit',
  'simulate',
  'cancel-simulation',
  'remove-condition',
  'request-retirement',
  'withdraw',
  'preview',
  'upload',
  'revoke',
];
/** A mistyped balance in a refused row: the auditor reads the row's line, column and reason, never this. */
const REFUSED_CELL = '12万3';

let server: RunningServer;
let browser: Browser;
let db: Db;
let proxy: Awaited<ReturnType<typeof bankLoginProxy>>;
let proxyUrl: string;
/** Who the bank's login says is signed in. */
let signedIn: string | undefined;
/** The override request the auditor reads in the queue. */
let overrideId = '';

before(async () => {
  buildConsole();
  mkdirSync(SHOTS, { recursive: true });
  const databaseUrl = join(tempDataDir(), 'tierkit.db');
  server = await startServer({ DATABASE_URL: databaseUrl, DEMO_CUSTOMERS: '5', DEMO_TOKENS: 'off', TIERKIT_CONSOLE_TOKEN_URL: TOKEN_PATH });
  db = connect({ url: databaseUrl });
  assert.equal(AUDITOR.role, 'auditor');
  // The bank's reverse proxy: its login service answers the token path, tierkit everything else.
  proxy = await bankLoginProxy({ db, tenantId: TENANT, serverUrl: server.url, tokenPath: TOKEN_PATH, signedIn: () => signedIn });
  proxyUrl = proxy.url;
  browser = await launchBrowser();
  overrideId = await pendingOverride();
  await refusedImportAndTeam();
});

/** A metrics file with one row refused (valid-rows: the rest imported), and a team of two books, by an admin's key. */
async function refusedImportAndTeam(): Promise<void> {
  const { secret } = await createApiKey(db.db, { tenantId: TENANT, role: 'admin', label: 'ops' });
  const as = { authorization: `Bearer ${secret}` };
  const month = lastMonth();
  const imported = await fetch(
    `${server.url}/v1/imports?kind=metrics&amounts=yuan&mode=valid-rows&fileName=${encodeURIComponent('十一月余额.csv')}`,
    {
      method: 'POST',
      headers: { ...as, 'content-type': 'text/csv' },
      body: `subject,period,metric,value\nC000001,${month},avg_daily_balance,88000\nC000003,${month},avg_daily_balance,${REFUSED_CELL}\n`,
    },
  );
  assert.equal(imported.status, 201, await imported.clone().text());
  const json = { ...as, 'content-type': 'application/json' };
  const team = await fetch(`${server.url}/v1/teams/PD-1`, { method: 'PUT', headers: json, body: JSON.stringify({ name: '浦东一组' }) });
  assert.equal(team.status, 201, await team.clone().text());
  const books = await fetch(`${server.url}/v1/teams/PD-1/books`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ add: ['RM001', 'RM002'] }),
  });
  assert.equal(books.status, 200, await books.clone().text());
}

/** The bank's month before this one (Asia/Shanghai), which the demo has data for. */
function lastMonth(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .format(new Date(Date.now() - 35 * 86_400_000))
    .slice(0, 7);
}

/** An officer's override request waiting in the queue (the demo files none), by the API as a bank's backend files it. */
async function pendingOverride(): Promise<string> {
  const { secret } = await createApiKey(db.db, { tenantId: TENANT, role: 'officer', label: 'override-maker' });
  const as = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
  const subjects = (await (await fetch(`${server.url}/v1/subjects?limit=1`, { headers: as })).json()) as { items: { id: string }[] };
  const subject = subjects.items[0]?.id ?? '';
  const tiers = (await (await fetch(`${server.url}/v1/subjects/${subject}/tiers?scheme=${SCHEME}`, { headers: as })).json()) as {
    assignments: { level: string; schemeInfo: { levels: { key: string }[] } }[];
  };
  const a = tiers.assignments[0];
  const keys = a?.schemeInfo.levels.map((l) => l.key) ?? [];
  const at = keys.indexOf(a?.level ?? '');
  // One tier from the level held: the default pack's card tier moves one at a time, within a year.
  const made = await fetch(`${server.url}/v1/subjects/${subject}/overrides`, {
    method: 'POST',
    headers: as,
    body: JSON.stringify({
      scheme: SCHEME,
      level: keys[at + 1] ?? keys[at - 1],
      mode: 'fixed',
      reason: '重要客户，经办申请',
      reasonCategory: 'retention',
      expiresAt: new Date(Date.now() + 90 * 86_400_000).toISOString(),
    }),
  });
  assert.equal(made.status, 201, await made.clone().text());
  return ((await made.json()) as { id: string }).id;
}

after(async () => {
  await browser?.close();
  await proxy?.close();
  await db?.close();
  await server?.stop();
});

interface SignedIn {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every 401/403 the console met from the API. */
  readonly refused: string[];
  readonly errors: string[];
}

/** `staffId` signed in through the bank's login, in `locale`; axe is injected, so the context bypasses CSP. */
async function signIn(staffId: string, locale: 'zh-CN' | 'en'): Promise<SignedIn> {
  signedIn = staffId;
  const context = await browser.newContext({ bypassCSP: true, locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const refused: string[] = [];
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/v1/') && (r.status() === 403 || r.status() === 401))
      refused.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  await page.goto(`${proxyUrl}/admin/`);
  await page.click('button[data-as="staff"]');
  await page.locator('[data-testid="who"]').waitFor({ timeout: 30_000 });
  await page.waitForFunction((l) => document.documentElement.lang === l, locale);
  return { context, page, refused, errors };
}

async function open(page: Page, id: string): Promise<void> {
  await page.locator(`a[data-page-link="${id}"]`).click();
  await page.waitForFunction((p) => document.querySelector('a[aria-current="page"]')?.getAttribute('data-page-link') === p, id);
  await page.waitForLoadState('networkidle');
}

const writesOffered = (page: Page) =>
  page.$$eval(
    'main button[data-action]',
    (bs, writes) => bs.map((b) => b.getAttribute('data-action') ?? '').filter((a) => writes.includes(a)),
    WRITES,
  );

describe('a maker’s notes on a policy version', () => {
  it('the maker drafts and submits with notes; the checker reads both on the approval and on the version', async () => {
    const maker = await signIn('MAKER01', 'zh-CN');
    const m = maker.page;
    await open(m, 'policies');
    await m.selectOption('select[name="scheme"]', SCHEME);
    await m.waitForFunction(() => /生效中/.test(document.querySelector('[data-testid="policy-status"]')?.textContent ?? ''), null, {
      timeout: 30_000,
    });
    await m.fill('input[name="draft-note"]', '金卡门槛随存款利率下调');
    await m.locator('button[data-action="new-draft"]').click();
    await m.waitForFunction(() => /草稿/.test(document.querySelector('[data-testid="policy-status"]')?.textContent ?? ''));
    await m.waitForFunction(() => /^#\/policies\/[^/]+\/\d+$/.test(location.hash));
    const version = Number(/\/(\d+)$/.exec(new URL(m.url()).hash)?.[1]);
    assert.ok(version > 1, m.url());
    assert.equal((await m.textContent('[data-testid="policy-draft-note"]'))?.trim(), '金卡门槛随存款利率下调');
    // A change, so there is something to submit (saved by the submit): no grace before a downgrade.
    await m.locator('input[data-field="document.policy.hysteresis.downgradeAfterPeriods"]').fill('0');
    await m.fill('textarea[name="submit-note"]', '经零售部 12 月例会同意');
    assert.deepEqual(await axeViolations(m), [], 'policy draft with its note fields (zh-CN)');
    await m.locator('button[data-action="submit"]').click();
    await m.waitForFunction(() => /待审批/.test(document.querySelector('[data-testid="policy-status"]')?.textContent ?? ''));
    assert.equal((await m.textContent('[data-testid="policy-submit-note"]'))?.trim(), '经零售部 12 月例会同意');
    assert.deepEqual(maker.errors, []);
    await maker.context.close();

    const checker = await signIn('CHECKER01', 'zh-CN');
    const c = checker.page;
    await open(c, 'approvals');
    const item = `[data-approval="policy:${SCHEME}@${version}"]`;
    await c.locator(item).waitFor({ timeout: 30_000 });
    assert.equal((await c.textContent(`${item} [data-testid="approval-draft-note"]`))?.trim(), '金卡门槛随存款利率下调');
    assert.equal((await c.textContent(`${item} [data-testid="approval-submit-note"]`))?.trim(), '经零售部 12 月例会同意');
    await c.goto(`${proxyUrl}/admin/#/policies/${SCHEME}/${version}`);
    await c.waitForFunction(() => /待审批/.test(document.querySelector('[data-testid="policy-status"]')?.textContent ?? ''), null, {
      timeout: 30_000,
    });
    assert.equal((await c.textContent('[data-testid="policy-draft-note"]'))?.trim(), '金卡门槛随存款利率下调');
    assert.equal((await c.textContent('[data-testid="policy-submit-note"]'))?.trim(), '经零售部 12 月例会同意');
    assert.deepEqual(checker.errors, []);
    await checker.context.close();
  });
});

describe('internal audit reads the console and changes nothing', () => {
  for (const [locale, readsOnly] of [
    ['zh-CN', /^内部审计（只读）/],
    ['en', /^Internal audit \(read-only\)/],
  ] as const) {
    it(`${locale}: approvals, policies, jobs, overrides, imports, audit, staff and teams, each read-only, none refused, axe clean`, async () => {
      const { context, page, refused, errors } = await signIn(AUDITOR.id, locale);
      const nav = await page.$$eval('nav.pages a[data-page-link]', (as) => as.map((a) => a.getAttribute('data-page-link')));
      for (const id of AUDITOR_PAGES) assert.ok(nav.includes(id), `${id} offered: ${nav.join(', ')}`);
      for (const id of nav) {
        await open(page, id ?? '');
        if (id === 'approvals') await page.locator('[data-approval]').first().waitFor({ timeout: 30_000 });
        if (id === 'policies')
          await page.waitForFunction(() => (document.querySelector('[data-testid="policy-status"]')?.textContent ?? '') !== '', null, {
            timeout: 30_000,
          });
        if (id === 'audit') await page.locator('table.audit-table tbody tr').first().waitFor({ timeout: 30_000 });
        if (id === 'overrides') await page.locator(`tr[data-override="${overrideId}"]`).waitFor({ timeout: 30_000 });
        if (id === 'import') await page.locator('tr[data-import]').first().waitFor({ timeout: 30_000 });
        if (id === 'staff') await page.locator('tr[data-team="PD-1"]').waitFor({ timeout: 30_000 });
        // The jobs page points to no start form it does not show.
        if (id === 'jobs') assert.doesNotMatch((await page.textContent('[data-testid="schedule-off"]')) ?? '', /下方|below/);
        await page.waitForLoadState('networkidle');
        assert.match((await page.textContent('[data-testid="reads-only"]')) ?? '', readsOnly, `${id}: says it reads only`);
        assert.deepEqual(await writesOffered(page), [], `${id}: no action the auditor may not take`);
        // Across the page above its cards, not in the grid cell of the page's first card.
        assert.ok(((await page.locator('[data-testid="reads-only"]').boundingBox())?.width ?? 0) > 1000, `${id}: the line spans the page`);
        assert.deepEqual(await axeViolations(page), [], `axe on ${id} as the auditor (${locale})`);
        await page.screenshot({ path: join(SHOTS, `auditor-${id}-${locale}.png`), fullPage: true });
      }
      // The queue's policy version: what it changes and the maker's notes, no decision, no simulation run.
      await open(page, 'approvals');
      await page.locator('[data-approval] [data-testid="approval-submit-note"]').first().waitFor({ timeout: 30_000 });
      // An override's customer by their id as text: the customer's page is not the auditor's to open.
      const customer = page.locator(`[data-approval="override:${overrideId}"] [data-testid="approval-customer"]`);
      assert.match((await customer.textContent()) ?? '', /\S/);
      assert.equal(await customer.locator('a').count(), 0, 'no link to a page the auditor may not open');
      assert.equal(await page.locator('[data-approval] textarea[name="note"]').count(), 0, 'no decision note to write');
      // A draft-free version read-only: no field opens for editing.
      await page.goto(`${proxyUrl}/admin/#/policies/${SCHEME}/1`);
      await page.locator('[data-testid="policy-status"]').waitFor();
      await page.waitForLoadState('networkidle');
      assert.equal(await page.locator('main input[data-field]:not([disabled]):not([readonly])').count(), 0, 'no editable field');
      assert.deepEqual(await writesOffered(page), []);
      // Overrides: who asked, and the request followed to its decisions; the customer by number and masked name.
      await open(page, 'overrides');
      const row = page.locator(`tr[data-override="${overrideId}"]`);
      await row.waitFor({ timeout: 30_000 });
      assert.match((await row.locator('[data-testid="override-requester"]').textContent()) ?? '', /\S/);
      assert.equal(await row.locator('a').count(), 0, 'no link to a customer page the auditor may not open');
      await row.locator('button[data-action="follow"]').click();
      await page.locator(`[data-override-detail="${overrideId}"] .overrides-decisions li`).first().waitFor({ timeout: 30_000 });
      assert.deepEqual(await writesOffered(page), [], 'the followed request offers no decision');
      assert.deepEqual(await axeViolations(page), [], `an override followed, as the auditor (${locale})`);
      // Imports: the refused row by line, column and reason, the cell's text cut by the API.
      await open(page, 'import');
      const imp = page.locator('tr[data-import]', { hasText: '十一月余额.csv' });
      await imp.waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('main input[type="file"]').count(), 0, 'no upload form');
      await imp.locator('button[data-action="open-import"]').click();
      const rowError = page.locator('[data-import-opened] [data-testid="row-errors"] li[data-line="3"]');
      await rowError.waitFor({ timeout: 30_000 });
      assert.match((await rowError.textContent()) ?? '', /value/);
      assert.doesNotMatch((await page.textContent('main')) ?? '', new RegExp(REFUSED_CELL), 'the refused cell’s text');
      assert.match(
        (await page.textContent('[data-testid="import-opened-result"]')) ?? '',
        locale === 'en' ? /Partly imported/ : /部分导入/,
      );
      assert.deepEqual(await axeViolations(page), [], `an import opened, as the auditor (${locale})`);
      await page.screenshot({ path: join(SHOTS, `auditor-import-opened-${locale}.png`), fullPage: true });
      // Teams: each book by its relationship manager's name.
      await open(page, 'staff');
      const team = page.locator('tr[data-team="PD-1"]');
      await team.waitFor({ timeout: 30_000 });
      assert.match((await team.textContent()) ?? '', /浦东一组[\s\S]*王芳 · RM001/);
      assert.deepEqual(refused, [], 'a page shown to internal audit asked for what it may not');
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
});

describe('the audit trail names a key by its label and its owner', () => {
  it('a record made with the maker’s key reads 赵敏 · MAKER01 and API 密钥“月度导入”, found by person', async () => {
    const { secret } = await createApiKey(db.db, { tenantId: TENANT, role: 'officer', label: '月度导入', staffId: 'MAKER01' });
    // The checker's own key imports too, so the trail has a record of theirs to find by person.
    const checkers = await createApiKey(db.db, { tenantId: TENANT, role: 'approver', label: '复核补录', staffId: 'CHECKER01' });
    const month = lastMonth();
    const imported = await fetch(`${server.url}/v1/imports?kind=metrics&amounts=yuan`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'text/csv' },
      body: `subject,period,metric,value\nC000002,${month},avg_daily_balance,120000\n`,
    });
    assert.equal(imported.status, 201, await imported.text());
    const checked = await fetch(`${server.url}/v1/imports?kind=metrics&amounts=yuan`, {
      method: 'POST',
      headers: { authorization: `Bearer ${checkers.secret}`, 'content-type': 'text/csv' },
      body: `subject,period,metric,value\nC000004,${month},avg_daily_balance,64000\n`,
    });
    assert.equal(checked.status, 201, await checked.text());

    const { context, page, refused, errors } = await signIn(AUDITOR.id, 'zh-CN');
    await open(page, 'audit');
    await page.fill('form.audit-filters input[name="person"]', 'MAKER01');
    await page.click('form.audit-filters button[type="submit"]');
    const keyed = page.locator('table.audit-table tbody tr', { has: page.locator('[data-testid="actor-key"]') }).first();
    await keyed.waitFor({ timeout: 30_000 });
    assert.equal((await keyed.locator('[data-testid="actor-person"]').textContent())?.trim(), '赵敏 · MAKER01');
    assert.equal((await keyed.locator('[data-testid="actor-key"]').textContent())?.trim(), 'API 密钥“月度导入”');
    // Said once: by its label, not again by the credential's word beneath it.
    assert.equal(((await keyed.locator('td').nth(2).textContent()) ?? '').match(/API 密钥/g)?.length, 1);
    // Found by person: the maker's staff-token records (her draft and submit) beside her key's.
    const actors = await page.$$eval('table.audit-table tbody [data-testid="actor-person"]', (cells) => [
      ...new Set(cells.map((c) => c.textContent?.trim())),
    ]);
    assert.deepEqual(actors, ['赵敏 · MAKER01']);
    assert.ok(
      (await page.locator('table.audit-table tbody tr').count()) >
        (await page.locator('table.audit-table [data-testid="actor-key"]').count()),
    );
    assert.deepEqual(await axeViolations(page), [], 'audit page filtered by person (zh-CN)');
    await page.screenshot({ path: join(SHOTS, 'auditor-audit-person-zh-CN.png'), fullPage: true });

    // The address names the person: a link to one person's trail, then another's, in the same session.
    const actorsShown = () =>
      page.$$eval('table.audit-table tbody [data-testid="actor-person"]', (cells) => [...new Set(cells.map((c) => c.textContent?.trim()))]);
    await page.evaluate(() => {
      location.hash = '#/audit?person=MAKER01';
    });
    await page.waitForFunction(
      () => (document.querySelector('form.audit-filters input[name="person"]') as HTMLInputElement).value === 'MAKER01',
    );
    await page.locator('table.audit-table tbody tr').first().waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    assert.deepEqual(await actorsShown(), ['赵敏 · MAKER01']);
    await page.evaluate(() => {
      location.hash = '#/audit?person=CHECKER01';
    });
    await page.waitForFunction(
      () => (document.querySelector('form.audit-filters input[name="person"]') as HTMLInputElement).value === 'CHECKER01',
      null,
      { timeout: 30_000 },
    );
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('table.audit-table tbody [data-testid="actor-person"]')].some((c) =>
          /CHECKER01/.test(c.textContent ?? ''),
        ),
      null,
      { timeout: 30_000 },
    );
    await page.waitForLoadState('networkidle');
    assert.deepEqual(await actorsShown(), ['钱进 · CHECKER01'], 'the second person’s records, and only theirs');
    assert.deepEqual(refused, []);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
