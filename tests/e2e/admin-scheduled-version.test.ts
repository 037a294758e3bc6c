// A policy version approved after one already scheduled (packages/api/README.md, "Versions in order"):
// the card-benefits manager's checker read "与现行第 1 版相比" on a version that, on its date, undid the
// benefit launch scheduled before it. The checker's card now says the version replaces the scheduled
// one and compares with it, and offers a date after it. Real server, real browser, axe clean.
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

/** A key the demo staff member owns: four eyes counts it as them. */
async function keyOf(staffId: string, role: 'officer' | 'approver'): Promise<string> {
  const db = connect({ url: t.databaseUrl });
  try {
    return (await createApiKey(db.db, { tenantId: 'demo', role, label: `${staffId} e2e`, staffId })).secret;
  } finally {
    await db.close();
  }
}

/** The first day of the month `n` months from now in the bank's zone. */
function monthStart(n: number): string {
  const [y, m] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })
    .format(new Date())
    .split('-')
    .map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 10);
}

interface Version {
  version: number;
  contentHash: string;
  effectiveFrom: string | null;
  document: { policy: { hysteresis: { downgradeAfterPeriods: number } } };
}

/** The maker's draft (the API's default copy) with the grace at `months`, submitted. */
async function submitted(makerKey: string, months: number): Promise<Version> {
  const draft = await json<Version>(await api(makerKey, `/v1/policies/${SCHEME}/drafts`, 'POST', {}), 201);
  const doc = structuredClone(draft.document);
  doc.policy.hysteresis.downgradeAfterPeriods = months;
  await json(await api(makerKey, `/v1/policies/${SCHEME}/versions/${draft.version}`, 'PUT', { document: doc }));
  return json<Version>(await api(makerKey, `/v1/policies/${SCHEME}/versions/${draft.version}/submit`, 'POST', {}));
}

describe('admin console: a version approved after a scheduled one', () => {
  it('the checker’s card compares with the scheduled version it replaces, says so, and offers a date after it', async () => {
    const makerKey = await keyOf('MAKER01', 'officer');
    // The launch: scheduled from next month's first by an admin (another person than its maker).
    const launch = await submitted(makerKey, 5);
    const next = monthStart(1);
    await json(
      await api(ADMIN_KEY, `/v1/policies/${SCHEME}/versions/${launch.version}/approve`, 'POST', {
        contentHash: launch.contentHash,
        effectiveFrom: next,
      }),
    );
    // The next version, drafted from the launch (the default copy), changes the grace again.
    const later = await submitted(makerKey, 4);

    const context = await t.browser.newContext({ bypassCSP: true, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${t.server.url}/admin/`);
    await page.locator('button[data-as="checker"]').click();
    await page.locator('[data-testid="who"]').waitFor();
    await page.locator('a[data-page-link="approvals"]').click();
    const item = `[data-approval="policy:${SCHEME}@${later.version}"]`;
    await page.locator(item).waitFor({ timeout: 30_000 });

    // The card names the scheduled version it replaces and the one in force, and compares with the first.
    const warning = page.locator(`${item} [data-testid="diff-against-scheduled"]`);
    await warning.waitFor({ timeout: 30_000 });
    const said = (await warning.textContent()) ?? '';
    assert.match(said, new RegExp(`第 ${launch.version} 版已排期自 ${next} 起生效`), said);
    assert.match(said, /现行为第 1 版/, said);
    const changes = (await page.locator(`${item} [data-testid="policy-changes"] li`).allTextContents()).join('\n');
    assert.match(changes, /5.*→.*4/, `against the launch's grace (5), not version 1's: ${changes}`);
    // The date offered is after the launch's month: its own 1st would be a twin, an earlier day refused.
    const date = page.locator(`${item} input[name="effectiveFrom"][type="date"]`);
    await page.waitForFunction(
      ([sel, day]) => (document.querySelector(`${sel} input[name="effectiveFrom"]`) as HTMLInputElement | null)?.value === day,
      [item, monthStart(2)] as const,
    );
    assert.equal(await date.inputValue(), monthStart(2));
    assert.deepEqual(await axeViolations(page), [], 'axe on the approval card with the scheduled-version warning');

    // zh-TW and English say the same.
    await page.selectOption('.lang select', 'zh-TW');
    await page.waitForFunction(
      (sel) => /已排定自/.test(document.querySelector(sel)?.textContent ?? ''),
      `${item} [data-testid="diff-against-scheduled"]`,
    );
    await page.selectOption('.lang select', 'en');
    await page.waitForFunction(
      (sel) => /is scheduled from/.test(document.querySelector(sel)?.textContent ?? ''),
      `${item} [data-testid="diff-against-scheduled"]`,
    );
    assert.deepEqual(errors, []);
    await context.close();
  });
});
