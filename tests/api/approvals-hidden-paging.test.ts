import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, provisionTenant, type Role } from '@tierkit/api';
import { insertLevelApproval, type Executor } from '@tierkit/db';
import type { PolicyPack } from '@tierkit/core';
import { forEachDialect, NOW } from '../support/api-fixture.js';
import { approvalTestPack } from '../support/test-pack.js';

/*
 * The approvals queue leaves out what the caller may not read (an AML sign-off for a viewer, the
 * scheme's `readers`) after each source's SQL window. A page cut from one window then held fewer than
 * `limit` items while more waited, or none at all with a cursor: a client that stops at an empty page
 * (or shows "nothing waits") missed requests. Paging through must show every item once, each page full
 * but the last, none empty with a cursor — the hidden ones in long runs before, between and after.
 */

const TENANT = 'bank-hp';

function readersPack(): PolicyPack {
  const p = approvalTestPack();
  return {
    ...p,
    schemes: p.schemes.map((s) => (s.key === 'aml-test' ? { ...s, readers: { roles: ['officer', 'approver', 'admin'] } } : s)),
  };
}

/** The queue as stored: `H` an AML sign-off a viewer may not read, `V` an override request anyone may. */
const LAYOUT = 'HHHHHHHHHHHHVHHHHHHHHVVHVHHHHHHHHHHHHHHHHHHHHHVVVHHHHHHHHHHHHHHHH';

