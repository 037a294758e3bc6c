import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { AuditRecord } from '@tierkit/core';
import { createApp } from '@tierkit/api';
import { client, clientAt, forEachDialect, LONG_AGO, type ApiFixture } from '../support/api-fixture.js';

/*
 * An examiner's export of one customer's records (`GET /v1/audit/export?target=C…`) is itself recorded,
 * its filters in `detail.export` — the customer's number among them. Kept in the record, the number
 * outlived the customer's erasure: the trail read after it (the list, the CSV) showed it in clear. It is
 * split off with the record's personal fields and erased with the customer (docs/operations.md, "The
 * audit trail's personal fields"); the file handed out before is the bank's, outside the book.
 */

const GONE = 'C770001';
const LEFT = '2019-07-01T02:00:00Z';

/** Where `needle` is in the trail's tables, as `table.column`. */
async function inTrail(f: ApiFixture, needle: string): Promise<string[]> {
  const found = new Set<string>();
  for (const table of ['audit_records', 'audit_personal', 'audit_listed'] as const) {
    const rows = (await f.db.db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
    for (const row of rows)
      for (const [column, value] of Object.entries(row))
        if (typeof value === 'string' && value.includes(needle)) found.add(`${table}.${column}`);
  }
  return [...found].sort();
}

forEachDialect('an audit export of one customer, after the customer is erased', (f) => {
  const exportsOf = async () =>
    ((await (await client(f).get('/v1/audit?route=/v1/audit/export&phase=request&limit=100')).json()) as { items: AuditRecord[] }).items;
  let file = '';

  before(async () => {
    // Recorded long before the closing: a customer the bank has known for less than the period is kept.
    await clientAt(f, LONG_AGO).customer(GONE, '诸葛青');
    const at = createApp({ db: f.db.db, now: () => new Date(LEFT), logError: () => undefined });
    const closed = await client({ ...f, app: at }, () => f.keys.roles.officer).post(`/v1/subjects/${GONE}/close`, { reason: '销户' });
    assert.equal(closed.status, 200, await closed.clone().text());
    // The examiner takes the customer's records before the erasure: the bank's file from now on.
    const res = await client(f).get(`/v1/audit/export?target=${GONE}&format=jsonl`);
    assert.equal(res.status, 200);
    file = await res.text();
    const [record] = await exportsOf();
    assert.equal((record?.detail?.export as { target?: string } | undefined)?.target, GONE, 'read back as asked while kept');
    const run = await client(f).post('/v1/retention/run', {});
    assert.equal(run.status, 200, await run.clone().text());
    assert.equal(((await run.json()) as { erased: number }).erased, 1);
  });

  it('the export’s record keeps the number no longer: it reads as the erased trail does', async () => {
    assert.ok(file.includes(GONE), 'the file handed out before named them (the bank’s, outside the book)');
    assert.deepEqual(await inTrail(f, GONE), [], 'the trail holds the number nowhere');
    const [record] = await exportsOf();
    assert.ok(record?.personal && record.personal.salt === undefined, 'digest kept, salt gone');
    assert.equal((record.detail?.export as { target?: string } | undefined)?.target, undefined);
    assert.ok(record.detail?.export, "the export's other filters are kept");
    const csv = await (await client(f).get('/v1/audit/export?route=/v1/audit/export&phase=request&format=csv&locale=en')).text();
    assert.ok(csv.includes('erased with the customer (digest kept)'), csv);
    assert.ok(!csv.includes(GONE));
    const verified = (await (await client(f).get('/v1/audit/verify')).json()) as { ok: boolean; problems: unknown[] };
    assert.equal(verified.ok, true, JSON.stringify(verified.problems));
  });

  it('an export asked for the erased number finds nothing of them, and the next run deletes the number it named', async () => {
    const res = await client(f).get(`/v1/audit/export?target=${GONE}&format=csv&locale=zh-CN`);
    assert.equal(res.status, 200);
    assert.ok(!(await res.text()).includes(GONE), 'no record of the file names them');
    assert.deepEqual(await inTrail(f, GONE), ['audit_personal.detail', 'audit_personal.subject'], 'only the new export’s side row');
    await client(f).post('/v1/retention/run', {});
    assert.deepEqual(await inTrail(f, GONE), []);
    const verified = (await (await client(f).get('/v1/audit/verify')).json()) as { ok: boolean; problems: unknown[] };
    assert.equal(verified.ok, true, JSON.stringify(verified.problems));
  });
});
