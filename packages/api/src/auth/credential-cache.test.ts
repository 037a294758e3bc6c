import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CredentialCache, credentialsChanged } from './credential-cache.js';
import type { Principal } from './principal.js';

const principal: Principal = { tenantId: 't1', via: 'key', role: 'approver', subject: null, origins: null, actor: 'key:k1' };

it('does not keep a verification that a credential change overtook', () => {
  const cache = new CredentialCache(5000);
  // Verified from rows read before a demotion or revocation in this process was applied: stale.
  const since = cache.stamp();
  credentialsChanged();
  cache.set('tk_a', principal, 0, Number.POSITIVE_INFINITY, since);
  assert.equal(cache.get('tk_a', 1), undefined);
  // Verified after it: kept until its deadline.
  cache.set('tk_a', principal, 0, Number.POSITIVE_INFINITY, cache.stamp());
  assert.equal(cache.get('tk_a', 1), principal);
  assert.equal(cache.get('tk_a', 5001), undefined);
});
