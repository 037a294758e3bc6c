// Who made an import, as the audit page names them: an integration key no one owns loads a month, and
// the maker (a tenant-wide officer, who uploads too) and internal audit each read the imports list with
// that import's maker as the key's label — never its id, never a secret — in zh-CN, zh-TW and en. The
// maker's import page carries the list under the upload form. Real server, bundle and Chromium; axe clean.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApiKey } from '@tierkit/api';
import { connect } from '@tierkit/db';
import { axeViolations } from './support/axe.js';
import { consoleUnderTest } from './support/console.js';

const t = consoleUnderTest(5);

describe('admin console: the imports list names a key by its label', () => {
  it('the maker and the auditor read an integration key’s import as 无持有人的密钥 · API 密钥“月度导入”', async () => {
    const db = connect({ url: t.databaseUrl });
    let key: { secret: string };
    try {
      key = await createApiKey(db.db, { tenantId: 'demo', role: 'officer', label: '月度导入' });
    } finally {
      await db.close();
    }
    const imported = await fetch(`${t.server.url}/v1/imports?kind=subjects&fileName=${encodeURIComponent('新客户.csv')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'text/csv' },
      body: 'id,name\nK900001,周八\n',
    });
    assert.equal(imported.status, 201, await imported.clone().text());
    const made = (await imported.json()) as { id: string; createdBy: string };

    for (const as of ['maker', 'auditor'] as const) {
      const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${t.server.url}/admin/`);
      await page.locator(`button[data-as="${as}"]`).click();
      await page.locator('a[data-page-link="import"]').click();
      const row = page.locator(`tr[data-import="${made.id}"]`);
      await row.waitFor({ timeout: 30_000 });
      const maker = row.locator('[data-testid="import-maker"]');
      assert.equal((await maker.locator('[data-testid="import-maker-key"]').textContent())?.trim(), 'API 密钥“月度导入”', as);
      assert.match((await maker.textContent()) ?? '', /^无持有人的密钥/);
      assert.doesNotMatch(
        (await row.textContent()) ?? '',
        new RegExp(`${made.createdBy.slice(4)}|${key.secret}`),
        'never the key’s id or secret',
      );
      assert.equal(await page.locator('.import-form').count(), as === 'maker' ? 1 : 0, 'the upload form: the maker’s');
      assert.deepEqual(await axeViolations(page), [], `${as}: the imports list, zh-CN`);
      for (const [locale, said] of [
        ['zh-TW', 'API 金鑰「月度导入」'],
        ['en', 'API key “月度导入”'],
      ] as const) {
        await page.selectOption('.bar .lang select', locale);
        await page.waitForFunction((l) => document.documentElement.lang === l, locale);
        await row.waitFor();
        assert.equal((await maker.locator('[data-testid="import-maker-key"]').textContent())?.trim(), said, as);
        assert.deepEqual(await axeViolations(page), [], `${as}: the imports list, ${locale}`);
      }
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
});
