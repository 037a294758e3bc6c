// An import that never finishes, for tests of interrupted imports: runs `runImport` on the database
// in argv[2] for tenant argv[3] with a source that yields a header and 2,500 metrics rows of subject
// argv[4], prints `stalled` once the first batch is written inside the import's transaction, and
// waits forever for the rest of the file, to be killed.
import { loadTenantPack, runImport } from '@tierkit/api';
import { connect } from '@tierkit/db';

const [url, tenantId, subject] = process.argv.slice(2);
if (!url || !tenantId || !subject) throw new Error('usage: import-stalled.ts DATABASE_URL TENANT SUBJECT');
const db = connect({ url, poolSize: 2 });
const tp = await loadTenantPack(db.db, tenantId);
async function* source(): AsyncGenerator<Uint8Array> {
  let text = 'subject,period,metric,value\n';
  // The same observation again and again: one row to roll back, 2,500 rows read.
  for (let i = 0; i < 2500; i++) text += `${subject},2025-10,avg_daily_balance,${100 + i}\n`;
  yield Buffer.from(text);
  await new Promise(() => undefined);
}
await runImport(
  db.db,
  { kind: 'metrics', encoding: 'utf-8', amounts: 'fen', mode: 'all-or-nothing', mapping: {} },
  { tenantId, catalogue: tp.metrics, currentPeriod: '2025-11', actor: 'test', now: () => new Date(), fileName: 'stalled.csv' },
  source,
  () => process.stdout.write('stalled\n'),
);
