import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { findSubjectByExternalId, recordMetricWrites, upsertMetricRows, type Db } from '@tierkit/db';
import type { AuditRecord } from '@tierkit/core';
import { sql } from 'kysely';
import { postgresHarness } from '../support/databases.js';
import { testPack } from '../support/test-pack.js';

/*
 * An import holds its metrics rows for its whole transaction and records their months in
 * metric_periods just before it commits. A PUT …/metrics of the same customer and month must lock in
 * the same order (metrics rows, then metric_periods): locking metric_periods first, each waited for
 * the other and PostgreSQL aborted one of them (the PUT got a 500, or the import lost the load).
 */
describe('an import and a metrics write of the same customer and month [postgres]', () => {
  const harness = postgresHarness();
  let db: Db;
  before(async () => {
    db = await harness.open();
  });
  after(() => harness.stopAll());

  it('an import and a PUT …/metrics of the same subject and month both commit', async () => {
    const at = new Date('2025-12-01T02:00:00.000Z');
    await provisionTenant(db.db, { id: 'bank-d', name: 'bank-d', pack: testPack(), now: at });
    const key = (await createApiKey(db.db, { tenantId: 'bank-d', role: 'admin', label: 'ops', now: at })).secret;
    const app = createApp({ db: db.db, now: () => at, logError: () => undefined });
    const h = { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` };
    assert.equal(
      (await app.request('/v1/subjects/D1', { method: 'PUT', headers: h, body: JSON.stringify({ kind: 'customer', displayName: 'x' }) }))
        .status,
      201,
    );
    const subject = await findSubjectByExternalId(db.db, 'bank-d', 'D1');
    assert.ok(subject);

    let importDone: unknown = 'pending';
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let wrote!: () => void;
    const rowsWritten = new Promise<void>((r) => (wrote = r));
    // The import: its batches, then (much later) its months recorded just before it commits.
    const imp = db.db
      .transaction()
      .execute(async (trx) => {
        const touched = new Map<string, { period: string; metric: string }>();
        await upsertMetricRows(
          trx,
          [{ tenant_id: 'bank-d', subject_id: subject.id, metric: 'avg_daily_balance', period: '2025-11', value: 5_000_000 }],
          null,
          touched,
        );
        wrote();
        await gate;
        await recordMetricWrites(trx, 'bank-d', touched.values(), at.toISOString());
      })
      .then(
        () => (importDone = 'committed'),
        (e: unknown) => (importDone = `failed: ${String(e)}`),
      );
    await rowsWritten;
    // The API write of the same customer and month, while the import is still running.
    const put = app.request('/v1/subjects/D1/metrics', {
      method: 'PUT',
      headers: h,
      body: JSON.stringify({ metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 7_000_000 }] }),
    });
    // Until the PUT waits for a lock the import holds (it cannot get past the customer's row).
    for (let i = 0; i < 500; i++) {
      const waiting = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db.db);
      if ((waiting.rows[0]?.n ?? 0) > 0) break;
      await new Promise((r) => setImmediate(r));
    }
    release();
    const res = await put;
    await imp;
    const body = await res.text();
    assert.deepEqual([importDone, res.status], ['committed', 200], `import: ${String(importDone)}; PUT: ${res.status} ${body}`);
  });

  it('a PUT …/metrics that finds its value just written by another transaction records no change', async () => {
    const at = new Date('2025-12-01T02:00:00.000Z');
    await provisionTenant(db.db, { id: 'bank-e', name: 'bank-e', pack: testPack(), now: at });
    const key = (await createApiKey(db.db, { tenantId: 'bank-e', role: 'admin', label: 'ops', now: at })).secret;
    const app = createApp({ db: db.db, now: () => at, logError: () => undefined });
    const h = { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` };
    const created = await app.request('/v1/subjects/E1', {
      method: 'PUT',
      headers: h,
      body: JSON.stringify({ kind: 'customer', displayName: 'x' }),
    });
    assert.equal(created.status, 201);
    const subject = await findSubjectByExternalId(db.db, 'bank-e', 'E1');
    assert.ok(subject);
    // The first write of the month's value, not yet committed when the PUT reads what it replaces.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let wrote!: () => void;
    const rowsWritten = new Promise<void>((r) => (wrote = r));
    const first = db.db.transaction().execute(async (trx) => {
      await upsertMetricRows(trx, [
        { tenant_id: 'bank-e', subject_id: subject.id, metric: 'avg_daily_balance', period: '2025-11', value: 500 },
      ]);
      wrote();
      await gate;
    });
    await rowsWritten;
    const put = app.request('/v1/subjects/E1/metrics', {
      method: 'PUT',
      headers: { ...h, 'X-Request-Id': 'same-first' },
      body: JSON.stringify({ metrics: [{ metric: 'avg_daily_balance', period: '2025-11', value: 500 }] }),
    });
    for (let i = 0; i < 500; i++) {
      const waiting = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db.db);
      if ((waiting.rows[0]?.n ?? 0) > 0) break;
      await new Promise((r) => setImmediate(r));
    }
    release();
    await first;
    const res = await put;
    assert.equal(res.status, 200, await res.text());
    const audit = await app.request('/v1/audit?limit=50', { headers: h });
    const result = ((await audit.json()) as { items: AuditRecord[] }).items.find(
      (r) => r.requestId === 'same-first' && r.phase === 'result',
    );
    assert.deepEqual(result?.detail, { changed: [] }, 'the value was the other write’s: this one changed nothing');
  });
});
