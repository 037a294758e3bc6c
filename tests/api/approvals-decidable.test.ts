import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { validatePolicyPack, type PolicyPack } from '@tierkit/core';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, loweringPack, ok, START, type FourEyesTenant, type Person } from '../support/four-eyes-fixture.js';

interface Item {
  kind: string;
  id: string;
  scheme: string;
  proposedLevel?: string;
  approvalNeeds: 'approver' | 'admin';
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

/** The lowering pack with AML's guards an admin's, as the default pack's are: a lowering, and an override that loosens the grade. */
function adminGuardedPack(): PolicyPack {
  const pack = loweringPack();
  const schemes = pack.schemes.map((s) =>
    s.key !== 'aml-test' || !s.overrides
      ? s
      : { ...s, loweringNeeds: 'admin' as const, overrides: { ...s.overrides, loosenNeeds: 'admin' as const } },
  );
  const checked = validatePolicyPack({ metrics: pack.metrics, schemes });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.pack;
}

const days = (n: number) => new Date(START.getTime() + n * 86_400_000).toISOString();

/*
 * 等我审核 (`GET /v1/approvals?mine=false`, a decider's default) is what the caller can act on: a
 * reviewer found an approver's "waiting for me" full of AML requests only an admin may approve
 * (`approvalNeeds: admin`). Those stay under "all" (`mine` absent), marked; the filter is in SQL, so a
 * page of it is full, its last page says so (`nextCursor: null`) and an empty queue is empty.
 */
forEachDialect('what waits for a decider is what they may decide', (f) => {
  let t: FourEyesTenant;
  const ids: Record<'loosen' | 'card' | 'lowering' | 'signOff', string> = { loosen: '', card: '', lowering: '', signOff: '' };
  const page = (who: Person, query: string) => t.req(who, 'GET', `/v1/approvals?${query}`).then((r) => ok<Page>(r));
  /** Every item of the filter, a page of `limit` at a time, and the pages it took. */
  const walk = async (who: Person, query: string, limit: number) => {
    const out: Item[] = [];
    let pages = 0;
    let cursor: string | null = null;
    do {
      const p: Page = await page(who, `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      pages++;
      assert.ok(p.items.length === limit || p.nextCursor === null, `a page of ${p.items.length} before its end`);
      out.push(...p.items);
      cursor = p.nextCursor;
    } while (cursor !== null);
    return { ids: out.map((i) => i.id), pages };
  };

  before(async () => {
    t = await fourEyesTenant(f, 'decidable', START, adminGuardedPack());
    const aml = (id: string, period: string, value: number, who: Person = 'officer') =>
      t.req(who, 'PUT', `/v1/subjects/${id}/metrics`, { metrics: [{ metric: 'aml_customer_risk', period, value }] });
    for (const id of ['H1', 'H2', 'L1'])
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${id}`, { kind: 'customer', displayName: id }), 201);
    // H1 graded 高: a sign-off any approver gives.
    await ok(await aml('H1', '2025-10', 95));
    // H2 高, then figures calling for 低: a lowering request, the scheme's `loweringNeeds` (admin).
    await ok(await aml('H2', '2025-09', 95));
    await ok(await aml('H2', '2025-10', 10, 'officer2'));
    await ok(await aml('L1', '2025-10', 10));
    const file = (subject: string, body: Record<string, unknown>) =>
      t.req('officer', 'POST', `/v1/subjects/${subject}/overrides`, { mode: 'fixed', reason: '复核', expiresAt: days(90), ...body });
    // Holding H1 at 低 loosens the grade (`loosenNeeds`: admin); a card tier is any approver's.
    ids.loosen = (await ok<{ id: string }>(await file('H1', { scheme: 'aml-test', level: 'low' }), 201)).id;
    ids.card = (await ok<{ id: string }>(await file('L1', { scheme: 'retail-tier', level: 'gold' }), 201)).id;
    const all = await page('admin', 'limit=100');
    const lowering = all.items.find((i) => i.kind === 'level' && i.proposedLevel !== undefined);
    const signOff = all.items.find((i) => i.kind === 'level' && i.proposedLevel === undefined && i.id.startsWith('H1:'));
    assert.ok(lowering && signOff, JSON.stringify(all.items));
    assert.equal(lowering.approvalNeeds, 'admin');
    ids.lowering = lowering.id;
    ids.signOff = signOff.id;
  });

  it('an approver’s “waiting for me” leaves out what needs an admin; “all” keeps it, marked; an admin’s has everything', async () => {
    const mine = (await page('approver', 'mine=false&limit=100')).items;
    assert.deepEqual(mine.map((i) => i.id).sort(), [ids.card, ids.signOff].sort());
    assert.ok(
      mine.every((i) => i.approvalNeeds === 'approver'),
      'nothing the approver cannot approve',
    );
    const all = (await page('approver', 'limit=100')).items;
    const needs = Object.fromEntries(all.map((i) => [i.id, i.approvalNeeds]));
    assert.deepEqual(needs, { [ids.loosen]: 'admin', [ids.lowering]: 'admin', [ids.card]: 'approver', [ids.signOff]: 'approver' });
    const admin = (await page('admin', 'mine=false&limit=100')).items.map((i) => i.id).sort();
    assert.deepEqual(admin, Object.values(ids).sort());
    // Below approver nothing waits for the caller: they may decide nothing.
    assert.deepEqual((await page('officer2', 'mine=false&limit=100')).items, []);
  });

  it('pages and the empty queue agree with the filter: no short page before the end, an empty first page when nothing is theirs', async () => {
    const one = await walk('approver', 'mine=false', 1);
    assert.deepEqual(one.ids.sort(), [ids.card, ids.signOff].sort());
    assert.equal(one.pages, 2, 'two items, two pages: no third, empty one');
    // Only admin work in AML overrides: the approver's queue of them is empty, on its first page.
    const aml = await page('approver', 'mine=false&kind=override&scheme=aml-test&limit=1');
    assert.deepEqual(aml, { items: [], nextCursor: null });
    assert.equal((await page('approver', 'kind=override&scheme=aml-test&limit=1')).items[0]?.id, ids.loosen);
  });

  // Last: it decides the admin's lowering.
  it('an approver who may not approve a lowering hears 403 for it once decided too, not who decided it', async () => {
    const approval = (who: Person) => t.req(who, 'GET', '/v1/subjects/H2/levels/aml-test/approval');
    const lowering = await ok<{ id: string; contentHash: string }>(await approval('viewer'));
    const decide = (who: Person) =>
      t.req(who, 'POST', '/v1/subjects/H2/levels/aml-test/approve', { contentHash: lowering.contentHash, note: 'checked' });
    // Pending: the approver is refused by role (loweringNeeds: admin).
    assert.equal((await decide('approver')).status, 403);
    await ok(await decide('admin'));
    // Decided: the same refusal, not a 409 naming the admin who decided — who may not decide learns nothing of it.
    const late = await decide('approver');
    assert.equal(late.status, 403, await late.clone().text());
    assert.doesNotMatch(await late.text(), /already_decided|approved by key:/);
  });
});
