import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { TenantPacks, drainJobs, enqueueRetier, provisionTenant, type PipelineOptions } from '@tierkit/api';
import { connect, insertOverride, insertPolicies, migrateToLatest, upsertMetricRows, type Db } from '@tierkit/db';
import { ChangeWatch } from '../../packages/api/src/services/jobs/change-watch.js';
import { Preparer } from '../../packages/api/src/services/jobs/preparer.js';
import { loadBook } from '../support/book.js';
import { approvalTestPack } from '../support/test-pack.js';

/*
 * The SQLite pipeline of a re-tier job (a thread prepares chunk N+1 while chunk N is written): it
 * writes exactly what chunks run one at a time write, also when data changes between a chunk's
 * preparation and its write, and when a chunk needs sign-offs; a stop gives back the chunk claimed
 * ahead. Small books: the pipeline is told to start its thread at once and wait for it. With two
 * subjects a chunk the thread prepares the first (PREPARED_SHARE) and the writer re-tiers the second.
 */

const NOW = new Date('2025-11-15T04:00:00.000Z');
const TENANT = 'bank-p';
const SUBJECTS = 24;
const dir = mkdtempSync(join(tmpdir(), 'tierkit-pipeline-'));
const open: Db[] = [];
let files = 0;
after(async () => {
  for (const db of open) await db.close();
  rmSync(dir, { recursive: true, force: true });
});

async function book(): Promise<Db> {
  const db = connect({ url: join(dir, `book-${++files}.db`) });
  open.push(db);
  await migrateToLatest(db.db);
  await provisionTenant(db.db, { id: TENANT, name: TENANT, pack: approvalTestPack(), now: NOW });
  await loadBook(db.db, TENANT, SUBJECTS, ['2025-08', '2025-09', '2025-10'], NOW.toISOString());
  // A high AML score in chunk 8 (two subjects a chunk; the first, which the thread prepares): it opens a sign-off.
  await upsertMetricRows(db.db, [
    { tenant_id: TENANT, subject_id: `${TENANT}-0000016`, metric: 'aml_customer_risk', period: '2025-10', value: 95 },
  ]);
  return db;
}

/** A warehouse load between a chunk's preparation and its write (of the subject the thread prepares): no subject version moves. */
const richer = (db: Db) =>
  upsertMetricRows(db.db, [
    { tenant_id: TENANT, subject_id: `${TENANT}-0000006`, metric: 'avg_daily_balance', period: '2025-10', value: 9_000_000_00 },
  ]);

/** Everything the job wrote but the event ids and the job id in `actor` (both random). */
async function written(db: Db) {
  const assignments = await db.db.selectFrom('assignments').selectAll().orderBy('subject_id').orderBy('scheme').execute();
  const events = (
    await db.db.selectFrom('tier_events').selectAll().orderBy('subject_id').orderBy('scheme').orderBy('period').execute()
  ).map(({ id: _id, actor: _actor, ...event }) => event);
  const approvals = await db.db
    .selectFrom('level_approvals')
    .select(['subject_id', 'scheme', 'level', 'status'])
    .orderBy('subject_id')
    .execute();
  return { assignments, events, approvals };
}

/** Re-tier the book two subjects a chunk; `richer` runs before chunk 3 is written. Returns which chunks stored a prepared result. */
async function run(db: Db, pipeline: PipelineOptions, signal?: AbortSignal): Promise<Map<number, boolean>> {
  await enqueueRetier(db.db, { tenantId: TENANT, period: '2025-10', now: NOW, chunkSubjects: 2 });
  const pipelined = new Map<number, boolean>();
  await drainJobs({
    db: db.db,
    now: () => NOW,
    logError: (err) => assert.fail(String(err)),
    ...(signal ? { signal } : {}),
    onChunk: (c) => pipelined.set(c.seq, c.pipelined ?? false),
    pipeline: {
      ...pipeline,
      beforeApply: async (c) => {
        if (c.seq === 3) await richer(db);
        await pipeline.beforeApply?.(c);
      },
    },
  });
  return pipelined;
}

