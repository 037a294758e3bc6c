import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BookAssignment, SubjectBrowser } from '@tierkit/admin';
import { disableStaff } from '@tierkit/api';
import { upsertStaff } from '@tierkit/db';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';

describe('BookAssignment against the real API', () => {
  const f = kitFixture();

  it('a tenant-wide officer moves a customer to another RM’s book; both books show it at once', async () => {
    const client = f.client('OFF1');
    const a = new BookAssignment(client);
    await a.open('K07');
    assert.equal(a.state.status, 'ready');
    assert.equal(a.state.manager, 'RM1');
    assert.deepEqual(
      a.state.candidates.map((s) => s.id),
      ['RM1', 'RM2'],
      'the relationship managers, not the officer',
    );
    const rm2 = new SubjectBrowser(client, { filter: { manager: 'RM2' } });
    await rm2.load();
    assert.deepEqual(
      rm2.state.items.map((s) => s.id),
      ['K08', 'K09'],
    );
    await a.assign('RM2');
    assert.equal(a.state.manager, 'RM2');
    assert.equal(a.state.saved, 'RM2');
    // The same client forgot its book lists: no refresh needed.
    await rm2.load();
    assert.deepEqual(
      rm2.state.items.map((s) => s.id),
      ['K07', 'K08', 'K09'],
    );
    await a.open('K07');
    assert.equal(a.state.manager, 'RM2', 'read back, not remembered');
  });

  it('an RM may see whose their customer is but not move it: the refusal is an error state', async () => {
    const a = new BookAssignment(f.client('RM1'));
    await a.open('K01');
    assert.equal(a.state.manager, 'RM1');
    await a.assign('RM2');
    assert.equal(a.state.error?.status, 403);
    assert.equal(a.state.saving, false);
    assert.equal(a.state.manager, 'RM1');
    await a.open('K08');
    assert.equal(a.state.error?.status, 404, 'another RM’s customer does not exist for them');
  });

  it('someone who left is not offered as a book to move a customer to (the API refuses it)', async () => {
    await upsertStaff(f.db.db, 'bank-a', { id: 'RM9', name: 'RM9', role: 'officer', scope: 'book' }, NOW.toISOString());
    await disableStaff(f.db.db, 'bank-a', 'RM9', NOW);
    const a = new BookAssignment(f.client('OFF1'));
    await a.open('K07');
    assert.deepEqual(
      a.state.candidates.map((s) => s.id),
      ['RM1', 'RM2'],
    );
  });
});
