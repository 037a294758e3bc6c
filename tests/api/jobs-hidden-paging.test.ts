import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApiKey, enqueueRetier, enqueueSimulation, provisionTenant, TenantPacks } from '@tierkit/api';
import { findPolicyVersion } from '@tierkit/db';
import type { PolicyPack } from '@tierkit/core';
import { forEachDialect, NOW } from '../support/api-fixture.js';
import { approvalTestPack } from '../support/test-pack.js';

/*
 * `GET /v1/jobs` leaves out, for an analyst, the simulations of a grade they may not read (the AML
 * scheme's `readers`). Left out after the SQL page, a page held fewer than `limit` jobs while more
 * remained, or none with a cursor. Paging through must show every job the caller may see, once, each
 * page full but the last.
 */

const TENANT = 'bank-jp';

function readersPack(): PolicyPack {
  const p = approvalTestPack();
  return {
    ...p,
    schemes: p.schemes.map((s) => (s.key === 'aml-test' ? { ...s, readers: { roles: ['officer', 'approver', 'admin'] } } : s)),
  };
}

/** Oldest first: `S` a simulation of the AML grade, `R` a re-tier anyone reading jobs sees. */
const LAYOUT = 'SSSRSSSSSSSRRSRSSSSSSSSSSSSSSSSSSSSSSSSSRSSSS';

forEachDialect('jobs list: pages stay full when the caller may not read some simulations', (f) => {
  let analyst = '';
  /** The re-tiers, newest first: the list's order. */
  const visible: string[] = [];

  before(async () => {
    const db = f.db.db;
    await provisionTenant(db, { id: TENANT, name: TENANT, pack: readersPack(), now: NOW });
    analyst = (await createApiKey(db, { tenantId: TENANT, role: 'analyst', label: 'analyst', now: NOW })).secret;
    const base = NOW.getTime() - 86_400_000;
    for (const [i, kind] of [...LAYOUT].entries()) {
      const now = new Date(base + i * 1000);
      if (kind === 'S') {
        // A simulation as `POST …/simulate` queues it: a hand-made row the view cannot render answered a
        // 500 before any paging was tested.
        const aml = await findPolicyVersion(db, TENANT, 'aml-test', 1);
        assert.ok(aml);
        const timeZone = 'Asia/Shanghai';
        await enqueueSimulation(
          { db, tenantId: TENANT, now: () => now, timeZone, packs: new TenantPacks(undefined, undefined, timeZone), requestedBy: 'system' },
          aml,
          0,
          '2025-10',
        );
      } else {
        const job = await enqueueRetier(db, { tenantId: TENANT, period: '2025-10', now });
        assert.ok(job);
        visible.unshift(job.id);
      }
    }
  });

  it('an analyst pages through every re-tier, once, newest first; each page full but the last, none empty', async () => {
    for (const limit of [1, 2, 3]) {
      const ids: string[] = [];
      let cursor: string | null = null;
      for (let n = 0; ; n++) {
        assert.ok(n < 100, 'more than 100 pages');
        const url = `/v1/jobs?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await f.app.request(url, { headers: { Authorization: `Bearer ${analyst}` } });
        assert.equal(res.status, 200, await res.clone().text());
        const page = (await res.json()) as { items: { id: string; kind: string }[]; nextCursor: string | null };
        assert.ok(page.items.length > 0, `limit ${limit}: page ${n + 1} is empty`);
        ids.push(...page.items.map((j) => j.id));
        cursor = page.nextCursor;
        if (cursor === null) break;
        assert.equal(page.items.length, limit, `limit ${limit}: page ${n + 1} holds ${page.items.length} with a cursor to more`);
      }
      assert.deepEqual(ids, visible, `limit ${limit}`);
    }
  });
});
