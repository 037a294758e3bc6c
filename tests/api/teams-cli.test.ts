import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { connect, listAuditRecords, migrateToLatest } from '@tierkit/db';
import { runCaptured } from '../../packages/cli/src/run-captured.js';
import { dialectUrls } from '../support/dialect-urls.js';

/*
 * `tierkit teams` as an operator runs it, on each dialect: the API's rules (services/teams.ts), the
 * operator as actor in the trail, exit codes and one-line reasons (packages/cli/README.md, "Teams").
 */
for (const [dialect, urlOf] of dialectUrls('teams-cli')) {
  describe(`tierkit teams [${dialect}]`, () => {
    it('an operator defines a team, fills it with books, and each change is audited; bad input changes nothing', async () => {
      const database = await urlOf('teams');
      const cli = (...argv: string[]) => runCaptured([...argv, '--database', database]);
      const db = connect({ url: database });
      await migrateToLatest(db.db);
      await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
      await db.close();
      for (const [id, scope] of [
        ['LEAD', 'book'],
        ['RM1', 'book'],
        ['HQ', 'tenant'],
      ] as const)
        assert.equal((await cli('staff', 'add', id, '--tenant', 'bank', '--name', id, '--role', 'officer', '--scope', scope)).code, 0);

      const tenantWide = await cli('teams', 'put', 'T1', '--tenant', 'bank', '--name', '一组', '--lead', 'HQ');
      assert.equal(tenantWide.code, 1);
      assert.match(tenantWide.err.at(-1) ?? '', /lead: "HQ" reads the whole tenant already/);
      const put = await cli('teams', 'put', 'T1', '--tenant', 'bank', '--name', '一组', '--lead', 'LEAD');
      assert.equal(put.code, 0, put.err.join('\n'));
      const ghost = await cli('teams', 'add', 'T1', 'RM1', 'GHOST', '--tenant', 'bank');
      assert.equal(ghost.code, 1);
      assert.match(ghost.err.at(-1) ?? '', /no staff member "GHOST"/);
      const added = await cli('teams', 'add', 'T1', 'RM1', '--tenant', 'bank', '--json');
      assert.equal(added.code, 0, added.err.join('\n'));
      assert.deepEqual((JSON.parse(added.out[0] ?? '') as { books: string[] }).books, ['RM1']);
      assert.deepEqual((await cli('teams', 'list', '--tenant', 'bank')).out, ['T1  lead LEAD  books RM1  一组']);
      assert.equal((await cli('teams', 'add', '--tenant', 'bank')).code, 2);

      const check = connect({ url: database });
      try {
        const records = await listAuditRecords(check.db, 'bank', { route: 'tierkit teams add' }, 100);
        assert.equal(records.length, 1, 'the refused add wrote nothing; the good one is recorded');
        assert.match(records[0]?.actor ?? '', /^cli:/);
        assert.match(records[0]?.detail ?? '', /"added":\["RM1"\]/);
        assert.match(
          records[0]?.detail ?? '',
          /"breakGlass":true/,
          'an operator widening a lead’s reach is break-glass, as a staff change is',
        );
        const puts = await listAuditRecords(check.db, 'bank', { route: 'tierkit teams put' }, 100);
        assert.equal(puts.length, 1);
        assert.match(puts[0]?.detail ?? '', /"breakGlass":true/);
      } finally {
        await check.close();
      }
    });

    it('the operator’s change of a team supersedes the grant waiting on it (break-glass, as tierkit staff does)', async () => {
      const database = await urlOf('grants');
      const cli = (...argv: string[]) => runCaptured([...argv, '--database', database]);
      const db = connect({ url: database });
      try {
        await migrateToLatest(db.db);
        await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
        for (const id of ['LEAD', 'RM1'])
          assert.equal((await cli('staff', 'add', id, '--tenant', 'bank', '--name', id, '--role', 'officer', '--scope', 'book')).code, 0);
        const key = (await createApiKey(db.db, { tenantId: 'bank', role: 'admin', label: 'admin' })).secret;
        const app = createApp({ db: db.db, logError: () => undefined, rateLimit: false });
        const filed = await app.request('/v1/teams/T1', {
          method: 'PUT',
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: '一组', lead: 'LEAD' }),
        });
        assert.equal(filed.status, 202);
        const grant = (await filed.json()) as { id: string };
        const put = await cli('teams', 'put', 'T1', '--tenant', 'bank', '--name', '一组', '--lead', 'LEAD');
        assert.equal(put.code, 0, put.err.join('\n'));
        const row = await db.db.selectFrom('staff_grants').select(['status', 'decided_by']).where('id', '=', grant.id).executeTakeFirst();
        assert.equal(row?.status, 'superseded');
        assert.match(row?.decided_by ?? '', /^cli:/);
        const records = await listAuditRecords(db.db, 'bank', { route: 'tierkit teams put' }, 100);
        assert.match(records[0]?.detail ?? '', new RegExp(`"supersededGrant":"${grant.id}"`));
      } finally {
        await db.close();
      }
    });
  });
}
