import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { provisionTenant } from '@tierkit/api';
import { run } from '../../packages/cli/src/run.js';
import { connect, migrateToLatest, type Db } from '@tierkit/db';
import { NOW } from '../support/api-fixture.js';
import { appendRecords } from '../support/audit-records.js';
import { dialectUrls } from '../support/dialect-urls.js';
import { testPack } from '../support/test-pack.js';

/*
 * `tierkit audit verify` as an auditor runs it, on each dialect: the verdict per chain on stdout,
 * exit 1 with the reason as the last line of stderr when a record was edited, deleted or reordered,
 * or when the tenant asked for does not exist (packages/cli/README.md, "Exit codes and output").
 */

const DIALECTS = dialectUrls('audit-cli');
const NO_ANCHORS =
  'audit verify: note: no anchors were checked (--anchors FILE): a chain rewritten whole with its head would still read ok; keep anchors with tierkit audit anchor or TIERKIT_AUDIT_ANCHOR_FILE';

async function verify(url: string, ...more: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(
    ['audit', 'verify', '--database', url, ...more],
    (l) => out.push(l.replace(/sha256:[0-9a-f]{64}/, 'HASH')),
    // Every audit action that opens the database names it first on stderr (packages/cli/src/ops-safety.test.ts checks it): not what these tests read.
    (l) => l.startsWith('database: ') || err.push(l),
  );
  return { code, out, err };
}

for (const [dialect, urlOf] of DIALECTS) {
  describe(`tierkit audit verify [${dialect}]`, () => {
    let url = '';
    let db: Db;

    it('an intact chain is ok with its head, exit 0; a tenant that does not exist is exit 1 saying so, never "ok, 0 records"', async () => {
      url = await urlOf('audit');
      db = connect({ url });
      await migrateToLatest(db.db);
      for (const id of ['intact', 'edited', 'deleted', 'reordered'])
        await provisionTenant(db.db, { id, name: id, pack: testPack(), now: NOW });
      for (const id of ['intact', 'edited', 'deleted', 'reordered']) await appendRecords(db.db, id, 6);

      const intact = await verify(url, '--tenant', 'intact');
      // Without --anchors the verdict is said with what it did not check, never a bare "ok".
      assert.deepEqual(intact, { code: 0, out: ['intact: ok, 6 records, head 6 HASH'], err: [NO_ANCHORS] });

      const typo = await verify(url, '--tenant', 'intcat');
      assert.equal(typo.code, 1);
      assert.deepEqual(typo.out, []);
      assert.equal(typo.err.at(-1), 'audit verify: tenant "intcat" does not exist');
    });

    it('an edited, a deleted and a reordered record each fail with their position on stdout and one line why on stderr', async () => {
      await db.db
        .updateTable('audit_records')
        .set({ actor: 'key:someone-else' })
        .where('chain', '=', 'edited')
        .where('seq', '=', 2)
        .execute();
      await db.db.deleteFrom('audit_records').where('chain', '=', 'deleted').where('seq', '=', 3).execute();
      // Records 2 and 3 trade places.
      const swap = (from: number, to: number) =>
        db.db.updateTable('audit_records').set({ seq: to }).where('chain', '=', 'reordered').where('seq', '=', from).execute();
      await swap(2, -2);
      await swap(3, 2);
      await swap(-2, 3);

      const cases: [tenant: string, problems: string[], reason: string][] = [
        ['edited', ['  at 2: altered:'], 'edited (1 problem, first at 2: altered)'],
        ['deleted', ['  at 3: missing:'], 'deleted (1 problem, first at 3: missing)'],
        ['reordered', ['  at 2: altered:', '  at 3: altered:', '  at 4: broken-link:'], 'reordered (3 problems, first at 2: altered)'],
      ];
      for (const [tenant, problems, reason] of cases) {
        const { code, out, err } = await verify(url, '--tenant', tenant);
        assert.equal(code, 1, tenant);
        assert.match(out[0] ?? '', new RegExp(`^${tenant}: NOT OK, `), tenant);
        assert.deepEqual(
          out.slice(1).map((l) => /^ {2}at \d+: [a-z-]+:/.exec(l)?.[0]),
          problems,
          tenant,
        );
        assert.deepEqual(err, [NO_ANCHORS, `audit verify: tampered with: ${reason}`], tenant);
      }

      const all = await verify(url);
      assert.equal(all.code, 1, 'every chain: one tampered chain fails the run');
      assert.ok(all.out.includes('intact: ok, 6 records, head 6 HASH'));
      assert.equal(
        all.err.at(-1),
        'audit verify: tampered with: deleted (1 problem, first at 3: missing); edited (1 problem, first at 2: altered); reordered (3 problems, first at 2: altered)',
      );
      await db.close();
    });
  });
}
