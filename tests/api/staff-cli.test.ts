import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApiKey, createApp, listKeys, mintStaffToken, provisionTenant } from '@tierkit/api';
import { connect, listAuditRecords, migrateToLatest, upsertStaff } from '@tierkit/db';
import { runCaptured } from '../../packages/cli/src/run-captured.js';
import { dialectUrls } from '../support/dialect-urls.js';
import { untimed } from '../support/cli-lines.js';

/*
 * `tierkit staff` as an operator runs it, on each dialect: the API's rules (the last-admin guard), the
 * operator as actor in the trail, exit codes and one-line reasons (packages/cli/README.md, "Staff").
 */

/** A failure or a usage error: nothing on stdout, and the reason in one last line on stderr. */
function refused(r: { code: number; out: string[]; err: string[] }, code: number, reason: RegExp): void {
  assert.equal(r.code, code, r.err.join('\n'));
  assert.deepEqual(r.out, [], 'nothing on stdout');
  assert.match(r.err.at(-1) ?? '', reason);
}

const DIALECTS = dialectUrls('staff-cli');

for (const [dialect, urlOf] of DIALECTS) {
  describe(`tierkit staff [${dialect}]`, () => {
    let database = '';
    const cli = (...argv: string[]) => runCaptured([...argv, '--database', database]);
    const records = async (route: string) => {
      const db = connect({ url: database });
      try {
        return await listAuditRecords(db.db, 'bank', { route }, 100);
      } finally {
        await db.close();
      }
    };

    it('an operator bootstraps a tenant’s staff: add, list (text and JSON), each change audited with the operator as actor', async () => {
      database = await urlOf('staff');
      const db = connect({ url: database });
      await migrateToLatest(db.db);
      await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
      await db.close();

      const added = await cli('staff', 'add', 'E1', '--tenant', 'bank', '--name', '张伟', '--role', 'admin');
      assert.equal(added.code, 0, added.err.join('\n'));
      assert.deepEqual(added.out.map(untimed), ['added E1 in tenant bank: admin, tenant, "张伟"']);
      const rm = await cli('staff', 'add', 'RM1', '--tenant', 'bank', '--name', '李娜', '--role', 'officer', '--scope', 'book', '--json');
      assert.equal(rm.code, 0, rm.err.join('\n'));
      assert.deepEqual(
        (({ id, name, role, scope }) => ({ id, name, role, scope }))(JSON.parse(rm.out[0] ?? '') as Record<string, string>),
        { id: 'RM1', name: '李娜', role: 'officer', scope: 'book' },
      );
      const list = await cli('staff', 'list', '--tenant', 'bank');
      assert.deepEqual(list.out, ['E1  admin     tenant  张伟', 'RM1  officer   book    李娜']);
      const listed = JSON.parse((await cli('staff', 'list', '--tenant', 'bank', '--json')).out[0] ?? '') as { id: string; role: string }[];
      assert.deepEqual(
        listed.map((s) => [s.id, s.role]),
        [
          ['E1', 'admin'],
          ['RM1', 'officer'],
        ],
      );
      const admins = JSON.parse((await cli('staff', 'list', '--tenant', 'bank', '--role', 'admin', '--json')).out[0] ?? '') as {
        id: string;
      }[];
      assert.deepEqual(
        admins.map((s) => s.id),
        ['E1'],
      );
      const [record] = await records('tierkit staff add');
      assert.ok(record);
      assert.match(record.actor, /^cli:/, 'the operator is the actor, as keys records');
      assert.equal(record.method, 'CLI');
      assert.equal(record.status, 201);
      assert.deepEqual(JSON.parse(record.detail ?? '{}'), {
        before: null,
        after: { name: '李娜', role: 'officer', scope: 'book' },
        breakGlass: true,
      });
      refused(
        await cli('staff', 'add', 'E1', '--tenant', 'bank', '--name', 'again', '--role', 'viewer'),
        1,
        /^staff add: conflict: .*already exists/,
      );
      const [conflict] = await records('tierkit staff add');
      assert.equal(conflict?.status, 409);
      assert.deepEqual(
        (JSON.parse(conflict?.detail ?? '{}') as { after: unknown }).after,
        { name: 'again', role: 'viewer', scope: 'tenant' },
        'the refusal records what was asked',
      );
    });

    it('the last tenant-wide admin is neither demoted nor disabled (exit 1, one line, recorded); promoting another first lets both through', async () => {
      const demote = await cli('staff', 'role', 'E1', '--tenant', 'bank', '--role', 'approver');
      refused(demote, 1, /^staff role: last-admin-staff: "张伟" \(E1\) is the tenant's last tenant-wide admin/);
      refused(await cli('staff', 'role', 'E1', '--tenant', 'bank', '--role', 'admin', '--scope', 'book'), 1, /last-admin-staff/);
      refused(await cli('staff', 'disable', 'E1', '--tenant', 'bank'), 1, /^staff disable: last-admin-staff/);
      const [refusal] = await records('tierkit staff role');
      assert.equal(refusal?.status, 409);
      assert.equal(refusal?.problem, 'last-admin-staff');
      assert.equal(refusal?.phase, 'request');
      const detail = JSON.parse(refusal?.detail ?? '{}') as { before: unknown; after: unknown };
      assert.deepEqual(detail.before, { name: '张伟', role: 'admin', scope: 'tenant' });
      assert.deepEqual(detail.after, { name: '张伟', role: 'admin', scope: 'book' });
      const stillAdmin = JSON.parse((await cli('staff', 'list', '--tenant', 'bank', '--role', 'admin', '--json')).out[0] ?? '') as {
        id: string;
      }[];
      assert.deepEqual(
        stillAdmin.map((s) => s.id),
        ['E1'],
        'nothing changed',
      );

      const promoted = await cli('staff', 'role', 'RM1', '--tenant', 'bank', '--role', 'admin', '--scope', 'tenant');
      assert.equal(promoted.code, 0, promoted.err.join('\n'));
      assert.deepEqual(promoted.out.map(untimed), ['changed RM1 in tenant bank: admin, tenant, "李娜"']);
      const demoted = await cli('staff', 'role', 'E1', '--tenant', 'bank', '--role', 'approver', '--json');
      assert.equal(demoted.code, 0, demoted.err.join('\n'));
      assert.equal((JSON.parse(demoted.out[0] ?? '') as { role: string }).role, 'approver');
      const [change] = await records('tierkit staff role');
      assert.equal(change?.status, 200);
      assert.deepEqual(JSON.parse(change?.detail ?? '{}'), {
        before: { name: '张伟', role: 'admin', scope: 'tenant' },
        after: { name: '张伟', role: 'approver', scope: 'tenant' },
        breakGlass: true,
      });
    });

    it('disable: someone leaving loses every key they own, and their tokens and keys stop working; recorded with the keys revoked', async () => {
      const db = connect({ url: database });
      const { key } = await createApiKey(db.db, { tenantId: 'bank', role: 'approver', label: 'E1 laptop', staffId: 'E1' });
      // A console session E1 opened before leaving, as the bank's sign-on minted it.
      const { token } = await mintStaffToken(db.db, { tenantId: 'bank', staffId: 'E1' });
      const app = createApp({ db: db.db, logError: () => undefined });
      const session = () => app.request('/v1/session', { headers: { Authorization: `Bearer ${token}` } });
      assert.equal((await session()).status, 200, 'E1 works');
      try {
        const gone = await cli('staff', 'disable', 'E1', '--tenant', 'bank', '--json');
        assert.equal(gone.code, 0, gone.err.join('\n'));
        const body = JSON.parse(gone.out[0] ?? '') as { role: string; scope: string; revokedKeys: string[]; disabledAt: string | null };
        assert.deepEqual([body.role, body.scope, body.revokedKeys], ['viewer', 'book', [key.id]]);
        assert.ok(body.disabledAt, 'the member says they are disabled');
        const keys = await listKeys(db.db, 'bank');
        assert.ok(keys.find((k) => k.id === key.id)?.revokedAt, 'the key is revoked');
        // A leaver reads nothing: not with the session still out, nor a new one the sign-on would mint, nor a new key.
        assert.equal((await session()).status, 401, 'the token out before stops');
        await assert.rejects(mintStaffToken(db.db, { tenantId: 'bank', staffId: 'E1' }), /disabled/);
        await assert.rejects(createApiKey(db.db, { tenantId: 'bank', role: 'viewer', label: 'again', staffId: 'E1' }), /disabled/);
        assert.match(
          (await cli('staff', 'list', '--tenant', 'bank')).out.find((l) => l.startsWith('E1 ')) ?? '',
          /\(disabled \d{4}-/,
          'the list tells a leaver from a working viewer',
        );
        const [record] = await records('tierkit staff disable');
        assert.deepEqual(JSON.parse(record?.detail ?? '{}'), {
          before: { name: '张伟', role: 'approver', scope: 'tenant' },
          after: { name: '张伟', role: 'viewer', scope: 'book', disabledAt: body.disabledAt },
          revoked: [key.id],
          breakGlass: true,
        });
        // Given a role again, they are back: a new session works, and the record says they were disabled.
        const back = await cli('staff', 'role', 'E1', '--tenant', 'bank', '--role', 'viewer', '--scope', 'tenant', '--json');
        assert.equal(back.code, 0, back.err.join('\n'));
        assert.equal((JSON.parse(back.out[0] ?? '') as { disabledAt: string | null }).disabledAt, null);
        const again = await mintStaffToken(db.db, { tenantId: 'bank', staffId: 'E1' });
        assert.equal((await app.request('/v1/session', { headers: { Authorization: `Bearer ${again.token}` } })).status, 200);
        const [reenabled] = await records('tierkit staff role');
        assert.deepEqual((JSON.parse(reenabled?.detail ?? '{}') as { before: unknown }).before, {
          name: '张伟',
          role: 'viewer',
          scope: 'book',
          disabledAt: body.disabledAt,
        });
      } finally {
        await db.close();
      }
      refused(await cli('staff', 'disable', 'NOBODY', '--tenant', 'bank'), 1, /^staff disable: not-found: no staff member "NOBODY"/);
      const [missing] = await records('tierkit staff disable');
      assert.equal(missing?.status, 404);
    });

    it('two adds of one id at once: the second is refused, not turned into a rewrite of the first', async () => {
      const db = connect({ url: database });
      try {
        // Another add holds E7 uncommitted while the CLI reads (no row to lock yet) and inserts behind it.
        const other = db.db.transaction().execute(async (trx) => {
          await upsertStaff(trx, 'bank', { id: 'E7', name: '先到', role: 'viewer', scope: 'tenant' }, new Date().toISOString());
          await new Promise((r) => setTimeout(r, 1_500));
        });
        await new Promise((r) => setTimeout(r, 200));
        const late = await cli('staff', 'add', 'E7', '--tenant', 'bank', '--name', '后到', '--role', 'admin');
        await other;
        refused(late, 1, /^staff add: conflict: /);
        const e7 = JSON.parse((await cli('staff', 'list', '--tenant', 'bank', '--json')).out[0] ?? '[]') as {
          id: string;
          name: string;
          role: string;
        }[];
        assert.deepEqual(
          e7.filter((s) => s.id === 'E7').map((s) => [s.name, s.role]),
          [['先到', 'viewer']],
          'the first add stands',
        );
      } finally {
        await db.close();
      }
    });

    it('a wrong command line is exit 2 and changes nothing; a tenant that does not exist is exit 1; --help lists the command', async () => {
      refused(await cli('staff', 'add', 'E9', '--tenant', 'bank', '--name', 'x', '--role', 'boss'), 2, /^unknown role "boss"/);
      refused(await cli('staff', 'add', 'E9', '--tenant', 'bank', '--role', 'viewer'), 2, /needs --name/);
      refused(await cli('staff', 'role', 'E9', '--tenant', 'bank', '--role', 'viewer', '--scope', 'branch'), 2, /^unknown scope "branch"/);
      refused(await cli('staff', 'role', 'bad id!', '--tenant', 'bank', '--role', 'viewer'), 2, /is not a staff id/);
      refused(await cli('staff', 'disable', 'RM1', '--tenant', 'bank', '--role', 'admin'), 2, /takes no --role/);
      refused(await cli('staff', 'promote', 'RM1'), 2, /^unknown staff action "promote"/);
      refused(await cli('staff', 'list'), 2, /needs --tenant/);
      refused(await cli('staff', 'list', '--tenant', 'nobank'), 1, /tenant "nobank" does not exist/);
      refused(
        await cli('staff', 'add', 'E9', '--tenant', 'nobank', '--name', 'x', '--role', 'viewer'),
        1,
        /^staff add: not-found: tenant "nobank"/,
      );
      const listed = JSON.parse((await cli('staff', 'list', '--tenant', 'bank', '--json')).out[0] ?? '') as { id: string }[];
      assert.deepEqual(
        listed.map((s) => s.id),
        ['E1', 'E7', 'RM1'],
        'nothing was added',
      );
      const help = await runCaptured(['staff', '--help']);
      assert.equal(help.code, 0);
      assert.match(help.out.join('\n'), /staff disable STAFF_ID --tenant ID/);
      assert.match((await runCaptured(['--help'])).out.join('\n'), /staff list --tenant ID/);
    });

    it('the break-glass settles a grant still waiting for that member as superseded, in its own transaction and record', async () => {
      const db = connect({ url: database });
      try {
        const app = createApp({ db: db.db, logError: () => undefined });
        const now = new Date().toISOString();
        await upsertStaff(db.db, 'bank', { id: 'GA', name: '王芳', role: 'admin', scope: 'tenant' }, now);
        await upsertStaff(db.db, 'bank', { id: 'GB', name: '赵磊', role: 'officer', scope: 'tenant' }, now);
        const a = (await mintStaffToken(db.db, { tenantId: 'bank', staffId: 'GA' })).token;
        const send = (method: string, path: string, body?: unknown) =>
          app.request(path, {
            method,
            headers: { Authorization: `Bearer ${a}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
        const grantOf = async (id: string) =>
          (await (await send('GET', `/v1/staff-grants/${id}`)).json()) as { status: string; decidedBy: string | null };
        const ask = async (staff: string, role: string) => {
          const res = await send('PUT', `/v1/staff/${staff}`, { name: staff === 'GB' ? '赵磊' : '孙丽', role, scope: 'tenant' });
          assert.equal(res.status, 202, await res.clone().text());
          return ((await res.json()) as { id: string }).id;
        };

        const first = await ask('GB', 'admin');
        const role = await cli('staff', 'role', 'GB', '--tenant', 'bank', '--role', 'approver', '--scope', 'tenant');
        assert.equal(role.code, 0, role.err.join('\n'));
        const [changed] = await records('tierkit staff role');
        assert.equal((JSON.parse(changed?.detail ?? '{}') as { supersededGrant?: string }).supersededGrant, first);
        const settled = await grantOf(first);
        assert.equal(settled.status, 'superseded');
        assert.equal(settled.decidedBy, changed?.actor, 'the operator settled it');
        const queue = (await (await send('GET', '/v1/approvals?kind=staff')).json()) as { items: unknown[] };
        assert.deepEqual(queue.items, [], 'no stale grant left for a second admin');
        // The member can be asked for again at once (no 409 staff-grant-pending), and disable settles that one too.
        const second = await ask('GB', 'admin');
        assert.equal((await cli('staff', 'disable', 'GB', '--tenant', 'bank')).code, 0);
        assert.equal((await grantOf(second)).status, 'superseded');
        const [disabled] = await records('tierkit staff disable');
        assert.equal((JSON.parse(disabled?.detail ?? '{}') as { supersededGrant?: string }).supersededGrant, second);
        // A grant for a newcomer, then the operator adds them: the same.
        const newcomer = await ask('GN', 'approver');
        assert.equal((await cli('staff', 'add', 'GN', '--tenant', 'bank', '--name', '孙丽', '--role', 'viewer')).code, 0);
        assert.equal((await grantOf(newcomer)).status, 'superseded');
      } finally {
        await db.close();
      }
    });
  });
}
