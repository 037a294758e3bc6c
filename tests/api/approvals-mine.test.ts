import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, drainJobs, mintStaffToken } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import { client, forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, requestOverride, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * The maker's own requests among everyone's (packages/api/README.md, "Four eyes"): a product manager
 * found hers on page 6 of 270. `?mine=true` lists only the requests the caller made — by person, any
 * credential of theirs, as `requestedByYou` says — and `?mine=false` only everyone else's: what waits
 * for the caller to decide. Filtered in SQL, so the pages still concatenate to the queue's order.
 */

interface Item {
  kind: string;
  id: string;
  requestedByYou: boolean;
  requestedAt: string;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

forEachDialect('approvals queue: my requests, and what waits for me', (f) => {
  let t: FourEyesTenant;
  /** Staff member PM1 (an officer): her sign-on token and a key she owns — one person. */
  let token = '';
  let ownKey = '';
  const mineIds: string[] = [];
  const othersIds: string[] = [];

  before(async () => {
    t = await fourEyesTenant(f, 'approvals-mine', START);
    await upsertStaff(f.db.db, t.tenantId, { id: 'PM1', name: '产品经理', role: 'officer', scope: 'tenant' }, START.toISOString());
    token = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'PM1', ttlSeconds: 900, now: START })).token;
    ownKey = (await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'officer', label: 'PM1', staffId: 'PM1', now: START })).secret;
    // Twelve requests of others first, then hers among later ones: none of hers is on the first page.
    for (let i = 0; i < 16; i++) {
      const subject = `M${String(i).padStart(2, '0')}`;
      await ok(await t.req('officer', 'PUT', `/v1/subjects/${subject}`, { kind: 'customer', displayName: subject }), 201);
      t.setClock(new Date(START.getTime() + i * 30_000));
      const who = i === 12 ? { credential: token } : i === 14 ? { credential: ownKey } : i % 2 ? 'officer2' : 'officer';
      const o = await ok<{ id: string }>(await requestOverride(t, subject, {}, who as 'officer'), 201);
      (i === 12 || i === 14 ? mineIds : othersIds).push(o.id);
    }
    // A policy version she drafted and submitted with her token.
    t.setClock(new Date(START.getTime() + 10 * 60_000));
    const draft = await ok<{ version: number }>(await t.req({ credential: token }, 'POST', '/v1/policies/aml-test/drafts', {}), 201);
    await ok(await t.req({ credential: token }, 'POST', `/v1/policies/aml-test/versions/${draft.version}/submit`, {}));
    mineIds.push(`aml-test@${draft.version}`);
  });

  const pages = async (who: { credential: string } | 'approver' | 'admin' | 'admin2', query: string, limit: number) => {
    const seen: Item[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 100; n++) {
      const page: Page = await ok<Page>(
        await t.req(who, 'GET', `/v1/approvals?${query}&limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`),
      );
      seen.push(...page.items);
      if (page.nextCursor === null) return seen;
      assert.equal(page.items.length, limit, 'only the last page is short');
      cursor = page.nextCursor;
    }
    assert.fail('the queue never ended');
  };

  it('mine=true: her requests only, by either of her credentials, in the queue’s order, page after page', async () => {
    const all = await pages({ credential: token }, 'kind=override', 5);
    assert.equal(all.length, 16);
    assert.ok(
      all.slice(0, 5).every((i) => !i.requestedByYou),
      'none of hers on the first page of everything',
    );
    for (const who of [{ credential: token }, { credential: ownKey }]) {
      for (const limit of [1, 2, 50]) {
        const mine = await pages(who, 'mine=true', limit);
        assert.deepEqual(
          mine.map((i) => i.id),
          mineIds,
          `limit ${limit}`,
        );
        assert.ok(mine.every((i) => i.requestedByYou));
      }
    }
    // With the other filters.
    assert.deepEqual(
      (await pages({ credential: token }, 'mine=true&kind=policy', 10)).map((i) => i.id),
      mineIds.slice(2),
    );
  });

  it('mine=false: everyone else’s — what waits for the caller; hers are left out of her own list', async () => {
    // PM1 is an officer: nothing in the queue is hers to decide, so what waits for her is empty —
    // the others' requests stay under `mine` absent, where she sees them all.
    assert.deepEqual(await pages({ credential: token }, 'mine=false', 4), []);
    const overrides = (await pages({ credential: token }, 'kind=override', 4)).map((i) => i.id);
    assert.deepEqual(
      overrides.filter((id) => !mineIds.includes(id)),
      othersIds,
    );
    // An approver made none of them: every request waits for them.
    const forApprover = await pages('approver', 'mine=false', 7);
    assert.deepEqual(forApprover.map((i) => i.id).sort(), [...othersIds, ...mineIds].sort());
    assert.deepEqual(await pages('approver', 'mine=true', 7), []);
    // An approver on staff who files a request of her own: it is left out of what waits for her, by
    // either of her credentials, and waits for the other approver.
    await upsertStaff(f.db.db, t.tenantId, { id: 'AP1', name: '审批人', role: 'approver', scope: 'tenant' }, START.toISOString());
    const apToken = (await mintStaffToken(f.db.db, { tenantId: t.tenantId, staffId: 'AP1', ttlSeconds: 900, now: START })).token;
    const apKey = (await createApiKey(f.db.db, { tenantId: t.tenantId, role: 'approver', label: 'AP1', staffId: 'AP1', now: START }))
      .secret;
    await ok(await t.req('officer', 'PUT', '/v1/subjects/MA1', { kind: 'customer', displayName: 'MA1' }), 201);
    const hers = await ok<{ id: string }>(await requestOverride(t, 'MA1', {}, { credential: apToken }), 201);
    for (const who of [{ credential: apToken }, { credential: apKey }]) {
      const waiting = await pages(who, 'mine=false', 4);
      assert.deepEqual(waiting.map((i) => i.id).sort(), [...othersIds, ...mineIds].sort());
      // In the queue's order, page after page.
      assert.deepEqual(
        waiting.filter((i) => i.kind === 'override').map((i) => i.id),
        overrides,
      );
      assert.ok(waiting.every((i) => !i.requestedByYou));
      assert.deepEqual(
        (await pages(who, 'mine=true', 4)).map((i) => i.id),
        [hers.id],
      );
    }
    assert.ok(
      (await pages('approver', 'mine=false', 7)).some((i) => i.id === hers.id),
      'it waits for the other approver',
    );
  });

  it('a value other than true or false is a 400 naming the field, and another bank sees none of hers', async () => {
    for (const value of ['yes', '1', '']) {
      const res = await t.req('approver', 'GET', `/v1/approvals?mine=${value}`);
      assert.equal(res.status, 400, value);
      const p = (await res.json()) as { errors?: { path: string }[] };
      assert.equal(p.errors?.[0]?.path, 'query.mine');
    }
    const b = (await ok<Page>(await client(f, 'b').get('/v1/approvals?mine=false&limit=100'))).items;
    assert.ok(b.every((i) => !mineIds.includes(i.id) && !othersIds.includes(i.id)));
  });

  it('a staff grant is its maker’s: in their mine=true, never their mine=false; the member it promotes sees it in neither', async () => {
    // An admin asks to make PM1 an approver: four eyes bars both the admin and PM1 from deciding it.
    await ok(await t.req('admin', 'PUT', '/v1/staff/PM1', { name: '产品经理', role: 'approver', scope: 'tenant' }), 202);
    const grant = (items: Item[]) => items.filter((i) => i.kind === 'staff');
    const mine = grant(await pages('admin', 'mine=true', 50));
    assert.equal(mine.length, 1, JSON.stringify(mine));
    assert.ok(mine[0]?.requestedByYou);
    assert.deepEqual(grant(await pages('admin', 'mine=false', 50)), []);
    // A pending grant is shown only to those who may decide it and to its maker (docs/permissions.md):
    // PM1, whom it promotes, may not decide it, and an approver may not decide staff grants at all.
    for (const who of [{ credential: ownKey }, 'approver'] as const) {
      assert.deepEqual(grant(await pages(who, 'mine=true', 50)), []);
      assert.deepEqual(grant(await pages(who, 'mine=false', 50)), []);
    }
    // Another tenant-wide admin, neither its maker nor promoted by it: it waits for them.
    assert.equal(grant(await pages('admin2', 'mine=false', 50)).length, 1);
    assert.deepEqual(grant(await pages('admin2', 'mine=true', 50)), []);
  });

  it('a level sign-off her re-tier job filed is hers: mine=true lists it with either credential, mine=false leaves it out', async () => {
    // Another officer loads the figures; her token starts the re-tier that moves MJ1 onto a level needing a sign-off.
    await ok(await t.req('officer', 'PUT', '/v1/subjects/MJ1', { kind: 'customer', displayName: 'MJ1' }), 201);
    const imported = await t.app.request('/v1/imports?kind=metrics&amounts=fen', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${t.keys.officer}` },
      body: 'subject,metric,period,value\nMJ1,aml_customer_risk,2025-10,95\nMJ1,avg_daily_balance,2025-10,0',
    });
    assert.equal(imported.status, 201, await imported.text());
    const job = await ok<{ id: string }>(
      await t.req({ credential: token }, 'POST', '/v1/jobs', { kind: 'retier', period: '2025-10', reason: 'month end' }),
      201,
    );
    await drainJobs({ db: f.db.db, now: () => START });
    const level = (items: Item[]) => items.find((i) => i.kind === 'level' && i.id === 'MJ1:aml-test');
    const all = await pages('approver', 'kind=level&subject=MJ1', 10);
    assert.equal((level(all) as (Item & { requestedBy?: string }) | undefined)?.requestedBy, `job:${job.id}`, JSON.stringify(all));
    for (const who of [{ credential: token }, { credential: ownKey }]) {
      const mine = await pages(who, 'mine=true', 50);
      assert.ok(level(mine)?.requestedByYou, 'her job’s sign-off is among her requests');
      assert.equal(level(await pages(who, 'mine=false', 50)), undefined, 'and not among what waits for her');
    }
    assert.ok(level(await pages('approver', 'mine=false', 50)), 'it waits for an approver');
  });
});
