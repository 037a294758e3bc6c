// What a retention run (`tierkit retention run`, services/retention.ts) costs as closed customers grow,
// on SQLite (a temporary file): N customers closed in 2010, the first HELD of them (by id) under a legal
// hold, the rest erased in chunks of 500. Measured on the shared 2-core review machine (s33), ms a run:
//   80,000 / 40,000 held:  16,062 as built; 5,661 after
//   160,000 / 80,000 held: 43,233 with the id-ordered index alone (tenant still the way in); 5,331 after
//   320,000 / 160,000 held: 4,687 after
// As built each chunk sorted every closed customer left, and SQLite took the tenant's index for
// `tenant_id = ? AND id IN (…)`, reading every subject and closing of the tenant per chunk: a run grew
// with the square of the book. Asserts nothing.
// Run: node --import tsx bench/batch/retention.bench.ts [N] [HELD]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provisionTenant, runRetention, cliAction } from '@tierkit/api';
import { DEFAULT_TIME_ZONE } from '@tierkit/core';
import { connect, insertSubjects, migrateToLatest } from '@tierkit/db';
import { sql } from 'kysely';

const n = Number(process.argv[2] ?? 100_000);
const held = Number(process.argv[3] ?? n / 2);
const db = connect({ url: join(mkdtempSync(join(tmpdir(), 'tk-retention-')), 'bench.db') });
await migrateToLatest(db.db);
await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
const subjects = Array.from({ length: n }, (_, i) => ({
  id: `s-${String(i).padStart(8, '0')}`,
  externalId: `C${i}`,
  kind: 'customer',
  displayName: '赵六',
  attributes: {},
  closed: { at: '2010-03-01T00:00:00.000Z', reason: '销户' },
}));
await insertSubjects(db.db, 'bank', subjects, new Date().toISOString());
await sql`update subjects set legal_hold = 'x' where id < ${`s-${String(held).padStart(8, '0')}`}`.execute(db.db);
const t = performance.now();
const run = await runRetention(db.db, 'bank', { now: new Date(), timeZone: DEFAULT_TIME_ZONE, dryRun: false, action: cliAction('bench') });
console.log(JSON.stringify({ n, held, erased: run.erased, chunks: run.chunks, ms: Math.round(performance.now() - t) }));
await db.close();