// One chunk claimed ahead (the default) and three: every chunk claimed before a write by someone else
// was marked before it, so each of them must notice it.
for (const depth of [1, 3])
  it(`writes what chunks run one at a time write, with data changed under a prepared chunk and a chunk needing sign-offs (${depth} ahead)`, async () => {
    const one = await book();
    const piped = await book();
    // The thread never starts: every chunk runs whole inside its transaction, as on PostgreSQL.
    const serial = await run(one, { minChunks: Number.POSITIVE_INFINITY });
    assert.equal([...serial.values()].filter(Boolean).length, 0);
    const pipelined = await run(piped, { minChunks: 1, awaitThread: true, depth });
    assert.equal(pipelined.size, SUBJECTS / 2);
    assert.equal(pipelined.get(3), false, 'the chunk whose data changed after its preparation is run again in its transaction');
    assert.equal(pipelined.get(8), false, 'the chunk that opens a sign-off runs in its transaction');
    assert.ok([...pipelined.values()].filter(Boolean).length >= 5, `most chunks stored what the thread prepared: ${[...pipelined]}`);
    const expected = await written(one);
    assert.ok(expected.approvals.length > 0, 'a sign-off was opened');
    assert.ok(
      expected.assignments.some((a) => a.subject_id === `${TENANT}-0000006` && a.level === 'diamond'),
      'the change between preparation and write decides a level',
    );
    assert.deepEqual(await written(piped), expected);
    // The thread hands its rows' JSON over as UTF-8 bytes: stored as text all the same, never as blobs.
    const types = await sql<{ t: string }>`SELECT DISTINCT typeof(explanation) AS t FROM assignments
    UNION SELECT DISTINCT typeof(progress) FROM assignments UNION SELECT DISTINCT typeof(retention) FROM assignments`.execute(piped.db);
    assert.deepEqual(types.rows.map((r) => r.t).sort(), ['null', 'text']);
  });

it('a stop gives back the chunk claimed ahead, and another drain finishes the job', async () => {
  const db = await book();
  const stop = new AbortController();
  const first = await run(db, { minChunks: 1, awaitThread: true, beforeApply: (c) => void (c.seq === 2 && stop.abort()) }, stop.signal);
  assert.deepEqual([...first.keys()], [0, 1, 2], 'the chunk in progress when the stop came was finished');
  const ahead = await db.db
    .selectFrom('job_chunks')
    .select(['status', 'lease_owner', 'attempts'])
    .where('seq', '=', 3)
    .executeTakeFirstOrThrow();
  assert.deepEqual(ahead, { status: 'pending', lease_owner: null, attempts: 0 }, 'given back unused, it has not used an attempt');
  await drainJobs({ db: db.db, now: () => NOW, logError: (err) => assert.fail(String(err)), pipeline: false });
  const jobs = await db.db.selectFrom('jobs').select('status').execute();
  assert.deepEqual(jobs, [{ status: 'completed' }]);
});

it('a change watch sees writes of this connection not made through it, and commits of other connections', async () => {
  const db = await book();
  const watch = new ChangeWatch(db.db);
  const write = (trx = db.db) =>
    upsertMetricRows(trx, [
      {
        tenant_id: TENANT,
        subject_id: `${TENANT}-0000001`,
        metric: 'avg_daily_balance',
        period: '2025-07',
        value: Math.floor(Math.random() * 1e9),
      },
    ]);
  const check = (mark: Awaited<ReturnType<ChangeWatch['mark']>>) => watch.write(async (_trx, unchanged) => unchanged, mark);
  let mark = await watch.mark();
  await watch.write((trx) => write(trx));
  assert.equal(await check(mark), true, 'its own writes');
  mark = await watch.mark();
  await write();
  assert.equal(await check(mark), false, 'a write on the same connection');
  mark = await watch.mark();
  const other = new SQLite(join(dir, `book-${files}.db`));
  other.prepare("UPDATE metrics SET value = value + 1 WHERE period = '2025-07'").run();
  other.close();
  assert.equal(await check(mark), false, 'a commit of another connection');
});

/** Drain the queue, recording which chunks stored a prepared result (job and seq). */
async function drainAll(db: Db, pipeline: PipelineOptions, extra: Partial<Parameters<typeof drainJobs>[0]> = {}) {
  const pipelined = new Map<string, boolean>();
  await drainJobs({
    db: db.db,
    now: () => NOW,
    logError: (err) => assert.fail(String(err)),
    onChunk: (c) => pipelined.set(`${c.jobId}:${c.seq}`, c.pipelined ?? false),
    pipeline,
    ...extra,
  });
  return pipelined;
}

