import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createApp, enqueueRetier, JOBS_STALLED_AFTER_SECONDS, provisionTenant } from '@tierkit/api';
import { claimChunk, completeChunk, connect, migrateToLatest, type Db } from '@tierkit/db';
import { loadBook } from '../support/book.js';
import { dialectUrls } from '../support/dialect-urls.js';
import { testPack } from '../support/test-pack.js';

/*
 * A platform operator's monitoring reads `/healthz` (no credential). A re-tier queued with no worker
 * running sat unclaimed while it said only "ok": it now says how long work has waited and whether any
 * worker holds a lease, with `stalled` for an alert — and, to an anonymous caller, nothing of whose.
 */

const DIALECTS = dialectUrls('healthz-jobs');
const QUEUED = new Date('2026-11-02T01:00:00.000Z');
const dbs: Db[] = [];
after(async () => {
  for (const db of dbs) await db.close();
});

interface Health {
  status: string;
  jobs: {
    waitingChunks: number;
    oldestWaitingSeconds: number | null;
    leasedChunks: number;
    lastChunkDoneSeconds: number | null;
    stalled: boolean;
  };
}

for (const [dialect, urlOf] of DIALECTS) {
  describe(`/healthz and the job queue [${dialect}]`, () => {
    it('says an unclaimed job’s age, that no worker holds a lease, and stalled past the threshold; a claim clears it', async () => {
      const db = connect({ url: await urlOf('queue') });
      dbs.push(db);
      await migrateToLatest(db.db);
      await provisionTenant(db.db, { id: 'bank-secret-name', name: 'bank-secret-name', pack: testPack(), now: QUEUED });
      await loadBook(db.db, 'bank-secret-name', 30, ['2026-08', '2026-09', '2026-10'], QUEUED.toISOString());
      let now = QUEUED;
      const app = createApp({ db: db.db, now: () => now });
      const health = async () => {
        const res = await app.request('/healthz');
        assert.equal(res.status, 200);
        const text = await res.text();
        return { body: JSON.parse(text) as Health, text };
      };

      const idle = await health();
      assert.deepEqual(idle.body.jobs, {
        waitingChunks: 0,
        oldestWaitingSeconds: null,
        leasedChunks: 0,
        lastChunkDoneSeconds: null,
        stalled: false,
      });

      const job = await enqueueRetier(db.db, { tenantId: 'bank-secret-name', period: '2026-10', now: QUEUED, chunkSubjects: 10 });
      assert.ok(job);
      now = new Date(QUEUED.getTime() + 60_000);
      const fresh = await health();
      assert.equal(fresh.body.status, 'ok', 'the API itself is fine: a load balancer keeps the instance');
      assert.equal(fresh.body.jobs.waitingChunks, 3);
      assert.equal(fresh.body.jobs.oldestWaitingSeconds, 60);
      assert.equal(fresh.body.jobs.stalled, false, 'a minute is a queue, not a dead worker');

      now = new Date(QUEUED.getTime() + JOBS_STALLED_AFTER_SECONDS * 1000);
      const stuck = await health();
      assert.equal(stuck.body.jobs.leasedChunks, 0);
      assert.equal(stuck.body.jobs.stalled, true, 'work waiting past the threshold with no lease held anywhere');
      for (const secret of ['bank-secret-name', job.id])
        assert.ok(!stuck.text.includes(secret), `an anonymous caller learns counts and ages, not ${secret}`);

      // A worker appears and claims a chunk: the queue is being worked again.
      const claimed = await claimChunk(db.db, 'worker-a', now.toISOString(), new Date(now.getTime() + 60_000).toISOString());
      assert.ok(claimed);
      const working = await health();
      assert.equal(working.body.jobs.leasedChunks, 1);
      assert.equal(working.body.jobs.waitingChunks, 2);
      assert.equal(working.body.jobs.stalled, false);
      assert.ok(!working.text.includes('worker-a'), 'nor which worker');

      // It finishes that chunk and, between two chunks, holds no lease for a moment: a job older than
      // the threshold is still no stalled queue, since a chunk was just done.
      assert.ok(await completeChunk(db.db, claimed.job.id, Number(claimed.chunk.seq), 'worker-a', '{}', now.toISOString()));
      const between = await health();
      assert.equal(between.body.jobs.leasedChunks, 0);
      assert.equal(between.body.jobs.waitingChunks, 2);
      assert.equal(between.body.jobs.lastChunkDoneSeconds, 0);
      assert.equal(between.body.jobs.stalled, false, 'a worker between chunks is alive');
      const next = await claimChunk(db.db, 'worker-a', now.toISOString(), new Date(now.getTime() + 60_000).toISOString());
      assert.ok(next);

      // That worker dies: its lease runs out, and past the threshold the queue is stalled again.
      now = new Date(now.getTime() + 61_000);
      const orphaned = await health();
      assert.equal(orphaned.body.jobs.leasedChunks, 0);
      assert.equal(orphaned.body.jobs.waitingChunks, 2, 'the chunk of the dead worker waits again');
      assert.equal(orphaned.body.jobs.stalled, false, 'its last chunk was done a minute ago: not yet');
      now = new Date(now.getTime() + JOBS_STALLED_AFTER_SECONDS * 1000);
      const dead = await health();
      assert.equal(dead.body.jobs.waitingChunks, 2);
      assert.equal(dead.body.jobs.stalled, true);
    });
  });
}
