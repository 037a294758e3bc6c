import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { enqueueRetier, jobView, provisionTenant, workOnce } from '@tierkit/api';
import { connect, migrateToLatest, type Db } from '@tierkit/db';
import type { KyselyPlugin } from 'kysely';
import { loadBook } from '../support/book.js';
import { testPack } from '../support/test-pack.js';

/*
 * Two connections on one SQLite file, as the server and `tierkit retier` are: a chunk's transaction
 * reads and then writes. Begun deferred, it read a snapshot the other connection's commit made stale,
 * and its first write failed with SQLITE_BUSY_SNAPSHOT (which no busy timeout waits out): the job
 * failed after three tries. Begun immediate, it holds the write lock from the start, so the other
 * writer is the one that waits (here, with no busy timeout, is refused at once).
 */

const dir = mkdtempSync(join(tmpdir(), 'tierkit-writers-'));
const open: Db[] = [];
after(async () => {
  for (const d of open) await d.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a chunk whose reads another connection writes behind succeeds instead of failing with SQLITE_BUSY_SNAPSHOT', async () => {
  const file = join(dir, 'writers.db');
  const worker = connect({ url: file });
  const other = connect({ url: file });
  open.push(worker, other);
  await migrateToLatest(worker.db);
  const now = new Date();
  await provisionTenant(worker.db, { id: 'w', name: 'w', pack: testPack(), now });
  await loadBook(worker.db, 'w', 20, ['2025-09', '2025-10'], now.toISOString());
  const job = await enqueueRetier(worker.db, { tenantId: 'w', period: '2025-10', now });
  assert.ok(job);
  // The other write below waits for the lock (BUSY_WAIT_MS, 5 s) and is then refused: the chunk's
  // transaction holds it and cannot end while this hook awaits the write.

  // After the chunk's first read of subjects, the other connection writes and commits (if it may).
  const kinds = new Map<unknown, string>();
  let otherWrite: 'committed' | 'refused' | undefined;
  const between: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      if (node.kind === 'SelectQueryNode' && JSON.stringify(node.from).includes('"subjects"')) kinds.set(queryId, 'subjects');
      return node;
    },
    async transformResult({ queryId, result }) {
      if (kinds.get(queryId) === 'subjects' && otherWrite === undefined) {
        try {
          await other.db.updateTable('tenants').set({ name: 'written meanwhile' }).where('id', '=', 'w').execute();
          otherWrite = 'committed';
        } catch (err) {
          assert.match(String((err as { code?: string }).code), /^SQLITE_BUSY/);
          otherWrite = 'refused';
        }
      }
      return result;
    },
  };
  const errors: unknown[] = [];
  assert.equal(await workOnce({ db: worker.db.withPlugin(between), logError: (e) => errors.push(e) }), true);
  assert.ok(otherWrite, 'the other connection tried to write inside the chunk');
  assert.deepEqual(errors, [], 'the chunk did not fail');
  assert.equal(otherWrite, 'refused', 'the chunk held the write lock from its start');
  const done = await jobView(worker.db, 'w', job.id);
  assert.equal(done?.status, 'completed');
  assert.equal(done?.progress.subjects.processed, 20);
});