forEachDialect('approvals queue: pages stay full when the caller may not read some items', (f) => {
  const keys = {} as Record<Role, string>;
  const visible: string[] = [];
  const all: string[] = [];

  before(async () => {
    const db = f.db.db;
    await provisionTenant(db, { id: TENANT, name: TENANT, pack: readersPack(), now: NOW });
    for (const role of ['viewer', 'admin'] as const)
      keys[role] = (await createApiKey(db, { tenantId: TENANT, role, label: role, now: NOW })).secret;
    const base = NOW.getTime() - 86_400_000;
    for (const [i, kind] of [...LAYOUT].entries()) {
      const external = `HP${String(i).padStart(3, '0')}`;
      const subjectId = `sub_hp_${i}`;
      const at = new Date(base + i * 1000).toISOString();
      await db
        .insertInto('subjects')
        .values({
          id: subjectId,
          tenant_id: TENANT,
          external_id: external,
          kind: 'customer',
          display_name: external,
          attributes: '{}',
          created_at: at,
          updated_at: at,
          closed_at: null,
          closed_reason: null,
          left_at: null,
        })
        .execute();
      if (kind === 'H') {
        await insertLevelApproval(db, TENANT, {
          id: `lvl_hp_${i}`,
          subjectId,
          scheme: 'aml-test',
          level: 'high',
          fromLevel: null,
          period: '2025-10',
          policyVersion: 1,
          requestedBy: 'system',
          requestedAt: at,
          contentHash: 'sha256:x',
        });
        all.push(`${external}:aml-test`);
      } else {
        const id = `ovr_hp_${i}`;
        await db
          .insertInto('overrides')
          .values({
            id,
            tenant_id: TENANT,
            subject_id: subjectId,
            scheme: 'retail-tier',
            level: 'gold',
            mode: 'fixed',
            reason: 'retention',
            expires_at: null,
            requested_by: 'officer',
            approved_by: null,
            created_at: at,
            revoked_at: null,
            status: 'pending',
            content_hash: '',
            updated_at: at,
            decided_by: null,
            decided_at: null,
            decision_note: null,
            revoked_by: null,
            revoke_note: null,
            expiry_settled_at: null,
          })
          .execute();
        visible.push(id);
        all.push(id);
      }
    }
  });

  async function pages(role: Role, limit: number): Promise<{ ids: string[]; sizes: number[] }> {
    const ids: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 100; n++) {
      const url = `/v1/approvals?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await f.app.request(url, { headers: { Authorization: `Bearer ${keys[role]}` } });
      assert.equal(res.status, 200, await res.clone().text());
      const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
      ids.push(...page.items.map((i) => i.id));
      sizes.push(page.items.length);
      cursor = page.nextCursor;
      if (cursor === null) return { ids, sizes };
      assert.equal(page.items.length, limit, `${role}, limit ${limit}: page ${n + 1} holds ${page.items.length} with a cursor to more`);
    }
    throw new Error('more than 100 pages');
  }

  it('a viewer pages through every request they may see, once, in order; each page full but the last', async () => {
    for (const limit of [1, 2, 3, 5]) {
      const { ids, sizes } = await pages('viewer', limit);
      assert.deepEqual(ids, visible, `limit ${limit}`);
      assert.ok(sizes.every((s) => s > 0) || visible.length === 0, `no empty page (limit ${limit}: ${sizes.join(',')})`);
    }
  });

  it('a run of hidden sign-offs longer than any bounded read-on (a re-tier of a large book) still gives a full first page', async () => {
    // A month's re-tier leaves thousands of AML sign-offs pending at once; the queue read on for 20
    // windows of 100 and then answered an empty page with a cursor, which a console shows as "nothing
    // waits". Left out in SQL, the first page holds the first request the viewer may read.
    const db = f.db.db;
    const tenant = 'bank-hp-long';
    await provisionTenant(db, { id: tenant, name: tenant, pack: readersPack(), now: NOW });
    const viewer = (await createApiKey(db, { tenantId: tenant, role: 'viewer', label: 'viewer', now: NOW })).secret;
    const base = NOW.getTime() - 86_400_000;
    const hidden = 2_100;
    const shownIds: string[] = [];
    for (let from = 0; from < hidden + 2; from += 300) {
      const batch = Array.from({ length: Math.min(300, hidden + 2 - from) }, (_, k) => from + k);
      await insertSubjects(db, tenant, batch, base);
      const signOffs = batch.filter((i) => i < hidden);
      if (signOffs.length > 0)
        await db
          .insertInto('level_approvals')
          .values(
            signOffs.map((i) => ({
              id: `lvl_hl_${i}`,
              tenant_id: tenant,
              subject_id: `sub_hl_${i}`,
              scheme: 'aml-test',
              level: 'high',
              from_level: null,
              period: '2025-10',
              policy_version: 1,
              requested_by: 'system',
              requested_at: new Date(base + i * 1000).toISOString(),
              status: 'pending',
              content_hash: 'sha256:x',
              decided_by: null,
              decided_at: null,
              decision_note: null,
              proposed_level: null,
              proposal: null,
            })),
          )
          .execute();
    }
    for (const i of [hidden, hidden + 1]) {
      await insertOverride(db, tenant, `ovr_hl_${i}`, `sub_hl_${i}`, new Date(base + i * 1000).toISOString());
      shownIds.push(`ovr_hl_${i}`);
    }
    const res = await f.app.request('/v1/approvals?limit=1', { headers: { Authorization: `Bearer ${viewer}` } });
    assert.equal(res.status, 200, await res.clone().text());
    const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
    assert.deepEqual(
      page.items.map((i) => i.id),
      [shownIds[0]],
      'the first page holds the first request the viewer may read, not nothing',
    );
    assert.ok(page.nextCursor);
    const next = await f.app.request(`/v1/approvals?limit=1&cursor=${encodeURIComponent(page.nextCursor)}`, {
      headers: { Authorization: `Bearer ${viewer}` },
    });
    const second = (await next.json()) as { items: { id: string }[]; nextCursor: string | null };
    assert.deepEqual([second.items.map((i) => i.id), second.nextCursor], [[shownIds[1]], null]);
  });

  it('a reader of the AML grade sees them all, in the same pages', async () => {
    const { ids } = await pages('admin', 4);
    assert.equal(ids.length, all.length);
    assert.deepEqual(
      ids.filter((id) => id.startsWith('ovr_')),
      visible,
    );
  });
});

/** Open customers `sub_hl_<i>` of `tenant`, created a second apart from `base`. */
async function insertSubjects(db: Executor, tenant: string, indices: readonly number[], base: number): Promise<void> {
  await db
    .insertInto('subjects')
    .values(
      indices.map((i) => {
        const at = new Date(base + i * 1000).toISOString();
        return {
          id: `sub_hl_${i}`,
          tenant_id: tenant,
          external_id: `HL${String(i).padStart(5, '0')}`,
          kind: 'customer',
          display_name: `HL${i}`,
          attributes: '{}',
          created_at: at,
          updated_at: at,
          closed_at: null,
          closed_reason: null,
          left_at: null,
        };
      }),
    )
    .execute();
}

/** A pending override request anyone reading the queue may see. */
async function insertOverride(db: Executor, tenant: string, id: string, subjectId: string, at: string): Promise<void> {
  await db
    .insertInto('overrides')
    .values({
      id,
      tenant_id: tenant,
      subject_id: subjectId,
      scheme: 'retail-tier',
      level: 'gold',
      mode: 'fixed',
      reason: 'retention',
      expires_at: null,
      requested_by: 'officer',
      approved_by: null,
      created_at: at,
      revoked_at: null,
      status: 'pending',
      content_hash: '',
      updated_at: at,
      decided_by: null,
      decided_at: null,
      decision_note: null,
      revoked_by: null,
      revoke_note: null,
      expiry_settled_at: null,
    })
    .execute();
}
