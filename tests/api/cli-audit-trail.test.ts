import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  appendOperatorAudit,
  cliAction,
  createApiKey,
  createApp,
  listKeys,
  mintStaffToken,
  revokeKey,
  UNAUTHENTICATED_CHAIN,
} from '@tierkit/api';
import { connect, seedRunClaimed, upsertStaff, type AuditRecordRow, type Db } from '@tierkit/db';
import { DEMO_STAFF, ensureAdminKey, lastCompleteMonth, seedDemo } from '@tierkit/ops';
import { seedIfNeeded } from '../../apps/server/src/server.js';
import { runKeys, type CommandIo } from '../../packages/cli/src/keys.js';
import { run } from '../../packages/cli/src/run.js';
import { hooked } from '../support/hooked-transactions.js';
import { occupyNextAuditPlace } from '../support/audit-squatter.js';
import { dialectUrls } from '../support/dialect-urls.js';
import { untimed } from '../support/cli-lines.js';

/*
 * The CLI's governed actions in the tenant's audit trail, as a compliance officer finds them: each
 * `tierkit` command that issues, revokes or rotates a credential or creates a tenant leaves a record
 * committed with its change (actor `cli:<user>@<host>`, credential `cli`, method `CLI`, route the
 * command), a refusal leaves one too, `GET /v1/audit` filters them and `tierkit audit verify` passes
 * (packages/api/README.md, "Audit"; packages/cli/README.md, "Audit trail").
 */

