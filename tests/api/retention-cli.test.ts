import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { provisionTenant } from '@tierkit/api';
import { connect, findSubjectByExternalId, insertSubjects, migrateToLatest } from '@tierkit/db';
import { runCaptured } from '../../packages/cli/src/run-captured.js';
import { dialectUrls } from '../support/dialect-urls.js';

/*
 * `tierkit retention` as an operator runs it (docs/operations.md, "Retention and erasure of closed
 * customers"): the clock is the machine's, so the closings are dated years apart from any today.
 */
for (const [dialect, urlOf] of dialectUrls('retention-cli')) {
  describe(`tierkit retention [${dialect}]`, () => {
    it('set refuses below 5; a legal hold keeps a customer; run --dry-run counts, run erases, a second run is a no-op; the chain verifies', async () => {
      const database = await urlOf('retention');
      const cli = (...argv: string[]) => runCaptured([...argv, '--database', database]);
      const db = connect({ url: database });
      await migrateToLatest(db.db);
      await provisionTenant(db.db, { id: 'bank', name: 'Bank' });
      const closed = (id: string, at: string) => ({
        id: `s-${id}`,
        externalId: id,
        kind: 'customer',
        displayName: '赵六',
        attributes: { birthDate: '1970-01-01' },
        closed: { at, reason: '销户 赵六' },
      });
      // The old customers were recorded when they were customers (2009): one recorded today is never
      // erasable, whatever its closing says.
      await insertSubjects(
        db.db,
        'bank',
        [closed('OLD1', '2010-03-01T00:00:00.000Z'), closed('OLD2', '2010-04-01T00:00:00.000Z')],
        '2009-06-01T00:00:00.000Z',
      );
      await insertSubjects(db.db, 'bank', [closed('NEW', new Date().toISOString())], new Date().toISOString());

      const low = await cli('retention', 'set', '--tenant', 'bank', '--years', '4');
      assert.equal(low.code, 2);
      assert.match(low.err.at(-1) ?? '', /at least 5/);
      const hold = await cli('retention', 'hold', 'OLD2', '--tenant', 'bank', '--reason', '协查 17');
      assert.equal(hold.code, 0, hold.err.join('\n'));

      const dry = await cli('retention', 'run', '--dry-run', '--tenant', 'bank', '--json');
      assert.equal(dry.code, 0, dry.err.join('\n'));
      assert.deepEqual(
        (({ erasable, erased, heldByLegalHold }) => ({ erasable, erased, heldByLegalHold }))(JSON.parse(dry.out[0] ?? '{}')),
        { erasable: 1, erased: 0, heldByLegalHold: 1 },
      );
      assert.equal((await findSubjectByExternalId(db.db, 'bank', 'OLD1'))?.displayName, '赵六', 'a dry run changes nothing');

      const done = await cli('retention', 'run', '--tenant', 'bank', '--json');
      assert.equal(done.code, 0, done.err.join('\n'));
      assert.equal(JSON.parse(done.out[0] ?? '{}').erased, 1);
      const old1 = await findSubjectByExternalId(db.db, 'bank', 'OLD1');
      assert.deepEqual([old1?.displayName, old1?.attributes, old1?.closedReason], ['', {}, null]);
      assert.equal((await findSubjectByExternalId(db.db, 'bank', 'OLD2'))?.displayName, '赵六', 'under legal hold');
      assert.equal((await findSubjectByExternalId(db.db, 'bank', 'NEW'))?.displayName, '赵六', 'closed today');

      const again = await cli('retention', 'run', '--tenant', 'bank', '--json');
      assert.deepEqual((({ erased, erasedBefore }) => ({ erased, erasedBefore }))(JSON.parse(again.out[0] ?? '{}')), {
        erased: 0,
        erasedBefore: 1,
      });
      assert.equal((await cli('retention', 'run', '--tenant', 'nope')).code, 1);
      const verify = await cli('audit', 'verify', '--tenant', 'bank');
      assert.equal(verify.code, 0, verify.err.join('\n'));
      await db.close();
    });
  });
}
