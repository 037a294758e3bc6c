import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApiKey, createApp, provisionTenant } from '@tierkit/api';
import { connect, findStaff, listAuditRecords, migrateToLatest, upsertStaff } from '@tierkit/db';
import { runCaptured } from '../../packages/cli/src/run-captured.js';
import { dialectUrls } from '../support/dialect-urls.js';

/*
 * A trail is whole or it is not audited: an auditor limited to one book reads a partial one. Over HTTP
 * the body's schema refused `scope: book` with `role: auditor`, but the operator's `tierkit staff` made
 * one — `--scope book`, or `staff role RM1 --role auditor`, which keeps an RM's book. Refused there too,
 * by the service both share, and an auditor made book-scoped before reads nothing.
 */
for (const [dialect, urlOf] of dialectUrls('auditor-scope')) {
  describe(`an auditor is tenant-wide [${dialect}]`, () => {
    it('the CLI refuses a book-scoped auditor, either way it is asked, nothing changed and the refusal recorded', async () => {
      const database = await urlOf('cli');
      const setup = connect({ url: database });
      await migrateToLatest(setup.db);
      await provisionTenant(setup.db, { id: 'bank', name: 'Bank' });
      await setup.close();
      const cli = (...argv: string[]) => runCaptured([...argv, '--tenant', 'bank', '--database', database]);

      const asked = await cli('staff', 'add', 'AUD9', '--name', '赵审计', '--role', 'auditor', '--scope', 'book');
      assert.equal(asked.code, 2, asked.err.join('\n'));
      assert.match(asked.err.at(-1) ?? '', /^staff add: an auditor is tenant-wide .*--scope tenant$/);

      assert.equal((await cli('staff', 'add', 'RM1', '--name', '李娜', '--role', 'officer', '--scope', 'book')).code, 0);
      const kept = await cli('staff', 'role', 'RM1', '--role', 'auditor');
      assert.equal(kept.code, 1, kept.err.join('\n'));
      assert.match(kept.err.at(-1) ?? '', /^staff role: validation: an auditor is tenant-wide .*"RM1" would be an auditor of one book/);
      const db = connect({ url: database });
      try {
        const rm = await findStaff(db.db, 'bank', 'RM1');
        assert.deepEqual([rm?.role, rm?.scope], ['officer', 'book'], 'nothing changed');
        const [refusal] = await listAuditRecords(db.db, 'bank', { route: 'tierkit staff role' }, 1);
        assert.equal(refusal?.status, 400);
        assert.equal(refusal?.problem, 'validation');
      } finally {
        await db.close();
      }
      const widened = await cli('staff', 'role', 'RM1', '--role', 'auditor', '--scope', 'tenant');
      assert.equal(widened.code, 0, widened.err.join('\n'));
    });

    it('an auditor made book-scoped before is refused every read, with why', async () => {
      const database = await urlOf('api');
      const db = connect({ url: database });
      try {
        await migrateToLatest(db.db);
        await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
        // As the CLI wrote it before the refusal: straight through the library.
        await upsertStaff(db.db, 'bank', { id: 'AUD1', name: '赵审计', role: 'auditor', scope: 'book' }, new Date().toISOString());
        const { secret } = await createApiKey(db.db, { tenantId: 'bank', role: 'auditor', label: 'audit', staffId: 'AUD1' });
        const app = createApp({ db: db.db, rateLimit: false, logError: () => undefined });
        for (const path of ['/v1/overrides', '/v1/approvals', '/v1/audit', '/v1/staff']) {
          const res = await app.request(path, { headers: { Authorization: `Bearer ${secret}` } });
          const body = (await res.json()) as { detail?: string };
          assert.equal(res.status, 403, `${path}: ${res.status}`);
          assert.match(body.detail ?? '', /auditor is tenant-wide/, path);
        }
      } finally {
        await db.close();
      }
    });
  });
}
