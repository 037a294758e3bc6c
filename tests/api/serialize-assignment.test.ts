import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findSubjectByExternalId, listAssignments, listAssignmentsJson, serializeAssignment } from '@tierkit/db';
import { client, forEachDialect } from '../support/api-fixture.js';

/*
 * A re-tier serializes each row it writes (serializeAssignment, built property by property since
 * session 37 for its CPU): a stored row read back as objects and serialized again must be the row as
 * stored — the same JSON text byte for byte, the same list figures, the same properties in the same
 * order — for a customer with progress and retention and one at the top level without progress.
 */
forEachDialect('serializeAssignment', (f) => {
  it('gives back the stored row of what it is given, text, figures and property order', async () => {
    await client(f).customer('SA1');
    await client(f).customer('SA2');
    assert.equal((await client(f).balances('SA1', [['2025-10', 60_000]])).status, 200);
    assert.equal((await client(f).balances('SA2', [['2025-10', 900_000_000]])).status, 200);
    let withoutProgress = 0;
    let withRetention = 0;
    for (const external of ['SA1', 'SA2']) {
      const subject = await findSubjectByExternalId(f.db.db, 'bank-a', external);
      assert.ok(subject);
      const stored = await listAssignmentsJson(f.db.db, 'bank-a', subject.id);
      const objects = await listAssignments(f.db.db, 'bank-a', subject.id);
      assert.ok(stored.length > 0);
      assert.equal(objects.length, stored.length);
      objects.forEach((a, i) => {
        const again = serializeAssignment(a);
        assert.deepEqual(again, stored[i]);
        assert.deepEqual(Object.keys(again), Object.keys(stored[i] ?? {}));
        if (a.progress === null) withoutProgress++;
        if (a.retention !== null) withRetention++;
      });
    }
    assert.ok(withoutProgress > 0, 'a row at the top level, without progress');
    assert.ok(withRetention > 0, 'a row with a retention line');
  });
});
