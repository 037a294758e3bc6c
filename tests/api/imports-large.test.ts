// Issue 12's check "a 100 MB file (memory bounded)": a generated ~100 MB metrics CSV goes through
// `runImport` (what `tierkit import` and `POST /v1/imports` run) read from disk as the CLI reads it,
// and the process's peak RSS grows by far less than the file. Its own file, so that the peak it reads
// is this import's and no other test's. SQLite only: the streaming it checks is the same code on both.
// The rows are cheap to write and to import (10,000 subjects × 10 months, one observation each), and
// most of each row's bytes sit in a column mapped to `ignore`, so the test takes seconds, not minutes.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { loadTenantPack, provisionTenant, runImport } from '@tierkit/api';
import { connect, insertSubjects, migrateToLatest, type Db } from '@tierkit/db';

const TENANT = 'big';
const SUBJECTS = 10_000;
const MONTHS = ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10'];
const PAD = 'x'.repeat(1000);
const MB = 1024 * 1024;
/**
 * Peak RSS growth allowed while importing: less than the file, so holding it (or its text, which takes
 * as many bytes again in the heap) fails. Not tighter: on the 2-core CI machine the same import grew
 * the peak by 41 to 72 MB from run to run, on this code and on the code before it alike — the garbage
 * collector's timing and SQLite's page cache filling as the rows are written.
 */
const MAX_GROWTH = 90 * MB;

const dir = mkdtempSync(join(tmpdir(), 'tierkit-import-large-'));
const csvFile = join(dir, 'metrics.csv');
let db: Db;

async function writeCsv(): Promise<void> {
  const out = createWriteStream(csvFile);
  out.write('subject,period,metric,value,note\n');
  for (const period of MONTHS) {
    let chunk = '';
    for (let i = 0; i < SUBJECTS; i++) {
      chunk += `L${i},${period},avg_daily_balance,${i}.25,${PAD}\n`;
      if (chunk.length > MB) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    out.write(chunk);
  }
  out.end();
  await once(out, 'finish');
}

before(async () => {
  db = connect({ url: join(dir, 'large.db') });
  await migrateToLatest(db.db);
  await provisionTenant(db.db, { id: TENANT, name: 'Big Bank' });
  const now = new Date().toISOString();
  await insertSubjects(
    db.db,
    TENANT,
    Array.from({ length: SUBJECTS }, (_, i) => ({
      id: `l${i}`,
      externalId: `L${i}`,
      kind: 'customer',
      displayName: `客户${i}`,
      attributes: {},
    })),
    now,
  );
  await writeCsv();
});

after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

it('imports a 100 MB file with the peak RSS growing by far less than the file', async (t) => {
  const bytes = statSync(csvFile).size;
  assert.ok(bytes >= 100 * 1000 * 1000, `the file has ${bytes} bytes`);
  const tp = await loadTenantPack(db.db, TENANT);
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const record = await runImport(
    db.db,
    { kind: 'metrics', encoding: 'utf-8', amounts: 'yuan', mode: 'all-or-nothing', mapping: { note: 'ignore' } },
    { tenantId: TENANT, catalogue: tp.metrics, currentPeriod: '2025-11', actor: 'test', now: () => new Date(), fileName: 'metrics.csv' },
    () => createReadStream(csvFile),
  );
  const growth = process.resourceUsage().maxRSS * 1024 - peakBefore;
  t.diagnostic(`peak RSS ${(peakBefore / MB).toFixed(0)} MB before, grew by ${(growth / MB).toFixed(0)} MB`);
  assert.equal(record.status, 'succeeded');
  assert.equal(record.rows, SUBJECTS * MONTHS.length);
  assert.equal(record.written, SUBJECTS * MONTHS.length);
  assert.equal(record.bytes, bytes);
  assert.deepEqual(record.periods, MONTHS);
  const { n } = await db.db
    .selectFrom('metrics')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', TENANT)
    .executeTakeFirstOrThrow();
  assert.equal(Number(n), SUBJECTS * MONTHS.length);
  assert.ok(growth < MAX_GROWTH, `peak RSS grew by ${(growth / MB).toFixed(0)} MB importing ${(bytes / MB).toFixed(0)} MB`);
});
