// A server that imports a CSV holds one write transaction for the whole file. Its other requests must
// go on meanwhile: a read is answered from what is committed, and a write waits for the import and
// then lands — on SQLite, where a single connection used to hold every query of the process back
// until the import ended (a 340,000-row upload: no page answered for 20 s), and on PostgreSQL.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loadTenantPack, runImport } from '@tierkit/api';
import { client, forEachDialect, NOW } from '../support/api-fixture.js';

/** Fails instead of hanging when `work` waits for something that only the test itself would release. */
function within<T>(work: T | Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} waited for the open import`)), 15_000);
  });
  return Promise.race([Promise.resolve(work), late]).finally(() => clearTimeout(timer));
}

forEachDialect('requests while an import holds its transaction', (f) => {
  it('reads are answered from what is committed; a write waits for the import, then lands', async () => {
    const c = client(f);
    for (const id of ['RD1', 'RD2']) {
      await c.customer(id);
      assert.equal((await c.balances(id, [['2025-10', 10_000]])).status, 200);
    }
    const tp = await loadTenantPack(f.db.db, 'bank-a');
    let resume!: () => void;
    const paused = new Promise<void>((r) => {
      resume = r;
    });
    let firstBatch!: () => void;
    const written = new Promise<void>((r) => {
      firstBatch = r;
    });
    // 2,500 rows: the first batch of 2,000 is written inside the transaction, then the file stalls.
    // The same observation repeated with the same value (another value would be a `duplicate` row error).
    async function* source(): AsyncGenerator<Uint8Array> {
      let text = 'subject,period,metric,value\n';
      for (let i = 0; i < 2500; i++) text += 'RD1,2025-09,avg_daily_balance,90002499\n';
      yield Buffer.from(text);
      await paused;
    }
    const importing = runImport(
      f.db.db,
      { kind: 'metrics', encoding: 'utf-8', amounts: 'fen', mode: 'all-or-nothing', mapping: {} },
      { tenantId: 'bank-a', catalogue: tp.metrics, currentPeriod: '2025-11', actor: 'test', now: () => NOW, fileName: 'held.csv' },
      source,
      () => firstBatch(),
    );
    await within(written, 'the first batch');

    const read = await within(c.get('/v1/subjects/RD1/tiers'), 'a tiers read');
    assert.equal(read.status, 200);
    const stored = await within(
      f.db.db.selectFrom('metrics').select('value').where('tenant_id', '=', 'bank-a').where('period', '=', '2025-09').execute(),
      'a plain SELECT',
    );
    assert.deepEqual(stored, [], 'the open import is not seen');

    let landed = false;
    const writing = Promise.resolve(c.balances('RD2', [['2025-10', 20_000]])).then((res) => {
      landed = true;
      return res;
    });
    // SQLite has one writer: the write must be waiting for the import, not failing. (On PostgreSQL
    // rows the import does not hold are written at once.)
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    if (f.db.dialect === 'sqlite') assert.equal(landed, false, 'the write waits for the import');

    resume();
    const record = await importing;
    assert.equal(record.status, 'succeeded');
    assert.equal((await writing).status, 200);
    const after = await f.db.db
      .selectFrom('metrics')
      .innerJoin('subjects', 'subjects.id', 'metrics.subject_id')
      .select(['subjects.external_id as subject', 'metrics.period', 'metrics.value'])
      .where('metrics.tenant_id', '=', 'bank-a')
      .where('subjects.external_id', 'in', ['RD1', 'RD2'])
      .orderBy('subjects.external_id')
      .orderBy('metrics.period')
      .execute();
    assert.deepEqual(
      after.map((r) => `${r.subject}@${r.period}=${r.value}`),
      ['RD1@2025-09=90002499', 'RD1@2025-10=1000000', 'RD2@2025-10=2000000'],
    );
  });

  it('gives the event loop turns while it imports, so other requests are not held for the whole file', async () => {
    const c = client(f);
    await c.customer('RD3');
    const tp = await loadTenantPack(f.db.db, 'bank-a');
    // Every row at once: the parser then never waits on I/O, and on SQLite neither does a query.
    async function* source(): AsyncGenerator<Uint8Array> {
      let text = 'subject,period,metric,value\n';
      for (let i = 0; i < 6000; i++) text += `RD3,2025-08,avg_daily_balance,${i}\n`;
      yield Buffer.from(text);
    }
    let turns = 0;
    const counting = setInterval(() => {
      turns += 1;
    }, 0);
    const atBatch: number[] = [];
    try {
      await runImport(
        f.db.db,
        { kind: 'metrics', encoding: 'utf-8', amounts: 'fen', mode: 'all-or-nothing', mapping: {} },
        { tenantId: 'bank-a', catalogue: tp.metrics, currentPeriod: '2025-11', actor: 'test', now: () => NOW, fileName: 'turns.csv' },
        source,
        () => atBatch.push(turns),
      );
    } finally {
      clearInterval(counting);
    }
    assert.equal(atBatch.length, 3, 'three batches of 2,000 rows');
    assert.ok((atBatch[2] ?? 0) > (atBatch[0] ?? 0), `timers ran between batches (${atBatch.join(', ')})`);
  });
});
