// A compliance officer after a complaint, in the console: whose book was this customer in, from when
// to when, and who moved them? The customer's page lists the API's book moves (newest first, staff by
// name, times in the bank's zone), says honestly that moves before the upgrade were not recorded, and
// reads the list again after a reassignment made on the same page.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { connect } from '@tierkit/db';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { axeViolations, SHOTS as shots } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';
import { ADMIN_KEY, fetchAsBank } from './support/server.js';

const t = consoleUnderTest(20);

const moves = (page: Page) =>
  page.$$eval('[data-testid="book-moves"] li', (lis) =>
    lis.map((li) => ({ recorded: li.dataset.recorded, text: li.textContent?.replace(/\s+/g, ' ').trim() ?? '' })),
  );

async function language(page: Page, locale: 'zh-CN' | 'zh-TW' | 'en'): Promise<void> {
  await page.selectOption('.bar .lang select', locale);
  await page.waitForFunction((l) => document.documentElement.lang === l, locale);
}

describe('admin console: a customer’s book moves', () => {
  it('lists who held the customer from when to when, the upgrade’s first row said honestly; a reassignment shows at once; three languages, axe, 390 and 1366 px', async () => {
    // C000001 as an upgraded database has it: its book found by the book-moves migration, nothing before.
    const db = connect({ url: t.databaseUrl });
    try {
      await sql`DELETE FROM book_moves WHERE subject_id IN (SELECT id FROM subjects WHERE external_id = 'C000001')`.execute(db.db);
      await sql`
        INSERT INTO book_moves (id, tenant_id, subject_id, from_staff, to_staff, at, actor, recorded)
        SELECT m.assigned_at || '.000000000000.' || m.subject_id, m.tenant_id, m.subject_id, NULL, m.staff_id, m.assigned_at, m.assigned_by, 0
        FROM subject_managers m JOIN subjects s ON s.id = m.subject_id WHERE s.external_id = 'C000001'`.execute(db.db);
    } finally {
      await db.close();
    }

    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="maker"]').click();
    await page.locator('.subject-table button').first().waitFor();
    await page.locator('button[aria-label="打开 C000001"]').click();
    // The staff's names are filled in after the moves are shown (one read per staff member): wait for them.
    await page.locator('[data-testid="book-moves"] li', { hasText: '王芳' }).first().waitFor();
    const before = await moves(page);
    assert.equal(before.length, 1, JSON.stringify(before));
    const [first] = before;
    assert.equal(first?.recorded, 'false');
    assert.match(
      first?.text ?? '',
      /^王芳 · RM001 开始记录归属变更前已在此名下（最近一次分配：\d{4}-\d\d-\d\d \d\d:\d\d:\d\d，系统（demo-seed））/,
    );
    assert.match(first?.text ?? '', /至今；此前归属未记录$/);
    assert.match((await page.textContent('#moves-hint')) ?? '', /Asia\/Shanghai/);
    assert.deepEqual(await axeViolations(page), [], 'zh-CN, with the moves');

    // The maker moves the customer by keyboard; the list is read again, the newest move first — the old
    // list staying meanwhile, and the moves' status saying nothing over the reassignment's.
    await page.evaluate(() => {
      const w = window as unknown as { movesSeen: { gone: boolean; said: string[] } };
      w.movesSeen = { gone: false, said: [] };
      new MutationObserver(() => {
        if (!document.querySelector('[data-testid="book-moves"] li')) w.movesSeen.gone = true;
        const said = document.querySelector('[data-testid="moves-status"]')?.textContent ?? '';
        if (said) w.movesSeen.said.push(said);
      }).observe(document.querySelector('.detail') ?? document.body, { childList: true, subtree: true, characterData: true });
    });
    await page.locator('form.reassign select').selectOption('RM002');
    await page.locator('form.reassign button[type="submit"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="book-moves"] li').length === 2);
    assert.deepEqual(
      await page.evaluate(() => (window as unknown as { movesSeen: unknown }).movesSeen),
      { gone: false, said: [] },
      'the list stayed while read again, and its status announced nothing',
    );
    assert.equal(await page.textContent('[data-testid="reassign-status"]'), '已调整。');
    await page.locator('[data-testid="book-moves"] li', { hasText: '李强' }).filter({ hasText: '赵敏' }).first().waitFor();
    const after = await moves(page);
    assert.equal(after[0]?.recorded, 'true');
    assert.match(after[0]?.text ?? '', /^李强 · RM002 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 起至今 调整人：赵敏 · MAKER01$/);
    assert.match(after[1]?.text ?? '', /^王芳 · RM001 开始记录归属变更前已在此名下.*，至 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d；此前归属未记录$/);
    const api = (await (await fetchAsBank(`${t.server.url}/v1/subjects/C000001/manager/moves`)).json()) as { moves: { to: string }[] };
    assert.deepEqual(
      api.moves.map((m) => m.to),
      ['RM002', 'RM001'],
    );

    await language(page, 'zh-TW');
    const tw = await moves(page);
    assert.match(tw[0]?.text ?? '', /起至今 調整人員：/);
    assert.match(tw[1]?.text ?? '', /開始記錄歸屬異動前已在此名下（最近一次分派：/);
    assert.match((await page.textContent('#moves-h')) ?? '', /理財專員歸屬紀錄/);
    assert.deepEqual(await axeViolations(page), [], 'zh-TW');

    await language(page, 'en');
    const en = await moves(page);
    assert.match(en[0]?.text ?? '', /since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, to now moved by 赵敏 · MAKER01$/);
    assert.match(
      en[1]?.text ?? '',
      /in this book since before moves were recorded \(last assigned .* by the system \(demo-seed\)\), until .*; who held this customer earlier is not known$/,
    );
    for (const width of [1366, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const box = await page.evaluate(() => ({
        card: document.querySelector('.book-moves')?.closest('.card')?.getBoundingClientRect().right ?? 0,
        list: document.querySelector('.book-moves ol')?.getBoundingClientRect().right ?? Infinity,
        page: document.documentElement.scrollWidth,
      }));
      assert.ok(box.list <= box.card, `en at ${width} px: ${JSON.stringify(box)}`);
      assert.ok(box.page <= width, `en at ${width} px: the page scrolls sideways (${box.page})`);
      await page.locator('.book-moves').screenshot({ path: join(shots, `admin-book-moves-${width}.png`) });
    }
    assert.deepEqual(await axeViolations(page), [], 'en at 390 px');
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('a customer with no move recorded says so, and does not claim they were never in a book', async () => {
    const put = await fetch(`${t.server.url}/v1/subjects/NOBOOK1`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'customer', displayName: '周一' }),
    });
    assert.ok(put.status === 201 || put.status === 200, await put.clone().text());
    const context = await t.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${t.server.url}/admin/?lang=en`);
    await page.locator('button[data-as="maker"]').click();
    await page.locator('.filters input[name="q"]').fill('NOBOOK1');
    await page.locator('.filters button[type="submit"]').click();
    await page.locator('button[aria-label="Open NOBOOK1"]').click();
    const said = (text: string) =>
      page.waitForFunction((t) => document.querySelector('[data-testid="moves-status"]')?.textContent === t, text);
    // The upgrade recorded only the books it found: a customer out of every book then may have been in one before.
    await said('No move between books recorded; moves before this record was kept are not known.');
    assert.equal(await page.locator('[data-testid="book-moves"]').count(), 0);
    await language(page, 'zh-CN');
    await said('没有记录到任何归属变更；开始记录之前的变更无从得知。');
    await language(page, 'zh-TW');
    await said('沒有記錄到任何歸屬異動；開始記錄之前的異動無從得知。');
    await context.close();
  });

  it('a long history: the latest 100 are shown, older ones may exist', async () => {
    // C000003 moved 100 times (oldest first), each an hour after the last; the API hands out 100 at most.
    const db = connect({ url: t.databaseUrl });
    try {
      const rows = await sql<{ id: string; tenant_id: string }>`SELECT id, tenant_id FROM subjects WHERE external_id = 'C000003'`.execute(
        db.db,
      );
      const subject = rows.rows[0];
      assert.ok(subject);
      await sql`DELETE FROM book_moves WHERE subject_id = ${subject.id}`.execute(db.db);
      let held: string | null = 'RM002';
      for (let k = 0; k < 100; k++) {
        const at = new Date(Date.UTC(2025, 0, 1, k)).toISOString();
        const to = k % 2 ? 'RM002' : 'RM001';
        // k = 60: a move recorded from no book, though the one before put the customer in RM002's: a gap.
        const from = k === 60 ? null : held;
        const actor = k === 99 ? 'cli:ops1' : k === 98 ? 'token:staff' : k === 97 ? 'feed:nightly' : 'system:e2e';
        await sql`
          INSERT INTO book_moves (id, tenant_id, subject_id, from_staff, to_staff, at, actor, recorded)
          VALUES (${`${at}.000000000000.${subject.id}`}, ${subject.tenant_id}, ${subject.id}, ${from}, ${to}, ${at}, ${actor}, 1)`.execute(
          db.db,
        );
        held = to;
      }
    } finally {
      await db.close();
    }
    const context = await t.browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${t.server.url}/admin/?lang=en`);
    await page.locator('button[data-as="maker"]').click();
    await page.locator('button[aria-label="Open C000003"]').click();
    await page.locator('[data-testid="book-moves"] li').first().waitFor();
    // Exactly as many as the API gives: there may be more, or not.
    assert.equal(await page.textContent('[data-testid="moves-status"]'), 'The latest 100 are shown; older ones may exist.');
    // The CLI, a token and a mover of a kind the console does not know: each said, none left raw.
    const [cli, token, other] = await moves(page);
    assert.match(cli?.text ?? '', /moved by the command line \(as ops1\)$/);
    assert.match(token?.text ?? '', /moved by a token \(staff\)$/);
    assert.match(other?.text ?? '', /moved by an unrecognised mover, feed:nightly$/);
    // k = 60 was recorded from no book though k = 59 put the customer in RM002's: the gap is said, and
    // RM002's stretch before it ends "at the latest"; the oldest shown row says where it came from.
    const all = await moves(page);
    assert.equal(all.length, 101, 'a hundred moves and one gap');
    assert.equal(all[40]?.text, 'Not known: a move between these was not recorded');
    assert.equal(all.filter((m) => m.text.startsWith('Not known')).length, 1);
    assert.match(all[41]?.text ?? '', /^李强 · RM002 since .*, until .* at the latest \(when it ended is not recorded\)/);
    assert.match(
      all[39]?.text ?? '',
      /^王芳 · RM001 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d to \d{4}-\d\d-\d\d \d\d:\d\d:\d\d moved by the system \(e2e\)$/,
    );
    assert.match(all[100]?.text ?? '', /moved by the system \(e2e\) before this: 李强 · RM002$/);
    assert.equal(await page.locator('[data-testid="moved-from"]').count(), 1);
    assert.deepEqual(await axeViolations(page), [], 'a long history with a gap');
    await language(page, 'zh-CN');
    assert.equal(await page.textContent('[data-testid="moves-status"]'), '显示最近 100 次变更；更早的变更可能存在。');
    assert.match((await moves(page))[0]?.text ?? '', /调整人：命令行工具（操作系统用户 ops1）$/);
    await language(page, 'zh-TW');
    const tw = await moves(page);
    assert.match(tw[1]?.text ?? '', /調整人員：權杖（staff）$/);
    assert.match(tw[2]?.text ?? '', /調整人員：無法辨識的操作來源 feed:nightly$/);
    await context.close();
  });
});
