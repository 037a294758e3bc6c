import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBookScoped, SessionStore } from '@tierkit/admin';
import { kitFixture } from './kit-fixture.js';

describe('SessionStore against the real API', () => {
  const f = kitFixture();

  it('an RM’s session names them and their book; the store goes idle → loading → ready', async () => {
    const s = new SessionStore(f.client('RM1'));
    const seen: string[] = [];
    const stop = s.subscribe((st) => seen.push(st.status));
    assert.equal(s.state.status, 'idle');
    await s.load();
    stop();
    assert.deepEqual(seen, ['loading', 'ready']);
    assert.equal(s.state.session?.actor, 'staff:RM1');
    assert.equal(s.state.session?.staff?.name, 'RM1 经理');
    assert.ok(isBookScoped(s.state.session));
    assert.equal(s.state.session?.can.assignManagers, false);
  });

  it('a tenant-wide officer may reassign; an API key is nobody in particular', async () => {
    const officer = new SessionStore(f.client('OFF1'));
    await officer.load();
    assert.equal(isBookScoped(officer.state.session), false);
    assert.equal(officer.state.session?.can.assignManagers, true);
    const key = new SessionStore(f.client('admin'));
    await key.load();
    assert.equal(key.state.session?.staff, null);
    assert.equal(key.state.session?.can.manageStaff, true);
  });

  it('a bad credential is an error state with the API’s 401, and clear() signs out', async () => {
    const s = new SessionStore(f.client('nobody'));
    await s.load();
    assert.equal(s.state.status, 'error');
    assert.equal(s.state.error?.status, 401);
    assert.equal(s.state.session, undefined);
    s.clear();
    assert.deepEqual(s.state, { status: 'idle', session: undefined, error: undefined });
  });
});
