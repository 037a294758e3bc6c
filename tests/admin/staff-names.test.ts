import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actorLabel, nameWithId, StaffNames } from '@tierkit/admin';
import { mintStaffToken } from '@tierkit/api';
import { createClient } from '@tierkit/client';
import { NOW } from '../support/api-fixture.js';
import { type KitFixture, kitFixture } from './kit-fixture.js';

/** A client signed in as staff `who` whose every request's path is recorded. */
async function watched(f: KitFixture, who: string) {
  const token = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: who, now: NOW })).token;
  const paths: string[] = [];
  const client = createClient({
    baseUrl: 'http://tierkit.test',
    token: () => token,
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      paths.push(url.pathname + url.search);
      return Promise.resolve(f.app.request(input instanceof Request ? input : String(input), init));
    },
  });
  return { client, paths };
}

describe('staff by name', () => {
  it('a staff actor reads as its name with the id; an unknown one as its id; other actors as they are', () => {
    const names = { RM001: '王芳', MAKER01: '李雷' };
    assert.equal(nameWithId('RM001', names), '王芳 · RM001');
    assert.equal(nameWithId('RM404', names), 'RM404');
    assert.deepEqual(
      ['staff:MAKER01', 'staff:RM404', 'key:k_1', 'system', 'job:J1'].map((a) => actorLabel(a, names)),
      ['李雷 · MAKER01', 'RM404', 'key:k_1', 'system', 'job:J1'],
    );
  });

  const f = kitFixture();

  it('reads the names a page shows, one staff member at a time and once each; one it cannot read stays an id', async () => {
    const { client, paths } = await watched(f, 'OFF1');
    const names = new StaffNames(client);
    await names.need(['staff:RM1', 'staff:RM2', 'staff:RM1', 'key:k_1', 'system', 'RM2', null, 'staff:NOBODY']);
    assert.deepEqual(names.state.names, { RM1: 'RM1 经理', RM2: 'RM2 经理' });
    assert.deepEqual(
      paths.filter((p) => p.startsWith('/v1/staff')).sort(),
      ['/v1/staff/NOBODY', '/v1/staff/RM1', '/v1/staff/RM2'],
      'only the staff actors asked for, never the whole list; other actors (a bare `RM2` too) are not asked',
    );
    assert.equal(names.label('staff:RM1'), 'RM1 经理 · RM1');
    assert.equal(names.label('staff:NOBODY'), 'NOBODY');
    await names.need(['staff:RM1', 'staff:NOBODY', 'staff:RM2']);
    assert.equal(paths.filter((p) => p.startsWith('/v1/staff')).length, 3, 'nothing asked twice, not even the one that failed');
    names.clear();
    assert.deepEqual(names.state.names, {}, 'a sign-out forgets them');
    assert.equal(names.label('staff:RM1'), 'RM1');
  });
});
