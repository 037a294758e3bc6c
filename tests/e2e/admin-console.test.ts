// A relationship manager signs in to the admin console (/admin) and works their book: the real
// server, the console's real bundle, real Chromium, under the demo pages' strict CSP.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { axeViolations, SHOTS as shots } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { fetchAsBank } from './support/server.js';

const t = consoleUnderTest(300);

/** Every page of a list, read the way the bank's backend would (admin key). */
async function allItems(path: string): Promise<{ id: string; level?: string | null }[]> {
  const out: { id: string; level?: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const res = await fetchAsBank(`${t.server.url}${path}&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { items: { id: string; level?: string | null }[]; nextCursor: string | null };
    out.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return out;
}

const allIds = async (path: string) => (await allItems(path)).map((s) => s.id);

const listedIds = (page: Page) => page.$$eval('.subject-table tbody tr td:first-child', (tds) => tds.map((td) => td.textContent ?? ''));
const listSettled = (page: Page) =>
  page.waitForFunction(
    () => {
      const s = document.querySelector('[data-testid="list-status"]')?.textContent ?? '';
      return s !== '' && !/加载|Loading/.test(s) && !document.querySelector('button.more[aria-disabled="true"]');
    },
    null,
    { timeout: 30_000 },
  );

/** Press "load more" by keyboard until the whole result is listed. */
async function loadEverything(page: Page): Promise<void> {
  for (let i = 0; i < 50 && (await page.locator('button.more').count()) > 0; i++) {
    await page.locator('button.more').focus();
    await page.keyboard.press('Enter');
    await listSettled(page);
    // The keyboard's place is kept: on the button while there is more, on the list's status once it is gone.
    await page.waitForFunction(() => document.activeElement?.matches('button.more, [data-testid="list-status"]') === true);
  }
}

describe('admin console', () => {
  it('an RM signs in, sees only their book, pages through a matrix cell and opens a customer', async () => {
    const page = await t.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${m.text()} ${m.location().url}`);
    });
    const res = await page.goto(`${t.server.url}/admin/`);
    assert.match(res?.headers()['content-security-policy'] ?? '', /require-trusted-types-for 'script'/);
    await page.locator('button[data-as="rm"]').waitFor();
    await page.screenshot({ path: join(shots, 'admin-1-sign-in.png'), fullPage: true });

    // Keyboard only: the sign-in buttons are plain buttons.
    await page.locator('button[data-as="rm"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('[data-testid="who"]').waitFor();
    assert.match((await page.textContent('[data-testid="who"]')) ?? '', /王芳/);
    // The pressed button is gone with the sign-in card: focus goes to the page now shown, not the page's start.
    await page.waitForFunction(() => document.activeElement?.matches('a[aria-current="page"]') === true);
    await listSettled(page);

    // The list is RM001's book, every page of it, and nothing else.
    const book = await allIds('/v1/subjects?manager=RM001');
    assert.ok(book.length > 50, `a book of more than one page (${book.length})`);
    assert.equal((await listedIds(page)).length, 50, 'the first page');
    await loadEverything(page);
    assert.deepEqual(await listedIds(page), book);
    await page.screenshot({ path: join(shots, 'admin-2-my-book.png'), fullPage: true });

    // The matrix counts the book only; the fullest cell, every customer in it.
    const matrix = page.locator('tk-risk-value-matrix');
    await page.waitForFunction(
      () => (document.querySelector('tk-risk-value-matrix')?.shadowRoot?.querySelectorAll('[role="gridcell"]').length ?? 0) > 0,
      null,
      { timeout: 30_000 },
    );
    const counts = await matrix.evaluate((el) =>
      [...el.shadowRoot!.querySelectorAll<HTMLElement>('[role="gridcell"]')].map((c) =>
        Number(/(\d[\d,]*)/.exec(c.textContent ?? '')?.[1]?.replace(/,/g, '') ?? 0),
      ),
    );
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      book.length,
      'the matrix is the book',
    );
    const fullest = counts.indexOf(Math.max(...counts));
    await matrix.evaluate((el, i) => el.shadowRoot!.querySelectorAll<HTMLElement>('[role="gridcell"]')[i]?.click(), fullest);
    await page.locator('p.cell').waitFor();
    await listSettled(page);
    await loadEverything(page);
    const cell = await listedIds(page);
    assert.equal(cell.length, counts[fullest], 'every customer of the cell, not the first 20');
    assert.ok(
      cell.every((id) => book.includes(id)),
      'all in the book',
    );
    // The list says which cell by the name the matrix gives it, in the console's language — not its keys.
    const matrixScheme = (await (await fetchAsBank(`${t.server.url}/v1/schemes/risk-value`)).json()) as {
      levels: { name: Record<string, string> }[];
    };
    const cellText = await matrix.evaluate(
      (el, i) => el.shadowRoot!.querySelectorAll<HTMLElement>('[role="gridcell"]')[i]?.textContent ?? '',
      fullest,
    );
    const named = matrixScheme.levels.find((l) => cellText.includes(l.name['zh-CN'] ?? '?'));
    assert.ok(named, `the cell shows a level of the matrix (${cellText})`);
    await page.waitForFunction((want) => document.querySelector('p.cell')?.textContent?.includes(want), `矩阵格子：${named.name['zh-CN']}`);
    await page.selectOption('.bar .lang select', 'en');
    await page.waitForFunction((want) => document.querySelector('p.cell')?.textContent?.includes(want), `Matrix cell: ${named.name.en}`);
    await page.selectOption('.bar .lang select', 'zh-CN');
    await page.screenshot({ path: join(shots, 'admin-3-cell.png'), fullPage: true });

    // Open a customer: badge, entitlements and timeline through the widgets.
    const first = cell[0] ?? book[0] ?? '';
    await page.locator(`button[aria-label$=" ${first}"]`).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => (document.querySelector('.detail tk-tier-timeline')?.shadowRoot?.querySelectorAll('[part~="event"]').length ?? 0) > 0,
      null,
      { timeout: 30_000 },
    );
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'detail-h', 'focus moves to the customer');
    assert.match((await page.textContent('#detail-h')) ?? '', new RegExp(first));
    // The customer has an address of their own, and the RM reads why they are at their level, every
    // grade the API gives them, and the benefits as the customer's (not "my benefits").
    assert.equal(new URL(page.url()).hash, `#/book/${first}`);
    await page.locator('[data-testid="why-level"] [data-testid="decided-by"]').waitFor();
    const tiers = (await (await fetchAsBank(`${t.server.url}/v1/subjects/${first}/tiers`)).json()) as {
      assignments: { scheme: string; explanation: { decidedBy: { label: Record<string, string> } } }[];
    };
    const retail = tiers.assignments.find((a) => a.scheme === 'retail-tier');
    assert.equal(
      (await page.textContent('[data-testid="decided-by"]'))?.trim().startsWith(retail?.explanation.decidedBy.label['zh-CN'] ?? '?'),
      true,
    );
    const grades = await page.$$eval('[data-testid="grades"] tbody tr', (rows) => rows.map((r) => r.getAttribute('data-scheme')));
    assert.ok(grades.includes('retail-tier'), grades.join());
    assert.ok(grades.length <= tiers.assignments.length, 'never more grades than the API gives');
    const panelHeading = await page
      .locator('.detail tk-entitlement-panel')
      .evaluate((el) => el.shadowRoot?.querySelector('[part~="title"]')?.textContent?.trim());
    assert.equal(panelHeading, '客户权益');
    // The list carries the tier column: in every row the level the API gives that customer in the main
    // scheme, by its name ('—' for none), and at least one row has a level.
    const retailScheme = (await (await fetchAsBank(`${t.server.url}/v1/schemes/retail-tier`)).json()) as {
      levels: { key: string; name: Record<string, string> }[];
    };
    const levelNames = new Map(retailScheme.levels.map((l) => [l.key, l.name['zh-CN'] ?? l.key]));
    const levelOf = new Map(
      (await allItems('/v1/subjects?manager=RM001&levelOf=retail-tier')).map((s) => [
        s.id,
        s.level == null ? '—' : levelNames.get(s.level),
      ]),
    );
    const rows = await page.$$eval('.subject-table tbody tr', (trs) =>
      trs.map((tr) => [
        tr.querySelector('td')?.textContent ?? '',
        tr.querySelector('[data-testid="subject-level"]')?.textContent?.trim() ?? '',
      ]),
    );
    assert.ok(rows.length > 0);
    assert.deepEqual(
      rows,
      rows.map(([id]) => [id, levelOf.get(id ?? '')]),
    );
    assert.ok(
      rows.some(([, level]) => level !== '—'),
      rows.join(),
    );
    await page.screenshot({ path: join(shots, 'admin-4-customer.png'), fullPage: true });

    // A linked customer opens straight away; and the RM's own requests are one link away.
    const second = book.find((id) => id !== first) ?? '';
    await page.evaluate((id) => {
      location.hash = `#/book/${id}`;
    }, second);
    await page.waitForFunction((id) => document.querySelector('#detail-h')?.textContent?.includes(id), second, { timeout: 30_000 });
    await page.locator('a[data-page-link="requests"]').click();
    await page.waitForFunction(() => {
      const s = document.querySelector('[data-testid="my-requests-status"]')?.textContent ?? '';
      return s !== '' && !/加载/.test(s);
    });
    assert.doesNotMatch((await page.textContent('[data-testid="my-requests-status"]')) ?? '', /失败/);

    // English at run time.
    await page.selectOption('.lang select', 'en');
    await page.waitForFunction(() => document.documentElement.lang === 'en' && /Customers/.test(document.body.textContent ?? ''));
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('has no axe violations, signed out and signed in; a maker reassigns a customer to another RM', async () => {
    // axe is injected as a script, which the page's own CSP rightly forbids: this context bypasses CSP.
    const context = await t.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="rm"]').waitFor();
    const run = () => axeViolations(page);
    assert.deepEqual(await run(), [], 'sign-in page');
    await page.click('button[data-as="maker"]');
    await listSettled(page);
    await page.waitForFunction(
      () => (document.querySelector('tk-risk-value-matrix')?.shadowRoot?.querySelectorAll('[role="gridcell"]').length ?? 0) > 0,
      null,
      { timeout: 30_000 },
    );
    await page.locator('.subject-table button').first().click();
    await page.waitForFunction(
      () => (document.querySelector('.detail tk-tier-timeline')?.shadowRoot?.querySelectorAll('[part~="event"]').length ?? 0) > 0,
      null,
      { timeout: 30_000 },
    );
    await page.locator('form.reassign select').waitFor();
    assert.deepEqual(await run(), [], 'workplace with a customer open, and the reassignment form');

    // The maker (tenant-wide) moves the open customer to RM002's book; the API says so.
    const id = ((await page.textContent('#detail-h .id')) ?? '').trim();
    await page.selectOption('form.reassign select', 'RM002');
    await page.click('form.reassign button[type="submit"]');
    await page.waitForFunction(() => /已调整|Reassigned/.test(document.querySelector('form.reassign [role="status"]')?.textContent ?? ''));
    // Disabled while it saved, the button has focus back.
    await page.waitForFunction(() => document.activeElement?.matches('form.reassign button[type="submit"]') === true);
    const manager = (await (await fetchAsBank(`${t.server.url}/v1/subjects/${id}/manager`)).json()) as { manager: string | null };
    assert.equal(manager.manager, 'RM002');
    await page.screenshot({ path: join(shots, 'admin-5-reassigned.png'), fullPage: true });
    await context.close();
  });
});