// Two ahead: B's chunk is claimed while A's middle chunk is written, with A's last one (which covers
// B's subjects) claimed ahead of it: not the chunk being written, but written before B's all the same.
for (const depth of [1, 2])
  it(`a chunk of another job whose subjects a chunk written before it covers is not prepared beside it (${depth} ahead)`, async () => {
    // Job A re-tiers subjects 0–5 at 2025-10 (chunks 0-1, 2-3, 4-5); job B, queued behind it, 4–5 at
    // 2025-09. One at a time, B skips both (already evaluated at a later month). B's chunk is claimed
    // while A's last is written: prepared then, it would read subjects 4–5 before A's write and take
    // A's write for one that cannot touch it.
    const queue = async (db: Db) => {
      const job = async (period: string, from: number, to: number) => {
        const subjects = Array.from({ length: to - from + 1 }, (_, i) => `B${String(from + i).padStart(7, '0')}`);
        const queued = await enqueueRetier(db.db, { tenantId: TENANT, period, now: NOW, chunkSubjects: 2, filter: { subjects } });
        assert.ok(queued);
        return queued.id;
      };
      return { a: await job('2025-10', 0, 5), b: await job('2025-09', 4, 5) };
    };
    const one = await book();
    await queue(one);
    await drainAll(one, { minChunks: Number.POSITIVE_INFINITY });
    const piped = await book();
    const { a } = await queue(piped);
    await drainAll(piped, {
      minChunks: 1,
      awaitThread: true,
      depth,
      // The thread has read B's chunk before A's last chunk is written.
      beforeApply: async (c) => void (c.jobId === a && c.seq === 2 && (await c.ahead)),
    });
    const expected = await written(one);
    assert.ok(!expected.events.some((e) => e.period === '2025-09'), 'one at a time, job B changes nothing');
    assert.deepEqual(await written(piped), expected);
  });

it('a pipelined chunk is evaluated at one instant: an override expiring between its claim and its write counts for all of it or none', async () => {
  const db = await book();
  // Both subjects of chunk 5 (10 and 11) have a diamond override that expires after the claim and before the write.
  const expires = new Date(NOW.getTime() + 500);
  for (const n of [10, 11])
    await insertOverride(
      db.db,
      TENANT,
      `${TENANT}-00000${n}`,
      {
        id: `ov-${n}`,
        scheme: 'retail-tier',
        level: 'diamond',
        mode: 'fixed',
        reason: 'retention',
        expiresAt: expires.toISOString(),
        requestedBy: 'rm-1',
        approvedBy: 'head-1',
      },
      NOW.toISOString(),
    );
  await enqueueRetier(db.db, { tenantId: TENANT, period: '2025-10', now: NOW, chunkSubjects: 2 });
  let now = NOW;
  const pipelined = await drainAll(
    db,
    { minChunks: 1, awaitThread: true, beforeApply: (c) => void (c.seq === 5 && (now = new Date(expires.getTime() + 500))) },
    { now: () => now },
  );
  assert.ok(
    [...pipelined].some(([k, v]) => k.endsWith(':5') && v),
    'chunk 5 stored what the thread prepared',
  );
  const levels = await db.db
    .selectFrom('assignments')
    .select(['subject_id', 'level'])
    .where('scheme', '=', 'retail-tier')
    .where('subject_id', 'in', [`${TENANT}-0000010`, `${TENANT}-0000011`])
    .orderBy('subject_id')
    .execute();
  assert.equal(levels.length, 2);
  assert.deepEqual(
    levels.map((l) => l.level),
    ['diamond', 'diamond'],
    'both subjects evaluated at the claim, when the overrides were in force',
  );
  const at = await db.db
    .selectFrom('tier_events')
    .select('at')
    .distinct()
    .where('subject_id', 'in', [`${TENANT}-0000010`, `${TENANT}-0000011`])
    .execute();
  assert.equal(at.length, 1, `one instant for the chunk's events: ${JSON.stringify(at)}`);
});

