import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createApiKey, createApp } from '@tierkit/api';
import type { HistoryResponse, TiersResponse } from '@tierkit/core';
import type { Db } from '@tierkit/db';
import { seedDemo } from '@tierkit/ops';
import { allDialects } from '../support/databases.js';

const SMALL = { tenantId: 'demo', customers: 60, corporates: 6, products: 4, employees: 6, endPeriod: '2025-10' } as const;

async function dump(db: Db) {
  const subjects = await db.db.selectFrom('subjects').select(['external_id', 'kind', 'display_name']).orderBy('external_id').execute();
  const metrics = await db.db
    .selectFrom('metrics')
    .select(['subject_id', 'metric', 'period', 'value'])
    .orderBy('subject_id')
    .orderBy('metric')
    .orderBy('period')
    .execute();
  const assignments = await db.db
    .selectFrom('assignments')
    .select(['subject_id', 'scheme', 'level', 'periods_below'])
    .orderBy('subject_id')
    .orderBy('scheme')
    .execute();
  const events = await db.db.selectFrom('tier_events').select(['id', 'scheme', 'from_level', 'to_level', 'at']).orderBy('id').execute();
  return { subjects, metrics, assignments, events };
}

for (const harness of allDialects()) {
  describe(`demo seeder [${harness.dialect}]`, () => {
    after(() => harness.stopAll());

    it('gives the same data for the same seed, and seeds only once', async () => {
      const a = await harness.open();
      const b = await harness.open();
      const first = await seedDemo(a.db, SMALL);
      await seedDemo(b.db, SMALL);
      assert.equal(first.skipped, false);
      assert.ok(first.metrics > SMALL.customers * 24, 'at least 24 months of balances per customer');
      assert.deepEqual(await dump(a), await dump(b));
      const again = await seedDemo(a.db, SMALL);
      assert.equal(again.skipped, true);
      assert.equal((await dump(a)).subjects.length, first.subjects);
    });

    it('a grade the batch gave that needs approval (AML 高) waits for a sign-off in the approvals queue', async () => {
      const db = await harness.open();
      await seedDemo(db.db, SMALL);
      // The sign-off's approver: the AML grade is need-to-know, a viewer's queue is without it (docs/domain.md §4).
      const { secret } = await createApiKey(db.db, { tenantId: 'demo', role: 'approver', label: 'seed test' });
      const api = createApp({ db: db.db, now: () => new Date('2025-11-10T00:00:00Z') });
      const get = async <T>(path: string) =>
        (await (await api.request(path, { headers: { Authorization: `Bearer ${secret}` } })).json()) as T;
      const high = await db.db
        .selectFrom('assignments')
        .innerJoin('subjects', 'subjects.id', 'assignments.subject_id')
        .select(['subjects.external_id', 'assignments.approval_required'])
        .where('assignments.scheme', '=', 'aml-risk')
        .where('assignments.level', '=', 'high')
        .orderBy('subjects.external_id')
        .execute();
      assert.ok(high.length > 0, 'the demo has customers graded 高');
      assert.ok(high.every((a) => a.approval_required === 1));
      const queue = await get<{ items: { id: string }[] }>('/v1/approvals?kind=level&scheme=aml-risk&limit=100');
      for (const a of high)
        assert.ok(
          queue.items.some((i) => i.id === `${a.external_id}:aml-risk`),
          `${a.external_id} waits for a sign-off`,
        );
    });

    it('the showcase customers tell the stories the demo pages rely on', async () => {
      const db = await harness.open();
      await seedDemo(db.db, SMALL);
      const { secret } = await createApiKey(db.db, { tenantId: 'demo', role: 'viewer', label: 'seed test' });
      const api = createApp({ db: db.db, now: () => new Date('2025-11-10T00:00:00Z') });
      const app = { request: (path: string) => api.request(path, { headers: { Authorization: `Bearer ${secret}` } }) };
      const tier = async (id: string, scheme = 'retail-tier') => {
        const body = (await (await app.request(`/v1/subjects/${id}/tiers`)).json()) as TiersResponse;
        return body.assignments.find((a) => a.scheme === scheme);
      };
      assert.equal((await tier('C000001'))?.level, 'diamond');
      assert.equal((await tier('C000002'))?.level, 'platinum');
      const c3 = await tier('C000003');
      assert.equal(c3?.level, 'gold');
      assert.equal(c3?.progress?.toLevel, 'platinum');
      assert.equal(c3?.progress?.paths.find((p) => p.metric === 'avg_daily_balance')?.gap, 1_200_000, '¥12,000 short of 白金卡');
      const c4 = await tier('C000004');
      assert.equal(c4?.level, 'standard');
      assert.equal(c4?.progress?.toLevel, 'gold');
      const c5 = (await (await app.request('/v1/subjects/C000005/tiers')).json()) as TiersResponse;
      assert.ok(
        c5.assignments.some((a) => a.schemeInfo.category === 'risk' && a.rank === Math.max(...a.schemeInfo.levels.map((l) => l.rank))),
        'C000005 is at the top of a risk scheme',
      );
      for (const id of ['C000001', 'C000002', 'C000004']) {
        const history = (await (await app.request(`/v1/subjects/${id}/history?scheme=retail-tier`)).json()) as HistoryResponse;
        assert.ok(history.items.length >= 2, `${id} has tier changes in its history`);
      }
      const c4history = (await (await app.request('/v1/subjects/C000004/history?scheme=retail-tier')).json()) as HistoryResponse;
      assert.deepEqual(
        c4history.items.map((e) => e.to),
        ['standard', 'gold', 'standard'],
      );
    });
  });
}