const dir = mkdtempSync(join(tmpdir(), 'tierkit-cli-audit-trail-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DIALECTS = dialectUrls('cli');

async function tierkit(url: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(
    [...argv, '--database', url],
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out, err };
}

const records = (db: Db, chain: string) =>
  db.db.selectFrom('audit_records').selectAll().where('chain', '=', chain).orderBy('seq').execute() as Promise<AuditRecordRow[]>;

/** The fields a reviewer reads, without time, hashes and the per-command request id. */
function read(r: AuditRecordRow) {
  return {
    phase: r.phase,
    credential: r.credential,
    method: r.method,
    route: r.route,
    target: JSON.parse(r.target) as unknown,
    status: r.status,
    problem: r.problem,
    detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
  };
}

const CLI = { credential: 'cli', method: 'CLI' } as const;

for (const [dialect, urlOf] of DIALECTS) {
  describe(`the CLI in the audit trail [${dialect}]`, () => {
    let url = '';
    let db: Db;
    let keyId = '';

    it('tenants create and keys create|revoke|rotate-signing each leave a record naming who ran them, never the secret', async () => {
      url = await urlOf('trail');
      const created = await tierkit(url, 'tenants', 'create', 'bank', '--name', 'Bank');
      assert.equal(created.code, 0, created.err.join('\n'));
      assert.equal((await tierkit(url, 'tenants', 'create', 'bank')).code, 1);

      const key = await tierkit(url, 'keys', 'create', '--tenant', 'bank', '--role', 'admin', '--label', 'ops', '--unowned', '--json');
      assert.equal(key.code, 0, key.err.join('\n'));
      const { id, secret } = JSON.parse(key.out[0] ?? '') as { id: string; secret: string };
      keyId = id;
      assert.equal((await tierkit(url, 'keys', 'revoke', id)).code, 0);
      assert.equal((await tierkit(url, 'keys', 'revoke', id)).code, 1, 'revoked already');
      const rotated = await tierkit(url, 'keys', 'rotate-signing', '--tenant', 'bank', '--json');
      assert.equal(rotated.code, 0);
      const { signingKeyId } = JSON.parse(rotated.out[0] ?? '') as { signingKeyId: string };
      const refused = await tierkit(url, 'keys', 'create', '--tenant', 'bank', '--role', 'admin', '--label', 'x', '--staff', 'nobody');
      assert.equal(refused.code, 1);
      // An auditor's key reads the trail and every scheme's policy: never one nobody owns (a usage error, nothing written).
      const unownedAuditor = await tierkit(url, 'keys', 'create', '--tenant', 'bank', '--role', 'auditor', '--label', 'a', '--unowned');
      assert.equal(unownedAuditor.code, 2, unownedAuditor.err.join('\n'));
      assert.match(unownedAuditor.err.join('\n'), /--role auditor needs --staff/);

      db = connect({ url });
      const trail = await records(db, 'bank');
      assert.deepEqual(trail.map(read), [
        {
          ...CLI,
          phase: 'result',
          route: 'tierkit tenants create',
          target: { tenant: 'bank' },
          status: 201,
          problem: null,
          detail: { tenant: 'bank', name: 'Bank' },
        },
        {
          ...CLI,
          phase: 'request',
          route: 'tierkit tenants create',
          target: { tenant: 'bank' },
          status: 409,
          problem: 'conflict',
          detail: { tenant: 'bank', name: 'bank' },
        },
        {
          ...CLI,
          phase: 'result',
          route: 'tierkit keys create',
          target: { key: id },
          status: 201,
          problem: null,
          detail: { key: id, role: 'admin', owner: null, label: 'ops', unowned: true },
        },
        {
          ...CLI,
          phase: 'result',
          route: 'tierkit keys revoke',
          target: { key: id },
          status: 200,
          problem: null,
          detail: { key: id, role: 'admin', owner: null, label: 'ops' },
        },
        {
          ...CLI,
          phase: 'request',
          route: 'tierkit keys revoke',
          target: { key: id },
          status: 409,
          problem: 'conflict',
          detail: {
            key: id,
            role: 'admin',
            owner: null,
            label: 'ops',
            revokedAt: trail[4] ? (JSON.parse(trail[4].detail ?? '{}') as { revokedAt: string }).revokedAt : '',
          },
        },
        {
          ...CLI,
          phase: 'result',
          route: 'tierkit keys rotate-signing',
          target: { tenant: 'bank' },
          status: 200,
          problem: null,
          detail: { signingKey: signingKeyId },
        },
        {
          ...CLI,
          phase: 'request',
          route: 'tierkit keys create',
          target: { tenant: 'bank' },
          status: 400,
          problem: 'validation',
          detail: {
            role: 'admin',
            owner: 'nobody',
            label: 'x',
            refused: 'no staff member "nobody" in tenant "bank": create them first (PUT /v1/staff/{id}), or leave the key unowned',
          },
        },
      ]);
      assert.match((JSON.parse(trail[4]?.detail ?? '{}') as { revokedAt: unknown }).revokedAt as string, /^\d{4}-\d\d-\d\dT/);
      for (const r of trail) assert.match(r.actor, /^cli:[^@\s]+@\S+$/, 'the OS account and host that ran it');
      assert.equal(new Set(trail.map((r) => r.request_id)).size, trail.length, 'one request id per command');
      const everything = JSON.stringify(await db.db.selectFrom('audit_records').selectAll().execute());
      assert.ok(!everything.includes(secret) && !everything.includes(secret.slice(0, 10)), 'neither the secret nor its prefix');

      // A key that exists nowhere: no tenant to trust, so the chain of no tenant, as the API's refusals.
      assert.equal((await tierkit(url, 'keys', 'revoke', 'key_nope')).code, 1);
      // A mistyped tenant: refused, never "holds no active key" (which reads as done while the real keys still work).
      const typo = await tierkit(url, 'keys', 'revoke', '--staff', 'RM001', '--tenant', 'bnak');
      assert.deepEqual([typo.code, typo.out, typo.err.at(-1)], [1, [], 'keys revoke: tenant "bnak" does not exist']);
      assert.equal((await tierkit(url, 'keys', 'create', '--tenant', 'bnak', '--role', 'viewer', '--label', 'x')).code, 1);
      assert.deepEqual((await records(db, '*')).map(read), [
        {
          ...CLI,
          phase: 'request',
          route: 'tierkit keys revoke',
          target: { key: 'key_nope' },
          status: 404,
          problem: 'not-found',
          detail: null,
        },
        {
          ...CLI,
          phase: 'request',
          route: 'tierkit keys revoke',
          target: { tenant: 'bnak', staff: 'RM001' },
          status: 404,
          problem: 'not-found',
          detail: null,
        },
        {
          ...CLI,
          phase: 'request',
          route: 'tierkit keys create',
          target: { tenant: 'bnak' },
          status: 404,
          problem: 'not-found',
          detail: { role: 'viewer', owner: null, label: 'x', refused: 'tenant "bnak" does not exist' },
        },
      ]);
    });

    it('GET /v1/audit finds the records by actor, route and target, and tierkit audit verify passes every chain', async () => {
      const { secret } = await createApiKey(db.db, { tenantId: 'bank', role: 'admin', label: 'auditor' });
      const app = createApp({ db: db.db, logError: () => undefined });
      const get = async (query: string) => {
        const res = await app.request(`/v1/audit?${query}`, { headers: { Authorization: `Bearer ${secret}` } });
        assert.equal(res.status, 200, query);
        return ((await res.json()) as { items: { route: string; credential: string; status: number }[] }).items;
      };
      const actor = (await records(db, 'bank'))[0]?.actor ?? '';
      assert.equal((await get(`actor=${encodeURIComponent(actor)}`)).length, 7);
      assert.deepEqual(
        (await get(`route=${encodeURIComponent('tierkit keys revoke')}`)).map((r) => [r.credential, r.status]),
        [
          ['cli', 409],
          ['cli', 200],
        ],
      );
      assert.deepEqual(
        (await get(`target=${keyId}`)).map((r) => r.route),
        ['tierkit keys revoke', 'tierkit keys revoke', 'tierkit keys create'],
      );

      const verified = await tierkit(url, 'audit', 'verify');
      assert.equal(verified.code, 0, verified.err.join('\n'));
      assert.deepEqual(
        verified.out.map((l) => l.replace(/ head .*/, '')),
        ['*: ok, 3 records,', 'bank: ok, 7 records,'],
      );
    });

    it('a change whose record cannot be written is not made: the key is not issued', async () => {
      // A record squatting on the chain's next place makes the append fail, as a broken audit table would.
      const head = await db.db.selectFrom('audit_heads').select(['seq', 'hash']).where('chain', '=', 'bank').executeTakeFirstOrThrow();
      const squat = { ...(await records(db, 'bank'))[0], seq: head.seq + 1 } as AuditRecordRow;
      await db.db.insertInto('audit_records').values(squat).execute();
      const before = (await tierkit(url, 'keys', 'list', '--tenant', 'bank', '--json')).out[0];
      const failed = await tierkit(url, 'keys', 'create', '--tenant', 'bank', '--role', 'viewer', '--label', 'untraced', '--json');
      assert.equal(failed.code, 1);
      assert.deepEqual(failed.out, [], 'no secret printed');
      assert.equal((await tierkit(url, 'keys', 'list', '--tenant', 'bank', '--json')).out[0], before, 'no key without its record');
      const rotate = await tierkit(url, 'keys', 'rotate-signing', '--tenant', 'bank');
      assert.equal(rotate.code, 1);
      // A refusal changed nothing: a record that cannot be written is a warning, and the refusal's own reason still ends stderr.
      for (const [argv, reason] of [
        [['tenants', 'create', 'bank'], /tenant "bank" already exists/],
        [['jobs', 'cancel', 'job_nope', '--tenant', 'bank'], /no job job_nope/],
        [
          ['keys', 'create', '--tenant', 'bank', '--role', 'admin', '--label', 'x', '--staff', 'nobody'],
          /keys create: no staff member "nobody"/,
        ],
      ] as const) {
        const r = await tierkit(url, ...argv);
        assert.equal(r.code, 1, argv.join(' '));
        assert.match(r.err.at(-1) ?? '', reason, r.err.join('\n'));
        assert.ok(
          r.err.some((l) => /^warning: the audit record of this refusal could not be written/.test(l)),
          r.err.join('\n'),
        );
      }
      await db.db
        .deleteFrom('audit_records')
        .where('chain', '=', 'bank')
        .where('seq', '=', head.seq + 1)
        .execute();
      assert.equal((await tierkit(url, 'audit', 'verify', '--tenant', 'bank')).code, 0);
      await db.close();
    });
  });
}

for (const [dialect, urlOf] of DIALECTS) {
  describe(`a key's secret never enters the audit trail [${dialect}]`, () => {
    it('keys revoke given a secret revokes its key by hash; an unknown secret is refused, named by its visible prefix only', async () => {
      const url = await urlOf('leak');
      assert.equal((await tierkit(url, 'tenants', 'create', 'bank')).code, 0);
      const key = await tierkit(url, 'keys', 'create', '--tenant', 'bank', '--role', 'viewer', '--label', 'leaked', '--json');
      const { id, secret } = JSON.parse(key.out[0] ?? '') as { id: string; secret: string };

      const revoked = await tierkit(url, 'keys', 'revoke', secret);
      assert.equal(revoked.code, 0, revoked.err.join('\n'));
      assert.deepEqual(revoked.out.map(untimed), [`revoked ${id}`]);
      assert.ok(!revoked.err.join('\n').includes(secret), 'the secret is not echoed');
      const db = connect({ url });
      try {
        assert.notEqual((await listKeys(db.db, 'bank')).find((k) => k.id === id)?.revokedAt, null, 'the leaked key no longer works');
        const last = (await records(db, 'bank')).at(-1);
        assert.deepEqual(last && [read(last).route, read(last).status, read(last).target], ['tierkit keys revoke', 200, { key: id }]);

        const unknown = `tk_${'Z'.repeat(40)}`;
        const refused = await tierkit(url, 'keys', 'revoke', unknown);
        assert.equal(refused.code, 1);
        assert.match(refused.err.join('\n'), /no key has the secret tk_ZZZZZZZ…/);
        const nowhere = (await records(db, UNAUTHENTICATED_CHAIN)).at(-1);
        assert.deepEqual(nowhere && [read(nowhere).status, read(nowhere).target], [404, { key: 'tk_ZZZZZZZ…' }]);

        // The backstop: whatever a command passes, secret-shaped text is cut before it is chained.
        const token = 'tkt_eyJzdWIiOiJLMSJ9.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';
        await appendOperatorAudit(db.db, 'bank', cliAction('tierkit keys revoke'), {
          status: 404,
          problem: 'not-found',
          target: { key: unknown },
          detail: { refused: `no key ${secret}`, token },
        });
        const cut = (await records(db, 'bank')).at(-1);
        assert.deepEqual(cut && [read(cut).target, read(cut).detail], [
          { key: 'tk_ZZZZZZZ…' },
          { refused: `no key ${secret.slice(0, 10)}…`, token: 'tkt_…' },
        ]);

        const all = JSON.stringify(await db.db.selectFrom('audit_records').selectAll().execute());
        for (const s of [secret, unknown, token]) assert.ok(!all.includes(s), 'no secret anywhere in the audit trail');
      } finally {
        await db.close();
      }
      assert.equal((await tierkit(url, 'audit', 'verify', '--tenant', 'bank')).code, 0);
    });
  });
}

for (const [dialect, urlOf] of DIALECTS) {
  describe(`the CLI's book-wide actions in the audit trail [${dialect}]`, () => {
    it('seed, import, retier and jobs cancel|resume each leave their records; the start-up key too; the chain verifies', async () => {
      const url = await urlOf('book');
      const tenant = dialect === 'sqlite' ? 'demo' : 'book';
      const cli = (...argv: string[]) => tierkit(url, ...argv, '--tenant', tenant);
      const seeded = await tierkit(url, 'seed', '--customers', '20', '--tenant', tenant, '--json');
      assert.equal(seeded.code, 0, seeded.err.join('\n'));
      const { subjects, metrics, events } = JSON.parse(seeded.out[0] ?? '') as { subjects: number; metrics: number; events: number };
      assert.ok(subjects >= 20);

      const customers = join(dir, `customers-${dialect}.csv`);
      writeFileSync(customers, 'id,name\nK1,张三\nK2,李四\n');
      const imported = await cli('import', customers, '--kind', 'subjects', '--json');
      assert.equal(imported.code, 0, imported.err.join('\n'));
      const record = JSON.parse(imported.out[0] ?? '') as { id: string; sha256: string };
      const wrong = join(dir, `wrong-${dialect}.csv`);
      writeFileSync(wrong, 'who,name\nK3,王五\n');
      assert.equal((await cli('import', wrong, '--kind', 'subjects')).code, 1, 'no id column: refused');

      const period = lastCompleteMonth();
      const queued = await cli('retier', '--period', period, '--detach', '--json', '--reason', 'annual review');
      assert.equal(queued.code, 0, queued.err.join('\n'));
      const job = (JSON.parse(queued.out[0] ?? '') as { id: string }).id;
      assert.equal((await cli('jobs', 'cancel', job)).code, 0);
      assert.equal((await cli('jobs', 'cancel', job)).code, 1, 'cancelled already');
      assert.equal((await cli('jobs', 'resume', job)).code, 0);
      assert.equal((await cli('jobs', 'cancel', 'job_nope')).code, 1);

      const db = connect({ url });
      const secret = `tk_${'a'.repeat(40)}`;
      await ensureAdminKey(db, { tenant, adminKey: secret }, () => undefined);
      await ensureAdminKey(db, { tenant, adminKey: secret }, () => undefined);
      const adminKey = (await listKeys(db.db, tenant)).find((k) => k.label === 'TIERKIT_ADMIN_KEY');
      assert.ok(adminKey);

      const ours = (await records(db, tenant)).filter((r) => r.credential === 'cli' || r.credential === 'config');
      const [seedRecord, ...rest] = ours.map(read);
      assert.deepEqual(seedRecord, {
        ...CLI,
        phase: 'result',
        route: 'tierkit seed',
        target: { tenant },
        status: 201,
        problem: null,
        detail: { tenant, subjects, metrics, events },
      });
      const asked = { kind: 'subjects', mode: 'all-or-nothing', fileName: `customers-${dialect}.csv`, dryRun: false };
      const askedWrong = { ...asked, fileName: `wrong-${dialect}.csv` };
      const refusedWhy = (rest[3]?.detail as { refused?: string } | null)?.refused;
      assert.match(refusedWhy ?? '', /id/);
      assert.deepEqual(rest, [
        { ...CLI, phase: 'intent', route: 'tierkit import', target: {}, status: null, problem: null, detail: asked },
        {
          ...CLI,
          phase: 'result',
          route: 'tierkit import',
          target: { import: record.id },
          status: 201,
          problem: null,
          detail: { ...asked, import: record.id, status: 'succeeded', sha256: record.sha256, rows: 2, rejectedRows: 0, written: 2 },
        },
        { ...CLI, phase: 'intent', route: 'tierkit import', target: {}, status: null, problem: null, detail: askedWrong },
        {
          ...CLI,
          phase: 'result',
          route: 'tierkit import',
          target: {},
          status: 400,
          problem: 'validation',
          detail: { ...askedWrong, refused: refusedWhy },
        },
        {
          ...CLI,
          phase: 'result',
          route: 'tierkit retier',
          target: { job },
          status: 201,
          problem: null,
          // The reason sits in a side row beside the record (audit-personal.ts), not in the chained detail.
          detail: { job, period, schemes: null, dependents: [], filter: {} },
        },
        {
          ...CLI,
          phase: 'result',
          route: 'tierkit jobs cancel',
          target: { job },
          status: 200,
          problem: null,
          detail: { job, status: 'cancelled' },
        },
        {
          ...CLI,
          phase: 'request',
          route: 'tierkit jobs cancel',
          target: { job },
          status: 409,
          problem: 'conflict',
          detail: { job, refused: `Job ${job} is cancelled; only a running job can be cancelled.` },
        },
        {
          ...CLI,
          phase: 'result',
          route: 'tierkit jobs resume',
          target: { job },
          status: 200,
          problem: null,
          detail: { job, status: 'running' },
        },
        {
          ...CLI,
          phase: 'request',
          route: 'tierkit jobs cancel',
          target: { job: 'job_nope' },
          status: 404,
          problem: 'not-found',
          detail: { job: 'job_nope', refused: `no job job_nope in tenant ${tenant}` },
        },
        {
          credential: 'config',
          method: 'START',
          phase: 'result',
          route: 'TIERKIT_ADMIN_KEY',
          target: { key: adminKey.id },
          status: 201,
          problem: null,
          detail: { key: adminKey.id, role: 'admin', owner: null, label: 'TIERKIT_ADMIN_KEY' },
        },
      ]);
      assert.match(ours.at(-1)?.actor ?? '', /^server:[^@\s]+@\S+$/);
      assert.equal(ours[1]?.request_id, ours[2]?.request_id, "an import's intent and result share its request id");

      // A managers file moves customers between books: each move is a change record of the import's run.
      await upsertStaff(db.db, tenant, { id: 'RMX', name: '王经理', role: 'viewer', scope: 'book' }, new Date().toISOString());
      const books = join(dir, `books-${dialect}.csv`);
      writeFileSync(books, 'subject,manager\nK1,RMX\n');
      const moved = await cli('import', books, '--kind', 'managers');
      assert.equal(moved.code, 0, moved.err.join('\n'));
      const run = (await records(db, tenant)).slice(-3);
      assert.deepEqual(
        run.map((r) => [r.phase, r.credential, r.route, JSON.parse(r.target) as unknown]),
        [
          ['intent', 'cli', 'tierkit import', {}],
          ['change', 'cli', 'tierkit import', { moves: '1' }],
          ['result', 'cli', 'tierkit import', { import: (JSON.parse(run[2]?.target ?? '{}') as { import: string }).import }],
        ],
      );
      assert.equal(new Set(run.map((r) => r.request_id)).size, 1, 'one run, one request id');
      // The move's customer number is a listed entry: the record keeps its salted digest, `audit_listed` the number
      // (which an erasure deletes).
      const entries = await db.db
        .selectFrom('audit_listed')
        .select(['pos', 'subject', 'salt'])
        .where('chain', '=', tenant)
        .where('seq', '=', Number(run[1]?.seq))
        .execute();
      assert.deepEqual(
        entries.map((e) => [e.pos, e.subject]),
        [[0, 'K1']],
      );
      const digest = `sha256:${createHash('sha256').update(`${entries[0]?.salt}K1`).digest('hex')}`;
      assert.deepEqual(JSON.parse(run[1]?.detail ?? '{}'), { moves: [{ subject: digest, from: '', to: 'RMX' }] });

      // A refused re-tier's record says whether a reason was typed, never its words: they may name a
      // customer, and a refusal's record stays in the chain for good.
      const typed = '复核 K1 张三 的等级';
      const refusedRetier = await cli('retier', '--period', period, '--scheme', 'no-such-scheme', '--reason', typed);
      assert.notEqual(refusedRetier.code, 0);
      const [refusal] = (await records(db, tenant)).slice(-1);
      assert.equal(refusal?.route, 'tierkit retier');
      assert.ok(refusal?.status !== null && Number(refusal?.status) >= 400, JSON.stringify(refusal));
      assert.equal((JSON.parse(refusal?.detail ?? '{}') as { reasonGiven?: unknown }).reasonGiven, true);
      assert.ok(!JSON.stringify(refusal).includes(typed), JSON.stringify(refusal));
      await db.close();

      const verified = await tierkit(url, 'audit', 'verify', '--tenant', tenant);
      assert.equal(verified.code, 0, verified.err.join('\n'));
    });
  });
}

for (const [dialect, urlOf] of DIALECTS) {
  describe(`keys revoke and the audit chain's head [${dialect}]`, () => {
    let url = '';
    let db: Db;
    const silent: CommandIo = { out: () => undefined, err: () => undefined, json: true };
    const keyOf = async (staff: string | undefined, label: string) =>
      createApiKey(db.db, { tenantId: 'bank', role: 'viewer', label, ...(staff ? { staffId: staff } : {}) });

    it('keys revoke --staff revokes every key before it records any, one record per key, committed together', async () => {
      url = await urlOf('revoke');
      assert.equal((await tierkit(url, 'tenants', 'create', 'bank')).code, 0);
      db = connect({ url });
      await upsertStaff(db.db, 'bank', { id: 'LEAVER', name: '周离', role: 'officer', scope: 'tenant' }, new Date().toISOString());
      const mine = [await keyOf('LEAVER', 'one'), await keyOf('LEAVER', 'two'), await keyOf('LEAVER', 'three')];
      // Each write statement as the database gets it, by table: the order the locks are taken in.
      const writes: string[] = [];
      const logged: Db = {
        ...db,
        db: db.db.withPlugin({
          transformQuery(args) {
            const node = args.node as {
              kind: string;
              table?: { table: { identifier: { name: string } } };
              into?: { table: { identifier: { name: string } } };
            };
            const table = (node.table ?? node.into)?.table.identifier.name;
            if (node.kind === 'UpdateQueryNode' || node.kind === 'InsertQueryNode')
              writes.push(`${node.kind === 'UpdateQueryNode' ? 'update' : 'insert'} ${table}`);
            return args.node;
          },
          async transformResult(args) {
            return args.result;
          },
        }),
      };
      assert.equal(
        await runKeys(
          logged,
          { action: 'revoke', id: undefined, tenant: 'bank', role: undefined, label: undefined, staff: 'LEAVER' },
          silent,
        ),
        0,
      );
      const lastRevoke = writes.lastIndexOf('update api_keys');
      const firstAppend = writes.indexOf('update audit_heads');
      assert.deepEqual(
        [writes.filter((w) => w === 'update api_keys').length, lastRevoke < firstAppend],
        [3, true],
        `the chain's head is taken after the last revoke: ${writes.join(', ')}`,
      );
      const trail = (await records(db, 'bank')).filter((r) => r.route === 'tierkit keys revoke');
      // Keys made in the same millisecond list in id order, whatever order they were made in.
      const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);
      assert.deepEqual(
        trail.map((r) => JSON.parse(r.target) as { key: string; staff: string }).sort(byKey),
        mine.map((k) => ({ key: k.key.id, staff: 'LEAVER' })).sort(byKey),
      );
      assert.equal(new Set(trail.map((r) => r.request_id)).size, 1, 'one command');
      assert.ok((await listKeys(db.db, 'bank')).every((k) => k.revokedAt !== null));
    });

    it('a revoke that lost a race records when the key was revoked, as the database holds it', async () => {
      const { key } = await keyOf(undefined, 'raced');
      const RACED_AT = new Date('2026-01-02T03:04:05.000Z');
      // Another operator's revoke commits between this command's look at the key and its own attempt.
      const racing = hooked(db, { before: async () => void (await revokeKey(db.db, key.id, RACED_AT)) });
      const err: string[] = [];
      assert.equal(
        await runKeys(
          racing,
          { action: 'revoke', id: key.id, tenant: undefined, role: undefined, label: undefined },
          { ...silent, err: (l) => err.push(l) },
        ),
        1,
      );
      const refusal = (await records(db, 'bank')).at(-1);
      assert.deepEqual(refusal && read(refusal), {
        ...CLI,
        phase: 'request',
        route: 'tierkit keys revoke',
        target: { key: key.id },
        status: 409,
        problem: 'conflict',
        detail: { key: key.id, role: 'viewer', owner: null, label: 'raced', revokedAt: RACED_AT.toISOString() },
      });
    });

    for (const form of ['KEY_ID', '--staff'] as const)
      it(`a key revoked by keys revoke ${form} is not served from the credential cache after its commit, whatever was read meanwhile`, async () => {
        // The app on a connection of its own, as another request of this process would read.
        const other = connect({ url });
        try {
          const app = createApp({ db: other.db, logError: () => undefined });
          const staff = form === '--staff' ? `CACHED${dialect.length}` : undefined;
          if (staff)
            await upsertStaff(db.db, 'bank', { id: staff, name: '吴存', role: 'viewer', scope: 'tenant' }, new Date().toISOString());
          const { key, secret } = await keyOf(staff, `cached ${form}`);
          const get = () => app.request('/v1/schemes', { headers: { Authorization: `Bearer ${secret}` } });
          // Revoked and recorded, not committed: a request now still finds the key, and the cache keeps it only if told too early.
          const during: number[] = [];
          const racing = hooked(db, { inside: async () => void during.push((await get()).status) });
          const args =
            form === '--staff'
              ? { action: 'revoke', id: undefined, tenant: 'bank', role: undefined, label: undefined, staff }
              : { action: 'revoke', id: key.id, tenant: undefined, role: undefined, label: undefined };
          assert.equal(await runKeys(racing, args, silent), 0);
          assert.deepEqual([during, (await get()).status], [[200], 401]);
        } finally {
          await other.close();
        }
      });

    it('tokens signed before keys rotate-signing are not served from the credential cache after its commit, whatever was read meanwhile', async () => {
      const other = connect({ url });
      try {
        const app = createApp({ db: other.db, logError: () => undefined });
        const { token } = await mintStaffToken(db.db, { tenantId: 'bank' });
        const get = () => app.request('/v1/schemes', { headers: { Authorization: `Bearer ${token}` } });
        assert.equal((await get()).status, 200, 'verified once, and cached');
        // Rotated and recorded, not committed: a request now still verifies with the old key.
        const during: number[] = [];
        const racing = hooked(db, { inside: async () => void during.push((await get()).status) });
        assert.equal(
          await runKeys(racing, { action: 'rotate-signing', id: undefined, tenant: 'bank', role: undefined, label: undefined }, silent),
          0,
        );
        assert.deepEqual([during, (await get()).status], [[200], 401]);
      } finally {
        await other.close();
      }
    });

    it("the server's first start records its demo seed, once, as the start-up; later starts add nothing", async () => {
      const log: string[] = [];
      await seedIfNeeded(db, { tenant: 'demo', customers: 5, timeZone: 'Asia/Shanghai', seedDemo: true }, (l) => log.push(l));
      await seedIfNeeded(db, { tenant: 'demo', customers: 5, timeZone: 'Asia/Shanghai', seedDemo: true }, (l) => log.push(l));
      const trail = await records(db, 'demo');
      assert.equal(trail.length, 1, log.join('\n'));
      const [seeded] = trail;
      assert.ok(seeded);
      // What the seed made varies with its generator: checked for size, and the record holds it as said.
      const detail = JSON.parse(seeded.detail ?? '{}') as { subjects: number; metrics: number; events: number; assigned: number };
      assert.deepEqual(read(seeded), {
        credential: 'config',
        method: 'START',
        phase: 'result',
        route: 'DEMO_CUSTOMERS',
        target: { tenant: 'demo' },
        status: 201,
        problem: null,
        detail: {
          tenant: 'demo',
          subjects: detail.subjects,
          metrics: detail.metrics,
          events: detail.events,
          staff: DEMO_STAFF.map((s) => s.id),
          assigned: detail.assigned,
        },
      });
      assert.ok(detail.subjects >= 5 && detail.assigned >= 5, seeded.detail ?? '');
      assert.match(seeded.actor, /^server:[^@\s]+@\S+$/);
    });

    it('a start that only shares out demo staff (the customers were seeded before) records no counts of a seed it did not run', async () => {
      await seedDemo(db.db, {
        tenantId: 'demo-old',
        tenantName: 'Demo Bank',
        customers: 5,
        endPeriod: lastCompleteMonth(),
        log: () => undefined,
      });
      const log: string[] = [];
      await seedIfNeeded(db, { tenant: 'demo-old', customers: 5, timeZone: 'Asia/Shanghai', seedDemo: true }, (l) => log.push(l));
      const trail = await records(db, 'demo-old');
      assert.equal(trail.length, 1, log.join('\n'));
      const detail = JSON.parse(trail[0]?.detail ?? '{}') as Record<string, unknown>;
      assert.deepEqual(Object.keys(detail), ['tenant', 'staff', 'assigned']);
      assert.ok((detail.assigned as number) >= 5, trail[0]?.detail ?? '');
    });

    it('a start that adds a demo member a newer build brings (LEAD01) records it, naming only the member added', async () => {
      const log: string[] = [];
      await seedIfNeeded(db, { tenant: 'demo-lead', customers: 5, timeZone: 'Asia/Shanghai', seedDemo: true }, (l) => log.push(l));
      // A demo seeded before the lead existed: her row missing, the books shared out.
      await db.db.deleteFrom('staff').where('tenant_id', '=', 'demo-lead').where('id', '=', 'LEAD01').execute();
      await seedIfNeeded(db, { tenant: 'demo-lead', customers: 5, timeZone: 'Asia/Shanghai', seedDemo: true }, (l) => log.push(l));
      const trail = await records(db, 'demo-lead');
      assert.equal(trail.length, 2, log.join('\n'));
      assert.deepEqual(JSON.parse(trail.at(-1)?.detail ?? '{}'), { tenant: 'demo-lead', staff: ['LEAD01'], assigned: 0 });
      await seedIfNeeded(db, { tenant: 'demo-lead', customers: 5, timeZone: 'Asia/Shanghai', seedDemo: true }, (l) => log.push(l));
      assert.equal((await records(db, 'demo-lead')).length, 2, 'a start that adds nobody records nothing');
    });

    it('a seed whose record cannot be written stays committed and unrecorded: a warning, and the server starts', async () => {
      // A record squatting on the chain's first place makes the append fail, as a broken audit table would.
      await occupyNextAuditPlace(db.db, 'demo-unrecorded');
      const log: string[] = [];
      await seedIfNeeded(db, { tenant: 'demo-unrecorded', customers: 5, timeZone: 'Asia/Shanghai', seedDemo: true }, (l) => log.push(l));
      assert.ok(await seedRunClaimed(db.db, 'demo-unrecorded'), 'seeded');
      assert.match(log.at(-1) ?? '', /^seed: warning: the demo seed of "demo-unrecorded" is committed but unrecorded: /);
      assert.deepEqual(
        (await records(db, 'demo-unrecorded')).map((r) => r.request_id),
        ['squatter'],
      );
    });

    it('GET /v1/audit?method= finds the records of the CLI and of the start-up, and still refuses a method nothing records', async () => {
      const { secret } = await createApiKey(db.db, { tenantId: 'bank', role: 'admin', label: 'auditor' });
      await ensureAdminKey(db, { tenant: 'bank', adminKey: `tk_${'b'.repeat(40)}` }, () => undefined);
      const app = createApp({ db: db.db, logError: () => undefined });
      const get = (query: string) => app.request(`/v1/audit?${query}`, { headers: { Authorization: `Bearer ${secret}` } });
      const methods = async (query: string) => {
        const res = await get(query);
        assert.equal(res.status, 200, query);
        return [
          ...new Set(
            ((await res.json()) as { items: { method: string; credential: string }[] }).items.map((r) => `${r.method} ${r.credential}`),
          ),
        ];
      };
      assert.deepEqual(await methods('method=CLI'), ['CLI cli']);
      assert.deepEqual(await methods('method=START'), ['START config']);
      assert.deepEqual(await methods('method=SCHEDULE'), []);
      assert.equal((await get('method=FETCH')).status, 400);
      await db.close();
    });
  });
}
