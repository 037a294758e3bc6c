import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  appendOperatorAudit,
  failInterruptedImports,
  IMPORT_MAX_RUNNING_MS,
  loadTenantPack,
  provisionTenant,
  runImport,
  startupAction,
  verifyAuditChain,
} from '@tierkit/api';
import { connect, createImport, findImport, insertSubjects, lockRunningImport, migrateToLatest, type Db } from '@tierkit/db';
import { startBackground } from '@tierkit/server';
import { occupyNextAuditPlace } from '../support/audit-squatter.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { testPack } from '../support/test-pack.js';

/*
 * An import whose process is killed (kill -9 in the middle of its transaction) must not stay
 * `running` forever: the next import of its tenant, or a server's start (apps/server's
 * `startBackground`), marks it failed, and nothing of it is in the database. On SQLite and
 * PostgreSQL, with a real process killed.
 */

const TENANT = 'intr';
/** As a server's start marks them (apps/server's background). */
const startup = { action: () => startupAction('interrupted import') };
const dir = mkdtempSync(join(tmpdir(), 'tierkit-import-intr-'));
let server: TestPostgres | undefined;
const open: Db[] = [];
after(async () => {
  for (const db of open) await db.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const databases: { name: string; url: () => Promise<string> }[] = [
  { name: 'sqlite', url: async () => join(dir, 'intr.db') },
  {
    name: 'postgres',
    url: async () => {
      server ??= await startPostgres();
      return server.createDatabase(`tierkit_import_intr_${process.pid}`);
    },
  },
];

async function metricCount(db: Db): Promise<number> {
  const { n } = await db.db
    .selectFrom('metrics')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', TENANT)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** Start an import in a child process, wait until it has written a batch inside its transaction, kill -9 it. */
async function killedImport(url: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/import-stalled.ts', url, TENANT, 'IN1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('stalled')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the importing process exited (${code}) before it stalled`)));
  });
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
}

for (const database of databases) {
  describe(`interrupted imports [${database.name}]`, () => {
    let db: Db;
    let url: string;

    it('an import whose process was killed is marked failed by the next import, and nothing of it was written', {
      timeout: 120_000,
    }, async () => {
      url = await database.url();
      db = connect({ url, poolSize: 2 });
      open.push(db);
      await migrateToLatest(db.db);
      const now = new Date();
      await provisionTenant(db.db, { id: TENANT, name: TENANT, pack: testPack(), now });
      await insertSubjects(
        db.db,
        TENANT,
        [{ id: 'in1', externalId: 'IN1', kind: 'customer', displayName: '客户', attributes: {} }],
        now.toISOString(),
      );

      await killedImport(url);
      const [stale] = await db.db.selectFrom('imports').select(['id', 'status']).where('tenant_id', '=', TENANT).execute();
      assert.ok(stale);
      assert.equal(stale.status, 'running', 'the killed process left its import running');
      assert.equal(await metricCount(db), 0, 'the batch it wrote was rolled back with its transaction');

      // The next import of the tenant notices first.
      const tp = await loadTenantPack(db.db, TENANT);
      const next = await runImport(
        db.db,
        { kind: 'metrics', encoding: 'utf-8', amounts: 'fen', mode: 'all-or-nothing', mapping: {} },
        { tenantId: TENANT, catalogue: tp.metrics, currentPeriod: '2025-11', actor: 'test', now: () => new Date(), fileName: 'next.csv' },
        async function* () {
          yield Buffer.from('subject,period,metric,value\nIN1,2025-10,avg_daily_balance,500\n');
        },
      );
      assert.equal(next.status, 'succeeded');
      const failed = await findImport(db.db, TENANT, stale.id);
      assert.equal(failed?.status, 'failed');
      assert.match(
        failed?.detail ?? '',
        /^interrupted: the process importing it \(.+\) stopped before it finished; nothing of it was imported/,
      );
      assert.ok(failed?.finishedAt);
      assert.equal(failed?.written, 0);
      assert.equal(await metricCount(db), 1, 'only the next import wrote');
      // The tenant's audit trail says so, as a server's start would: the import, its file and why, by the import that found it.
      const records = await db.db
        .selectFrom('audit_records')
        .selectAll()
        .where('chain', '=', TENANT)
        .where('route', '=', 'interrupted import')
        .execute();
      assert.equal(records.length, 1);
      const [r] = records;
      assert.deepEqual(
        { actor: r?.actor, method: r?.method, status: r?.status, phase: r?.phase, target: JSON.parse(r?.target ?? '{}') },
        // No request found it: the server acting by itself, with a method the trail's filter accepts.
        { actor: 'system:import', method: 'SCHEDULE', status: 200, phase: 'result', target: { import: stale.id } },
      );
      const { why, ...named } = JSON.parse(r?.detail ?? '{}');
      assert.deepEqual(named, { import: stale.id, fileName: 'stalled.csv' });
      assert.match(why, /^the process importing it \(.+\) stopped$/);
      assert.equal((await verifyAuditChain(db.db, TENANT)).ok, true);
      assert.deepEqual(await failInterruptedImports(db.db, new Date(), undefined, startup), [], 'nothing is left to mark');
    });

    it('an import that finds one interrupted and cannot record its marking still imports; the marking waits for the next', async () => {
      const now = new Date();
      await createImport(db.db, {
        id: 'dead-unrecorded',
        tenantId: TENANT,
        kind: 'metrics',
        options: {},
        fileName: 'dead.csv',
        createdBy: 'test',
        createdAt: new Date(now.getTime() - IMPORT_MAX_RUNNING_MS - 60_000).toISOString(),
        owner: 'another-host 1234',
      });
      await occupyNextAuditPlace(db.db, TENANT, now);
      const tp = await loadTenantPack(db.db, TENANT);
      const lines: string[] = [];
      const command = { tenantId: TENANT, requestId: 'rq-next', actor: 'ops', credential: 'cli', method: 'CLI', route: 'tierkit import' };
      // The observation the first test imported again: the tenant's metrics stay as the tests after this expect.
      const importing = () =>
        runImport(
          db.db,
          { kind: 'metrics', encoding: 'utf-8', amounts: 'fen', mode: 'all-or-nothing', mapping: {} },
          {
            tenantId: TENANT,
            catalogue: tp.metrics,
            currentPeriod: '2025-11',
            actor: 'test',
            now: () => new Date(),
            fileName: 'next.csv',
            audit: command,
            log: (line) => lines.push(String(line)),
          },
          async function* () {
            yield Buffer.from(`subject,period,metric,value\nIN1,2025-10,avg_daily_balance,500\n`);
          },
        );
      const next = await importing();
      assert.equal(next.status, 'succeeded', 'the import being started is not lost');
      assert.equal((await findImport(db.db, TENANT, 'dead-unrecorded'))?.status, 'running', 'not marked without its record');
      assert.equal(
        lines.filter((l) => l.startsWith(`imports: could not mark interrupted import dead-unrecorded of tenant ${TENANT} failed`)).length,
        1,
      );
      await db.db.deleteFrom('audit_records').where('chain', '=', TENANT).where('request_id', '=', 'squatter').execute();
      // As `tierkit import` and the API do: the command's intent first, its result once the import returns.
      await appendOperatorAudit(db.db, TENANT, command, { phase: 'intent', status: 0 });
      assert.equal((await importing()).status, 'succeeded');
      assert.equal((await findImport(db.db, TENANT, 'dead-unrecorded'))?.status, 'failed');
      // The marking is the command's side effect, between its intent and its result: no status of its
      // own, so the trail never says the command answered before its import began, and a command that
      // died here too still reads as an intent without a result (outcome unknown).
      const trail = await db.db
        .selectFrom('audit_records')
        .selectAll()
        .where('chain', '=', TENANT)
        .where('request_id', '=', 'rq-next')
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        trail.map((r) => [r.phase, r.route, r.status]),
        [
          ['intent', 'tierkit import', null],
          ['change', 'interrupted import', null],
        ],
      );
      const r = trail[1];
      assert.deepEqual(
        { actor: r?.actor, credential: r?.credential, method: r?.method, target: JSON.parse(r?.target ?? '{}') },
        { actor: 'ops', credential: 'cli', method: 'CLI', target: { import: 'dead-unrecorded' } },
      );
      assert.equal((await verifyAuditChain(db.db, TENANT)).ok, true);
    });

    it('a server’s start marks an import its killed predecessor left running', { timeout: 120_000 }, async () => {
      await killedImport(url);
      const running = await db.db.selectFrom('imports').select('id').where('status', '=', 'running').execute();
      assert.equal(running.length, 1);
      const lines: string[] = [];
      const logged = new Promise<void>((resolve) => {
        const background = startBackground(db, { worker: false, schedule: false, timeZone: 'Asia/Shanghai' }, (line) => {
          lines.push(line);
          if (line.startsWith('imports:')) void background.stop().then(resolve);
        });
      });
      await logged;
      assert.ok(lines.includes(`imports: 1 interrupted import(s) marked failed: ${running[0]?.id}`), lines.join('\n'));
      assert.equal((await findImport(db.db, TENANT, running[0]?.id ?? ''))?.status, 'failed');
      assert.equal(await metricCount(db), 1, 'still only what the finished import wrote');
      // The tenant's audit trail says who marked it and why: the starting server, on its own judgement.
      const records = await db.db
        .selectFrom('audit_records')
        .selectAll()
        .where('chain', '=', TENANT)
        .where('method', '=', 'START')
        .execute();
      assert.equal(records.length, 1);
      const [r] = records;
      assert.match(r?.actor ?? '', /^server:.+@.+$/);
      assert.deepEqual(
        { credential: r?.credential, route: r?.route, status: r?.status, target: JSON.parse(r?.target ?? '{}') },
        { credential: 'config', route: 'interrupted import', status: 200, target: { import: running[0]?.id } },
      );
      const { why, ...named } = JSON.parse(r?.detail ?? '{}');
      assert.deepEqual(named, { import: running[0]?.id, fileName: 'stalled.csv' });
      assert.match(why, new RegExp(`^the process importing it \\(${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\d+\\) stopped$`));
      assert.equal((await verifyAuditChain(db.db, TENANT)).ok, true);
    });

    it('a live import is left alone; one from another machine when its PostgreSQL lock is free, or after its time is up', async () => {
      const now = new Date();
      const running = async (id: string, owner: string, ageMs: number) =>
        createImport(db.db, {
          id,
          tenantId: TENANT,
          kind: 'metrics',
          options: {},
          fileName: null,
          createdBy: 'test',
          createdAt: new Date(now.getTime() - ageMs).toISOString(),
          owner,
        });
      const MINUTES = 60_000;
      await running('live', `${hostname()} ${process.pid}`, 0);
      await running('elsewhere-new', 'another-host 1234', 10_000);
      await running('elsewhere-quiet', 'another-host 1234', 5 * MINUTES);
      await running('elsewhere-locked', 'another-host 1234', 5 * MINUTES);
      await running('elsewhere-old', 'another-host 1234', IMPORT_MAX_RUNNING_MS + MINUTES);
      const pg = database.name === 'postgres';
      // On PostgreSQL a live import holds its lock in its transaction: here, another connection's.
      let release = () => undefined as void;
      let holder: Promise<void> = Promise.resolve();
      if (pg) {
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let locked = () => undefined as void;
        const isLocked = new Promise<void>((resolve) => {
          locked = resolve;
        });
        holder = db.db.transaction().execute(async (trx) => {
          await lockRunningImport(trx, 'elsewhere-locked');
          locked();
          await held;
        });
        await isLocked;
      }
      const failed = await failInterruptedImports(db.db, now, undefined, startup);
      release();
      await holder;
      assert.deepEqual(failed, pg ? ['elsewhere-old', 'elsewhere-quiet'] : ['elsewhere-old']);
      const status = async (id: string) => (await findImport(db.db, TENANT, id))?.status;
      assert.equal(await status('live'), 'running');
      assert.equal(await status('elsewhere-new'), 'running', 'its transaction may not have begun yet');
      assert.equal(await status('elsewhere-locked'), 'running');
      assert.equal(await status('elsewhere-quiet'), pg ? 'failed' : 'running');
      assert.match(
        (await findImport(db.db, TENANT, 'elsewhere-old'))?.detail ?? '',
        pg ? /no longer holds its lock/ : /has run for more than 6 hours/,
      );
    });

    it('an import whose marking cannot be recorded is logged and left running; the others are marked all the same', async () => {
      const now = new Date();
      for (const id of ['dead-1', 'dead-2'])
        await createImport(db.db, {
          id,
          tenantId: TENANT,
          kind: 'metrics',
          options: {},
          fileName: `${id}.csv`,
          createdBy: 'test',
          createdAt: new Date(now.getTime() - IMPORT_MAX_RUNNING_MS - 60_000).toISOString(),
          owner: 'another-host 1234',
        });
      // The tenant's audit trail takes no record: each marking's transaction fails and rolls back.
      await occupyNextAuditPlace(db.db, TENANT, now);
      const lines: string[] = [];
      const audit = { action: () => startupAction('interrupted import'), log: (line: string) => lines.push(line) };
      const marked = await failInterruptedImports(db.db, now, TENANT, audit);
      for (const id of ['dead-1', 'dead-2']) {
        assert.ok(!marked.includes(id));
        assert.equal(
          lines.filter((l) => l.startsWith(`imports: could not mark interrupted import ${id} of tenant ${TENANT} failed`)).length,
          1,
          lines.join('\n'),
        );
        assert.equal((await findImport(db.db, TENANT, id))?.status, 'running', 'nothing marked unrecorded');
      }
      await db.db.deleteFrom('audit_records').where('chain', '=', TENANT).where('request_id', '=', 'squatter').execute();
      const later = await failInterruptedImports(db.db, now, TENANT, audit);
      assert.ok(later.includes('dead-1') && later.includes('dead-2'), 'the next start marks them');
      assert.equal((await verifyAuditChain(db.db, TENANT)).ok, true);
    });
  });
}