it('a chunk prepared under other policy versions than the writer holds runs in its transaction', async () => {
  // The writer's packs were read before a new retail-tier version was activated (another process,
  // within PACK_CHECK_MS): the thread reads the new one. One at a time, every chunk uses the writer's.
  const activate = async (db: Db) => {
    const old = await db.db
      .selectFrom('policies')
      .select(['document', 'position', 'effective_from'])
      .where('scheme', '=', 'retail-tier')
      .executeTakeFirstOrThrow();
    // Every threshold at 0: every customer diamond under the new version.
    const document = JSON.parse(old.document.replace(/"op":"gte","value":\d+/g, '"op":"gte","value":0'));
    document.policy.version = 2;
    await insertPolicies(db.db, TENANT, [
      {
        id: 'retail-tier-v2',
        scheme: 'retail-tier',
        version: 2,
        position: Number(old.position),
        status: 'active',
        document,
        effectiveFrom: old.effective_from,
        now: NOW.toISOString(),
      },
    ]);
  };
  const stale = async (db: Db) => {
    const packs = new TenantPacks(Number.POSITIVE_INFINITY);
    await packs.get(db.db, TENANT);
    await activate(db);
    await enqueueRetier(db.db, { tenantId: TENANT, period: '2025-10', now: NOW, chunkSubjects: 2 });
    return packs;
  };
  const one = await book();
  await drainAll(one, { minChunks: Number.POSITIVE_INFINITY }, { packs: await stale(one) });
  const piped = await book();
  const pipelined = await drainAll(piped, { minChunks: 1, awaitThread: true }, { packs: await stale(piped) });
  assert.equal(pipelined.size, SUBJECTS / 2);
  assert.equal([...pipelined.values()].filter(Boolean).length, 0, 'no chunk stored what the thread prepared');
  const expected = await written(one);
  assert.ok(
    expected.assignments.some((a) => a.scheme === 'retail-tier' && a.level !== 'diamond'),
    'one at a time, the old version decides',
  );
  assert.deepEqual(await written(piped), expected);
});

it('without a prepare thread no chunk is claimed ahead', async () => {
  const db = await book();
  await enqueueRetier(db.db, { tenantId: TENANT, period: '2025-10', now: NOW, chunkSubjects: 2 });
  const leased: number[] = [];
  await drainAll(db, {
    // The default: a job of 12 chunks starts no thread.
    beforeApply: async () => {
      const { n } = await db.db
        .selectFrom('job_chunks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('lease_owner', 'is not', null)
        .executeTakeFirstOrThrow();
      leased.push(Number(n));
    },
  });
  assert.equal(leased.length, SUBJECTS / 2);
  assert.deepEqual(new Set(leased), new Set([1]), 'one chunk leased at a time');
  const attempts = await db.db.selectFrom('job_chunks').select('attempts').distinct().execute();
  assert.deepEqual(attempts, [{ attempts: 1 }]);
});

it('the thread ends when giving back the chunk claimed ahead fails', { skip: process.platform !== 'linux' }, async () => {
  const db = await book();
  const file = join(dir, `book-${files}.db`);
  await enqueueRetier(db.db, { tenantId: TENANT, period: '2025-10', now: NOW, chunkSubjects: 2 });
  const stop = new AbortController();
  await assert.rejects(
    drainJobs({
      db: db.db,
      now: () => NOW,
      logError: (err) => assert.fail(String(err)),
      signal: stop.signal,
      pipeline: {
        minChunks: 1,
        awaitThread: true,
        beforeApply: async (c) => {
          if (c.seq !== 2) return;
          stop.abort();
          // Giving a chunk back fails from now on (finishing one does not).
          await sql`CREATE TRIGGER no_release BEFORE UPDATE ON job_chunks WHEN NEW.lease_owner IS NULL AND NEW.status = 'pending'
            BEGIN SELECT RAISE(ABORT, 'release refused'); END`.execute(db.db);
        },
      },
    }),
    /release refused/,
  );
  await db.close();
  open.splice(open.indexOf(db), 1);
  // The thread's connection would hold the file open (threads share the process's descriptors).
  const held = readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(file);
    } catch {
      return false;
    }
  });
  assert.deepEqual(held, [], 'no connection to the database is left open');
});

it('a prepare thread that fails is reported once, also through a logger that throws, and prepares nothing', async () => {
  // Its connection cannot be opened: the directory the file would be in is a file.
  const notADirectory = join(dir, 'not-a-directory');
  writeFileSync(notADirectory, '');
  let told = 0;
  const preparer = Preparer.start(join(notADirectory, 'book.db'), () => {
    told++;
    throw new Error('the logger fails too');
  });
  assert.equal(await preparer.whenReady(), false);
  const reply = await preparer.prepare({
    tenantId: TENANT,
    timeZone: 'Asia/Shanghai',
    params: { schemes: null, period: '2025-10', filter: {}, reason: null },
    range: { first: '', last: '' },
    now: NOW.toISOString(),
    actor: 'test',
    share: 1,
  });
  assert.match(reply.error ?? '', /prepare thread failed/);
  await preparer.stop();
  assert.equal(told, 1);
});
